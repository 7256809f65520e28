/**
 * fuseElementwise: the IR before and after (the LSTM's and GRU's forward and backward bodies each
 * become one fused loop), convexity (a group never depends on itself through an outside node), and
 * equivalence on the interpreter: a fused node evaluates exactly the ops it holds, so fusing alone
 * changes no bit, for every example cell forward and backward, with and without lengths, and for
 * random cells.
 */
import t from "tap";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import type { Graph, Node } from "../../compiler/ir/types.ts";
import { fusedExpr } from "../../compiler/ops/fused.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { FUSABLE_OPS, fuseElementwise } from "../../compiler/passes/fuse-elementwise.ts";
import { optimizeGraph, stages } from "../../compiler/passes/index.ts";
import { verifyGraph } from "../../compiler/passes/verify.ts";
import { Case, bodyBuilder, emitScan, f32t } from "../ops/_helpers.ts";
import { CELLS, MODES, TOL, backward, bodies, cellGraph, count, expectSame, forwardAndBackward, randomInputs, relativeError } from "./_harness.ts";
import type { CellName } from "./_harness.ts";
import { randomCell } from "./_random.ts";

/** The pipeline up to (not including) fuseElementwise, and the stage itself. */
function beforeFusion(g: Graph): Graph {
  for (const s of stages) {
    if (s.name === "fuseElementwise") return g;
    g = s.run(g);
  }
  throw new Error("no fuseElementwise stage");
}
const fuseStage = stages.find((s) => s.name === "fuseElementwise")!;

function fusedNodes(g: Graph): Node[] {
  return g.nodes.filter((n) => n.op === "fused");
}

/** Every op name of g's nodes, fused expressions and bodies included. */
function opsIn(g: Graph): string[] {
  return g.nodes.flatMap((n) => [n.op, ...(n.op === "fused" ? opsIn(fusedExpr(n.attrs)) : n.op === "scan" ? opsIn(scanAttrs(n.attrs).body) : [])]);
}

/** Bitwise equality of two runs (NaN equal to NaN). */
function identical(a: ReturnType<typeof runGraph>, b: ReturnType<typeof runGraph>): boolean {
  return a.length === b.length && a.every((x, i) => x.data.length === b[i]!.data.length && x.data.every((v, k) => Object.is(v, b[i]!.data[k]) || (Number.isNaN(v) && Number.isNaN(b[i]!.data[k]!))));
}

/** The LSTM (or GRU) VJP graph through the whole pipeline, at I=4, H=8. */
function optimizedVjp(cell: CellName): { before: Graph; after: Graph } {
  const g = cellGraph(cell, {}, { I: 4, H: 8 });
  const v = vjpGraph(g, g.inputs.filter((x) => g.types.get(x)!.dtype === "f32")).graph;
  return { before: beforeFusion(v), after: optimizeGraph(v) };
}

t.test("the LSTM: gates, cell update and their VJPs become one loop per step", async (t) => {
  const { before, after } = optimizedVjp("lstm");
  const fb = forwardAndBackward(before), fa = forwardAndBackward(after);
  const fwdBefore = scanAttrs(fb.fwd.attrs).body, fwdAfter = scanAttrs(fa.fwd.attrs).body;
  const bwdBefore = scanAttrs(fb.bwd!.attrs).body, bwdAfter = scanAttrs(fa.bwd!.attrs).body;

  // forward body: matmul, the 4 gate windows of W?h @ h (those of the hoisted projection are 4
  // xs, which the stage's clean-up turns into one xs sliced in the body), 4 adds, 4 nonlinearities,
  // the cell update (3), tanh and h' = tanh(s')·o → matmul + one fused node
  t.equal(count(fwdBefore, "slice"), 4, "before: 4 gate windows of W?h @ h");
  t.equal(scanAttrs(fb.fwd.attrs).n_xs, 4, "before: 4 gate windows of the projection as xs");
  t.equal(scanAttrs(fa.fwd.attrs).n_xs, 1, "after: one xs, the [B, 4H] projection step");
  t.equal(fwdBefore.nodes.filter((n) => FUSABLE_OPS.has(n.op)).length, 13, "before: 13 elementwise ops");
  t.same(fwdAfter.nodes.map((n) => n.op), ["matmul", "fused"], "after: the recurrent matmul and one fused loop");
  const f = fusedNodes(fwdAfter)[0]!;
  const fe = fusedExpr(f.attrs);
  t.equal(fe.nodes.filter((n) => n.op === "slice").length, 8, "the fused loop reads the 8 gate windows in place");
  t.equal(f.inputs.length, 3, "it reads the projection step, W?h @ h and s");
  // outputs: only what leaves the group: the carries h', s' and the residuals the backward loop saves
  t.same([...f.outputs].sort(), ["%f", "%g", "%h'", "%i", "%o", "%s'", "%tanh"].sort(), "outputs: the carries and the saved residuals");

  // backward body: 21 elementwise ops and the concat of the four gate gradients → one fused node
  t.ok(bwdBefore.nodes.filter((n) => FUSABLE_OPS.has(n.op)).length >= 20, "before: the elementwise VJP chain");
  t.equal(count(bwdBefore, "concat"), 1, "before: one concat of the gate gradients for the merged Σ Wᵀ g");
  t.same(bwdAfter.nodes.map((n) => n.op), ["fused", "matmul"], "after: one fused loop, then the merged matmul");
  const b = fusedNodes(bwdAfter)[0]!;
  t.equal(b.outputs.length, 2, "it writes the state cotangent and the concatenated gate gradients");
  t.equal(bwdAfter.types.get(b.outputs[1]!)!.shape.join(), "B,32", "the concat [B, 4H], written in place");
  t.same(count(after, "fused"), 0, "nothing at top level: the only top-level elementwise op (the bias add) is alone");
});

t.test("the GRU: one fused loop per body; a lone op reading a slice fuses with it", async (t) => {
  const { after } = optimizedVjp("gru");
  const { fwd, bwd } = forwardAndBackward(after);
  const fb = scanAttrs(fwd.attrs).body, bb = scanAttrs(bwd!.attrs).body;
  t.same(fb.nodes.map((n) => n.op), ["matmul", "fused"]);
  t.equal(count(fb, "slice"), 0, "the gate windows of W?h @ h are read in place");
  t.same(bb.nodes.map((n) => n.op), ["fused", "matmul", "add"], "the add after the merged matmul depends on it: not fusable with the chain");
  t.equal(count(bb, "concat"), 0, "both concatenations of gate gradients are written by the fused loop");
  // top level: add(slice(projection), b_h?) for the r and z gates: one loop each, no slice copy
  const top = fusedNodes(after);
  t.equal(top.length, 2);
  for (const n of top) t.same(fusedExpr(n.attrs).nodes.map((x) => x.op), ["slice", "add"]);
});

t.test("fusing changes no bit on the interpreter: every cell, every mode, forward and backward", async (t) => {
  for (const cell of CELLS) {
    for (const [modeName, mode] of Object.entries(MODES)) {
      const g = cellGraph(cell, mode);
      const ins = randomInputs(g, mode);
      const bw = backward(g, ins);
      for (const [dir, graph, inputs] of [["forward", g, ins], ["backward", bw.graph, bw.inputs]] as const) {
        const pre = beforeFusion(graph);
        const fused = fuseElementwise(pre);
        verifyGraph(fused);
        const nFused = opsIn(fused).filter((o) => o === "fused").length;
        t.ok(nFused > 0, `${cell} ${modeName} ${dir}: ${nFused} fused nodes`);
        t.ok(identical(runGraph(fused, inputs), runGraph(pre, inputs)), `${cell} ${modeName} ${dir}: the same bits as before fusing`);
        // the whole stage (a clean-up, then fusion) and the pipeline's end, within rounding
        expectSame(t, graph, fuseStage.run(pre), inputs, `${cell} ${modeName} ${dir}, the stage`);
        expectSame(t, graph, optimizeGraph(graph), inputs, `${cell} ${modeName} ${dir}, the pipeline`);
      }
    }
  }
});

t.test("random cells: fusing changes no bit", async (t) => {
  for (let seed = 1; seed <= 40; seed++) {
    const { graph, mode, text } = randomCell(seed);
    const ins = randomInputs(graph, mode, seed);
    const bw = backward(graph, ins, seed);
    for (const [dir, g, inputs] of [["forward", graph, ins], ["backward", bw.graph, bw.inputs]] as const) {
      const pre = beforeFusion(g);
      const fused = fuseElementwise(pre);
      verifyGraph(fused);
      t.ok(identical(runGraph(fused, inputs), runGraph(pre, inputs)), `${text}, ${dir}`);
    }
  }
});

t.test("a group never depends on itself through an outside node (convexity)", async (t) => {
  // a = tanh(h); m = W @ a; out = a · m + x: tanh and the mul/add are connected, but W @ a sits
  // between them — one fused node holding both would read its own output
  const c = new Case({ B: 2, T: 3 });
  const W = c.f32("W", [3, 3]), h0 = c.f32("h0", ["B", 3]), xs = c.f32("xs", ["T", "B", 3]);
  const b = bodyBuilder();
  const w = b.input("W", f32t([3, 3])), h = b.input("h", f32t(["B", 3])), x = b.input("x", f32t(["B", 3]));
  const a = b.op("tanh", [h]);
  const m = b.op("matmul", [w, a]);
  const h2 = b.add(b.mul(a, m), b.op("exp", [x]));
  b.graph.outputs = [h2, h2];
  c.out(...emitScan(c.b, b.graph, [W], [h0], [xs]));
  const after = fuseElementwise(c.graph);
  verifyGraph(after);
  const body = bodies(after)[0]!;
  t.same(body.nodes.map((n) => n.op), ["tanh", "matmul", "fused"], "tanh stays alone; mul, add and exp fuse after the matmul");
  t.same(fusedExpr(fusedNodes(body)[0]!.attrs).nodes.map((n) => n.op).sort(), ["add", "exp", "mul"]);
  expectSame(t, c.graph, after, c.values, "convex groups");
  t.ok(identical(runGraph(after, c.values), runGraph(c.graph, c.values)), "the same bits");
});

t.test("what is not fused", async (t) => {
  const c = new Case({ B: 2, T: 3 });
  const x = c.f32("x", ["B", 4]), y = c.f32("y", [4]), z = c.f32("z", ["B", 1]);
  const lone = c.b.op("tanh", [x]); // one op, reading no slice: nothing to gain
  const s = c.b.op("sum", [lone], { axis: -1, keepdims: true }); // [B, 1]
  const wide = c.b.add(y, y); // [4]: another shape than its consumer
  const out = c.b.mul(c.b.add(s, z), c.b.op("sigmoid", [z])); // [B, 1] chain: fused
  c.out(lone, c.b.mul(x, wide), out);
  const after = fuseElementwise(c.graph);
  verifyGraph(after);
  t.same(after.nodes.map((n) => n.op), ["tanh", "sum", "add", "fused", "mul"]);
  t.same(fusedExpr(fusedNodes(after)[0]!.attrs).nodes.map((n) => n.op), ["add", "sigmoid", "mul"], "only the [B, 1] chain");
  t.ok(identical(runGraph(after, c.values), runGraph(c.graph, c.values)));
  t.equal(fuseElementwise(after), after, "fusing again changes nothing");
});

t.test("a fused node: its shape rule, and no VJP", async (t) => {
  const c = new Case({ B: 2, T: 3 });
  const x = c.f32("x", ["B", 3]);
  c.out(c.b.op("tanh", [c.b.mul(x, x)]));
  const fused = fuseElementwise(c.graph);
  const n = fusedNodes(fused)[0]!;
  t.same(fused.types.get(n.outputs[0]!), { dtype: "f32", shape: ["B", 3] });
  t.throws(() => vjpGraph(fused, ["x"]), /internal: fused nodes appear after autodiff/);
  const bad = { ...fused, types: new Map(fused.types).set("x", { dtype: "f32" as const, shape: ["B", 4] }) };
  t.throws(() => verifyGraph(bad), /fused: input x is f32\[B, 4\], its expression reads f32\[B, 3\]/);
  t.ok(relativeError(runGraph(fused, c.values), runGraph(c.graph, c.values)) < TOL);
});
