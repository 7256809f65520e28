/**
 * `checkpoint: k` for k > 1: the forward scan keeps the state entering every k-th step and BPTT
 * recomputes each segment of k steps (compiler/autodiff/scan-vjp.ts, linearizeSegmented).
 * - gradients equal those of the saving policy in the f64 interpreter (to 1e-12) for every cell,
 *   in every scan mode, for k = 1, k dividing T or not, k = T and k > T; and finite differences;
 * - the WebAssembly backend computes what the interpreter computes (poisoned memory), and the
 *   runtime's training entry gives the gradients of the module without checkpoint;
 * - the memory plan keeps ⌈state/k⌉ per batch row and step instead of the state;
 * - what cannot be packed is refused, saying so.
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
import { Builder, emptyGraph } from "../../compiler/ir/builder.ts";
import type { Graph, TensorType } from "../../compiler/ir/types.ts";
import { compileGraph, compileProgram } from "../../compiler/lower/compile.ts";
import { loadModel } from "../../runtime/model.ts";
import { ErrorStats, expectClose, runPoisoned } from "../lower/_wasm.ts";

const root = join(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "rnnc-ckpt-k-"));
const B = 3;

interface Variant { name: string; scan: Record<string, unknown>; lengths: boolean }
const VARIANTS: Variant[] = [
  { name: "forward", scan: {}, lengths: false },
  { name: "reverse", scan: { reverse: true }, lengths: false },
  { name: "lengths", scan: { lengths: "len" }, lengths: true },
  { name: "reverse + lengths", scan: { reverse: true, lengths: "len" }, lengths: true },
  { name: "lengths + truncate", scan: { lengths: "len", truncate: 2 }, lengths: true },
];

let files = 0;
function model(cell: string, v: Variant, checkpoint: number, sizes = { I: 2, H: 4 }): Program {
  const doc = {
    rnnc: "model", name: `${cell}-ckpt`, sizes,
    cells: { c: { file: join(root, `examples/cells/${cell}.json`) } },
    inputs: { x: { shape: ["I"], sequence: true }, ...(v.lengths ? { len: { shape: [], dtype: "i32" } } : {}) },
    equations: { rnn: { scan: "c", sizes: { I: "I", H: "H" }, xs: { x: "x" }, ...v.scan, ...(checkpoint ? { checkpoint } : {}) } },
    outputs: { h: "rnn.h" },
    loss: "sum(rnn.h * rnn.h)",
  };
  const file = join(dir, `m${++files}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return loadProgram(file);
}

const dims = (shape: TensorType["shape"], T: number) => shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
/** Random values for a graph's inputs; lengths: one full sequence, one empty, one of T − 3. */
function inputsFor(g: Graph, T: number, seed: number): Tensor[] {
  const rand = rng(seed);
  return g.inputs.map((name) => {
    const ty = g.types.get(name)!;
    const shape = dims(ty.shape, T);
    const n = shape.reduce((a, b) => a * b, 1);
    if (ty.dtype === "i32") return tensor(shape, [T, 0, Math.max(0, T - 3)].slice(0, n), "i32");
    return tensor(shape, Array.from({ length: n }, () => rand() - 0.5));
  });
}
const wrtOf = (g: Graph) => g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
const maxRelDiff = (a: Tensor[], b: Tensor[]) => {
  let worst = 0;
  a.forEach((x, i) => x.data.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - b[i]!.data[k]!) / Math.max(1, Math.abs(v))))));
  return worst;
};

for (const cell of ["lstm", "gru", "elman", "lstm-noforget"]) {
  t.test(`${cell}: the gradients of the saving policy, for every k`, async (t) => {
    for (const v of VARIANTS) {
      const saving = vjpGraph(model(cell, v, 0).graph, wrtOf(model(cell, v, 0).graph));
      const ks = [1, 2, 3, 4, 8, 11];
      const programs = ks.map((k) => model(cell, v, k));
      const graphs = programs.map((p) => vjpGraph(p.graph, wrtOf(p.graph)).graph);
      for (const T of [1, 7, 8]) {
        const ins = [...inputsFor(saving.graph, T, 7)];
        const want = runGraph(saving.graph, ins);
        const worst = graphs.map((g) => maxRelDiff(want, runGraph(g, ins)));
        // k = 8 divides T = 8, k = T, k > T; k = 3 and 4 leave a short first segment at T = 7
        t.ok(worst.every((w) => w < 1e-12), `${v.name}, T = ${T}: outputs and gradients equal for k = ${ks.join(", ")} (max rel. diff ${Math.max(...worst).toExponential(1)})`);
      }
    }
  });
}

t.test("IR scans: generation (no xs), two xs, a state without a batch dim, reversed", async (t) => {
  const T = 7;
  const generation = (checkpoint?: number) => {
    const g = new Builder(emptyGraph()), body = new Builder(emptyGraph());
    const W = body.input("W", { dtype: "f32", shape: [3, 3] }), h = body.input("h", { dtype: "f32", shape: ["B", 3] });
    const n = body.op("tanh", [body.op("matmul", [W, h])]);
    body.graph.outputs = [n, n];
    const ins = [g.input("W0", { dtype: "f32", shape: [3, 3] }), g.input("h0", { dtype: "f32", shape: ["B", 3] })];
    g.graph.outputs = g.ops("scan", ins, { body: body.graph, n_consts: 1, n_carry: 1, n_xs: 0, steps: T, reverse: false, has_lengths: false, ...(checkpoint ? { checkpoint } : {}) });
    return g.graph;
  };
  const twoXs = (checkpoint?: number) => {
    const g = new Builder(emptyGraph()), body = new Builder(emptyGraph());
    const W = body.input("W", { dtype: "f32", shape: [3, 2] }), V = body.input("V", { dtype: "f32", shape: [3, 5] }), u = body.input("u", { dtype: "f32", shape: [3] });
    const h = body.input("h", { dtype: "f32", shape: ["B", 3] }), c = body.input("c", { dtype: "f32", shape: [3] });
    const x = body.input("x", { dtype: "f32", shape: ["B", 2] }), z = body.input("z", { dtype: "f32", shape: ["B", 5] });
    const n = body.op("tanh", [body.add(body.add(body.op("matmul", [W, x]), body.op("matmul", [V, z])), body.mul(h, c))]);
    body.graph.outputs = [n, body.op("tanh", [body.add(c, u)]), n];
    const ins = [
      g.input("W0", { dtype: "f32", shape: [3, 2] }), g.input("V0", { dtype: "f32", shape: [3, 5] }), g.input("u0", { dtype: "f32", shape: [3] }),
      g.input("h0", { dtype: "f32", shape: ["B", 3] }), g.input("c0", { dtype: "f32", shape: [3] }),
      g.input("xs", { dtype: "f32", shape: ["T", "B", 2] }), g.input("zs", { dtype: "f32", shape: ["T", "B", 5] }),
    ];
    g.graph.outputs = g.ops("scan", ins, { body: body.graph, n_consts: 3, n_carry: 2, n_xs: 2, reverse: true, has_lengths: false, ...(checkpoint ? { checkpoint } : {}) });
    return g.graph;
  };
  for (const [name, make] of [["generation", generation], ["two xs", twoXs]] as const) {
    const g0 = make();
    const ins = inputsFor(g0, T, 13);
    const v0 = vjpGraph(g0, g0.inputs).graph;
    const cts = g0.outputs.map((o) => {
      const shape = dims(g0.types.get(o)!.shape, T);
      return tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, q) => Math.sin(q + 1)));
    });
    const want = runGraph(v0, [...ins, ...cts]);
    for (const k of [2, 3, 7, 9]) {
      const v1 = vjpGraph(make(k), g0.inputs).graph;
      t.equal(v1.nodes.filter((n) => n.op === "scan").length, 3, `${name}, k = ${k}: segmented`);
      t.ok(maxRelDiff(want, runGraph(v1, [...ins, ...cts])) < 1e-12, `${name}, k = ${k}: the gradients of the saving policy`);
    }
  }
});

t.test("finite differences", async (t) => {
  for (const cell of ["lstm", "gru"]) {
    for (const v of [VARIANTS[0]!, VARIANTS[3]!]) {
      const g = model(cell, v, 3).graph;
      const res = gradCheck(g, inputsFor(g, 7, 11), wrtOf(g));
      t.ok(res.maxRelError < 1e-6, `${cell}, ${v.name}, k = 3, T = 7: gradients agree with finite differences (${res.maxRelError.toExponential(1)})`);
    }
  }
});

t.test("the structure: no scan in a scan, k-th of the state per step, loops kept whole", async (t) => {
  const p = model("lstm", VARIANTS[0]!, 4);
  const g = vjpGraph(p.graph, wrtOf(p.graph)).graph;
  const scans = g.nodes.filter((n) => n.op === "scan");
  t.equal(scans.length, 3, "a step counter, the forward scan, the backward scan");
  t.ok(scans.every((n) => !(n.attrs.body as Graph).nodes.some((m) => m.op === "scan")), "no scan nested in a scan body");
  t.ok(scans.slice(1).every((n) => n.attrs.keep_in_loop === true), "the forward and backward scans keep their per-step work in the loop");
  const perStep = scans[1]!.outputs.map((o) => g.types.get(o)!).filter((ty) => ty.shape[0] === "T" && ty.shape[1] === "B");
  // the cell's output h [4], one piece of h and one of s ([⌈4/4⌉]), the replayed x [2] and its valid bit
  t.same(perStep.map((ty) => ty.shape.slice(2)), [[4], [1], [1], [2]], "per step the forward scan keeps its output, ⌈state/k⌉ of each state and the input it replays");
});

t.test("WebAssembly computes what the interpreter computes", async (t) => {
  const stats = new ErrorStats("checkpoint k, wasm vs interp", { rtol: 1e-4, atol: 1e-5 });
  for (const cell of ["lstm", "gru"]) {
    for (const v of [VARIANTS[0]!, VARIANTS[3]!, VARIANTS[4]!]) {
      const g = vjpGraph(model(cell, v, 3).graph, wrtOf(model(cell, v, 3).graph)).graph;
      const gm = await compileGraph(g);
      for (const T of [7, 2]) {
        const ins = inputsFor(g, T, 5);
        const { outs, violations } = await runPoisoned(gm, ins);
        t.same(violations, [], `${cell}, ${v.name}, T = ${T}: no read of unwritten memory, no write outside the plan`);
        expectClose(t, outs, runGraph(g, ins), g.outputs, stats, `${cell}, ${v.name}, k = 3, T = ${T}: `);
      }
    }
  }
  t.comment(stats.summary());
});

t.test("the runtime's training entry: the gradients of the module without checkpoint", async (t) => {
  const T = 11, v = VARIANTS[4]!;
  const grads: Record<string, Float32Array>[] = [];
  for (const k of [0, 4]) {
    const p = model("lstm", v, k);
    const { wasm, manifest } = await compileProgram(p);
    const m = await loadModel(wasm, manifest);
    const ins = inputsFor(p.graph, T, 3);
    const named = Object.fromEntries(p.graph.inputs.map((name, i) => [name, ins[i]!]));
    for (const x of p.params) m.setParam(x.name, Float32Array.from(named[x.name]!.data));
    const r = m.backwardFromLoss({
      x: { data: Float32Array.from(named.x!.data), shape: [T, B, 2] },
      len: { data: Int32Array.from(named.len!.data), shape: [B] },
    });
    grads.push(Object.fromEntries(Object.entries(r.grads).map(([n, g]) => [n, Float32Array.from(g)])));
  }
  for (const [name, g] of Object.entries(grads[0]!)) {
    let d = 0;
    g.forEach((x, i) => (d = Math.max(d, Math.abs(x - grads[1]![name]![i]!) / Math.max(1e-3, Math.abs(x)))));
    t.ok(d < 1e-4, `${v.name}, k = 4, T = ${T}: ${name}: the same gradient (max rel. diff ${d.toExponential(1)})`);
  }
});

t.test("memory: the saved state shrinks by k", async (t) => {
  // LSTM, I = 2, H = 64: the state is h and s, 2 · 64 floats = 512 bytes per batch row and step
  const I = 2, H = 64, T = 256, state = 2 * H * 4;
  const plan: Record<number, [number, number, number, number]> = {};
  for (const k of [0, 1, 4, 16]) plan[k] = (await compileProgram(model("lstm", VARIANTS[0]!, k, { I, H }))).manifest.memory.bytes;
  const perStep = (k: number) => plan[k]![3];
  const perRow = (k: number) => plan[k]![1] + T * plan[k]![3];
  t.comment(`bytes per batch row and step: ${[0, 1, 4, 16].map((k) => `${k ? `k = ${k}` : "no checkpoint"}: ${perStep(k)}`).join(", ")}`);
  t.comment(`bytes per batch row at T = ${T}: ${[0, 1, 4, 16].map((k) => `${k ? `k = ${k}` : "no checkpoint"}: ${perRow(k)}`).join(", ")}`);
  t.ok(perStep(1) < perStep(0), "checkpoint 1 keeps less per step than saving every residual");
  const replayed = 16; // x_t, replayed in the backward loop: 2 floats, one 16-byte unit
  for (const k of [4, 16]) {
    const pieces = 2 * Math.ceil((H / k) * 4 / 16) * 16;
    const drop = perStep(1) - perStep(k);
    t.ok(drop >= state - pieces - replayed && drop <= state,
      `k = ${k}: ${perStep(k)} instead of ${perStep(1)} bytes per row and step: the state's ${state} bytes became ${pieces} (+${replayed} for the replayed input)`);
    t.ok(perRow(k) < perRow(1), `k = ${k}: ${perRow(k)} instead of ${perRow(1)} bytes per batch row at T = ${T} (registers: ${plan[k]![1] - plan[1]![1]} bytes per row)`);
  }
  t.ok(perStep(16) < perStep(4), "k = 16 keeps less per step than k = 4");
});

t.test("what cannot be packed is refused, saying why", async (t) => {
  // a per-example scalar state [B]: there is no last axis to pack k of them along
  const scalar = new Builder(emptyGraph());
  {
    const body = new Builder(emptyGraph());
    const c = body.input("c", { dtype: "f32", shape: ["B"] }), x = body.input("x", { dtype: "f32", shape: ["B"] });
    const n = body.op("tanh", [body.add(c, x)]);
    body.graph.outputs = [n, n];
    const c0 = scalar.input("c0", { dtype: "f32", shape: ["B"] }), xs = scalar.input("xs", { dtype: "f32", shape: ["T", "B"] });
    scalar.graph.outputs = scalar.ops("scan", [c0, xs], { body: body.graph, n_consts: 0, n_carry: 1, n_xs: 1, reverse: false, has_lengths: false, checkpoint: 2 });
  }
  t.throws(() => vjpGraph(scalar.graph, ["c0", "xs"]), new RnncError("checkpoint 2: state c is f32[B]; keeping every k-th state (k > 1) packs states along their last axis and needs float vectors ([B, n] or [n]); use checkpoint 1"));

  // token ids read in the cell: the replayed inputs are packed as floats
  const ids = new Builder(emptyGraph());
  {
    const body = new Builder(emptyGraph());
    const E = body.input("E", { dtype: "f32", shape: [5, 3] }), h = body.input("h", { dtype: "f32", shape: ["B", 3] });
    const tok = body.input("tok", { dtype: "i32", shape: ["B"] });
    const n = body.op("tanh", [body.add(h, body.op("embedding", [E, tok]))]);
    body.graph.outputs = [n, n];
    const E0 = ids.input("E0", { dtype: "f32", shape: [5, 3] }), h0 = ids.input("h0", { dtype: "f32", shape: ["B", 3] });
    const toks = ids.input("toks", { dtype: "i32", shape: ["T", "B"] });
    ids.graph.outputs = ids.ops("scan", [E0, h0, toks], { body: body.graph, n_consts: 1, n_carry: 1, n_xs: 1, reverse: false, has_lengths: false, checkpoint: 3 });
  }
  t.throws(() => vjpGraph(ids.graph, ["E0", "h0"]), new RnncError("checkpoint 3: the per-step input tok is i32[B]; the backward pass replays the inputs of each segment from a buffer packed along their last axis, which needs float vectors ([B, n] or [n]); use checkpoint 1"));
});
