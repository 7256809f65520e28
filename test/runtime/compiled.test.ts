// A model compiled by rnnc, loaded and run by runtime/ alone — in a separate process that
// imports nothing but runtime/node.ts — agrees with the f64 interpreter.
import t from "tap";
import { spawnSync } from "node:child_process";
import { childEnv } from "../_shared/spawn.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadProgram } from "../../compiler/frontend/program.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { evaluate } from "../../compiler/eval.ts";
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";

const root = new URL("../..", import.meta.url).pathname;

t.test("an LSTM compiled by rnnc runs under runtime/ alone", async (t) => {
  const dims = { I: 3, H: 5 };
  const B = 2, T = 7;
  const p = loadProgram(join(root, "examples/cells/lstm.json"), dims);
  const { wasm, manifest } = await compileProgram(p);
  const dir = mkdtempSync(join(tmpdir(), "rnnc-rt-"));
  writeFileSync(join(dir, "model.wasm"), wasm);
  writeFileSync(join(dir, "model.manifest.json"), JSON.stringify(manifest));

  const r = rng(11);
  const given = new Map<string, Tensor>();
  for (const name of p.graph.inputs) {
    const ty = p.graph.types.get(name)!;
    const shape = ty.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
    given.set(name, tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() - 0.5)));
  }
  const ref = await evaluate(p, given, { file: "inputs", cotangents: { outputs: new Map([["h", tensor([T, B, 5], new Array(T * B * 5).fill(1))]]), final: new Map() } });
  const payload = Object.fromEntries([...given].map(([k, v]) => [k, Array.from(v.data)]));
  const script = `
    import { loadModelFromDir } from ${JSON.stringify(join(root, "runtime/node.ts"))};
    const input = JSON.parse(process.argv[1]);
    const model = await loadModelFromDir(${JSON.stringify(dir)});
    for (const name of model.paramNames) model.setParam(name, input[name]);
    const fwd = model.forward({ x: { data: input.x, shape: [${T}, ${B}, 3] } }, { states: { h: input.h, s: input.s } });
    const bwd = model.backward({ x: { data: input.x, shape: [${T}, ${B}, 3] } }, { outputs: { h: new Array(${T * B * 5}).fill(1) } }, { states: { h: input.h, s: input.s } });
    const out = { h: Array.from(fwd.outputs.h), final: Array.from(fwd.final.h), grads: Object.fromEntries(Object.entries(bwd.grads).map(([k, v]) => [k, Array.from(v)])) };
    process.stdout.write(JSON.stringify(out));
  `;
  const res = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, JSON.stringify(payload)], { cwd: root, encoding: "utf8", env: childEnv() });
  t.equal(res.status, 0, `runtime process exits 0 ${res.stderr}`);
  const got = JSON.parse(res.stdout) as { h: number[]; final: number[]; grads: Record<string, number[]> };
  const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1e-3 + Math.abs(b[i]!)));
    return m < tol ? true : m;
  };
  t.equal(close(got.h, ref.outputs.h!.data, 1e-4), true, "outputs match the interpreter");
  t.equal(close(got.final, ref.final.h!.data, 1e-4), true, "final state matches");
  for (const name of [...p.params.map((x) => x.name), "x", "h", "s"]) {
    t.equal(close(got.grads[name]!, ref.grads![name]!.data, 1e-3), true, `gradient of ${name} matches`);
  }
  // the runtime process loaded nothing from compiler/: its script imports runtime/node.ts only
  t.notMatch(script, /compiler\//, "the script imports nothing from compiler/");
});
