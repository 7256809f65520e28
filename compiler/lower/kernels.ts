import { RnncError } from "../diagnostics.ts";
import type { Node, Shape, TensorType } from "../ir/types.ts";
import type { Expr } from "./binaryen.ts";
import type { Fn } from "./codegen.ts";
import { emitMatmul, emitOuter } from "./gemm.ts";
import { MATH_FUNCTIONS } from "./mathfns.ts";

/**
 * Lowering rules: one per op, each emitting the loops that compute the node's outputs from its
 * inputs' addresses. Every kernel writes every element of its outputs (memory is reused, never
 * assumed zero) and reads only within its inputs' regions. Scalar code; the Fast issue adds SIMD.
 */
export interface KernelCtx {
  fn: Fn;
  type(v: string): TensorType;
}

export type Kernel = (k: KernelCtx, n: Node) => Expr[];

export const kernels = new Map<string, Kernel>();

function kernel(op: string, k: Kernel): void {
  if (kernels.has(op)) throw new Error(`internal: kernel ${op} defined twice`);
  kernels.set(op, k);
}

type F = (fn: Fn, ...args: Expr[]) => Expr;

// ---- elementwise with broadcasting ---------------------------------------------------------------

/**
 * out[idx] = f(in_0[idx_0], …) with numpy broadcasting. Dims are collapsed where every operand
 * agrees (all full or all broadcast), leaving short loop nests; each operand advances by its own
 * stride per dim (0 where it is broadcast).
 */
export function elementwise(k: KernelCtx, out: string, ins: string[], f: (vals: Expr[]) => Expr, loadInt: boolean[] = [], storeInt = false): Expr[] {
  const fn = k.fn, m = fn.m;
  const os = k.type(out).shape;
  const r = os.length;
  const shapes = ins.map((v) => {
    const s = k.type(v).shape;
    return [...Array<Shape[number]>(r - s.length).fill(1), ...s];
  });
  // per dim: extent, and for each operand whether it is full along it
  let dims: { ext: Shape; full: boolean[] }[] = os.map((d, i) => ({ ext: [d], full: shapes.map((s) => s[i] !== 1 || d === 1) }));
  dims = dims.filter((d) => d.ext[0] !== 1);
  const merged: typeof dims = [];
  for (const d of dims) {
    const prev = merged[merged.length - 1];
    if (prev && prev.full.every((x, j) => x === d.full[j])) prev.ext.push(...d.ext);
    else merged.push({ ext: [...d.ext], full: [...d.full] });
  }
  // element strides of each operand per merged dim
  const strides = ins.map((_, j) => {
    const st: (Shape | null)[] = new Array(merged.length).fill(null);
    let acc: Shape = [];
    for (let i = merged.length - 1; i >= 0; i--) {
      if (merged[i]!.full[j]) { st[i] = [...acc]; acc = [...acc, ...merged[i]!.ext]; }
    }
    return st;
  });
  const outStr: Shape[] = [];
  { let acc: Shape = []; for (let i = merged.length - 1; i >= 0; i--) { outStr[i] = [...acc]; acc = [...acc, ...merged[i]!.ext]; } }
  const idx = ins.map(() => fn.local());
  const oidx = fn.local();
  const level = (i: number, bases: Expr[], obase: Expr): Expr[] => {
    if (i === merged.length) {
      const vals = ins.map((v, j) => (loadInt[j] ? m.f32.convert_s.i32(fn.loadI(fn.addr(v), bases[j]!)) : fn.loadF(fn.addr(v), bases[j]!)));
      const res = f(vals);
      return [storeInt ? fn.storeI(fn.addr(out), obase, res) : fn.storeF(fn.addr(out), obase, res)];
    }
    const li = ins.map(() => fn.local());
    const lo = fn.local();
    return [fn.loop(fn.count(merged[i]!.ext), (it) => {
      const sets = ins.map((_, j) => {
        const s = strides[j]![i];
        const inc = s === null ? bases[j]! : m.i32.add(bases[j]!, m.i32.mul(fn.get(it), fn.count(s)));
        return fn.set(li[j]!, inc);
      });
      return [...sets, fn.set(lo, m.i32.add(obase, m.i32.mul(fn.get(it), fn.count(outStr[i]!)))),
        ...level(i + 1, li.map((l) => fn.get(l)), fn.get(lo))];
    })];
  };
  void idx; void oidx;
  return level(0, ins.map(() => fn.i32(0)), fn.i32(0));
}

function unaryKernel(op: string, f: F) {
  kernel(op, (k, n) => elementwise(k, n.outputs[0]!, n.inputs, ([x]) => f(k.fn, x!)));
}
function binaryKernel(op: string, f: F) {
  kernel(op, (k, n) => elementwise(k, n.outputs[0]!, n.inputs, ([x, y]) => f(k.fn, x!, y!)));
}

const call = (name: string) => (fn: Fn, x: Expr) => fn.m.call(name, [x], fn.bn.f32);

binaryKernel("add", (fn, a, b) => fn.m.f32.add(a, b));
binaryKernel("sub", (fn, a, b) => fn.m.f32.sub(a, b));
binaryKernel("mul", (fn, a, b) => fn.m.f32.mul(a, b));
binaryKernel("div", (fn, a, b) => fn.m.f32.div(a, b));
binaryKernel("maximum", (fn, a, b) => {
  // NaN-propagating max that matches Math.max on ties of ±0 closely enough for our use
  return fn.m.f32.max(a, b);
});
binaryKernel("greater_equal", (fn, a, b) => fn.m.f32.convert_s.i32(fn.m.f32.ge(a, b)));
unaryKernel("neg", (fn, x) => fn.m.f32.neg(x));
unaryKernel("abs", (fn, x) => fn.m.f32.abs(x));
unaryKernel("sqrt", (fn, x) => fn.m.f32.sqrt(x));
unaryKernel("relu", (fn, x) => fn.m.f32.max(x, fn.f32(0)));
unaryKernel("step", (fn, x) => fn.m.f32.convert_s.i32(fn.m.f32.gt(x, fn.f32(0))));
// sign(x) = copysign(1, x) for x ≠ 0, else x (±0 and NaN pass through): x is read once
unaryKernel("sign", (fn, x) => {
  const l = fn.local(fn.bn.f32);
  const m = fn.m, f32 = fn.bn.f32;
  return m.block(null, [fn.set(l, x), m.select(m.f32.eq(fn.get(l, f32), fn.f32(0)), fn.get(l, f32),
    m.select(m.f32.ne(fn.get(l, f32), fn.get(l, f32)), fn.get(l, f32), m.f32.copysign(fn.f32(1), fn.get(l, f32))))], f32);
});
unaryKernel("exp", call(MATH_FUNCTIONS.exp));
unaryKernel("log", call(MATH_FUNCTIONS.log));
unaryKernel("tanh", call(MATH_FUNCTIONS.tanh));
unaryKernel("sigmoid", call(MATH_FUNCTIONS.sigmoid));
kernel("where", (k, n) => elementwise(k, n.outputs[0]!, n.inputs, ([c, a, b]) => k.fn.m.select(k.fn.m.f32.ne(c!, k.fn.f32(0)), a!, b!)));
kernel("stop_gradient", (k, n) => copyValue(k, n.outputs[0]!, n.inputs[0]!));
kernel("float", (k, n) => elementwise(k, n.outputs[0]!, n.inputs, ([x]) => x!, [true]));

function copyValue(k: KernelCtx, dst: string, src: string): Expr[] {
  const fn = k.fn;
  return [fn.copy(fn.addr(dst), fn.addr(src), fn.count(k.type(src).shape))];
}

kernel("zeros_like", (k, n) => [k.fn.zero(k.fn.addr(n.outputs[0]!), k.fn.count(k.type(n.outputs[0]!).shape))]);

kernel("constant", (k, n) => {
  const fn = k.fn, out = n.outputs[0]!;
  const v = n.attrs.value as number;
  return [fn.loop(fn.count(k.type(out).shape), (i) => [fn.storeF(fn.addr(out), fn.get(i), fn.f32(v))])];
});

kernel("numel", (k, n) => {
  const fn = k.fn;
  const c = fn.count(k.type(n.inputs[0]!).shape);
  const l = fn.local();
  return [fn.set(l, c), fn.storeF(fn.addr(n.outputs[0]!), fn.i32(0),
    fn.m.f32.convert_s.i32(fn.m.select(fn.m.i32.gt_s(fn.get(l), fn.i32(1)), fn.get(l), fn.i32(1))))];
});

// ---- linear algebra ------------------------------------------------------------------------------

kernel("matmul", (k, n) => {
  const [a, x] = n.inputs as [string, string];
  return emitMatmul(k.fn, {
    a, x, out: n.outputs[0]!, aShape: k.type(a).shape as [number, number], transposeA: n.attrs.transpose_a === true,
    rows: k.fn.count(k.type(x).shape.slice(0, -1)),
  });
});

kernel("outer", (k, n) => {
  const [u, v] = n.inputs as [string, string];
  return emitOuter(k.fn, {
    u, v, out: n.outputs[0]!, M: k.type(u).shape.at(-1) as number, K: k.type(v).shape.at(-1) as number,
    rows: k.fn.count(k.type(u).shape.slice(0, -1)),
  });
});

// ---- reductions ----------------------------------------------------------------------------------

/** Splits a shape around an axis into (outer, n, inner) extent expressions. */
function around(fn: Fn, s: Shape, axis: number): [Expr, Expr, Expr] {
  return [fn.count(s.slice(0, axis)), fn.dim(s[axis]!), fn.count(s.slice(axis + 1))];
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

kernel("sum", (k, n) => {
  const fn = k.fn, m = fn.m;
  const x = n.inputs[0]!, out = n.outputs[0]!;
  const s = k.type(x).shape;
  const acc = fn.local(fn.bn.f32);
  if (n.attrs.axis === undefined) {
    return [fn.set(acc, fn.f32(0)),
      fn.loop(fn.count(s), (i) => [fn.set(acc, m.f32.add(fn.get(acc, fn.bn.f32), fn.loadF(fn.addr(x), fn.get(i))))]),
      fn.storeF(fn.addr(out), fn.i32(0), fn.get(acc, fn.bn.f32))];
  }
  const a = normAxis(n.attrs.axis as number, s.length);
  const [O, N, I] = around(fn, s, a);
  const nl = fn.local(), il = fn.local();
  return [fn.set(nl, N), fn.set(il, I), fn.loop(O, (o) => [fn.loop(fn.get(il), (i) => [
    fn.set(acc, fn.f32(0)),
    fn.loop(fn.get(nl), (j) => [fn.set(acc, m.f32.add(fn.get(acc, fn.bn.f32),
      fn.loadF(fn.addr(x), m.i32.add(m.i32.mul(m.i32.add(m.i32.mul(fn.get(o), fn.get(nl)), fn.get(j)), fn.get(il)), fn.get(i)))))]),
    fn.storeF(fn.addr(out), m.i32.add(m.i32.mul(fn.get(o), fn.get(il)), fn.get(i)), fn.get(acc, fn.bn.f32)),
  ])])];
});

kernel("mean", (k, n) => {
  const fn = k.fn, m = fn.m;
  const x = n.inputs[0]!;
  const acc = fn.local(fn.bn.f32), cnt = fn.local();
  return [fn.set(acc, fn.f32(0)), fn.set(cnt, fn.count(k.type(x).shape)),
    fn.loop(fn.get(cnt), (i) => [fn.set(acc, m.f32.add(fn.get(acc, fn.bn.f32), fn.loadF(fn.addr(x), fn.get(i))))]),
    fn.storeF(fn.addr(n.outputs[0]!), fn.i32(0), m.select(m.i32.gt_s(fn.get(cnt), fn.i32(0)),
      m.f32.div(fn.get(acc, fn.bn.f32), m.f32.convert_s.i32(fn.get(cnt))), fn.f32(0)))];
});

function expandedShape(g: Shape, axis: number | undefined, rank: number): Shape {
  if (axis === undefined) return g;
  const a = axis < 0 ? axis + rank : axis;
  return [...g.slice(0, a), 1, ...g.slice(a)];
}

kernel("expand_like", (k, n) => {
  const [g, like] = n.inputs as [string, string];
  const out = n.outputs[0]!;
  const gs = expandedShape(k.type(g).shape, n.attrs.axis as number | undefined, k.type(like).shape.length);
  // view g with the re-inserted unit axis, then broadcast
  const view: KernelCtx = { ...k, type: (v) => (v === g ? { dtype: "f32", shape: gs } : k.type(v)) };
  return elementwise(view, out, [g], ([x]) => x!);
});

kernel("sum_to", (k, n) => {
  // out = g summed down to like's shape: zero out, then accumulate out[bidx] += g[idx]
  const fn = k.fn, m = fn.m;
  const g = n.inputs[0]!, out = n.outputs[0]!;
  const zero = fn.zero(fn.addr(out), fn.count(k.type(out).shape));
  // accumulate with the broadcasting loop, reading out at the broadcast index of the "input" slot
  const acc = elementwiseAccumulate(k, out, g);
  void m;
  return [zero, ...acc];
});

/** For each element of `src`, out[broadcast index] += src[element]; out broadcasts to src's shape. */
function elementwiseAccumulate(k: KernelCtx, out: string, src: string): Expr[] {
  const fn = k.fn, m = fn.m;
  // reuse elementwise's index machinery by treating `src` as the output and `out` as an input,
  // with a custom store: out[i_out] = out[i_out] + src[i_src]
  const ss = k.type(src).shape, os = k.type(out).shape;
  const r = ss.length;
  const oshape = [...Array<Shape[number]>(r - os.length).fill(1), ...os];
  let dims = ss.map((d, i) => ({ ext: [d] as Shape, full: oshape[i] !== 1 || d === 1 })).filter((d) => d.ext[0] !== 1);
  const merged: typeof dims = [];
  for (const d of dims) {
    const prev = merged[merged.length - 1];
    if (prev && prev.full === d.full) prev.ext.push(...d.ext);
    else merged.push({ ext: [...d.ext], full: d.full });
  }
  dims = merged;
  const ostr: (Shape | null)[] = [], sstr: Shape[] = [];
  { let a: Shape = [], b: Shape = []; for (let i = dims.length - 1; i >= 0; i--) { sstr[i] = [...a]; a = [...a, ...dims[i]!.ext]; if (dims[i]!.full) { ostr[i] = [...b]; b = [...b, ...dims[i]!.ext]; } else ostr[i] = null; } }
  const level = (i: number, ob: Expr, sb: Expr): Expr[] => {
    if (i === dims.length) {
      const o = fn.local();
      return [fn.set(o, ob), fn.storeF(fn.addr(out), fn.get(o), m.f32.add(fn.loadF(fn.addr(out), fn.get(o)), fn.loadF(fn.addr(src), sb)))];
    }
    const lo = fn.local(), ls = fn.local();
    return [fn.loop(fn.count(dims[i]!.ext), (it) => [
      fn.set(lo, ostr[i] === null ? ob : m.i32.add(ob, m.i32.mul(fn.get(it), fn.count(ostr[i]!)))),
      fn.set(ls, m.i32.add(sb, m.i32.mul(fn.get(it), fn.count(sstr[i]!)))),
      ...level(i + 1, fn.get(lo), fn.get(ls)),
    ])];
  };
  return level(0, fn.i32(0), fn.i32(0));
}

// ---- row-wise ops (last axis) --------------------------------------------------------------------

function rows(k: KernelCtx, v: string): { count: Expr; width: number } {
  const s = k.type(v).shape;
  return { count: k.fn.count(s.slice(0, -1)), width: s.at(-1) as number };
}

/** Emits, for each row r of width V: mx = max, lse = mx + log Σ exp(x - mx); calls `body(r, lse)`. */
function logSumExpRows(k: KernelCtx, x: string, body: (r: number, lse: number, base: number) => Expr[]): Expr[] {
  const fn = k.fn, m = fn.m, f32 = fn.bn.f32;
  const { count, width } = rows(k, x);
  const mx = fn.local(f32), s = fn.local(f32), lse = fn.local(f32), base = fn.local();
  return [fn.loop(count, (r) => [
    fn.set(base, m.i32.mul(fn.get(r), fn.i32(width))),
    fn.set(mx, fn.f32(-Infinity)),
    fn.loop(fn.i32(width), (j) => [fn.set(mx, m.f32.max(fn.get(mx, f32), fn.loadF(fn.addr(x), m.i32.add(fn.get(base), fn.get(j)))))]),
    fn.set(s, fn.f32(0)),
    fn.loop(fn.i32(width), (j) => [fn.set(s, m.f32.add(fn.get(s, f32),
      m.call(MATH_FUNCTIONS.exp, [m.f32.sub(fn.loadF(fn.addr(x), m.i32.add(fn.get(base), fn.get(j))), fn.get(mx, f32))], f32)))]),
    fn.set(lse, m.f32.add(fn.get(mx, f32), m.call(MATH_FUNCTIONS.log, [fn.get(s, f32)], f32))),
    ...body(r, lse, base),
  ])];
}

kernel("softmax", (k, n) => {
  const fn = k.fn, m = fn.m, f32 = fn.bn.f32;
  const x = n.inputs[0]!, out = n.outputs[0]!;
  return logSumExpRows(k, x, (_r, lse, base) => [fn.loop(fn.i32(rows(k, x).width), (j) => {
    const i = () => m.i32.add(fn.get(base), fn.get(j));
    return [fn.storeF(fn.addr(out), i(), m.call(MATH_FUNCTIONS.exp, [m.f32.sub(fn.loadF(fn.addr(x), i()), fn.get(lse, f32))], f32))];
  })]);
});

kernel("log_softmax", (k, n) => {
  const fn = k.fn, m = fn.m, f32 = fn.bn.f32;
  const x = n.inputs[0]!, out = n.outputs[0]!;
  return logSumExpRows(k, x, (_r, lse, base) => [fn.loop(fn.i32(rows(k, x).width), (j) => {
    const i = () => m.i32.add(fn.get(base), fn.get(j));
    return [fn.storeF(fn.addr(out), i(), m.f32.sub(fn.loadF(fn.addr(x), i()), fn.get(lse, f32)))];
  })]);
});

/** Traps (unreachable) unless 0 ≤ id < limit: a kernel never reads or writes outside a region. */
function checkedId(fn: Fn, id: Expr, limit: number): Expr[] {
  const m = fn.m;
  return [m.if(m.i32.ge_u(id, fn.i32(limit)), m.unreachable())];
}

kernel("cross_entropy", (k, n) => {
  const fn = k.fn, m = fn.m, f32 = fn.bn.f32;
  const [l, t] = n.inputs as [string, string];
  const out = n.outputs[0]!;
  const V = rows(k, l).width;
  const red = (n.attrs.reduction as string | undefined) ?? "mean";
  const acc = fn.local(f32), id = fn.local(), cnt = fn.local();
  const perRow = (r: number, lse: number, base: number): Expr[] => {
    const loss = m.f32.sub(fn.get(lse, f32), fn.loadF(fn.addr(l), m.i32.add(fn.get(base), fn.get(id))));
    return [
      fn.set(id, fn.loadI(fn.addr(t), fn.get(r))),
      ...checkedId(fn, fn.get(id), V),
      red === "none" ? fn.storeF(fn.addr(out), fn.get(r), loss) : fn.set(acc, m.f32.add(fn.get(acc, f32), loss)),
    ];
  };
  const body = logSumExpRows(k, l, perRow);
  if (red === "none") return body;
  const total = red === "sum" ? fn.get(acc, f32)
    : m.select(m.i32.gt_s(fn.get(cnt), fn.i32(0)), m.f32.div(fn.get(acc, f32), m.f32.convert_s.i32(fn.get(cnt))), fn.f32(0));
  return [fn.set(acc, fn.f32(0)), fn.set(cnt, rows(k, l).count), ...body, fn.storeF(fn.addr(out), fn.i32(0), total)];
});

kernel("mse", (k, n) => {
  const fn = k.fn, m = fn.m, f32 = fn.bn.f32;
  const [a, b] = n.inputs as [string, string];
  const acc = fn.local(f32), d = fn.local(f32), cnt = fn.local();
  return [fn.set(acc, fn.f32(0)), fn.set(cnt, fn.count(k.type(a).shape)),
    fn.loop(fn.get(cnt), (i) => [
      fn.set(d, m.f32.sub(fn.loadF(fn.addr(a), fn.get(i)), fn.loadF(fn.addr(b), fn.get(i)))),
      fn.set(acc, m.f32.add(fn.get(acc, f32), m.f32.mul(fn.get(d, f32), fn.get(d, f32)))),
    ]),
    fn.storeF(fn.addr(n.outputs[0]!), fn.i32(0), m.select(m.i32.gt_s(fn.get(cnt), fn.i32(0)),
      m.f32.div(fn.get(acc, f32), m.f32.convert_s.i32(fn.get(cnt))), fn.f32(0)))];
});

kernel("one_hot", (k, n) => {
  const fn = k.fn, m = fn.m;
  const ids = n.inputs[0]!, out = n.outputs[0]!;
  const depth = n.attrs.depth as number;
  const id = fn.local();
  const cnt = fn.count(k.type(ids).shape);
  return [fn.zero(fn.addr(out), fn.count(k.type(out).shape)), fn.loop(cnt, (p) => [
    fn.set(id, fn.loadI(fn.addr(ids), fn.get(p))),
    ...checkedId(fn, fn.get(id), depth),
    fn.storeF(fn.addr(out), m.i32.add(m.i32.mul(fn.get(p), fn.i32(depth)), fn.get(id)), fn.f32(1)),
  ])];
});

kernel("embedding", (k, n) => {
  const fn = k.fn, m = fn.m;
  const [e, ids] = n.inputs as [string, string];
  const out = n.outputs[0]!;
  const [V, W] = k.type(e).shape as [number, number];
  const id = fn.local();
  return [fn.loop(fn.count(k.type(ids).shape), (p) => [
    fn.set(id, fn.loadI(fn.addr(ids), fn.get(p))),
    ...checkedId(fn, fn.get(id), V),
    fn.copy(fn.at(fn.addr(out), m.i32.mul(fn.get(p), fn.i32(W))), fn.at(fn.addr(e), m.i32.mul(fn.get(id), fn.i32(W))), fn.i32(W)),
  ])];
});

kernel("scatter_rows", (k, n) => {
  const fn = k.fn, m = fn.m;
  const [g, ids] = n.inputs as [string, string];
  const out = n.outputs[0]!;
  const rowsN = n.attrs.rows as number;
  const W = k.type(g).shape.at(-1) as number;
  const id = fn.local();
  return [fn.zero(fn.addr(out), fn.i32(rowsN * W)), fn.loop(fn.count(k.type(ids).shape), (p) => [
    fn.set(id, fn.loadI(fn.addr(ids), fn.get(p))),
    ...checkedId(fn, fn.get(id), rowsN),
    fn.loop(fn.i32(W), (j) => {
      const oi = () => m.i32.add(m.i32.mul(fn.get(id), fn.i32(W)), fn.get(j));
      return [fn.storeF(fn.addr(out), oi(), m.f32.add(fn.loadF(fn.addr(out), oi()), fn.loadF(fn.addr(g), m.i32.add(m.i32.mul(fn.get(p), fn.i32(W)), fn.get(j)))))];
    }),
  ])];
});

// ---- structural ----------------------------------------------------------------------------------

/** Copies `size` entries along `axis` from src (starting at `from`) to dst (starting at `to`). */
function copyAlongAxis(k: KernelCtx, dst: string, src: string, axis: number, from: number, to: number, size: number): Expr[] {
  const fn = k.fn, m = fn.m;
  const ss = k.type(src).shape, ds = k.type(dst).shape;
  const outer = fn.count(ss.slice(0, axis));
  const inner = fn.count(ss.slice(axis + 1));
  const ns = ss[axis] as number, nd = ds[axis] as number;
  const il = fn.local();
  return [fn.set(il, inner), fn.loop(outer, (o) => [
    fn.copy(
      fn.at(fn.addr(dst), m.i32.mul(m.i32.add(m.i32.mul(fn.get(o), fn.i32(nd)), fn.i32(to)), fn.get(il))),
      fn.at(fn.addr(src), m.i32.mul(m.i32.add(m.i32.mul(fn.get(o), fn.i32(ns)), fn.i32(from)), fn.get(il))),
      m.i32.mul(fn.i32(size), fn.get(il))),
  ])];
}

kernel("concat", (k, n) => {
  const out = n.outputs[0]!;
  const rank = k.type(out).shape.length;
  const axis = normAxis((n.attrs.axis as number | undefined) ?? -1, rank);
  let at = 0;
  return n.inputs.flatMap((x) => {
    const size = k.type(x).shape[axis] as number;
    const code = copyAlongAxis(k, out, x, axis, 0, at, size);
    at += size;
    return code;
  });
});

kernel("slice", (k, n) => {
  const x = n.inputs[0]!, out = n.outputs[0]!;
  const axis = normAxis((n.attrs.axis as number | undefined) ?? -1, k.type(x).shape.length);
  return copyAlongAxis(k, out, x, axis, n.attrs.start as number, 0, n.attrs.size as number);
});

kernel("pad", (k, n) => {
  const x = n.inputs[0]!, out = n.outputs[0]!;
  const axis = normAxis(n.attrs.axis as number, k.type(x).shape.length);
  return [k.fn.zero(k.fn.addr(out), k.fn.count(k.type(out).shape)),
    ...copyAlongAxis(k, out, x, axis, 0, n.attrs.before as number, k.type(x).shape[axis] as number)];
});

kernel("sequence_mask", (k, n) => {
  const fn = k.fn, m = fn.m;
  const len = n.inputs[0]!, out = n.outputs[0]!;
  const [T, B] = k.type(out).shape;
  return [fn.loop(fn.dim(T!), (t) => [fn.loop(fn.dim(B!), (b) => [
    fn.storeF(fn.addr(out), m.i32.add(m.i32.mul(fn.get(t), fn.dim(B!)), fn.get(b)),
      m.f32.convert_s.i32(m.i32.lt_s(fn.get(t), fn.loadI(fn.addr(len), fn.get(b))))),
  ])])];
});

export function kernelFor(op: string): Kernel {
  const k = kernels.get(op);
  if (!k) throw new RnncError(`the WebAssembly backend cannot lower op "${op}" yet`);
  return k;
}
