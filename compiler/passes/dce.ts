import type { Graph, Node, TensorType } from "../ir/types.ts";
import { assembleScan, partsBody, scanParts } from "./graph.ts";
import type { ScanParts } from "./graph.ts";

/**
 * Drops nodes none of whose outputs reach the graph's outputs. Inputs are kept (they are the
 * signature). Inside every live scan it also drops what the loop computes for nobody:
 * - per-step outputs (ys) that nothing reads;
 * - carries whose final value nothing reads and whose running value feeds only itself
 *   (e.g. a gradient accumulator nobody asked for);
 * - then the body nodes that fed only those, and consts and xs the body no longer reads
 *   (one xs is always kept: it gives the scan its number of steps).
 */
export function eliminateDeadCode(g: Graph): Graph {
  const live = new Set(g.outputs);
  const kept: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    let n = g.nodes[i]!;
    if (!n.outputs.some((o) => live.has(o))) continue;
    if (n.op === "scan") n = pruneScan(n, live);
    kept.push(n);
    for (const v of n.inputs) live.add(v);
  }
  kept.reverse();
  const types = new Map<string, TensorType>();
  for (const v of g.inputs) types.set(v, g.types.get(v)!);
  for (const n of kept) for (const o of n.outputs) types.set(o, g.types.get(o)!);
  return { inputs: [...g.inputs], outputs: [...g.outputs], nodes: kept, types };
}

/** Values of the body that reach `roots`. */
function bodyLiveness(p: ScanParts, roots: string[]): Set<string> {
  const live = new Set(roots);
  for (let i = p.nodes.length - 1; i >= 0; i--) {
    const n = p.nodes[i]!;
    if (n.outputs.some((o) => live.has(o))) n.inputs.forEach((v) => live.add(v));
  }
  return live;
}

function pruneScan(node: Node, live: Set<string>): Node {
  const p = scanParts(node);
  const original = [...p.nodes];
  const before = { ys: p.ys.length, carries: p.carries.length, consts: p.consts.length, xs: p.xs.length, nodes: p.nodes.length };
  p.ys = p.ys.filter((y) => live.has(y.outer));
  // a carry is needed if its final value is read, or if a needed body output reads its running value
  const needed = p.carries.map((c) => live.has(c.final));
  for (;;) {
    const roots = [...p.ys.map((y) => y.inner), ...p.carries.filter((_, k) => needed[k]).map((c) => c.next)];
    const bodyLive = bodyLiveness(p, roots);
    let grew = false;
    p.carries.forEach((c, k) => {
      if (!needed[k] && bodyLive.has(c.inner)) needed[k] = grew = true;
    });
    if (!grew) break;
  }
  p.carries = p.carries.filter((_, k) => needed[k]);

  const body = eliminateDeadCode(partsBody(p));
  p.nodes = body.nodes;
  const read = new Set<string>([...body.outputs, ...body.nodes.flatMap((n) => n.inputs)]);
  p.consts = p.consts.filter((c) => read.has(c.inner));
  const xs = p.xs.filter((x) => read.has(x.inner));
  p.xs = xs.length === 0 && p.xs.length > 0 ? [p.xs[0]!] : xs;

  const same = p.ys.length === before.ys && p.carries.length === before.carries && p.consts.length === before.consts
    && p.xs.length === before.xs && p.nodes.length === before.nodes && p.nodes.every((n, i) => n === original[i]);
  return same ? node : assembleScan(p);
}
