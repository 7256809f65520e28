/**
 * `fused`: a group of elementwise ops evaluated as one loop (compiler/passes/fuse-elementwise.ts
 * builds it; compiler/lower/kernels.ts lowers it to one SIMD loop nest, so the group's
 * intermediates never touch memory).
 *
 * The node's attribute `expr` is a small graph — the group's ops, copied with their names — whose
 * inputs are bound, in order, to the node's inputs (with the same names) and whose outputs are the
 * node's outputs (the group's values read outside it, under their own names). Every op of `expr`
 * computes the same iteration shape, except:
 * - `constant` nodes (immediates, broadcast);
 * - `slice` nodes of an input (read in place: a gate's window of a merged matmul's output);
 * - `concat` nodes of iteration-shaped values, which may only be outputs (written part by part:
 *   the backward LSTM's gate gradients, concatenated for the merged matmul).
 *
 * Its reference evaluation runs `expr` on the interpreter, so a fused graph computes exactly what
 * the unfused one did, in f64 too. Fusion runs after autodiff: a fused node has no VJP.
 */
import { RnncError } from "../diagnostics.ts";
import type { Attrs, Graph, Shape } from "../ir/types.ts";
import { formatType, sameShape } from "../ir/types.ts";
import { registerOp } from "./registry.ts";

export function fusedExpr(attrs: Attrs): Graph {
  const e = attrs.expr;
  if (typeof e !== "object" || e === null || Array.isArray(e)) throw new Error("internal: a fused node without an expr graph");
  return e;
}

/** The shape every computing op of a fused expression produces: the loop nest's iteration shape. */
export function fusedIterationShape(e: Graph): Shape {
  const n = e.nodes.find((x) => x.op !== "constant" && x.op !== "concat" && x.op !== "slice") ?? e.nodes.find((x) => x.op === "slice");
  if (!n) throw new Error("internal: a fused expression without an elementwise op");
  return e.types.get(n.outputs[0]!)!.shape;
}

registerOp({
  name: "fused",
  arity: [1, Number.MAX_SAFE_INTEGER],
  attrs: { expr: "graph" },
  outputs: (attrs) => fusedExpr(attrs).outputs.length,
  shape(ins, attrs, d) {
    const e = fusedExpr(attrs);
    if (ins.length !== e.inputs.length) throw new RnncError(`fused takes ${e.inputs.length} inputs, got ${ins.length}`);
    ins.forEach((t, i) => {
      const want = e.types.get(e.inputs[i]!)!;
      if (t.dtype !== want.dtype || !sameShape(t.shape, want.shape)) {
        throw new RnncError(`fused: input ${d(i)} is ${formatType(t)}, its expression reads ${formatType(want)}`);
      }
    });
    return e.outputs.map((v) => e.types.get(v)!);
  },
  interp: (ins, attrs, ctx) => ctx.run(fusedExpr(attrs), ins),
  vjp() {
    throw new Error("internal: fused nodes appear after autodiff");
  },
});
