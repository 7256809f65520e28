import fc from "fast-check";
import { modelRecipe, programOf, inputsFor, describeRecipe } from "../test/property/_gen.ts";
import { runGraph } from "../compiler/interp/interpreter.ts";
import { gradCheck } from "../compiler/autodiff/gradcheck.ts";
const samples = fc.sample(modelRecipe({truncate:false}), {numRuns: 200, seed: 1});
let fails = 0; let t0 = performance.now(); let worst = 0;
for (const m of samples) {
  try {
    const p = programOf(m);
    const ins = inputsFor(p.graph, m);
    runGraph(p.graph, ins);
    const wrt = p.graph.inputs.filter((v) => p.graph.types.get(v)!.dtype === "f32");
    const r = gradCheck(p.graph, ins, wrt);
    worst = Math.max(worst, r.maxRelError);
    if (r.maxRelError > 1e-5) console.log("grad", r.maxRelError, describeRecipe(m));
  } catch (e) { fails++; if (fails < 5) console.log(describeRecipe(m), (e as Error).message); }
}
console.log("fails", fails, "ms", performance.now() - t0, "worst", worst);
