import { RnncError } from "../diagnostics.ts";
import { tensor } from "../interp/tensor.ts";
import type { Tensor } from "../interp/tensor.ts";
import type { Attrs, Graph, TensorType } from "../ir/types.ts";
import { formatType, numel, sameShape } from "../ir/types.ts";
import { linearizeScan } from "../autodiff/scan-vjp.ts";
import { registerOp } from "./registry.ts";

/**
 * scan: the only recurrence primitive (as in Theano and JAX).
 *
 * Inputs:  consts (n_consts: loop-invariant, e.g. weights) · initial carries (n_carry) ·
 *          xs (n_xs: time-major sequences [T, ...]) · lengths (i32 [B], if has_lengths).
 * Body:    (consts, carries, x_t) → (new carries, y_t).
 * Outputs: final carries · ys stacked to [T, ...].
 *
 * `reverse` walks t = T-1 … 0. With lengths, example b is masked at steps t ≥ lengths[b]:
 * the body sees zeros in its batched carries and x_t for b, b's batched carries are held and its
 * batched y_t is zero; carries without a batch dim (gradient accumulators) always take the body's
 * value. A reversed scan therefore starts each sequence at its own last step.
 *
 * `cut_every` = k (set on the backward scans that BPTT builds for `truncate`): the first
 * `cut_carries` carries are zeroed after the step whose forward-order index s satisfies s % k = 0,
 * s > 0, so no cotangent crosses a chunk boundary — truncated BPTT.
 * `steps` gives T when there are no xs (generation).
 */
export interface ScanAttrs {
  body: Graph;
  n_consts: number;
  n_carry: number;
  n_xs: number;
  reverse: boolean;
  has_lengths: boolean;
  truncate?: number;
  /**
   * Residual policy for BPTT. Absent: the forward scan saves every per-step value the backward
   * body reads. 1: it saves only the state entering each step; the backward body recomputes the
   * step's other values from it (one more forward step of work per step, memory O(T·state)).
   * k > 1 (at most MAX_CHECKPOINT): it keeps the state entering every k-th step and the backward
   * pass recomputes each segment of k steps from it (memory O(T/k·state + T·inputs + k·state);
   * compiler/autodiff/scan-vjp.ts, linearizeSegmented).
   */
  checkpoint?: number;
  /**
   * Set on a checkpointed scan (by the frontend) and on the forward and backward scans BPTT makes
   * of it: the loop passes leave its per-step work in the loop instead of stacking it over T
   * (docs/passes.md) — hoisting W·x_t alone would stack [T, B, gates·H], more than the state the
   * checkpoint keeps.
   */
  keep_in_loop?: boolean;
  cut_every?: number;
  cut_carries?: number;
  steps?: number;
}

/**
 * The largest `checkpoint: k`. With k > 1 the training loops shift k steps' worth of saved state
 * through registers at every step (O(k · state) work and memory per step and batch row), so the
 * memory of a sequence, about T/k + 6·k states, is lowest near k = √(T/6): 64 already suits
 * sequences of 25,000 steps.
 */
export const MAX_CHECKPOINT = 64;

export function scanAttrs(a: Attrs): ScanAttrs {
  return a as unknown as ScanAttrs;
}

function isBatched(t: TensorType): boolean {
  return t.shape[0] === "B";
}

registerOp({
  name: "scan",
  arity: [0, 1 << 16],
  attrs: {
    body: "graph", n_consts: "int", n_carry: "int", n_xs: "int", reverse: "bool", has_lengths: "bool",
    truncate: "int", checkpoint: "int", keep_in_loop: "bool", cut_every: "int", cut_carries: "int", steps: "int",
  },
  outputs: (attrs) => scanAttrs(attrs).body.outputs.length,
  shape(ins, attrs) {
    const a = scanAttrs(attrs);
    const body = a.body;
    const nIn = a.n_consts + a.n_carry + a.n_xs;
    if (body.inputs.length !== nIn || ins.length !== nIn + (a.has_lengths ? 1 : 0)) {
      throw new Error(`internal: scan arity mismatch`);
    }
    if (a.n_xs === 0 && a.steps === undefined) throw new RnncError(`scan without per-step inputs needs a number of steps`);
    const bt = (i: number) => body.types.get(body.inputs[i]!)!;
    const T = a.n_xs === 0 ? a.steps! : ins[a.n_consts + a.n_carry]!.shape[0]!;
    for (let i = 0; i < nIn; i++) {
      const want = bt(i), got = ins[i]!;
      const inner = i < a.n_consts + a.n_carry ? got.shape : got.shape.slice(1);
      if (i >= a.n_consts + a.n_carry && got.shape[0] !== T) throw new Error(`internal: scan xs must all be [${T}, ...], got ${formatType(got)}`);
      if (want.dtype !== got.dtype || !sameShape(want.shape, inner)) {
        throw new Error(`internal: scan input ${i} is ${formatType(got)}, body expects ${formatType(want)}`);
      }
    }
    const outs = body.outputs.map((o) => body.types.get(o)!);
    for (let i = 0; i < a.n_carry; i++) {
      const c = bt(a.n_consts + i);
      if (c.dtype !== outs[i]!.dtype || !sameShape(c.shape, outs[i]!.shape)) {
        throw new RnncError(`the next value of state ${body.inputs[a.n_consts + i]} is ${formatType(outs[i]!)}, but the state is ${formatType(c)}`);
      }
    }
    return outs.map((t, i) => (i < a.n_carry ? t : { dtype: t.dtype, shape: [T, ...t.shape] }));
  },
  interp(ins, attrs, ctx) {
    const a = scanAttrs(attrs);
    const body = a.body;
    const consts = ins.slice(0, a.n_consts);
    let carries = ins.slice(a.n_consts, a.n_consts + a.n_carry);
    const xs = ins.slice(a.n_consts + a.n_carry, a.n_consts + a.n_carry + a.n_xs);
    const lengths = a.has_lengths ? ins[ins.length - 1]! : null;
    const T = a.n_xs ? xs[0]!.shape[0]! : a.steps!;
    const bodyTypes = body.inputs.map((v) => body.types.get(v)!);
    const outTypes = body.outputs.map((v) => body.types.get(v)!);
    const nY = body.outputs.length - a.n_carry;
    const ys: Tensor[][] = Array.from({ length: nY }, () => new Array<Tensor>(T));
    for (let s = 0; s < T; s++) {
      const t = a.reverse ? T - 1 - s : s;
      let xt = xs.map((x) => tensor(x.shape.slice(1), x.data.subarray(t * (x.data.length / T), (t + 1) * (x.data.length / T)), x.dtype));
      let active: boolean[] | null = null;
      let carriesIn = carries;
      if (lengths) {
        active = Array.from(lengths.data, (len) => t < len);
        const types = bodyTypes.slice(a.n_consts);
        carriesIn = carries.map((c, i) => (isBatched(types[i]!) ? maskRows(c, active!) : c));
        xt = xt.map((x, i) => (isBatched(types[a.n_carry + i]!) ? maskRows(x, active!) : x));
      }
      const outs = ctx.run(body, [...consts, ...carriesIn, ...xt]);
      let next = outs.slice(0, a.n_carry);
      if (active) next = next.map((c, i) => (isBatched(outTypes[i]!) ? selectRows(active!, c, carries[i]!) : c));
      if (a.cut_every) {
        const sf = a.reverse ? t : T - 1 - t;
        if (sf > 0 && sf % a.cut_every === 0) {
          next = next.map((c, i) => (i < (a.cut_carries ?? a.n_carry) ? tensor(c.shape, undefined, c.dtype) : c));
        }
      }
      carries = next;
      for (let j = 0; j < nY; j++) {
        const y = outs[a.n_carry + j]!;
        ys[j]![t] = active && isBatched(outTypes[a.n_carry + j]!) ? maskRows(y, active) : y;
      }
    }
    const stacked = ys.map((steps, j) => {
      const t = outTypes[a.n_carry + j]!;
      const inner = steps[0]?.shape ?? t.shape.map((d) => (d === "B" ? batchSize(a, ins, bodyTypes) : (d as number)));
      const out = tensor([T, ...inner], undefined, t.dtype);
      const n = numel(inner);
      steps.forEach((y, i) => out.data.set(y.data, i * n));
      return out;
    });
    return [...carries, ...stacked];
  },
  linearize: linearizeScan,
});

/** B, read from any batched operand (needed only to shape empty outputs when T = 0). */
function batchSize(a: ScanAttrs, ins: Tensor[], bodyTypes: TensorType[]): number {
  for (let i = a.n_consts; i < bodyTypes.length; i++) {
    if (isBatched(bodyTypes[i]!)) return ins[i]!.shape[i < a.n_consts + a.n_carry ? 0 : 1]!;
  }
  return a.has_lengths ? ins[ins.length - 1]!.shape[0]! : 1;
}

function maskRows(x: Tensor, active: boolean[]): Tensor {
  const out = tensor(x.shape, x.data, x.dtype);
  const row = x.data.length / active.length;
  active.forEach((on, b) => { if (!on) out.data.fill(0, b * row, (b + 1) * row); });
  return out;
}

function selectRows(active: boolean[], fresh: Tensor, held: Tensor): Tensor {
  const out = tensor(fresh.shape, fresh.data, fresh.dtype);
  const row = fresh.data.length / active.length;
  active.forEach((on, b) => { if (!on) out.data.set(held.data.subarray(b * row, (b + 1) * row), b * row); });
  return out;
}
