import fc from "fast-check";
import { modelRecipe, programOf, inputsFor, describeRecipe } from "../test/property/_gen.ts";
import { gradCheck } from "../compiler/autodiff/gradcheck.ts";
const samples = fc.sample(modelRecipe({truncate:false, exclude:["stop_gradient"]}), {numRuns: 300, seed: 2});
let t0 = performance.now();
for (const m of samples) {
    const p = programOf(m);
    const ins = inputsFor(p.graph, m);
    const wrt = p.graph.inputs.filter((v) => p.graph.types.get(v)!.dtype === "f32");
    const r = gradCheck(p.graph, ins, wrt);
    if (!(r.maxRelError < 1e-5)) { console.log("grad", r.maxRelError, describeRecipe(m), JSON.stringify(m)); for (const e of r.errors) if (!(e.relError<1e-5)) console.log(e.name, e.relError, Array.from(e.analytic).slice(0,6), Array.from(e.numeric).slice(0,6)); }
}
console.log("ms", performance.now() - t0);
