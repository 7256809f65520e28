import { RnncError } from "../diagnostics.ts";
import { commands } from "./commands.ts";

const USAGE = `rnnc — a compiler for recurrent neural networks

usage: rnnc <command> [options]

commands:
${Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`).join("\n")}

Run 'rnnc <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE + "\n");
    return name ? 0 : 1;
  }
  const cmd = commands[name];
  if (!cmd) {
    process.stderr.write(`rnnc: unknown command "${name}"\n\n${USAGE}\n`);
    return 1;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(cmd.help + "\n");
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof RnncError) {
      process.stderr.write(e.problems.map((p) => `rnnc: ${p}`).join("\n") + "\n");
      return 1;
    }
    const err = e as Error;
    process.stderr.write(`rnnc: internal error: ${err?.message ?? String(e)}\n(this is a bug in rnnc; RNNC_DEBUG=1 shows where)\n`);
    if (process.env.RNNC_DEBUG) process.stderr.write(`${err?.stack}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
