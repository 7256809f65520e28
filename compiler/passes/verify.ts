import type { Graph } from "../ir/types.ts";
import { formatType, sameShape } from "../ir/types.ts";
import "../ops/index.ts";
import { getOp } from "../ops/registry.ts";
import { bodyOf } from "./graph.ts";

/**
 * Checks that a graph is well formed after a pass: SSA (every value defined once), topological
 * (defined before read), every node's recorded types equal to what its op's shape rule infers,
 * outputs defined — and the same, recursively, for every scan body. Throws on the first problem.
 */
export function verifyGraph(g: Graph, where = "graph"): void {
  const defined = new Set<string>();
  const define = (v: string) => {
    if (defined.has(v)) throw new Error(`${where}: ${v} is defined twice`);
    if (!g.types.has(v)) throw new Error(`${where}: ${v} has no type`);
    defined.add(v);
  };
  g.inputs.forEach(define);
  for (const n of g.nodes) {
    for (const v of n.inputs) if (!defined.has(v)) throw new Error(`${where}: ${n.op} reads ${v} before it is defined`);
    const body = bodyOf(n);
    if (body) verifyGraph(body, `${where} > body of ${n.outputs[0]}`);
    const inferred = getOp(n.op).shape(n.inputs.map((v) => g.types.get(v)!), n.attrs, (i) => n.inputs[i]!);
    if (inferred.length !== n.outputs.length) throw new Error(`${where}: ${n.op} has ${n.outputs.length} outputs, its rule gives ${inferred.length}`);
    n.outputs.forEach((o, i) => {
      define(o);
      const t = g.types.get(o)!, want = inferred[i]!;
      if (t.dtype !== want.dtype || !sameShape(t.shape, want.shape)) {
        throw new Error(`${where}: ${o} = ${n.op}(...) is typed ${formatType(t)}, its rule gives ${formatType(want)}`);
      }
    });
  }
  for (const v of g.outputs) if (!defined.has(v)) throw new Error(`${where}: output ${v} is not defined`);
}
