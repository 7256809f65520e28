/**
 * `checkpoint: 1` on a scan: the forward scan saves only the state entering each step and BPTT
 * recomputes the rest (k > 1: test/autodiff/checkpoint-k.test.ts). Gradients must not change (the interpreter agrees with the saving policy to
 * rounding and with finite differences), the forward scan must save fewer per-step values, and the
 * compiled module must need less memory per step while computing the same gradients.
 */
import t from "tap";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradCheck, rng } from "../../compiler/autodiff/gradcheck.ts";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { RnncError } from "../../compiler/diagnostics.ts";
import { loadProgram } from "../../compiler/frontend/program.ts";
import type { Program } from "../../compiler/frontend/program.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { loadModel } from "../../runtime/model.ts";

const root = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "rnnc-ckpt-"));
const B = 3, T = 6, I = 2, H = 4;

interface Variant { name: string; scan: Record<string, unknown>; lengths: boolean }
const VARIANTS: Variant[] = [
  { name: "forward", scan: {}, lengths: false },
  { name: "reverse", scan: { reverse: true }, lengths: false },
  { name: "lengths", scan: { lengths: "len" }, lengths: true },
  { name: "lengths + truncate", scan: { lengths: "len", truncate: 2 }, lengths: true },
];

function model(cell: string, v: Variant, checkpoint: boolean): Program {
  const doc = {
    rnnc: "model", name: `${cell}-ckpt`, sizes: { I, H },
    cells: { c: { file: join(root, `examples/cells/${cell}.json`) } },
    inputs: { x: { shape: ["I"], sequence: true }, ...(v.lengths ? { len: { shape: [], dtype: "i32" } } : {}) },
    equations: { rnn: { scan: "c", sizes: { I: "I", H: "H" }, xs: { x: "x" }, ...v.scan, ...(checkpoint ? { checkpoint: 1 } : {}) } },
    outputs: { h: "rnn.h" },
    loss: "sum(rnn.h * rnn.h)",
  };
  const file = join(dir, `${cell}-${v.name.replace(/\W+/g, "-")}-${checkpoint}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return loadProgram(file);
}

function inputsFor(g: Graph, seed: number): Tensor[] {
  const rand = rng(seed);
  return g.inputs.map((name) => {
    const ty = g.types.get(name)!;
    const shape = ty.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    if (ty.dtype === "i32") return tensor(shape, [T, 2, 5].slice(0, n), "i32"); // lengths
    return tensor(shape, Array.from({ length: n }, () => rand() - 0.5));
  });
}

const wrtOf = (g: Graph) => g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
/** Per-step values the forward scan of the BPTT graph saves (its outputs beyond the scan's own). */
const savedPerStep = (g: Graph, p: Program) => {
  const scan = g.nodes.find((n) => n.op === "scan")!;
  const own = p.graph.nodes.find((n) => n.op === "scan")!.outputs.length;
  return scan.outputs.length - own;
};

for (const cell of ["elman", "lstm", "gru", "lstm-noforget"]) {
  t.test(cell, async (t) => {
    for (const v of VARIANTS) {
      const saving = model(cell, v, false), ckpt = model(cell, v, true);
      const g0 = saving.graph, g1 = ckpt.graph;
      const ins = inputsFor(g0, 7);
      const v0 = vjpGraph(g0, wrtOf(g0)), v1 = vjpGraph(g1, wrtOf(g1));
      const cts = g0.outputs.map((o) => {
        const ty = g0.types.get(o)!;
        const shape = ty.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
        return tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => Math.sin(k + 1)));
      });
      const r0 = runGraph(v0.graph, [...ins, ...cts]), r1 = runGraph(v1.graph, [...ins, ...cts]);
      let worst = 0;
      r0.forEach((a, i) => a.data.forEach((x, k) => (worst = Math.max(worst, Math.abs(x - r1[i]!.data[k]!) / Math.max(1, Math.abs(x))))));
      t.ok(worst < 1e-12, `${v.name}: the same outputs and gradients as saving every residual (max rel. diff ${worst.toExponential(1)})`);
      // truncated BPTT differs from finite differences on purpose: the saving policy is its oracle
      const fd = v.scan.truncate ? { maxRelError: 0 } : gradCheck(g1, inputsFor(g1, 11), wrtOf(g1));
      if (!v.scan.truncate) t.ok(fd.maxRelError < 1e-6, `${v.name}: gradients agree with finite differences (${fd.maxRelError.toExponential(1)})`);
      const n0 = savedPerStep(v0.graph, saving), n1 = savedPerStep(v1.graph, ckpt);
      t.ok(n1 <= saving.states.length && (n1 < n0 || n0 <= saving.states.length),
        `${v.name}: the forward scan saves ${n1} per-step value(s) instead of ${n0} (${saving.states.length} state(s))`);
    }
  });
}

t.test("compiled: the same gradients in less memory per step", async (t) => {
  for (const v of [VARIANTS[0]!, VARIANTS[3]!]) {
    const results: { grads: Record<string, Float32Array>; bt: number }[] = [];
    for (const checkpoint of [false, true]) {
      const p = model("lstm", v, checkpoint);
      const { wasm, manifest } = await compileProgram(p);
      const m = await loadModel(wasm, manifest);
      const ins = inputsFor(p.graph, 3);
      const named = Object.fromEntries(p.graph.inputs.map((name, i) => [name, ins[i]!]));
      for (const x of p.params) m.setParam(x.name, Float32Array.from(named[x.name]!.data));
      const r = m.backwardFromLoss({
        x: { data: Float32Array.from(named.x!.data), shape: [T, B, I] },
        ...(v.lengths ? { len: { data: Int32Array.from(named.len!.data), shape: [B] } } : {}),
      });
      results.push({ grads: Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, Float32Array.from(g)])), bt: manifest.memory.bytes[3] });
    }
    const [a, b] = results as [typeof results[0], typeof results[0]];
    for (const [name, g] of Object.entries(a.grads)) {
      let d = 0;
      g.forEach((x, k) => (d = Math.max(d, Math.abs(x - b.grads[name]![k]!) / Math.max(1e-3, Math.abs(x)))));
      // (f32 rounding: a checkpointed scan computes W·x_t in its loop, not as one GEMM over T)
      t.ok(d < 1e-4, `${v.name}: ${name}: the same gradient (max rel. diff ${d.toExponential(1)})`);
    }
    t.ok(b.bt < a.bt, `${v.name}: memory per batch row per step: ${b.bt} bytes instead of ${a.bt}`);
  }
});

t.test("checkpoint beyond 64 is refused, saying why", async (t) => {
  const file = join(dir, "k65.json");
  writeFileSync(file, JSON.stringify({
    rnnc: "model", name: "k65", sizes: { I, H }, cells: { c: { file: join(root, "examples/cells/elman.json") } },
    inputs: { x: { shape: ["I"], sequence: true } },
    equations: { rnn: { scan: "c", sizes: { I: "I", H: "H" }, xs: { x: "x" }, checkpoint: 65 } },
    outputs: { h: "rnn.h" },
  }));
  t.throws(() => loadProgram(file), new RnncError(`${file}: equations.rnn.checkpoint: at most 64, found 65: the training loops shift k saved states at every step (work and memory per step grow with k), and the memory of a sequence, about T/k + 6·k states, is lowest near k = √(T/6)`));
});
