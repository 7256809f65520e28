/**
 * Reference values of the f64 interpreter, computed by hand or by independent loops, and the
 * errors of shape rules (raised when a node is built) and of the interpreter (raised at run time).
 */
import t, { type Test } from "tap";
import { RnncError } from "../../compiler/diagnostics.ts";
import { Builder } from "../../compiler/ir/builder.ts";
import { bindDims, runGraph } from "../../compiler/interp/interpreter.ts";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { Case, emitScan, f32t, i32t, maxAbsDiff, tensor } from "./_helpers.ts";
import type { Tensor } from "./_helpers.ts";
import type { Graph } from "../../compiler/ir/types.ts";

const close = (t: Test, got: Tensor, want: number[], msg: string, tol = 1e-12) => {
  t.equal(got.data.length, want.length, `${msg}: ${want.length} values`);
  t.ok(maxAbsDiff(got.data, Float64Array.from(want)) <= tol, `${msg}: got [${Array.from(got.data).map((v) => +v.toFixed(6))}]`);
};

/** Builds a graph with one op applied to the given (name, type, value) inputs and runs it. */
function run1(op: string, ins: [string, "f32" | "i32", (string | number)[], number[], number[]][], attrs: Record<string, unknown> = {}): Tensor[] {
  const b = new Builder();
  const values: Tensor[] = [];
  for (const [name, dtype, shape, concreteShape, data] of ins) {
    b.input(name, { dtype, shape: shape as never });
    values.push(tensor(concreteShape, data, dtype));
  }
  b.graph.outputs = b.ops(op, ins.map((i) => i[0]), attrs as never);
  return runGraph(b.graph, values);
}

/** Asserts that building `op` on inputs of the given types throws an RnncError with exactly `message`. */
function rejects(t: Test, op: string, ins: [string, "f32" | "i32", (string | number)[]][], attrs: Record<string, unknown>, message: string): void {
  const b = new Builder();
  for (const [name, dtype, shape] of ins) b.input(name, { dtype, shape: shape as never });
  t.throws(() => b.ops(op, ins.map((i) => i[0]), attrs as never), new RnncError(message), message);
}

// ---- numeric reference values ------------------------------------------------------------

t.test("matmul equals a hand-written loop", async (t) => {
  for (const transpose of [false, true]) {
    const c = new Case({ B: 3, T: 2 }, 21);
    const A = c.f32("A", transpose ? [4, 5] : [5, 4]);
    const x = c.f32("x", ["T", "B", 4]);
    c.out(c.b.op("matmul", [A, x], transpose ? { transpose_a: true } : {}));
    const [y] = c.run();
    t.same(y!.shape, [2, 3, 5], "shape [T, B, M]");
    const a = c.value("A").data, xv = c.value("x").data;
    const want: number[] = [];
    for (let n = 0; n < 6; n++)
      for (let i = 0; i < 5; i++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += (transpose ? a[k * 5 + i]! : a[i * 4 + k]!) * xv[n * 4 + k]!;
        want.push(s);
      }
    close(t, y!, want, `transpose_a=${transpose}`);
  }
  const [y] = run1("matmul", [["A", "f32", [2, 2], [2, 2], [1, 2, 3, 4]], ["x", "f32", [2], [2], [5, 6]]]);
  close(t, y!, [17, 39], "[[1,2],[3,4]] @ [5,6]");
  const [yt] = run1("matmul", [["A", "f32", [2, 2], [2, 2], [1, 2, 3, 4]], ["x", "f32", [2], [2], [5, 6]]], { transpose_a: true });
  close(t, yt!, [23, 34], "[[1,2],[3,4]]ᵀ @ [5,6]");
});

t.test("outer sums u ⊗ v over leading positions", async (t) => {
  const [o] = run1("outer", [
    ["u", "f32", ["B", 2], [2, 2], [1, 2, 3, 4]],
    ["v", "f32", ["B", 3], [2, 3], [1, 0, -1, 2, 1, 0]],
  ]);
  // [1,2]⊗[1,0,-1] + [3,4]⊗[2,1,0]
  close(t, o!, [1 + 6, 0 + 3, -1 + 0, 2 + 8, 0 + 4, -2 + 0], "Σ_b u_b v_bᵀ");
  t.same(o!.shape, [2, 3]);
});

t.test("elementwise ops and broadcasting", async (t) => {
  const m: [string, "f32", (string | number)[], number[], number[]] = ["a", "f32", ["B", 3], [2, 3], [1, 2, 3, 4, 5, 6]];
  const v: [string, "f32", (string | number)[], number[], number[]] = ["b", "f32", [3], [3], [10, 20, 30]];
  close(t, run1("add", [m, v])[0]!, [11, 22, 33, 14, 25, 36], "add [B,3] + [3]");
  close(t, run1("sub", [v, m])[0]!, [9, 18, 27, 6, 15, 24], "sub [3] - [B,3]");
  close(t, run1("mul", [m, ["b", "f32", ["B", 1], [2, 1], [2, -1]]])[0]!, [2, 4, 6, -4, -5, -6], "mul [B,3] * [B,1]");
  close(t, run1("div", [m, ["b", "f32", [], [], [4]]])[0]!, [0.25, 0.5, 0.75, 1, 1.25, 1.5], "div by a scalar");
  const [mx] = run1("maximum", [m, ["b", "f32", [3], [3], [2, 2, 7]]]);
  close(t, mx!, [2, 2, 7, 4, 5, 7], "maximum with broadcast");
  const [ge] = run1("greater_equal", [["a", "f32", [3], [3], [1, 2, 3]], ["b", "f32", [3], [3], [2, 2, 2]]]);
  close(t, ge!, [0, 1, 1], "greater_equal is 1 on ties");
  const [w] = run1("where", [
    ["c", "f32", ["B", 1], [2, 1], [1, 0]],
    ["a", "f32", [3], [3], [1, 2, 3]],
    ["b", "f32", [], [], [-1]],
  ]);
  close(t, w!, [1, 2, 3, -1, -1, -1], "where(mask [B,1], [3], scalar)");
  t.same(w!.shape, [2, 3]);

  const x: [string, "f32", (string | number)[], number[], number[]] = ["x", "f32", [5], [5], [-2, -0.5, 0, 0.5, 2]];
  close(t, run1("neg", [x])[0]!, [2, 0.5, -0, -0.5, -2], "neg");
  close(t, run1("relu", [x])[0]!, [0, 0, 0, 0.5, 2], "relu");
  close(t, run1("abs", [x])[0]!, [2, 0.5, 0, 0.5, 2], "abs");
  close(t, run1("step", [x])[0]!, [0, 0, 0, 1, 1], "step is 1 only where x > 0");
  close(t, run1("sign", [x])[0]!, [-1, -1, 0, 1, 1], "sign");
  close(t, run1("tanh", [x])[0]!, [-2, -0.5, 0, 0.5, 2].map(Math.tanh), "tanh");
  close(t, run1("sigmoid", [x])[0]!, [-2, -0.5, 0, 0.5, 2].map((v) => 1 / (1 + Math.exp(-v))), "sigmoid");
  close(t, run1("exp", [x])[0]!, [-2, -0.5, 0, 0.5, 2].map(Math.exp), "exp");
  const p: [string, "f32", (string | number)[], number[], number[]] = ["p", "f32", [3], [3], [1, 4, Math.E]];
  close(t, run1("log", [p])[0]!, [0, Math.log(4), 1], "log");
  close(t, run1("sqrt", [p])[0]!, [1, 2, Math.sqrt(Math.E)], "sqrt");
  const [big] = run1("sigmoid", [["x", "f32", [2], [2], [-800, 800]]]);
  close(t, big!, [0, 1], "sigmoid saturates without NaN");
});

t.test("softmax and log_softmax", async (t) => {
  const [s] = run1("softmax", [["x", "f32", [3], [3], [0, Math.log(2), Math.log(3)]]]);
  close(t, s!, [1 / 6, 2 / 6, 3 / 6], "softmax [0, ln 2, ln 3] = [1, 2, 3] / 6", 1e-15);
  const [ls] = run1("log_softmax", [["x", "f32", [3], [3], [0, Math.log(2), Math.log(3)]]]);
  close(t, ls!, [Math.log(1 / 6), Math.log(1 / 3), Math.log(1 / 2)], "log_softmax of the same", 1e-15);

  // random rows: sums, shift invariance (a per-row shift), log_softmax = log(softmax)
  const c = new Case({ B: 3, T: 2 }, 5);
  const x = c.f32("x", ["T", "B", 4], { lo: -3, hi: 3 });
  const shift = c.f32("shift", ["T", "B", 1], { lo: -50, hi: 50 });
  const sm = c.b.op("softmax", [x]);
  c.out(sm, c.b.op("softmax", [c.b.add(x, shift)]), c.b.op("log_softmax", [x]), c.b.op("log", [sm]), c.b.op("log_softmax", [c.b.add(x, shift)]));
  const [y, yShift, lsm, logSm, lsmShift] = c.run();
  t.same(y!.shape, [2, 3, 4]);
  let worst = 0;
  for (let r = 0; r < 6; r++) worst = Math.max(worst, Math.abs(y!.data.subarray(r * 4, r * 4 + 4).reduce((a, v) => a + v, 0) - 1));
  t.ok(worst < 1e-15, `every row sums to 1 (worst error ${worst})`);
  t.ok(y!.data.every((v) => v > 0 && v < 1), "every probability is in (0, 1)");
  t.ok(maxAbsDiff(y!, yShift!) < 1e-14, "softmax(x + c) = softmax(x) for a per-row shift c");
  t.ok(maxAbsDiff(lsm!, logSm!) < 1e-14, "log_softmax(x) = log(softmax(x))");
  t.ok(maxAbsDiff(lsm!, lsmShift!) < 1e-12, "log_softmax is shift-invariant");

  const [huge] = run1("softmax", [["x", "f32", [2, 3], [2, 3], [1000, 1000 + Math.log(2), 1000 + Math.log(3), -1000, -1000, -1000]]]);
  close(t, huge!, [1 / 6, 2 / 6, 3 / 6, 1 / 3, 1 / 3, 1 / 3], "large logits do not overflow", 1e-12);
  const [hugeL] = run1("log_softmax", [["x", "f32", [2], [2], [-1e6, 0]]]);
  close(t, hugeL!, [-1e6, 0], "log_softmax far in the tail stays finite", 1e-9);
});

t.test("cross_entropy is -log softmax at the target", async (t) => {
  const [hand] = run1("cross_entropy", [["l", "f32", [3], [3], [0, Math.log(2), Math.log(3)]], ["t", "i32", [], [], [2]]]);
  close(t, hand!, [Math.log(2)], "-log(3/6) = ln 2", 1e-15);

  const c = new Case({ B: 3, T: 2 }, 8);
  const l = c.f32("l", ["T", "B", 5], { lo: -2, hi: 2 });
  const tg = c.i32("tg", ["T", "B"], [4, 0, 2, 2, 1, 4]);
  c.out(
    c.b.op("cross_entropy", [l, tg], { reduction: "none" }),
    c.b.op("cross_entropy", [l, tg], { reduction: "sum" }),
    c.b.op("cross_entropy", [l, tg], { reduction: "mean" }),
    c.b.op("cross_entropy", [l, tg]),
    c.b.op("log_softmax", [l]),
  );
  const [none, sum, mean, dflt, lsm] = c.run();
  t.same(none!.shape, [2, 3], "reduction none keeps the leading dims");
  t.same(sum!.shape, [], "sum is a scalar");
  const targets = [4, 0, 2, 2, 1, 4];
  const want = targets.map((k, p) => -lsm!.data[p * 5 + k]!);
  close(t, none!, want, "per position: -log_softmax[target]");
  const total = want.reduce((a, v) => a + v, 0);
  close(t, sum!, [total], "sum");
  close(t, mean!, [total / 6], "mean over all positions");
  close(t, dflt!, [total / 6], "the default reduction is mean");
  t.ok(none!.data.every((v) => v > 0), "cross-entropy is positive");
});

t.test("mse, mean, numel", async (t) => {
  const [m] = run1("mse", [["a", "f32", ["B", 2], [2, 2], [1, 2, 3, 4]], ["b", "f32", ["B", 2], [2, 2], [1, 0, 0, 4]]]);
  close(t, m!, [(0 + 4 + 9 + 0) / 4], "mse");
  const [mn] = run1("mean", [["a", "f32", ["B", 3], [2, 3], [1, 2, 3, 4, 5, 6]]]);
  close(t, mn!, [3.5], "mean");
  const [n] = run1("numel", [["a", "f32", ["T", "B", 3], [4, 2, 3], new Array(24).fill(0)]]);
  close(t, n!, [24], "numel counts with the run-time B and T");
});

t.test("one_hot and embedding", async (t) => {
  const [oh] = run1("one_hot", [["ids", "i32", ["B"], [3], [2, 0, 1]]], { depth: 3 });
  t.same(oh!.shape, [3, 3]);
  close(t, oh!, [0, 0, 1, 1, 0, 0, 0, 1, 0], "one_hot rows");
  const E = [10, 11, 20, 21, 30, 31];
  const [e] = run1("embedding", [["E", "f32", [3, 2], [3, 2], E], ["ids", "i32", ["B", 2], [2, 2], [2, 0, 2, 1]]]);
  t.same(e!.shape, [2, 2, 2], "[B, 2] ids → [B, 2, D]");
  close(t, e!, [30, 31, 10, 11, 30, 31, 20, 21], "rows of E, repeats included");
  const [s] = run1("scatter_rows", [["g", "f32", ["B", 2], [3, 2], [1, 2, 3, 4, 5, 6]], ["ids", "i32", ["B"], [3], [1, 3, 1]]], { rows: 4 });
  close(t, s!, [0, 0, 6, 8, 0, 0, 3, 4], "scatter_rows sums repeated ids");
});

t.test("concat, slice and pad", async (t) => {
  const c = new Case({ B: 2, T: 3 }, 4);
  const a = c.f32("a", ["B", 2]);
  const b = c.f32("b", ["B", 3]);
  const cat = c.b.op("concat", [a, b], { axis: -1 });
  const back0 = c.b.op("slice", [cat], { axis: -1, start: 0, size: 2 });
  const back1 = c.b.op("slice", [cat], { axis: 1, start: 2, size: 3 });
  const padded = c.b.op("pad", [a], { axis: 1, before: 1, after: 2 });
  const unpadded = c.b.op("slice", [padded], { axis: 1, start: 1, size: 2 });
  const x0 = c.f32("x0", [2, "B", 1]);
  const x1 = c.f32("x1", [1, "B", 1]);
  const cat0 = c.b.op("concat", [x0, x1], { axis: 0 });
  c.out(cat, back0, back1, padded, unpadded, cat0, c.b.op("slice", [cat0], { axis: 0, start: 2, size: 1 }));
  const [vcat, v0, v1, vpad, vunpad, vcat0, vlast] = c.run();
  const av = c.value("a").data, bv = c.value("b").data;
  t.same(vcat!.shape, [2, 5]);
  close(t, vcat!, [av[0]!, av[1]!, bv[0]!, bv[1]!, bv[2]!, av[2]!, av[3]!, bv[3]!, bv[4]!, bv[5]!], "concat on the last axis interleaves rows", 0);
  t.equal(maxAbsDiff(v0!, c.value("a")), 0, "slice recovers the first operand");
  t.equal(maxAbsDiff(v1!, c.value("b")), 0, "slice recovers the second operand");
  t.same(vpad!.shape, [2, 5]);
  close(t, vpad!, [0, av[0]!, av[1]!, 0, 0, 0, av[2]!, av[3]!, 0, 0], "pad puts zeros around", 0);
  t.equal(maxAbsDiff(vunpad!, c.value("a")), 0, "slice of pad is the identity");
  t.same(vcat0!.shape, [3, 2, 1]);
  close(t, vcat0!, [...c.value("x0").data, ...c.value("x1").data], "concat on axis 0 stacks", 0);
  t.equal(maxAbsDiff(vlast!, c.value("x1")), 0, "slice on axis 0 recovers the last block");
});

t.test("sum over all, an axis, keepdims; sum_to and expand_like", async (t) => {
  const x: [string, "f32", (string | number)[], number[], number[]] = ["x", "f32", ["B", 3], [2, 3], [1, 2, 3, 4, 5, 6]];
  const all = run1("sum", [x])[0]!;
  t.same(all.shape, []);
  close(t, all, [21], "all elements");
  const a0 = run1("sum", [x], { axis: 0 })[0]!;
  t.same(a0.shape, [3]);
  close(t, a0, [5, 7, 9], "axis 0");
  const a1 = run1("sum", [x], { axis: 1 })[0]!;
  t.same(a1.shape, [2]);
  close(t, a1, [6, 15], "axis 1");
  const k = run1("sum", [x], { axis: -1, keepdims: true })[0]!;
  t.same(k.shape, [2, 1], "keepdims keeps a 1");
  close(t, k, [6, 15], "axis -1 keepdims");
  const y: [string, "f32", (string | number)[], number[], number[]] = ["y", "f32", ["T", "B", 2], [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]];
  const mid = run1("sum", [y], { axis: 1, keepdims: true })[0]!;
  t.same(mid.shape, [2, 1, 2]);
  close(t, mid, [4, 6, 12, 14], "middle axis of rank 3");

  const st = run1("sum_to", [y, ["like", "f32", ["B", 1], [2, 1], [0, 0]]])[0]!;
  t.same(st.shape, [2, 1]);
  close(t, st, [1 + 2 + 5 + 6, 3 + 4 + 7 + 8], "sum_to [T,B,2] → [B,1]");
  const ex = run1("expand_like", [["g", "f32", ["B", 1], [2, 1], [1, 2]], ["like", "f32", ["T", "B", 2], [2, 2, 2], new Array(8).fill(9)]])[0]!;
  close(t, ex, [1, 1, 2, 2, 1, 1, 2, 2], "expand_like broadcasts and ignores like's values");
  const exa = run1("expand_like", [["g", "f32", ["B", 2], [2, 2], [1, 2, 3, 4]], ["like", "f32", ["B", 3, 2], [2, 3, 2], new Array(12).fill(0)]], { axis: 1 })[0]!;
  close(t, exa, [1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4], "expand_like re-inserts axis 1");
});

t.test("sequence_mask, constants, float, stop_gradient, zeros_like", async (t) => {
  const [m] = run1("sequence_mask", [["len", "i32", ["B"], [3], [3, 1, 0]], ["x", "f32", ["T", "B", 2], [4, 3, 2], new Array(24).fill(1)]]);
  t.same(m!.shape, [4, 3], "[T, B]");
  close(t, m!, [1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0], "1 where t < lengths[b]");
  const [k] = run1("constant", [], { value: 2.5, shape: [2, 2] });
  close(t, k!, [2.5, 2.5, 2.5, 2.5], "constant with a shape");
  const [s] = run1("constant", [], { value: -1 });
  t.same(s!.shape, []);
  close(t, s!, [-1], "scalar constant");
  const [f] = run1("float", [["ids", "i32", ["B"], [3], [3, 0, 7]]]);
  t.equal(f!.dtype, "f32");
  close(t, f!, [3, 0, 7], "float");
  const [sg] = run1("stop_gradient", [["x", "f32", [2], [2], [4, 5]]]);
  close(t, sg!, [4, 5], "stop_gradient is the identity");
  const [z] = run1("zeros_like", [["x", "f32", ["B", 2], [2, 2], [4, 5, 6, 7]]]);
  close(t, z!, [0, 0, 0, 0], "zeros_like");
});

t.test("a graph may return the same value twice and an input directly", async (t) => {
  const b = new Builder();
  const x = b.input("x", f32t(["B"]));
  const y = b.op("exp", [x]);
  b.graph.outputs = [y, x, y];
  const [o1, o2, o3] = runGraph(b.graph, [tensor([2], [0, 1])]);
  close(t, o1!, [1, Math.E], "first");
  close(t, o2!, [0, 1], "the input itself");
  close(t, o3!, [1, Math.E], "second copy");
});

// ---- run-time errors ------------------------------------------------------------------------

t.test("out-of-range ids are interpreter errors", async (t) => {
  const emb = () => {
    const b = new Builder();
    b.graph.outputs = [b.op("embedding", [b.input("E", f32t([4, 2])), b.input("ids", i32t(["B", 3]))])];
    return b.graph;
  };
  const E = tensor([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  t.throws(
    () => runGraph(emb(), [E, tensor([2, 3], [0, 1, 4, 2, 3, 0], "i32")]),
    new RnncError("embedding: id 4 at flat position 2 of a [2, 3] tensor is out of range [0, 4)"),
  );
  t.throws(
    () => runGraph(emb(), [E, tensor([2, 3], [0, 1, 2, 3, 3, -1], "i32")]),
    new RnncError("embedding: id -1 at flat position 5 of a [2, 3] tensor is out of range [0, 4)"),
  );
  t.doesNotThrow(() => runGraph(emb(), [E, tensor([2, 3], [0, 1, 2, 3, 3, 3], "i32")]), "ids up to V - 1 are fine");

  const ce = (reduction: string) => {
    const b = new Builder();
    b.graph.outputs = [b.op("cross_entropy", [b.input("l", f32t(["B", 3])), b.input("t", i32t(["B"]))], { reduction })];
    return b.graph;
  };
  const L = tensor([2, 3], [0, 1, 2, 3, 4, 5]);
  for (const r of ["none", "mean"]) {
    t.throws(
      () => runGraph(ce(r), [L, tensor([2], [0, 3], "i32")]),
      new RnncError("cross_entropy: id 3 at flat position 1 of a [2] tensor is out of range [0, 3)"),
      `reduction ${r}`,
    );
  }
  t.throws(
    () => runGraph(ce("sum"), [L, tensor([2], [-2, 0], "i32")]),
    new RnncError("cross_entropy: id -2 at flat position 0 of a [2] tensor is out of range [0, 3)"),
  );

  const oh = new Builder();
  oh.graph.outputs = [oh.op("one_hot", [oh.input("ids", i32t(["B"]))], { depth: 3 })];
  t.throws(
    () => runGraph(oh.graph, [tensor([2], [5, 0], "i32")]),
    new RnncError("one_hot: id 5 at flat position 0 of a [2] tensor is out of range [0, 3)"),
  );
});

t.test("bindDims checks inputs against their types", async (t) => {
  const types = [f32t(["B", 3]), f32t(["T", "B", 5]), i32t(["B"])];
  const names = ["x", "y", "ids"];
  t.same(bindDims(names, types, [tensor([2, 3]), tensor([4, 2, 5]), tensor([2], [0, 1], "i32")]), { B: 2, T: 4 });
  t.throws(() => bindDims(names, types, [tensor([2, 4]), tensor([4, 2, 5]), tensor([2], [0, 1], "i32")]), new RnncError("input x: expected shape [B, 3] with B=2, got [2, 4]"));
  t.throws(
    () => bindDims(names, types, [tensor([2, 3]), tensor([4, 3, 5]), tensor([2], [0, 1], "i32")]),
    new RnncError("input y: expected shape [T, B, 5] with B=2, T=4, got [4, 3, 5]"),
  );
  t.throws(
    () => bindDims(names, types, [tensor([2, 3]), tensor([4, 2, 5]), tensor([3], [0, 1, 2], "i32")]),
    new RnncError("input ids: expected shape [B] with B=2, T=4, got [3]"),
  );
  t.throws(() => bindDims(names, types, [tensor([2, 3]), tensor([4, 2]), tensor([2], [0, 1], "i32")]), new RnncError("input y: expected shape [T, B, 5] with B=2, got [4, 2]"));
  t.throws(
    () => bindDims(names, types, [tensor([2, 3]), tensor([4, 2, 5]), tensor([2], [0, 1.5], "i32")]),
    new RnncError("input ids: expected integers (i32)"),
  );
});

// ---- shape-rule errors (raised as the node is built) ------------------------------------------

t.test("matmul shape errors", async (t) => {
  rejects(t, "matmul", [["W", "f32", [3, 4]], ["x", "f32", ["B", 5]]], {}, "matmul of W [3, 4] with x [B, 5]: the matrix has 4 columns but the vector has 5 elements");
  rejects(
    t, "matmul", [["W", "f32", [3, 4]], ["x", "f32", ["B", 4]]], { transpose_a: true },
    "matmul of W [3, 4] with x [B, 4]: the matrix has 3 columns but the vector has 4 elements",
  );
  rejects(t, "matmul", [["W", "f32", ["B", 4]], ["x", "f32", ["B", 4]]], {}, "matmul of W [B, 4] with x [B, 4]: the left operand must be a weight matrix [rows, cols]");
  rejects(t, "matmul", [["W", "f32", [4]], ["x", "f32", ["B", 4]]], {}, "matmul of W [4] with x [B, 4]: the left operand must be a weight matrix [rows, cols]");
  rejects(t, "matmul", [["W", "f32", [3, 4]], ["x", "f32", []]], {}, "matmul of W [3, 4] with x []: the right operand must be a vector");
  rejects(t, "outer", [["u", "f32", ["B", 3]], ["v", "f32", ["T", "B", 3]]], {}, "outer of u [B, 3] with v [T, B, 3]: leading dims must agree");
});

t.test("broadcast failures", async (t) => {
  rejects(t, "add", [["a", "f32", ["B", 3]], ["b", "f32", [4]]], {}, "add of a [B, 3] and b [4]: shapes do not broadcast");
  rejects(t, "mul", [["a", "f32", ["B", 3]], ["b", "f32", ["T", 3]]], {}, "mul of a [B, 3] and b [T, 3]: shapes do not broadcast");
  rejects(t, "maximum", [["a", "f32", [2, 3]], ["b", "f32", [3, 3]]], {}, "maximum of a [2, 3] and b [3, 3]: shapes do not broadcast");
  rejects(
    t, "where", [["c", "f32", ["B", 3]], ["a", "f32", ["B", 3]], ["b", "f32", [2]]], {},
    "where of c [B, 3], a [B, 3] and b [2]: shapes do not broadcast",
  );
  rejects(t, "expand_like", [["g", "f32", [4]], ["like", "f32", ["B", 3]]], {}, "expand_like: g [4] does not broadcast to like [B, 3]");
  rejects(t, "expand_like", [["g", "f32", ["B", 3]], ["like", "f32", [3]]], {}, "expand_like: g [B, 3] does not broadcast to like [3]");
  rejects(t, "sum_to", [["g", "f32", [3]], ["like", "f32", ["B", 3]]], {}, "sum_to: like [B, 3] does not broadcast to g [3]");
  rejects(t, "mse", [["a", "f32", ["B", 3]], ["b", "f32", ["B", 4]]], {}, "mse of a [B, 3] with b [B, 4]: shapes must be equal");
});

t.test("slice, pad, concat and axis errors", async (t) => {
  rejects(t, "slice", [["x", "f32", ["B", 5]]], { axis: -1, start: 3, size: 4 }, "slice of x [B, 5]: window [3, 7) does not fit in axis 1 of size 5");
  rejects(t, "slice", [["x", "f32", ["B", 5]]], { axis: 1, start: -1, size: 2 }, "slice of x [B, 5]: window [-1, 1) does not fit in axis 1 of size 5");
  rejects(t, "slice", [["x", "f32", ["B", 5]]], { start: 2, size: 0 }, "slice of x [B, 5]: window [2, 2) does not fit in axis 1 of size 5");
  rejects(t, "slice", [["x", "f32", ["B", 5]]], { axis: 0, start: 0, size: 1 }, "slice: axis 0 of x [B, 5] is B, which is only known at run time");
  rejects(t, "slice", [["x", "f32", ["B", 5]]], { axis: 2, start: 0, size: 1 }, "slice: axis 2 is out of range for x [B, 5]");
  rejects(t, "slice", [["x", "f32", ["B", 5]]], { start: 0 }, "slice needs attributes start and size");
  rejects(t, "pad", [["x", "f32", ["B", 5]]], { axis: 0, before: 1, after: 1 }, "pad: axis 0 of x [B, 5] is only known at run time");
  rejects(t, "concat", [["a", "f32", ["B", 2]], ["b", "f32", [3, 2]]], { axis: -1 }, "concat of a [B, 2] with b [3, 2]: shapes must agree except along axis 1");
  rejects(t, "concat", [["a", "f32", ["B", 2]], ["b", "f32", ["B", 2, 1]]], { axis: 1 }, "concat of a [B, 2] with b [B, 2, 1]: shapes must agree except along axis 1");
  rejects(t, "concat", [["a", "f32", ["T", "B", 2]], ["b", "f32", ["T", "B", 2]]], { axis: 0 }, "concat: axis 0 of a [T, B, 2] is T, which is only known at run time");
  rejects(t, "sum", [["x", "f32", ["B", 3]]], { axis: 2 }, "sum: axis 2 is out of range for x [B, 3]");
  rejects(t, "sum", [["x", "f32", ["B", 3]]], { axis: -3 }, "sum: axis -3 is out of range for x [B, 3]");
});

t.test("dtype errors", async (t) => {
  rejects(t, "tanh", [["ids", "i32", ["B"]]], {}, "tanh expects floating-point operands, but ids [B] is i32");
  rejects(t, "add", [["x", "f32", ["B"]], ["ids", "i32", ["B"]]], {}, "add expects floating-point operands, but ids [B] is i32");
  rejects(t, "matmul", [["W", "f32", [2, 2]], ["ids", "i32", ["B", 2]]], {}, "matmul expects floating-point operands, but ids [B, 2] is i32");
  rejects(t, "embedding", [["E", "f32", [4, 2]], ["x", "f32", ["B"]]], {}, "embedding expects token ids of dtype i32, but x [B] is f32");
  rejects(t, "embedding", [["E", "i32", [4, 2]], ["ids", "i32", ["B"]]], {}, "embedding expects floating-point operands, but E [4, 2] is i32");
  rejects(t, "cross_entropy", [["l", "f32", ["B", 4]], ["t", "f32", ["B"]]], {}, "cross_entropy expects targets of dtype i32, but t [B] is f32");
  rejects(t, "one_hot", [["x", "f32", ["B"]]], { depth: 3 }, "one_hot expects ids of dtype i32, but x [B] is f32");
  rejects(t, "sequence_mask", [["len", "f32", ["B"]], ["x", "f32", ["T", "B"]]], {}, "sequence_mask expects lengths of dtype i32, but len [B] is f32");
});

t.test("other shape-rule and attribute errors", async (t) => {
  rejects(t, "cross_entropy", [["l", "f32", ["B", 4]], ["t", "i32", ["T"]]], {}, "cross_entropy of l [B, 4] with t [T]: targets must have the logits' shape without its last axis");
  rejects(t, "cross_entropy", [["l", "f32", ["B", 4]], ["t", "i32", ["B", 4]]], {}, "cross_entropy of l [B, 4] with t [B, 4]: targets must have the logits' shape without its last axis");
  rejects(t, "cross_entropy", [["l", "f32", ["B", 4]], ["t", "i32", ["B"]]], { reduction: "max" }, 'cross_entropy: reduction must be "mean", "sum" or "none", got "max"');
  rejects(t, "embedding", [["E", "f32", ["B", 4]], ["ids", "i32", ["B"]]], {}, "embedding of E [B, 4]: the table must be a matrix [vocabulary, width]");
  rejects(t, "one_hot", [["ids", "i32", ["B"]]], { depth: 0 }, "one_hot: depth must be a positive integer");
  rejects(t, "softmax", [["x", "f32", []]], {}, "softmax of x []: needs at least one axis");
  rejects(t, "sequence_mask", [["len", "i32", ["B"]], ["x", "f32", ["B", 3]]], {}, "sequence_mask of len [B] like x [B, 3]: expected lengths [B] and a time-major sequence [T, B, ...]");
  rejects(t, "constant", [], {}, "constant needs a value");
  rejects(t, "constant", [], { value: 1, shape: [2, 0] }, "constant: shape must have positive dims");
  rejects(t, "add", [["a", "f32", ["B"]]], {}, "add takes 2 arguments, got 1");
  rejects(t, "tanh", [["a", "f32", ["B"]], ["b", "f32", ["B"]]], {}, "tanh takes 1 argument, got 2");
  rejects(t, "concat", [], {}, "concat takes 1 to 256 arguments, got 0");
  rejects(t, "sum", [["x", "f32", ["B"]]], { axes: [0] }, 'sum has no attribute "axes" (it takes axis, keepdims)');
  rejects(t, "tanh", [["x", "f32", ["B"]]], { axis: 0 }, 'tanh has no attribute "axis" (it takes none)');
  rejects(t, "slice", [["x", "f32", ["B", 4]]], { start: 1.5, size: 1 }, 'slice: attribute "start" must be an integer, got 1.5');
  rejects(t, "matmul", [["W", "f32", [2, 2]], ["x", "f32", ["B", 2]]], { transpose_a: 1 }, 'matmul: attribute "transpose_a" must be true or false, got 1');
  rejects(t, "conv2d", [], {}, 'unknown op "conv2d"');
});

t.test("scan shape-rule errors", async (t) => {
  const body = (outType: [number | "B", number][] | null = null): Graph => {
    const b = new Builder();
    const h = b.input("h", f32t(["B", 3]));
    const x = b.input("x", f32t(["B", 3]));
    const y = b.add(h, x);
    if (outType) {
      const y4 = b.op("concat", [y, b.op("slice", [y], { start: 0, size: 1 })]);
      b.graph.outputs = [y4, y];
    } else {
      b.graph.outputs = [y, y];
    }
    return b.graph;
  };
  const outer = new Builder();
  const h0 = outer.input("h0", f32t(["B", 3]));
  const xs = outer.input("xs", f32t(["T", "B", 3]));
  t.throws(() => emitScan(outer, body([["B", 4]]), [], [h0], [xs]), new RnncError("the next value of state h is f32[B, 4], but the state is f32[B, 3]"));
  const gen = new Builder();
  const g0 = gen.input("h0", f32t(["B", 3]));
  const noXs = new Builder();
  const h = noXs.input("h", f32t(["B", 3]));
  noXs.graph.outputs = [noXs.op("tanh", [h])];
  t.throws(() => emitScan(gen, noXs.graph, [], [g0], []), new RnncError("scan without per-step inputs needs a number of steps"));
});

t.test("the interpreter runs a scan step by step", async (t) => {
  // h' = h + x, y = h': a cumulative sum, forward and reverse, with and without lengths
  const body = new Builder();
  const h = body.input("h", f32t(["B", 1]));
  const x = body.input("x", f32t(["B", 1]));
  const s = body.add(h, x);
  body.graph.outputs = [s, s];
  const xsData = [1, 10, 2, 20, 3, 30, 4, 40]; // [T=4, B=2, 1]
  for (const reverse of [false, true]) {
    for (const lengths of [null, [4, 2]]) {
      const b = new Builder();
      const h0 = b.input("h0", f32t(["B", 1]));
      const xs = b.input("xs", f32t(["T", "B", 1]));
      const len = lengths ? b.input("len", i32t(["B"])) : undefined;
      b.graph.outputs = emitScan(b, body.graph, [], [h0], [xs], { reverse, ...(len ? { lengths: len } : {}) });
      const ins = [tensor([2, 1], [100, 200]), tensor([4, 2, 1], xsData), ...(lengths ? [tensor([2], lengths, "i32")] : [])];
      const [hT, ys] = runGraph(b.graph, ins);
      const label = `${reverse ? "reverse" : "forward"}${lengths ? " with lengths [4, 2]" : ""}`;
      const want: Record<string, [number[], number[]]> = {
        forward: [[110, 300], [101, 210, 103, 230, 106, 260, 110, 300]],
        reverse: [[110, 300], [110, 300, 109, 290, 107, 270, 104, 240]],
        "forward with lengths [4, 2]": [[110, 230], [101, 210, 103, 230, 106, 0, 110, 0]],
        "reverse with lengths [4, 2]": [[110, 230], [110, 230, 109, 220, 107, 0, 104, 0]],
      };
      close(t, hT!, want[label]![0], `${label}: final carry`);
      close(t, ys!, want[label]![1], `${label}: ys`);
    }
  }
});

t.test("vjpGraph rejects integer scan state", async (t) => {
  const body = new Builder();
  const k = body.input("k", i32t(["B"]));
  const h = body.input("h", f32t(["B", 2]));
  const x = body.input("x", f32t(["B", 2]));
  body.graph.outputs = [k, body.add(h, x)];
  const b = new Builder();
  const k0 = b.input("k0", i32t(["B"]));
  const h0 = b.input("h0", f32t(["B", 2]));
  const xs = b.input("xs", f32t(["T", "B", 2]));
  b.graph.outputs = emitScan(b, body.graph, [], [k0, h0], [xs]);
  t.throws(() => vjpGraph(b.graph, ["h0"]), new RnncError("cannot differentiate through integer state k"));
});

t.test("pad rejects negative or missing before/after", async (t) => {
  const b = new Builder();
  const x = b.input("x", f32t(["B", 3]));
  t.throws(() => b.op("pad", [x], { axis: 1, before: -1, after: 0 }), new RnncError("pad: before must be a non-negative integer"));
  t.throws(() => b.op("pad", [x], { axis: 1 }), new RnncError("pad: before must be a non-negative integer"));
  t.throws(() => b.op("pad", [x], { axis: 1, before: 0 }), new RnncError("pad: after must be a non-negative integer"));
});
