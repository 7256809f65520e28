/** mergeSharedOperandMatmuls and mergeSummedMatmuls. */
import t from "tap";
import { printGraph } from "../../compiler/ir/print.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { accumulateWeightGradientsAfterLoop } from "../../compiler/passes/accumulate-weight-gradients.ts";
import { hoistInputProjections } from "../../compiler/passes/hoist-input-projections.ts";
import { mergeSharedOperandMatmuls, mergeSummedMatmuls } from "../../compiler/passes/merge-matmuls.ts";
import { sinkOutputProjections } from "../../compiler/passes/sink-output-projections.ts";
import { Case } from "../ops/_helpers.ts";
import { CELLS, MODES, backward, bodies, cellGraph, count, expectSame, forwardAndBackward, randomInputs, scans } from "./_harness.ts";

t.test("LSTM: the 8 matmuls of a step become 2, the weights are concatenated before the loop", async (t) => {
  const g = cellGraph("lstm");
  t.equal(count(bodies(g)[0]!, "matmul"), 8);
  const after = mergeSharedOperandMatmuls(g);
  const body = bodies(after)[0]!;
  t.equal(count(body, "matmul"), 2, "W?x @ x and W?h @ h");
  t.equal(count(body, "slice"), 8, "then one slice per gate");
  t.equal(count(body, "concat"), 0, "no concatenation in the loop");
  const cats = after.nodes.filter((n) => n.op === "concat");
  t.same(cats.map((n) => n.inputs), [["Wgx", "Wix", "Wfx", "Wox"], ["Wgh", "Wih", "Wfh", "Woh"]]);
  t.same(cats.map((n) => n.attrs.axis), [0, 0], "stacked along the output rows");
  t.same(cats.map((n) => after.types.get(n.outputs[0]!)!.shape), [[16, 3], [16, 4]]);
  t.same(scans(after)[0]!.inputs.slice(0, scanAttrs(scans(after)[0]!.attrs).n_consts).filter((v) => v.endsWith(".cat")).length, 2, "they enter the scan as consts");
  t.match(printGraph(after), /matmul\(%Wgh\.cat, h\) : f32\[B, 16\]/);
  expectSame(t, g, after, randomInputs(g), "lstm");
});

t.test("GRU: 6 → 2; Elman: nothing shares an operand", async (t) => {
  const gru = cellGraph("gru");
  t.equal(count(bodies(mergeSharedOperandMatmuls(gru))[0]!, "matmul"), 2);
  const elman = cellGraph("elman");
  t.equal(mergeSharedOperandMatmuls(elman).nodes.length, 1);
});

t.test("at the top level: the hoisted W?x @ xs become one GEMM over the sequence", async (t) => {
  const g = hoistInputProjections(cellGraph("lstm"));
  t.equal(count(g, "matmul"), 4);
  const after = mergeSharedOperandMatmuls(g);
  t.equal(count(after, "matmul"), 1);
  const mm = after.nodes.find((n) => n.op === "matmul")!;
  t.same(after.types.get(mm.outputs[0]!)!.shape, ["T", "B", 16]);
  t.equal(count(after, "add"), 1, "the four bias adds that followed the matmuls are one add of the stacked biases");
  t.same(after.nodes.find((n) => n.op === "concat" && n.inputs[0] === "bg")!.inputs, ["bg", "bi", "bf", "bo"]);
  expectSame(t, g, after, randomInputs(g), "hoisted");
});

t.test("transposed matmuls sharing a vector: the weights are stacked along their columns", async (t) => {
  const c = new Case();
  const A = c.f32("A", [4, 2]), Bw = c.f32("Bw", [4, 3]), g = c.f32("g", ["B", 4]);
  c.out(c.b.op("matmul", [A, g], { transpose_a: true }), c.b.op("matmul", [Bw, g], { transpose_a: true }), c.b.op("matmul", [A, c.f32("x", ["B", 2])]));
  const after = mergeSharedOperandMatmuls(c.graph);
  const cat = after.nodes.find((n) => n.op === "concat")!;
  t.equal(cat.attrs.axis, 1);
  t.same(after.types.get(cat.outputs[0]!)!.shape, [4, 5]);
  t.equal(count(after, "matmul"), 2, "A @ x (not transposed) is not in the group");
  expectSame(t, c.graph, after, c.values, "transpose_a");
});

t.test("weight-gradient outers sharing an operand: one GEMM, then row slices", async (t) => {
  const g = cellGraph("lstm");
  const bw = backward(g, randomInputs(g));
  const acc = accumulateWeightGradientsAfterLoop(bw.graph);
  t.equal(count(acc, "outer"), 8);
  const after = mergeSharedOperandMatmuls(acc);
  t.equal(count(after, "outer"), 2, "one per shared operand: xs and the stacked h");
  const outers = after.nodes.filter((n) => n.op === "outer");
  t.same(outers.map((n) => after.types.get(n.outputs[0]!)!.shape), [[16, 3], [16, 4]]);
  const catOf = (v: string) => after.nodes.find((n) => n.outputs[0] === v)!.inputs;
  t.same(catOf(outers[0]!.inputs[0]!), catOf(outers[1]!.inputs[0]!), "the same concatenation of the stacked g? (CSE shares it)");
  expectSame(t, bw.graph, after, bw.inputs, "outers");
});

t.test("mergeSummedMatmuls: Σ W?hᵀ g? in the backward loop is one matmul", async (t) => {
  const g = cellGraph("lstm");
  const bw = backward(g, randomInputs(g));
  const sunk = sinkOutputProjections(accumulateWeightGradientsAfterLoop(bw.graph));
  const body = () => scanAttrs(forwardAndBackward(sunk).bwd!.attrs).body;
  t.equal(count(body(), "matmul"), 4);
  const after = mergeSummedMatmuls(sunk);
  const b = scanAttrs(forwardAndBackward(after).bwd!.attrs).body;
  t.equal(count(b, "matmul"), 1, "one [4H, H]ᵀ · [B, 4H] per step");
  t.equal(count(b, "concat"), 1, "the g? are concatenated in the loop (B·4H copies)");
  t.equal(count(after, "matmul"), 1, "and dx = Σ W?xᵀ gs? after the loop is one GEMM too");
  expectSame(t, bw.graph, after, bw.inputs, "summed");
});

t.test("mergeSummedMatmuls on a forward Elman step: [Whx | Whh] @ [x; h]", async (t) => {
  const g = cellGraph("elman");
  const after = mergeSummedMatmuls(g);
  const body = bodies(after)[0]!;
  t.equal(count(body, "matmul"), 1);
  const cat = after.nodes.find((n) => n.op === "concat")!;
  t.same([cat.inputs, cat.attrs.axis], [["Whx", "Whh"], 1], "weights side by side");
  expectSame(t, g, after, randomInputs(g), "elman summed");
});

t.test("every example cell, every mode, forward and backward", async (t) => {
  for (const cell of CELLS) {
    for (const [name, mode] of Object.entries(MODES)) {
      const g = cellGraph(cell, mode);
      const ins = randomInputs(g, mode);
      expectSame(t, g, mergeSummedMatmuls(mergeSharedOperandMatmuls(g)), ins, `${cell} ${name} forward`);
      const bw = backward(g, ins);
      const prepared = sinkOutputProjections(accumulateWeightGradientsAfterLoop(bw.graph));
      expectSame(t, bw.graph, mergeSummedMatmuls(mergeSharedOperandMatmuls(prepared)), bw.inputs, `${cell} ${name} backward`);
    }
  }
});
