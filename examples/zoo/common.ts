/**
 * Helpers shared by the zoo's tasks: seeded data, time-major indexing, a timer for the README
 * figures. The training loop itself is compiler/train/fit.ts.
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { Rng } from "../../runtime/random.ts";

export { Rng };

/** The path of a file next to a module: `here(import.meta.url, "model.json")`. */
export function here(moduleUrl: string, file: string): string {
  return join(dirname(fileURLToPath(moduleUrl)), file);
}

/** Flat index of element (t, b) of a time-major [T, B] tensor. */
export const tb = (t: number, b: number, B: number): number => t * B + b;

/** `{ data, shape }` for an i32 or f32 tensor input. */
export function shaped(data: ArrayLike<number>, shape: number[]): { data: ArrayLike<number>; shape: number[] } {
  return { data, shape };
}

/** Prints a markdown table row. */
export function row(cells: (string | number)[]): string {
  return `| ${cells.join(" | ")} |`;
}

/** Parses `--key value` pairs of a run script's command line. */
export function flags(argv: string[] = process.argv.slice(2)): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--")) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("--")) { out[a.slice(2)] = next; i++; } else out[a.slice(2)] = "true";
    }
  }
  return out;
}
