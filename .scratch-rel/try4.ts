import fc from "fast-check";
import { modelRecipe } from "../test/property/_gen.ts";
import { checkPasses, checkRoundTrip } from "../test/property/_props.ts";
const which = process.argv[3] ?? "passes";
const t0 = performance.now();
const r = fc.check(fc.property(modelRecipe(), (m) => { which === "passes" ? checkPasses(m) : checkRoundTrip(m); }), {numRuns: Number(process.argv[4] ?? 200), seed: Number(process.argv[2] ?? 2)});
console.log(r.failed, r.numRuns, performance.now()-t0, JSON.stringify(r.counterexample), r.errorInstance && String(r.errorInstance).slice(0,1500));
