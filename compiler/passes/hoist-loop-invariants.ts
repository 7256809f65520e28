import type { Graph, Node } from "../ir/types.ts";
import { eliminateDeadCode } from "./dce.ts";
import { assembleScan, mapBodies, mapGraph, materializeInvariant, scanParts } from "./graph.ts";
import type { Rewriter } from "./graph.ts";

/**
 * Loop-invariant code motion: a body node that reads only consts (and values computed from
 * consts and `constant` nodes) gives the same value at every step, so it is computed once before
 * the scan and passed in as a new const — e.g. a weight concatenation, `1 - W`, a transpose.
 * `constant` nodes themselves, and nodes computed from constants alone, stay in the body (they
 * are free, and `foldConstants` / `simplifyAlgebra` read them there). Nested scans: the inner
 * body's invariants move to the outer body first, then out of the outer loop if they can.
 */
export function hoistLoopInvariants(g: Graph): Graph {
  g = mapBodies(g, hoistLoopInvariants);
  // what the rewrite left unread (the old xs, consts, ...) goes
  return eliminateDeadCode(mapGraph(g, (rw, node) => (node.op === "scan" ? hoistFromScan(rw, node) : null)));
}

function hoistFromScan(rw: Rewriter, node: Node): string[] | null {
  const p = scanParts(node);
  const invariant = new Set(p.consts.map((c) => c.inner));
  const fromConsts = new Set(p.consts.map((c) => c.inner)); // depends on at least one const
  const hoisted = new Set<Node>();
  for (const n of p.nodes) {
    if (n.op === "scan" || !n.inputs.every((v) => invariant.has(v))) continue;
    n.outputs.forEach((o) => invariant.add(o));
    if (n.inputs.some((v) => fromConsts.has(v))) {
      n.outputs.forEach((o) => fromConsts.add(o));
      hoisted.add(n);
    }
  }
  if (hoisted.size === 0) return null;
  const remaining = p.nodes.filter((n) => !hoisted.has(n));
  const read = new Set<string>([...remaining.flatMap((n) => n.inputs), ...p.carries.map((c) => c.next), ...p.ys.map((y) => y.inner)]);
  const memo = new Map<string, string>();
  const frontier = [...hoisted].flatMap((n) => n.outputs).filter((o) => read.has(o));
  const outer = frontier.map((v) => materializeInvariant(rw, p, v, memo));
  p.nodes = remaining;
  frontier.forEach((inner, i) => p.consts.push({ outer: outer[i]!, inner }));
  rw.copy(assembleScan(p));
  return node.outputs;
}
