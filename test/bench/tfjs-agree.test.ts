/**
 * Oracle 3: an independent implementation. The standard cells (LSTM, GRU, Elman) and the
 * character-level model, written by hand in TensorFlow.js (bench/tfjs-models.ts, cpu backend, f32),
 * against rnnc on the same weights and inputs: forward outputs, final states, the loss, and the
 * gradient of every parameter, input and initial state.
 *
 * rnnc runs on its f64 interpreter here (the WebAssembly backend is held to the interpreter by
 * test/lower/), and the LSTM also through its compiled WebAssembly module, the code
 * bench/run.ts times. The sizes are tiny, so the test runs in seconds.
 *
 * Tolerance: max |rnnc − tfjs| ≤ TOL · max(|tfjs|) per tensor (a relative error on the tensor's
 * scale, so near-zero entries do not dominate). tfjs computes in f32: its rounding, ~1e-7 per op,
 * grows over T steps and through the backward pass (at most 3.6e-7 measured here). TOL = 5e-6
 * leaves room for that and for the compiled module's exp/tanh/sigmoid (≤ 1.8e-7 relative,
 * docs/math.md), while any mistake in gate math, weight layout or a gradient shows as an error
 * of order 1e-2 to 1 (a wrong initial state, tried by mistake, gave 5e-3 to 5).
 */
import t from "tap";
import type { Test } from "tap";
import * as tf from "@tensorflow/tfjs";
import { withMeanSquareLoss } from "../../compiler/cli/bench.ts";
import { evaluate } from "../../compiler/eval.ts";
import { loadProgram } from "../../compiler/frontend/program.ts";
import type { Program } from "../../compiler/frontend/program.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import { Rng } from "../../runtime/index.ts";
import {
  cellLossAndGrads, charModelLossAndGrads, fuseCell, fuseCharModel, fuseKernel, runSequence, STATES, unfuseCell, unfuseKernel,
} from "../../bench/tfjs-models.ts";
import type { CellKind, Values } from "../../bench/tfjs-models.ts";
import { ROOT } from "../frontend/_helpers.ts";

process.chdir(ROOT);
const TOL = 5e-6;

await tf.setBackend("cpu");
tf.env().set("DEBUG", false);

/** max |a − b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, s = 0;
  for (let i = 0; i < b.length; i++) { d = Math.max(d, Math.abs(a[i]! - b[i]!)); s = Math.max(s, Math.abs(b[i]!)); }
  return d / (s || 1);
}

function agree(t: Test, what: string, rnnc: ArrayLike<number>, ref: ArrayLike<number>, tol = TOL): void {
  t.equal(rnnc.length, ref.length, `${what}: same number of values`);
  t.ok(Array.from(ref).some((v) => v !== 0), `${what}: tfjs's values are not all zero`);
  const e = relErr(rnnc, ref);
  t.ok(e <= tol, `${what}: relative error ${e.toExponential(2)} ≤ ${tol}`);
}

/** Random tensors for every graph input of `p` (params, inputs, initial states), seeded. */
function randomInputs(p: Program, B: number, T: number, seed: number, ids: Record<string, number> = {}): Map<string, Tensor> {
  const rng = new Rng(seed);
  const m = new Map<string, Tensor>();
  for (const v of p.graph.inputs) {
    const type = p.graph.types.get(v)!;
    const shape = type.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
    const n = shape.reduce((a, c) => a * c, 1);
    const data = type.dtype === "i32"
      ? Array.from({ length: n }, () => Math.floor(rng.uniform() * ids[v]!))
      : Array.from({ length: n }, () => Math.fround(rng.uniform() - 0.5)); // f32 values: both sides see the same numbers
    m.set(v, tensor(shape, data, type.dtype));
  }
  return m;
}

const data = (x: tf.Tensor) => x.dataSync() as Float32Array;

const CELLS: { kind: CellKind; file: string }[] = [
  { kind: "lstm", file: "examples/cells/lstm.json" },
  { kind: "gru", file: "examples/cells/gru.json" },
  { kind: "elman", file: "examples/cells/elman.json" },
];

for (const { kind, file } of CELLS) {
  t.test(`${kind}: rnnc (${file}) and tfjs agree`, async (t) => {
    const I = 3, H = 4, B = 2, T = 5;
    const p = withMeanSquareLoss(loadProgram(file, { I, H }));
    const given = randomInputs(p, B, T, 7);
    const r = await evaluate(p, given, { file: "random inputs" });
    const vals: Values = Object.fromEntries([...given].map(([k, v]) => [k, v.data]));

    tf.tidy(() => {
      const w = fuseCell(tf, kind, vals, I, H);
      const xs = tf.tensor3d(Float32Array.from(vals.x!), [T, B, I]);
      const init = STATES[kind].map((s) => tf.tensor2d(Float32Array.from(vals[s]!), [B, H]));
      const fwd = runSequence(tf, kind, w, xs, init);
      agree(t, "outputs h [T, B, H]", r.outputs.h!.data, data(fwd.hs));
      STATES[kind].forEach((s, i) => agree(t, `final state ${s}`, r.final[s]!.data, data(fwd.final[i]!)));

      const { loss, grads } = cellLossAndGrads(tf, kind, w, xs, init);
      agree(t, "loss mean(h²)", [r.loss!], data(loss));
      const k = w.bh ? 4 : 3;
      const named = {
        ...unfuseCell(kind, { Wx: data(grads[0]!), Wh: data(grads[1]!), bx: data(grads[2]!), bh: w.bh ? data(grads[3]!) : null }, I, H),
        x: data(grads[k]!),
        ...Object.fromEntries(STATES[kind].map((s, i) => [s, data(grads[k + 1 + i]!)])),
      };
      t.same(Object.keys(named).sort(), Object.keys(r.grads!).sort(), "a gradient for the same tensors");
      for (const [n, g] of Object.entries(named)) agree(t, `gradient of ${n}`, r.grads![n]!.data, g);
    });
  });
}

t.test("LSTM: the compiled WebAssembly module (what bench/ times) and tfjs agree", async (t) => {
  const { compileForBench } = await import("../../compiler/cli/bench.ts");
  const { loadModel } = await import("../../runtime/index.ts");
  const I = 3, H = 4, B = 2, T = 5;
  const p = loadProgram("examples/cells/lstm.json", { I, H });
  const { compiled } = await compileForBench(p, "train");
  const model = await loadModel(compiled.wasm, compiled.manifest);
  const given = randomInputs(withMeanSquareLoss(p), B, T, 11);
  const vals: Values = Object.fromEntries([...given].map(([k, v]) => [k, v.data]));
  model.setParams(Object.fromEntries(model.paramNames.map((n) => [n, vals[n]!])));
  const res = model.backwardFromLoss({ x: vals.x! }, { B, T, states: { h: vals.h!, s: vals.s! } });
  tf.tidy(() => {
    const w = fuseCell(tf, "lstm", vals, I, H);
    const xs = tf.tensor3d(Float32Array.from(vals.x!), [T, B, I]);
    const init = ["h", "s"].map((s) => tf.tensor2d(Float32Array.from(vals[s]!), [B, H]));
    const { loss, grads } = cellLossAndGrads(tf, "lstm", w, xs, init);
    agree(t, "loss", [res.loss!], data(loss));
    const named = { ...unfuseCell("lstm", { Wx: data(grads[0]!), Wh: data(grads[1]!), bx: data(grads[2]!), bh: null }, I, H), x: data(grads[3]!), h: data(grads[4]!), s: data(grads[5]!) };
    for (const [n, g] of Object.entries(named)) agree(t, `gradient of ${n}`, res.grads[n]!, g);
  });
});

t.test("char-level model (examples/char-rnn/model.json): loss and every gradient", async (t) => {
  const V = 7, D = 3, H = 4, B = 2, T = 5;
  const p = loadProgram("examples/char-rnn/model.json", { V, E: D, H });
  const given = randomInputs(p, B, T, 3, { tokens: V, targets: V, resets: 1 }); // no resets: tfjs's model has none
  for (const st of p.states) if (st.input) given.delete(st.input); // the model starts from zero states, like tfjs's
  const r = await evaluate(p, given, { file: "random inputs" });
  const vals: Values = Object.fromEntries([...given].map(([k, v]) => [k, v.data]));
  tf.tidy(() => {
    const m = fuseCharModel(tf, vals, V, D, H);
    const tokens = tf.tensor2d(Int32Array.from(vals.tokens!), [T, B], "int32");
    const targets = tf.tensor2d(Int32Array.from(vals.targets!), [T, B], "int32");
    const { loss, grads } = charModelLossAndGrads(tf, m, tokens, targets);
    agree(t, "loss: mean cross-entropy", [r.loss!], data(loss));
    const WyT = data(grads[4]!), Wy = new Float32Array(V * H);
    for (let v = 0; v < V; v++) for (let j = 0; j < H; j++) Wy[v * H + j] = WyT[j * V + v]!;
    const named: Record<string, Float32Array> = {
      E: data(grads[0]!), Wy, by: data(grads[5]!),
      ...unfuseCell("lstm", { Wx: data(grads[1]!), Wh: data(grads[2]!), bx: data(grads[3]!), bh: null }, D, H, "rnn."),
    };
    for (const [n, g] of Object.entries(named)) agree(t, `gradient of ${n}`, r.grads![n]!.data, g);
  });
});

t.test("fuseKernel and unfuseKernel are inverse layouts", async (t) => {
  const H = 2, I = 3;
  const a = Float32Array.from({ length: H * I }, (_, i) => i + 1), b = Float32Array.from({ length: H * I }, (_, i) => -(i + 1));
  const K = fuseKernel([a, b], H, I);
  // K[i][j·H + r] = W_j[r][i]: row i of the kernel is input i; gate j's block holds its column i
  t.same(Array.from(K.slice(0, 4)), [a[0], a[3], b[0], b[3]], "row 0 of the kernel");
  t.same(Array.from(unfuseKernel(K, 0, 2, H, I)), Array.from(a));
  t.same(Array.from(unfuseKernel(K, 1, 2, H, I)), Array.from(b));
});
