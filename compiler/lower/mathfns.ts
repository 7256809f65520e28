/**
 * exp, log, tanh and sigmoid for emitted WebAssembly, which has no transcendental instructions.
 *
 * Each function is written once, as a straight-line sequence of f32 arithmetic and i32 bit
 * manipulation with no branches (`select` / `v128.bitselect` instead), against the small `Lanes`
 * interface below. `Lanes` has a scalar implementation (f32 / i32 instructions) and a vector one
 * (f32x4 / i32x4 instructions). Every operation used is exactly rounded IEEE arithmetic or pure
 * bit manipulation with the same semantics in both instruction sets (exp's clamp passes NaN
 * through in both, no fused multiply-add), so the vector functions agree with the scalar ones bit
 * for bit in every lane (NaN payloads aside). Algorithms and measured errors: docs/math.md.
 * The vector bodies can also be emitted inline into a caller's loop (`inlineVectorMath`).
 *
 * The scalar functions need only MVP WebAssembly (no non-trapping float-to-int conversion: the
 * integer part of exp's range reduction comes from a "magic number" addition instead) and touch
 * no memory. The vector functions turn on SIMD128 in the module's features and read their
 * constants from a small table in linear memory (`vectorMathConstants`), which the module must
 * hold at the address given to `addVectorMathFunctions` (a data segment): V8 (11.3, x64)
 * materializes a `v128.const` at every use as two 64-bit immediates moved through a general
 * register (~4 instructions; each function uses about 20 constants), where a load from a constant
 * address is one instruction. Binaryen cannot fold such a load back into a constant (memory is
 * mutable), as it would a constant hoisted into a local.
 */
import type binaryen from "binaryen";

type Module = binaryen.Module;
type Expr = binaryen.ExpressionRef;
type Type = binaryen.Type;

/**
 * Binaryen's basic type ids and the SIMD feature bit. This file imports binaryen as a type only
 * (the module is loaded lazily, see ./binaryen.ts), so the ids are spelled out here; they are
 * fixed by binaryen's C API (BinaryenTypeInt32() etc.), and test/lower/mathfns.test.ts checks them
 * against the loaded library.
 */
export const BINARYEN_IDS = { i32: 2, f32: 4, v128: 6, SIMD128: 1 << 3 } as const;
const I32 = BINARYEN_IDS.i32 as Type;
const F32 = BINARYEN_IDS.f32 as Type;
const V128 = BINARYEN_IDS.v128 as Type;

/**
 * Internal (binaryen) names of the scalar functions, each (f32) -> f32. The "$" is part of the
 * name (binaryen's text output shows `$$rnnc_exp`): call them as `m.call(MATH_FUNCTIONS.exp, …)`.
 */
export const MATH_FUNCTIONS = {
  exp: "$rnnc_exp",
  log: "$rnnc_log",
  tanh: "$rnnc_tanh",
  sigmoid: "$rnnc_sigmoid",
} as const;

/** Internal (binaryen) names of the lane-wise f32x4 functions, each (v128) -> v128. */
export const VECTOR_MATH_FUNCTIONS = {
  exp: "$rnnc_exp_v",
  log: "$rnnc_log_v",
  tanh: "$rnnc_tanh_v",
  sigmoid: "$rnnc_sigmoid_v",
} as const;

export type MathFunction = keyof typeof MATH_FUNCTIONS;

/**
 * Maximum errors against the exact results (Math.* in f64), measured over all 2^32 f32 inputs and
 * held by test/lower/mathfns.test.ts (see docs/math.md for the sweeps and the command to
 * reproduce). For scale, correct rounding alone can cost up to 2^-24 ≈ 5.96e-8 relative.
 * - exp, log: maximum relative error, over all inputs whose result is a normal f32
 *   (exp: x in [-87.33, 88.72]; log: every positive finite f32, denormals included).
 * - tanh, sigmoid: maximum absolute error over all finite inputs.
 */
export const MATH_ERROR_BOUNDS: { exp: number; log: number; tanh: number; sigmoid: number } = {
  exp: 8.2e-8, // measured 8.147e-8 (all 2^32 inputs)
  log: 8.2e-8, // measured 8.190e-8
  tanh: 8.0e-8, // measured 7.939e-8
  sigmoid: 9.0e-8, // measured 8.931e-8
};

/**
 * Further measured bounds the tests hold: the maximum relative error of tanh (every nonzero finite
 * input) and of sigmoid (inputs whose result is a normal f32, i.e. x > -87.3), and the largest
 * absolute error of exp where its result is denormal (x in [-103.97, -87.33]), in units of the
 * smallest denormal 2^-149.
 */
export const MATH_EXTRA_ERROR_BOUNDS = {
  tanhRelative: 1.5e-7, // measured 1.421e-7
  sigmoidRelative: 1.8e-7, // measured 1.768e-7
  expDenormalUlps: 1, // measured 0.75
};

// ---------------------------------------------------------------------------------------------
// Constants of the algorithms (all exactly representable as f32 except where rounded on purpose).

const f32 = Math.fround;
/** 1.5 · 2^23: adding it to |t| < 2^22 rounds t to an integer held in the low mantissa bits. */
const ROUND_MAGIC = 12582912;
const ROUND_MAGIC_BITS = 0x4b400000;
const LOG2E = f32(1.4426950408889634);
/** ln 2 split so that k · LN2_HI is exact for |k| < 2^8 (LN2_HI has 16 significant bits). */
const LN2_HI = 0.693145751953125; // 0x3f317200
const LN2_LO = f32(0.6931471805599453 - 0.693145751953125); // 1.4286068e-6
/** exp's input is clamped to [EXP_MIN, EXP_MAX]: beyond, the result is 0 (rounded) or +Inf. */
const EXP_MIN = -104;
const EXP_MAX = 89;
/**
 * e^r ≈ 1 + r + r² · P(r) on |r| ≤ 0.3467 (ln2/2 plus the reduction's slack): P is a degree-4
 * minimax fit for relative error (Lawson's algorithm on Chebyshev nodes), |error| ≤ 3.1e-9.
 */
const EXP_P = [0.4999999403953552, 0.1666652113199234, 0.04166838899254799, 0.008368735201656818, 0.001381455920636654].map(f32);
/** Bits of sqrt(1/2): the mantissa is reduced to [sqrt(1/2), sqrt(2)). */
const SQRT_HALF_BITS = 0x3f3504f3;
const MANT_MASK = 0x007fffff;
const FLT_MIN = 2 ** -126;
/**
 * log(1+f) = 2·atanh(s), s = f/(2+f); 2·atanh(s) = 2s + s·R(s²) with R(z) = z·(c1 + z·(c2 + z·c3))
 * a minimax fit on z ∈ [0, 0.02944] (|s| ≤ 0.1716), relative error of log(1+f) ≤ 8.1e-10.
 */
const LOG_R = [0.6666677594184875, 0.39977559447288513, 0.2987136244773865].map(f32);
/** For a = |x| < TANH_SMALL, tanh a = a + a·z·Q(z), z = a², Q a degree-4 minimax fit, rel. error ≤ 4.4e-9. */
const TANH_SMALL = 0.625;
const TANH_Q = [-0.3333328068256378, 0.13331441581249237, -0.05373971536755562, 0.0206390880048275, -0.005704987328499556].map(f32);
/** tanh's e^{2a} with 2a clamped here: tanh is exactly 1 long before, and 2^k stays normal (k ≤ 93). */
const TANH_EXP_MAX = 64;

// ---------------------------------------------------------------------------------------------
// The vector functions' constant table.

/** The bits of the f32 nearest to v, as an unsigned 32-bit integer. */
export const bitsOfF32 = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0]!;

/**
 * Every 32-bit pattern the vector functions use other than 0 (which V8 makes with one xor), as
 * lane bits: each is stored splatted to 16 bytes, in this order. `Lanes` throws on a constant
 * missing here (test/lower/mathfns.test.ts builds every function).
 */
const VECTOR_CONSTANT_BITS: readonly number[] = [...new Set([
  // exp
  ...[EXP_MIN, EXP_MAX, LOG2E, ROUND_MAGIC, LN2_HI, LN2_LO, 1, ...EXP_P].map(bitsOfF32), ROUND_MAGIC_BITS, 127,
  // log
  ...[FLT_MIN, 2 ** 23, 23, 2, ...LOG_R, 0.5, Infinity, -Infinity, NaN].map(bitsOfF32), SQRT_HALF_BITS, MANT_MASK,
  // tanh, sigmoid
  ...[TANH_SMALL, ...TANH_Q, TANH_EXP_MAX].map(bitsOfF32), 0x80000000,
].map((b) => b >>> 0))];

/** Bytes of the constant table (a multiple of 16). */
export const VECTOR_MATH_CONSTANTS_BYTES = 16 * VECTOR_CONSTANT_BITS.length;

/**
 * The contents of the table the vector functions read (`VECTOR_MATH_CONSTANTS_BYTES` bytes), to be
 * placed in the module's memory at the 16-byte aligned address given to `addVectorMathFunctions`,
 * as an active data segment, and never overwritten.
 */
export function vectorMathConstants(): Uint8Array {
  const words = new Uint32Array(4 * VECTOR_CONSTANT_BITS.length);
  VECTOR_CONSTANT_BITS.forEach((b, k) => words.fill(b, 4 * k, 4 * k + 4));
  return new Uint8Array(words.buffer);
}

/**
 * The splat of the lane bits `bits` as a v128: a 16-byte aligned load from the constant table at
 * `tableAt` when the table holds it, a `v128.const` otherwise (always for 0).
 */
export function vectorConstant(m: Module, tableAt: number | null, bits: number): Expr {
  const k = tableAt === null ? -1 : VECTOR_CONSTANT_BITS.indexOf(bits >>> 0);
  if (k < 0 || bits === 0) return m.v128.const(new Uint8Array(new Uint32Array([bits, bits, bits, bits]).buffer));
  return m.v128.load(tableAt! + 16 * k, 16, m.i32.const(0));
}

// ---------------------------------------------------------------------------------------------
// Lanes: one algorithm, two instruction sets.

/** A value that may be read any number of times (a local.get factory: binaryen trees can't share nodes). */
type Val = () => Expr;

/**
 * A function being emitted into: `local` declares a fresh local of type `t` and returns its index,
 * `push` appends a statement.
 */
export interface MathHost {
  local(t: Type): number;
  push(stmt: Expr): void;
}

/**
 * Emits one function body, either scalar (f32 values, i32 integers and i32 0/1 conditions) or
 * lane-wise (v128 for all three: f32x4 values, i32x4 integers, all-ones/all-zeros lane masks).
 */
class Lanes {
  /** Where the body's locals are declared and its statements go. */
  private readonly host: MathHost;
  private readonly own: { vars: Type[]; stmts: Expr[] } = { vars: [], stmts: [] };

  /**
   * `tableAt`: the address of the constant table (vector functions only). `host`: a caller's
   * function to emit into (inline); by default the body is a function of its own, whose
   * parameter is local 0.
   */
  constructor(readonly m: Module, readonly vec: boolean, private readonly tableAt: number | null = null, host?: MathHost) {
    this.host = host ?? {
      local: (t) => { this.own.vars.push(t); return this.own.vars.length; },
      push: (e) => { this.own.stmts.push(e); },
    };
  }

  /** The function's single parameter. */
  param(): Val {
    const t = this.vec ? V128 : F32;
    return () => this.m.local.get(0, t);
  }

  private local(e: Expr, t: Type): Val {
    const index = this.host.local(t);
    this.host.push(this.m.local.set(index, e));
    return () => this.m.local.get(index, t);
  }
  /** Stores a float value in a fresh local. */
  letF(e: Expr): Val { return this.local(e, this.vec ? V128 : F32); }
  /** Stores an integer value (or a condition) in a fresh local. */
  letI(e: Expr): Val { return this.local(e, this.vec ? V128 : I32); }

  /** Adds the function (param) -> result with the statements emitted so far and `result`. */
  finish(name: string, result: Expr): void {
    const t = this.vec ? V128 : F32;
    this.m.addFunction(name, t, t, this.own.vars, this.m.block(null, [...this.own.stmts, result], t));
  }

  // Constants.
  f(v: number): Expr {
    return this.vec ? this.vconst(bitsOfF32(v)) : this.m.f32.const(v);
  }
  i(v: number): Expr {
    return this.vec ? this.vconst(v) : this.m.i32.const(v | 0);
  }
  private vconst(bits: number): Expr {
    if (bits !== 0 && !VECTOR_CONSTANT_BITS.includes(bits >>> 0)) {
      throw new Error(`internal: the vector math constant 0x${(bits >>> 0).toString(16)} is missing from the constant table`);
    }
    return vectorConstant(this.m, this.tableAt, bits);
  }

  // Float arithmetic (exactly rounded, identical in both instruction sets).
  add(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.add(a, b) : this.m.f32.add(a, b); }
  sub(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.sub(a, b) : this.m.f32.sub(a, b); }
  mul(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.mul(a, b) : this.m.f32.mul(a, b); }
  div(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.div(a, b) : this.m.f32.div(a, b); }
  /**
   * min(a, c) and max(a, c) for a constant c other than ±0, NaN a giving NaN. The scalar form is
   * WebAssembly's min/max. The vector form is the "pseudo" min/max, pmin(a, c) = c < a ? c : a and
   * pmax(a, c) = a < c ? c : a, one minps/maxps on x64 where f32x4.min/max take ~8 instructions to
   * handle NaN and signed zeros: with a NaN a the comparison is false and a comes out, and c ≠ ±0
   * leaves no signed zero to order. So both forms agree lane by lane, NaN payloads aside.
   */
  minC(a: Expr, c: number): Expr { return this.vec ? this.m.f32x4.pmin(a, this.f(c)) : this.m.f32.min(a, this.f(c)); }
  maxC(a: Expr, c: number): Expr { return this.vec ? this.m.f32x4.pmax(a, this.f(c)) : this.m.f32.max(a, this.f(c)); }
  /** Clears the sign bit. */
  abs(a: Expr): Expr { return this.vec ? this.m.f32x4.abs(a) : this.m.f32.abs(a); }
  /** Flips the sign bit. */
  neg(a: Expr): Expr { return this.vec ? this.m.f32x4.neg(a) : this.m.f32.neg(a); }
  /** The magnitude bits of `mag` with the sign bit of `sign`. */
  copysign(mag: Expr, sign: Expr): Expr {
    return this.vec ? this.m.v128.bitselect(sign, mag, this.i(0x80000000)) : this.m.f32.copysign(mag, sign);
  }

  // Comparisons: conditions are i32 0/1 (scalar) or lane masks (vector). False for NaN operands.
  lt(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.lt(a, b) : this.m.f32.lt(a, b); }
  ge(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.ge(a, b) : this.m.f32.ge(a, b); }
  eq(a: Expr, b: Expr): Expr { return this.vec ? this.m.f32x4.eq(a, b) : this.m.f32.eq(a, b); }
  /** cond ? a : b, for floats or integers (both operands are evaluated). */
  sel(cond: Expr, a: Expr, b: Expr): Expr {
    return this.vec ? this.m.v128.bitselect(a, b, cond) : this.m.select(cond, a, b);
  }

  // Integer bit manipulation on the float's bits (wrapping, identical in both instruction sets).
  bits(a: Expr): Expr { return this.vec ? a : this.m.i32.reinterpret(a); }
  float(a: Expr): Expr { return this.vec ? a : this.m.f32.reinterpret(a); }
  iadd(a: Expr, b: Expr): Expr { return this.vec ? this.m.i32x4.add(a, b) : this.m.i32.add(a, b); }
  isub(a: Expr, b: Expr): Expr { return this.vec ? this.m.i32x4.sub(a, b) : this.m.i32.sub(a, b); }
  iand(a: Expr, b: Expr): Expr { return this.vec ? this.m.v128.and(a, b) : this.m.i32.and(a, b); }
  shl(a: Expr, n: number): Expr {
    return this.vec ? this.m.i32x4.shl(a, this.m.i32.const(n)) : this.m.i32.shl(a, this.m.i32.const(n));
  }
  shrS(a: Expr, n: number): Expr {
    return this.vec ? this.m.i32x4.shr_s(a, this.m.i32.const(n)) : this.m.i32.shr_s(a, this.m.i32.const(n));
  }
  /** Exact conversion of a small integer to float. */
  toFloat(a: Expr): Expr { return this.vec ? this.m.f32x4.convert_i32x4_s(a) : this.m.f32.convert_s.i32(a); }

  /** Horner evaluation c[0] + t·(c[1] + t·(… + t·c[n-1])). */
  horner(t: Val, c: readonly number[]): Expr {
    let acc = this.f(c[c.length - 1]!);
    for (let j = c.length - 2; j >= 0; j--) acc = this.add(this.mul(acc, t()), this.f(c[j]!));
    return acc;
  }
}

// ---------------------------------------------------------------------------------------------
// The algorithms.

/**
 * e^x. Clamp x to [-104, 89] (NaN stays NaN); k = round(x·log2 e) by adding and subtracting
 * 1.5·2^23, which also leaves k in the low bits of the sum; r = x - k·ln2 in two exact-ish steps
 * (Cody–Waite); e^r ≈ 1 + r + r²·P(r); then scale by 2^k as 2^⌊k/2⌋ · 2^(k-⌊k/2⌋), two normal
 * powers of two built in the exponent field, so that k ∈ [-150, 129] neither overflows the exponent
 * field nor rounds twice: overflow gives +Inf and the denormal range is rounded once.
 *
 * For callers that need less: `known` says that x is ≥ +0 or ≤ -0 (or NaN), so that the clamp on
 * the other side is a no-op and left out; `max` clamps at a lower maximum (tanh needs no e^x beyond
 * e^64). When the clamp keeps 2^k normal, it is one power of two and one (exact) product: the same
 * bits as the two.
 */
function expCore(L: Lanes, x: Val, opts: { known?: "nonNegative" | "nonPositive"; max?: number } = {}): Expr {
  const max = opts.max ?? EXP_MAX;
  let clamped = x();
  if (opts.known !== "nonNegative") clamped = L.maxC(clamped, EXP_MIN);
  if (opts.known !== "nonPositive") clamped = L.minC(clamped, max);
  const xc = L.letF(clamped);
  const t = L.letF(L.add(L.mul(xc(), L.f(LOG2E)), L.f(ROUND_MAGIC)));
  const kf = L.letF(L.sub(t(), L.f(ROUND_MAGIC)));
  const r = L.letF(L.sub(L.sub(xc(), L.mul(kf(), L.f(LN2_HI))), L.mul(kf(), L.f(LN2_LO))));
  const r2 = L.letF(L.mul(r(), r()));
  const p = L.add(L.f(1), L.add(r(), L.mul(r2(), L.horner(r, EXP_P))));
  const k = L.letI(L.isub(L.bits(t()), L.i(ROUND_MAGIC_BITS)));
  // k's range after the clamp, with a margin of one for the rounding of x·log2 e
  const kMin = Math.round((opts.known === "nonNegative" ? 0 : EXP_MIN) * LOG2E) - 1;
  const kMax = Math.round((opts.known === "nonPositive" ? 0 : max) * LOG2E) + 1;
  if (kMin >= -126 && kMax <= 127) return L.mul(p, L.float(L.shl(L.iadd(k(), L.i(127)), 23)));
  const k1 = L.letI(L.shrS(k(), 1));
  const s1 = L.float(L.shl(L.iadd(k1(), L.i(127)), 23));
  const s2 = L.float(L.shl(L.iadd(L.isub(k(), k1()), L.i(127)), 23));
  return L.mul(L.mul(p, s1), s2);
}

/**
 * ln x. Denormals are scaled by 2^23 first. The bits minus those of sqrt(1/2) split x into
 * 2^e · m with m ∈ [sqrt(1/2), sqrt(2)); f = m - 1 is exact; with s = f/(2+f), hfsq = f²/2,
 * ln m = f - hfsq + s·(hfsq + R(s²)), and ln x = e·ln2_hi + (that + e·ln2_lo).
 * Special inputs are patched in at the end: +Inf → +Inf, ±0 → -Inf, x < 0 → NaN, NaN → NaN.
 */
function logCore(L: Lanes, x: Val): Expr {
  const tiny = L.letI(L.lt(x(), L.f(FLT_MIN)));
  const xs = L.sel(tiny(), L.mul(x(), L.f(2 ** 23)), x());
  const ix = L.letI(L.isub(L.bits(xs), L.i(SQRT_HALF_BITS)));
  const dk = L.letF(L.sub(L.toFloat(L.shrS(ix(), 23)), L.sel(tiny(), L.f(23), L.f(0))));
  const m = L.float(L.iadd(L.iand(ix(), L.i(MANT_MASK)), L.i(SQRT_HALF_BITS)));
  const fm = L.letF(L.sub(m, L.f(1)));
  const s = L.letF(L.div(fm(), L.add(L.f(2), fm())));
  const z = L.letF(L.mul(s(), s()));
  const R = L.mul(z(), L.horner(z, LOG_R));
  const hfsq = L.letF(L.mul(L.f(0.5), L.mul(fm(), fm())));
  let y = L.add(L.mul(s(), L.add(hfsq(), R)), L.mul(dk(), L.f(LN2_LO)));
  y = L.add(L.add(L.sub(y, hfsq()), fm()), L.mul(dk(), L.f(LN2_HI)));
  const res = L.letF(L.sel(L.lt(x(), L.f(Infinity)), y, x())); // +Inf and NaN pass through
  const res2 = L.letF(L.sel(L.eq(x(), L.f(0)), L.f(-Infinity), res()));
  return L.sel(L.lt(x(), L.f(0)), L.f(NaN), res2());
}

/**
 * tanh x, computed for a = |x| and given x's sign at the end (so tanh(-x) = -tanh(x) bit for bit
 * and tanh(-0) = -0). a < 0.625: a + a·z·Q(z), z = a² (no cancellation, small relative error near
 * 0). Otherwise 1 - 2/(e^{2a} + 1), which is exactly 1 once e^{2a} is large (from a ≈ 9.1 on,
 * where 2/(e^{2a} + 1) < 2^-25), so e^{2a} is computed with 2a clamped to TANH_EXP_MAX: the same
 * bits as unclamped. NaN takes the second branch and stays NaN.
 */
function tanhCore(L: Lanes, x: Val): Expr {
  const a = L.letF(L.abs(x()));
  const z = L.letF(L.mul(a(), a()));
  const small = L.add(a(), L.mul(L.mul(a(), z()), L.horner(z, TANH_Q)));
  const a2 = L.letF(L.add(a(), a()));
  const e = expCore(L, a2, { known: "nonNegative", max: TANH_EXP_MAX });
  const big = L.sub(L.f(1), L.div(L.f(2), L.add(e, L.f(1))));
  return L.copysign(L.sel(L.lt(a(), L.f(TANH_SMALL)), small, big), x());
}

/**
 * sigmoid x = 1/(1+e^{-x}) for x ≥ 0 and e^{x}/(1+e^{x}) for x < 0: with e = e^{-|x|} ∈ [0, 1]
 * both are (x ≥ 0 ? 1 : e) / (1 + e), which never overflows and keeps relative accuracy in the
 * far negative tail down to the denormals.
 */
function sigmoidCore(L: Lanes, x: Val): Expr {
  const na = L.letF(L.neg(L.abs(x())));
  const e = L.letF(expCore(L, na, { known: "nonPositive" }));
  return L.div(L.sel(L.ge(x(), L.f(0)), L.f(1), e()), L.add(L.f(1), e()));
}

const CORES: Record<MathFunction, (L: Lanes, x: Val) => Expr> = {
  exp: expCore,
  log: logCore,
  tanh: tanhCore,
  sigmoid: sigmoidCore,
};

function addAll(m: Module, vec: boolean, tableAt: number | null): void {
  const names = vec ? VECTOR_MATH_FUNCTIONS : MATH_FUNCTIONS;
  for (const fn of Object.keys(CORES) as MathFunction[]) {
    const name = names[fn];
    if (m.getFunction(name)) continue; // already added to this module
    const L = new Lanes(m, vec, tableAt);
    L.finish(name, CORES[fn](L, L.param()));
  }
}

/**
 * The f32x4 function `fn` of `x` emitted inline into a caller's function (`host`): the body of
 * `$rnnc_<fn>_v` with `x` in a fresh local, so the same bits, without a call. A call costs more than
 * its jump in V8: every live vector register of the caller is saved around it (all are
 * caller-saved), and the callee cannot share the caller's registers. The statements go to `host`;
 * the returned expression reads only locals they set. At most INLINE_VECTOR_MATH_LOCALS locals.
 */
export function inlineVectorMath(m: Module, fn: MathFunction, x: Expr, tableAt: number, host: MathHost): Expr {
  m.setFeatures(m.getFeatures() | BINARYEN_IDS.SIMD128);
  const L = new Lanes(m, true, tableAt, host);
  return CORES[fn](L, L.letF(x));
}

/** The most locals `inlineVectorMath` declares in its host (test/lower/mathfns.test.ts counts them). */
export const INLINE_VECTOR_MATH_LOCALS = 12;

/** Adds f32 functions "$rnnc_exp", "$rnnc_log", "$rnnc_tanh", "$rnnc_sigmoid" (each (f32) -> f32) to the module, once (idempotent per module). */
export function addMathFunctions(m: Module): void {
  addAll(m, false, null);
}

/**
 * Adds SIMD versions "$rnnc_exp_v", "$rnnc_tanh_v", "$rnnc_sigmoid_v", "$rnnc_log_v" ((v128) -> v128,
 * lanes f32x4), same algorithms lane-wise, so scalar and vector results are bit-identical. They
 * read their constants from the table `vectorMathConstants()`, which the module's memory must hold
 * at `tableAt` (16-byte aligned). Idempotent per module (the first call's `tableAt` stays).
 */
export function addVectorMathFunctions(m: Module, tableAt: number): void {
  if (tableAt % 16 !== 0) throw new Error(`internal: the vector math constant table must be 16-byte aligned (at ${tableAt})`);
  m.setFeatures(m.getFeatures() | BINARYEN_IDS.SIMD128);
  addAll(m, true, tableAt);
}
