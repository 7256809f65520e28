/** eliminateCommonSubexpressions: equal nodes, commutative operands, bodies, repeated scan inputs and ys. */
import t from "tap";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { eliminateCommonSubexpressions } from "../../compiler/passes/cse.ts";
import { Case, bodyBuilder, emitScan, f32t } from "../ops/_helpers.ts";
import { backward, cellGraph, count, expectSame, forwardAndBackward, randomInputs, scans } from "./_harness.ts";

t.test("equal nodes merge; add and mul in either order; attributes must agree", async (t) => {
  const c = new Case();
  const x = c.f32("x", ["B", 4]), y = c.f32("y", ["B", 4]);
  const a1 = c.b.add(x, y), a2 = c.b.add(y, x);
  const s1 = c.b.sub(x, y), s2 = c.b.sub(y, x);
  const l1 = c.b.op("slice", [x], { axis: -1, start: 0, size: 2 }), l2 = c.b.op("slice", [x], { axis: -1, start: 0, size: 2 });
  const l3 = c.b.op("slice", [x], { axis: -1, start: 1, size: 2 });
  const k1 = c.b.scalar(2), k2 = c.b.scalar(2);
  c.out(c.b.mul(a1, k1), c.b.mul(k2, a2), s1, s2, l1, l2, l3);
  const after = eliminateCommonSubexpressions(c.graph);
  t.equal(count(after, "add"), 1, "x + y = y + x");
  t.equal(count(after, "sub"), 2, "x - y ≠ y - x");
  t.equal(count(after, "slice"), 2, "same window merged, other window kept");
  t.equal(count(after, "constant"), 1);
  t.equal(count(after, "mul"), 1, "then (x + y)·2 = 2·(y + x)");
  t.equal(after.outputs[0], after.outputs[1]);
  expectSame(t, c.graph, after, c.values, "cse");
});

t.test("inside a body", async (t) => {
  const c = new Case({ B: 2, T: 3 });
  const W = c.f32("W", [3, 3]), h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  const b = bodyBuilder();
  const bw = b.input("W", f32t([3, 3])), h = b.input("h", f32t(["B", 3])), x = b.input("x", f32t(["B", 3]));
  const m1 = b.op("matmul", [bw, h]), m2 = b.op("matmul", [bw, h]);
  const h2 = b.op("tanh", [b.add(b.add(m1, x), m2)]);
  b.graph.outputs = [h2, h2];
  c.out(...emitScan(c.b, b.graph, [W], [h0], [xs]));
  const after = eliminateCommonSubexpressions(c.graph);
  t.equal(count(scanAttrs(scans(after)[0]!.attrs).body, "matmul"), 1);
  expectSame(t, c.graph, after, c.values, "body cse");
});

t.test("a scan's repeated consts, xs and ys become one", async (t) => {
  const c = new Case({ B: 2, T: 3 });
  const W = c.f32("W", [3, 3]), h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  const b = bodyBuilder();
  const w1 = b.input("W1", f32t([3, 3])), w2 = b.input("W2", f32t([3, 3])), h = b.input("h", f32t(["B", 3]));
  const x1 = b.input("x1", f32t(["B", 3])), x2 = b.input("x2", f32t(["B", 3]));
  const h2 = b.op("tanh", [b.add(b.add(b.op("matmul", [w1, h]), b.op("matmul", [w2, h])), b.mul(x1, x2))]);
  b.graph.outputs = [h2, h2, h2];
  const outs = emitScan(c.b, b.graph, [W, W], [h0], [xs, xs]);
  c.out(outs[1]!, outs[2]!, outs[0]!);
  const after = eliminateCommonSubexpressions(c.graph);
  const scan = scans(after)[0]!;
  t.same(scan.inputs, ["W", "h0", "xs"], "one W, one xs");
  t.equal(scan.outputs.length, 2, "final h and one ys");
  t.equal(after.outputs[0], after.outputs[1], "both outputs read the one ys");
  t.equal(count(scanAttrs(scan.attrs).body, "matmul"), 1, "the merged inputs make the matmuls equal");
  expectSame(t, c.graph, after, c.values, "scan interface");
});

t.test("on a VJP graph: the forward scan's residual h' is its output h'", async (t) => {
  const g = cellGraph("elman");
  const ins = randomInputs(g);
  const bw = backward(g, ins);
  const after = eliminateCommonSubexpressions(bw.graph);
  const { fwd } = forwardAndBackward(after);
  t.equal(fwd.outputs.length, forwardAndBackward(bw.graph).fwd.outputs.length - 1);
  expectSame(t, bw.graph, after, bw.inputs, "elman vjp");
  const v = vjpGraph(cellGraph("lstm"), ["Wgx"]).graph;
  t.ok(eliminateCommonSubexpressions(v).nodes.length <= v.nodes.length);
});
