import { RnncError } from "../diagnostics.ts";
import type { DType, Node, Shape, TensorType } from "../ir/types.ts";
import { fusedExpr, fusedIterationShape } from "../ops/fused.ts";
import type { Expr } from "./binaryen.ts";
import type { Fn } from "./codegen.ts";
import { broadcastRead, concatPartWrite, emitLoops, LANE_OPS, plainWrite, sliceRead } from "./elementwise.ts";
import type { Access, Lanes, Val } from "./elementwise.ts";
import { emitMatmul, emitOuter, gemmTuning, matmulScratchFloats, outerScratchFloats } from "./gemm.ts";
import { kernelScratch, scratchId } from "./memory.ts";
import { MATH_FUNCTIONS } from "./mathfns.ts";

/**
 * Lowering rules: one per op, each emitting the loops that compute the node's outputs from its
 * inputs' addresses. Every kernel writes every element of its outputs (memory is reused, never
 * assumed zero) and reads only within its inputs' regions. Elementwise loops and `fused` nodes are
 * SIMD128 (./elementwise.ts), matmul and outer are register-tiled SIMD GEMMs (./gemm.ts).
 */
export interface KernelCtx {
  fn: Fn;
  type(v: string): TensorType;
  /** Emit the GEMMs' multiply-adds as f32x4.relaxed_madd (CompileOptions.relaxedSimd, ./gemm.ts GemmIsa). */
  relaxedSimd?: boolean;
}

export type Kernel = (k: KernelCtx, n: Node) => Expr[];

export const kernels = new Map<string, Kernel>();

function kernel(op: string, k: Kernel): void {
  if (kernels.has(op)) throw new Error(`internal: kernel ${op} defined twice`);
  kernels.set(op, k);
}

// ---- elementwise (loops and lane operations: ./elementwise.ts) ----------------------------------

/**
 * out = f(in_0, …) elementwise with numpy broadcasting, 4 lanes at a time where the innermost
 * dims are contiguous (see ./elementwise.ts). `f` reads each operand's value as often as it needs.
 */
export function elementwise(k: KernelCtx, out: string, ins: string[], f: (L: Lanes, vals: Val[], dtypes: DType[]) => Expr): Expr[] {
  const iter = k.type(out).shape;
  const dtypes = ins.map((v) => k.type(v).dtype);
  return emitLoops(k.fn, iter, ins.map((v) => broadcastRead(v, k.type(v), iter)), [plainWrite(out, iter)], (L, vals) => [f(L, vals, dtypes)]);
}

for (const [op, f] of Object.entries(LANE_OPS)) {
  kernel(op, (k, n) => elementwise(k, n.outputs[0]!, n.inputs, f));
}

/**
 * A `fused` node (compiler/ops/fused.ts): its expression DAG evaluated per element of the
 * iteration shape in one loop nest. Intermediates live in locals (registers), never in memory;
 * `slice` nodes of the DAG read their source in place, `concat` outputs are written part by part.
 */
kernel("fused", (k, n) => {
  const e = fusedExpr(n.attrs);
  const iter = fusedIterationShape(e);
  const outer = new Map(e.inputs.map((v, i) => [v, n.inputs[i]!]));
  const loads: Access[] = [];
  const leaf = new Map<string, number>(); // DAG value → index of its load
  const read = (v: string) => {
    if (leaf.has(v)) return;
    const o = outer.get(v);
    if (o === undefined) return; // computed in the loop
    leaf.set(v, loads.push(broadcastRead(o, k.type(o), iter)) - 1);
  };
  for (const node of e.nodes) {
    if (node.op === "slice") {
      const src = outer.get(node.inputs[0]!);
      if (src === undefined) throw new Error(`internal: fused slice ${node.outputs[0]} reads ${node.inputs[0]}, not an input of the node`);
      const a = node.attrs;
      leaf.set(node.outputs[0]!, loads.push(sliceRead(src, k.type(src), (a.axis as number | undefined) ?? -1, a.start as number, a.size as number, iter)) - 1);
    } else if (node.op !== "constant") node.inputs.forEach(read);
  }
  e.outputs.forEach(read);
  const producer = new Map(e.nodes.flatMap((node) => node.outputs.map((o) => [o, node] as const)));
  const stores: Access[] = [];
  const stored: string[] = [];
  e.outputs.forEach((v, j) => {
    const p = producer.get(v);
    if (p?.op === "concat") {
      const outShape = e.types.get(v)!.shape;
      const axis = (p.attrs.axis as number | undefined) ?? -1;
      const a = axis < 0 ? axis + outShape.length : axis;
      let at = 0;
      for (const part of p.inputs) {
        stores.push(concatPartWrite(n.outputs[j]!, outShape, a, at, iter));
        stored.push(part);
        at += e.types.get(part)!.shape[a] as number;
      }
    } else {
      stores.push(plainWrite(n.outputs[j]!, iter));
      stored.push(v);
    }
  });
  return emitLoops(k.fn, iter, loads, stores, (L, vals) => {
    const env = new Map<string, Val>();
    for (const [v, j] of leaf) env.set(v, vals[j]!);
    const get = (v: string) => {
      const x = env.get(v);
      if (!x) throw new Error(`internal: fused value ${v} read before it is computed`);
      return x;
    };
    for (const node of e.nodes) {
      const out = node.outputs[0]!;
      if (node.op === "constant") {
        const c = node.attrs.value as number;
        env.set(out, () => L.f(c));
      } else if (node.op !== "slice" && node.op !== "concat") {
        const f = LANE_OPS[node.op];
        if (!f) throw new Error(`internal: op ${node.op} in a fused node`);
        env.set(out, L.let(f(L, node.inputs.map(get), node.inputs.map((v) => e.types.get(v)!.dtype))));
      }
    }
    return stored.map((v) => get(v)());
  });
});

kernel("stop_gradient", (k, n) => copyValue(k, n.outputs[0]!, n.inputs[0]!));

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

// A's packed panels (./gemm.ts): transpose_a over enough rows, or a plain matmul over many rows
kernelScratch.set("matmul", (n, type) => {
  const floats = matmulScratchFloats(type(n.inputs[0]!).shape as [number, number], n.attrs.transpose_a === true, type(n.inputs[1]!).shape.includes("T"));
  return floats > 0 ? [{ id: scratchId(n, "pack"), shape: [floats] }] : [];
});

kernel("matmul", (k, n) => {
  const [a, x] = n.inputs as [string, string];
  const aShape = k.type(a).shape as [number, number], transposeA = n.attrs.transpose_a === true;
  const seq = k.type(x).shape.includes("T"); // rows = T·B: a whole sequence
  return emitMatmul(k.fn, {
    a, x, out: n.outputs[0]!, aShape, transposeA, rows: k.fn.count(k.type(x).shape.slice(0, -1)), seq,
    ...(matmulScratchFloats(aShape, transposeA, seq) > 0 ? { scratch: k.fn.addr(scratchId(n, "pack")) } : {}),
  }, gemmTuning, { relaxedSimd: k.relaxedSimd === true });
});

/** The reduction length of an outer node when it is a compile-time constant (u's leading dims). */
function outerRowsConst(uShape: Shape): number | null {
  const lead = uShape.slice(0, -1);
  return lead.every((d) => typeof d === "number") ? lead.reduce<number>((a, d) => a * (d as number), 1) : null;
}

const outerDims = (type: (v: string) => TensorType, n: Node) => {
  const [u, v] = n.inputs as [string, string];
  const us = type(u).shape;
  return { u, v, M: us.at(-1) as number, K: type(v).shape.at(-1) as number, rowsConst: outerRowsConst(us), lead: us.slice(0, -1) };
};

// the packed outer product's panels (./gemm.ts), planned by ./memory.ts like any scratch value
kernelScratch.set("outer", (n, type) => {
  const d = outerDims(type, n);
  const floats = outerScratchFloats(d.M, d.K, d.rowsConst);
  return floats > 0 ? [{ id: scratchId(n, "pack"), shape: [floats] }] : [];
});

kernel("outer", (k, n) => {
  const d = outerDims(k.type, n);
  const floats = outerScratchFloats(d.M, d.K, d.rowsConst);
  return emitOuter(k.fn, {
    u: d.u, v: d.v, out: n.outputs[0]!, M: d.M, K: d.K, rows: k.fn.count(d.lead), rowsConst: d.rowsConst,
    ...(floats > 0 ? { scratch: k.fn.addr(scratchId(n, "pack")) } : {}),
  }, gemmTuning, { relaxedSimd: k.relaxedSimd === true });
});

// ---- reductions ----------------------------------------------------------------------------------

/** Splits a shape around an axis into (outer, n, inner) extent expressions. */
function around(fn: Fn, s: Shape, axis: number): [Expr, Expr, Expr] {
  return [fn.count(s.slice(0, axis)), fn.dim(s[axis]!), fn.count(s.slice(axis + 1))];
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * acc = Σ of the `cnt` floats of x (cnt a local): two f32x4 accumulators over chunks of 8 (eight
 * independent partial sums, not one chain of dependent adds), combined, then the last cnt mod 8
 * in order.
 */
function sumAll(k: KernelCtx, x: string, cnt: number, acc: number): Expr[] {
  const fn = k.fn, m = fn.m, v128 = fn.bn.v128, f32 = fn.bn.f32;
  const a0 = fn.local(v128), a1 = fn.local(v128), p = fn.local(), end = fn.local();
  const top = fn.label("sum8"), brk = fn.label("sum8done");
  const gv = (l: number) => fn.get(l, v128);
  const lane = (l: number, i: number) => m.f32x4.extract_lane(gv(l), i);
  return [
    fn.set(a0, m.f32x4.splat(fn.f32(0))), fn.set(a1, m.f32x4.splat(fn.f32(0))),
    fn.set(p, fn.addr(x)),
    fn.set(end, m.i32.add(fn.addr(x), m.i32.shl(m.i32.and(fn.get(cnt), fn.i32(-8)), fn.i32(2)))),
    m.block(brk, [
      m.br(brk, m.i32.ge_u(fn.get(p), fn.get(end))),
      m.loop(top, m.block(null, [
        fn.set(a0, m.f32x4.add(gv(a0), m.v128.load(0, 4, fn.get(p)))),
        fn.set(a1, m.f32x4.add(gv(a1), m.v128.load(16, 4, fn.get(p)))),
        fn.set(p, m.i32.add(fn.get(p), fn.i32(32))),
        m.br(top, m.i32.lt_u(fn.get(p), fn.get(end))),
      ])),
    ]),
    fn.set(a0, m.f32x4.add(gv(a0), gv(a1))),
    fn.set(acc, m.f32.add(m.f32.add(lane(a0, 0), lane(a0, 1)), m.f32.add(lane(a0, 2), lane(a0, 3)))),
    fn.loop(m.i32.and(fn.get(cnt), fn.i32(7)), (i) => [
      fn.set(acc, m.f32.add(fn.get(acc, f32), m.f32.load(0, 4, m.i32.add(fn.get(end), m.i32.shl(fn.get(i), fn.i32(2)))))),
    ]),
  ];
}

kernel("sum", (k, n) => {
  const fn = k.fn, m = fn.m;
  const x = n.inputs[0]!, out = n.outputs[0]!;
  const s = k.type(x).shape;
  const acc = fn.local(fn.bn.f32);
  if (n.attrs.axis === undefined) {
    const cnt = fn.local();
    return [fn.set(cnt, fn.count(s)), ...sumAll(k, x, cnt, acc), fn.storeF(fn.addr(out), fn.i32(0), fn.get(acc, fn.bn.f32))];
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
  return [fn.set(cnt, fn.count(k.type(x).shape)), ...sumAll(k, x, cnt, acc),
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
  return elementwise(view, out, [g], (_L, [x]) => x!());
});

kernel("sum_to", (k, n) => {
  // out = g summed down to like's shape: zero out, then accumulate out[bidx] += g[idx]
  const fn = k.fn, m = fn.m;
  const g = n.inputs[0]!, out = n.outputs[0]!;
  const zero = fn.zero(fn.addr(out), fn.count(k.type(out).shape));
  const lead = leadingRows(k.type(g).shape, k.type(out).shape);
  if (lead) return [zero, ...sumLeadingRows(k, out, g, lead.rows, lead.width)];
  // accumulate with the broadcasting loop, reading out at the broadcast index of the "input" slot
  const acc = elementwiseAccumulate(k, out, g);
  void m;
  return [zero, ...acc];
});

/**
 * When `out` is `src` summed over its leading axes only (out's shape, leading 1s aside, is the end
 * of src's, e.g. a bias gradient [T, B, H] → [H]): src as rows × width, width a constant. Else null.
 */
function leadingRows(src: Shape, out: Shape): { rows: Shape; width: number } | null {
  let o = [...out];
  while (o.length > 0 && o[0] === 1) o = o.slice(1);
  if (o.length > src.length || !o.every((d) => typeof d === "number")) return null;
  const tail = src.slice(src.length - o.length);
  if (!tail.every((d, i) => d === o[i])) return null;
  return { rows: src.slice(0, src.length - o.length), width: o.reduce<number>((a, d) => a * (d as number), 1) };
}

/**
 * out[i] += src[r, i] for every row r, in that order for each i (so bit-identical to the scalar
 * loop): 4 columns per f32x4, the width mod 4 in scalar code. `out` is zeroed before.
 */
function sumLeadingRows(k: KernelCtx, out: string, src: string, rows: Shape, width: number): Expr[] {
  const fn = k.fn, m = fn.m;
  const w4 = width >> 2;
  const row = fn.local(), o = fn.local(), sp = fn.local();
  return [fn.loop(fn.count(rows), (r) => {
    const code: Expr[] = [fn.set(row, m.i32.add(fn.addr(src), m.i32.mul(fn.get(r), fn.i32(4 * width))))];
    if (w4 > 0) {
      code.push(fn.loop(fn.i32(w4), (i) => [
        fn.set(o, m.i32.add(fn.addr(out), m.i32.shl(fn.get(i), fn.i32(4)))),
        fn.set(sp, m.i32.add(fn.get(row), m.i32.shl(fn.get(i), fn.i32(4)))),
        m.v128.store(0, 4, fn.get(o), m.f32x4.add(m.v128.load(0, 4, fn.get(o)), m.v128.load(0, 4, fn.get(sp)))),
      ]));
    }
    for (let j = 4 * w4; j < width; j++) {
      code.push(m.f32.store(4 * j, 4, fn.addr(out), m.f32.add(m.f32.load(4 * j, 4, fn.addr(out)), m.f32.load(4 * j, 4, fn.get(row)))));
    }
    return code;
  })];
}

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

// step_mask(lengths [B], like [T, ...]) → [T, B, 1]: 1 where t < lengths[b]
kernel("step_mask", (k, n) => {
  const fn = k.fn, m = fn.m;
  const [len, like] = n.inputs as [string, string];
  const out = n.outputs[0]!;
  const B = fn.dim(k.type(len).shape[0]!), Bl = fn.local();
  return [fn.set(Bl, B), fn.loop(fn.dim(k.type(like).shape[0]!), (t) => [fn.loop(fn.get(Bl), (b) => [
    fn.storeF(fn.addr(out), m.i32.add(m.i32.mul(fn.get(t), fn.get(Bl)), fn.get(b)),
      m.f32.convert_s.i32(m.i32.lt_s(fn.get(t), fn.loadI(fn.addr(len), fn.get(b))))),
  ])])];
});
