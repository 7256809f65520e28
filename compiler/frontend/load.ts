/**
 * Loads a cell or model in any of its forms: JSON files (`loadProgram`) and TypeScript cells
 * (`*.cell.ts`, read statically by compiler/dsl/static.ts: the file is never run).
 */
import { loadCellTs, readCellFile } from "../dsl/static.ts";
import { loadProgram } from "./program.ts";
import { readJsonFile } from "./schema.ts";
import type { Program, SizeOverrides } from "./program.ts";

/** Is this file a TypeScript cell (`.ts`, `.mts`, `.cts`; by convention `*.cell.ts`)? */
export function isTypeScriptFile(file: string): boolean {
  return /\.[mc]?ts$/.test(file);
}

/** A cell file a model names, in either form: its JSON document (a TS cell's as `rnnc convert` gives it). */
export function readAnyCellFile(path: string): unknown {
  return isTypeScriptFile(path) ? readCellFile(path).doc : readJsonFile(path);
}

/**
 * `rnnc check|compile|eval|gradcheck|train FILE`: a JSON cell or model (whose cells may be JSON or
 * TypeScript files), or a TypeScript cell.
 */
export function loadAnyProgram(file: string, dims: SizeOverrides = {}): Program {
  return isTypeScriptFile(file) ? loadCellTs(file, dims) : loadProgram(file, dims, { readCellFile: readAnyCellFile });
}
