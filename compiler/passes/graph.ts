/**
 * What every IR → IR pass shares: a Builder that never reuses a name of the graph it rewrites,
 * a node-by-node graph mapper, use counts, and an editable view of a scan node (its consts,
 * carries, xs and ys as named pairs of outer and body values) that passes change and reassemble.
 *
 * Passes are pure: they never mutate a graph or a body they were given (bodies are shared
 * between scans, e.g. the forward scan that autodiff re-emits with residuals).
 */
import { Builder, emptyGraph } from "../ir/builder.ts";
import type { AttrValue, Attrs, Graph, Node, TensorType } from "../ir/types.ts";
import "../ops/index.ts";
import { getOp } from "../ops/registry.ts";
import { scanAttrs } from "../ops/scan.ts";

/** A Builder that also avoids a reserved set of names (those of the graph being rewritten). */
export class Rewriter extends Builder {
  private readonly reserved: Set<string>;
  private count = 0;

  constructor(reserve: Iterable<string> = []) {
    super(emptyGraph());
    this.reserved = new Set(reserve);
  }

  override fresh(hint = "v"): string {
    const base = hint.startsWith("%") ? hint : `%${hint}`;
    const free = (n: string) => !this.has(n) && !this.reserved.has(n);
    let name = base;
    while (!free(name)) name = `${base}.${++this.count}`;
    this.reserved.add(name);
    return name;
  }

  /** Emits a copy of `node` (same op, attrs and output names) reading `inputs`. */
  copy(node: Node, inputs: string[] = node.inputs): string[] {
    return this.emit(node.op, inputs, node.attrs, node.outputs);
  }
}

/** Every value name a graph defines at its own level (not inside bodies). */
export function definedNames(g: Graph): Set<string> {
  const s = new Set<string>(g.inputs);
  for (const n of g.nodes) for (const o of n.outputs) s.add(o);
  return s;
}

/**
 * Rebuilds `g` node by node. `visit` gets the rewriter (holding every node emitted so far) and the
 * node with its inputs already renamed; it either returns null (the node is copied as is) or emits
 * whatever replaces it and returns one value per original output.
 */
export function mapGraph(g: Graph, visit: (rw: Rewriter, node: Node) => string[] | null): Graph {
  const rw = new Rewriter(definedNames(g));
  for (const v of g.inputs) rw.input(v, g.types.get(v)!);
  const rename = new Map<string, string>();
  const r = (v: string) => rename.get(v) ?? v;
  for (const n of g.nodes) {
    const node: Node = { ...n, inputs: n.inputs.map(r) };
    const res = visit(rw, node);
    if (res === null) rw.copy(node);
    else n.outputs.forEach((o, i) => { if (res[i] !== o) rename.set(o, res[i]!); });
  }
  rw.graph.outputs = g.outputs.map(r);
  return rw.graph;
}

/** The body graph of a scan node (or of any node with a graph attribute), if any. */
export function bodyOf(n: Node): Graph | null {
  return n.op === "scan" ? scanAttrs(n.attrs).body : null;
}

/** Applies `f` to every scan body inside `g` (bottom-up: nested bodies first), then returns g with them replaced. */
export function mapBodies(g: Graph, f: (body: Graph) => Graph): Graph {
  let changed = false;
  const nodes = g.nodes.map((n) => {
    const body = bodyOf(n);
    if (!body) return n;
    const nb = f(body);
    if (nb === body) return n;
    changed = true;
    return { ...n, attrs: { ...n.attrs, body: nb } };
  });
  return changed ? { ...g, nodes } : g;
}

/** How many times each value is read: by nodes of g (not of bodies) and by g's outputs. */
export function useCounts(g: Graph): Map<string, number> {
  const c = new Map<string, number>();
  const add = (v: string) => c.set(v, (c.get(v) ?? 0) + 1);
  for (const n of g.nodes) n.inputs.forEach(add);
  g.outputs.forEach(add);
  return c;
}

export function producers(g: Graph): Map<string, Node> {
  const p = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) p.set(o, n);
  return p;
}

export function isBatched(t: TensorType): boolean {
  return t.shape[0] === "B";
}

/**
 * Values of a scan body that do not change from step to step: its consts, and everything
 * computed from consts and `constant` nodes alone.
 */
export function loopInvariants(body: Graph, nConsts: number): Set<string> {
  const inv = new Set(body.inputs.slice(0, nConsts));
  for (const n of body.nodes) {
    if (n.op !== "scan" && n.inputs.every((v) => inv.has(v))) n.outputs.forEach((o) => inv.add(o));
  }
  return inv;
}

/** Per-element count of a type, leaving out B and T (what one example needs per step). */
export function widthOf(t: TensorType): number {
  let n = 1;
  for (const d of t.shape) if (typeof d === "number") n *= d;
  return n;
}

// ---- an editable scan ------------------------------------------------------------------------

export interface ScanCarry {
  init: string; inner: string; next: string; final: string;
  /** Zeroed at truncation boundaries (one of the first `cut_carries` carries of a `cut_every` scan). */
  cut: boolean;
}

/**
 * A scan node as named pairs: outer value ↔ body value. Passes edit the lists and the body's
 * nodes, then `assembleScan` rebuilds the node (counts, cut_carries and body types included).
 */
export interface ScanParts {
  attrs: Attrs;
  nodes: Node[];
  /** Types of body values; passes add entries for values they create. */
  types: Map<string, TensorType>;
  consts: { outer: string; inner: string }[];
  carries: ScanCarry[];
  xs: { outer: string; inner: string }[];
  ys: { inner: string; outer: string }[];
  lengths: string | null;
}

export function scanParts(node: Node): ScanParts {
  const a = scanAttrs(node.attrs);
  const body = a.body;
  const nC = a.n_consts, nK = a.n_carry, nX = a.n_xs;
  const cutN = a.cut_every ? a.cut_carries ?? nK : 0;
  return {
    attrs: node.attrs,
    nodes: [...body.nodes],
    types: new Map(body.types),
    consts: body.inputs.slice(0, nC).map((inner, i) => ({ outer: node.inputs[i]!, inner })),
    carries: body.inputs.slice(nC, nC + nK).map((inner, i) => ({
      init: node.inputs[nC + i]!, inner, next: body.outputs[i]!, final: node.outputs[i]!, cut: i < cutN,
    })),
    xs: body.inputs.slice(nC + nK).map((inner, i) => ({ outer: node.inputs[nC + nK + i]!, inner })),
    ys: body.outputs.slice(nK).map((inner, j) => ({ inner, outer: node.outputs[nK + j]! })),
    lengths: a.has_lengths ? node.inputs[node.inputs.length - 1]! : null,
  };
}

/** The body graph described by `p` (types pruned to the values it defines). */
export function partsBody(p: ScanParts): Graph {
  const inputs = [...p.consts.map((c) => c.inner), ...p.carries.map((c) => c.inner), ...p.xs.map((x) => x.inner)];
  const outputs = [...p.carries.map((c) => c.next), ...p.ys.map((y) => y.inner)];
  const types = new Map<string, TensorType>();
  const keep = (v: string) => {
    const t = p.types.get(v);
    if (!t) throw new Error(`internal: body value ${v} has no type`);
    types.set(v, t);
  };
  inputs.forEach(keep);
  for (const n of p.nodes) n.outputs.forEach(keep);
  return { inputs, outputs, nodes: p.nodes, types };
}

/** Rebuilds the scan node: its inputs, attributes and output names. */
export function assembleScan(p: ScanParts): Node {
  const firstUncut = p.carries.findIndex((c) => !c.cut);
  const nCut = firstUncut < 0 ? p.carries.length : firstUncut;
  if (p.carries.slice(nCut).some((c) => c.cut)) throw new Error("internal: truncated carries must come first");
  const attrs: Record<string, AttrValue> = {
    ...p.attrs,
    body: partsBody(p),
    n_consts: p.consts.length,
    n_carry: p.carries.length,
    n_xs: p.xs.length,
  };
  if (attrs.cut_every !== undefined) {
    if (nCut === 0) {
      delete attrs.cut_every;
      delete attrs.cut_carries;
    } else attrs.cut_carries = nCut;
  }
  return {
    op: "scan",
    inputs: [...p.consts.map((c) => c.outer), ...p.carries.map((c) => c.init), ...p.xs.map((x) => x.outer), ...(p.lengths ? [p.lengths] : [])],
    outputs: [...p.carries.map((c) => c.final), ...p.ys.map((y) => y.outer)],
    attrs,
  };
}

/** A body-local fresh name generator (body and outer graph are separate namespaces). */
export function bodyNamer(p: ScanParts): (hint: string) => string {
  let k = 0;
  return (hint: string) => {
    const base = hint.startsWith("%") ? hint : `%${hint}`;
    let name = base;
    while (p.types.has(name)) name = `${base}.${++k}`;
    return name;
  };
}

/**
 * Emits, in the outer graph, the loop-invariant body value `v` (a const, a `constant` node, or
 * something computed from those), memoized in `memo` (body name → outer name).
 */
export function materializeInvariant(rw: Rewriter, p: ScanParts, v: string, memo: Map<string, string>): string {
  const hit = memo.get(v);
  if (hit) return hit;
  const c = p.consts.find((x) => x.inner === v);
  if (c) {
    memo.set(v, c.outer);
    return c.outer;
  }
  const prod = p.nodes.find((n) => n.outputs.includes(v));
  if (!prod) throw new Error(`internal: ${v} is not loop-invariant`);
  const ins = prod.inputs.map((x) => materializeInvariant(rw, p, x, memo));
  const outs = rw.ops(prod.op, ins, prod.attrs, prod.outputs[0]!.replace(/^%/, ""));
  prod.outputs.forEach((o, i) => memo.set(o, outs[i]!));
  return memo.get(v)!;
}

/** A node with its output types recorded in `types` (inferred by the op's shape rule). */
export function typedNode(types: Map<string, TensorType>, op: string, inputs: string[], attrs: Attrs, outputs: string[]): Node {
  const ins = inputs.map((v) => {
    const t = types.get(v);
    if (!t) throw new Error(`internal: ${op} reads untyped ${v}`);
    return t;
  });
  const outs = getOp(op).shape(ins, attrs, (i) => inputs[i]!);
  outputs.forEach((o, i) => types.set(o, outs[i]!));
  return { op, inputs, outputs, attrs };
}

/** A fresh-name generator avoiding `taken` (and every name it has handed out). */
export function namer(taken: Set<string>): (hint: string) => string {
  let k = 0;
  return (hint: string) => {
    const base = hint.startsWith("%") ? hint : `%${hint}`;
    let name = base;
    while (taken.has(name)) name = `${base}.${++k}`;
    taken.add(name);
    return name;
  };
}
