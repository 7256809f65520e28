import type { Graph } from "./types.ts";
import { scanAttrs } from "../ops/scan.ts";

/**
 * The i32 graph inputs used as ids — embedding rows, cross-entropy targets, one_hot indices, also
 * through scan bodies — with their valid range [0, n). Checked where data enters (rnnc eval's
 * tensors; the runtime checks the manifest's `range`): an id out of range would make the
 * interpreter throw mid-run and a WebAssembly module trap.
 */
export function idRanges(g: Graph): Map<string, [number, number]> {
  const r = new Map<string, [number, number]>();
  const visit = (x: Graph, alias: Map<string, string>) => {
    for (const n of x.nodes) {
      const src = (v: string) => alias.get(v) ?? v;
      if (n.op === "embedding") r.set(src(n.inputs[1]!), [0, x.types.get(n.inputs[0]!)!.shape[0] as number]);
      if (n.op === "cross_entropy") r.set(src(n.inputs[1]!), [0, x.types.get(n.inputs[0]!)!.shape.at(-1) as number]);
      if (n.op === "one_hot") r.set(src(n.inputs[0]!), [0, n.attrs.depth as number]);
      if (n.op === "scan") {
        const a = scanAttrs(n.attrs);
        const inner = new Map<string, string>();
        a.body.inputs.forEach((v, i) => inner.set(v, src(n.inputs[i]!)));
        visit(a.body, inner);
      }
    }
  };
  visit(g, new Map());
  return r;
}
