/**
 * Random cells nobody wrote by hand: bodies built from matmuls (with shared and reused weights,
 * plain and transposed), biases, elementwise ops, slices and concatenations over random carries
 * and per-step inputs, run as scans in random modes (lengths, reverse, truncation). The whole
 * pipeline must keep forward outputs and BPTT gradients.
 */
import t from "tap";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { optimizeGraph } from "../../compiler/passes/index.ts";
import { verifyGraph } from "../../compiler/passes/verify.ts";
import { TOL, backward, randomInputs, relativeError } from "./_harness.ts";
import { randomCell } from "./_random.ts";

t.test("random cells through the whole pipeline", async (t) => {
  for (let seed = 1; seed <= Number(process.env.RANDOM_CELLS ?? 60); seed++) {
    const { graph, mode, text } = randomCell(seed);
    const ins = randomInputs(graph, mode, seed);
    const bw = backward(graph, ins, seed);
    for (const [dir, g, inputs] of [["forward", graph, ins], ["backward", bw.graph, bw.inputs]] as const) {
      const after = optimizeGraph(g);
      verifyGraph(after);
      const err = relativeError(runGraph(after, inputs), runGraph(g, inputs));
      t.ok(err < TOL, `${text}, ${dir}: ${err.toExponential(2)}`);
    }
  }
});
