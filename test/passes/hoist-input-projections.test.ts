/** hoistInputProjections (push_out_seq_scan): W @ x_t leaves the loop as one GEMM over the sequence. */
import t from "tap";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import { printGraph } from "../../compiler/ir/print.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { hoistInputProjections } from "../../compiler/passes/hoist-input-projections.ts";
import { Case, bodyBuilder, elmanBody, emitScan, f32t, i32t } from "../ops/_helpers.ts";
import { CELLS, MODES, backward, bodies, cellGraph, count, expectSame, forwardAndBackward, randomInputs, scans } from "./_harness.ts";

const bodyOps = (g: Graph, i = 0) => bodies(g)[i]!.nodes.map((n) => n.op);

t.test("Elman: Whx @ x and the bias leave the loop", async (t) => {
  const g = cellGraph("elman");
  t.same(bodyOps(g), ["matmul", "matmul", "add", "add", "tanh"], "before");
  const after = hoistInputProjections(g);
  t.same(bodyOps(after), ["matmul", "add", "tanh"], "after: Whh @ h + (hoisted), tanh");
  t.same(after.nodes.map((n) => n.op), ["matmul", "add", "scan"], "Whx @ xs and + bh over the whole sequence");
  const mm = after.nodes[0]!;
  t.same(mm.inputs, ["Whx", "xs"]);
  t.same(after.types.get(mm.outputs[0]!)!.shape, ["T", "B", 4], "[T, B, I] → [T, B, H]: one GEMM over T·B rows");
  const scan = scans(after)[0]!;
  t.notOk(scan.inputs.includes("xs"), "the body no longer reads x_t");
  t.notOk(scan.inputs.includes("Whx") || scan.inputs.includes("bh"), "nor Whx, bh");
  t.match(printGraph(after), /xs: %add\.2\.pre: f32\[B, 4\]/, "the hoisted value comes back as a per-step input under its own name");
  expectSame(t, g, after, randomInputs(g), "elman");
});

t.test("ragged lengths: the projection (zero on masked rows) moves, the bias add does not", async (t) => {
  const mode = MODES.lengths!;
  const g = cellGraph("elman", mode);
  const after = hoistInputProjections(g);
  t.same(after.nodes.map((n) => n.op), ["matmul", "scan"], "only Whx @ xs");
  t.same(bodyOps(after), ["matmul", "add", "add", "tanh"], "the bias is added in the loop, where masked rows see 0");
  expectSame(t, g, after, randomInputs(g, mode), "elman, lengths");
});

t.test("what a hoisted sum reads leaves with it", async (t) => {
  const c = new Case({ B: 2, T: 3 });
  const W = c.f32("W", [3, 3]), h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  const b = bodyBuilder();
  const w = b.input("W", f32t([3, 3])), h = b.input("h", f32t(["B", 3])), x = b.input("x", f32t(["B", 3]));
  const h2 = b.op("tanh", [b.add(b.add(b.op("matmul", [w, x]), h), b.op("exp", [x]))]);
  b.graph.outputs = [h2, h2];
  c.out(...emitScan(c.b, b.graph, [W], [h0], [xs]));
  const after = hoistInputProjections(c.graph);
  t.same(after.nodes.map((n) => n.op), ["matmul", "exp", "add", "scan"], "(W x + h) + exp(x) → (W x + exp(x)) + h: W x + exp(x) over the sequence");
  t.same(bodyOps(after), ["add", "tanh"]);
  expectSame(t, c.graph, after, c.values, "regrouped");
});

t.test("embeddings: hoisted with the projection, except with lengths (row 0 of E is not zero)", async (t) => {
  for (const lengths of [undefined, [4, 2]]) {
    const c = new Case({ B: 2, T: 4 });
    const E = c.f32("E", [5, 2]), W = c.f32("W", [3, 2]), U = c.f32("U", [3, 3]), bias = c.f32("b", [3]);
    const h0 = c.f32("h0", ["B", 3]), ids = c.i32("ids", ["T", "B"], { max: 5 });
    const len = lengths ? c.i32("len", ["B"], lengths) : undefined;
    c.out(...emitScan(c.b, elmanBody({ I: 2, H: 3 }, { vocab: 5 }), [E, W, U, bias], [h0], [ids], len ? { lengths: len } : {}));
    const after = hoistInputProjections(c.graph);
    const moved = after.nodes.filter((n) => n.op !== "scan").map((n) => n.op);
    t.same(moved, lengths ? [] : ["embedding", "matmul", "add"], lengths ? "with lengths: nothing" : "without: E[ids], W @ e, + b");
    expectSame(t, c.graph, after, c.values, `embedding${lengths ? ", lengths" : ""}`);
  }
});

t.test("one_hot feeding a projection moves with it; a lone one_hot or elementwise op does not", async (t) => {
  const c = new Case({ B: 2, T: 3 });
  const W = c.f32("W", [3, 4]), h0 = c.f32("h0", ["B", 3]), ids = c.i32("ids", ["T", "B"], { max: 4 });
  const xs = c.f32("xs", ["T", "B", 3]);
  const b = bodyBuilder();
  const w = b.input("W", f32t([3, 4])), h = b.input("h", f32t(["B", 3]));
  const id = b.input("id", i32t(["B"])), x = b.input("x", f32t(["B", 3]));
  const oh = b.op("one_hot", [id], { depth: 4 });
  const h2 = b.mul(b.op("tanh", [b.add(b.op("matmul", [w, oh]), h)]), b.op("exp", [x]));
  b.graph.outputs = [h2, h2, oh];
  c.out(...emitScan(c.b, b.graph, [W], [h0], [ids, xs]));
  const after = hoistInputProjections(c.graph);
  t.same(after.nodes.map((n) => n.op), ["one_hot", "matmul", "scan"]);
  t.ok(bodyOps(after).includes("one_hot"), "the one_hot ys is still made in the loop: a stacked copy alone buys nothing");
  t.ok(bodyOps(after).includes("exp"), "exp(x), not connected to a projection, costs the same in the loop");
  expectSame(t, c.graph, after, c.values, "one_hot");
});

t.test("every example cell, every mode: the x-side matmuls leave, the results stay", async (t) => {
  for (const cell of CELLS) {
    for (const [name, mode] of Object.entries(MODES)) {
      const g = cellGraph(cell, mode);
      const after = hoistInputProjections(g);
      const before = count(bodies(g)[0]!, "matmul");
      t.equal(count(bodies(after)[0]!, "matmul"), before / 2, `${cell} ${name}: ${before} → ${before / 2} matmuls per step`);
      t.equal(count(after, "matmul"), before / 2, "the others run once, before the loop");
      expectSame(t, g, after, randomInputs(g, mode), `${cell} ${name}`);
    }
  }
});

t.test("backward scans: a cotangent projection of a per-step input leaves the loop", async (t) => {
  // a cell with an output projection y = Wy @ h': its backward body computes Wyᵀ ct_y per step
  const c = new Case({ B: 2, T: 5 });
  const W = c.f32("W", [3, 2]), U = c.f32("U", [3, 3]), Wy = c.f32("Wy", [2, 3]);
  const h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 2]);
  const b = bodyBuilder();
  const w = b.input("W", f32t([3, 2])), u = b.input("U", f32t([3, 3])), wy = b.input("Wy", f32t([2, 3]));
  const h = b.input("h", f32t(["B", 3])), x = b.input("x", f32t(["B", 2]));
  const h2 = b.op("tanh", [b.add(b.op("matmul", [w, x]), b.op("matmul", [u, h]))]);
  b.graph.outputs = [h2, b.op("matmul", [wy, h2])];
  c.out(...emitScan(c.b, b.graph, [W, U, Wy], [h0], [xs], { reverse: true }));
  const v = vjpGraph(c.graph, c.floatInputs()).graph;
  const { bwd } = forwardAndBackward(v);
  const bbody = scanAttrs(bwd!.attrs).body;
  const ctY = bbody.inputs.at(-1)!;
  t.ok(bbody.nodes.some((n) => n.op === "matmul" && n.attrs.transpose_a === true && n.inputs[1] === ctY), "before: Wyᵀ ct_y in the loop");
  const after = hoistInputProjections(v);
  const b2 = forwardAndBackward(after).bwd!;
  t.notOk(scanAttrs(b2.attrs).body.nodes.some((n) => n.op === "matmul" && n.inputs[0] === "Wy"), "after: not in the loop");
  t.ok(after.nodes.some((n) => n.op === "matmul" && n.inputs[0] === "Wy" && n.attrs.transpose_a === true), "but once, before it");
  const bw = backward(c.graph, c.values);
  expectSame(t, bw.graph, hoistInputProjections(bw.graph), bw.inputs, "vjp with an output projection");
});
