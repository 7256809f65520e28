/**
 * Shared helpers for the op, interpreter and BPTT tests (not a test file itself: tap only
 * runs `*.test.ts`).
 */
import "../../compiler/ops/index.ts";
import { Builder } from "../../compiler/ir/builder.ts";
import type { DType, Graph, Shape, TensorType } from "../../compiler/ir/types.ts";
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";

export type Dims = { B: number; T: number };

export function concrete(shape: Shape, dims: Dims): number[] {
  return shape.map((d) => (d === "B" ? dims.B : d === "T" ? dims.T : d));
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function f32t(shape: Shape): TensorType {
  return { dtype: "f32", shape };
}

export function i32t(shape: Shape): TensorType {
  return { dtype: "i32", shape };
}

/** How the random values of a float input are drawn. */
export type Dist =
  /** uniform in [lo, hi] */
  | { lo: number; hi: number }
  /** |x| uniform in [lo, hi], random sign: away from 0 (relu, abs, step) */
  | { away: [number, number] };

/**
 * A graph under construction together with concrete values for its inputs, drawn from a
 * seeded PRNG. Symbolic dims B and T are bound by `dims`.
 */
export class Case {
  readonly b = new Builder();
  readonly values: Tensor[] = [];
  readonly rand: () => number;

  constructor(readonly dims: Dims = { B: 2, T: 3 }, seed = 7) {
    this.rand = rng(seed);
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rand();
  }

  draw(shape: number[], dist: Dist = { lo: -1, hi: 1 }): Tensor {
    const n = size(shape);
    const data = Array.from({ length: n }, () => {
      if ("away" in dist) {
        const m = this.uniform(dist.away[0], dist.away[1]);
        return this.rand() < 0.5 ? -m : m;
      }
      return this.uniform(dist.lo, dist.hi);
    });
    return tensor(shape, data);
  }

  /** A float input with random values (or the given ones). */
  f32(name: string, shape: Shape, dist: Dist | number[] = { lo: -1, hi: 1 }): string {
    const cs = concrete(shape, this.dims);
    const value = Array.isArray(dist) ? tensor(cs, dist) : this.draw(cs, dist);
    this.b.input(name, f32t(shape));
    this.values.push(value);
    return name;
  }

  /** An integer input with the given values, or random ones in [0, max). */
  i32(name: string, shape: Shape, values: number[] | { max: number }): string {
    const cs = concrete(shape, this.dims);
    const data = Array.isArray(values) ? values : Array.from({ length: size(cs) }, () => Math.floor(this.rand() * values.max));
    this.b.input(name, i32t(shape));
    this.values.push(tensor(cs, data, "i32"));
    return name;
  }

  out(...names: string[]): this {
    this.b.graph.outputs = names;
    return this;
  }

  get graph(): Graph {
    return this.b.graph;
  }

  /** Names of the float inputs, in order. */
  floatInputs(): string[] {
    return this.graph.inputs.filter((n) => this.graph.types.get(n)!.dtype === "f32");
  }

  value(name: string): Tensor {
    return this.values[this.graph.inputs.indexOf(name)]!;
  }

  run(): Tensor[] {
    return runGraph(this.graph, this.values);
  }
}

/** A fresh graph builder for a scan body. */
export function bodyBuilder(): Builder {
  return new Builder();
}

export interface CellSizes {
  I: number;
  H: number;
}

/**
 * Elman cell: consts W [H, I], U [H, H], b [H]; carry h [B, H]; x [B, I] (or, with `ids`, token
 * ids i32 [B] looked up in an extra const table E [V, I]); outputs (h', y = h').
 */
export function elmanBody(s: CellSizes, opts: { vocab?: number } = {}): Graph {
  const b = bodyBuilder();
  const E = opts.vocab ? b.input("E", f32t([opts.vocab, s.I])) : null;
  const W = b.input("W", f32t([s.H, s.I]));
  const U = b.input("U", f32t([s.H, s.H]));
  const bias = b.input("b", f32t([s.H]));
  const h = b.input("h", f32t(["B", s.H]));
  let x: string;
  if (E) {
    const ids = b.input("id", i32t(["B"]));
    x = b.op("embedding", [E, ids]);
  } else {
    x = b.input("x", f32t(["B", s.I]));
  }
  const z = b.add(b.add(b.op("matmul", [W, x]), b.op("matmul", [U, h])), bias);
  const h2 = b.op("tanh", [z], {}, "h2");
  b.graph.outputs = [h2, h2];
  return b.graph;
}

/**
 * An LSTM-like cell with two carries: consts W [4H, I], U [4H, H], b [4H]; carries h, c [B, H];
 * x [B, I]; outputs (h', c', y = h'). The four gates are slices of one pre-activation.
 */
export function lstmBody(s: CellSizes): Graph {
  const b = bodyBuilder();
  const W = b.input("W", f32t([4 * s.H, s.I]));
  const U = b.input("U", f32t([4 * s.H, s.H]));
  const bias = b.input("b", f32t([4 * s.H]));
  const h = b.input("h", f32t(["B", s.H]));
  const c = b.input("c", f32t(["B", s.H]));
  const x = b.input("x", f32t(["B", s.I]));
  const z = b.add(b.add(b.op("matmul", [W, x]), b.op("matmul", [U, h])), bias);
  const gate = (k: number) => b.op("slice", [z], { axis: -1, start: k * s.H, size: s.H });
  const i = b.op("sigmoid", [gate(0)]);
  const f = b.op("sigmoid", [gate(1)]);
  const o = b.op("sigmoid", [gate(2)]);
  const g = b.op("tanh", [gate(3)]);
  const c2 = b.add(b.mul(f, c), b.mul(i, g));
  const h2 = b.mul(o, b.op("tanh", [c2]));
  b.graph.outputs = [h2, c2, h2];
  return b.graph;
}

export interface ScanOpts {
  reverse?: boolean;
  lengths?: string;
  truncate?: number;
  steps?: number;
}

/** Emits a scan node; returns its outputs (final carries, then stacked ys). */
export function emitScan(
  b: Builder,
  body: Graph,
  consts: string[],
  inits: string[],
  xs: string[],
  opts: ScanOpts = {},
): string[] {
  const attrs: Record<string, number | boolean | Graph> = {
    body,
    n_consts: consts.length,
    n_carry: inits.length,
    n_xs: xs.length,
    reverse: opts.reverse ?? false,
    has_lengths: opts.lengths !== undefined,
  };
  if (opts.truncate !== undefined) attrs.truncate = opts.truncate;
  if (opts.steps !== undefined) attrs.steps = opts.steps;
  return b.ops("scan", [...consts, ...inits, ...xs, ...(opts.lengths ? [opts.lengths] : [])], attrs, "scan");
}

/** Max |a - b| over two tensors of equal shape (throws on a shape mismatch). */
export function maxAbsDiff(a: Tensor | Float64Array, b: Tensor | Float64Array): number {
  const da = "data" in a ? a.data : a, db = "data" in b ? b.data : b;
  if ("shape" in a && "shape" in b && a.shape.join() !== b.shape.join()) {
    throw new Error(`shape mismatch [${a.shape}] vs [${b.shape}]`);
  }
  if (da.length !== db.length) throw new Error(`length mismatch ${da.length} vs ${db.length}`);
  let m = 0;
  for (let i = 0; i < da.length; i++) m = Math.max(m, Math.abs(da[i]! - db[i]!));
  return m;
}

export function maxAbs(a: Tensor | Float64Array): number {
  const d = "data" in a ? a.data : a;
  let m = 0;
  for (const v of d) m = Math.max(m, Math.abs(v));
  return m;
}

/** A tensor of the same shape with random entries in [-1, 1]. */
export function randomLike(t: Tensor, rand: () => number): Tensor {
  return tensor(t.shape, Array.from(t.data, () => rand() * 2 - 1));
}

export { tensor };
export type { Tensor, DType };
