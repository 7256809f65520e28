import { RnncError } from "../diagnostics.ts";
import { axisExtents, tensor } from "../interp/tensor.ts";
import type { Tensor } from "../interp/tensor.ts";
import { formatShape, numel } from "../ir/types.ts";
import { registerOp } from "./registry.ts";
import { f32, requireF32, requireI32 } from "./shape-rules.ts";

function lastAxis(op: string) {
  return (ins: import("../ir/types.ts").TensorType[], _a: unknown, d: (i: number) => string) => {
    requireF32(op, ins, d);
    if (ins[0]!.shape.length < 1) throw new RnncError(`${op} of ${d(0)}: needs at least one axis`);
    return [f32(ins[0]!.shape)];
  };
}

function rowwise(x: Tensor, f: (row: Float64Array, out: Float64Array) => void): Tensor {
  const n = x.shape[x.shape.length - 1]!;
  const out = tensor(x.shape);
  for (let o = 0; o < x.data.length; o += n) f(x.data.subarray(o, o + n), out.data.subarray(o, o + n));
  return out;
}

function logSumExp(row: Float64Array): number {
  let m = -Infinity;
  for (const v of row) m = Math.max(m, v);
  if (m === -Infinity) return m;
  let s = 0;
  for (const v of row) s += Math.exp(v - m);
  return m + Math.log(s);
}

/** softmax over the last axis. */
registerOp({
  name: "softmax",
  arity: 1,
  shape: lastAxis("softmax"),
  interp: ([x]) => [rowwise(x!, (r, o) => { const l = logSumExp(r); r.forEach((v, i) => (o[i] = Math.exp(v - l))); })],
  vjp(b, n, [g]) {
    const y = n.outputs[0]!;
    const dot = b.op("sum", [b.mul(g!, y)], { axis: -1, keepdims: true });
    return [b.mul(y, b.sub(g!, dot))];
  },
});

/** log_softmax over the last axis. */
registerOp({
  name: "log_softmax",
  arity: 1,
  shape: lastAxis("log_softmax"),
  interp: ([x]) => [rowwise(x!, (r, o) => { const l = logSumExp(r); r.forEach((v, i) => (o[i] = v - l)); })],
  vjp(b, n, [g]) {
    const y = n.outputs[0]!;
    const gs = b.op("sum", [g!], { axis: -1, keepdims: true });
    return [b.sub(g!, b.mul(b.op("exp", [y]), gs))];
  },
});

function checkIds(op: string, ids: Tensor, limit: number): void {
  for (let i = 0; i < ids.data.length; i++) {
    const v = ids.data[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < limit)) {
      throw new RnncError(`${op}: id ${v} at flat position ${i} of a ${formatShape(ids.shape)} tensor is out of range [0, ${limit})`);
    }
  }
}

/**
 * cross_entropy(logits [..., V], targets i32 [...]): softmax cross-entropy with integer targets.
 * reduction "mean" (default, as PyTorch) → scalar; "sum" → scalar; "none" → per position [...].
 */
registerOp({
  name: "cross_entropy",
  arity: 2,
  attrs: { reduction: "string" },
  shape(ins, attrs, d) {
    requireF32("cross_entropy", ins, d, [0]);
    requireI32("cross_entropy", ins, d, 1, "targets");
    const [l, t] = ins as [typeof ins[0], typeof ins[0]];
    const lead = l!.shape.slice(0, -1);
    if (l!.shape.length < 1 || lead.length !== t!.shape.length || lead.some((s, i) => s !== t!.shape[i])) {
      throw new RnncError(`cross_entropy of ${d(0)} with ${d(1)}: targets must have the logits' shape without its last axis`);
    }
    const r = attrs.reduction ?? "mean";
    if (r !== "mean" && r !== "sum" && r !== "none") throw new RnncError(`cross_entropy: reduction must be "mean", "sum" or "none", got "${r}"`);
    return [f32(r === "none" ? lead : [])];
  },
  interp([l, t], attrs) {
    const v = l!.shape[l!.shape.length - 1]!;
    checkIds("cross_entropy", t!, v);
    const per = tensor(t!.shape);
    for (let p = 0; p < per.data.length; p++) {
      const row = l!.data.subarray(p * v, p * v + v);
      per.data[p] = logSumExp(row) - row[t!.data[p]!]!;
    }
    const r = attrs.reduction ?? "mean";
    if (r === "none") return [per];
    const s = per.data.reduce((a, x) => a + x, 0);
    return [tensor([], [r === "sum" ? s : s / Math.max(1, per.data.length)])];
  },
  vjp(b, n, [g]) {
    const [l, t] = n.inputs as [string, string];
    const depth = b.type(l).shape.at(-1) as number;
    const r = n.attrs.reduction ?? "mean";
    let gp = r === "none" ? g! : b.op("expand_like", [g!, t]);
    if (r === "mean") gp = b.div(gp, b.op("numel", [t]));
    const diff = b.sub(b.op("softmax", [l]), b.op("one_hot", [t], { depth }));
    return [b.mul(diff, b.op("expand_like", [gp, l], { axis: -1 })), null];
  },
});

/** mse(a, b): mean of squared differences → scalar. */
registerOp({
  name: "mse",
  arity: 2,
  shape(ins, _a, d) {
    requireF32("mse", ins, d);
    const [a, c] = ins as [typeof ins[0], typeof ins[0]];
    if (a!.shape.length !== c!.shape.length || a!.shape.some((s, i) => s !== c!.shape[i])) {
      throw new RnncError(`mse of ${d(0)} with ${d(1)}: shapes must be equal`);
    }
    return [f32([])];
  },
  interp([a, c]) {
    let s = 0;
    for (let i = 0; i < a!.data.length; i++) s += (a!.data[i]! - c!.data[i]!) ** 2;
    return [tensor([], [a!.data.length ? s / a!.data.length : 0])];
  },
  vjp(b, n, [g]) {
    const [a, c] = n.inputs as [string, string];
    const scale = b.div(b.mul(b.scalar(2), g!), b.op("numel", [a]));
    const ga = b.mul(b.sub(a, c), scale);
    return [ga, b.neg(ga)];
  },
});

/** one_hot(ids i32 [...], depth) → f32 [..., depth]. */
registerOp({
  name: "one_hot",
  arity: 1,
  attrs: { depth: "int" },
  nondiff: true,
  shape(ins, attrs, d) {
    requireI32("one_hot", ins, d, 0, "ids");
    const depth = attrs.depth as number;
    if (!(depth >= 1)) throw new RnncError(`one_hot: depth must be a positive integer`);
    return [f32([...ins[0]!.shape, depth])];
  },
  interp([ids], attrs) {
    const depth = attrs.depth as number;
    checkIds("one_hot", ids!, depth);
    const out = tensor([...ids!.shape, depth]);
    ids!.data.forEach((v, i) => (out.data[i * depth + v] = 1));
    return [out];
  },
});

/** embedding(E [V, D], ids i32 [...]) → [..., D]: row ids[p] of E at each position p. */
registerOp({
  name: "embedding",
  arity: 2,
  shape(ins, _a, d) {
    requireF32("embedding", ins, d, [0]);
    requireI32("embedding", ins, d, 1, "token ids");
    const e = ins[0]!;
    if (e.shape.length !== 2 || e.shape.some((s) => typeof s !== "number")) {
      throw new RnncError(`embedding of ${d(0)}: the table must be a matrix [vocabulary, width]`);
    }
    return [f32([...ins[1]!.shape, e.shape[1]!])];
  },
  interp([e, ids]) {
    const [v, w] = e!.shape as [number, number];
    checkIds("embedding", ids!, v);
    const out = tensor([...ids!.shape, w]);
    ids!.data.forEach((id, p) => out.data.set(e!.data.subarray(id * w, id * w + w), p * w));
    return [out];
  },
  vjp(b, n, [g]) {
    const [e, ids] = n.inputs as [string, string];
    return [b.op("scatter_rows", [g!, ids], { rows: b.type(e).shape[0] as number }), null];
  },
});

/** scatter_rows(g [..., D], ids [...], rows) → [rows, D]: sums g's rows into the rows named by ids. */
registerOp({
  name: "scatter_rows",
  arity: 2,
  attrs: { rows: "int" },
  shape(ins, attrs, d) {
    requireF32("scatter_rows", ins, d, [0]);
    requireI32("scatter_rows", ins, d, 1, "ids");
    return [f32([attrs.rows as number, ins[0]!.shape.at(-1)!])];
  },
  interp([g, ids], attrs) {
    const rows = attrs.rows as number, w = g!.shape.at(-1)!;
    checkIds("scatter_rows", ids!, rows);
    const out = tensor([rows, w]);
    ids!.data.forEach((id, p) => { for (let j = 0; j < w; j++) out.data[id * w + j]! += g!.data[p * w + j]!; });
    return [out];
  },
  vjp: (b, n, [g]) => [b.op("embedding", [g!, n.inputs[1]!]), null],
});

export { logSumExp, axisExtents, numel };
