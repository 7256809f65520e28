/** sinkOutputProjections: per-step outputs W @ v_t computed once after the loop. */
import t from "tap";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { accumulateWeightGradientsAfterLoop } from "../../compiler/passes/accumulate-weight-gradients.ts";
import { sinkOutputProjections } from "../../compiler/passes/sink-output-projections.ts";
import { Case, bodyBuilder, emitScan, f32t } from "../ops/_helpers.ts";
import { CELLS, MODES, backward, cellGraph, count, expectSame, forwardAndBackward, randomInputs, scans } from "./_harness.ts";

/** h' = tanh(W x + U h); y = Wy h' (+ by): a cell with an output projection of width O. */
function projected(O: number, opts: { bias?: boolean; lengths?: number[] } = {}) {
  const c = new Case({ B: 3, T: 4 });
  const W = c.f32("W", [3, 2]), U = c.f32("U", [3, 3]), Wy = c.f32("Wy", [O, 3]), by = c.f32("by", [O]);
  const h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 2]);
  const len = opts.lengths ? c.i32("len", ["B"], opts.lengths) : undefined;
  const b = bodyBuilder();
  const w = b.input("W", f32t([3, 2])), u = b.input("U", f32t([3, 3])), wy = b.input("Wy", f32t([O, 3])), bb = b.input("by", f32t([O]));
  const h = b.input("h", f32t(["B", 3])), x = b.input("x", f32t(["B", 2]));
  const h2 = b.op("tanh", [b.add(b.op("matmul", [w, x]), b.op("matmul", [u, h]))]);
  const y = b.op("matmul", [wy, h2]);
  b.graph.outputs = [h2, opts.bias ? b.add(y, bb) : y];
  return c.out(...emitScan(c.b, b.graph, [W, U, Wy, by], [h0], [xs], len ? { lengths: len } : {}));
}

t.test("y = Wy @ h': after the loop when stacking h' costs no more than stacking y", async (t) => {
  const wide = projected(5);
  const after = sinkOutputProjections(wide.graph);
  t.equal(count(scanAttrs(scans(after)[0]!.attrs).body, "matmul"), 2, "the loop keeps W x and U h");
  const mm = after.nodes.find((n) => n.op === "matmul")!;
  t.equal(mm.inputs[0], "Wy");
  t.same(after.types.get(mm.outputs[0]!)!.shape, ["T", "B", 5], "one GEMM over T·B rows");
  t.same(after.types.get(mm.inputs[1]!)!.shape, ["T", "B", 3], "on the stacked h' (3 wide instead of 5)");
  expectSame(t, wide.graph, after, wide.values, "O = 5");
  const narrow = projected(2);
  t.equal(sinkOutputProjections(narrow.graph).nodes.length, 1, "O = 2: stacking h' would store more per step: left alone");
});

t.test("ragged lengths: only outputs that are zero on masked rows", async (t) => {
  const plain = projected(5, { lengths: [4, 1, 3] });
  const after = sinkOutputProjections(plain.graph);
  t.equal(count(after, "matmul"), 1, "Wy @ h' moves (the scan zeroes finished rows of the stacked h')");
  expectSame(t, plain.graph, after, plain.values, "lengths, no bias");
  const bias = projected(5, { bias: true, lengths: [4, 1, 3] });
  t.equal(sinkOutputProjections(bias.graph).nodes.length, 1, "Wy @ h' + by is by on finished rows, not 0: stays");
  const noLen = projected(5, { bias: true });
  const after2 = sinkOutputProjections(noLen.graph);
  t.same(after2.nodes.filter((n) => n.op !== "scan").map((n) => n.op), ["matmul", "add"], "without lengths the bias add moves too");
  expectSame(t, noLen.graph, after2, noLen.values, "bias");
});

t.test("BPTT: dx_t = Σ W?xᵀ g?_t leaves the backward loop once the g?_t are stacked", async (t) => {
  const g = cellGraph("lstm");
  const bw = backward(g, randomInputs(g));
  const acc = accumulateWeightGradientsAfterLoop(bw.graph);
  const bodyBefore = scanAttrs(forwardAndBackward(acc).bwd!.attrs).body;
  t.equal(count(bodyBefore, "matmul"), 8, "4 for dh, 4 for dx");
  const after = sinkOutputProjections(acc);
  const bwd = forwardAndBackward(after).bwd!;
  t.equal(count(scanAttrs(bwd.attrs).body, "matmul"), 4, "only dh = Σ W?hᵀ g? stays");
  t.equal(bwd.outputs.length, forwardAndBackward(acc).bwd!.outputs.length - 1, "the dx ys is gone, no new one");
  t.equal(after.nodes.filter((n) => n.op === "matmul" && n.attrs.transpose_a === true).length, 4, "4 W?xᵀ gs after the loop");
  expectSame(t, bw.graph, after, bw.inputs, "lstm vjp");
  t.equal(sinkOutputProjections(bw.graph).nodes.length, bw.graph.nodes.length, "before the accumulators move, stacking g? would cost more: left alone");
});

t.test("every example cell, every mode", async (t) => {
  for (const cell of CELLS) {
    for (const [name, mode] of Object.entries(MODES)) {
      const g = cellGraph(cell, mode);
      const bw = backward(g, randomInputs(g, mode));
      const acc = accumulateWeightGradientsAfterLoop(bw.graph);
      const after = sinkOutputProjections(acc);
      t.ok(count(after, "matmul") > count(acc, "matmul"), `${cell} ${name}: dx after the loop`);
      expectSame(t, bw.graph, after, bw.inputs, `${cell} ${name}`);
    }
  }
});
