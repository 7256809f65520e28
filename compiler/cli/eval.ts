import { RnncError } from "../diagnostics.ts";
import { evaluate, interpreterBackend } from "../eval.ts";
import type { Backend, EvalResult } from "../eval.ts";
import { loadAnyProgram as loadProgram } from "../frontend/load.ts";
import { readTensorFile, tensorToJson } from "../frontend/tensors.ts";
import { onePositional, parse, parseDims } from "./args.ts";
import type { Command } from "./command.ts";
import { writeFileAtomic } from "./files.ts";

export const backends: Record<string, () => Promise<Backend>> = {
  interp: async () => interpreterBackend,
  wasm: async () => (await import("../lower/backend.ts")).wasmBackend(),
};

export const defaultBackend = { name: "wasm" };

export const evalCommand: Command = {
  summary: "run a cell or model on tensors; forward outputs and gradients",
  help: `usage: rnnc eval FILE --tensors IN.json [--dims I=4,H=5] [--vjp COT.json] [--backend wasm|interp] [--out OUT.json]

IN.json maps names to tensors {shape, data}: parameters, inputs (sequences are time-major
[T, B, ...]) and, optionally, initial states (zeros when absent).
For a cell, the cell runs as a scan over the sequence.
OUT.json is {outputs, final, loss?, grads?}. With --vjp, COT.json holds cotangents
{outputs, final} (absent = zero) and grads holds the gradient for every parameter, input and
initial state. A model with a loss reports the loss and its gradients without --vjp.
--backend wasm (default) runs the compiled WebAssembly module in f32; interp runs the f64
reference interpreter.`,
  async run(argv) {
    const { values, positionals } = parse("eval", argv, {
      tensors: { type: "string" }, dims: { type: "string" }, vjp: { type: "string" },
      backend: { type: "string" }, out: { type: "string", short: "o" },
    });
    const file = onePositional("eval", positionals);
    if (!values.tensors) throw new RnncError(`eval: missing --tensors IN.json`);
    const backendName = values.backend ?? defaultBackend.name;
    const make = backends[backendName];
    if (!make) throw new RnncError(`eval: unknown backend "${backendName}" (backends: ${Object.keys(backends).join(", ")})`);
    const p = loadProgram(file, parseDims(values.dims));
    const given = readTensorFile(values.tensors);
    if (given.outputs.size || given.final.size) throw new RnncError(`${values.tensors}: expected a map of named tensors (the inputs), not {outputs, final}`);
    let cotangents;
    if (values.vjp) {
      const c = readTensorFile(values.vjp);
      if (c.tensors.size) throw new RnncError(`${values.vjp}: expected cotangents {outputs, final, loss?}, found plain tensors (${[...c.tensors.keys()].join(", ")})`);
      cotangents = { ...c, file: values.vjp };
    }
    const result = await evaluate(p, given.tensors, { file: values.tensors, backend: await make(), ...(cotangents ? { cotangents } : {}) });
    const text = JSON.stringify(resultToJson(result)) + "\n";
    if (values.out) writeFileAtomic(values.out, text);
    else process.stdout.write(text);
    return 0;
  },
};

export function resultToJson(r: EvalResult): unknown {
  const map = (m: Record<string, import("../interp/tensor.ts").Tensor>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, tensorToJson(v)]));
  return {
    outputs: map(r.outputs),
    final: map(r.final),
    ...(r.loss !== undefined ? { loss: r.loss } : {}),
    ...(r.grads ? { grads: map(r.grads) } : {}),
  };
}

