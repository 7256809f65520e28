import { RnncError } from "../diagnostics.ts";
import { axisExtents, tensor } from "../interp/tensor.ts";
import type { Tensor } from "../interp/tensor.ts";
import type { Dim } from "../ir/types.ts";
import { registerOp } from "./registry.ts";
import { f32, normAxis, requireF32, requireI32 } from "./shape-rules.ts";

/** Copies `size` entries of axis `axis` of x starting at `from` into `out` at `to` (both along the same axis). */
function copyAxis(x: Tensor, out: Tensor, axis: number, from: number, to: number, size: number): void {
  const [outer, nx, inner] = axisExtents(x.shape, axis);
  const no = out.shape[axis]!;
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < size; k++) {
      const src = (o * nx + from + k) * inner, dst = (o * no + to + k) * inner;
      out.data.set(x.data.subarray(src, src + inner), dst);
    }
}

/** concat(a, b, ..., axis=-1). The axis must have a static size in every operand. */
registerOp({
  name: "concat",
  arity: [1, 256],
  attrs: { axis: "int" },
  shape(ins, attrs, d) {
    requireF32("concat", ins, d);
    const rank = ins[0]!.shape.length;
    const a = normAxis("concat", (attrs.axis as number | undefined) ?? -1, rank, d(0));
    let total = 0;
    ins.forEach((t, i) => {
      const same = t.shape.length === rank && t.shape.every((s, j) => j === a || s === ins[0]!.shape[j]);
      if (!same) throw new RnncError(`concat of ${d(0)} with ${d(i)}: shapes must agree except along axis ${a}`);
      const n = t.shape[a]!;
      if (typeof n !== "number") throw new RnncError(`concat: axis ${a} of ${d(i)} is ${n}, which is only known at run time`);
      total += n;
    });
    return [f32(ins[0]!.shape.map((s, j) => (j === a ? total : s)))];
  },
  interp(ins, attrs) {
    const a = normAxis("concat", (attrs.axis as number | undefined) ?? -1, ins[0]!.shape.length, "x");
    const total = ins.reduce((s, t) => s + t.shape[a]!, 0);
    const out = tensor(ins[0]!.shape.map((s, j) => (j === a ? total : s)));
    let at = 0;
    for (const t of ins) { copyAxis(t, out, a, 0, at, t.shape[a]!); at += t.shape[a]!; }
    return [out];
  },
  vjp(b, n, [g]) {
    const rank = b.type(n.inputs[0]!).shape.length;
    const axis = normAxis("concat", (n.attrs.axis as number | undefined) ?? -1, rank, "x");
    let at = 0;
    return n.inputs.map((x) => {
      const size = b.type(x).shape[axis] as number;
      const s = b.op("slice", [g!], { axis, start: at, size });
      at += size;
      return s;
    });
  },
});

function sliceShape(op: string, shape: Dim[], attrs: Record<string, unknown>, d: string): [number, number, number, number] {
  const a = normAxis(op, (attrs.axis as number | undefined) ?? -1, shape.length, d);
  const n = shape[a]!;
  if (typeof n !== "number") throw new RnncError(`${op}: axis ${a} of ${d} is ${n}, which is only known at run time`);
  const start = attrs.start as number | undefined, size = attrs.size as number | undefined;
  if (start === undefined || size === undefined) throw new RnncError(`${op} needs attributes start and size`);
  return [a, n, start, size];
}

/** slice(x, axis=-1, start, size): a contiguous window along one axis of static size. */
registerOp({
  name: "slice",
  arity: 1,
  attrs: { axis: "int", start: "int", size: "int" },
  shape(ins, attrs, d) {
    requireF32("slice", ins, d);
    const [a, n, start, size] = sliceShape("slice", ins[0]!.shape, attrs, d(0));
    if (start < 0 || size < 1 || start + size > n) {
      throw new RnncError(`slice of ${d(0)}: window [${start}, ${start + size}) does not fit in axis ${a} of size ${n}`);
    }
    return [f32(ins[0]!.shape.map((s, j) => (j === a ? size : s)))];
  },
  interp([x], attrs) {
    const [a, , start, size] = sliceShape("slice", x!.shape, attrs, "x");
    const out = tensor(x!.shape.map((s, j) => (j === a ? size : s)));
    copyAxis(x!, out, a, start, 0, size);
    return [out];
  },
  vjp(b, n, [g]) {
    const x = n.inputs[0]!;
    const [a, total, start, size] = sliceShape("slice", b.type(x).shape, n.attrs, x);
    return [b.op("pad", [g!], { axis: a, before: start, after: total - start - size })];
  },
});

/** pad(x, axis, before, after): zeros around x along one axis (the VJP of slice). */
registerOp({
  name: "pad",
  arity: 1,
  attrs: { axis: "int", before: "int", after: "int" },
  shape(ins, attrs, d) {
    requireF32("pad", ins, d);
    const s = ins[0]!.shape;
    const a = normAxis("pad", attrs.axis as number, s.length, d(0));
    for (const k of ["before", "after"]) {
      const v = attrs[k];
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new RnncError(`pad: ${k} must be a non-negative integer`);
    }
    const n = s[a]!;
    if (typeof n !== "number") throw new RnncError(`pad: axis ${a} of ${d(0)} is only known at run time`);
    return [f32(s.map((v, j) => (j === a ? n + (attrs.before as number) + (attrs.after as number) : v)))];
  },
  interp([x], attrs) {
    const a = normAxis("pad", attrs.axis as number, x!.shape.length, "x");
    const out = tensor(x!.shape.map((v, j) => (j === a ? v + (attrs.before as number) + (attrs.after as number) : v)));
    copyAxis(x!, out, a, 0, attrs.before as number, x!.shape[a]!);
    return [out];
  },
  vjp(b, n, [g]) {
    const x = n.inputs[0]!;
    const rank = b.type(x).shape.length;
    const a = normAxis("pad", n.attrs.axis as number, rank, x);
    return [b.op("slice", [g!], { axis: a, start: n.attrs.before as number, size: b.type(x).shape[a] as number })];
  },
});

/** constant(value=v[, shape=[...]]): a scalar, or a static-shape tensor filled with v. */
registerOp({
  name: "constant",
  arity: 0,
  attrs: { value: "number", shape: "ints" },
  nondiff: true,
  shape(_ins, attrs) {
    if (attrs.value === undefined) throw new RnncError(`constant needs a value`);
    const shape = (attrs.shape as number[] | undefined) ?? [];
    if (shape.some((s) => s < 1)) throw new RnncError(`constant: shape must have positive dims`);
    return [f32(shape)];
  },
  interp(_ins, attrs) {
    const out = tensor((attrs.shape as number[] | undefined) ?? []);
    out.data.fill(attrs.value as number);
    return [out];
  },
});

/** zeros_like(x): f32 zeros of x's shape (x's values are not read). */
registerOp({
  name: "zeros_like",
  arity: 1,
  nondiff: true,
  shape: (ins) => [f32(ins[0]!.shape)],
  interp: ([x]) => [tensor(x!.shape)],
});

/** stop_gradient(x): x, through which no gradient flows. */
registerOp({
  name: "stop_gradient",
  arity: 1,
  shape: (ins) => [{ ...ins[0]!, shape: [...ins[0]!.shape] }],
  interp: ([x]) => [tensor(x!.shape, x!.data, x!.dtype)],
  vjp: () => [null],
});

/** float(x): i32 → f32 (no gradient). */
registerOp({
  name: "float",
  arity: 1,
  nondiff: true,
  shape: (ins) => [f32(ins[0]!.shape)],
  interp: ([x]) => [tensor(x!.shape, x!.data)],
});

/** sequence_mask(lengths i32 [B], like [T, B, ...]) → f32 [T, B]: 1 where t < lengths[b]. */
registerOp({
  name: "sequence_mask",
  arity: 2,
  nondiff: true,
  shape(ins, _a, d) {
    requireI32("sequence_mask", ins, d, 0, "lengths");
    const l = ins[0]!.shape, like = ins[1]!.shape;
    if (l.length !== 1 || like.length < 2 || like[1] !== l[0]) {
      throw new RnncError(`sequence_mask of ${d(0)} like ${d(1)}: expected lengths [B] and a time-major sequence [T, B, ...]`);
    }
    return [f32([like[0]!, like[1]!])];
  },
  interp([len, like]) {
    const [t, b] = like!.shape as [number, number];
    const out = tensor([t, b]);
    for (let i = 0; i < t; i++) for (let j = 0; j < b; j++) out.data[i * b + j] = i < len!.data[j]! ? 1 : 0;
    return [out];
  },
});

/**
 * step_mask(lengths i32 [B], like [T, ...]): f32 [T, B, 1], 1 where step t < lengths[b], else 0.
 * BPTT of a scan with lengths reads it per step to keep masked rows out of the weight gradients.
 */
registerOp({
  name: "step_mask",
  arity: 2,
  nondiff: true,
  shape(ins, _a, d) {
    requireI32("step_mask", ins, d, 0, "lengths");
    if (ins[0]!.shape.length !== 1) throw new RnncError(`step_mask: lengths must be [B], got ${d(0)}`);
    if (ins[1]!.shape.length < 1) throw new RnncError(`step_mask: ${d(1)} has no time axis`);
    return [f32([ins[1]!.shape[0]!, ins[0]!.shape[0]!, 1])];
  },
  interp([len, like]) {
    const T = like!.shape[0]!, B = len!.shape[0]!;
    const out = tensor([T, B, 1]);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out.data[t * B + b] = t < len!.data[b]! ? 1 : 0;
    return [out];
  },
});
