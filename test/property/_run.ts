/**
 * Runs one property through fast-check inside a tap test (not a test file itself). The seed is
 * fixed so the default run is reproducible; PROPERTY_SEED and PROPERTY_RUNS override it (longer
 * runs, with shrinking and regression fixtures: `npm run fuzz`, scripts/fuzz.ts).
 */
import fc from "fast-check";
import type { Test } from "tap";
import { PROPERTIES } from "./_props.ts";
import type { PropertyName } from "./_props.ts";

export const DEFAULT_SEED = 20250611;

export async function runProperty(t: Test, name: PropertyName): Promise<void> {
  const p = PROPERTIES[name];
  const seed = Number(process.env.PROPERTY_SEED ?? DEFAULT_SEED);
  const runs = Number(process.env.PROPERTY_RUNS ?? p.runs);
  const check = p.check as (r: unknown) => void | Promise<void>;
  const details = await fc.check(fc.asyncProperty(p.arbitrary as fc.Arbitrary<unknown>, async (r) => { await check(r); }), { numRuns: runs, seed });
  if (details.failed) {
    const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    t.fail(`${name}: ${p.summary} — fails for seed ${seed} after ${details.numRuns} cases and ${details.numShrinks} shrinks; ` +
      `the shrunk case: ${JSON.stringify(details.counterexample?.[0])}\n${error}\n` +
      `(npm run fuzz -- --property ${name} --seed ${seed} writes it as a regression fixture)`);
    return;
  }
  t.equal(details.numRuns, runs, `${name}: ${p.summary}: ${runs} random cases (${runs * p.graphsPerCase} graphs at most), seed ${seed}`);
  t.equal(details.numSkips, 0, `${name}: no generated case was skipped`);
}
