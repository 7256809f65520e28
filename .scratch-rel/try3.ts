import fc from "fast-check";
import { modelRecipe } from "../test/property/_gen.ts";
import { checkGradients, hitsKnownBug } from "../test/property/_props.ts";
const t0 = performance.now();
const r = fc.check(fc.property(modelRecipe({truncate:false, exclude:["stop_gradient"]}), (m) => { fc.pre(!hitsKnownBug(m)); checkGradients(m); }), {numRuns: 400, seed: Number(process.argv[2] ?? 2)});
console.log(r.failed, r.numRuns, r.numSkips, performance.now()-t0, JSON.stringify(r.counterexample), r.errorInstance && String(r.errorInstance).slice(0,500));
