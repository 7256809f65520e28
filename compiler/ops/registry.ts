import { RnncError } from "../diagnostics.ts";
import type { AttrKind, Builder } from "../ir/builder.ts";
import type { Attrs, Graph, Node, TensorType } from "../ir/types.ts";
import type { Tensor } from "../interp/tensor.ts";

/** Describes input i of the node being checked, for error messages (e.g. `Wix [H=128, I=64]`). */
export type Describe = (i: number) => string;

export interface InterpContext {
  /** Evaluates a sub-graph (a scan body) on concrete tensors. */
  run(g: Graph, inputs: Tensor[]): Tensor[];
}

/**
 * Everything about one op, in one place (JAX's primitive, tfjs' kernel + gradient).
 * - shape: the abstract evaluation; throws RnncError naming the operands.
 * - interp: the f64 reference implementation; plain and obviously right, not fast.
 * - vjp: the vector-Jacobian product, written as IR ops through a Builder. It receives one
 *   cotangent per output (null = symbolic zero) and returns one per input (null = zero).
 * - linearize: for ops whose forward must change to save residuals (scan). It emits the
 *   forward computation itself, under the node's output names, and returns the backward rule.
 * - lower: filled in by the WebAssembly backend.
 */
export interface OpDef {
  name: string;
  arity: number | [number, number];
  attrs?: Record<string, AttrKind>;
  outputs?: (attrs: Attrs) => number;
  shape(ins: TensorType[], attrs: Attrs, describe: Describe): TensorType[];
  interp(ins: Tensor[], attrs: Attrs, ctx: InterpContext): Tensor[];
  /** Outputs carry no gradient (comparisons, one_hot, constants, stop_gradient). */
  nondiff?: boolean;
  vjp?(b: Builder, node: Node, cts: (string | null)[]): (string | null)[];
  linearize?(b: Builder, node: Node): (cts: (string | null)[]) => (string | null)[];
  lower?: unknown;
}

const registry = new Map<string, OpDef>();

export function registerOp(def: OpDef): OpDef {
  if (registry.has(def.name)) throw new Error(`internal: op ${def.name} registered twice`);
  registry.set(def.name, def);
  return def;
}

export function getOp(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new RnncError(`unknown op "${name}"`);
  return def;
}

export function hasOp(name: string): boolean {
  return registry.has(name);
}

export function allOps(): OpDef[] {
  return [...registry.values()];
}
