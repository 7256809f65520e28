/** accumulateWeightGradientsAfterLoop (push_out_dot1_scan): acc += outer(g_t, x_t) becomes one outer after the loop. */
import t from "tap";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { accumulateWeightGradientsAfterLoop } from "../../compiler/passes/accumulate-weight-gradients.ts";
import { Case, bodyBuilder, emitScan, f32t } from "../ops/_helpers.ts";
import { CELLS, MODES, backward, cellGraph, count, expectSame, forwardAndBackward, randomInputs } from "./_harness.ts";

const carriesOf = (g: Graph) => scanAttrs(forwardAndBackward(g).bwd!.attrs).n_carry;
const bodyOf = (g: Graph) => scanAttrs(forwardAndBackward(g).bwd!.attrs).body;

t.test("Elman's backward scan: three accumulators become two outers and a sum_to after the loop", async (t) => {
  const g = cellGraph("elman");
  const bw = backward(g, randomInputs(g));
  t.equal(carriesOf(bw.graph), 4, "before: ct_h and the accumulators of Whx, Whh, bh");
  t.equal(count(bodyOf(bw.graph), "outer"), 2, "before: two rank-B updates per step");
  const after = accumulateWeightGradientsAfterLoop(bw.graph);
  t.equal(carriesOf(after), 1, "after: only the state cotangent is carried");
  t.equal(count(bodyOf(after), "outer") + count(bodyOf(after), "sum_to"), 0, "nothing accumulated in the loop");
  t.equal(count(after, "outer"), 2, "outer(gs, xs) and outer(gs, hs): GEMMs over T·B rows");
  t.equal(count(after, "sum_to"), 1, "Σ gs for the bias");
  const bwd = forwardAndBackward(after).bwd!;
  const ys = bwd.outputs.slice(1);
  t.equal(ys.length, 2, "the scan now also emits g_t per step (next to dx_t)");
  const outers = after.nodes.filter((n) => n.op === "outer");
  t.ok(outers.every((n) => ys.includes(n.inputs[0]!)), "every outer reads the stacked g");
  t.same(after.types.get(outers[0]!.inputs[0]!)!.shape, ["T", "B", 4]);
  expectSame(t, bw.graph, after, bw.inputs, "elman vjp");
});

t.test("every example cell, every mode: no accumulator left, same gradients", async (t) => {
  for (const cell of CELLS) {
    for (const [name, mode] of Object.entries(MODES)) {
      const g = cellGraph(cell, mode);
      const bw = backward(g, randomInputs(g, mode));
      const nState = g.inputs.filter((v) => g.types.get(v)!.shape[0] === "B" && g.types.get(v)!.dtype === "f32").length;
      const after = accumulateWeightGradientsAfterLoop(bw.graph);
      t.equal(carriesOf(after), nState, `${cell} ${name}: ${carriesOf(bw.graph)} → ${nState} carries`);
      expectSame(t, bw.graph, after, bw.inputs, `${cell} ${name}`);
    }
  }
});

/** A hand-written accumulating scan: carry h [B, 3], acc [3, 2]; xs x [B, 3], z [B, 2]. */
function accScan(opts: { update: (b: ReturnType<typeof bodyBuilder>, v: Record<string, string>) => string; lengths?: number[]; cut?: boolean }) {
  const c = new Case({ B: 3, T: 4 });
  const W = c.f32("W", [3, 3]), h0 = c.f32("h0", ["B", 3]), acc0 = c.f32("acc0", [3, 2]);
  const xs = c.f32("xs", ["T", "B", 3]), zs = c.f32("zs", ["T", "B", 2]);
  const len = opts.lengths ? c.i32("len", ["B"], opts.lengths) : undefined;
  const b = bodyBuilder();
  const w = b.input("W", f32t([3, 3])), h = b.input("h", f32t(["B", 3])), acc = b.input("acc", f32t([3, 2]));
  const x = b.input("x", f32t(["B", 3])), z = b.input("z", f32t(["B", 2]));
  const h2 = b.op("tanh", [b.add(b.op("matmul", [w, h]), x)]);
  b.graph.outputs = [h2, opts.update(b, { h, h2, acc, x, z }), h2];
  const attrs = opts.cut ? { truncate: 2 } : {};
  const outs = opts.cut
    ? c.b.ops("scan", [W, h0, acc0, xs, zs, ...(len ? [len] : [])], {
      body: b.graph, n_consts: 1, n_carry: 2, n_xs: 2, reverse: false, has_lengths: !!len, cut_every: 2, cut_carries: 2,
    })
    : emitScan(c.b, b.graph, [W], [h0, acc0], [xs, zs], { ...(len ? { lengths: len } : {}), ...attrs });
  return c.out(...outs);
}

t.test("a sum of terms: the outers move, the rest stays in the loop", async (t) => {
  const c = accScan({
    update: (b, v) => b.add(b.add(v.acc!, b.op("outer", [v.h2!, v.z!])), b.mul(b.op("outer", [v.h!, v.z!]), b.op("sigmoid", [b.op("outer", [v.x!, v.z!])]))),
  });
  const after = accumulateWeightGradientsAfterLoop(c.graph);
  const a = scanAttrs(after.nodes.find((n) => n.op === "scan")!.attrs);
  t.equal(a.n_carry, 2, "the accumulator stays: one of its terms is not an outer");
  t.equal(count(a.body, "outer"), 2, "h2 ⊗ z left the loop; the two under mul and sigmoid stay");
  t.equal(count(after, "outer"), 1);
  t.equal(count(after, "add"), 1, "final acc = scan's acc + outer(h2s, zs)");
  expectSame(t, c.graph, after, c.values, "partial");
});

t.test("left alone: an accumulator read by the loop, or zeroed by truncation", async (t) => {
  const read = accScan({ update: (b, v) => b.add(b.add(v.acc!, b.op("outer", [v.h2!, v.z!])), b.mul(v.acc!, b.scalar(0.5))) });
  t.equal(accumulateWeightGradientsAfterLoop(read.graph).nodes.length, 1, "acc is read by more than its own update");
  const cut = accScan({ update: (b, v) => b.add(v.acc!, b.op("outer", [v.h2!, v.z!])), cut: true });
  t.equal(accumulateWeightGradientsAfterLoop(cut.graph).nodes.length, 1, "acc is one of the carries cut every 2 steps");
});

t.test("ragged lengths", async (t) => {
  // u = h2 is zero in finished rows (tanh of the masked x and W @ masked h): moves, through a ys
  const ok = accScan({ update: (b, v) => b.add(v.acc!, b.op("outer", [v.h2!, v.z!])), lengths: [4, 1, 2] });
  const after = accumulateWeightGradientsAfterLoop(ok.graph);
  t.equal(count(after, "outer"), 1, "moved");
  expectSame(t, ok.graph, after, ok.values, "h2 ⊗ z");
  // both operands per-step inputs: the scan masks them in the loop, not in xs: one goes through a ys
  const xz = accScan({ update: (b, v) => b.add(v.acc!, b.op("outer", [v.x!, v.z!])), lengths: [4, 1, 2] });
  const xzAfter = accumulateWeightGradientsAfterLoop(xz.graph);
  const scan = xzAfter.nodes.find((n) => n.op === "scan")!;
  t.equal(scan.outputs.length, 3, "final h, the ys h2 and the stacked (masked) x");
  t.same(xzAfter.nodes.find((n) => n.op === "outer")!.inputs, [scan.outputs[2], "zs"]);
  expectSame(t, xz.graph, xzAfter, xz.values, "x ⊗ z");
  // sigmoid(x) is 0.5 in finished rows, and so is sigmoid(z): they add to the accumulator in the loop
  const bad = accScan({ update: (b, v) => b.add(v.acc!, b.op("outer", [b.op("sigmoid", [v.x!]), b.op("sigmoid", [v.z!])])), lengths: [4, 1, 2] });
  t.equal(accumulateWeightGradientsAfterLoop(bad.graph).nodes.length, 1, "not zero on masked rows: stays");
  // without lengths the same term moves
  const free = accScan({ update: (b, v) => b.add(v.acc!, b.op("outer", [b.op("sigmoid", [v.x!]), b.op("sigmoid", [v.z!])])) });
  const freeAfter = accumulateWeightGradientsAfterLoop(free.graph);
  t.equal(count(freeAfter, "outer"), 1);
  expectSame(t, free.graph, freeAfter, free.values, "sigmoid(x) ⊗ sigmoid(z)");
});

t.test("a weight used twice: one carry, two outers, both after the loop", async (t) => {
  const c = new Case({ B: 2, T: 4 });
  const W = c.f32("W", [3, 3]), h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  const b = bodyBuilder();
  const w = b.input("W", f32t([3, 3])), h = b.input("h", f32t(["B", 3])), x = b.input("x", f32t(["B", 3]));
  const h2 = b.op("tanh", [b.add(b.op("matmul", [w, h]), b.op("matmul", [w, x]))]);
  b.graph.outputs = [h2, h2];
  c.out(...emitScan(c.b, b.graph, [W], [h0], [xs], { reverse: true }));
  const v = vjpGraph(c.graph, c.floatInputs());
  const after = accumulateWeightGradientsAfterLoop(v.graph);
  t.equal(carriesOf(after), 1);
  t.equal(count(after, "outer"), 2);
  const bw = backward(c.graph, c.values);
  expectSame(t, bw.graph, accumulateWeightGradientsAfterLoop(bw.graph), bw.inputs, "shared weight, reversed");
});
