import fc from "fast-check";
import { modelRecipe } from "../test/property/_gen.ts";
import { wasmBatch, compareOutputs, hitsKnownBug } from "../test/property/_props.ts";
import { compileGraph } from "../compiler/lower/compile.ts";
import { runPoisoned } from "../test/lower/_wasm.ts";
import { runGraph } from "../compiler/interp/interpreter.ts";
const t0 = performance.now();
const batches = fc.sample(fc.array(modelRecipe({B: 2, T: 4}), {minLength: 8, maxLength: 8}), {numRuns: 6, seed: Number(process.argv[2] ?? 1)});
for (const ms of batches) {
  const mm = ms.map((m) => hitsKnownBug(m) ? { ...m, lengths: false } : m);
  const { graph, inputs, labels } = wasmBatch(mm);
  const t1 = performance.now();
  const gm = await compileGraph(graph, { optimize: 1 });
  const t2 = performance.now();
  const want = runGraph(graph, inputs);
  const got = await runPoisoned(gm, inputs);
  console.log("compile ms", (t2 - t1).toFixed(0), "bytes", gm.wasm.length, "nodes", graph.nodes.length, got.violations, compareOutputs(got.outs, want, labels).slice(0, 5));
}
console.log("total", performance.now() - t0);
