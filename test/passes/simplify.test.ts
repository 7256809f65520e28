/** foldConstants and simplifyAlgebra: rule by rule, in bodies, and the two scan rules. */
import t from "tap";
import type { Graph } from "../../compiler/ir/types.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { eliminateCommonSubexpressions } from "../../compiler/passes/cse.ts";
import { eliminateDeadCode } from "../../compiler/passes/dce.ts";
import { foldConstants } from "../../compiler/passes/fold-constants.ts";
import { simplifyAlgebra } from "../../compiler/passes/simplify-algebra.ts";
import { Case, bodyBuilder, emitScan, f32t } from "../ops/_helpers.ts";
import { backward, cellGraph, count, expectSame, randomInputs, scans } from "./_harness.ts";

const tidy = (f: (g: Graph) => Graph) => (g: Graph) => eliminateDeadCode(f(g));

t.test("foldConstants", async (t) => {
  const c = new Case();
  const x = c.f32("x", ["B", 3]);
  const one = c.b.scalar(1), two = c.b.scalar(2);
  const half = c.b.div(one, two);
  const s = c.b.op("sigmoid", [c.b.sub(one, one)]);
  const row = c.b.op("constant", [], { value: 3, shape: [3] });
  const sum = c.b.op("sum", [row]);
  const n = c.b.op("numel", [row]), nB = c.b.op("numel", [x]);
  c.out(c.b.mul(x, half), c.b.mul(x, s), sum, n, nB, c.b.op("log", [c.b.scalar(0)]));
  const after = tidy(foldConstants)(c.graph);
  const values = after.nodes.filter((n) => n.op === "constant").map((n) => n.attrs.value as number).sort((a, b) => a - b);
  t.same(values, [0, 0.5, 0.5, 3, 9], "1/2, sigmoid(1 - 1), numel, sum (and the 0 under log)");
  t.equal(count(after, "div") + count(after, "sigmoid") + count(after, "sum"), 0);
  t.equal(count(after, "numel"), 1, "numel of a [B, 3] value waits for B");
  t.equal(count(after, "log"), 1, "log(0) is not finite: left alone");
  t.ok(after.nodes.some((n) => n.outputs[0] === c.graph.nodes.find((m) => m.op === "div")!.outputs[0]), "a folded value keeps its name");
  expectSame(t, c.graph, after, c.values, "folded");
});

t.test("simplifyAlgebra: one rule at a time", async (t) => {
  const cases: [string, (c: Case, x: string, y: string, v: string) => string, string[]][] = [
    ["x + 0", (c, x) => c.b.add(x, c.b.scalar(0)), []],
    ["0 + x", (c, x) => c.b.add(c.b.zerosLike(x), x), []],
    ["x - 0", (c, x) => c.b.sub(x, c.b.zerosLike(x)), []],
    ["0 - x", (c, x) => c.b.sub(c.b.zerosLike(x), x), ["neg"]],
    ["x - x", (c, x) => c.b.sub(x, x), ["zeros_like"]],
    ["x * 1", (c, x) => c.b.mul(x, c.b.scalar(1)), []],
    ["1 * x", (c, x) => c.b.mul(c.b.scalar(1), x), []],
    ["x * zeros_like(x)", (c, x) => c.b.mul(x, c.b.zerosLike(x)), ["zeros_like"]],
    ["x * 0", (c, x) => c.b.mul(x, c.b.scalar(0)), ["zeros_like"]],
    ["x / 1", (c, x) => c.b.div(x, c.b.scalar(1)), []],
    ["-(-x)", (c, x) => c.b.neg(c.b.neg(x)), []],
    ["x + (-y)", (c, x, y) => c.b.add(x, c.b.neg(y)), ["sub"]],
    ["(-x) + y", (c, x, y) => c.b.add(c.b.neg(x), y), ["sub"]],
    ["x - (-y)", (c, x, y) => c.b.sub(x, c.b.neg(y)), ["add"]],
    ["(-x) * (-y)", (c, x, y) => c.b.mul(c.b.neg(x), c.b.neg(y)), ["mul"]],
    ["sum_to of equal shapes", (c, x, y) => c.b.op("sum_to", [x, y]), []],
    ["expand_like of equal shapes", (c, x, y) => c.b.op("expand_like", [x, y]), []],
    ["sum_to of zeros", (c, x, _y, v) => c.b.op("sum_to", [c.b.zerosLike(x), v]), ["zeros_like"]],
    ["slice of a whole axis", (c, x) => c.b.op("slice", [x], { axis: -1, start: 0, size: 4 }), []],
    ["pad by nothing", (c, x) => c.b.op("pad", [x], { axis: 1, before: 0, after: 0 }), []],
    ["concat of one", (c, x) => c.b.op("concat", [x], { axis: -1 }), []],
    ["where(c, x, x)", (c, x, y) => c.b.op("where", [y, x, x]), []],
    ["v + zeros [B, 4] (broadcast)", (c, x, _y, v) => c.b.add(v, c.b.zerosLike(x)), ["expand_like"]],
  ];
  for (const [name, make, left] of cases) {
    const c = new Case();
    const x = c.f32("x", ["B", 4]), y = c.f32("y", ["B", 4]), v = c.f32("v", [4]);
    c.out(make(c, x, y, v));
    const after = tidy(simplifyAlgebra)(c.graph);
    t.same(after.nodes.map((n) => n.op), left, `${name} → ${left.length ? left.join(", ") : "its operand"}`);
    expectSame(t, c.graph, after, c.values, name);
  }
});

t.test("nothing to do: x * 2, x + y, broadcasting x * 1 into a bigger shape", async (t) => {
  const c = new Case();
  const x = c.f32("x", ["B", 4]), y = c.f32("y", ["B", 4]), v = c.f32("v", [4]);
  c.out(c.b.mul(x, c.b.scalar(2)), c.b.add(x, y), c.b.mul(v, c.b.op("constant", [], { value: 1, shape: [3, 4] })));
  const after = simplifyAlgebra(c.graph);
  t.same(after.nodes.map((n) => n.op), c.graph.nodes.map((n) => n.op));
});

t.test("in bodies, and the scan rules", async (t) => {
  const c = new Case({ B: 2, T: 4 });
  const W = c.f32("W", [3, 3]), h0 = c.f32("h0", ["B", 3]), k0 = c.f32("k0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  const b = bodyBuilder();
  const bw = b.input("W", f32t([3, 3])), h = b.input("h", f32t(["B", 3])), k = b.input("k", f32t(["B", 3]));
  const x = b.input("x", f32t(["B", 3]));
  const h2 = b.op("tanh", [b.add(b.mul(b.op("matmul", [bw, h]), b.scalar(1)), b.mul(k, x))]);
  b.graph.outputs = [h2, k, h2, x];
  const outs = emitScan(c.b, b.graph, [W], [h0, k0], [xs]);
  c.out(...outs);
  const after = tidy(simplifyAlgebra)(c.graph);
  const scan = scans(after)[0]!;
  const a = scanAttrs(scan.attrs);
  t.equal(count(a.body, "mul"), 1, "x·1 inside the body");
  t.equal(a.n_carry, 1, "k never changes: a const now");
  t.equal(a.n_consts, 2);
  t.same(after.outputs, [scan.outputs[0], "k0", scan.outputs[1], "xs"], "final k is k0; the ys that forwards x is xs");
  expectSame(t, c.graph, after, c.values, "scan rules");
});

t.test("with lengths, a forwarded x is not xs (finished rows are zeroed), and a batched held carry stays", async (t) => {
  const c = new Case({ B: 2, T: 4 });
  const h0 = c.f32("h0", ["B", 3]), k0 = c.f32("k0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  const len = c.i32("len", ["B"], [4, 2]);
  const b = bodyBuilder();
  const h = b.input("h", f32t(["B", 3])), k = b.input("k", f32t(["B", 3])), x = b.input("x", f32t(["B", 3]));
  const h2 = b.op("tanh", [b.add(h, b.mul(k, x))]);
  b.graph.outputs = [h2, k, h2, x];
  c.out(...emitScan(c.b, b.graph, [], [h0, k0], [xs], { lengths: len }));
  const after = tidy(simplifyAlgebra)(c.graph);
  const a = scanAttrs(scans(after)[0]!.attrs);
  t.equal(a.n_carry, 2, "k is masked to zero in finished rows: not the same as a const");
  t.equal(a.body.outputs.length, 4, "the ys x stays");
  expectSame(t, c.graph, after, c.values, "lengths");
});

t.test("on every example's VJP graph", async (t) => {
  for (const cell of ["elman", "gru", "lstm"] as const) {
    const g = cellGraph(cell, { truncate: 2 });
    const bw = backward(g, randomInputs(g));
    expectSame(t, bw.graph, simplifyAlgebra(foldConstants(bw.graph)), bw.inputs, cell);
  }
});

t.test("windows: sequences cut from one sequence, ys concatenated after the loop, sums of windows", async (t) => {
  // a scan reading two windows of one [T, B, 6] sequence, emitting two ys that are concatenated
  // after the loop and each summed over rows
  const c = new Case({ B: 2, T: 4 });
  const h0 = c.f32("h0", ["B", 3]), zs = c.f32("zs", ["T", "B", 6]), b3 = c.f32("b3", [3]);
  const x1 = c.b.op("slice", [zs], { axis: -1, start: 0, size: 3 }), x2 = c.b.op("slice", [zs], { axis: 2, start: 3, size: 3 });
  const b = bodyBuilder();
  const h = b.input("h", f32t(["B", 3])), u = b.input("u", f32t(["B", 3])), v = b.input("v", f32t(["B", 3]));
  const h2 = b.op("tanh", [b.add(b.mul(h, u), v)]);
  b.graph.outputs = [h2, b.mul(h2, u), b.op("sigmoid", [h2])];
  const [hT, y1, y2] = emitScan(c.b, b.graph, [], [h0], [x1, x2], { lengths: c.i32("len", ["B"], [4, 2]) });
  const cat = c.b.op("concat", [y1!, y2!], { axis: -1 });
  c.out(hT!, cat, c.b.op("sum_to", [y1!, b3]), c.b.op("sum_to", [y2!, b3]));
  const after = eliminateDeadCode(eliminateCommonSubexpressions(simplifyAlgebra(c.graph)));
  const scan = scans(after)[0]!;
  const a = scanAttrs(scan.attrs);
  t.same(scan.inputs.slice(a.n_carry, a.n_carry + a.n_xs), ["zs"], "the scan reads zs once and slices it per step");
  t.equal(scan.outputs.length, 2, "one ys: the concatenation");
  t.same(after.types.get(scan.outputs[1]!)!.shape, ["T", "B", 6]);
  t.equal(after.outputs[1], scan.outputs[1], "the concat after the loop is that ys");
  t.equal(count(after, "sum_to"), 1, "one reduction for both sums (once CSE merges the two equal ones)");
  t.equal(count(after, "slice"), 2, "whose windows are the two results");
  expectSame(t, c.graph, after, c.values, "windows");
});
