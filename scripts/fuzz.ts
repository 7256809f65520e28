/**
 * npm run fuzz -- [--seed N] [--seconds S] [--runs N] [--property NAME ...]
 *
 * Runs the property-based tests of test/property/ with many more cases than the default test
 * run: each property gets an equal share of the time budget (default 300 s) and at most --runs
 * cases (default 1,000,000). A failing case is shrunk by fast-check and written as a regression
 * fixture, test/fixtures/regressions/<property>-<seed>.json (atomically), which the default test
 * run replays (test/property/regressions.test.ts). Exits 1 when a property failed.
 */
import fc from "fast-check";
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PROPERTIES } from "../test/property/_props.ts";
import type { PropertyName, Regression } from "../test/property/_props.ts";

const DIR = fileURLToPath(new URL("../test/fixtures/regressions/", import.meta.url));
const names = Object.keys(PROPERTIES) as PropertyName[];

function usage(msg: string): never {
  process.stderr.write(`fuzz: ${msg}\nusage: npm run fuzz -- [--seed N] [--seconds S] [--runs N] [--property ${names.join("|")} ...]\n`);
  process.exit(1);
}

const { values } = parseArgs({
  options: { seed: { type: "string" }, seconds: { type: "string" }, runs: { type: "string" }, property: { type: "string", multiple: true } },
  strict: true,
});
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isSafeInteger(seed)) usage(`--seed: expected an integer, got "${values.seed}"`);
const seconds = Number(values.seconds ?? 300);
if (!(seconds > 0)) usage(`--seconds: expected a positive number, got "${values.seconds}"`);
const runs = Number(values.runs ?? 1_000_000);
if (!Number.isInteger(runs) || runs < 1) usage(`--runs: expected a positive integer, got "${values.runs}"`);
const chosen = (values.property ?? names) as PropertyName[];
for (const p of chosen) if (!names.includes(p)) usage(`unknown property "${p}" (properties: ${names.join(", ")})`);

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w");
  writeSync(fd, text);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

let failed = 0;
const share = (seconds * 1000) / chosen.length;
for (const name of chosen) {
  const p = PROPERTIES[name];
  const check = p.check as (r: unknown) => void | Promise<void>;
  const started = Date.now();
  process.stdout.write(`${name}: ${p.summary} (seed ${seed}, ${(share / 1000).toFixed(0)} s)… `);
  const d = await fc.check(fc.asyncProperty(p.arbitrary as fc.Arbitrary<unknown>, async (r) => { await check(r); }), {
    seed, numRuns: runs, interruptAfterTimeLimit: share, markInterruptAsFailure: false,
  });
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  if (!d.failed || d.counterexample === null) {
    if (d.failed) { process.stdout.write(`interrupted before a case completed (${secs} s): give it more --seconds\n`); continue; }
    process.stdout.write(`${d.numRuns} cases passed in ${secs} s\n`);
    continue;
  }
  failed++;
  const error = d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance);
  const fixture: Regression = {
    property: name,
    recipe: d.counterexample?.[0],
    error: error.split("\n")[0]!,
    note: `found by npm run fuzz -- --seed ${seed} after ${d.numRuns} cases, shrunk ${d.numShrinks} times`,
  };
  const file = join(DIR, `${name}-${seed}.json`);
  writeAtomic(file, JSON.stringify(fixture, null, 2) + "\n");
  process.stdout.write(`FAILED after ${d.numRuns} cases (${secs} s): ${fixture.error}\n  shrunk case written to ${file}\n`);
}
process.exit(failed ? 1 : 0);
