/**
 * The standard cells written by hand in TensorFlow.js — the peer rnnc is measured against in
 * bench/run.ts, and the independent implementation test/bench/tfjs-agree.test.ts checks rnnc's
 * examples with (same gate math, same weights: forward outputs and gradients agree within f32).
 *
 * Written as a tfjs user who cares about speed would: the gates' weights fused into one kernel
 * (Keras' layout, kernel [I, k·H] and recurrent kernel [H, k·H]), the input projection of all T
 * steps hoisted into one matMul before the loop, one recurrent matMul per step. The loop over time
 * runs in JavaScript (tfjs has no scan); gradients come from tf.grads over every tensor rnnc
 * differentiates: parameters, the input sequence and the initial states.
 *
 * rnnc stores a weight W[out][in] per gate (y = W·x); `fuse*` builds the tfjs kernels from those,
 * `unfuse*` maps tfjs gradients back, so both sides are fed identical numbers.
 */
import type * as tfNamespace from "@tensorflow/tfjs";

export type TF = typeof tfNamespace;
type Tensor = tfNamespace.Tensor;
type Tensor2D = tfNamespace.Tensor2D;
type Tensor3D = tfNamespace.Tensor3D;
export type Values = Record<string, ArrayLike<number>>;

export type CellKind = "lstm" | "gru" | "elman";

/** rnnc's parameter names per gate, in the order the fused kernels stack them. */
export const GATES: Record<CellKind, { x: string[]; h: string[]; bx: string[]; bh: string[] }> = {
  // examples/cells/lstm.json: g = tanh(Wgx x + Wgh h + bg), i, f, o = sigmoid(...), one bias per gate
  lstm: { x: ["Wgx", "Wix", "Wfx", "Wox"], h: ["Wgh", "Wih", "Wfh", "Woh"], bx: ["bg", "bi", "bf", "bo"], bh: [] },
  // examples/cells/gru.json (PyTorch's form): r, z, n with separate input and hidden biases
  gru: { x: ["W_ir", "W_iz", "W_in"], h: ["W_hr", "W_hz", "W_hn"], bx: ["b_ir", "b_iz", "b_in"], bh: ["b_hr", "b_hz", "b_hn"] },
  // examples/cells/elman.json
  elman: { x: ["Whx"], h: ["Whh"], bx: ["bh"], bh: [] },
};

/** Fused weights of one cell, as tfjs tensors (or variables). */
export interface Fused<T extends Tensor = Tensor> {
  Wx: T; // [I, k·H]
  Wh: T; // [H, k·H]
  bx: T; // [k·H]
  bh: T | null; // [k·H] (GRU only)
}

/** Stack k matrices W_j [H, I] (row-major) into one [I, k·H] kernel: K[i][j·H + r] = W_j[r][i]. */
export function fuseKernel(ws: ArrayLike<number>[], rows: number, cols: number): Float32Array {
  const k = ws.length, out = new Float32Array(cols * k * rows);
  ws.forEach((w, j) => {
    for (let r = 0; r < rows; r++) for (let i = 0; i < cols; i++) out[i * k * rows + j * rows + r] = w[r * cols + i]!;
  });
  return out;
}

/** The inverse of fuseKernel: gate j's [H, I] matrix from a [I, k·H] kernel. */
export function unfuseKernel(K: ArrayLike<number>, j: number, k: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let i = 0; i < cols; i++) out[r * cols + i] = K[i * k * rows + j * rows + r]!;
  return out;
}

function concat(parts: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** The fused kernels of a cell from rnnc's per-gate parameters (`prefix` for a cell in a model, e.g. "rnn."). */
export function fuseCell(tf: TF, kind: CellKind, p: Values, I: number, H: number, prefix = ""): Fused {
  const g = GATES[kind], get = (n: string) => p[prefix + n]!;
  return {
    Wx: tf.tensor2d(fuseKernel(g.x.map(get), H, I), [I, g.x.length * H]),
    Wh: tf.tensor2d(fuseKernel(g.h.map(get), H, H), [H, g.h.length * H]),
    bx: tf.tensor1d(concat(g.bx.map(get))),
    bh: g.bh.length ? tf.tensor1d(concat(g.bh.map(get))) : null,
  };
}

/** rnnc-named gradients of a cell from the gradients of its fused kernels. */
export function unfuseCell(kind: CellKind, grads: { Wx: ArrayLike<number>; Wh: ArrayLike<number>; bx: ArrayLike<number>; bh: ArrayLike<number> | null }, I: number, H: number, prefix = ""): Record<string, Float32Array> {
  const g = GATES[kind], k = g.x.length, out: Record<string, Float32Array> = {};
  g.x.forEach((n, j) => (out[prefix + n] = unfuseKernel(grads.Wx, j, k, H, I)));
  g.h.forEach((n, j) => (out[prefix + n] = unfuseKernel(grads.Wh, j, k, H, H)));
  g.bx.forEach((n, j) => (out[prefix + n] = Float32Array.from(grads.bx).slice(j * H, (j + 1) * H)));
  g.bh.forEach((n, j) => (out[prefix + n] = Float32Array.from(grads.bh!).slice(j * H, (j + 1) * H)));
  return out;
}

/** The states a cell carries, in rnnc's order. */
export const STATES: Record<CellKind, string[]> = { lstm: ["h", "s"], gru: ["h"], elman: ["h"] };

/**
 * One step of the cell on a batch: `xp` is this step's input projection x·Wx + bx [B, k·H]
 * (hoisted out of the loop), `state` the carried state(s) [B, H]. Returns the new state(s);
 * the per-step output is the new h (first).
 */
export function cellStep(tf: TF, kind: CellKind, w: Fused, xp: Tensor2D, state: Tensor2D[]): Tensor2D[] {
  const h = state[0]!;
  if (kind === "elman") return [tf.tanh(tf.add(xp, tf.matMul(h, w.Wh as Tensor2D))) as Tensor2D];
  if (kind === "lstm") {
    const z = tf.add(xp, tf.matMul(h, w.Wh as Tensor2D));
    const [zg, zi, zf, zo] = tf.split(z, 4, 1) as Tensor2D[];
    const s = tf.add(tf.mul(tf.tanh(zg!), tf.sigmoid(zi!)), tf.mul(state[1]!, tf.sigmoid(zf!))) as Tensor2D;
    return [tf.mul(tf.tanh(s), tf.sigmoid(zo!)) as Tensor2D, s];
  }
  // GRU: n uses r * (W_hn h + b_hn), so the hidden projection keeps its own bias
  const hp = tf.add(tf.matMul(h, w.Wh as Tensor2D), w.bh!);
  const [xr, xz, xn] = tf.split(xp, 3, 1) as Tensor2D[];
  const [hr, hz, hn] = tf.split(hp, 3, 1) as Tensor2D[];
  const r = tf.sigmoid(tf.add(xr!, hr!));
  const z = tf.sigmoid(tf.add(xz!, hz!));
  const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
  return [tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h))];
}

/** The cell over a sequence xs [T, B, I]: per-step outputs h [T, B, H] and the final states. */
export function runSequence(tf: TF, kind: CellKind, w: Fused, xs: Tensor3D, init: Tensor2D[]): { hs: Tensor3D; final: Tensor2D[] } {
  const [T, B, I] = xs.shape;
  const kH = w.Wx.shape[1]!;
  const xp = tf.reshape(tf.add(tf.matMul(tf.reshape(xs, [T * B, I]), w.Wx as Tensor2D), w.bx), [T, B, kH]) as Tensor3D;
  const steps = tf.unstack(xp) as Tensor2D[];
  let state = init;
  const hs: Tensor2D[] = [];
  for (const x of steps) {
    state = cellStep(tf, kind, w, x, state);
    hs.push(state[0]!);
  }
  return { hs: tf.stack(hs) as Tensor3D, final: state };
}

/** mean(h²) over all steps and examples: the loss rnnc builds around a bare cell (`rnnc bench --train`). */
export function meanSquare(tf: TF, hs: Tensor): tfNamespace.Scalar {
  return tf.mean(tf.square(hs)) as tfNamespace.Scalar;
}

/**
 * Forward + BPTT of a bare cell with the mean-square loss: the loss and the gradient of every
 * parameter (fused), the input sequence and the initial states — what rnnc's backward entry computes.
 */
export function cellLossAndGrads(tf: TF, kind: CellKind, w: Fused, xs: Tensor3D, init: Tensor2D[]): { loss: tfNamespace.Scalar; grads: Tensor[] } {
  const wrt = [w.Wx, w.Wh, w.bx, ...(w.bh ? [w.bh] : []), xs, ...init];
  const f = (...a: Tensor[]) => {
    const fw: Fused = { Wx: a[0]!, Wh: a[1]!, bx: a[2]!, bh: w.bh ? a[3]! : null };
    const k = w.bh ? 4 : 3;
    return meanSquare(tf, runSequence(tf, kind, fw, a[k] as Tensor3D, a.slice(k + 1) as Tensor2D[]).hs);
  };
  const { value, grads } = tf.valueAndGrads(f)(wrt);
  return { loss: value as tfNamespace.Scalar, grads };
}

// ---- the character-level model (examples/char-rnn/model.json) ---------------------------------

/** Its parameters: E [V, D], the LSTM ("rnn." + gates), the dense layer Wy [V, H], by [V]. */
export interface CharModel { E: Tensor2D; lstm: Fused; WyT: Tensor2D; by: Tensor }

export function fuseCharModel(tf: TF, p: Values, V: number, D: number, H: number): CharModel {
  const WyT = new Float32Array(H * V); // [H, V] = Wyᵀ, so logits = h·Wyᵀ
  const Wy = p.Wy!;
  for (let v = 0; v < V; v++) for (let j = 0; j < H; j++) WyT[j * V + v] = Wy[v * H + j]!;
  return { E: tf.tensor2d(Float32Array.from(p.E!), [V, D]), lstm: fuseCell(tf, "lstm", p, D, H, "rnn."), WyT: tf.tensor2d(WyT, [H, V]), by: tf.tensor1d(Float32Array.from(p.by!)) };
}

/** embedding → LSTM → dense → softmax cross-entropy at every step, the mean over T·B. */
export function charModelLoss(tf: TF, m: CharModel, tokens: tfNamespace.Tensor2D, targets: tfNamespace.Tensor2D): tfNamespace.Scalar {
  const [T, B] = tokens.shape;
  const H = m.lstm.Wh.shape[0]!, V = m.WyT.shape[1]!;
  // the embedding as one-hot · E: the gradient of tf.gather needs UnsortedSegmentSum, which the
  // wasm backend (4.22) does not have
  const e = tf.reshape(tf.matMul(tf.oneHot(tf.reshape(tokens, [T * B]), m.E.shape[0]!), m.E), [T, B, m.E.shape[1]!]) as Tensor3D;
  const zeros = tf.zeros([B, H]) as Tensor2D;
  const { hs } = runSequence(tf, "lstm", m.lstm, e, [zeros, zeros]);
  const logits = tf.add(tf.matMul(tf.reshape(hs, [T * B, H]) as Tensor2D, m.WyT), m.by);
  const logp = tf.logSoftmax(logits);
  const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.reshape(targets, [T * B]), V)), 1);
  return tf.neg(tf.mean(picked)) as tfNamespace.Scalar;
}

/** The char model's loss and the gradient of every parameter (E, fused LSTM, Wyᵀ, by). */
export function charModelLossAndGrads(tf: TF, m: CharModel, tokens: Tensor2D, targets: Tensor2D): { loss: tfNamespace.Scalar; grads: Tensor[] } {
  const wrt = [m.E, m.lstm.Wx, m.lstm.Wh, m.lstm.bx, m.WyT, m.by];
  const f = (...a: Tensor[]) => charModelLoss(tf, { E: a[0] as Tensor2D, lstm: { Wx: a[1]!, Wh: a[2]!, bx: a[3]!, bh: null }, WyT: a[4] as Tensor2D, by: a[5]! }, tokens, targets);
  const { value, grads } = tf.valueAndGrads(f)(wrt);
  return { loss: value as tfNamespace.Scalar, grads };
}
