import { RnncError } from "../diagnostics.ts";
import { axisExtents, broadcastIndex, sumToShape, tensor } from "../interp/tensor.ts";
import type { Tensor } from "../interp/tensor.ts";
import { numel } from "../ir/types.ts";
import type { Attrs, Shape } from "../ir/types.ts";
import { registerOp } from "./registry.ts";
import { broadcastDims, f32, normAxis, requireF32 } from "./shape-rules.ts";

/** sum(x): all elements → scalar; sum(x, axis=a[, keepdims=true]): along one axis. */
registerOp({
  name: "sum",
  arity: 1,
  attrs: { axis: "int", keepdims: "bool" },
  shape(ins, attrs, d) {
    requireF32("sum", ins, d);
    const s = ins[0]!.shape;
    if (attrs.axis === undefined) return [f32([])];
    const a = normAxis("sum", attrs.axis as number, s.length, d(0));
    return [f32(attrs.keepdims ? s.map((x, i) => (i === a ? 1 : x)) : s.filter((_, i) => i !== a))];
  },
  interp([x], attrs) {
    if (attrs.axis === undefined) return [tensor([], [x!.data.reduce((p, v) => p + v, 0)])];
    const a = normAxis("sum", attrs.axis as number, x!.shape.length, "x");
    const [outer, n, inner] = axisExtents(x!.shape, a);
    const shape = attrs.keepdims ? x!.shape.map((v, i) => (i === a ? 1 : v)) : x!.shape.filter((_, i) => i !== a);
    const out = tensor(shape);
    for (let o = 0; o < outer; o++)
      for (let k = 0; k < n; k++)
        for (let i = 0; i < inner; i++) out.data[o * inner + i]! += x!.data[(o * n + k) * inner + i]!;
    return [out];
  },
  vjp(b, n, [g]) {
    const attrs: Attrs = n.attrs.axis === undefined || n.attrs.keepdims ? {} : { axis: n.attrs.axis as number };
    return [b.op("expand_like", [g!, n.inputs[0]!], attrs)];
  },
});

/** mean(x): the mean of all elements → scalar. */
registerOp({
  name: "mean",
  arity: 1,
  shape(ins, _a, d) {
    requireF32("mean", ins, d);
    return [f32([])];
  },
  interp([x]) {
    const n = x!.data.length;
    return [tensor([], [n === 0 ? 0 : x!.data.reduce((p, v) => p + v, 0) / n])];
  },
  vjp(b, n, [g]) {
    const x = n.inputs[0]!;
    return [b.div(b.op("expand_like", [g!, x]), b.op("numel", [x]))];
  },
});

/** numel(x): the number of elements of x as an f32 scalar (B and T are only known at run time). */
registerOp({
  name: "numel",
  arity: 1,
  nondiff: true,
  shape: () => [f32([])],
  interp: ([x]) => [tensor([], [Math.max(1, numel(x!.shape))])],
});

function expandedShape(g: Shape, axis: number | undefined, rank: number): Shape {
  if (axis === undefined) return g;
  const a = axis < 0 ? axis + rank : axis;
  return [...g.slice(0, a), 1, ...g.slice(a)];
}

/**
 * expand_like(g, like[, axis]): broadcasts g to the shape of `like` (whose values are not read).
 * With `axis`, g lacks that axis of `like` and gets it re-inserted first (the VJP of sum over an axis).
 */
registerOp({
  name: "expand_like",
  arity: 2,
  attrs: { axis: "int" },
  shape(ins, attrs, d) {
    const [g, like] = ins as [typeof ins[0], typeof ins[0]];
    const gs = expandedShape(g!.shape, attrs.axis as number | undefined, like!.shape.length);
    const s = broadcastDims([gs, like!.shape]);
    if (!s || s.length !== like!.shape.length || s.some((v, i) => v !== like!.shape[i])) {
      throw new RnncError(`expand_like: ${d(0)} does not broadcast to ${d(1)}`);
    }
    return [f32(like!.shape)];
  },
  interp([g, like], attrs) {
    const gs = expandedShape(g!.shape, attrs.axis as number | undefined, like!.shape.length) as number[];
    const idx = broadcastIndex(gs, like!.shape);
    const out = tensor(like!.shape);
    for (let i = 0; i < out.data.length; i++) out.data[i] = g!.data[idx[i]!]!;
    return [out];
  },
  vjp(b, n, [g]) {
    const src = n.inputs[0]!;
    if (n.attrs.axis !== undefined) return [b.sumTo(b.op("sum", [g!], { axis: n.attrs.axis as number }), src), null];
    return [b.sumTo(g!, src), null];
  },
});

/** sum_to(g, like): sums g down to the shape of `like` — the reverse of broadcasting. */
registerOp({
  name: "sum_to",
  arity: 2,
  shape(ins, _a, d) {
    const [g, like] = ins as [typeof ins[0], typeof ins[0]];
    const s = broadcastDims([g!.shape, like!.shape]);
    if (!s || s.length !== g!.shape.length || s.some((v, i) => v !== g!.shape[i])) {
      throw new RnncError(`sum_to: ${d(1)} does not broadcast to ${d(0)}`);
    }
    return [f32(like!.shape)];
  },
  interp: ([g, like]) => [sumToShape(g!, like!.shape)],
  vjp: (b, n, [g]) => [b.op("expand_like", [g!, n.inputs[0]!]), null],
});

export function sumAll(t: Tensor): number {
  return t.data.reduce((p, v) => p + v, 0);
}
