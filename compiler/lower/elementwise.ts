/**
 * Elementwise loops, scalar and SIMD128: the machinery behind every elementwise kernel and behind
 * `fused` nodes (compiler/passes/fuse-elementwise.ts), which evaluate a small expression DAG per
 * element so that intermediates never touch memory.
 *
 * A loop nest runs over an iteration shape. Every operand is an `Access`: a tensor read (or
 * written) at an element offset with one stride per iteration dim — 0 where it is broadcast, the
 * tensor's own row-major strides otherwise, so a `slice` of a wider tensor or a part of a `concat`
 * is read or written in place. Adjacent dims merge wherever every access is contiguous across
 * them (a plain `[B, H]` op is one loop of B·H; a bias broadcast along B leaves two).
 *
 * The innermost merged dim is vectorized when every access is contiguous (stride 1) or broadcast
 * (stride 0) along it: 4 lanes per iteration with v128 loads and stores, broadcast operands
 * splatted once before the loop, then a scalar tail for the last n mod 4 elements (omitted when
 * the extent's constant factor is a multiple of 4, e.g. B·H with H = 256; no vector loop when the
 * extent is statically below 4). Other strides (a slice along a non-last axis of a [.., 1]
 * shape) run the scalar loop alone.
 *
 * Scalar and vector code compute bit-identical results lane by lane: every lane operation below
 * is exactly rounded IEEE arithmetic or bit manipulation with the same semantics in both
 * instruction sets, and exp/log/tanh/sigmoid run the bodies of the `$rnnc_*_v` functions (inline,
 * or called), which are bit-identical to the scalar ones (docs/math.md). So whether an element
 * lands in the vector body or in the tail never changes a result
 * (test/lower/simd-elementwise.test.ts checks it against `elementwiseOptions.simd = false`).
 *
 * Binaryen trees must not share an ExpressionRef: values are thunks (`Val`) that build a fresh
 * `local.get` each time they are read.
 */
import type { DType, Dim, Shape } from "../ir/types.ts";
import type { Expr } from "./binaryen.ts";
import type { Fn } from "./codegen.ts";
import { addVectorMathFunctions, bitsOfF32, inlineVectorMath, MATH_FUNCTIONS, VECTOR_MATH_FUNCTIONS, vectorConstant } from "./mathfns.ts";
import type { MathFunction } from "./mathfns.ts";
import { CONSTANTS_AT } from "./memory.ts";

/** A value that may be read any number of times (a factory of fresh `local.get`s). */
export type Val = () => Expr;

/**
 * Process-wide knobs for tests and benchmarks: `simd: false` emits only scalar loops, the
 * reference the SIMD loops are checked against bit for bit; `inlineMath: false` makes the vector
 * loops call `$rnnc_*_v` instead of carrying their bodies inline (same bits either way).
 */
export const elementwiseOptions: { simd: boolean; inlineMath: boolean } = { simd: true, inlineMath: true };

// ---- lanes -----------------------------------------------------------------------------------

/**
 * At most this many vector math bodies are inlined per WebAssembly function; the others are calls.
 * A cell's gate loops need a handful (an LSTM's forward: 5); the bound keeps a cell of thousands of
 * tanh from growing by ~100 instructions each, and its locals (≤ INLINE_VECTOR_MATH_LOCALS each,
 * 288 in all) well within the slack of compile.ts's LOCALS_BUDGET.
 */
const MAX_INLINED_MATH = 24;
const inlinedMath = new WeakMap<Fn, number>();

/**
 * Emits one loop body, either scalar (f32 values, i32 0/1 conditions) or 4 lanes wide (v128:
 * f32x4 values, all-ones/all-zeros lane masks as conditions). `let` evaluates an expression once
 * into a fresh local and queues the `local.set` in `stmts`.
 */
export class Lanes {
  readonly stmts: Expr[] = [];

  constructor(readonly fn: Fn, readonly vec: boolean) {}

  private get m() { return this.fn.m; }

  /** Evaluates `e` once into a fresh local (i32 for a scalar integer); reads come from the local. */
  let(e: Expr, int = false): Val {
    const bn = this.fn.bn;
    const t = this.vec ? bn.v128 : int ? bn.i32 : bn.f32;
    const l = this.fn.local(t);
    this.stmts.push(this.fn.set(l, e));
    return () => this.fn.get(l, t);
  }

  f(v: number): Expr {
    if (!this.vec) return this.m.f32.const(v);
    return this.bitsConst(bitsOfF32(v));
  }
  /** A vector constant: from the module's constant table when it holds it (one load, see ./mathfns.ts). */
  private bitsConst(v: number): Expr {
    return vectorConstant(this.m, CONSTANTS_AT, v);
  }

  add(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.add(a, b) : this.m.f32.add(a, b); }
  sub(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.sub(a, b) : this.m.f32.sub(a, b); }
  mul(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.mul(a, b) : this.m.f32.mul(a, b); }
  div(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.div(a, b) : this.m.f32.div(a, b); }
  /** WebAssembly's max: NaN if either operand is NaN, and max(-0, +0) = +0, in both forms. */
  max(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.max(a, b) : this.m.f32.max(a, b); }
  /** WebAssembly's min, likewise. */
  min(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.min(a, b) : this.m.f32.min(a, b); }
  /** A scalar f32 in every lane (the value itself in scalar code). */
  splat(x: Expr): Expr { return this.vec ? this.m.f32x4.splat(x) : x; }
  neg(a: Expr): Expr { return this.vec ? this.m.f32x4.neg(a) : this.m.f32.neg(a); }
  abs(a: Expr): Expr { return this.vec ? this.m.f32x4.abs(a) : this.m.f32.abs(a); }
  sqrt(a: Expr): Expr { return this.vec ? this.m.f32x4.sqrt(a) : this.m.f32.sqrt(a); }
  /** The magnitude of `mag` with the sign bit of `sign`. */
  copysign(mag: Expr, sign: Expr): Expr {
    return this.vec ? this.m.v128.bitselect(sign, mag, this.bitsConst(0x80000000)) : this.m.f32.copysign(mag, sign);
  }

  // conditions (false for NaN operands, except ne)
  gt(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.gt(a, b) : this.m.f32.gt(a, b); }
  ge(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.ge(a, b) : this.m.f32.ge(a, b); }
  eq(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.eq(a, b) : this.m.f32.eq(a, b); }
  ne(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.ne(a, b) : this.m.f32.ne(a, b); }
  or(a: Expr, b: Expr): Expr { return this.vec ? this.m.v128.or(a, b) : this.m.i32.or(a, b); }
  /** cond ? a : b (both evaluated). */
  sel(cond: Expr, a: Expr, b: Expr): Expr { return this.vec ? this.m.v128.bitselect(a, b, cond) : this.m.select(cond, a, b); }
  /** 1.0 where cond holds, else +0.0. */
  oneIf(cond: Expr): Expr { return this.vec ? this.m.v128.and(cond, this.f(1)) : this.m.f32.convert_s.i32(cond); }

  /** Exact conversion of an integer (below 2^24 in magnitude; rounded to nearest beyond, in both forms). */
  intToFloat(a: Expr): Expr { return this.vec ? this.m.f32x4.convert_i32x4_s(a) : this.m.f32.convert_s.i32(a); }

  /**
   * exp, log, tanh, sigmoid: compiled approximations, lane-wise bit-identical (docs/math.md). The
   * scalar tail calls the scalar functions; the vector body carries the vector function's body
   * inline (see `inlineVectorMath`: the calls, one per 4 elements, cost ~5% of a char-rnn training
   * step and ~10% of its forward pass), up to MAX_INLINED_MATH per function.
   */
  math(f: MathFunction, x: Expr): Expr {
    if (!this.vec) return this.m.call(MATH_FUNCTIONS[f], [x], this.fn.bn.f32);
    const inlined = inlinedMath.get(this.fn) ?? 0;
    if (elementwiseOptions.inlineMath && inlined < MAX_INLINED_MATH) {
      inlinedMath.set(this.fn, inlined + 1);
      return inlineVectorMath(this.m, f, x, CONSTANTS_AT, { local: (t) => this.fn.local(t), push: (e) => this.stmts.push(e) });
    }
    addVectorMathFunctions(this.m, CONSTANTS_AT); // idempotent: adds the four functions once per module
    return this.m.call(VECTOR_MATH_FUNCTIONS[f], [x], this.fn.bn.v128);
  }
}

/**
 * Per op, the lane computation from its operands' values (read as often as needed) and dtypes.
 * Only `float` reads an integer operand.
 */
export type LaneOp = (L: Lanes, x: Val[], dtypes: DType[]) => Expr;

export const LANE_OPS: Readonly<Record<string, LaneOp>> = {
  add: (L, [a, b]) => L.add(a!(), b!()),
  sub: (L, [a, b]) => L.sub(a!(), b!()),
  mul: (L, [a, b]) => L.mul(a!(), b!()),
  div: (L, [a, b]) => L.div(a!(), b!()),
  maximum: (L, [a, b]) => L.max(a!(), b!()),
  greater_equal: (L, [a, b]) => L.oneIf(L.ge(a!(), b!())),
  neg: (L, [x]) => L.neg(x!()),
  abs: (L, [x]) => L.abs(x!()),
  sqrt: (L, [x]) => L.sqrt(x!()),
  relu: (L, [x]) => L.max(x!(), L.f(0)),
  step: (L, [x]) => L.oneIf(L.gt(x!(), L.f(0))),
  // copysign(1, x), except ±0 and NaN, which pass through
  sign: (L, [x]) => L.sel(L.or(L.eq(x!(), L.f(0)), L.ne(x!(), x!())), x!(), L.copysign(L.f(1), x!())),
  exp: (L, [x]) => L.math("exp", x!()),
  log: (L, [x]) => L.math("log", x!()),
  tanh: (L, [x]) => L.math("tanh", x!()),
  sigmoid: (L, [x]) => L.math("sigmoid", x!()),
  where: (L, [c, a, b]) => L.sel(L.ne(c!(), L.f(0)), a!(), b!()),
  float: (L, [x], [dt]) => (dt === "i32" ? L.intToFloat(x!()) : x!()),
};

// ---- accesses ----------------------------------------------------------------------------------

/** c · B^b · T^t: a stride, an offset or an extent in elements, valid for every B and T. */
export interface Mono { c: number; b: number; t: number }

const ZERO: Mono = { c: 0, b: 0, t: 0 };
const ONE: Mono = { c: 1, b: 0, t: 0 };

function monoOf(d: Dim): Mono {
  return d === "B" ? { c: 1, b: 1, t: 0 } : d === "T" ? { c: 1, b: 0, t: 1 } : { c: d, b: 0, t: 0 };
}
function mul(x: Mono, y: Mono): Mono {
  return { c: x.c * y.c, b: x.b + y.b, t: x.t + y.t };
}
function scale(x: Mono, k: number): Mono {
  return { ...x, c: x.c * k };
}
function same(x: Mono, y: Mono): boolean {
  return x.c === y.c && (x.c === 0 || (x.b === y.b && x.t === y.t));
}
const isZero = (x: Mono) => x.c === 0;
const isUnit = (x: Mono) => x.c === 1 && x.b === 0 && x.t === 0;
const isStatic = (x: Mono) => x.b === 0 && x.t === 0;

function monoExpr(fn: Fn, x: Mono): Expr {
  if (x.c === 0) return fn.i32(0);
  let e: Expr | null = x.c === 1 && (x.b || x.t) ? null : fn.i32(x.c);
  const factors: Expr[] = [];
  for (let i = 0; i < x.b; i++) factors.push(fn.B);
  for (let i = 0; i < x.t; i++) factors.push(fn.T);
  for (const f of factors) e = e === null ? f : fn.m.i32.mul(e, f);
  return e!;
}

/** Row-major element strides of a shape. */
function rowMajor(shape: Shape): Mono[] {
  const s: Mono[] = new Array(shape.length);
  let acc = ONE;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc = mul(acc, monoOf(shape[i]!));
  }
  return s;
}

/** A tensor read or written by a loop nest: element offset, and a stride per iteration dim. */
export interface Access {
  value: string;
  dtype: DType;
  offset: Mono;
  strides: Mono[];
}

/**
 * A view of `value` with shape `viewShape` and element strides `viewStrides`, broadcast
 * (right-aligned, numpy rules) to the iteration shape `iter`.
 */
function viewAccess(value: string, dtype: DType, viewShape: Shape, viewStrides: Mono[], offset: Mono, iter: Shape): Access {
  const lead = iter.length - viewShape.length;
  if (lead < 0) throw new Error(`internal: ${value} of rank ${viewShape.length} read in a loop of rank ${iter.length}`);
  const strides = iter.map((d, i) => {
    const j = i - lead;
    if (j < 0 || viewShape[j] === 1) return ZERO;
    if (viewShape[j] !== d) throw new Error(`internal: ${value} [${viewShape}] does not broadcast to [${iter}]`);
    return viewStrides[j]!;
  });
  return { value, dtype, offset, strides };
}

/** `value` (of type `type`) read with broadcasting over `iter`. */
export function broadcastRead(value: string, type: { dtype: DType; shape: Shape }, iter: Shape): Access {
  return viewAccess(value, type.dtype, type.shape, rowMajor(type.shape), ZERO, iter);
}

/** `slice(src, axis, start, size)` read in place (no copy), broadcast over `iter`. */
export function sliceRead(src: string, type: { dtype: DType; shape: Shape }, axis: number, start: number, size: number, iter: Shape): Access {
  const a = axis < 0 ? axis + type.shape.length : axis;
  const strides = rowMajor(type.shape);
  const view = type.shape.map((d, i) => (i === a ? size : d));
  return viewAccess(src, type.dtype, view, strides, scale(strides[a]!, start), iter);
}

/** A whole output of shape `iter`. */
export function plainWrite(value: string, iter: Shape): Access {
  return { value, dtype: "f32", offset: ZERO, strides: rowMajor(iter) };
}

/** Part of a concatenation `out` (shape `outShape`) along `axis`, starting at index `at` there. */
export function concatPartWrite(out: string, outShape: Shape, axis: number, at: number, iter: Shape): Access {
  const a = axis < 0 ? axis + outShape.length : axis;
  const strides = rowMajor(outShape);
  return viewAccess(out, "f32", iter, strides, scale(strides[a]!, at), iter);
}

// ---- the loop nest -----------------------------------------------------------------------------

interface LoopDim { ext: Mono; strides: Mono[] }

/** Iteration dims (unit dims dropped) with every access's strides, merged where all are contiguous. */
function loopDims(iter: Shape, all: Access[]): LoopDim[] {
  const merged: LoopDim[] = [];
  iter.forEach((d, i) => {
    if (d === 1) return;
    const cur: LoopDim = { ext: monoOf(d), strides: all.map((a) => a.strides[i]!) };
    const prev = merged[merged.length - 1];
    if (prev && prev.strides.every((s, j) => same(s, mul(cur.strides[j]!, cur.ext)))) {
      merged[merged.length - 1] = { ext: mul(prev.ext, cur.ext), strides: cur.strides };
    } else merged.push(cur);
  });
  return merged;
}

/** `while (i < end) { body; i += step }`, i initialized by the caller; end is a local. */
function whileBelow(fn: Fn, i: number, end: number, step: number, body: Expr[]): Expr {
  const m = fn.m;
  const brk = fn.label("ew_done"), top = fn.label("ew_loop");
  return m.block(brk, [
    m.br(brk, m.i32.ge_s(fn.get(i), fn.get(end))),
    m.loop(top, m.block(null, [
      ...body,
      fn.set(i, m.i32.add(fn.get(i), fn.i32(step))),
      m.br(top, m.i32.lt_s(fn.get(i), fn.get(end))),
    ])),
  ]);
}

/**
 * Computes `body` at every point of `iter`: `body` gets the lane emitter and the value of each
 * load (in order) and returns the value of each store (in order). Returns the code.
 */
export function emitLoops(fn: Fn, iter: Shape, loads: Access[], stores: Access[], body: (L: Lanes, vals: Val[]) => Expr[]): Expr[] {
  const m = fn.m;
  const all = [...loads, ...stores];
  const dims = loopDims(iter, all);
  const nL = loads.length;

  /** One evaluation at element addresses addr(j) (scalar), or at 4 consecutive ones (vector). */
  const point = (vec: boolean, addr: (j: number) => Expr, preloaded: (Val | null)[]): Expr[] => {
    const L = new Lanes(fn, vec);
    const vals = loads.map((a, j) => preloaded[j] ?? L.let(
      vec ? m.v128.load(0, 4, addr(j)) : a.dtype === "i32" ? m.i32.load(0, 4, addr(j)) : m.f32.load(0, 4, addr(j)), a.dtype === "i32"));
    const res = body(L, vals);
    if (res.length !== stores.length) throw new Error(`internal: ${res.length} values for ${stores.length} stores`);
    const st = stores.map((_, k) => (vec ? m.v128.store(0, 4, addr(nL + k), res[k]!) : m.f32.store(0, 4, addr(nL + k), res[k]!)));
    return [...L.stmts, ...st];
  };

  const base0: Val[] = all.map((a) => () => monoExpr(fn, a.offset));
  if (dims.length === 0) return point(false, (j) => fn.at(fn.addr(all[j]!.value), base0[j]!()), loads.map(() => null));

  const innermost = (d: LoopDim, base: Val[]): Expr[] => {
    const ptr = all.map(() => fn.local());
    const code: Expr[] = all.map((a, j) => fn.set(ptr[j]!, fn.at(fn.addr(a.value), base[j]!())));
    const n = fn.local(), i = fn.local();
    code.push(fn.set(n, monoExpr(fn, d.ext)), fn.set(i, fn.i32(0)));
    // element j's address at index i, by its stride along this dim
    const addr = (j: number): Expr => {
      const s = d.strides[j]!;
      if (isZero(s)) return fn.get(ptr[j]!);
      const step = isUnit(s) ? m.i32.shl(fn.get(i), fn.i32(2)) : m.i32.mul(fn.get(i), monoExpr(fn, scale(s, 4)));
      return m.i32.add(fn.get(ptr[j]!), step);
    };
    /** Broadcast loads, hoisted out of the loop (splatted for the vector loop). */
    const hoisted = (vec: boolean): { code: Expr[]; vals: (Val | null)[] } => {
      const P = new Lanes(fn, vec);
      const vals = loads.map((a, j) => (!isZero(d.strides[j]!) ? null
        : P.let(vec ? m.v128.load32_splat(0, 4, fn.get(ptr[j]!)) : a.dtype === "i32" ? m.i32.load(0, 4, fn.get(ptr[j]!)) : m.f32.load(0, 4, fn.get(ptr[j]!)), a.dtype === "i32")));
      return { code: P.stmts, vals };
    };
    const contiguous = d.strides.every((s) => isZero(s) || isUnit(s)) && d.strides.slice(nL).every(isUnit);
    const vector = elementwiseOptions.simd && contiguous && !(isStatic(d.ext) && d.ext.c < 4);
    // c·B^b·T^t is a multiple of 4 whenever c is: then the vector loop covers every element
    const tail = !vector || d.ext.c % 4 !== 0;
    if (vector) {
      const vend = fn.local();
      const h = hoisted(true);
      code.push(...h.code, fn.set(vend, m.i32.and(fn.get(n), fn.i32(-4))),
        whileBelow(fn, i, vend, 4, point(true, addr, h.vals)));
    }
    if (tail) {
      const h = hoisted(false);
      code.push(...h.code, whileBelow(fn, i, n, 1, point(false, addr, h.vals)));
    }
    return code;
  };

  const level = (k: number, base: Val[]): Expr[] => {
    const d = dims[k]!;
    if (k === dims.length - 1) return innermost(d, base);
    const locals = all.map(() => fn.local());
    return [fn.loop(monoExpr(fn, d.ext), (it) => [
      ...all.map((_, j) => {
        const s = d.strides[j]!;
        return fn.set(locals[j]!, isZero(s) ? base[j]!() : m.i32.add(base[j]!(), m.i32.mul(fn.get(it), monoExpr(fn, s))));
      }),
      ...level(k + 1, locals.map((l) => () => fn.get(l))),
    ])];
  };
  return level(0, base0);
}
