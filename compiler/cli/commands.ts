import { check } from "./check.ts";
import type { Command } from "./command.ts";
import { evalCommand } from "./eval.ts";
import { gradcheckCommand } from "./gradcheck.ts";

/** Every subcommand, in the order `rnnc --help` lists them. */
export const commands: Record<string, Command> = {
  check,
  eval: evalCommand,
  gradcheck: gradcheckCommand,
};
