import { RnncError } from "../diagnostics.ts";
import "../ops/index.ts";
import { getOp } from "../ops/registry.ts";
import type { InterpContext } from "../ops/registry.ts";
import type { Graph, TensorType } from "../ir/types.ts";
import { formatShape } from "../ir/types.ts";
import type { Tensor } from "./tensor.ts";

/** Binds the symbolic dims B and T of `types` against concrete shapes, checking every dim. */
export function bindDims(names: string[], types: TensorType[], values: Tensor[]): { B?: number; T?: number } {
  const bound: { B?: number; T?: number } = {};
  names.forEach((name, i) => {
    const t = types[i]!, v = values[i]!;
    const bad = () =>
      new RnncError(`input ${name}: expected shape ${formatShape(t.shape)}${dimNote(bound)}, got ${formatShape(v.shape)}`);
    if (v.shape.length !== t.shape.length) throw bad();
    t.shape.forEach((d, k) => {
      const n = v.shape[k]!;
      if (typeof d === "number") {
        if (d !== n) throw bad();
      } else if (bound[d] === undefined) bound[d] = n;
      else if (bound[d] !== n) throw bad();
    });
    if (t.dtype === "i32" && v.data.some((x) => !Number.isInteger(x))) {
      throw new RnncError(`input ${name}: expected integers (i32)`);
    }
  });
  return bound;
}

function dimNote(b: { B?: number; T?: number }): string {
  const parts = Object.entries(b).map(([k, v]) => `${k}=${v}`);
  return parts.length ? ` with ${parts.join(", ")}` : "";
}

const ctx: InterpContext = { run: (g, ins) => runGraph(g, ins) };

/** Evaluates a graph on concrete f64 tensors. The reference semantics of rnnc. */
export function runGraph(g: Graph, inputs: Tensor[]): Tensor[] {
  if (inputs.length !== g.inputs.length) throw new Error(`internal: graph takes ${g.inputs.length} inputs, got ${inputs.length}`);
  const env = new Map<string, Tensor>();
  g.inputs.forEach((name, i) => env.set(name, inputs[i]!));
  for (const node of g.nodes) {
    const def = getOp(node.op);
    const ins = node.inputs.map((v) => {
      const t = env.get(v);
      if (!t) throw new Error(`internal: ${node.op} reads ${v} before it is defined`);
      return t;
    });
    const outs = def.interp(ins, node.attrs, ctx);
    node.outputs.forEach((name, i) => {
      const t = outs[i]!;
      const want = g.types.get(name)!;
      if (t.shape.length !== want.shape.length) {
        throw new Error(`internal: ${node.op} produced ${formatShape(t.shape)} for ${name}, typed ${formatShape(want.shape)}`);
      }
      env.set(name, want.dtype === t.dtype ? t : { ...t, dtype: want.dtype });
    });
  }
  return g.outputs.map((v) => env.get(v)!);
}
