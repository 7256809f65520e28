import { loadAnyProgram as loadProgram } from "../frontend/load.ts";
import { formatShape } from "../ir/types.ts";
import { onePositional, parse, parseDims } from "./args.ts";
import type { Command } from "./command.ts";

export const check: Command = {
  summary: "validate a cell or model file and print its signature",
  help: `usage: rnnc check FILE [--dims I=4,H=5] [--quiet]

Validates FILE (a cell or model, JSON) against its schema, resolves every name, infers every
shape, and prints the parameters, inputs, states and outputs. Exits 1 with one line per problem.`,
  async run(argv) {
    const { values, positionals } = parse("check", argv, { dims: { type: "string" }, quiet: { type: "boolean", short: "q" } });
    const file = onePositional("check", positionals);
    const p = loadProgram(file, parseDims(values.dims));
    if (values.quiet) return 0;
    const t = (n: string) => p.graph.types.get(n)!;
    const lines = [`${file}: ok — ${p.kind} ${p.name} (${Object.entries(p.sizes).map(([k, v]) => `${k}=${v}`).join(", ") || "no sizes"})`];
    lines.push(`  params:  ${p.params.map((x) => `${x.name} ${formatShape(x.shape)}`).join(", ") || "none"}`);
    lines.push(`  inputs:  ${p.inputs.map((x) => `${x.name} ${x.type.dtype}${formatShape(x.type.shape)}`).join(", ") || "none"}`);
    lines.push(`  states:  ${p.states.map((x) => `${x.name} ${formatShape(x.type.shape)}`).join(", ") || "none"}`);
    lines.push(`  outputs: ${p.outputs.map((x) => `${x.name} ${formatShape(t(x.value).shape)}`).join(", ") || "none"}`);
    if (p.loss) lines.push(`  loss:    scalar`);
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};
