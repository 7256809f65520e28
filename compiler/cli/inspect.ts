import { vjpGraph } from "../autodiff/vjp.ts";
import { RnncError } from "../diagnostics.ts";
import { suggest } from "../frontend/equations.ts";
import { loadAnyProgram as loadProgram } from "../frontend/load.ts";
import type { Program, SizeOverrides } from "../frontend/program.ts";
import { printGraph } from "../ir/print.ts";
import type { Graph } from "../ir/types.ts";
import { formatCost, graphCost } from "../passes/cost.ts";
import { optimizeGraph, passNames } from "../passes/index.ts";
import { onePositional, parse, parseDims } from "./args.ts";
import type { Command } from "./command.ts";

const STAGES = ["frontend", "autodiff", ...passNames, "all"];

async function load(file: string, dims: SizeOverrides): Promise<Program> {
  if (/\.[mc]?ts$/.test(file)) return (await import("../frontend/load.ts")).loadAnyProgram(file, dims);
  return loadProgram(file, dims);
}

export const inspectCommand: Command = {
  summary: "print the IR after a stage: frontend, autodiff or an optimization pass",
  help: `usage: rnnc inspect FILE [--dims I=4,H=5] [--stage NAME] [--backward] [--stats]

Prints the graph IR of FILE after one stage of the pipeline — one line per node
(%v = op(a, b) {attrs} : f32[B, 8]), scan bodies indented under their scan:
  frontend   the forward graph as the frontend builds it (the default)
  autodiff   forward and backward (BPTT): the VJP w.r.t. every f32 input
${passNames.map((n) => `  ${n}`).join("\n")}
             the graph after that pass (and every pass before it, in this order)
  all        every stage in turn, each after a "# stage NAME" line
The passes run on the forward graph, or with --backward on the autodiff graph.
--stats adds, per stage, the matmuls each loop runs per step and the FLOPs (at B = 1) that
stay inside loops or run once over whole sequences (docs/passes.md).`,
  async run(argv) {
    const { values, positionals } = parse("inspect", argv, {
      dims: { type: "string" }, stage: { type: "string" }, backward: { type: "boolean" }, stats: { type: "boolean" },
    });
    const file = onePositional("inspect", positionals);
    const stage = values.stage ?? "frontend";
    if (!STAGES.includes(stage)) {
      throw new RnncError(`inspect: --stage: unknown stage "${stage}"${suggest(stage, STAGES)} (stages: ${STAGES.join(", ")})`);
    }
    const p = await load(file, parseDims(values.dims));
    const sections: [string, Graph][] = [["frontend", p.graph]];
    if (stage !== "frontend") {
      let g = p.graph;
      if (values.backward || stage === "autodiff") {
        const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
        g = vjpGraph(g, wrt).graph;
        sections.push(["autodiff", g]);
      }
      if (stage !== "autodiff") optimizeGraph(g, 2, (s, gg) => sections.push([s, gg]));
    }
    const show = stage === "all" ? sections : sections.filter(([s]) => s === stage);
    const text = show.map(([s, g]) => {
      const head = stage === "all" ? `# stage ${s}\n` : "";
      return head + printGraph(g) + (values.stats ? `# stats\n${formatCost(graphCost(g))}` : "");
    });
    process.stdout.write(text.join("\n"));
    return 0;
  },
};
