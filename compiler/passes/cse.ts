import type { AttrValue, Graph, Node } from "../ir/types.ts";
import { printGraph } from "../ir/print.ts";
import { assembleScan, mapBodies, mapGraph, scanParts } from "./graph.ts";

const COMMUTATIVE = new Set(["add", "mul", "maximum"]);

function attrKey(v: AttrValue): string {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return printGraph(v);
  return JSON.stringify(v);
}

function nodeKey(n: Node): string {
  const ins = COMMUTATIVE.has(n.op) ? [...n.inputs].sort() : n.inputs;
  const attrs = Object.keys(n.attrs).filter((k) => n.attrs[k] !== undefined).sort().map((k) => `${k}=${attrKey(n.attrs[k]!)}`);
  return `${n.op}(${ins.join(",")}){${attrs.join(",")}}`;
}

/**
 * Common-subexpression elimination: a node equal to an earlier one (same op, same inputs —
 * in any order for add, mul and maximum — same attributes) is replaced by it. Runs inside every
 * scan body too, and tidies each scan's interface: the same outer value passed twice as a
 * const or as a sequence becomes one body input, and the same body value emitted twice as a
 * per-step output becomes one (autodiff's residuals often repeat a y or an x).
 */
export function eliminateCommonSubexpressions(g: Graph): Graph {
  g = mapBodies(g, eliminateCommonSubexpressions);
  const seen = new Map<string, string[]>();
  return mapGraph(g, (rw, node) => {
    let outMap: string[] | null = null;
    if (node.op === "scan") [node, outMap] = dedupeScan(node);
    const key = nodeKey(node);
    const hit = seen.get(key);
    const outs = hit ?? node.outputs;
    if (!hit) {
      rw.copy(node);
      seen.set(key, node.outputs);
    }
    if (!outMap) return outs;
    return outMap.map((o) => outs[node.outputs.indexOf(o)]!);
  });
}

/** Merges repeated consts, xs and ys of a scan. Returns the node and, per original output, the output now holding it. */
function dedupeScan(node: Node): [Node, string[]] {
  const p = scanParts(node);
  const rename = new Map<string, string>();
  const dedupe = <E extends { outer: string; inner: string }>(list: E[]): E[] => {
    const first = new Map<string, string>();
    return list.filter((e) => {
      const f = first.get(e.outer);
      if (f === undefined) { first.set(e.outer, e.inner); return true; }
      rename.set(e.inner, f);
      return false;
    });
  };
  p.consts = dedupe(p.consts);
  p.xs = dedupe(p.xs);
  const r = (v: string) => rename.get(v) ?? v;
  if (rename.size) {
    p.nodes = p.nodes.map((n) => (n.inputs.some((v) => rename.has(v)) ? { ...n, inputs: n.inputs.map(r) } : n));
    p.carries = p.carries.map((c) => ({ ...c, next: r(c.next) }));
    p.ys = p.ys.map((y) => ({ ...y, inner: r(y.inner) }));
  }
  let changed = rename.size > 0;
  if (changed) {
    // merged inputs can make body nodes equal
    const body = eliminateCommonSubexpressions(assembleScan(p).attrs.body as Graph);
    p.nodes = body.nodes;
    const nK = p.carries.length;
    p.carries = p.carries.map((c, k) => ({ ...c, next: body.outputs[k]! }));
    p.ys = p.ys.map((y, j) => ({ ...y, inner: body.outputs[nK + j]! }));
  }
  const firstY = new Map<string, string>();
  const outerOf = new Map<string, string>();
  p.ys = p.ys.filter((y) => {
    const f = firstY.get(y.inner);
    if (f === undefined) { firstY.set(y.inner, y.outer); return true; }
    outerOf.set(y.outer, f);
    changed = true;
    return false;
  });
  if (!changed) return [node, node.outputs];
  const n = assembleScan(p);
  return [n, node.outputs.map((o) => outerOf.get(o) ?? o)];
}
