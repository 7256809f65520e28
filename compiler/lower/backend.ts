import { RnncError } from "../diagnostics.ts";
import type { Backend } from "../eval.ts";
import { tensor } from "../interp/tensor.ts";
import type { Tensor } from "../interp/tensor.ts";
import type { Graph } from "../ir/types.ts";
import { compileGraph } from "./compile.ts";
import type { GraphModule } from "./compile.ts";
import { evalPoly } from "./memory.ts";

const PAGE = 65536;

/** Runs a compiled graph module on tensors (f32 in WebAssembly; results returned as f64 tensors). */
export async function runGraphModule(gm: GraphModule, inputs: Tensor[]): Promise<Tensor[]> {
  const instance = await instantiate(gm.wasm);
  return runInstance(gm, instance, inputs);
}

export function runInstance(gm: GraphModule, instance: WebAssembly.Instance, inputs: Tensor[]): Tensor[] {
  const memory = instance.exports.memory as WebAssembly.Memory;
  const run = instance.exports.run as (B: number, T: number) => void;
  const dims: { B?: number; T?: number } = {};
  gm.inputs.forEach((spec, i) => spec.type.shape.forEach((d, k) => { if (typeof d === "string") dims[d] ??= inputs[i]!.shape[k]; }));
  const B = dims.B ?? 1, T = dims.T ?? 1;
  const need = evalPoly(gm.memoryBytes, B, T);
  if (need > 65536 * PAGE) throw new RnncError(`B=${B}, T=${T} needs ${need} bytes, beyond WebAssembly's 4 GiB limit`);
  const have = memory.buffer.byteLength;
  if (need > have) memory.grow(Math.ceil((need - have) / PAGE));
  gm.inputs.forEach((spec, i) => {
    const t = inputs[i]!;
    const off = evalPoly(spec.offset, B, T);
    if (spec.type.dtype === "i32") new Int32Array(memory.buffer, off, t.data.length).set(t.data);
    else new Float32Array(memory.buffer, off, t.data.length).set(t.data);
  });
  run(B, T);
  return gm.outputs.map((spec) => {
    const shape = spec.type.shape.map((d) => (d === "B" ? B : d === "T" ? T : d));
    const n = shape.reduce((a, b) => a * b, 1);
    const off = evalPoly(spec.offset, B, T);
    const data = spec.type.dtype === "i32" ? new Int32Array(memory.buffer, off, n) : new Float32Array(memory.buffer, off, n);
    return tensor(shape, data, spec.type.dtype);
  });
}

/** The `wasm` backend of rnnc eval: compiles each graph once (cached by identity), runs it in f32. */
export function wasmBackend(opts: { optimize?: number } = {}): Backend {
  const cache = new WeakMap<Graph, Promise<{ gm: GraphModule; instance: WebAssembly.Instance }>>();
  return {
    name: "wasm",
    async run(g, inputs) {
      let entry = cache.get(g);
      if (!entry) {
        entry = compileGraph(g, opts).then(async (gm) => ({ gm, instance: await instantiate(gm.wasm) }));
        cache.set(g, entry);
      }
      const { gm, instance } = await entry;
      return runInstance(gm, instance, inputs);
    },
  };
}

async function instantiate(wasm: Uint8Array): Promise<WebAssembly.Instance> {
  const mod = await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  return WebAssembly.instantiate(mod, {});
}
