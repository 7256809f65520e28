import { check } from "./check.ts";
import { compileCommand } from "./compile.ts";
import type { Command } from "./command.ts";
import { evalCommand } from "./eval.ts";
import { gradcheckCommand } from "./gradcheck.ts";
import { sampleCommand, trainCommand } from "./train.ts";

/** Every subcommand, in the order `rnnc --help` lists them. */
export const commands: Record<string, Command> = {
  check,
  compile: compileCommand,
  eval: evalCommand,
  gradcheck: gradcheckCommand,
  train: trainCommand,
  sample: sampleCommand,
  convert: (await import("./convert.ts")).convertCommand,
  inspect: (await import("./inspect.ts")).inspectCommand,
  bench: (await import("./bench.ts")).benchCommand,
};
