import { RnncError } from "../diagnostics.ts";
import type { DType } from "../ir/types.ts";
import { numel } from "../ir/types.ts";

/** A concrete tensor of the reference interpreter: f64 data, row-major. i32 values are stored as integers in f64. */
export interface Tensor {
  dtype: DType;
  shape: number[];
  data: Float64Array;
}

export function tensor(shape: number[], data?: ArrayLike<number>, dtype: DType = "f32"): Tensor {
  const n = numel(shape);
  const d = new Float64Array(n);
  if (data) {
    if (data.length !== n) throw new Error(`internal: ${data.length} values for shape [${shape}]`);
    d.set(data);
  }
  return { dtype, shape: [...shape], data: d };
}

export function scalarTensor(v: number): Tensor {
  return tensor([], [v]);
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new RnncError(`cannot broadcast [${a}] with [${b}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** For each flat index of `to`, the flat index of the element of `from` broadcast there. */
export function broadcastIndex(from: readonly number[], to: readonly number[]): Int32Array {
  const n = numel(to);
  const idx = new Int32Array(n);
  const fs = strides(from);
  const off = to.length - from.length;
  const coord = new Array<number>(to.length).fill(0);
  for (let k = 0; k < n; k++) {
    let f = 0;
    for (let i = 0; i < from.length; i++) if (from[i] !== 1) f += coord[i + off]! * fs[i]!;
    idx[k] = f;
    for (let i = to.length - 1; i >= 0; i--) {
      if (++coord[i]! < to[i]!) break;
      coord[i] = 0;
    }
  }
  return idx;
}

export function mapUnary(a: Tensor, f: (x: number) => number): Tensor {
  const out = tensor(a.shape);
  for (let i = 0; i < a.data.length; i++) out.data[i] = f(a.data[i]!);
  return out;
}

export function mapBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const shape = broadcastShape(a.shape, b.shape);
  const ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape);
  const out = tensor(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(a.data[ia[i]!]!, b.data[ib[i]!]!);
  return out;
}

export function mapTernary(a: Tensor, b: Tensor, c: Tensor, f: (x: number, y: number, z: number) => number): Tensor {
  const shape = broadcastShape(broadcastShape(a.shape, b.shape), c.shape);
  const ia = broadcastIndex(a.shape, shape), ib = broadcastIndex(b.shape, shape), ic = broadcastIndex(c.shape, shape);
  const out = tensor(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(a.data[ia[i]!]!, b.data[ib[i]!]!, c.data[ic[i]!]!);
  return out;
}

/** Sums `g` down to `shape` (the reverse of broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  const out = tensor([...shape]);
  const idx = broadcastIndex(shape, g.shape);
  for (let i = 0; i < g.data.length; i++) out.data[idx[i]!]! += g.data[i]!;
  return out;
}

/** Splits a shape around `axis` into (outer, n, inner) extents. */
export function axisExtents(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}
