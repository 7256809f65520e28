/**
 * Gradient checks for every differentiable op: the VJP graph (built from each op's IR-level rule)
 * against central finite differences of the f64 interpreter.
 *
 * Every op in the registry that is not `nondiff` must have an entry in `cases`; a new op without one
 * fails "every differentiable op has a gradient case".
 */
import t, { type Test } from "tap";
import { allOps } from "../../compiler/ops/index.ts";
import { gradCheck, rng } from "../../compiler/autodiff/gradcheck.ts";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { Case, elmanBody, emitScan, maxAbs, maxAbsDiff, randomLike, tensor } from "./_helpers.ts";
import type { Tensor } from "./_helpers.ts";

const TOL = 1e-6;

interface Variant {
  label: string;
  make: () => Case;
  /** Inputs to check; default: every float input. */
  wrt?: (c: Case) => string[];
  /** Float inputs whose gradient is not checked by differences but must be exactly zero. */
  zeroGrad?: string[];
  /** Marks a case that fails because of a known bug in compiler/ (not run by tap). */
  todo?: string;
}

const POS = { lo: 0.5, hi: 1.5 };
const AWAY = { away: [0.2, 1.2] as [number, number] };

/** A one-op graph: `op(inputs...)` with inputs declared by `decl`. */
function one(op: string, decl: (c: Case) => string[], attrs: Record<string, unknown> = {}, dims = { B: 2, T: 3 }, seed = 7): () => Case {
  return () => {
    const c = new Case(dims, seed);
    const ins = decl(c);
    const outs = c.b.ops(op, ins, attrs as never);
    return c.out(...outs);
  };
}

/** Binary broadcasting op variants: equal shapes and several broadcasting patterns with B. */
function binaryVariants(op: string, da: (c: Case) => object = () => ({ lo: -1, hi: 1 }), db = da): Variant[] {
  const shapes: [string, (string | number)[], (string | number)[]][] = [
    ["same shape [B, 3]", ["B", 3], ["B", 3]],
    ["[B, 3] with [3]", ["B", 3], [3]],
    ["[3] with [B, 3]", [3], ["B", 3]],
    ["[B, 1] with [1, 4]", ["B", 1], [1, 4]],
    ["scalar with [T, B, 2]", [], ["T", "B", 2]],
    ["[T, B, 2] with [B, 1]", ["T", "B", 2], ["B", 1]],
  ];
  return shapes.map(([label, sa, sb]) => ({
    label,
    make: one(op, (c) => [c.f32("a", sa as never, da(c) as never), c.f32("b", sb as never, db(c) as never)]),
  }));
}

function unaryVariants(op: string, dist: object = { lo: -1.5, hi: 1.5 }, scalarDist: object = dist): Variant[] {
  return [
    { label: "[B, 3]", make: one(op, (c) => [c.f32("x", ["B", 3], dist as never)]) },
    { label: "scalar", make: one(op, (c) => [c.f32("x", [], scalarDist as never)]) },
    { label: "[T, B, 2]", make: one(op, (c) => [c.f32("x", ["T", "B", 2], dist as never)]) },
  ];
}

const cases: Record<string, Variant[]> = {
  add: binaryVariants("add"),
  sub: binaryVariants("sub"),
  mul: binaryVariants("mul"),
  div: binaryVariants("div", () => ({ lo: -1, hi: 1 }), () => POS),
  // a in ±[0.5, 1.2], b in [-0.3, 0.3]: never within 0.2 of a tie, so both sides are selected somewhere
  maximum: binaryVariants("maximum", () => ({ away: [0.5, 1.2] }), () => ({ lo: -0.3, hi: 0.3 })),

  neg: unaryVariants("neg"),
  tanh: unaryVariants("tanh"),
  sigmoid: unaryVariants("sigmoid", { lo: -3, hi: 3 }),
  relu: unaryVariants("relu", AWAY, { lo: 0.2, hi: 1.2 }), // the scalar on the active side
  exp: unaryVariants("exp"),
  log: unaryVariants("log", POS),
  sqrt: unaryVariants("sqrt", POS),
  abs: unaryVariants("abs", AWAY),

  where: [
    {
      label: "same shape",
      make: one("where", (c) => [c.f32("cond", ["B", 3], [1, 0, 1, 0, 0, 1]), c.f32("x", ["B", 3]), c.f32("y", ["B", 3])]),
      wrt: () => ["x", "y"],
      zeroGrad: ["cond"],
    },
    {
      label: "mask [T, B, 1] selecting between [B, 3] and scalar",
      make: one("where", (c) => [c.f32("cond", ["T", "B", 1], [1, 0, 0, 1, 1, 1]), c.f32("x", ["B", 3]), c.f32("y", [])]),
      wrt: () => ["x", "y"],
      zeroGrad: ["cond"],
    },
    {
      label: "x [3] and y [B, 1] broadcast against the mask",
      make: one("where", (c) => [c.f32("cond", ["B", 3], [0, 1, 1, 1, 0, 0]), c.f32("x", [3]), c.f32("y", ["B", 1])]),
      wrt: () => ["x", "y"],
      zeroGrad: ["cond"],
    },
  ],

  matmul: [
    { label: "A [3, 4] @ x [B, 4]", make: one("matmul", (c) => [c.f32("A", [3, 4]), c.f32("x", ["B", 4])]) },
    { label: "A [3, 4] @ x [T, B, 4]", make: one("matmul", (c) => [c.f32("A", [3, 4]), c.f32("x", ["T", "B", 4])]) },
    { label: "A [3, 4] @ x [4] (unbatched)", make: one("matmul", (c) => [c.f32("A", [3, 4]), c.f32("x", [4])]) },
    {
      label: "transpose_a: A [4, 3]ᵀ @ x [B, 4]",
      make: one("matmul", (c) => [c.f32("A", [4, 3]), c.f32("x", ["B", 4])], { transpose_a: true }),
    },
    {
      label: "transpose_a: A [4, 3]ᵀ @ x [T, B, 4]",
      make: one("matmul", (c) => [c.f32("A", [4, 3]), c.f32("x", ["T", "B", 4])], { transpose_a: true }),
    },
    {
      label: "transpose_a: false given explicitly",
      make: one("matmul", (c) => [c.f32("A", [2, 3]), c.f32("x", ["B", 3])], { transpose_a: false }),
    },
  ],
  outer: [
    { label: "u [B, 3] ⊗ v [B, 4]", make: one("outer", (c) => [c.f32("u", ["B", 3]), c.f32("v", ["B", 4])]) },
    { label: "u [T, B, 2] ⊗ v [T, B, 3]", make: one("outer", (c) => [c.f32("u", ["T", "B", 2]), c.f32("v", ["T", "B", 3])]) },
    { label: "u [3] ⊗ v [2] (unbatched)", make: one("outer", (c) => [c.f32("u", [3]), c.f32("v", [2])]) },
  ],

  sum: [
    { label: "all elements", make: one("sum", (c) => [c.f32("x", ["B", 3])]) },
    { label: "axis 1", make: one("sum", (c) => [c.f32("x", ["B", 3])], { axis: 1 }) },
    { label: "axis 0 (over B)", make: one("sum", (c) => [c.f32("x", ["B", 3])], { axis: 0 }) },
    { label: "axis -1 keepdims", make: one("sum", (c) => [c.f32("x", ["T", "B", 3])], { axis: -1, keepdims: true }) },
    { label: "axis -2 of rank 3", make: one("sum", (c) => [c.f32("x", ["T", "B", 3])], { axis: -2 }) },
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
    {
      label: "axis 1: [T, 4] to [T, B, 4]",
      make: one("expand_like", (c) => [c.f32("g", ["T", 4]), c.f32("like", ["T", "B", 4])], { axis: 1 }),
    },
    { label: "axis 0: [B, 3] to [T, B, 3]", make: one("expand_like", (c) => [c.f32("g", ["B", 3]), c.f32("like", ["T", "B", 3])], { axis: 0 }) },
    {
      label: "axis 1 combined with broadcasting: [1, 3] to [2, 4, 3]",
      make: one("expand_like", (c) => [c.f32("g", [1, 3]), c.f32("like", [2, 4, 3])], { axis: 1 }),
    },
  ],
  sum_to: [
    { label: "[B, 3] to [3]", make: one("sum_to", (c) => [c.f32("g", ["B", 3]), c.f32("like", [3])]) },
    { label: "[B, 3] to [B, 1]", make: one("sum_to", (c) => [c.f32("g", ["B", 3]), c.f32("like", ["B", 1])]) },
    { label: "[T, B, 3] to scalar", make: one("sum_to", (c) => [c.f32("g", ["T", "B", 3]), c.f32("like", [])]) },
    { label: "[T, B, 3] to [1, B, 1]", make: one("sum_to", (c) => [c.f32("g", ["T", "B", 3]), c.f32("like", [1, "B", 1])]) },
    { label: "identity: [B, 3] to [B, 3]", make: one("sum_to", (c) => [c.f32("g", ["B", 3]), c.f32("like", ["B", 3])]) },
  ],

  softmax: [
    { label: "[B, 4]", make: one("softmax", (c) => [c.f32("x", ["B", 4], { lo: -2, hi: 2 })]) },
    { label: "[T, B, 3]", make: one("softmax", (c) => [c.f32("x", ["T", "B", 3], { lo: -2, hi: 2 })]) },
    { label: "[5] (rank 1)", make: one("softmax", (c) => [c.f32("x", [5], { lo: -2, hi: 2 })]) },
  ],
  log_softmax: [
    { label: "[B, 4]", make: one("log_softmax", (c) => [c.f32("x", ["B", 4], { lo: -2, hi: 2 })]) },
    { label: "[T, B, 3]", make: one("log_softmax", (c) => [c.f32("x", ["T", "B", 3], { lo: -2, hi: 2 })]) },
    { label: "[5] (rank 1)", make: one("log_softmax", (c) => [c.f32("x", [5], { lo: -2, hi: 2 })]) },
  ],
  cross_entropy: [
    ...(["none", "sum", "mean"] as const).map((reduction) => ({
      label: `reduction ${reduction}, logits [B, 5]`,
      make: one("cross_entropy", (c) => [c.f32("logits", ["B", 5], { lo: -2, hi: 2 }), c.i32("target", ["B"], [3, 0])], { reduction }),
    })),
    {
      label: "default reduction (mean), logits [T, B, 4], repeated targets",
      make: one("cross_entropy", (c) => [c.f32("logits", ["T", "B", 4], { lo: -2, hi: 2 }), c.i32("target", ["T", "B"], [1, 1, 3, 0, 1, 2])]),
    },
    {
      label: "reduction none, logits [T, B, 4]",
      make: one("cross_entropy", (c) => [c.f32("logits", ["T", "B", 4], { lo: -2, hi: 2 }), c.i32("target", ["T", "B"], [2, 2, 0, 3, 1, 0])], {
        reduction: "none",
      }),
    },
    {
      label: "rank-1 logits [4], scalar target",
      make: one("cross_entropy", (c) => [c.f32("logits", [4], { lo: -2, hi: 2 }), c.i32("target", [], [2])]),
    },
  ],
  mse: [
    { label: "[B, 3]", make: one("mse", (c) => [c.f32("a", ["B", 3]), c.f32("b", ["B", 3])]) },
    { label: "[T, B, 2]", make: one("mse", (c) => [c.f32("a", ["T", "B", 2]), c.f32("b", ["T", "B", 2])]) },
  ],
  embedding: [
    {
      label: "ids [B, 3] with repeats and an unused row",
      make: one("embedding", (c) => [c.f32("E", [4, 3]), c.i32("ids", ["B", 3], [0, 2, 0, 2, 2, 1])]),
    },
    { label: "ids [B]", make: one("embedding", (c) => [c.f32("E", [5, 2]), c.i32("ids", ["B"], [4, 4])]) },
    { label: "scalar id", make: one("embedding", (c) => [c.f32("E", [3, 2]), c.i32("ids", [], [1])]) },
  ],
  scatter_rows: [
    {
      label: "g [B, 3, 2] into 4 rows, repeated ids",
      make: one("scatter_rows", (c) => [c.f32("g", ["B", 3, 2]), c.i32("ids", ["B", 3], [0, 2, 0, 2, 2, 1])], { rows: 4 }),
    },
    { label: "g [B, 3] into 2 rows", make: one("scatter_rows", (c) => [c.f32("g", ["B", 3]), c.i32("ids", ["B"], [1, 1])], { rows: 2 }) },
  ],

  concat: [
    { label: "axis 0: [2, B, 3] ++ [3, B, 3]", make: one("concat", (c) => [c.f32("a", [2, "B", 3]), c.f32("b", [3, "B", 3])], { axis: 0 }) },
    {
      label: "axis -1: [B, 2] ++ [B, 3] ++ [B, 1]",
      make: one("concat", (c) => [c.f32("a", ["B", 2]), c.f32("b", ["B", 3]), c.f32("c", ["B", 1])], { axis: -1 }),
    },
    { label: "default axis: [T, B, 1] ++ [T, B, 2]", make: one("concat", (c) => [c.f32("a", ["T", "B", 1]), c.f32("b", ["T", "B", 2])]) },
    { label: "axis 1 of rank 3: [B, 2, 2] ++ [B, 1, 2]", make: one("concat", (c) => [c.f32("a", ["B", 2, 2]), c.f32("b", ["B", 1, 2])], { axis: 1 }) },
    { label: "a single operand", make: one("concat", (c) => [c.f32("a", ["B", 2])]) },
    { label: "the same value twice", make: () => { const c = new Case(); const a = c.f32("a", ["B", 2]); return c.out(c.b.op("concat", [a, a])); } },
  ],
  slice: [
    { label: "axis -1, middle window", make: one("slice", (c) => [c.f32("x", ["B", 5])], { axis: -1, start: 1, size: 3 }) },
    { label: "axis 0, leading window", make: one("slice", (c) => [c.f32("x", [4, "B", 2])], { axis: 0, start: 0, size: 2 }) },
    { label: "axis 1 of rank 3, trailing window", make: one("slice", (c) => [c.f32("x", ["B", 4, 2])], { axis: 1, start: 2, size: 2 }) },
    { label: "default axis, whole axis", make: one("slice", (c) => [c.f32("x", ["B", 3])], { start: 0, size: 3 }) },
  ],
  pad: [
    { label: "axis 1", make: one("pad", (c) => [c.f32("x", ["B", 3])], { axis: 1, before: 1, after: 2 }) },
    { label: "axis 0, before only", make: one("pad", (c) => [c.f32("x", [2, "B", 2])], { axis: 0, before: 2, after: 0 }) },
    { label: "axis 2 of rank 3, after only", make: one("pad", (c) => [c.f32("x", ["T", "B", 2])], { axis: 2, before: 0, after: 3 }) },
    {
      label: "negative axis -1",
      make: one("pad", (c) => [c.f32("x", ["B", 3])], { axis: -1, before: 1, after: 2 }),
    },
  ],

  scan: [
    {
      label: "Elman scan over [T, B, 2]",
      make: () => {
        const c = new Case({ B: 2, T: 3 }, 11);
        const W = c.f32("W", [3, 2], { lo: -0.8, hi: 0.8 });
        const U = c.f32("U", [3, 3], { lo: -0.8, hi: 0.8 });
        const b = c.f32("b", [3], { lo: -0.5, hi: 0.5 });
        const h0 = c.f32("h0", ["B", 3]);
        const xs = c.f32("xs", ["T", "B", 2]);
        const [hT, ys] = emitScan(c.b, elmanBody({ I: 2, H: 3 }), [W, U, b], [h0], [xs]);
        return c.out(hT!, ys!);
      },
    },
    {
      label: "reverse scan with lengths",
      make: () => {
        const c = new Case({ B: 3, T: 3 }, 12);
        const W = c.f32("W", [2, 2], { lo: -0.8, hi: 0.8 });
        const U = c.f32("U", [2, 2], { lo: -0.8, hi: 0.8 });
        const b = c.f32("b", [2], { lo: -0.5, hi: 0.5 });
        const h0 = c.f32("h0", ["B", 2]);
        const xs = c.f32("xs", ["T", "B", 2]);
        const len = c.i32("len", ["B"], [3, 2, 1]);
        const [hT, ys] = emitScan(c.b, elmanBody({ I: 2, H: 2 }), [W, U, b], [h0], [xs], { reverse: true, lengths: len });
        return c.out(hT!, ys!);
      },
    },
  ],
};

/** The analytic gradients of `c`'s graph w.r.t. `wrt` for random output cotangents. */
function analyticGrads(c: Case, wrt: string[], seed = 3): Tensor[] {
  const fwd = c.run();
  const rand = rng(seed);
  const cts = fwd.filter((_, i) => c.graph.types.get(c.graph.outputs[i]!)!.dtype === "f32").map((o) => randomLike(o, rand));
  const v = vjpGraph(c.graph, wrt);
  return runGraph(v.graph, [...c.values, ...cts]).slice(c.graph.outputs.length);
}

function checkVariant(t: Test, op: string, v: Variant): void {
  t.test(v.label, v.todo ? { todo: v.todo } : {}, async (t) => {
    const c = v.make();
    t.ok(c.graph.nodes.some((n) => n.op === op), `the graph contains a ${op} node`);
    const wrt = v.wrt ? v.wrt(c) : c.floatInputs();
    t.ok(wrt.length > 0, "something to check");
    const res = gradCheck(c.graph, c.values, wrt);
    for (const e of res.errors) {
      t.ok(e.relError < TOL, `d/d${e.name}: relative error ${e.relError.toExponential(2)} < ${TOL}`);
      t.ok(e.numeric.every(Number.isFinite), `d/d${e.name}: finite differences are finite`);
    }
    // the check is meaningful: some gradient is non-zero
    t.ok(res.errors.some((e) => maxAbs(e.numeric) > 1e-3), "some gradient is non-zero");
    if (v.zeroGrad) {
      const grads = analyticGrads(c, v.zeroGrad);
      grads.forEach((g, i) => t.equal(maxAbs(g), 0, `d/d${v.zeroGrad![i]} is exactly zero`));
    }
  });
}

t.test("every differentiable op has a gradient case", async (t) => {
  const ops = allOps();
  t.ok(ops.length > 20, "the registry is populated");
  for (const def of ops) {
    if (def.nondiff) {
      t.notOk(cases[def.name], `${def.name} is nondiff and needs no gradient case`);
      continue;
    }
    if (def.name === "stop_gradient") continue; // checked separately: its gradient is zero by definition
    if (def.name === "fused") continue; // made by fuseElementwise after autodiff: its VJP throws (test/passes/fuse-elementwise.test.ts)
    t.ok(def.vjp || def.linearize, `${def.name} has a gradient rule`);
    t.ok(cases[def.name] && cases[def.name]!.length > 0, `${def.name} has a gradient check case`);
  }
  for (const name of Object.keys(cases)) t.ok(ops.some((d) => d.name === name), `case ${name} names a registered op`);
});

for (const [op, variants] of Object.entries(cases)) {
  t.test(`vjp of ${op}`, async (t) => {
    for (const v of variants) checkVariant(t, op, v);
  });
}

t.test("vjp of stop_gradient", async (t) => {
  // y = x * stop_gradient(x): the value is x², the gradient only the direct path, g * x
  const c = new Case({ B: 2, T: 1 }, 5);
  const x = c.f32("x", ["B", 3]);
  const sg = c.b.op("stop_gradient", [x]);
  c.out(c.b.mul(x, sg), sg);
  const [sq, same] = c.run();
  const xv = c.value("x");
  t.equal(maxAbsDiff(same!, xv), 0, "stop_gradient is the identity forward");
  t.ok(maxAbsDiff(sq!, tensor(xv.shape, Array.from(xv.data, (v) => v * v))) < 1e-15, "x * stop_gradient(x) = x²");
  const cts = [randomLike(sq!, rng(1)), randomLike(same!, rng(2))];
  const v = vjpGraph(c.graph, ["x"]);
  const [gx] = runGraph(v.graph, [...c.values, ...cts]).slice(2);
  const want = Array.from(xv.data, (xi, i) => cts[0]!.data[i]! * xi);
  t.ok(maxAbsDiff(gx!.data, Float64Array.from(want)) < 1e-15, "gradient is ct * x: nothing flows through stop_gradient");

  const c2 = new Case({ B: 2, T: 1 }, 6);
  const y = c2.f32("y", ["B", 3]);
  c2.out(c2.b.op("tanh", [c2.b.op("stop_gradient", [y])]));
  const [gy] = analyticGrads(c2, ["y"]);
  t.equal(maxAbs(gy!), 0, "a value used only through stop_gradient gets a zero gradient");
  t.same(gy!.shape, [2, 3], "of the input's shape");
});

t.test("second-order: gradient checks of VJP graphs", async (t) => {
  // The VJP rules are IR ops themselves, so a VJP graph can be differentiated again.
  const variants: [string, () => Case][] = [
    ["tanh", one("tanh", (c) => [c.f32("x", ["B", 3])])],
    ["sigmoid", one("sigmoid", (c) => [c.f32("x", ["B", 3])])],
    ["div", one("div", (c) => [c.f32("a", ["B", 3]), c.f32("b", [3], POS)])],
    ["matmul", one("matmul", (c) => [c.f32("A", [3, 4]), c.f32("x", ["B", 4])])],
    ["matmul transpose_a", one("matmul", (c) => [c.f32("A", [4, 3]), c.f32("x", ["B", 4])], { transpose_a: true })],
    ["softmax", one("softmax", (c) => [c.f32("x", ["B", 4])])],
    ["log_softmax", one("log_softmax", (c) => [c.f32("x", ["B", 4])])],
    ["cross_entropy mean", one("cross_entropy", (c) => [c.f32("l", ["B", 4]), c.i32("t", ["B"], [1, 3])])],
    ["sum axis", one("sum", (c) => [c.f32("x", ["B", 3])], { axis: 1 })],
    ["mean", one("mean", (c) => [c.f32("x", ["B", 3])])],
    ["concat", one("concat", (c) => [c.f32("a", ["B", 2]), c.f32("b", ["B", 1])])],
    ["slice", one("slice", (c) => [c.f32("x", ["B", 4])], { start: 1, size: 2 })],
    ["embedding", one("embedding", (c) => [c.f32("E", [3, 2]), c.i32("ids", ["B"], [2, 2])])],
    ["mse", one("mse", (c) => [c.f32("a", ["B", 3]), c.f32("b", ["B", 3])])],
  ];
  for (const [label, make] of variants) {
    const c = make();
    const fwd = c.run();
    const rand = rng(9);
    const cts = fwd.map((o) => randomLike(o, rand));
    const v = vjpGraph(c.graph, c.floatInputs());
    const wrt = v.graph.inputs.filter((n) => v.graph.types.get(n)!.dtype === "f32");
    const res = gradCheck(v.graph, [...c.values, ...cts], wrt, { seed: 4 });
    t.ok(res.maxRelError < TOL, `${label}: second-order relative error ${res.maxRelError.toExponential(2)} < ${TOL}`);
  }
});
