import { parseArgs } from "node:util";
import type { ParseArgsConfig } from "node:util";
import { RnncError } from "../diagnostics.ts";
import { MAX_SIZE } from "../frontend/program.ts";

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parses a subcommand's arguments; unknown flags and missing values become one clear error. */
export function parse<O extends Options>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true } as const);
  } catch (e) {
    const raw = (e as Error).message;
    // node's messages span several lines; keep one: "unknown option '--x'", "option '-O' needs a value"
    const missing = /^Option '(-[^' ]+)[^']*' argument (?:missing|is ambiguous)/.exec(raw);
    const msg = missing
      ? `option '${missing[1]}' needs a value`
      : raw.replace(/\. To specify a positional argument.*$/s, "").replace(/^Unknown option|^Option/, (w) => w.toLowerCase()).split("\n")[0]!.replace(/\.$/, "");
    throw new RnncError(`${command}: ${msg} (see rnnc ${command} --help)`);
  }
}

/** `--dims I=4,H=5` → { I: 4, H: 5 }. */
export function parseDims(spec: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!spec) return out;
  for (const part of spec.split(",").filter((s) => s.trim() !== "")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(-?\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!m) throw new RnncError(`--dims: expected NAME=VALUE pairs like I=4,H=5, got "${part}"`);
    const v = Number(m[2]);
    if (!Number.isInteger(v) || v < 1) throw new RnncError(`--dims: size ${m[1]} must be a positive integer, got ${m[2]}`);
    if (v > MAX_SIZE) throw new RnncError(`--dims: size ${m[1]} must be at most ${MAX_SIZE}, got ${m[2]}`);
    out[m[1]!] = v;
  }
  return out;
}

export function onePositional(command: string, positionals: string[], what = "FILE"): string {
  if (positionals.length === 0) throw new RnncError(`${command}: missing ${what} (see rnnc ${command} --help)`);
  if (positionals.length > 1) throw new RnncError(`${command}: expected one ${what}, got ${positionals.length}: ${positionals.join(" ")}`);
  return positionals[0]!;
}
