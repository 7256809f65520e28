import { RnncError } from "../diagnostics.ts";
import { tensor } from "../interp/tensor.ts";
import type { Tensor } from "../interp/tensor.ts";
import type { DType } from "../ir/types.ts";
import { numel } from "../ir/types.ts";
import { readJsonFile, validateDocument } from "./schema.ts";

interface TensorJson { shape: number[]; data: unknown[]; dtype?: DType }

/** `{ name: {shape, data} }` → tensors. `data` may be flat or nested (row-major); nesting must match the shape. */
export function tensorsFromJson(map: Record<string, unknown>, file: string, section = ""): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, v] of Object.entries(map)) {
    if (name === "$schema") continue;
    const t = v as TensorJson;
    const where = `${file}: ${section}${name}`;
    const flat: number[] = [];
    const nested = t.data.some((x) => Array.isArray(x));
    if (nested) checkNesting(t.data, t.shape, 0, where, flat);
    else for (const x of t.data) flat.push(x as number);
    if (flat.length !== numel(t.shape)) {
      throw new RnncError(`${where}: shape [${t.shape.join(", ")}] holds ${numel(t.shape)} values, but data has ${flat.length}`);
    }
    const bad = flat.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new RnncError(`${where}: data[${bad}] is not a finite number`);
    out.set(name, tensor(t.shape, flat, t.dtype ?? "f32"));
  }
  return out;
}

function checkNesting(data: unknown[], shape: number[], depth: number, where: string, flat: number[]): void {
  if (depth >= shape.length) throw new RnncError(`${where}: data is nested deeper than its shape [${shape.join(", ")}]`);
  if (data.length !== shape[depth]) {
    throw new RnncError(`${where}: data has ${data.length} entries at depth ${depth}, but shape [${shape.join(", ")}] says ${shape[depth]}`);
  }
  for (const x of data) {
    if (Array.isArray(x)) checkNesting(x, shape, depth + 1, where, flat);
    else if (depth !== shape.length - 1) throw new RnncError(`${where}: data is nested less deeply than its shape [${shape.join(", ")}]`);
    else flat.push(x as number);
  }
}

export interface TensorFile {
  tensors: Map<string, Tensor>;
  outputs: Map<string, Tensor>;
  final: Map<string, Tensor>;
  loss?: number;
}

/** Reads a tensors file: a plain map of tensors, or the {outputs, final, grads, loss} wrapper. */
export function readTensorFile(file: string): TensorFile {
  const doc = readJsonFile(file);
  validateDocument(doc, "tensors", file);
  const d = doc as Record<string, unknown>;
  const isWrapper = ["outputs", "final", "grads", "loss"].some((k) => k in d);
  if (!isWrapper) return { tensors: tensorsFromJson(d, file), outputs: new Map(), final: new Map() };
  return {
    tensors: new Map(),
    outputs: tensorsFromJson((d.outputs ?? {}) as Record<string, unknown>, file, "outputs."),
    final: tensorsFromJson((d.final ?? {}) as Record<string, unknown>, file, "final."),
    ...(typeof d.loss === "number" ? { loss: d.loss } : {}),
  };
}

export function tensorToJson(t: Tensor): { shape: number[]; dtype?: DType; data: number[] } {
  const data = Array.from(t.data);
  return t.dtype === "i32" ? { shape: t.shape, dtype: "i32", data } : { shape: t.shape, data };
}
