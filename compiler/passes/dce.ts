import type { Graph } from "../ir/types.ts";

/** Drops nodes none of whose outputs reach the graph's outputs. Inputs are kept (they are the signature). */
export function eliminateDeadCode(g: Graph): Graph {
  const live = new Set(g.outputs);
  const keep: boolean[] = new Array(g.nodes.length).fill(false);
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (n.outputs.some((o) => live.has(o))) {
      keep[i] = true;
      for (const v of n.inputs) live.add(v);
    }
  }
  const nodes = g.nodes.filter((_, i) => keep[i]);
  const types = new Map<string, (typeof g.types extends Map<string, infer T> ? T : never)>();
  for (const v of g.inputs) types.set(v, g.types.get(v)!);
  for (const n of nodes) for (const o of n.outputs) types.set(o, g.types.get(o)!);
  return { inputs: [...g.inputs], outputs: [...g.outputs], nodes, types };
}
