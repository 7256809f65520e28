import { RnncError } from "../diagnostics.ts";
import { convertCell, isTsCellFile } from "../dsl/convert.ts";
import { onePositional, parse } from "./args.ts";
import type { Command } from "./command.ts";
import { writeFileAtomic } from "./files.ts";

export const convertCommand: Command = {
  summary: "convert a cell between JSON and TypeScript (*.cell.ts)",
  help: `usage: rnnc convert FILE [--to ts|json] [-o OUT]

Converts a cell file to the other form: JSON → a TypeScript cell (import { cell, ... } from
"rnnc/dsl"), TypeScript → its JSON document. --to defaults to the other form of FILE. Writes
to OUT, or to standard output. Both forms give the same IR; the file is checked first (the
TypeScript one statically: it is never run). See docs/dsl.md.`,
  async run(argv) {
    const { values, positionals } = parse("convert", argv, { to: { type: "string" }, out: { type: "string", short: "o" } });
    const file = onePositional("convert", positionals);
    const to = values.to ?? (isTsCellFile(file) ? "json" : "ts");
    if (to !== "ts" && to !== "json") throw new RnncError(`convert: --to must be ts or json, got "${to}"`);
    const text = convertCell(file, to);
    if (values.out) writeFileAtomic(values.out, text);
    else process.stdout.write(text);
    return 0;
  },
};
