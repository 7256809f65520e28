/**
 * fuseElementwise: connected elementwise ops that compute the same shape become one `fused` node
 * (compiler/ops/fused.ts), lowered as one SIMD loop whose intermediates stay in registers. The
 * LSTM's gate nonlinearities and cell update, and their VJPs in the backward loop, each become one
 * loop per step instead of a dozen passes over [B, H] buffers.
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

export function fuseElementwise(g: Graph): Graph {
  return fuseLevel(mapBodies(g, fuseElementwise));
}

/** Right-aligned numpy broadcasting of `s` to `to`. */
function broadcastsTo(s: Shape, to: Shape): boolean {
  if (s.length > to.length) return false;
  const lead = to.length - s.length;
  return s.every((d, i) => d === 1 || d === to[lead + i]);
}

function fuseLevel(g: Graph): Graph {
  const nodes = g.nodes;
  const type = (v: string): TensorType => g.types.get(v)!;
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => producer.set(o, i)));
  const users = new Map<string, number[]>();
  nodes.forEach((n, i) => n.inputs.forEach((v) => users.set(v, [...(users.get(v) ?? []), i])));
  const graphOutputs = new Set(g.outputs);
  const shapeOf = (i: number) => type(nodes[i]!.outputs[0]!).shape;
  const member = (i: number) => FUSABLE_OPS.has(nodes[i]!.op) && nodes[i]!.outputs.length === 1 && type(nodes[i]!.outputs[0]!).dtype === "f32";
  /** Node i's successors (the nodes reading any of its outputs). */
  const succ = (i: number) => nodes[i]!.outputs.flatMap((o) => users.get(o) ?? []);

  // ---- groups: union of members along edges, kept convex --------------------------------------
  const group = nodes.map((_, i) => (member(i) ? new Set([i]) : null));
  /** True if no path leaves `set` and re-enters it. */
  const convex = (set: Set<number>): boolean => {
    const last = Math.max(...set);
    const seen = new Set<number>();
    const stack = [...set].flatMap((i) => succ(i).filter((j) => !set.has(j)));
    while (stack.length) {
      const j = stack.pop()!;
      if (seen.has(j) || j > last) continue; // topological order: nothing after `last` reaches the set
      seen.add(j);
      for (const s of succ(j)) {
        if (set.has(s)) return false;
        stack.push(s);
      }
    }
    return true;
  };
  nodes.forEach((n, i) => {
    if (!member(i)) return;
    for (const v of n.inputs) {
      const p = producer.get(v);
      if (p === undefined || !member(p) || group[p] === group[i] || !sameShape(shapeOf(p), shapeOf(i))) continue;
      const merged = new Set([...group[p]!, ...group[i]!]);
      if (!convex(merged)) continue;
      for (const j of merged) group[j] = merged;
    }
  });

  // ---- concats of a group's members join it as outputs -----------------------------------------
  const sinks = new Map<Set<number>, number[]>();
  nodes.forEach((n, i) => {
    if (n.op !== "concat") return;
    const ps = n.inputs.map((v) => producer.get(v));
    const gr = ps[0] === undefined ? null : group[ps[0]];
    if (!gr || !ps.every((p) => p !== undefined && group[p] === gr)) return;
    const withSinks = new Set([...gr, ...(sinks.get(gr) ?? []), i]);
    if (!convex(withSinks)) return;
    sinks.set(gr, [...(sinks.get(gr) ?? []), i]);
  });

  // ---- build the fused nodes ----------------------------------------------------------------------
  // Each group is convex on its own, but two groups can still reach each other through outside
  // nodes (A → x → B and B → y → A): contracted together they would form a cycle. Groups are
  // accepted one at a time, each only if the graph with every accepted group contracted stays
  // acyclic (regression: test/fixtures/regressions/passes-fuse-elementwise-cycle.json).
  const candidates: { all: number[]; fused: Node }[] = [];
  for (const gr of new Set(group.filter((s): s is Set<number> => s !== null))) {
    const concats = sinks.get(gr) ?? [];
    const fused = buildFused(g, gr, concats, producer, users, graphOutputs);
    if (fused) candidates.push({ all: [...gr, ...concats].sort((a, b) => a - b), fused });
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
  const accepted: typeof candidates = [];
  for (const c of candidates) {
    if (topologicalOrder(g.inputs, assemble([...accepted, c])) !== null) accepted.push(c);
  }
  const ordered = topologicalOrder(g.inputs, assemble(accepted));
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
  const addInput = (v: string) => { if (!inputs.includes(v)) inputs.push(v); };
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

/** `nodes` in a topological order, each as early in the given order as its inputs allow; null if cyclic. */
function topologicalOrder(inputs: string[], nodes: Node[]): Node[] | null {
  const ready = new Set(inputs);
  const out: Node[] = [];
  const pending = [...nodes];
  while (pending.length) {
    const k = pending.findIndex((n) => n.inputs.every((v) => ready.has(v)));
    if (k < 0) return null;
    const [n] = pending.splice(k, 1);
    out.push(n!);
    n!.outputs.forEach((o) => ready.add(o));
  }
  return out;
}
