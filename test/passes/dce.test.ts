/** eliminateDeadCode: dead nodes, then inside scans dead ys, self-feeding carries, body nodes, consts and xs. */
import t from "tap";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { eliminateDeadCode } from "../../compiler/passes/dce.ts";
import { Case, bodyBuilder, emitScan, f32t } from "../ops/_helpers.ts";
import { bodies, cellGraph, expectSame, randomInputs, scans } from "./_harness.ts";

t.test("dead nodes go, inputs stay", async (t) => {
  const c = new Case();
  const x = c.f32("x", ["B", 3]), y = c.f32("y", ["B", 3]);
  const keep = c.b.op("tanh", [x]);
  c.b.op("exp", [y]);
  c.out(keep);
  const after = eliminateDeadCode(c.graph);
  t.same(after.nodes.map((n) => n.op), ["tanh"]);
  t.same(after.inputs, ["x", "y"]);
  t.notOk(after.types.has(c.graph.nodes[1]!.outputs[0]!), "the dead value's type goes too");
});

t.test("unused ys of a scan, and the body nodes only they needed", async (t) => {
  const g = cellGraph("lstm");
  // keep only the final h: the per-step output h' is still computed (it is the next h), but not stacked
  const only = { ...g, outputs: [g.outputs[1]!] };
  const after = eliminateDeadCode(only);
  const body = bodies(after)[0]!;
  t.equal(body.outputs.length, 2, "two carries, no ys");
  t.equal(scans(after)[0]!.outputs.length, 2);
  expectSame(t, only, after, randomInputs(g), "final h");

  // keep only the per-step outputs: the cell state s is needed by h' at the next step, so it stays
  const ys = { ...g, outputs: [g.outputs[0]!] };
  t.equal(bodies(eliminateDeadCode(ys))[0]!.outputs.length, 3, "s stays: h' reads it");
});

t.test("a carry that feeds only itself goes, with its init, its body nodes and the xs only it read", async (t) => {
  const c = new Case({ B: 2, T: 4 });
  const W = c.f32("W", [3, 3]);
  const h0 = c.f32("h0", ["B", 3]), acc0 = c.f32("acc0", [3, 2]);
  const xs = c.f32("xs", ["T", "B", 3]), zs = c.f32("zs", ["T", "B", 2]);
  const b = bodyBuilder();
  const bw = b.input("W", f32t([3, 3]));
  const h = b.input("h", f32t(["B", 3])), acc = b.input("acc", f32t([3, 2]));
  const x = b.input("x", f32t(["B", 3])), z = b.input("z", f32t(["B", 2]));
  const h2 = b.op("tanh", [b.add(b.op("matmul", [bw, h]), x)]);
  const acc2 = b.add(acc, b.op("outer", [h, z]));
  b.graph.outputs = [h2, acc2, h2];
  const [hT, , ys] = emitScan(c.b, b.graph, [W], [h0, acc0], [xs, zs]);
  c.out(ys!, hT!);
  const after = eliminateDeadCode(c.graph);
  const scan = scans(after)[0]!;
  const a = scanAttrs(scan.attrs);
  t.equal(a.n_carry, 1, "the accumulator is gone");
  t.equal(a.n_xs, 1, "zs was read only by it");
  t.same(scan.inputs, ["W", "h0", "xs"]);
  t.same(a.body.nodes.map((n) => n.op), ["matmul", "add", "tanh"]);
  expectSame(t, c.graph, after, c.values, "self-feeding carry");
});

t.test("consts nobody reads go; one xs always stays (it gives T)", async (t) => {
  const c = new Case({ B: 2, T: 3 });
  const W = c.f32("W", [3, 3]), unused = c.f32("V", [3, 3]);
  const h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  const b = bodyBuilder();
  const bw = b.input("W", f32t([3, 3]));
  b.input("V", f32t([3, 3]));
  const h = b.input("h", f32t(["B", 3]));
  b.input("x", f32t(["B", 3]));
  const h2 = b.op("tanh", [b.op("matmul", [bw, h])]);
  b.graph.outputs = [h2, h2];
  c.out(...emitScan(c.b, b.graph, [W, unused], [h0], [xs]));
  const after = eliminateDeadCode(c.graph);
  const scan = scans(after)[0]!;
  t.same(scan.inputs, ["W", "h0", "xs"], "V goes, the unread xs stays");
  t.same(runGraph(after, c.values).map((x) => x.shape), runGraph(c.graph, c.values).map((x) => x.shape), "T is still known");
  expectSame(t, c.graph, after, c.values, "unread inputs");
});

t.test("removing a truncated carry keeps cut_carries right", async (t) => {
  const c = new Case({ B: 2, T: 5 });
  const a0 = c.f32("a0", ["B", 2]), b0 = c.f32("b0", ["B", 2]), k0 = c.f32("k0", ["B", 2]);
  const xs = c.f32("xs", ["T", "B", 2]);
  const b = bodyBuilder();
  const a = b.input("a", f32t(["B", 2])), bb = b.input("b", f32t(["B", 2])), k = b.input("k", f32t(["B", 2]));
  const x = b.input("x", f32t(["B", 2]));
  b.graph.outputs = [b.add(a, x), b.op("tanh", [b.add(bb, x)]), b.add(k, a)];
  const outs = c.b.ops("scan", [a0, b0, k0, xs], {
    body: b.graph, n_consts: 0, n_carry: 3, n_xs: 1, reverse: false, has_lengths: false, cut_every: 2, cut_carries: 2,
  });
  c.out(outs[0]!, outs[2]!);
  const after = eliminateDeadCode(c.graph);
  const s = scanAttrs(scans(after)[0]!.attrs);
  t.equal(s.n_carry, 2, "b goes");
  t.equal(s.cut_carries, 1, "only a is still cut");
  expectSame(t, c.graph, after, c.values, "truncated carries");
});

t.test("on a VJP graph: equal results, and a backward scan without the gradients nobody asked for", async (t) => {
  const g = cellGraph("gru", { lengths: [5, 3, 1] });
  const v = vjpGraph(g, ["W_ir"]);
  // vjpGraph already runs DCE: the accumulators of the other weights are gone
  const bwd = scans(v.graph).find((n) => n.outputs[0]!.startsWith("%bptt"))!;
  t.equal(scanAttrs(bwd.attrs).n_carry, 2, "the state cotangent and W_ir's accumulator");
  const ins = randomInputs(g, { lengths: [5, 3, 1] });
  const cts = runGraph(g, ins).map((o) => o);
  expectSame(t, v.graph, eliminateDeadCode(v.graph), [...ins, ...cts], "vjp");
});
