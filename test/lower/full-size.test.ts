/**
 * The backend at the main job's real sizes (V=83, E=32, H=128), where the GEMMs take their blocked
 * and tiled paths (B·T = 320 rows > the 256-row reduction block) that the small shapes of the
 * other tests never reach: the compiled training graph's loss and every gradient against the f64
 * interpreter, with all passes on.
 */
import t from "tap";
import { join } from "node:path";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { loadProgram } from "../../compiler/frontend/program.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { loadModel } from "../../runtime/model.ts";
import { Rng } from "../../runtime/random.ts";

const root = join(import.meta.dirname, "../..");
const V = 83, E = 32, H = 128, B = 4, T = 80;

t.test("char-rnn at full size: wasm loss and gradients equal the f64 interpreter's", async (t) => {
  const p = loadProgram(join(root, "examples/char-rnn/model.json"), { V, E, H });
  const g = p.graph;
  const rng = new Rng(5);
  const dims = (s: readonly (string | number)[]) => s.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
  const stateInputs = new Set(p.states.map((s) => s.input));
  const vals = new Map<string, Float32Array | Int32Array>();
  for (const name of g.inputs) {
    const ty = g.types.get(name)!;
    const n = dims(ty.shape).reduce((a, b) => a * b, 1);
    if (ty.dtype === "i32") vals.set(name, Int32Array.from({ length: n }, () => rng.below(name === "resets" ? 2 : V)));
    else vals.set(name, Float32Array.from({ length: n }, () => (stateInputs.has(name) ? 0 : (rng.uniform() - 0.5) * 0.4)));
  }
  const { wasm, manifest } = await compileProgram(p);
  const m = await loadModel(wasm, manifest);
  for (const x of p.params) m.setParam(x.name, vals.get(x.name) as Float32Array);
  const r = m.backwardFromLoss({
    tokens: { data: vals.get("tokens") as Int32Array, shape: [T, B] },
    targets: { data: vals.get("targets") as Int32Array, shape: [T, B] },
    resets: { data: vals.get("resets") as Int32Array, shape: [T, B] },
  });

  const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
  const vg = vjpGraph(g, wrt);
  const ins = g.inputs.map((n) => tensor(dims(g.types.get(n)!.shape), Array.from(vals.get(n)!), g.types.get(n)!.dtype));
  const cts = g.outputs.map((o, i) => {
    const shape = dims(g.types.get(o)!.shape);
    return tensor(shape, new Array(shape.reduce((a, b) => a * b, 1)).fill(i === g.outputs.length - 1 ? 1 : 0));
  });
  const out = runGraph(vg.graph, [...ins, ...cts.filter((_, i) => vg.cotangents[i] !== null)]);
  const lossRef = out[g.outputs.length - 1]!.data[0]!;
  t.ok(Math.abs(r.loss! - lossRef) <= 1e-6 * Math.abs(lossRef), `loss ${r.loss} vs ${lossRef}`);
  const grads = out.slice(g.outputs.length);
  wrt.forEach((name, i) => {
    const ref = grads[i]!.data;
    const got = r.grads[name] ?? r.grads[p.states.find((s) => s.input === name)?.name ?? ""];
    if (!got) return void t.fail(`${name}: no gradient from the module`);
    let num = 0, den = 0;
    for (let k = 0; k < ref.length; k++) { num += (ref[k]! - got[k]!) ** 2; den += ref[k]! ** 2; }
    const rel = Math.sqrt(num) / Math.max(1e-30, Math.sqrt(den));
    // f32 accumulation over B·T = 320 rows and 80 recurrent steps: a few 1e-7 measured; 1e-5 leaves room
    t.ok(rel < 1e-5, `${name}: relative L2 error ${rel.toExponential(2)}`);
  });
});
