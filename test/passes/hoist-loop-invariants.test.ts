/** hoistLoopInvariants: what depends only on consts leaves the body; constants stay. */
import t from "tap";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { hoistLoopInvariants } from "../../compiler/passes/hoist-loop-invariants.ts";
import { Case, bodyBuilder, emitScan, f32t } from "../ops/_helpers.ts";
import { backward, cellGraph, count, expectSame, randomInputs, scans } from "./_harness.ts";

/** Body (W1, W2; h; [x]) → tanh((concat(W1, W2)·(1/2)) @ h [+ x]): concat and scaling are invariant. */
function cellBody(withX: boolean) {
  const b = bodyBuilder();
  const w1 = b.input("W1", f32t([2, 3])), w2 = b.input("W2", f32t([1, 3]));
  const h = b.input("h", f32t(["B", 3]));
  const x = withX ? b.input("x", f32t(["B", 3])) : null;
  const half = b.div(b.scalar(1), b.scalar(2)); // constants only: stays
  const Ws = b.mul(b.op("concat", [w1, w2], { axis: 0 }), half);
  const m = b.op("matmul", [Ws, h]);
  const h2 = b.op("tanh", [x ? b.add(m, x) : m]);
  b.graph.outputs = [h2, h2];
  return b.graph;
}

function caseWithInvariants(nested = false) {
  const c = new Case({ B: 2, T: 4 });
  const W1 = c.f32("W1", [2, 3]), W2 = c.f32("W2", [1, 3]), h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  let body = cellBody(true);
  if (nested) {
    // an outer body running the cell for 2 steps (a scan without xs) on h + x
    const o = bodyBuilder();
    const ow1 = o.input("W1", f32t([2, 3])), ow2 = o.input("W2", f32t([1, 3]));
    const oh = o.input("h", f32t(["B", 3])), ox = o.input("x", f32t(["B", 3]));
    const [hT] = emitScan(o, cellBody(false), [ow1, ow2], [o.add(oh, ox)], [], { steps: 2 });
    o.graph.outputs = [hT!, hT!];
    body = o.graph;
  }
  c.out(...emitScan(c.b, body, [W1, W2], [h0], [xs]));
  return c;
}

t.test("a weight concatenation and what is computed from it move out", async (t) => {
  const c = caseWithInvariants();
  const after = hoistLoopInvariants(c.graph);
  const body = scanAttrs(scans(after)[0]!.attrs).body;
  t.same(body.nodes.map((n) => n.op), ["matmul", "add", "tanh"]);
  t.same(after.nodes.map((n) => n.op), ["concat", "constant", "constant", "div", "mul", "scan"], "the constants it needs come along");
  t.equal(count(after, "concat"), 1, "concat before the scan");
  t.equal(count(after, "mul"), 1, "and W·(1/2)");
  t.equal(scanAttrs(scans(after)[0]!.attrs).n_consts, 1, "the body reads one const: the scaled weights");
  expectSame(t, c.graph, after, c.values, "hoisted");
});

t.test("nested scans: an inner body's invariants leave both loops", async (t) => {
  const c = caseWithInvariants(true);
  const after = hoistLoopInvariants(c.graph);
  t.equal(count(after, "concat"), 1, "the concat reached the top level");
  const outer = scanAttrs(scans(after)[0]!.attrs).body;
  const inner = scanAttrs(outer.nodes.find((n) => n.op === "scan")!.attrs).body;
  t.equal(count(inner, "concat") + count(outer, "concat"), 0);
  expectSame(t, c.graph, after, c.values, "nested");
});

t.test("a constant-only computation is not hoisted on its own (foldConstants' business)", async (t) => {
  const c = new Case({ B: 2, T: 3 });
  const h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  const b = bodyBuilder();
  const h = b.input("h", f32t(["B", 3])), x = b.input("x", f32t(["B", 3]));
  const h2 = b.op("tanh", [b.add(b.mul(h, b.div(b.scalar(1), b.scalar(2))), x)]);
  b.graph.outputs = [h2, h2];
  c.out(...emitScan(c.b, b.graph, [], [h0], [xs]));
  t.equal(hoistLoopInvariants(c.graph).nodes.length, 1, "still just the scan");
});

t.test("nothing to hoist in the example cells; their VJPs are unchanged in value", async (t) => {
  for (const cell of ["elman", "lstm"] as const) {
    const g = cellGraph(cell);
    t.equal(hoistLoopInvariants(g).nodes.length, g.nodes.length, `${cell}: nothing invariant`);
    const bw = backward(g, randomInputs(g));
    expectSame(t, bw.graph, hoistLoopInvariants(bw.graph), bw.inputs, `${cell} vjp`);
  }
});
