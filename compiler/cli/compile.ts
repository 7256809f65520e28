import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { RnncError } from "../diagnostics.ts";
import { loadAnyProgram as loadProgram } from "../frontend/load.ts";
import { compileProgram } from "../lower/compile.ts";
import { onePositional, parse, parseDims } from "./args.ts";
import type { Command } from "./command.ts";
import { writeFileAtomic } from "./files.ts";
import { writeBindings } from "../dsl/bindings.ts";

export function optimizeLevel(v: string | undefined): number {
  if (v === undefined) return 3;
  if (!/^[0-3]$/.test(v)) throw new RnncError(`-O: expected a level 0 to 3 (-O0 … -O3), got "-O${v}"`);
  return Number(v);
}

export function passLevel(v: string | undefined): 0 | 1 | 2 {
  if (v === undefined) return 2;
  if (!/^[0-2]$/.test(v)) throw new RnncError(`--passes: expected 0 (none), 1 (clean-ups) or 2 (all), got "${v}"`);
  return Number(v) as 0 | 1 | 2;
}

export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new RnncError(`${dir}: cannot create the output folder (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (!statSync(dir).isDirectory()) throw new RnncError(`${dir}: not a folder`);
}

export const compileCommand: Command = {
  summary: "compile a cell or model to model.wasm + model.manifest.json",
  help: `usage: rnnc compile FILE [--dims I=4,H=5] [-O0|-O1|-O2|-O3] [--passes 0|1|2] [--wat] [--emit-ts] [--relaxed-simd] -o DIR

Compiles FILE's forward pass, its BPTT backward pass and a streaming step into one WebAssembly
module. Writes DIR/model.wasm and DIR/model.manifest.json (and DIR/model.wat with --wat;
DIR/model.ts and DIR/model.d.ts, typed bindings over the runtime, with --emit-ts).
B and T are run-time arguments: one module serves any batch size and sequence length.
Default -O3 (Binaryen's optimizer) and --passes 2 (every IR pass of docs/passes.md before
lowering; 1 runs only the clean-ups, 0 none). The module is always validated. See docs/manifest.md.

--relaxed-simd  emit the GEMM kernels' multiply-adds as relaxed SIMD's f32x4.relaxed_madd (fused
                where the CPU has FMA: faster training). The module then needs relaxed SIMD —
                Node ≥ 21, or Node 20 with --experimental-wasm-relaxed-simd (the runtime's
                enableRelaxedSimd() sets it); not Safari — and its manifest says
                "features": ["relaxed-simd"]. Results may differ in the last bits between
                machines. Off by default: the module runs everywhere. See docs/design-choices.md.`,
  async run(argv) {
    const { values, positionals } = parse("compile", argv, {
      dims: { type: "string" }, O: { type: "string", short: "O" }, passes: { type: "string" }, wat: { type: "boolean" }, "emit-ts": { type: "boolean" }, out: { type: "string", short: "o" },
      "relaxed-simd": { type: "boolean" },
    });
    const file = onePositional("compile", positionals);
    if (!values.out) throw new RnncError(`compile: missing -o DIR (the output folder)`);
    const level = optimizeLevel(values.O);
    const passes = passLevel(values.passes);
    const p = loadProgram(file, parseDims(values.dims));
    const started = Date.now();
    const relaxedSimd = values["relaxed-simd"] ?? false;
    process.stderr.write(`compiling ${p.name} (-O${level}, passes ${passes}${relaxedSimd ? ", relaxed SIMD" : ""})…\n`);
    const res = await compileProgram(p, { optimize: level, passes, wat: values.wat ?? false, ...(relaxedSimd ? { relaxedSimd } : {}) });
    ensureDir(values.out);
    writeFileAtomic(join(values.out, "model.wasm"), res.wasm);
    writeFileAtomic(join(values.out, "model.manifest.json"), JSON.stringify(res.manifest, null, 2) + "\n");
    if (res.wat !== undefined) writeFileAtomic(join(values.out, "model.wat"), res.wat);
    if (values["emit-ts"]) writeBindings(values.out, file, res.manifest);
    process.stdout.write(`${join(values.out, "model.wasm")}: ${res.wasm.length} bytes (${Date.now() - started} ms)\n`);
    return 0;
  },
};
