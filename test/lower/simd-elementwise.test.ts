/**
 * SIMD elementwise loops and fused loops (compiler/lower/elementwise.ts), held to two oracles:
 *
 * 1. the scalar loops, bit for bit: every lane operation is exactly rounded IEEE arithmetic or bit
 *    manipulation with the same semantics in f32 and f32x4, and exp/log/tanh/sigmoid's vector
 *    versions are bit-identical to the scalar ones (docs/math.md), so a module compiled with
 *    `elementwiseOptions.simd = false` must give the same bits — for every op, on special values
 *    (NaN, ±0, ±Inf, denormals, huge, the branch points of the approximations), for inner extents
 *    1…17 and run-time ones (vector body, tail, splatted broadcasts, in-place slices), and for the
 *    fused graphs of every example cell;
 * 2. the f64 interpreter, within the backend suite's tolerances: the fused graphs of every example
 *    cell, forward and backward, with and without lengths, on poisoned memory (so a loop that
 *    reads or writes outside its tensors — a vector body running past a row, a tail missing one —
 *    shows up as NaN, a trap or a violation).
 */
import t, { type Test } from "tap";
import { fileURLToPath } from "node:url";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { loadProgram } from "../../compiler/frontend/program.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import type { Graph, Shape } from "../../compiler/ir/types.ts";
import { compileGraph, compileProgram } from "../../compiler/lower/compile.ts";
import type { GraphModule } from "../../compiler/lower/compile.ts";
import { elementwiseOptions, LANE_OPS } from "../../compiler/lower/elementwise.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { eliminateDeadCode } from "../../compiler/passes/dce.ts";
import { fuseElementwise } from "../../compiler/passes/fuse-elementwise.ts";
import { optimizeGraph } from "../../compiler/passes/index.ts";
import { Case, concrete, size, tensor } from "../ops/_helpers.ts";
import type { Dims, Tensor } from "../ops/_helpers.ts";
import { ErrorStats, expectClose, instantiate, memoryOf, runPoisoned } from "./_wasm.ts";
import { runInstance } from "../../compiler/lower/backend.ts";
import { VECTOR_MATH_CONSTANTS_BYTES } from "../../compiler/lower/mathfns.ts";
import { CONSTANTS_AT } from "../../compiler/lower/memory.ts";
import type { Tol } from "./_wasm.ts";

/** Compiles g with the SIMD loops on or off (the knob is read while the module is emitted). */
async function compileWith(g: Graph, simd: boolean): Promise<GraphModule> {
  const prev = elementwiseOptions.simd;
  elementwiseOptions.simd = simd;
  try {
    return await compileGraph(g);
  } finally {
    elementwiseOptions.simd = prev;
  }
}

/** Index of the first element whose bits differ (NaNs of any payload count as equal), or -1. */
function firstDifference(a: Tensor, b: Tensor): number {
  if (a.data.length !== b.data.length) return 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!, y = b.data[i]!;
    if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) return i;
  }
  return -1;
}

const show = (x: number) => (Object.is(x, -0) ? "-0" : String(x));

async function expectSameBits(t: Test, g: Graph, valueSets: Tensor[][], what: string): Promise<void> {
  const [vec, scalar] = [await compileWith(g, true), await compileWith(g, false)];
  t.not(Buffer.compare(Buffer.from(vec.wasm), Buffer.from(scalar.wasm)), 0, `${what}: the SIMD module differs from the scalar one`);
  for (const values of valueSets) {
    const v = await runPoisoned(vec, values), s = await runPoisoned(scalar, values);
    t.same([...v.violations, ...s.violations], [], `${what}: no access outside the planned memory or to an input`);
    v.outs.forEach((o, j) => {
      const d = firstDifference(o, s.outs[j]!);
      t.equal(d, -1, `${what}, output ${j} [${o.shape}]: SIMD and scalar loops agree bit for bit` +
        (d >= 0 ? ` (element ${d}: ${show(o.data[d]!)} vs ${show(s.outs[j]!.data[d]!)})` : ""));
    });
  }
}

// ---- 1. every lane op, bit for bit ---------------------------------------------------------------

/**
 * Special values: NaN, ±Inf, ±0, denormals, f32's extremes, and the points where the
 * approximations switch algorithm or saturate (exp's clamps at -104 and 89, tanh's 0.625 and 9.01,
 * sigmoid's 16.64, log's 2^-126).
 */
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 2 ** -126, 3.4e38, -3.4e38, 1, -1, 0.5, -0.625, 0.625, 88.72, 89.5, -104.5,
  -87.4, 9.02, -9.02, 16.64, -16.64, 1e-4, -3e-5, 2.5, -7.25, 1e20];

function values(c: Case, shape: Shape): number[] {
  const n = size(concrete(shape, c.dims));
  return Array.from({ length: n }, (_, i) => (i % 3 === 2 ? c.uniform(-3, 3) : SPECIAL[(i * 7 + n) % SPECIAL.length]!));
}

/** Operand shapes: inner extents 1–9, 16, 17 and run-time ones; broadcasts that splat or stride. */
const UNARY_SHAPES: Shape[] = [["B", 1], ["B", 2], ["B", 3], ["B", 4], ["B", 5], ["B", 7], ["B", 8], ["B", 9], ["T", "B", 16], ["B", 17], ["T", "B"], []];
const BINARY_SHAPES: [Shape, Shape][] = [
  [["B", 7], ["B", 7]], [["B", 9], [9]], [[9], ["B", 9]], [["T", "B", 5], ["B", 1]], [["B", 1], [1, 6]], [["T", 1, 12], ["B", 12]],
  [["T", "B", 16], []], [["T", "B"], ["T", "B"]], [["B", 4], ["B", 4]], [["B", 3], [3]],
];
const DIMS: Dims[] = [{ B: 1, T: 1 }, { B: 3, T: 2 }, { B: 6, T: 3 }];

/** One graph applying `op` to every shape combination (one compile per op and knob). */
function opCase(op: string, dims: Dims): Case {
  const c = new Case(dims, 13);
  const arity = op === "where" ? 3 : ["add", "sub", "mul", "div", "maximum", "greater_equal"].includes(op) ? 2 : 1;
  const outs: string[] = [];
  if (op === "float") {
    for (const [k, s] of UNARY_SHAPES.entries()) {
      const n = size(concrete(s, dims));
      const ints = Array.from({ length: n }, (_, i) => [0, -1, 1, 2 ** 24, -(2 ** 24) - 1, 2 ** 31 - 1, -(2 ** 31), 123456789][i % 8]! + (i % 5));
      outs.push(c.b.op("float", [c.i32(`n${k}`, s, ints.map((x) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, x))))]));
    }
  } else if (arity === 1) {
    for (const [k, s] of UNARY_SHAPES.entries()) outs.push(c.b.op(op, [c.f32(`x${k}`, s, values(c, s))]));
  } else if (arity === 2) {
    for (const [k, [sa, sb]] of BINARY_SHAPES.entries()) outs.push(c.b.op(op, [c.f32(`a${k}`, sa, values(c, sa)), c.f32(`b${k}`, sb, values(c, sb))]));
  } else {
    for (const [k, [sa, sb]] of BINARY_SHAPES.entries()) {
      const cond = c.f32(`c${k}`, sa, values(c, sa)); // NaN, ±0 and others as conditions
      outs.push(c.b.op(op, [cond, c.f32(`a${k}`, sb, values(c, sb)), c.f32(`b${k}`, sa, values(c, sa))]));
    }
  }
  return c.out(...outs);
}

t.test("every elementwise op: SIMD and scalar loops agree bit for bit, special values included", async (t) => {
  const ops = Object.keys(LANE_OPS);
  t.ok(ops.length >= 18, "the lane ops");
  for (const op of ops) {
    const runs = DIMS.map((d) => opCase(op, d));
    await expectSameBits(t, runs[0]!.graph, runs.map((c) => c.values), op);
  }
});

// ---- 2. the fused graphs of every example cell -----------------------------------------------------

const CELLS = ["elman", "gru", "lstm-noforget", "lstm"] as const;
const SIZES = { I: 5, H: 8 }; // H = 8: vector bodies without tails; I = 5: tails on the x side
const ODD = { I: 3, H: 6 }; // H = 6: a vector body and a tail of 2 in every row

/** Same tolerance as the backend suite's whole programs (test/lower/backend.test.ts DEEP_TOL). */
const DEEP_TOL: Tol = { rtol: 1e-4, atol: 1e-5 };
const stats = new ErrorStats("fused cells vs the interpreter", DEEP_TOL);

function random(shape: number[], rand: () => number, scale = 1): Tensor {
  return tensor(shape, Array.from({ length: size(shape) }, () => (2 * rand() - 1) * scale));
}

/** Inputs for a program's graph (or its VJP graph): f32 in [-1, 1], lengths as given. */
function inputsFor(g: Graph, dims: Dims, lengths: number[] | null, seed: number): Tensor[] {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return g.inputs.map((v) => {
    const ty = g.types.get(v)!;
    const shape = concrete(ty.shape, dims);
    if (ty.dtype === "i32") return tensor(shape, lengths ?? new Array(size(shape)).fill(dims.T), "i32");
    return random(shape, rand, 0.8);
  });
}

function fusedCount(g: Graph): number {
  return g.nodes.reduce((n, x) => n + (x.op === "fused" ? 1 : 0) + (x.op === "scan" ? fusedCount(scanAttrs(x.attrs).body) : 0), 0);
}

t.test("fused cells: WebAssembly against the interpreter, and SIMD against scalar loops", async (t) => {
  for (const cell of CELLS) {
    for (const [sizesName, sizes] of [["H=8", SIZES], ["H=6", ODD]] as const) {
      for (const lengths of [null, [5, 2, 4]]) {
        const p = loadProgram(fileURLToPath(new URL(`../../examples/cells/${cell}.json`, import.meta.url)), sizes);
        // a scan with lengths: the cell's scan node, with a lengths input added by the program loader's convention
        const g = lengths ? withLengths(p.graph) : p.graph;
        const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
        const bwd = vjpGraph(g, wrt).graph;
        const dims = { B: 3, T: 5 };
        const fwdIn = inputsFor(g, dims, lengths, 7);
        const bwdIn = [...fwdIn, ...inputsFor({ ...bwd, inputs: bwd.inputs.slice(g.inputs.length) }, dims, null, 9)];
        for (const [dir, graph, ins] of [["forward", g, fwdIn], ["backward", bwd, bwdIn]] as const) {
          const what = `${cell} ${sizesName}${lengths ? " with lengths" : ""} ${dir}`;
          t.ok(fusedCount(optimizeGraph(graph)) > 0, `${what}: the compiled graph has fused loops`);
          const gm = await compileWith(graph, true);
          const got = await runPoisoned(gm, ins);
          t.same(got.violations, [], `${what}: memory outside the outputs and scratch is untouched`);
          expectClose(t, got.outs, runGraph(graph, ins), graph.outputs, stats, `${what}: `);
          if (sizesName === "H=6") await expectSameBits(t, graph, [ins], what);
        }
      }
    }
  }
  t.comment(stats.summary());
});

/** The program graph with its scan given a `lengths` input (ragged batches). */
function withLengths(g: Graph): Graph {
  const lengths = "lengths";
  const nodes = g.nodes.map((n) => (n.op === "scan" ? { ...n, inputs: [...n.inputs, lengths], attrs: { ...n.attrs, has_lengths: true } } : n));
  return { ...g, inputs: [...g.inputs, lengths], nodes, types: new Map(g.types).set(lengths, { dtype: "i32", shape: ["B"] }) };
}

t.test("the LSTM module runs its gates as f32x4 with the vector math inline", async (t) => {
  const p = loadProgram(fileURLToPath(new URL("../../examples/cells/lstm.json", import.meta.url)), { I: 4, H: 8 });
  const { wat } = await compileProgram(p, { wat: true });
  t.notMatch(wat!, /call \$\$rnnc_(sigmoid|tanh)_v/, "no calls: sigmoid and tanh inline, 4 lanes at a time");
  t.match(wat!, /f32x4\.pmax/, "exp's clamp (sigmoid) as pmax");
  t.match(wat!, /f32x4\.pmin/, "exp's clamp (tanh) as pmin");
  t.notMatch(wat!, /f32x4\.(min|max) /, "no NaN-ordering min/max");
  t.notMatch(wat!, /v128\.const i32x4 (?!0x00000000 0x00000000 0x00000000 0x00000000)/, "every nonzero vector constant is read from the table");
  t.match(wat!, /\(data /, "the table is a data segment");
  t.match(wat!, /v128\.load/);
  t.match(wat!, /v128\.store/);
  t.notMatch(wat!, /call \$\$rnnc_sigmoid(?!_v)/, "H = 8: no scalar tail, so no scalar sigmoid");

  // by evaluation: the gate loops read the table (zeroed, the outputs change) and compute the
  // same bits with the math inline as with calls to $rnnc_*_v
  const g = p.graph;
  const ins = inputsFor(g, { B: 3, T: 5 }, null, 11);
  const inline = await compileGraph(g);
  const prev = elementwiseOptions.inlineMath;
  elementwiseOptions.inlineMath = false;
  let called: GraphModule;
  try {
    called = await compileGraph(g);
  } finally {
    elementwiseOptions.inlineMath = prev;
  }
  t.not(Buffer.compare(Buffer.from(inline.wasm), Buffer.from(called.wasm)), 0, "inlineMath: false compiles another module");
  const a = await runPoisoned(inline, ins), b = await runPoisoned(called, ins);
  t.same(a.violations, []);
  a.outs.forEach((o, j) => t.equal(firstDifference(o, b.outs[j]!), -1, `output ${j}: inline == called, bit for bit`));
  const inst = await instantiate(inline);
  const mem = memoryOf(inst);
  new Uint8Array(mem.buffer).fill(0, CONSTANTS_AT, CONSTANTS_AT + VECTOR_MATH_CONSTANTS_BYTES);
  const zeroed = runInstance(inline, inst, ins);
  t.ok(zeroed.some((o, j) => firstDifference(o, a.outs[j]!) >= 0), "with the table zeroed, the outputs differ");
});

t.test("fused loops reading slices and writing concats along other axes", async (t) => {
  // x [4, B, 5]: windows along axis 0 (each [1, B, 5], at an offset of k·B·5), a bias [5], the
  // results concatenated along axis 0 into [2, B, 5] and along axis 2 into [1, B, 10]
  const make = (dims: Dims) => {
    const c = new Case(dims, 21);
    const x = c.f32("x", [4, "B", 5]), bias = c.f32("bias", [5]);
    const w = (k: number) => c.b.op("slice", [x], { axis: 0, start: k, size: 1 });
    const a = c.b.op("tanh", [c.b.add(w(0), bias)]), b = c.b.mul(c.b.op("sigmoid", [w(3)]), c.b.mul(w(1), a));
    c.out(c.b.op("concat", [a, b], { axis: 0 }), c.b.op("concat", [b, a], { axis: 2 }), c.b.sub(a, w(2)));
    c.graph.nodes = eliminateDeadCode(fuseElementwise(c.graph)).nodes; // the slices' copies are dead
    return c;
  };
  const runs = DIMS.map(make);
  const g = runs[0]!.graph;
  t.same(g.nodes.map((n) => n.op), ["fused"], "one fused node: slices read in place, concats written in place");
  const gm = await compileWith(g, true);
  for (const c of runs) {
    const got = await runPoisoned(gm, c.values);
    t.same(got.violations, []);
    expectClose(t, got.outs, runGraph(g, c.values), g.outputs, stats, `B=${c.dims.B}: `, { rtol: 2e-5, atol: 1e-6 });
  }
  await expectSameBits(t, g, runs.map((c) => c.values), "axis-0 slices and concats");
});
