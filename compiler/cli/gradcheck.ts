import { gradCheck, rng } from "../autodiff/gradcheck.ts";
import { RnncError } from "../diagnostics.ts";
import { bindInputs } from "../eval.ts";
import { loadAnyProgram as loadProgram } from "../frontend/load.ts";
import { readTensorFile } from "../frontend/tensors.ts";
import { tensor } from "../interp/tensor.ts";
import { onePositional, parse, parseDims } from "./args.ts";
import type { Command } from "./command.ts";

export const gradcheckCommand: Command = {
  summary: "check BPTT gradients against finite differences (f64 interpreter)",
  help: `usage: rnnc gradcheck FILE [--dims I=3,H=4] [--batch 2] [--seq 6] [--seed 1] [--tensors IN.json] [--tol 1e-6]

Builds the VJP graph of FILE and compares every gradient (parameters, inputs, initial states)
with central finite differences in f64, on random inputs (or IN.json). Exits 1 if any relative
error exceeds --tol.`,
  async run(argv) {
    const { values, positionals } = parse("gradcheck", argv, {
      dims: { type: "string" }, batch: { type: "string" }, seq: { type: "string" }, seed: { type: "string" },
      tensors: { type: "string" }, tol: { type: "string" },
    });
    const file = onePositional("gradcheck", positionals);
    const p = loadProgram(file, parseDims(values.dims));
    const num = (s: string | undefined, d: number, what: string) => {
      if (s === undefined) return d;
      const v = Number(s);
      if (!Number.isFinite(v) || v <= 0) throw new RnncError(`gradcheck: --${what} must be a positive number, got "${s}"`);
      return v;
    };
    const B = num(values.batch, 2, "batch"), T = num(values.seq, 6, "seq"), tol = num(values.tol, 1e-6, "tol");
    const seed = num(values.seed, 1, "seed");
    const r = rng(seed);
    const given = values.tensors ? readTensorFile(values.tensors).tensors : new Map();
    for (const name of p.graph.inputs) {
      if (given.has(name)) continue;
      const t = p.graph.types.get(name)!;
      const shape = t.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      const limit = name === "lengths" ? T : 3;
      given.set(name, tensor(shape, Array.from({ length: n }, () => (t.dtype === "i32" ? Math.floor(r() * limit) : r() - 0.5)), t.dtype));
    }
    const inputs = bindInputs(p, given, values.tensors ?? "random inputs");
    const wrt = p.graph.inputs.filter((n) => p.graph.types.get(n)!.dtype === "f32");
    const res = gradCheck(p.graph, inputs, wrt, { seed });
    for (const e of res.errors) process.stdout.write(`${e.relError <= tol ? "ok  " : "FAIL"} ${e.name.padEnd(16)} rel. error ${e.relError.toExponential(2)}\n`);
    process.stdout.write(`max rel. error ${res.maxRelError.toExponential(2)} (tolerance ${tol})\n`);
    const cut = p.graph.nodes.flatMap((n) => (n.op === "scan" && typeof n.attrs.truncate === "number" && n.attrs.truncate < T ? [n.attrs.truncate] : []));
    if (cut.length > 0) {
      process.stdout.write(`note: truncated BPTT (truncate: ${Math.min(...cut)}) is shorter than --seq ${T}: those gradients are truncated on purpose and differ from finite differences; use --seq ${Math.min(...cut)} to check them\n`);
    }
    return res.maxRelError <= tol ? 0 : 1;
  },
};
