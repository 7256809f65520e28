import type { Graph, Node, Shape } from "../ir/types.ts";
import { sameShape } from "../ir/types.ts";
import { getOp } from "../ops/registry.ts";
import { assembleScan, bodyNamer, isBatched, mapBodies, mapGraph, scanParts, typedNode } from "./graph.ts";
import type { Rewriter, ScanParts } from "./graph.ts";

/**
 * Algebraic simplification, rule by rule (each keeps the value's type exactly):
 *
 *   x + 0 → x      0 + x → x      x - 0 → x      0 - x → -x      x - x → zeros_like(x)
 *   x * 1 → x      x * 0 → 0      x / 1 → x      -(-x) → x       -0 → 0
 *   x + (-y) → x - y     (-x) + y → y - x     x - (-y) → x + y     (-x) * (-y) → x * y
 *   sum_to(g, like), expand_like(g, like) of equal shapes → g;  of zeros → zeros_like(like)
 *   slice of a whole axis, pad by nothing, concat of one operand → the operand
 *   where(c, x, x) → x
 *
 * "0" is a `zeros_like` or a `constant` 0; when the other operand is narrower than the result
 * (broadcasting), `x + 0` becomes `expand_like(x, 0)`. `x * 0 → 0` and `x - x → 0` assume finite
 * x (as JAX's symbolic zeros do). And two scan rules:
 *
 * - a carry passed through unchanged (next = itself, not truncated) is loop-invariant: its final
 *   value is its initial one, and the body reads it as a const (kept as a carry only when the
 *   scan masks it: batched, with lengths);
 * - a per-step output that is just a per-step input is that input sequence (not with lengths
 *   when batched: the scan zeroes finished rows of ys, not of xs);
 * - per-step inputs that are windows (slices) of one sequence's last axis — the four gates'
 *   pre-activations cut from one hoisted GEMM — become that one sequence, sliced in the body:
 *   no stacked copies of the windows;
 * - per-step outputs that are concatenated after the loop (BPTT's g?_t, for the merged weight
 *   gradients) become one per-step output of their concatenation, made in the body (where CSE
 *   may find it already made), and windows of it outside;
 * plus `concat` of windows tiling a value's last axis → that value, and `sum_to` of such a window
 * → the window of one `sum_to` of the value, so that the windows need not be copied out.
 */
export function simplifyAlgebra(g: Graph): Graph {
  for (let round = 0; round < 4; round++) {
    let changed = false;
    g = simplifyOnce(g, () => { changed = true; });
    if (!changed) break;
  }
  return g;
}

function simplifyOnce(g: Graph, changed: () => void): Graph {
  g = mapBodies(g, (b) => simplifyOnce(b, changed));
  const prod = new Map<string, Node>();
  let indexed = 0;
  const concats = concatenatedYs(g);
  return mapGraph(g, (rw, node) => {
    for (; indexed < rw.graph.nodes.length; indexed++) for (const o of rw.graph.nodes[indexed]!.outputs) prod.set(o, rw.graph.nodes[indexed]!);
    const res = node.op === "scan" ? simplifyScan(rw, node, concats.get(node.outputs[0]!) ?? []) : rule(rw, node, (v) => prod.get(v));
    if (res) changed();
    return res;
  });
}

function rule(rw: Rewriter, n: Node, prod: (v: string) => Node | undefined): string[] | null {
  const out = n.outputs[0]!;
  const T = (v: string) => rw.type(v);
  const isZero = (v: string) => {
    const p = prod(v);
    return !!p && (p.op === "zeros_like" || (p.op === "constant" && p.attrs.value === 0));
  };
  const isOne = (v: string) => {
    const p = prod(v);
    return !!p && p.op === "constant" && p.attrs.value === 1;
  };
  /** A value of v's shape: for zeros_like(x), x itself (so the zeros need not be made). */
  const shapeOf = (v: string) => {
    const p = prod(v);
    return p && p.op === "zeros_like" ? p.inputs[0]! : v;
  };
  const negOf = (v: string) => {
    const p = prod(v);
    return p && p.op === "neg" ? p.inputs[0]! : null;
  };
  const shapeOut = inferredShape(rw, n);
  const fits = (v: string) => T(v).dtype === "f32" && sameShape(T(v).shape, shapeOut);
  const [a, b] = n.inputs as [string, string];
  const one = (v: string) => [v];
  switch (n.op) {
    case "add": {
      if (isZero(b) && fits(a)) return one(a);
      if (isZero(a) && fits(b)) return one(b);
      if (isZero(b) && fits(b)) return one(rw.op("expand_like", [a, shapeOf(b)], {}, out));
      if (isZero(a) && fits(a)) return one(rw.op("expand_like", [b, shapeOf(a)], {}, out));
      const nb = negOf(b);
      if (nb) return one(rw.op("sub", [a, nb], {}, out));
      const na = negOf(a);
      if (na) return one(rw.op("sub", [b, na], {}, out));
      return null;
    }
    case "sub": {
      if (isZero(b) && fits(a)) return one(a);
      if (isZero(a) && fits(b)) return one(rw.op("neg", [b], {}, out));
      if (a === b && fits(a)) return one(rw.op("zeros_like", [a], {}, out));
      const nb = negOf(b);
      if (nb) return one(rw.op("add", [a, nb], {}, out));
      return null;
    }
    case "mul": {
      if (isOne(b) && fits(a)) return one(a);
      if (isOne(a) && fits(b)) return one(b);
      for (const [z, x] of [[a, b], [b, a]] as const) {
        if (!isZero(z)) continue;
        if (fits(z)) return one(z);
        if (fits(x)) return one(rw.op("zeros_like", [x], {}, out));
      }
      const na = negOf(a), nb = negOf(b);
      if (na && nb) return one(rw.op("mul", [na, nb], {}, out));
      return null;
    }
    case "div":
      return isOne(b) && fits(a) ? one(a) : null;
    case "neg": {
      const na = negOf(a);
      if (na) return one(na);
      return isZero(a) ? one(a) : null;
    }
    case "sum_to":
    case "expand_like": {
      if (n.op === "expand_like" && n.attrs.axis !== undefined) return null;
      if (fits(a)) return one(a);
      if (isZero(a)) return one(rw.op("zeros_like", [shapeOf(b)], {}, out));
      // Σ over rows of a window of y's last axis = that window of Σ over rows of y: one reduction
      // of y serves every window (and the windows need not be copied out of y)
      const w = n.op === "sum_to" ? lastAxisWindow(rw, prod(a)) : null;
      if (w && T(b).shape.length === 1 && T(w.src).shape.length >= 2) {
        const width = T(w.src).shape[T(w.src).shape.length - 1] as number;
        const like = rw.op("constant", [], { value: 0, shape: [width] }, `${w.src.replace(/^%/, "")}.row`);
        const total = rw.op("sum_to", [w.src, like], {}, `${w.src.replace(/^%/, "")}.rowsum`);
        return one(rw.op("slice", [total], { axis: 0, start: w.start, size: w.size }, out));
      }
      return null;
    }
    case "slice": {
      const s = T(a).shape;
      const ax = (n.attrs.axis as number | undefined) ?? -1;
      const size = s[ax < 0 ? ax + s.length : ax];
      return n.attrs.start === 0 && n.attrs.size === size ? one(a) : null;
    }
    case "pad":
      return n.attrs.before === 0 && n.attrs.after === 0 ? one(a) : null;
    case "concat": {
      if (n.inputs.length === 1) return one(a);
      // windows of one value that tile its last axis in order: that value
      const rank = T(a).shape.length;
      const axis = (n.attrs.axis as number | undefined) ?? -1;
      if ((axis < 0 ? axis + rank : axis) !== rank - 1) return null;
      const ws = n.inputs.map((v) => lastAxisWindow(rw, prod(v)));
      const src = ws[0]?.src;
      let at = 0;
      for (const w of ws) {
        if (!w || w.src !== src || w.start !== at) return null;
        at += w.size;
      }
      return src && fits(src) ? one(src) : null;
    }
    case "where":
      return n.inputs[1] === n.inputs[2] && fits(n.inputs[1]!) ? one(n.inputs[1]!) : null;
    default:
      return null;
  }
}

/** A slice along the last axis: its source and window. */
function lastAxisWindow(rw: Rewriter, n: Node | undefined): { src: string; start: number; size: number } | null {
  if (!n || n.op !== "slice") return null;
  const src = n.inputs[0]!;
  const rank = rw.type(src).shape.length;
  const axis = (n.attrs.axis as number | undefined) ?? -1;
  if ((axis < 0 ? axis + rank : axis) !== rank - 1) return null;
  return { src, start: n.attrs.start as number, size: n.attrs.size as number };
}

/**
 * For each scan (by its first output): the groups of its ys (outer names, in order) that some node concatenates along
 * the last axis — to be emitted by the loop as one ys instead.
 */
function concatenatedYs(g: Graph): Map<string, string[][]> {
  const owner = new Map<string, Node>();
  for (const n of g.nodes) {
    if (n.op !== "scan") continue;
    const nK = (n.attrs as { n_carry: number }).n_carry;
    n.outputs.slice(nK).forEach((o) => owner.set(o, n));
  }
  const groups = new Map<string, string[][]>();
  for (const n of g.nodes) {
    if (n.op !== "concat" || n.inputs.length < 2) continue;
    const scan = owner.get(n.inputs[0]!);
    const rank = g.types.get(n.inputs[0]!)!.shape.length;
    const axis = (n.attrs.axis as number | undefined) ?? -1;
    if (!scan || rank < 3 || (axis < 0 ? axis + rank : axis) !== rank - 1) continue;
    if (!n.inputs.every((v) => owner.get(v) === scan) || new Set(n.inputs).size !== n.inputs.length) continue;
    const list = groups.get(scan.outputs[0]!) ?? [];
    list.push(n.inputs);
    groups.set(scan.outputs[0]!, list);
  }
  return groups;
}

/** The result shape of `n` as its op's rule gives it on the current input types. */
function inferredShape(rw: Rewriter, n: Node): Shape {
  return getOp(n.op).shape(n.inputs.map((v) => rw.type(v)), n.attrs, (i) => n.inputs[i]!)[0]!.shape;
}

function simplifyScan(rw: Rewriter, node: Node, concats: string[][]): string[] | null {
  const p = scanParts(node);
  const rename = new Map<string, string>();
  let changed = false;
  const type = (v: string) => p.types.get(v)!;
  const fresh = bodyNamer(p);
  // ys that are concatenated after the loop: one ys of their concatenation, windows of it outside
  const windowsOf: { ys: string; parts: { outer: string; start: number; size: number }[] }[] = [];
  const grouped = new Set<string>();
  for (const group of concats) {
    const parts = group.map((o) => p.ys.find((y) => y.outer === o));
    if (parts.some((y) => !y || grouped.has(y.outer))) continue;
    const inner = fresh(`${parts[0]!.inner.replace(/^%/, "")}.cat`);
    p.nodes = [...p.nodes, typedNode(p.types, "concat", parts.map((y) => y!.inner), { axis: -1 }, [inner])];
    const outer = rw.fresh(`${inner.replace(/^%/, "")}.steps`);
    let start = 0;
    windowsOf.push({
      ys: outer,
      parts: parts.map((y) => {
        const size = type(y!.inner).shape.at(-1) as number;
        start += size;
        return { outer: y!.outer, start: start - size, size };
      }),
    });
    group.forEach((o) => grouped.add(o));
    p.ys = [...p.ys.filter((y) => !grouped.has(y.outer)), { inner, outer }];
    changed = true;
  }
  // pass-through carries
  p.carries = p.carries.filter((c) => {
    if (c.next !== c.inner || c.cut) return true;
    const readElsewhere = p.nodes.some((n) => n.inputs.includes(c.inner))
      || p.ys.some((y) => y.inner === c.inner) || p.carries.some((d) => d !== c && d.next === c.inner);
    if (readElsewhere && p.lengths && isBatched(type(c.inner))) return true;
    if (readElsewhere) p.consts.push({ outer: c.init, inner: c.inner });
    rename.set(c.final, c.init);
    changed = true;
    return false;
  });
  // per-step outputs that only forward a per-step input
  p.ys = p.ys.filter((y) => {
    const x = p.xs.find((e) => e.inner === y.inner);
    if (!x || (p.lengths && isBatched(type(y.inner)))) return true;
    rename.set(y.outer, x.outer);
    changed = true;
    return false;
  });
  // per-step inputs that are windows of one sequence's last axis: the scan reads that sequence
  const windows = new Map<string, { x: ScanParts["xs"][number]; start: number; size: number }[]>();
  for (const x of p.xs) {
    const n = rw.graph.nodes.find((m) => m.outputs.includes(x.outer));
    if (!n || n.op !== "slice") continue;
    const rank = rw.type(n.inputs[0]!).shape.length;
    const axis = (n.attrs.axis as number | undefined) ?? -1;
    if (rank < 2 || (axis < 0 ? axis + rank : axis) !== rank - 1) continue;
    const list = windows.get(n.inputs[0]!) ?? [];
    list.push({ x, start: n.attrs.start as number, size: n.attrs.size as number });
    windows.set(n.inputs[0]!, list);
  }
  for (const [src, list] of windows) {
    const t = rw.type(src);
    if (list.length < 2 || 2 * list.reduce((a, w) => a + w.size, 0) < (t.shape[t.shape.length - 1] as number)) continue;
    const inner = fresh(`${src.replace(/^%/, "")}.step`);
    p.types.set(inner, { dtype: t.dtype, shape: t.shape.slice(1) });
    p.xs = [...p.xs.filter((x) => !list.some((w) => w.x === x)), { outer: src, inner }];
    p.nodes = [...list.map((w) => ({ op: "slice", inputs: [inner], attrs: { axis: -1, start: w.start, size: w.size }, outputs: [w.x.inner] })), ...p.nodes];
    changed = true;
  }
  if (!changed) return null;
  const scan = assembleScan(p);
  rw.copy(scan);
  for (const w of windowsOf) {
    for (const part of w.parts) rename.set(part.outer, rw.op("slice", [w.ys], { axis: -1, start: part.start, size: part.size }, part.outer));
  }
  return node.outputs.map((o) => rename.get(o) ?? o);
}
