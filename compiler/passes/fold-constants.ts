import type { Tensor } from "../interp/tensor.ts";
import { tensor } from "../interp/tensor.ts";
import type { Attrs, Graph } from "../ir/types.ts";
import { numel } from "../ir/types.ts";
import "../ops/index.ts";
import { getOp } from "../ops/registry.ts";
import type { InterpContext } from "../ops/registry.ts";
import { mapBodies, mapGraph } from "./graph.ts";

const noScans: InterpContext = { run: () => { throw new Error("internal: foldConstants does not evaluate scans"); } };

/**
 * Constant folding: a node whose inputs are all `constant` nodes is evaluated (by the op's
 * reference implementation) and replaced by a `constant` of the same name — when the result is
 * one finite value repeated, the only kind of tensor `constant` holds (so `1 - 1`, `2 * 0.5`,
 * `sigmoid(0)`, but not `one_hot`). `numel` of a fully static shape folds too. Inside bodies as well.
 */
export function foldConstants(g: Graph): Graph {
  g = mapBodies(g, foldConstants);
  const known = new Map<string, Tensor>();
  return mapGraph(g, (rw, node) => {
    const def = getOp(node.op);
    if (node.op === "constant") {
      known.set(node.outputs[0]!, def.interp([], node.attrs, noScans)[0]!);
      return null;
    }
    if (node.op === "scan" || node.outputs.length !== 1) return null;
    const out = g.types.get(node.outputs[0]!)!;
    if (out.dtype !== "f32" || out.shape.some((d) => typeof d !== "number")) return null;
    let value: Tensor | null = null;
    if (node.op === "numel") {
      const s = rw.type(node.inputs[0]!).shape;
      if (s.every((d) => typeof d === "number")) value = tensor([], [Math.max(1, numel(s as number[]))]);
    } else if (node.inputs.length > 0 && node.inputs.every((v) => known.has(v))) {
      value = def.interp(node.inputs.map((v) => known.get(v)!), node.attrs, noScans)[0]!;
    }
    if (!value || value.data.length === 0) return null;
    const v0 = value.data[0]!;
    if (!Number.isFinite(v0) || value.data.some((x) => x !== v0)) return null;
    const attrs: Attrs = { value: Object.is(v0, -0) ? 0 : v0 };
    if (out.shape.length) attrs.shape = out.shape as number[];
    const [name] = rw.emit("constant", [], attrs, node.outputs);
    known.set(name!, value);
    return [name!];
  });
}
