/**
 * The WebAssembly backend held to the f64 reference interpreter.
 *
 * 1. every op with a kernel: one-op graphs in several shape/attribute variants, forward and VJP;
 * 2. every example cell as a program: forward and the full VJP graph, B ∈ {1, 3}, T ∈ {1, 7};
 * 3. scans: ragged lengths, reverse, truncate, generation (`steps`), integer xs, losses in bodies;
 * 4. one module, many (B, T): memory grows, the bytes do not depend on T;
 * 5. -O0 and -O3 agree, and -O3 is smaller.
 * (.wat snapshots: wat.test.ts.)
 *
 * All WebAssembly tests live in this one file because importing binaryen costs seconds per process.
 * Ops run on poisoned memory (every byte 0xFF before the run, see runPoisoned): a kernel that
 * reads what nobody wrote gets NaN or traps instead of passing on zeroed memory.
 */
import t, { type Test } from "tap";
import { fileURLToPath } from "node:url";
import { allOps } from "../../compiler/ops/index.ts";
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { RnncError } from "../../compiler/diagnostics.ts";
import { loadProgram } from "../../compiler/frontend/program.ts";
import type { Program } from "../../compiler/frontend/program.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import type { Attrs, Graph, Shape } from "../../compiler/ir/types.ts";
import { runGraphModule, runInstance, wasmBackend } from "../../compiler/lower/backend.ts";
import { compileGraph } from "../../compiler/lower/compile.ts";
import { kernels } from "../../compiler/lower/kernels.ts";
import { evalPoly } from "../../compiler/lower/memory.ts";
import { fuseElementwise } from "../../compiler/passes/fuse-elementwise.ts";
import {
  Case, bodyBuilder, concrete, elmanBody, emitScan, f32t, i32t, lstmBody, randomLike, size, tensor,
} from "../ops/_helpers.ts";
import type { Dims, Tensor } from "../ops/_helpers.ts";
import { compiled, ErrorStats, expectClose, instantiate, memoryOf, runPoisoned } from "./_wasm.ts";
import type { Tol } from "./_wasm.ts";

// ---- tolerances -------------------------------------------------------------------------------------

/**
 * A single op: |wasm − interp| ≤ 1e-6 + 2e-5·|interp|.
 * - The interpreter computes in f64 on the given values; the module reads them rounded to f32, a
 *   relative change of ≤ 2^-24 ≈ 6e-8 per input, which an op's condition number can amplify (exp of
 *   x ∈ [-80, 80] turns it into ≤ 80 · 6e-8 ≈ 4.8e-6 relative; log and sqrt shrink it).
 * - Each f32 operation rounds once more (≤ 6e-8 relative); a K-term sum or dot product
 *   accumulates ≤ K·6e-8 of Σ|terms| (K ≤ 16 here, so ≤ 1e-6 where the terms are of order 1:
 *   that, and the cancellation of a - b with |a|, |b| ≤ 1, is what atol covers).
 * - exp, log, tanh and sigmoid are polynomial approximations with measured maximum errors
 *   (compiler/lower/mathfns.ts MATH_ERROR_BOUNDS: ≤ 1.3e-7 relative for exp and log, ≤ 1.2e-7
 *   absolute for tanh and sigmoid; softmax and cross_entropy chain a few of them).
 * The VJP graphs of single ops chain a handful of such ops on values of order 1 and are held to the
 * same bound. Measured (printed by the last test, "summary of the measured errors"): the largest
 * |Δ|/max(1, |interp|) is 3.0e-6, forward and VJP alike (exp of x up to 80: the input rounding
 * amplified, as above); no element uses more than 16% of its tolerance.
 */
const OP_TOL: Tol = { rtol: 2e-5, atol: 1e-6 };

/**
 * Whole programs and scans: the errors above compound with depth — T = 7 steps of matmuls with
 * K = I + H ≤ 24 terms and gated nonlinearities forward, then the reverse scan whose gradient
 * accumulators each sum B·T ≤ 21 per-step terms. Loosened to 1e-5 + 1e-4·|interp|. Measured
 * (|Δ|/max(1, |interp|)): cell forwards 2.6e-7, cell VJPs 1.1e-6 (d/dWhh of elman I=8, H=16, B=3,
 * T=7: a sum over 21 steps), scan forwards 1.4e-7, scan VJPs 4.7e-7, section 4 3.0e-7 up to
 * T = 37 and 2.6e-8 at T = 10000; at most 5% of this tolerance anywhere. The cells are contractive
 * at these weights: the errors do not grow with T.
 */
const DEEP_TOL: Tol = { rtol: 1e-4, atol: 1e-5 };

/**
 * -O3 against -O0, both f32: binaryen optimizes with fast-math off (binaryen.ts), so the same
 * IEEE operations run in the same order and the results should be bit-identical; the bound allows
 * a few ulps (2^-23 ≈ 1.2e-7 relative). Measured: 0.
 */
const OPT_TOL: Tol = { rtol: 5e-7, atol: 1e-8 };

const stats = {
  opFwd: new ErrorStats("ops, forward", OP_TOL),
  opVjp: new ErrorStats("ops, VJP graphs", OP_TOL),
  cellFwd: new ErrorStats("cells, forward", DEEP_TOL),
  cellVjp: new ErrorStats("cells, VJP graphs", DEEP_TOL),
  scanFwd: new ErrorStats("scans, forward", DEEP_TOL),
  scanVjp: new ErrorStats("scans, VJP graphs", DEEP_TOL),
  shapes: new ErrorStats("one module, many (B, T) up to T = 37", DEEP_TOL),
  longT: new ErrorStats("the same module at T = 10000 (last step, final states)", DEEP_TOL),
  opt: new ErrorStats("-O0 vs -O3", OPT_TOL),
};

// ---- shared ---------------------------------------------------------------------------------------------

function outputLabels(g: Graph): string[] {
  return g.outputs.map((o, i) => `output ${i} (${o})`);
}

/** Random cotangents in [-1, 1] for the float outputs of a forward run. */
function cotangents(g: Graph, outs: Tensor[], seed: number): Tensor[] {
  const rand = rng(seed);
  return outs.filter((_, i) => g.types.get(g.outputs[i]!)!.dtype === "f32").map((o) => randomLike(o, rand));
}

function runLabel(g: Graph, values: Tensor[]): string {
  const d: Record<string, number> = {};
  g.inputs.forEach((v, i) => g.types.get(v)!.shape.forEach((s, k) => { if (typeof s === "string") d[s] ??= values[i]!.shape[k]!; }));
  const dims = Object.entries(d).map(([k, n]) => `${k}=${n}`).join(", ");
  return `[${dims || "no B, T"}] `;
}

/** Compiles `g` once (at `optimize`), runs it on every value set on poisoned memory and on the interpreter. */
async function checkForward(t: Test, g: Graph, valueSets: Tensor[][], st: ErrorStats, optimize = 3, tol: Tol = st.tol): Promise<void> {
  const gm = await compiled(g, optimize);
  for (const values of valueSets) {
    const p = runLabel(g, values);
    const want = runGraph(g, values);
    const got = await runPoisoned(gm, values);
    t.same(got.violations, [], `${p}memory outside the outputs and scratch is untouched`);
    expectClose(t, got.outs, want, outputLabels(g), st, p, tol);
  }
}

/** The same for g's VJP graph w.r.t. every float input, with random cotangents in [-1, 1]. */
async function checkVjp(t: Test, g: Graph, valueSets: Tensor[][], st: ErrorStats, optimize = 3, tol: Tol = st.tol): Promise<void> {
  const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
  const v = vjpGraph(g, wrt);
  const vm = await compiled(v.graph, optimize);
  for (const [k, values] of valueSets.entries()) {
    const p = runLabel(g, values);
    const cts = cotangents(g, runGraph(g, values), 100 + k);
    const vin = [...values, ...cts];
    const want = runGraph(v.graph, vin);
    const got = await runPoisoned(vm, vin);
    t.same(got.violations, [], `${p}memory outside the outputs and scratch is untouched`);
    expectClose(t, got.outs, want, [...outputLabels(g), ...wrt.map((w) => `d/d${w}`)], st, p, tol);
  }
}

// ---- 1. every op with a kernel ----------------------------------------------------------------------

type Make = (dims: Dims) => Case;
interface OpVariant {
  label: string;
  make: Make;
  /** The (B, T) to run at; default DIMS. Variants with fixed values take FIXED. */
  dims?: Dims[];
  /** Marks a case that fails because of a known bug in compiler/ (not run by tap). */
  todo?: string;
  /** Why the VJP graph is not checked (fused nodes are made after autodiff and have none). */
  forwardOnly?: string;
  /** A tolerance other than OP_TOL, for inputs far from order 1 (explained where used). */
  tol?: Tol;
}

/**
 * Logits in [-100, 100] (e^100 overflows f32: only the max shift keeps softmax finite). f32 rounds
 * x - lse and lse - l[t] at the logits' magnitude, ulp(100)/2 ≈ 3.8e-6 absolute however small the
 * result, and cross_entropy sums up to T·B = 15 such terms: atol 1e-4.
 */
const WIDE_LOGITS_TOL: Tol = { rtol: 2e-5, atol: 1e-4 };

/** Every variant's module runs at each of these (one module: the kernels are independent of B and T). */
const DIMS: Dims[] = [{ B: 2, T: 3 }, { B: 1, T: 1 }, { B: 3, T: 5 }];
const FIXED: Dims[] = [{ B: 2, T: 3 }];

const POS = { lo: 0.5, hi: 1.5 };
const AWAY = { away: [0.2, 1.2] as [number, number] };

function one(op: string, decl: (c: Case) => string[], attrs: Attrs = {}, seed = 7): Make {
  return (dims) => {
    const c = new Case(dims, seed);
    const ins = decl(c);
    return c.out(...c.b.ops(op, ins, attrs));
  };
}

/** Random integers in [lo, hi) for a tensor of `shape` under c's dims. */
function ints(c: Case, shape: Shape, lo: number, hi: number): number[] {
  return Array.from({ length: size(concrete(shape, c.dims)) }, () => lo + Math.floor(c.rand() * (hi - lo)));
}

/** A random 0/1 mask of `shape` under c's dims. */
function mask01(c: Case, shape: Shape): number[] {
  return ints(c, shape, 0, 2);
}

/** Values whose log10 is uniform in [lo, hi]. */
function logUniform(c: Case, shape: Shape, lo: number, hi: number): number[] {
  return Array.from({ length: size(concrete(shape, c.dims)) }, () => 10 ** c.uniform(lo, hi));
}

type Dist = Parameters<Case["f32"]>[2];

function binaryVariants(op: string, da: Dist = { lo: -1, hi: 1 }, db: Dist = da): OpVariant[] {
  const shapes: [string, Shape, Shape][] = [
    ["same shape [B, 3]", ["B", 3], ["B", 3]],
    ["[B, 3] with [3]", ["B", 3], [3]],
    ["[3] with [B, 3]", [3], ["B", 3]],
    ["[B, 1] with [1, 4]", ["B", 1], [1, 4]],
    ["scalar with [T, B, 2]", [], ["T", "B", 2]],
    ["[T, B, 2] with [B, 1]", ["T", "B", 2], ["B", 1]],
    ["[T, 1, 3] with [B, 3]", ["T", 1, 3], ["B", 3]],
    ["[T, B, 3] with [T, 1, 1]", ["T", "B", 3], ["T", 1, 1]],
  ];
  return shapes.map(([label, sa, sb]) => ({ label, make: one(op, (c) => [c.f32("a", sa, da), c.f32("b", sb, db)]) }));
}

function unaryVariants(op: string, dist: Dist = { lo: -1.5, hi: 1.5 }, scalarDist: Dist = dist): OpVariant[] {
  return [
    { label: "[B, 3]", make: one(op, (c) => [c.f32("x", ["B", 3], dist)]) },
    { label: "scalar", make: one(op, (c) => [c.f32("x", [], scalarDist)]) },
    { label: "[T, B, 2]", make: one(op, (c) => [c.f32("x", ["T", "B", 2], dist)]) },
  ];
}

/** Zeros of both signs, tiny and ordinary values: the edges of relu, step, sign, abs. */
const SPECIAL = [0, -0, 1, -1, 0.25, -3, 1e-30, -1e-30];
const special = (op: string): OpVariant => ({
  label: "special values [B, 4]: ±0, ±1e-30, …",
  make: one(op, (c) => [c.f32("x", ["B", 4], SPECIAL)]),
  dims: FIXED,
});

/** Beyond [-1.5, 1.5]: exp's range reduction, log's exponent extraction, the saturating tails. */
const wide = (op: string, label: string, values: (c: Case, s: Shape) => number[]): OpVariant => ({
  label,
  make: one(op, (c) => [c.f32("x", ["T", "B", 4], values(c, ["T", "B", 4]))]),
});
const uniformIn = (lo: number, hi: number) => (c: Case, s: Shape) => Array.from({ length: size(concrete(s, c.dims)) }, () => c.uniform(lo, hi));

/** A case whose elementwise ops fuseElementwise turns into `fused` nodes (in place, in c's graph). */
function fusedCase(decl: (c: Case) => string[], seed = 7): Make {
  return (dims) => {
    const c = new Case(dims, seed);
    c.out(...decl(c));
    c.graph.nodes = fuseElementwise(c.graph).nodes;
    return c;
  };
}
const FUSED_NO_VJP = "fused nodes are made after autodiff (their ops' gradients are checked unfused, and fused in every cell's VJP graph)";

const cases: Record<string, OpVariant[]> = {
  add: binaryVariants("add"),
  sub: binaryVariants("sub"),
  mul: binaryVariants("mul"),
  div: binaryVariants("div", { lo: -1, hi: 1 }, POS),
  maximum: binaryVariants("maximum", { away: [0.5, 1.2] }, { lo: -0.3, hi: 0.3 }),
  greater_equal: [
    ...binaryVariants("greater_equal", { away: [0.5, 1.2] }, { lo: -0.3, hi: 0.3 }),
    { label: "ties: x ≥ x", make: one("greater_equal", (c) => { const x = c.f32("x", ["B", 3]); return [x, x]; }) },
  ],

  neg: [...unaryVariants("neg"), special("neg")],
  abs: [...unaryVariants("abs", AWAY), special("abs")],
  relu: [...unaryVariants("relu", AWAY, { lo: 0.2, hi: 1.2 }), special("relu")],
  step: [...unaryVariants("step", AWAY), special("step")],
  sign: [...unaryVariants("sign", AWAY), special("sign")],
  sqrt: [...unaryVariants("sqrt", POS), wide("sqrt", "x in [1e-20, 1e20] (log-uniform)", (c, s) => logUniform(c, s, -20, 20))],
  exp: [...unaryVariants("exp"), wide("exp", "x in [-80, 80]", uniformIn(-80, 80))],
  log: [...unaryVariants("log", POS), wide("log", "x in [1e-30, 1e30] (log-uniform)", (c, s) => logUniform(c, s, -30, 30))],
  tanh: [...unaryVariants("tanh"), wide("tanh", "x in [-12, 12]", uniformIn(-12, 12))],
  sigmoid: [...unaryVariants("sigmoid", { lo: -3, hi: 3 }), wide("sigmoid", "x in [-40, 40]", uniformIn(-40, 40))],

  where: [
    { label: "same shape", make: one("where", (c) => [c.f32("cond", ["B", 3], mask01(c, ["B", 3])), c.f32("x", ["B", 3]), c.f32("y", ["B", 3])]) },
    {
      label: "mask [T, B, 1] selecting between [B, 3] and scalar",
      make: one("where", (c) => [c.f32("cond", ["T", "B", 1], mask01(c, ["T", "B", 1])), c.f32("x", ["B", 3]), c.f32("y", [])]),
    },
    {
      label: "cond [B, 3] with x [3] and y [B, 1]",
      make: one("where", (c) => [c.f32("cond", ["B", 3], mask01(c, ["B", 3])), c.f32("x", [3]), c.f32("y", ["B", 1])]),
    },
  ],
  stop_gradient: [
    { label: "[B, 3]", make: one("stop_gradient", (c) => [c.f32("x", ["B", 3])]) },
    { label: "scalar", make: one("stop_gradient", (c) => [c.f32("x", [])]) },
    { label: "i32 [T, B]", make: one("stop_gradient", (c) => [c.i32("ids", ["T", "B"], ints(c, ["T", "B"], -50, 50))]) },
    {
      label: "x * stop_gradient(x)",
      make: (dims) => { const c = new Case(dims, 5); const x = c.f32("x", ["T", "B", 2]); return c.out(c.b.mul(x, c.b.op("stop_gradient", [x]))); },
    },
  ],
  float: [
    { label: "i32 [T, B] in [-5, 5)", make: one("float", (c) => [c.i32("n", ["T", "B"], ints(c, ["T", "B"], -5, 5))]) },
    { label: "i32 scalar", make: one("float", (c) => [c.i32("n", [], [-123456])]) },
    { label: "i32 [B, 3], large magnitudes (exact below 2^24)", make: one("float", (c) => [c.i32("n", ["B", 3], ints(c, ["B", 3], -(2 ** 24), 2 ** 24))]) },
  ],
  step_mask: [
    { label: "lengths in [0, T]", make: one("step_mask", (c) => [c.i32("len", ["B"], ints(c, ["B"], 0, c.dims.T + 1)), c.f32("xs", ["T", "B", 2])]) },
  ],
  fused: [
    {
      label: "tanh(a·b + bias [3]) and a·b, [B, 3] (scalar loops only)",
      make: fusedCase((c) => {
        const ab = c.b.mul(c.f32("a", ["B", 3]), c.f32("b", ["B", 3]));
        return [c.b.op("tanh", [c.b.add(ab, c.f32("bias", [3]))]), ab];
      }),
      forwardOnly: FUSED_NO_VJP,
    },
    {
      label: "an LSTM update on windows of x [T, B, 4·6], writing a concat [T, B, 4·6]",
      make: fusedCase((c) => {
        const x = c.f32("x", ["T", "B", 24]), s = c.f32("s", ["T", "B", 6]), bias = c.f32("bias", [6]);
        const w = (k: number) => c.b.op("slice", [x], { axis: -1, start: 6 * k, size: 6 });
        const g = c.b.op("tanh", [c.b.add(w(0), bias)]), i = c.b.op("sigmoid", [w(1)]), f = c.b.op("sigmoid", [w(2)]), o = c.b.op("sigmoid", [w(3)]);
        const s2 = c.b.add(c.b.mul(g, i), c.b.mul(s, f));
        return [c.b.mul(c.b.op("tanh", [s2]), o), s2, c.b.op("concat", [o, f, i, g], { axis: -1 })];
      }),
      forwardOnly: FUSED_NO_VJP,
    },
    {
      label: "every lane op on [B, 6] (4 lanes + a tail of 2), a constant and i32 counts",
      make: fusedCase((c) => {
        const x = c.f32("x", ["B", 6], { lo: -2, hi: 2 }), y = c.f32("y", ["B", 6], { lo: 0.5, hi: 1.5 });
        const n = c.i32("n", ["B", 6], ints(c, ["B", 6], -5, 5));
        const b = c.b, half = b.scalar(0.5), u = (op: string, v: string) => b.op(op, [v]);
        const pos = b.add(u("abs", x), half);
        const a = b.div(b.sub(u("exp", x), u("log", pos)), y);
        const m = b.op("maximum", [u("sqrt", pos), u("neg", u("sigmoid", x))]);
        const sel = b.op("where", [b.op("greater_equal", [x, half]), u("relu", x), b.mul(u("sign", x), u("step", x))]);
        return [b.add(b.add(a, m), b.mul(sel, u("float", n)))];
      }),
      forwardOnly: FUSED_NO_VJP,
    },
    {
      label: "[T, B] (a run-time inner extent: vector loop and tail)",
      make: fusedCase((c) => {
        const x = c.f32("x", ["T", "B"]), y = c.f32("y", ["T", "B"]);
        return [c.b.op("tanh", [c.b.mul(c.b.add(x, y), y)])];
      }),
      forwardOnly: FUSED_NO_VJP,
    },
  ],
  zeros_like: [
    { label: "[B, 3]", make: one("zeros_like", (c) => [c.f32("x", ["B", 3])]) },
    { label: "scalar", make: one("zeros_like", (c) => [c.f32("x", [])]) },
    { label: "[T, B, 2]", make: one("zeros_like", (c) => [c.f32("x", ["T", "B", 2])]) },
    { label: "of i32 [B]", make: one("zeros_like", (c) => [c.i32("ids", ["B"], ints(c, ["B"], 0, 9))]) },
  ],
  constant: [
    { label: "scalar 2.5 (a graph without inputs)", make: one("constant", () => [], { value: 2.5 }) },
    { label: "shape [2, 3] filled with -1.25", make: one("constant", () => [], { value: -1.25, shape: [2, 3] }) },
    {
      label: "x [B, 3] + constant [3] of 0.1 (not exact in f32)",
      make: (dims) => { const c = new Case(dims, 3); const x = c.f32("x", ["B", 3]); return c.out(c.b.add(x, c.b.op("constant", [], { value: 0.1, shape: [3] }))); },
    },
  ],
  numel: [
    { label: "[T, B, 2]", make: one("numel", (c) => [c.f32("x", ["T", "B", 2])]) },
    { label: "scalar: 1", make: one("numel", (c) => [c.f32("x", [])]) },
    { label: "[3, 4]", make: one("numel", (c) => [c.f32("x", [3, 4])]) },
    { label: "of i32 [T, B]", make: one("numel", (c) => [c.i32("ids", ["T", "B"], ints(c, ["T", "B"], 0, 3))]) },
  ],

  matmul: [
    { label: "A [3, 4] @ x [B, 4]", make: one("matmul", (c) => [c.f32("A", [3, 4]), c.f32("x", ["B", 4])]) },
    { label: "A [3, 4] @ x [T, B, 4]", make: one("matmul", (c) => [c.f32("A", [3, 4]), c.f32("x", ["T", "B", 4])]) },
    { label: "A [3, 4] @ x [4] (unbatched)", make: one("matmul", (c) => [c.f32("A", [3, 4]), c.f32("x", [4])]) },
    { label: "transpose_a: A [4, 3]ᵀ @ x [B, 4]", make: one("matmul", (c) => [c.f32("A", [4, 3]), c.f32("x", ["B", 4])], { transpose_a: true }) },
    { label: "transpose_a: A [4, 3]ᵀ @ x [T, B, 4]", make: one("matmul", (c) => [c.f32("A", [4, 3]), c.f32("x", ["T", "B", 4])], { transpose_a: true }) },
    { label: "transpose_a: false given explicitly", make: one("matmul", (c) => [c.f32("A", [2, 3]), c.f32("x", ["B", 3])], { transpose_a: false }) },
    { label: "K = 16: A [8, 16] @ x [T, B, 16]", make: one("matmul", (c) => [c.f32("A", [8, 16]), c.f32("x", ["T", "B", 16])]) },
    { label: "K = 16, transpose_a: A [16, 5]ᵀ @ x [B, 16]", make: one("matmul", (c) => [c.f32("A", [16, 5]), c.f32("x", ["B", 16])], { transpose_a: true }) },
  ],
  outer: [
    { label: "u [B, 3] ⊗ v [B, 4]", make: one("outer", (c) => [c.f32("u", ["B", 3]), c.f32("v", ["B", 4])]) },
    { label: "u [T, B, 2] ⊗ v [T, B, 3]", make: one("outer", (c) => [c.f32("u", ["T", "B", 2]), c.f32("v", ["T", "B", 3])]) },
    { label: "u [3] ⊗ v [2] (unbatched)", make: one("outer", (c) => [c.f32("u", [3]), c.f32("v", [2])]) },
    { label: "u [T, B, 16] ⊗ v [T, B, 8]", make: one("outer", (c) => [c.f32("u", ["T", "B", 16]), c.f32("v", ["T", "B", 8])]) },
  ],

  sum: [
    { label: "all elements", make: one("sum", (c) => [c.f32("x", ["B", 3])]) },
    { label: "all elements of [T, B, 16]", make: one("sum", (c) => [c.f32("x", ["T", "B", 16])]) },
    { label: "axis 1", make: one("sum", (c) => [c.f32("x", ["B", 3])], { axis: 1 }) },
    { label: "axis 0 (over B)", make: one("sum", (c) => [c.f32("x", ["B", 3])], { axis: 0 }) },
    { label: "axis -1 keepdims", make: one("sum", (c) => [c.f32("x", ["T", "B", 3])], { axis: -1, keepdims: true }) },
    { label: "axis -2 of rank 3", make: one("sum", (c) => [c.f32("x", ["T", "B", 3])], { axis: -2 }) },
    { label: "axis 0 of rank 3 (over T)", make: one("sum", (c) => [c.f32("x", ["T", "B", 3])], { axis: 0 }) },
    { label: "axis 0 keepdims of rank 3", make: one("sum", (c) => [c.f32("x", ["T", "B", 3])], { axis: 0, keepdims: true }) },
    { label: "keepdims: false given explicitly", make: one("sum", (c) => [c.f32("x", ["B", 3])], { axis: 1, keepdims: false }) },
  ],
  mean: [
    { label: "[B, 3]", make: one("mean", (c) => [c.f32("x", ["B", 3])]) },
    { label: "[T, B, 2]", make: one("mean", (c) => [c.f32("x", ["T", "B", 2])]) },
    { label: "scalar", make: one("mean", (c) => [c.f32("x", [])]) },
  ],
  expand_like: [
    { label: "[3] to [B, 3]", make: one("expand_like", (c) => [c.f32("g", [3]), c.f32("like", ["B", 3])]) },
    { label: "scalar to [B, 3]", make: one("expand_like", (c) => [c.f32("g", []), c.f32("like", ["B", 3])]) },
    { label: "[B, 1] to [T, B, 4]", make: one("expand_like", (c) => [c.f32("g", ["B", 1]), c.f32("like", ["T", "B", 4])]) },
    { label: "axis -1: [B] to [B, 4]", make: one("expand_like", (c) => [c.f32("g", ["B"]), c.f32("like", ["B", 4])], { axis: -1 }) },
    { label: "axis 1: [T, 4] to [T, B, 4]", make: one("expand_like", (c) => [c.f32("g", ["T", 4]), c.f32("like", ["T", "B", 4])], { axis: 1 }) },
    { label: "axis 0: [B, 3] to [T, B, 3]", make: one("expand_like", (c) => [c.f32("g", ["B", 3]), c.f32("like", ["T", "B", 3])], { axis: 0 }) },
    { label: "axis 1 with broadcasting: [1, 3] to [2, 4, 3]", make: one("expand_like", (c) => [c.f32("g", [1, 3]), c.f32("like", [2, 4, 3])], { axis: 1 }) },
  ],
  sum_to: [
    { label: "[B, 3] to [3]", make: one("sum_to", (c) => [c.f32("g", ["B", 3]), c.f32("like", [3])]) },
    { label: "[B, 3] to [B, 1]", make: one("sum_to", (c) => [c.f32("g", ["B", 3]), c.f32("like", ["B", 1])]) },
    { label: "[T, B, 3] to scalar", make: one("sum_to", (c) => [c.f32("g", ["T", "B", 3]), c.f32("like", [])]) },
    { label: "[T, B, 3] to [1, B, 1]", make: one("sum_to", (c) => [c.f32("g", ["T", "B", 3]), c.f32("like", [1, "B", 1])]) },
    { label: "[T, B, 3] to [T, 1, 3]", make: one("sum_to", (c) => [c.f32("g", ["T", "B", 3]), c.f32("like", ["T", 1, 3])]) },
    { label: "identity: [B, 3] to [B, 3]", make: one("sum_to", (c) => [c.f32("g", ["B", 3]), c.f32("like", ["B", 3])]) },
  ],

  softmax: [
    { label: "[B, 4]", make: one("softmax", (c) => [c.f32("x", ["B", 4], { lo: -2, hi: 2 })]) },
    { label: "[T, B, 3]", make: one("softmax", (c) => [c.f32("x", ["T", "B", 3], { lo: -2, hi: 2 })]) },
    { label: "[5] (rank 1)", make: one("softmax", (c) => [c.f32("x", [5], { lo: -2, hi: 2 })]) },
    { label: "[B, 16], logits in [-100, 100]", make: one("softmax", (c) => [c.f32("x", ["B", 16], { lo: -100, hi: 100 })]), tol: WIDE_LOGITS_TOL },
  ],
  log_softmax: [
    { label: "[B, 4]", make: one("log_softmax", (c) => [c.f32("x", ["B", 4], { lo: -2, hi: 2 })]) },
    { label: "[T, B, 3]", make: one("log_softmax", (c) => [c.f32("x", ["T", "B", 3], { lo: -2, hi: 2 })]) },
    { label: "[5] (rank 1)", make: one("log_softmax", (c) => [c.f32("x", [5], { lo: -2, hi: 2 })]) },
    { label: "[B, 16], logits in [-100, 100]", make: one("log_softmax", (c) => [c.f32("x", ["B", 16], { lo: -100, hi: 100 })]), tol: WIDE_LOGITS_TOL },
  ],
  cross_entropy: [
    ...(["none", "sum", "mean"] as const).map((reduction) => ({
      label: `reduction ${reduction}, logits [B, 5]`,
      make: one("cross_entropy", (c) => [c.f32("logits", ["B", 5], { lo: -2, hi: 2 }), c.i32("target", ["B"], ints(c, ["B"], 0, 5))], { reduction }),
    })),
    {
      label: "default reduction (mean), logits [T, B, 4]",
      make: one("cross_entropy", (c) => [c.f32("logits", ["T", "B", 4], { lo: -2, hi: 2 }), c.i32("target", ["T", "B"], ints(c, ["T", "B"], 0, 4))]),
    },
    {
      label: "reduction none, logits [T, B, 4]",
      make: one("cross_entropy", (c) => [c.f32("logits", ["T", "B", 4], { lo: -2, hi: 2 }), c.i32("target", ["T", "B"], ints(c, ["T", "B"], 0, 4))], { reduction: "none" }),
    },
    { label: "rank-1 logits [4], scalar target", make: one("cross_entropy", (c) => [c.f32("logits", [4], { lo: -2, hi: 2 }), c.i32("target", [], [2])]) },
    {
      label: "reduction sum, logits [T, B, 10] in [-100, 100]",
      make: one("cross_entropy", (c) => [c.f32("logits", ["T", "B", 10], { lo: -100, hi: 100 }), c.i32("target", ["T", "B"], ints(c, ["T", "B"], 0, 10))], { reduction: "sum" }),
      tol: WIDE_LOGITS_TOL,
    },
  ],
  mse: [
    { label: "[B, 3]", make: one("mse", (c) => [c.f32("a", ["B", 3]), c.f32("b", ["B", 3])]) },
    { label: "[T, B, 2]", make: one("mse", (c) => [c.f32("a", ["T", "B", 2]), c.f32("b", ["T", "B", 2])]) },
    { label: "scalar", make: one("mse", (c) => [c.f32("a", []), c.f32("b", [])]) },
  ],
  one_hot: [
    { label: "ids [B], depth 4", make: one("one_hot", (c) => [c.i32("ids", ["B"], ints(c, ["B"], 0, 4))], { depth: 4 }) },
    { label: "ids [T, B], depth 3", make: one("one_hot", (c) => [c.i32("ids", ["T", "B"], ints(c, ["T", "B"], 0, 3))], { depth: 3 }) },
    { label: "scalar id, depth 5", make: one("one_hot", (c) => [c.i32("ids", [], [4])], { depth: 5 }) },
  ],
  embedding: [
    { label: "ids [B, 3] (repeats likely)", make: one("embedding", (c) => [c.f32("E", [4, 3]), c.i32("ids", ["B", 3], ints(c, ["B", 3], 0, 4))]) },
    { label: "ids [B]", make: one("embedding", (c) => [c.f32("E", [5, 2]), c.i32("ids", ["B"], ints(c, ["B"], 0, 5))]) },
    { label: "scalar id", make: one("embedding", (c) => [c.f32("E", [3, 2]), c.i32("ids", [], [1])]) },
    { label: "ids [T, B], fixed with repeats and an unused row", make: one("embedding", (c) => [c.f32("E", [4, 3]), c.i32("ids", ["T", "B"], [0, 2, 0, 2, 2, 1])]), dims: FIXED },
  ],
  scatter_rows: [
    { label: "g [B, 3, 2] into 4 rows", make: one("scatter_rows", (c) => [c.f32("g", ["B", 3, 2]), c.i32("ids", ["B", 3], ints(c, ["B", 3], 0, 4))], { rows: 4 }) },
    { label: "g [B, 3] into 2 rows", make: one("scatter_rows", (c) => [c.f32("g", ["B", 3]), c.i32("ids", ["B"], ints(c, ["B"], 0, 2))], { rows: 2 }) },
    { label: "g [T, B, 2] into 5 rows, fixed ids (rows 1, 4 unused)", make: one("scatter_rows", (c) => [c.f32("g", ["T", "B", 2]), c.i32("ids", ["T", "B"], [0, 3, 3, 2, 0, 3])], { rows: 5 }), dims: FIXED },
  ],

  concat: [
    { label: "axis 0: [2, B, 3] ++ [3, B, 3]", make: one("concat", (c) => [c.f32("a", [2, "B", 3]), c.f32("b", [3, "B", 3])], { axis: 0 }) },
    { label: "axis -1: [B, 2] ++ [B, 3] ++ [B, 1]", make: one("concat", (c) => [c.f32("a", ["B", 2]), c.f32("b", ["B", 3]), c.f32("c", ["B", 1])], { axis: -1 }) },
    { label: "default axis: [T, B, 1] ++ [T, B, 2]", make: one("concat", (c) => [c.f32("a", ["T", "B", 1]), c.f32("b", ["T", "B", 2])]) },
    { label: "axis 1 of rank 3: [B, 2, 2] ++ [B, 1, 2]", make: one("concat", (c) => [c.f32("a", ["B", 2, 2]), c.f32("b", ["B", 1, 2])], { axis: 1 }) },
    { label: "a single operand", make: one("concat", (c) => [c.f32("a", ["B", 2])]) },
    { label: "the same value twice", make: one("concat", (c) => { const a = c.f32("a", ["B", 2]); return [a, a]; }) },
  ],
  slice: [
    { label: "axis -1, middle window", make: one("slice", (c) => [c.f32("x", ["B", 5])], { axis: -1, start: 1, size: 3 }) },
    { label: "axis 0, leading window", make: one("slice", (c) => [c.f32("x", [4, "B", 2])], { axis: 0, start: 0, size: 2 }) },
    { label: "axis 1 of rank 3, trailing window", make: one("slice", (c) => [c.f32("x", ["B", 4, 2])], { axis: 1, start: 2, size: 2 }) },
    { label: "default axis, whole axis", make: one("slice", (c) => [c.f32("x", ["B", 3])], { start: 0, size: 3 }) },
    { label: "axis -1 of [T, B, 6], one column", make: one("slice", (c) => [c.f32("x", ["T", "B", 6])], { axis: -1, start: 4, size: 1 }) },
  ],
  pad: [
    { label: "axis 1", make: one("pad", (c) => [c.f32("x", ["B", 3])], { axis: 1, before: 1, after: 2 }) },
    { label: "axis 0, before only", make: one("pad", (c) => [c.f32("x", [2, "B", 2])], { axis: 0, before: 2, after: 0 }) },
    { label: "axis 2 of rank 3, after only", make: one("pad", (c) => [c.f32("x", ["T", "B", 2])], { axis: 2, before: 0, after: 3 }) },
    { label: "negative axis -1", make: one("pad", (c) => [c.f32("x", ["B", 3])], { axis: -1, before: 1, after: 2 }) },
  ],
  sequence_mask: [
    { label: "lengths [B] in [0, T] like [T, B, 2]", make: one("sequence_mask", (c) => [c.i32("len", ["B"], ints(c, ["B"], 0, c.dims.T + 1)), c.f32("like", ["T", "B", 2])]) },
    { label: "like [T, B]", make: one("sequence_mask", (c) => [c.i32("len", ["B"], ints(c, ["B"], 0, c.dims.T + 1)), c.f32("like", ["T", "B"])]) },
    { label: "lengths beyond T and 0", make: one("sequence_mask", (c) => [c.i32("len", ["B"], [7, 0]), c.f32("like", ["T", "B", 1])]), dims: FIXED },
  ],
};

t.test("every op has a kernel, and every kernel a case here", async (t) => {
  const ops = allOps();
  t.ok(ops.length > 30, "the registry is populated");
  for (const def of ops) {
    if (def.name === "scan") {
      t.notOk(kernels.has("scan"), "scan is lowered by the compiler itself (section 3), not by a kernel");
      continue;
    }
    t.ok(kernels.has(def.name), `${def.name} has a kernel`);
  }
  for (const op of kernels.keys()) t.ok(cases[op] && cases[op]!.length > 0, `kernel ${op} has a test case`);
  for (const op of Object.keys(cases)) t.ok(kernels.has(op), `case ${op} names a kernel`);
});

/**
 * Known bug in compiler/lower/kernels.ts (see the final report): the `sign` kernel puts its
 * operand's load expression in two places of the binaryen tree (binaryen IR must be a tree).
 * Unoptimized, the module is right; the optimizer assumes a tree: -O1/-O2 compute 0 for every
 * element and -O3 aborts inside binaryen (a LocalCSE assertion). Such an abort also leaves the
 * process's binaryen broken — later compiles come out wrong — so the affected parts must not run:
 * they are `todo`, and each such variant also runs at -O0, where the kernel is right.
 * (softmax and log_softmax reuse one index expression for their load and store too, but every
 * level computes them correctly: not marked.)
 */
const SIGN_BUG = "bug: the sign kernel uses its operand's load expression twice (a DAG in binaryen IR): -O3 aborts in LocalCSE, -O1/-O2 compute 0";
// fixed: the sign kernel now reads its operand once (kept as the record of what was found)
void SIGN_BUG;
const BUGS: Record<string, { forward?: string; vjp?: string }> = {};
const todo = (why: string | undefined) => (why ? { todo: why } : {});

for (const [op, variants] of Object.entries(cases)) {
  t.test(`op ${op}`, async (t) => {
    for (const v of variants) {
      t.test(v.label, v.todo ? { todo: v.todo } : {}, async (t) => {
        const runs = (v.dims ?? DIMS).map((d) => v.make(d));
        const g = runs[0]!.graph;
        const valueSets = runs.map((c) => c.values);
        t.ok(g.nodes.some((n) => n.op === op), `the graph contains a ${op} node`);
        const bug = BUGS[op];
        const tol = v.tol ?? OP_TOL;
        t.test("forward", todo(bug?.forward), (t) => checkForward(t, g, valueSets, stats.opFwd, 3, tol));
        if (!v.forwardOnly) t.test("VJP", todo(bug?.vjp), (t) => checkVjp(t, g, valueSets, stats.opVjp, 3, tol));
        if (bug) {
          t.test("forward and VJP at -O0 (unoptimized: the kernel is right)", async (t) => {
            await checkForward(t, g, valueSets, stats.opFwd, 0, tol);
            await checkVjp(t, g, valueSets, stats.opVjp, 0, tol);
          });
        }
      });
    }
  });
}

t.test("an out-of-range id traps in WebAssembly as it throws in the interpreter", async (t) => {
  const c = new Case({ B: 2, T: 1 });
  const E = c.f32("E", [3, 2]);
  const ids = c.i32("ids", ["B"], [1, 3]);
  c.out(c.b.op("embedding", [E, ids]));
  t.throws(() => c.run(), RnncError, "the interpreter refuses id 3 of a 3-row table");
  const gm = await compiled(c.graph);
  await t.rejects(runGraphModule(gm, c.values), WebAssembly.RuntimeError, "the module traps");
  const neg = [c.values[0]!, tensor([2], [0, -1], "i32")];
  await t.rejects(runGraphModule(gm, neg), WebAssembly.RuntimeError, "a negative id traps too");
});

// ---- 2. every example cell as a program -------------------------------------------------------------

const CELLS = ["elman", "lstm", "lstm-noforget", "gru"] as const;
const CELL_SIZES = [{ I: 3, H: 5 }, { I: 8, H: 16 }];
const CELL_DIMS: Dims[] = [{ B: 1, T: 1 }, { B: 1, T: 7 }, { B: 3, T: 1 }, { B: 3, T: 7 }];

const programs = new Map<string, { p: Program; vjp: Graph }>();
/** A cell file as a program (graph inputs: params ++ xs ++ initial states) and its full VJP graph. */
function program(cell: string, sizes: Record<string, number>): { p: Program; vjp: Graph } {
  const key = `${cell} ${JSON.stringify(sizes)}`;
  let e = programs.get(key);
  if (!e) {
    const p = loadProgram(fileURLToPath(new URL(`../../examples/cells/${cell}.json`, import.meta.url)), sizes);
    e = { p, vjp: vjpGraph(p.graph, p.graph.inputs).graph };
    programs.set(key, e);
  }
  return e;
}

/** Values for a program's inputs: params uniform in [-0.5, 0.5], xs and initial states in [-1, 1]. */
function programValues(p: Program, dims: Dims, seed: number): Tensor[] {
  const c = new Case(dims, seed);
  const params = new Set(p.params.map((x) => x.name));
  return p.graph.inputs.map((n) => c.draw(concrete(p.graph.types.get(n)!.shape, dims), params.has(n) ? { lo: -0.5, hi: 0.5 } : { lo: -1, hi: 1 }));
}

function programLabels(p: Program): string[] {
  return [...p.outputs.map((o) => `output ${o.name}`), ...p.states.map((s) => `final ${s.name}`)];
}

for (const cell of CELLS) {
  for (const sizes of CELL_SIZES) {
    t.test(`cell ${cell} (I=${sizes.I}, H=${sizes.H}): forward and full VJP`, async (t) => {
      const { p, vjp } = program(cell, sizes);
      const g = p.graph;
      t.equal(g.outputs.length, p.outputs.length + p.states.length, "outputs ++ final states");
      const [fm, vm] = await Promise.all([compiled(g), compiled(vjp)]);
      // one instance each for every (B, T): memory grows and is reused across runs
      const [fi, vi] = await Promise.all([instantiate(fm), instantiate(vm)]);
      for (const [k, dims] of CELL_DIMS.entries()) {
        const pre = `[B=${dims.B}, T=${dims.T}] `;
        const values = programValues(p, dims, 11 + k);
        const want = runGraph(g, values);
        expectClose(t, runInstance(fm, fi, values), want, programLabels(p), stats.cellFwd, `${pre}forward: `);
        const vin = [...values, ...cotangents(g, want, 31 + k)];
        const vwant = runGraph(vjp, vin);
        const grads = vwant.slice(g.outputs.length);
        t.ok(grads.every((x) => x.data.some((v) => Math.abs(v) > 1e-3)), `${pre}every gradient is non-trivial`);
        expectClose(t, runInstance(vm, vi, vin), vwant, [...programLabels(p), ...g.inputs.map((n) => `d/d${n}`)], stats.cellVjp, `${pre}VJP: `);
      }
    });
  }
}

t.test("wasmBackend compiles a graph once and runs it at any (B, T)", async (t) => {
  const { p } = program("elman", { I: 3, H: 5 });
  const be = wasmBackend();
  t.equal(be.name, "wasm");
  for (const [k, dims] of [{ B: 2, T: 4 }, { B: 1, T: 9 }, { B: 2, T: 4 }].entries()) {
    const values = programValues(p, dims, 5 + k);
    expectClose(t, await be.run(p.graph, values), runGraph(p.graph, values), programLabels(p), stats.cellFwd, `[B=${dims.B}, T=${dims.T}] `);
  }
});

// ---- 3. scans -------------------------------------------------------------------------------------------

const SI = 2; // the scans' input width
const W_RANGE = { lo: -0.7, hi: 0.7 };

interface CellScanSpec {
  kind: "elman" | "lstm";
  H: number;
  B: number;
  T: number;
  reverse?: boolean;
  lengths?: number[];
  truncate?: number;
  seed?: number;
}

/** A scan of an Elman or LSTM-like body over xs [T, B, 2]: outputs final carries, then ys. */
function cellScan(s: CellScanSpec): Case {
  const c = new Case({ B: s.B, T: s.T }, s.seed ?? 17);
  const gates = s.kind === "lstm" ? 4 : 1;
  const consts = [c.f32("W", [gates * s.H, SI], W_RANGE), c.f32("U", [gates * s.H, s.H], W_RANGE), c.f32("b", [gates * s.H], { lo: -0.5, hi: 0.5 })];
  const inits = (s.kind === "lstm" ? ["h0", "c0"] : ["h0"]).map((n) => c.f32(n, ["B", s.H]));
  const xs = c.f32("xs", ["T", "B", SI]);
  const len = s.lengths ? c.i32("len", ["B"], s.lengths) : undefined;
  const body = s.kind === "elman" ? elmanBody({ I: SI, H: s.H }) : lstmBody({ I: SI, H: s.H });
  return c.out(...emitScan(c.b, body, consts, inits, [xs], { reverse: s.reverse ?? false, lengths: len, truncate: s.truncate }));
}

interface ScanVariant {
  label: string;
  make: () => Case;
  /** false: the VJP is refused by design (checked to throw); forward only */
  vjp?: boolean;
  /** lengths and the index of the ys output: padded steps must be exactly zero in wasm too */
  padded?: { lengths: number[]; ys: number };
  todo?: string;
}

const LENGTH_MODES: [string, Partial<CellScanSpec>][] = [
  ["forward", {}],
  ["reverse", { reverse: true }],
  ["lengths [7, 3, 1]", { lengths: [7, 3, 1] }],
  ["reverse, lengths [7, 3, 1]", { reverse: true, lengths: [7, 3, 1] }],
  ["lengths [0, 7, 4]: an empty and a full sequence", { lengths: [0, 7, 4] }],
  ["truncate 3", { truncate: 3 }],
  ["reverse, truncate 3", { reverse: true, truncate: 3 }],
  ["truncate 3, lengths [7, 5, 2]", { truncate: 3, lengths: [7, 5, 2] }],
  ["reverse, truncate 1, lengths [7, 3, 1]", { reverse: true, truncate: 1, lengths: [7, 3, 1] }],
];

const scanVariants: ScanVariant[] = [];
// H = 4 and 2 make power-of-two row widths, which the optimizer treats differently (multiplications
// become shifts) in the masked row copies of scans with lengths: elman H=4 runs those modes only
for (const [kind, H] of [["elman", 3], ["elman", 4], ["lstm", 2]] as const) {
  for (const [label, spec] of LENGTH_MODES) {
    if (H === 4 && !spec.lengths) continue;
    const nK = kind === "lstm" ? 2 : 1;
    scanVariants.push({
      label: `${kind} H=${H}: ${label}`,
      make: () => cellScan({ kind, H, B: 3, T: 7, ...spec }),
      ...(spec.lengths ? { padded: { lengths: spec.lengths, ys: nK } } : {}),
    });
  }
}

/** Generation: h' = tanh(U h + b), y = sigmoid(V h') from the initial state only, `steps` 6. */
function generation(reverse: boolean): Case {
  const H = 3;
  const body = bodyBuilder();
  const U = body.input("U", f32t([H, H]));
  const bb = body.input("b", f32t([H]));
  const V = body.input("V", f32t([2, H]));
  const h = body.input("h", f32t(["B", H]));
  const h2 = body.op("tanh", [body.add(body.op("matmul", [U, h]), bb)]);
  body.graph.outputs = [h2, body.op("sigmoid", [body.op("matmul", [V, h2])])];
  const c = new Case({ B: 2, T: 6 }, 23);
  const consts = [c.f32("U", [H, H]), c.f32("b", [H], W_RANGE), c.f32("V", [2, H])];
  const h0 = c.f32("h0", ["B", H]);
  return c.out(...emitScan(c.b, body.graph, consts, [h0], [], { steps: 6, reverse }));
}

const IDS = [0, 2, 2, 3, 1, 1, 0, 2, 2, 3, 3, 0, 1, 0, 0, 2, 3, 1, 3, 1, 0]; // [T=7, B=3], repeats, every id of 4

/** Token ids [T, B] into an embedding inside an Elman body. */
function embeddingScan(opts: { reverse?: boolean; lengths?: number[] }): Case {
  const V = 4, H = 3;
  const c = new Case({ B: 3, T: 7 }, 31);
  const consts = [c.f32("E", [V, SI]), c.f32("W", [H, SI], W_RANGE), c.f32("U", [H, H], W_RANGE), c.f32("b", [H], W_RANGE)];
  const h0 = c.f32("h0", ["B", H]);
  const xs = c.i32("ids", ["T", "B"], IDS);
  const len = opts.lengths ? c.i32("len", ["B"], opts.lengths) : undefined;
  return c.out(...emitScan(c.b, elmanBody({ I: SI, H }, { vocab: V }), consts, [h0], [xs], { reverse: opts.reverse ?? false, lengths: len }));
}

/** The body emits its integer input as a per-step output (an i32 y). */
function idPassThrough(): Case {
  const V = 4, H = 3;
  const body = bodyBuilder();
  const E = body.input("E", f32t([V, H]));
  const h = body.input("h", f32t(["B", H]));
  const id = body.input("id", i32t(["B"]));
  const h2 = body.op("tanh", [body.add(h, body.op("embedding", [E, id]))]);
  body.graph.outputs = [h2, id, h2];
  const c = new Case({ B: 3, T: 7 }, 37);
  const e0 = c.f32("E", [V, H]);
  const h0 = c.f32("h0", ["B", H]);
  const xs = c.i32("ids", ["T", "B"], IDS);
  return c.out(...emitScan(c.b, body.graph, [e0], [h0], [xs]));
}

/** A cross_entropy per step inside the body (as a y, or accumulated in an unbatched carry), plus an outer sum. */
function lossScan(reduction: "none" | "mean", opts: { lengths?: number[]; reverse?: boolean; accumulate?: boolean }): Case {
  const H = 3, C = 4;
  const b = bodyBuilder();
  const W = b.input("W", f32t([H, SI]));
  const U = b.input("U", f32t([H, H]));
  const bias = b.input("b", f32t([H]));
  const Vw = b.input("V", f32t([C, H]));
  const h = b.input("h", f32t(["B", H]));
  const acc = opts.accumulate ? b.input("acc", f32t([])) : null;
  const x = b.input("x", f32t(["B", SI]));
  const tg = b.input("target", i32t(["B"]));
  const h2 = b.op("tanh", [b.add(b.add(b.op("matmul", [W, x]), b.op("matmul", [U, h])), bias)]);
  const loss = b.op("cross_entropy", [b.op("matmul", [Vw, h2]), tg], { reduction });
  b.graph.outputs = acc ? [h2, b.add(acc, loss), loss] : [h2, loss];
  const c = new Case({ B: 3, T: 7 }, 41);
  const consts = [c.f32("W", [H, SI], W_RANGE), c.f32("U", [H, H], W_RANGE), c.f32("b", [H], W_RANGE), c.f32("V", [C, H])];
  const inits = [c.f32("h0", ["B", H]), ...(opts.accumulate ? [c.f32("acc0", [])] : [])];
  const xs = [c.f32("xs", ["T", "B", SI]), c.i32("targets", ["T", "B"], IDS)];
  const len = opts.lengths ? c.i32("len", ["B"], opts.lengths) : undefined;
  const outs = emitScan(c.b, b.graph, consts, inits, xs, { reverse: opts.reverse ?? false, lengths: len });
  return c.out(...outs, c.b.op("sum", [outs[outs.length - 1]!]));
}

/** h' = tanh(h + x + b), y = sum(h'): a y without a batch dim (forward defined with lengths, BPTT refused). */
function unbatchedY(): Case {
  const bb = bodyBuilder();
  const b = bb.input("b", f32t([1])), h = bb.input("h", f32t(["B", 1])), x = bb.input("x", f32t(["B", 1]));
  const h2 = bb.op("tanh", [bb.add(bb.add(h, x), b)]);
  bb.graph.outputs = [h2, bb.op("sum", [h2])];
  const c = new Case({ B: 3, T: 7 }, 1);
  const b0 = c.f32("b", [1]);
  const h0 = c.f32("h0", ["B", 1]);
  const xs = c.f32("xs", ["T", "B", 1]);
  const len = c.i32("len", ["B"], [7, 3, 1]);
  return c.out(...emitScan(c.b, bb.graph, [b0], [h0], [xs], { lengths: len }));
}

/** A batched const (a per-example context). */
function batchedConst(lengths: number[] | null): Case {
  const bb = bodyBuilder();
  const ctx = bb.input("ctx", f32t(["B", 2])), h = bb.input("h", f32t(["B", 2])), x = bb.input("x", f32t(["B", 2]));
  const h2 = bb.op("tanh", [bb.add(bb.mul(h, ctx), x)]);
  bb.graph.outputs = [h2, bb.mul(h2, ctx)];
  const c = new Case({ B: 2, T: 5 }, 101);
  const cx = c.f32("ctx", ["B", 2]), h0 = c.f32("h0", ["B", 2]), xs = c.f32("xs", ["T", "B", 2]);
  const len = lengths ? c.i32("len", ["B"], lengths) : undefined;
  return c.out(...emitScan(c.b, bb.graph, [cx], [h0], [xs], { lengths: len }));
}

/** A carry the body ignores, a carry passed through unchanged, a const emitted as a y. */
function oddCarries(lengths: number[] | null): Case {
  const bb = bodyBuilder();
  const W = bb.input("W", f32t([2, 2])), k = bb.input("k", f32t(["B", 2]));
  bb.input("h", f32t(["B", 2]));
  const x = bb.input("x", f32t(["B", 2]));
  const h2 = bb.op("tanh", [bb.op("matmul", [W, x])]);
  bb.graph.inputs = ["W", "h", "k", "x"];
  bb.graph.outputs = [h2, k, W, bb.mul(h2, k)];
  const c = new Case({ B: 2, T: 5 }, 103);
  const W0 = c.f32("W", [2, 2]), h0 = c.f32("h0", ["B", 2]), k0 = c.f32("k0", ["B", 2]), xs = c.f32("xs", ["T", "B", 2]);
  const len = lengths ? c.i32("len", ["B"], lengths) : undefined;
  return c.out(...emitScan(c.b, bb.graph, [W0], [h0, k0], [xs], { lengths: len }));
}

/** The same value as two initial carries and as two xs. */
function sharedInputs(): Case {
  const bb = bodyBuilder();
  const h = bb.input("h", f32t(["B", 2])), k = bb.input("k", f32t(["B", 2]));
  const x = bb.input("x", f32t(["B", 2])), x2 = bb.input("x2", f32t(["B", 2]));
  const h2 = bb.op("tanh", [bb.add(bb.mul(h, k), bb.mul(x, x2))]);
  bb.graph.outputs = [h2, bb.op("sigmoid", [bb.add(k, h2)]), h2];
  const c = new Case({ B: 2, T: 5 }, 109);
  const h0 = c.f32("h0", ["B", 2]), xs = c.f32("xs", ["T", "B", 2]);
  return c.out(...emitScan(c.b, bb.graph, [], [h0, h0], [xs, xs]));
}

/** A 2-layer RNN: the second (reverse) scan runs over the first one's ys. */
function stackedScans(): Case {
  const c = new Case({ B: 2, T: 6 }, 97);
  const W = c.f32("W", [3, SI], W_RANGE), U = c.f32("U", [3, 3], W_RANGE), b = c.f32("b", [3], W_RANGE);
  const h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", SI]);
  const [, ys1] = emitScan(c.b, elmanBody({ I: SI, H: 3 }), [W, U, b], [h0], [xs]);
  const W2 = c.f32("W2", [2, 3], W_RANGE), U2 = c.f32("U2", [2, 2], W_RANGE), b2 = c.f32("b2", [2], W_RANGE);
  const h20 = c.f32("h20", ["B", 2]);
  const [hT2, ys2] = emitScan(c.b, elmanBody({ I: 3, H: 2 }), [W2, U2, b2], [h20], [ys1!], { reverse: true });
  return c.out(hT2!, c.b.op("mean", [ys2!]));
}

/** An outer per-step loss masked with sequence_mask and `where`, normalized by the mask's sum. */
function maskedLoss(): Case {
  const c = new Case({ B: 3, T: 7 }, 113);
  const W = c.f32("W", [3, SI], W_RANGE), U = c.f32("U", [3, 3], W_RANGE), b = c.f32("b", [3], W_RANGE);
  const h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", SI]);
  const V = c.f32("V", [4, 3]);
  const tg = c.i32("targets", ["T", "B"], IDS);
  const len = c.i32("len", ["B"], [7, 3, 1]);
  const [, ys] = emitScan(c.b, elmanBody({ I: SI, H: 3 }), [W, U, b], [h0], [xs], { lengths: len });
  const per = c.b.op("cross_entropy", [c.b.op("matmul", [V, ys!]), tg], { reduction: "none" });
  const mask = c.b.op("sequence_mask", [len, ys!]);
  const masked = c.b.op("where", [mask, per, c.b.scalar(0)]);
  return c.out(c.b.div(c.b.op("sum", [masked]), c.b.op("sum", [mask])));
}

scanVariants.push(
  { label: "generation: `steps` 6, no xs", make: () => generation(false) },
  { label: "generation: `steps` 6, reverse", make: () => generation(true) },
  { label: "integer xs: token ids into an embedding in the body", make: () => embeddingScan({}) },
  { label: "integer xs, reverse with lengths [7, 3, 1]", make: () => embeddingScan({ reverse: true, lengths: [7, 3, 1] }), padded: { lengths: [7, 3, 1], ys: 1 } },
  { label: "integer xs with lengths [2, 7, 5]", make: () => embeddingScan({ lengths: [2, 7, 5] }), padded: { lengths: [2, 7, 5], ys: 1 } },
  { label: "an i32 per-step output (the ids passed through)", make: idPassThrough },
  { label: "cross_entropy per step, per-example losses", make: () => lossScan("none", {}) },
  { label: "cross_entropy per step, lengths [7, 3, 1]", make: () => lossScan("none", { lengths: [7, 3, 1] }), padded: { lengths: [7, 3, 1], ys: 1 } },
  { label: "cross_entropy per step, reverse with lengths [7, 3, 1]", make: () => lossScan("none", { lengths: [7, 3, 1], reverse: true }), padded: { lengths: [7, 3, 1], ys: 1 } },
  { label: "cross_entropy per step, a scalar mean loss", make: () => lossScan("mean", {}) },
  { label: "cross_entropy per step, accumulated in an unbatched carry", make: () => lossScan("mean", { accumulate: true }) },
  { label: "an unbatched y with lengths [7, 3, 1] (forward only: BPTT refuses it)", make: unbatchedY, vjp: false },
  { label: "a batched const", make: () => batchedConst(null) },
  { label: "a batched const, lengths [3, 1]", make: () => batchedConst([3, 1]), padded: { lengths: [3, 1], ys: 1 } },
  { label: "a carry ignored, a carry passed through, a const as y", make: () => oddCarries(null) },
  { label: "a carry ignored, a carry passed through, a const as y, lengths [3, 1] (forward only)", make: () => oddCarries([3, 1]), vjp: false },
  { label: "the same value as two initial carries and as two xs", make: sharedInputs },
  { label: "two stacked scans, the second reverse over the first's ys", make: stackedScans },
  { label: "an outer loss masked with sequence_mask", make: maskedLoss },
);

/** Max |x| over steps t ≥ lengths[b] of ys [T, B, ...]. */
function paddedMax(ys: Tensor, lengths: number[]): number {
  const [T, B] = ys.shape as [number, number];
  const n = ys.data.length / (T * B);
  let m = 0;
  for (let b = 0; b < B; b++) for (let s = lengths[b]!; s < T; s++) for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(ys.data[(s * B + b) * n + j]!));
  return m;
}

/**
 * Known bug in compiler/lower/compile.ts (see the final report): with lengths, emitScan's masked
 * row copies use one row-width expression (`w = rowsOf(...)`) five times in the tree. Unoptimized
 * the scan is right; -O1/-O2 compute wrong values and -O3 emits a module that does not validate
 * (or traps out of bounds). Every graph with a `has_lengths` scan (its BPTT scan has lengths too)
 * is `todo` at -O3 and also runs at -O0.
 */
const LENGTHS_BUG = "bug: a scan with lengths reuses its row-width expression in several places of the binaryen tree: -O3 emits an invalid module (or traps), -O1/-O2 compute wrong values";

async function scanForward(t: Test, v: ScanVariant, c: Case, optimize: number): Promise<void> {
  const g = c.graph;
  const gm = await compiled(g, optimize);
  const got = await runPoisoned(gm, c.values);
  t.same(got.violations, [], "memory outside the outputs and scratch is untouched");
  expectClose(t, got.outs, runGraph(g, c.values), outputLabels(g), stats.scanFwd);
  if (v.padded) t.equal(paddedMax(got.outs[v.padded.ys]!, v.padded.lengths), 0, "ys past each length are exactly zero");
}

t.test("scans", async (t) => {
  for (const v of scanVariants) {
    t.test(v.label, v.todo ? { todo: v.todo } : {}, async (t) => {
      const c = v.make();
      const g = c.graph;
      t.ok(g.nodes.some((n) => n.op === "scan"), "the graph has a scan");
      // fixed: the masked row copies rebuild their width expression at each use
      void LENGTHS_BUG;
      const bug: string | undefined = undefined;
      t.test("forward", todo(bug), (t) => scanForward(t, v, c, 3));
      if (v.vjp === false) t.throws(() => vjpGraph(g, c.floatInputs()), RnncError, "BPTT is refused (by design)");
      else t.test("VJP", todo(bug), (t) => checkVjp(t, g, [c.values], stats.scanVjp));
      if (bug) {
        t.test("forward and VJP at -O0 (unoptimized: the scan is right)", async (t) => {
          await scanForward(t, v, c, 0);
          if (v.vjp !== false) await checkVjp(t, g, [c.values], stats.scanVjp, 0);
        });
      }
    });
  }
});

t.test("a scan nested in a scan body is refused with a clear error (a documented limitation)", async (t) => {
  const inner = bodyBuilder();
  const Ui = inner.input("U", f32t([2, 2])), hi = inner.input("h", f32t(["B", 2]));
  const hn = inner.op("tanh", [inner.op("matmul", [Ui, hi])]);
  inner.graph.outputs = [hn, hn];
  const outer = bodyBuilder();
  const Uo = outer.input("U", f32t([2, 2])), h = outer.input("h", f32t(["B", 2])), x = outer.input("x", f32t(["B", 2]));
  const [hI, ysI] = emitScan(outer, inner.graph, [Uo], [outer.add(h, x)], [], { steps: 2 });
  outer.graph.outputs = [hI!, outer.op("sum", [ysI!], { axis: 0 })];
  const c = new Case({ B: 2, T: 3 }, 107);
  const U0 = c.f32("U", [2, 2]), h0 = c.f32("h0", ["B", 2]), xs = c.f32("xs", ["T", "B", 2]);
  c.out(...emitScan(c.b, outer.graph, [U0], [h0], [xs]));
  await t.rejects(compileGraph(c.graph), new RnncError("the WebAssembly backend does not lower a scan nested inside a scan body yet"));
});

// ---- 4. one module, many shapes -------------------------------------------------------------------

t.test("one module, many (B, T): (1, 1), (2, 10), (5, 37), (3, 10000)", async (t) => {
  const sizes = { I: 3, H: 4 };
  const { p, vjp } = program("lstm", sizes);
  const g = p.graph;
  const gm = await compileGraph(g);
  const again = await compileGraph(g);
  const reloaded = await compileGraph(loadProgram(fileURLToPath(new URL("../../examples/cells/lstm.json", import.meta.url)), sizes).graph);
  t.ok(Buffer.from(gm.wasm).equals(Buffer.from(again.wasm)), "compiling the same graph twice gives identical bytes");
  t.ok(Buffer.from(gm.wasm).equals(Buffer.from(reloaded.wasm)), "so does compiling the same cell loaded again");
  t.ok(gm.memoryBytes[2] !== 0 || gm.memoryBytes[3] !== 0, "the memory plan (unlike the code) depends on T");

  const instance = await instantiate(gm);
  const memory = memoryOf(instance);
  const initial = memory.buffer.byteLength;
  const vm = await compiled(vjp);
  const vi = await instantiate(vm);
  const params = programValues(p, { B: 1, T: 1 }, 1).slice(0, p.params.length); // the same weights for every run
  const valuesAt = (B: number, T: number) => [...params, ...programValues(p, { B, T }, B * 100003 + T).slice(p.params.length)];
  const labels = programLabels(p);
  let first: Tensor[] = [];
  for (const [B, T] of [[1, 1], [2, 10], [5, 37], [3, 10000]] as const) {
    const pre = `[B=${B}, T=${T}] `;
    const values = valuesAt(B, T);
    const want = runGraph(g, values);
    const got = runInstance(gm, instance, values);
    t.ok(memory.buffer.byteLength >= evalPoly(gm.memoryBytes, B, T), `${pre}memory holds the ${evalPoly(gm.memoryBytes, B, T)} bytes B, T need`);
    if (T === 10) first = got;
    if (T <= 37) {
      expectClose(t, got, want, labels, stats.shapes, pre);
      // and the backward pass, also one module for every shape
      const vin = [...values, ...cotangents(g, want, B + T)];
      expectClose(t, runInstance(vm, vi, vin), runGraph(vjp, vin), [...labels, ...g.inputs.map((n) => `d/d${n}`)], stats.shapes, `${pre}VJP: `);
      continue;
    }
    // T = 10000: the final states and the last step of the output
    const last = (x: Tensor) => tensor([1, ...x.shape.slice(1)], x.data.subarray(x.data.length - x.data.length / x.shape[0]!));
    const nY = p.outputs.length;
    expectClose(t, [...got.slice(0, nY).map(last), ...got.slice(nY)], [...want.slice(0, nY).map(last), ...want.slice(nY)], labels, stats.longT, `${pre}last step: `);
  }
  t.ok(memory.buffer.byteLength > initial, `memory grew from ${initial} to ${memory.buffer.byteLength} bytes`);
  const rerun = runInstance(gm, instance, valuesAt(2, 10));
  t.ok(rerun.every((x, i) => Buffer.from(Float64Array.from(x.data).buffer).equals(Buffer.from(Float64Array.from(first[i]!.data).buffer))),
    "(2, 10) again after (3, 10000): bit-identical results from the grown memory");
});

// ---- 5. -O0 and -O3 ------------------------------------------------------------------------------------

t.test("-O0 and -O3 modules agree, and -O3 is smaller", async (t) => {
  const dims = { B: 3, T: 7 };
  for (const cell of CELLS) {
    const { p, vjp } = program(cell, { I: 3, H: 5 });
    const values = programValues(p, dims, 71);
    const cts = cotangents(p.graph, runGraph(p.graph, values), 73);
    const runs: [string, Graph, Tensor[], string[]][] = [
      ["forward", p.graph, values, programLabels(p)],
      ["VJP", vjp, [...values, ...cts], [...programLabels(p), ...p.graph.inputs.map((n) => `d/d${n}`)]],
    ];
    for (const [what, g, ins, labels] of runs) {
      const [o0, o3] = await Promise.all([compiled(g, 0), compiled(g, 3)]);
      t.ok(o3.wasm.length < o0.wasm.length, `${cell} ${what}: -O3 is ${o3.wasm.length} bytes, -O0 ${o0.wasm.length}`);
      const [r0, r3] = await Promise.all([runPoisoned(o0, ins), runPoisoned(o3, ins)]);
      t.same([...r0.violations, ...r3.violations], [], `${cell} ${what}: memory outside the outputs and scratch is untouched`);
      expectClose(t, r3.outs, r0.outs, labels, stats.opt, `${cell} ${what}, -O3 vs -O0: `);
    }
  }
});

t.test("summary of the measured errors", async (t) => {
  for (const s of Object.values(stats)) if (s.tensors) t.comment(s.summary());
  t.pass("see the comments");
});
