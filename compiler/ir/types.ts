/**
 * The one IR of rnnc: an SSA graph of named values produced by ops.
 *
 * Shapes are static except for two symbolic dims bound at run time: `B` (batch) and
 * `T` (time). Values produced inside a scan body carry `B` but not `T`.
 */
export type Dim = number | "B" | "T";
export type Shape = Dim[];
export type DType = "f32" | "i32";

export interface TensorType {
  dtype: DType;
  shape: Shape;
}

export type AttrValue = number | boolean | string | number[] | Graph | null;
export type Attrs = Record<string, AttrValue>;

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
}

export interface Graph {
  /** Names of the graph's inputs, in calling order. */
  inputs: string[];
  /** Names of the values the graph returns, in order (a value may appear twice). */
  outputs: string[];
  /** Topologically ordered. */
  nodes: Node[];
  /** Type of every value: inputs and node outputs. */
  types: Map<string, TensorType>;
}

export function isSymbolic(d: Dim): d is "B" | "T" {
  return typeof d === "string";
}

export function formatShape(s: Shape): string {
  return `[${s.join(", ")}]`;
}

export function formatType(t: TensorType): string {
  return `${t.dtype}${formatShape(t.shape)}`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Numeric size of a shape once B and T are known. */
export function concreteShape(s: Shape, dims: { B: number; T: number }): number[] {
  return s.map((d) => (d === "B" ? dims.B : d === "T" ? dims.T : d));
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
