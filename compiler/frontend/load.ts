/**
 * Loads a cell or model in any of its forms: JSON files (`loadProgram`) and TypeScript cells
 * (`*.cell.ts`, read statically by compiler/dsl/static.ts: the file is never run).
 */
import { loadCellTs } from "../dsl/static.ts";
import { loadProgram } from "./program.ts";
import type { Program, SizeOverrides } from "./program.ts";

/** Is this file a TypeScript cell (`.ts`, `.mts`, `.cts`; by convention `*.cell.ts`)? */
export function isTypeScriptFile(file: string): boolean {
  return /\.[mc]?ts$/.test(file);
}

/** `rnnc check|compile|eval|gradcheck FILE`: a JSON cell or model, or a TypeScript cell. */
export function loadAnyProgram(file: string, dims: SizeOverrides = {}): Program {
  return isTypeScriptFile(file) ? loadCellTs(file, dims) : loadProgram(file, dims);
}
