/**
 * Runs one zoo example at full size and prints the figures its README quotes:
 *
 *     npx tsx examples/zoo/run.ts <name> [--flag value ...]
 *
 * Each example's `task.ts` exports `main(flags)`; the unit test in test/zoo/ runs a small version.
 */
import { existsSync, readdirSync } from "node:fs";
import { flags, here } from "./common.ts";

const names = readdirSync(here(import.meta.url, ".")).filter((d) => existsSync(here(import.meta.url, `${d}/task.ts`))).sort();
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.error(`usage: npx tsx examples/zoo/run.ts <name> [--flag value ...]\nexamples: ${names.join(", ")}`);
  process.exit(1);
}
const mod = (await import(`./${name}/task.ts`)) as { main(f: Record<string, string>): Promise<void> };
const t0 = performance.now();
await mod.main(flags(process.argv.slice(3)));
console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s in all, including compilation)`);
