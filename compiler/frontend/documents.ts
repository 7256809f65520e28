/**
 * The document types of cells (docs/formats.md), in a module of their own with no run-time code:
 * the TypeScript DSL (compiler/dsl/index.ts), which user code imports and type-checks, shares them
 * without pulling in the frontend's file reading.
 */
import type { DType } from "../ir/types.ts";
import type { Equation } from "./equations.ts";

export type InitSpec = string | { kind: string; value?: number; low?: number; high?: number; mean?: number; std?: number; gain?: number };

/** A tensor declaration of a cell or model document (docs/formats.md). */
export interface TensorDecl {
  shape: (string | number)[];
  dtype?: DType;
  init?: InitSpec;
  sequence?: boolean;
  doc?: string;
}

/** A cell document as the JSON frontend reads it (docs/formats.md); the TS DSL produces the same. */
export interface CellDoc {
  rnnc: "cell";
  name: string;
  doc?: string;
  sizes?: Record<string, number>;
  inputs: Record<string, TensorDecl>;
  state: Record<string, TensorDecl>;
  params: Record<string, TensorDecl>;
  equations: Record<string, Equation>;
  next: Record<string, Equation>;
  outputs: Record<string, Equation>;
}

