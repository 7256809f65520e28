/**
 * fuseElementwise: connected elementwise ops that compute the same shape become one `fused` node
 * (compiler/ops/fused.ts), lowered as one SIMD loop whose intermediates stay in registers. The
 * LSTM's gate nonlinearities and cell update, and their VJPs in the backward loop, each become one
 * loop per step instead of a dozen passes over [B, H] buffers. Groups far larger than any written
 * by hand (a chain of a thousand equations) are cut into several loops (MAX_FUSED_DEPTH,
 * MAX_FUSED_OPS) that Binaryen can optimize.
 *
 * A group is a set of elementwise ops (LANE ops: arithmetic, comparisons, where, exp/log/tanh/
 * sigmoid, float) with the same output shape, connected by producer → consumer edges, and
 * convex: no path leaves the group and comes back (the fused node would then depend on itself).
 * Operands may broadcast (a bias [H] against [B, H]). Besides its members a group takes in:
 * - scalar and broadcastable `constant`s read by members (copied: they become immediates);
 * - `slice`s read by members (copied: the loop reads the sliced tensor in place, e.g. the gate
 *   windows of the merged `[B, 4H]` matmul — the slice copies disappear when nothing else reads them);
 * - a `concat` all of whose operands are members (the loop writes its parts in place, e.g. the
 *   backward LSTM's four gate gradients, concatenated for the merged `Σ Wᵀ g` matmul).
 * The fused node reads the group's external values and returns only the values read outside the
 * group, under their own names; nothing else in the graph changes. Runs in every scan body and at
 * top level, after autodiff (fused nodes have no VJP) and after the loop passes and merges, on the
 * loops' final shape.
 */
import type { Graph, Node, Shape, TensorType } from "../ir/types.ts";
import { sameShape } from "../ir/types.ts";
import { mapBodies } from "./graph.ts";

/** Elementwise ops a fused loop computes (compiler/lower/elementwise.ts LANE_OPS). */
export const FUSABLE_OPS: ReadonlySet<string> = new Set([
  "add", "sub", "mul", "div", "maximum", "greater_equal", "neg", "abs", "sqrt", "relu", "step", "sign",
  "exp", "log", "tanh", "sigmoid", "where", "float",
]);

/**
 * The depth of dependency path a fused node may hold, in lane-expression levels (`laneDepth`).
 * Binaryen's optimizer sinks every intermediate of a fused loop into its reader (a single-use
 * local becomes the expression itself, a multi-use one a `local.tee`), so the loop body becomes
 * one expression as deep as the group's longest path, however flat the emitted code was (every
 * op in a local of its own); its passes and writer recurse over that depth and overflow the JS
 * stack at a few thousand levels (measured without this bound, at -O3: a chain of 500
 * `tanh(e) * 0.5 + x` compiles, one of 700, ~2,100 ops, overflows). A deeper group is cut into
 * bands of less than this depth plus one op, each its own loop, handing its values to the next
 * through memory: one store and one load per element per ~128 levels of work, and the same f32
 * values (a store and a load round nothing). Hand-written cells are far below it (the examples'
 * fused loops: at most 11 levels, 34 ops).
 */
export const MAX_FUSED_DEPTH = 128;

/**
 * The most ops a fused node may hold. Each op of a fused loop is a local in the vector body and
 * another in the scalar tail, and Binaryen's local coalescing slows down by orders of magnitude
 * past 8,192 locals in a function (it switches to a sparse interference matrix): a band wider
 * than this (thousands of independent ops at one depth) is cut into runs of consecutive ops.
 */
export const MAX_FUSED_OPS = 256;

export interface FuseOptions {
  /** Bound on a fused node's longest path (default MAX_FUSED_DEPTH); tests use small values. */
  maxDepth?: number;
  /** Bound on a fused node's number of ops (default MAX_FUSED_OPS). */
  maxOps?: number;
}

/** Levels an op adds to a lane expression (compiler/lower/elementwise.ts LANE_OPS): 1 for most. */
export function laneDepth(op: string): number {
  switch (op) {
    case "sign": return 4; // select(or(eq, ne), x, copysign(1, x))
    case "where": case "greater_equal": case "step": return 2; // a comparison under a select / convert
    default: return 1;
  }
}

export function fuseElementwise(g: Graph, opts: FuseOptions = {}): Graph {
  const limits = { depth: opts.maxDepth ?? MAX_FUSED_DEPTH, ops: opts.maxOps ?? MAX_FUSED_OPS };
  return fuseLevel(mapBodies(g, (b) => fuseElementwise(b, opts)), limits);
}

/** Right-aligned numpy broadcasting of `s` to `to`. */
function broadcastsTo(s: Shape, to: Shape): boolean {
  if (s.length > to.length) return false;
  const lead = to.length - s.length;
  return s.every((d, i) => d === 1 || d === to[lead + i]);
}

/** A min-heap of node indices. */
class MinHeap {
  readonly items: number[] = [];

  get size(): number { return this.items.length; }
  peek(): number { return this.items[0]!; }

  push(x: number): void {
    const h = this.items;
    h.push(x);
    for (let k = h.length - 1; k > 0;) {
      const p = (k - 1) >> 1;
      if (h[p]! <= h[k]!) break;
      [h[p], h[k]] = [h[k]!, h[p]!];
      k = p;
    }
  }

  pop(): number {
    const h = this.items;
    const top = h[0]!, end = h.pop()!;
    if (h.length) {
      h[0] = end;
      for (let k = 0; ;) {
        const l = 2 * k + 1, r = l + 1;
        let m = k;
        if (l < h.length && h[l]! < h[m]!) m = l;
        if (r < h.length && h[r]! < h[m]!) m = r;
        if (m === k) break;
        [h[m], h[k]] = [h[k]!, h[m]!];
        k = m;
      }
    }
    return top;
  }

  /** Calls f on every item ≤ bound (in no particular order), visiting no more than their children. */
  forEachUpTo(bound: number, f: (x: number) => void): void {
    const h = this.items, stack = h.length ? [0] : [];
    while (stack.length) {
      const k = stack.pop()!;
      if (h[k]! > bound) continue;
      f(h[k]!);
      if (2 * k + 1 < h.length) stack.push(2 * k + 1);
      if (2 * k + 2 < h.length) stack.push(2 * k + 2);
    }
  }
}

/**
 * A group being grown: its members, its last member, and the nodes reading a member that were
 * outside the group when last looked: those before `last` (`past`, the only ones a path out of
 * the group and back can start from) and those after it (`future`, a heap: mostly members to be,
 * e.g. the adds that sum a gradient at the end of a backward body; moved to `past`, or dropped,
 * as `last` passes them). So a merge looks at no reader twice.
 */
interface Group { members: number[]; last: number; past: Set<number>; future: MinHeap }

/**
 * Splits `members` (node indices of one convex group, ascending: a topological order) into bands
 * whose heaviest path weighs less than `maxDepth` plus the weight of one node (`weight` per node; `succ` gives a node's readers,
 * `inGroup` tells members). Each member is placed as late as its readers allow (its band follows
 * its height: the heaviest path from it to the group's end), so a value is computed next to its
 * readers (the products of a long sum land in the band of the adds that read them, not all in
 * the first). Along any edge the band index never decreases, so each band is convex when the group
 * is, and the bands of a group form a chain. Returns each member's band (0, 1, ...), in `members`
 * order; all 0 when the group is shallow enough.
 */
export function depthBands(members: readonly number[], weight: (i: number) => number, succ: (i: number) => readonly number[],
  inGroup: (i: number) => boolean, maxDepth: number): number[] {
  const height = new Map<number, number>();
  let top = 0;
  for (let k = members.length - 1; k >= 0; k--) {
    const i = members[k]!;
    let below = 0;
    for (const s of succ(i)) if (inGroup(s)) below = Math.max(below, height.get(s) ?? 0);
    const h = weight(i) + below;
    height.set(i, h);
    top = Math.max(top, h);
  }
  if (top <= maxDepth) return members.map(() => 0);
  return members.map((i) => Math.floor((top - height.get(i)!) / maxDepth));
}

function fuseLevel(g: Graph, limits: { depth: number; ops: number }): Graph {
  const nodes = g.nodes;
  const type = (v: string): TensorType => g.types.get(v)!;
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const users = new Map<string, number[]>();
  nodes.forEach((n, i) => n.inputs.forEach((v) => {
    const u = users.get(v);
    if (u) u.push(i);
    else users.set(v, [i]);
  }));
  const graphOutputs = new Set(g.outputs);
  const shapeOf = (i: number) => type(nodes[i]!.outputs[0]!).shape;
  const member = (i: number) => FUSABLE_OPS.has(nodes[i]!.op) && nodes[i]!.outputs.length === 1 && type(nodes[i]!.outputs[0]!).dtype === "f32";
  /** Node i's successors (the nodes reading any of its outputs). */
  const succs: number[][] = nodes.map((n) => n.outputs.flatMap((o) => users.get(o) ?? []));
  const succ = (i: number) => succs[i]!;

  // ---- groups: union of members along edges, kept convex --------------------------------------
  // gid[i]: the group of member i (the key of `groups`), -1 for other nodes
  const gid = new Int32Array(nodes.length).fill(-1);
  const groups = new Map<number, Group>();
  nodes.forEach((_, i) => {
    if (!member(i)) return;
    gid[i] = i;
    const future = new MinHeap();
    for (const s of succ(i)) future.push(s);
    groups.set(i, { members: [i], last: i, past: new Set(), future });
  });
  /** True if no path leaves groups a ∪ b and re-enters it. */
  const convexUnion = (a: number, b: number): boolean => {
    const A = groups.get(a)!, B = groups.get(b)!;
    const last = Math.max(A.last, B.last);
    const inside = (j: number) => gid[j] === a || gid[j] === b;
    const stack: number[] = [];
    const start = (j: number) => { if (!inside(j)) stack.push(j); };
    for (const G of [A, B]) {
      G.past.forEach(start);
      G.future.forEachUpTo(last, start);
    }
    const seen = new Set<number>();
    while (stack.length) {
      const j = stack.pop()!;
      if (seen.has(j) || j > last) continue; // topological order: nothing after `last` reaches the set
      seen.add(j);
      for (const s of succ(j)) {
        if (inside(s)) return false;
        stack.push(s);
      }
    }
    return true;
  };
  /** Merges group `gone` into group `keep` (the larger): members, then readers, each smaller into larger. */
  const merge = (keep: number, gone: number) => {
    const K = groups.get(keep)!, G = groups.get(gone)!;
    for (const j of G.members) {
      gid[j] = keep;
      K.members.push(j);
    }
    const [big, small] = K.future.size >= G.future.size ? [K.future, G.future] : [G.future, K.future];
    for (const e of small.items) if (gid[e] !== keep) big.push(e);
    K.future = big;
    if (G.past.size > K.past.size) [K.past, G.past] = [G.past, K.past];
    G.past.forEach((e) => K.past.add(e));
    K.last = Math.max(K.last, G.last);
    while (K.future.size && K.future.peek() <= K.last) K.past.add(K.future.pop());
    for (const e of K.past) if (gid[e] === keep) K.past.delete(e);
    groups.delete(gone);
  };
  nodes.forEach((n, i) => {
    if (!member(i)) return;
    for (const v of n.inputs) {
      const p = producer.get(v);
      if (p === undefined || !member(p) || gid[p] === gid[i] || !sameShape(shapeOf(p), shapeOf(i))) continue;
      const a = gid[p]!, b = gid[i]!;
      if (!convexUnion(a, b)) continue;
      if (groups.get(a)!.members.length >= groups.get(b)!.members.length) merge(a, b);
      else merge(b, a);
    }
  });

  // ---- bands: groups deeper than MAX_FUSED_DEPTH are cut by depth, then bands with more than
  // MAX_FUSED_OPS ops into runs of consecutive ops (edges only go forward in the node order, so
  // the runs of a convex band are convex and form a chain) -----------------------------------------
  const band = new Int32Array(nodes.length).fill(-1);
  const bands: number[][] = [];
  for (const [id, gr] of groups) {
    const members = gr.members.sort((x, y) => x - y);
    const of = depthBands(members, (i) => laneDepth(nodes[i]!.op), succ, (s) => gid[s] === id, limits.depth);
    const byDepth: number[][] = [];
    members.forEach((i, k) => (byDepth[of[k]!] ??= []).push(i));
    for (const d of byDepth) {
      if (!d) continue;
      for (let at = 0; at < d.length; at += limits.ops) {
        const b = bands.push(d.slice(at, at + limits.ops)) - 1;
        for (const i of bands[b]!) band[i] = b;
      }
    }
  }
  /** True if no path leaves `set` and re-enters it. */
  const convex = (set: Set<number>): boolean => {
    let last = -1;
    for (const i of set) last = Math.max(last, i);
    const seen = new Set<number>();
    const stack = [...set].flatMap((i) => succ(i).filter((j) => !set.has(j)));
    while (stack.length) {
      const j = stack.pop()!;
      if (seen.has(j) || j > last) continue;
      seen.add(j);
      for (const s of succ(j)) {
        if (set.has(s)) return false;
        stack.push(s);
      }
    }
    return true;
  };

  // ---- concats of a band's members join it as outputs ----------------------------------------------
  const sinks = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    if (n.op !== "concat") return;
    const ps = n.inputs.map((v) => producer.get(v));
    const b = ps[0] === undefined ? -1 : band[ps[0]]!;
    if (b < 0 || !ps.every((p) => p !== undefined && band[p] === b)) return;
    const withSinks = new Set([...bands[b]!, ...(sinks.get(b) ?? []), i]);
    if (!convex(withSinks)) return;
    sinks.set(b, [...(sinks.get(b) ?? []), i]);
  });

  // ---- build the fused nodes ----------------------------------------------------------------------
  // Each band is convex on its own, but two can still reach each other through outside nodes
  // (A → x → B and B → y → A): contracted together they would form a cycle. Groups are accepted
  // one at a time, each only if the graph with every accepted group contracted stays acyclic
  // (regression: test/fixtures/regressions/passes-fuse-elementwise-cycle.json). Contracting fewer
  // groups never makes a cycle that contracting all of them does not, so when all of them together
  // leave the graph acyclic (the usual case) that one check stands for every step.
  const candidates: { all: number[]; fused: Node }[] = [];
  const order = bands.map((_, b) => b).filter((b) => bands[b]!.length > 0).sort((x, y) => bands[x]![0]! - bands[y]![0]!);
  for (const b of order) {
    const concats = sinks.get(b) ?? [];
    const fused = buildFused(g, new Set(bands[b]!), concats, producer, users, graphOutputs);
    if (fused) candidates.push({ all: [...bands[b]!, ...concats].sort((x, y) => x - y), fused });
  }
  if (candidates.length === 0) return g;
  const assemble = (accepted: typeof candidates): Node[] => {
    const replaced = new Map<number, Node>(); // first node of a group → its fused node
    const removed = new Set<number>();
    for (const c of accepted) {
      replaced.set(c.all[0]!, c.fused);
      c.all.forEach((i) => removed.add(i));
    }
    const out: Node[] = [];
    nodes.forEach((n, i) => {
      const f = replaced.get(i);
      if (f) out.push(f);
      else if (!removed.has(i)) out.push(n);
    });
    return out;
  };
  let ordered = topologicalOrder(g.inputs, assemble(candidates));
  if (!ordered) {
    const accepted: typeof candidates = [];
    for (const c of candidates) {
      if (topologicalOrder(g.inputs, assemble([...accepted, c])) !== null) accepted.push(c);
    }
    ordered = topologicalOrder(g.inputs, assemble(accepted));
  }
  if (!ordered) throw new Error("internal: fuseElementwise made a cycle");
  return { ...g, nodes: ordered };
}

/**
 * The fused node of group `gr` (node indices) and its absorbed `concats`, or null when fusing buys
 * nothing (a lone op reading no slice).
 */
function buildFused(
  g: Graph, gr: Set<number>, concats: number[], producer: Map<string, number>, users: Map<string, number[]>, graphOutputs: Set<string>,
): Node | null {
  const nodes = g.nodes;
  const idx = [...gr].sort((a, b) => a - b);
  const iter = g.types.get(nodes[idx[0]!]!.outputs[0]!)!.shape;
  const inside = new Set([...idx, ...concats]);
  const copies = new Map<string, Node>(); // absorbed constants and slices, by output name
  const inputs: string[] = [];
  const isInput = new Set<string>();
  const addInput = (v: string) => { if (!isInput.has(v)) { isInput.add(v); inputs.push(v); } };
  for (const i of idx) {
    for (const v of nodes[i]!.inputs) {
      const p = producer.get(v);
      if (p !== undefined && gr.has(p)) continue;
      const pn = p === undefined ? null : nodes[p]!;
      const t = g.types.get(v)!;
      if (pn?.op === "constant" && broadcastsTo(t.shape, iter)) copies.set(v, pn);
      else if (pn?.op === "slice" && broadcastsTo(t.shape, iter)) {
        copies.set(v, pn);
        addInput(pn.inputs[0]!);
      } else addInput(v);
    }
  }
  const slices = [...copies.values()].filter((n) => n.op === "slice").length;
  if (idx.length + slices + concats.length < 2) return null;

  // values read outside the group (by other nodes or as outputs of the graph / body)
  const outputs: string[] = [];
  for (const i of idx) {
    const v = nodes[i]!.outputs[0]!;
    if (graphOutputs.has(v) || (users.get(v) ?? []).some((u) => !inside.has(u))) outputs.push(v);
  }
  for (const c of concats) outputs.push(nodes[c]!.outputs[0]!);

  const exprNodes: Node[] = [];
  const types = new Map<string, TensorType>();
  for (const v of inputs) types.set(v, g.types.get(v)!);
  // constants and slices first (their inputs are the node's inputs), then the members in order
  for (const [v, n] of copies) {
    exprNodes.push({ op: n.op, inputs: [...n.inputs], outputs: [v], attrs: n.attrs });
    types.set(v, g.types.get(v)!);
  }
  for (const i of [...idx, ...concats].sort((a, b) => a - b)) {
    const n = nodes[i]!;
    exprNodes.push({ op: n.op, inputs: [...n.inputs], outputs: [...n.outputs], attrs: n.attrs });
    types.set(n.outputs[0]!, g.types.get(n.outputs[0]!)!);
  }
  const expr: Graph = { inputs, outputs, nodes: exprNodes, types };
  return { op: "fused", inputs: [...inputs], outputs: [...outputs], attrs: { expr } };
}

/**
 * `nodes` in a topological order, each as early in the given order as its inputs allow (of the
 * nodes whose inputs are ready, the first in the given order comes next); null if cyclic or if a
 * node reads a value nobody defines.
 */
export function topologicalOrder(inputs: string[], nodes: Node[]): Node[] | null {
  const defined = new Set(inputs);
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const waiting = new Int32Array(nodes.length); // inputs not computed yet, each counted once
  const readers: number[][] = nodes.map(() => []);
  const ready = new MinHeap(); // ready nodes, by position
  for (let i = 0; i < nodes.length; i++) {
    for (const v of new Set(nodes[i]!.inputs)) {
      if (defined.has(v)) continue;
      const p = producer.get(v);
      if (p === undefined) return null;
      waiting[i]!++;
      readers[p]!.push(i);
    }
    if (waiting[i] === 0) ready.push(i);
  }
  const out: Node[] = [];
  while (ready.size) {
    const i = ready.pop();
    out.push(nodes[i]!);
    for (const r of readers[i]!) if (--waiting[r]! === 0) ready.push(r);
  }
  return out.length === nodes.length ? out : null;
}
