import { readFileSync } from "node:fs";
import { RnncError } from "../diagnostics.ts";
import { writeFileAtomic } from "../cli/files.ts";
import { decodeSafetensors, encodeSafetensors } from "../../runtime/safetensors.ts";
import type { SafeTensor } from "../../runtime/safetensors.ts";
import type { OptimizerSlots } from "../../runtime/train.ts";

/** What a checkpoint holds besides parameters: enough to resume bit-identically. */
export interface CheckpointMeta {
  graphHash: string;
  step: number;
  /** The training configuration and sizes the model was compiled with. */
  config: unknown;
  /** Free-form, JSON-serializable training state: vocabulary, data position, RNG states, history. */
  extra: Record<string, unknown>;
}

export interface Checkpoint {
  meta: CheckpointMeta;
  params: Map<string, Float32Array>;
  /** Per parameter: the optimizer's moments and, when training averaged the weights, their average. */
  optimizer: Map<string, OptimizerSlots>;
  states: Map<string, Float32Array>;
}

const FORMAT = "rnnc-checkpoint-1";

export function encodeCheckpoint(c: Checkpoint): Uint8Array {
  const tensors = new Map<string, SafeTensor>();
  const f32 = (data: Float32Array): SafeTensor => ({ dtype: "F32", shape: [data.length], data });
  for (const [k, v] of c.params) tensors.set(k, f32(v));
  for (const [k, v] of c.optimizer) {
    tensors.set(`optimizer.m.${k}`, f32(v.m));
    tensors.set(`optimizer.v.${k}`, f32(v.v));
    if (v.average) tensors.set(`optimizer.average.${k}`, f32(v.average));
  }
  for (const [k, v] of c.states) tensors.set(`state.${k}`, f32(v));
  return encodeSafetensors(tensors, {
    "rnnc.format": FORMAT,
    "rnnc.graphHash": c.meta.graphHash,
    "rnnc.step": String(c.meta.step),
    "rnnc.config": JSON.stringify(c.meta.config),
    "rnnc.extra": JSON.stringify(c.meta.extra),
  });
}

/** Writes a checkpoint atomically: the previous file stays intact until the new one is complete. */
export function saveCheckpoint(path: string, c: Checkpoint): void {
  writeFileAtomic(path, encodeCheckpoint(c));
}

export function loadCheckpoint(path: string): Checkpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new RnncError(`${path}: cannot read the checkpoint (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let file;
  try {
    file = decodeSafetensors(bytes, path);
  } catch (e) {
    throw new RnncError((e as Error).message);
  }
  const md = file.metadata;
  if (md["rnnc.format"] !== FORMAT) throw new RnncError(`${path}: not an rnnc checkpoint (no rnnc.format ${FORMAT} in its metadata)`);
  let config: unknown, extra: Record<string, unknown>;
  try {
    config = JSON.parse(md["rnnc.config"] ?? "null");
    extra = JSON.parse(md["rnnc.extra"] ?? "{}") as Record<string, unknown>;
  } catch {
    throw new RnncError(`${path}: its rnnc metadata is not valid JSON: corrupted`);
  }
  const params = new Map<string, Float32Array>(), states = new Map<string, Float32Array>();
  const optimizer = new Map<string, OptimizerSlots>();
  for (const [k, t] of file.tensors) {
    const data = t.data as Float32Array;
    const slotName = /^optimizer\.(m|v|average)\./.exec(k)?.[1] as "m" | "v" | "average" | undefined;
    if (slotName) {
      const name = k.slice(`optimizer.${slotName}.`.length);
      const slot = optimizer.get(name) ?? { m: new Float32Array(), v: new Float32Array() };
      slot[slotName] = data;
      optimizer.set(name, slot);
    } else if (k.startsWith("state.")) states.set(k.slice(6), data);
    else params.set(k, data);
  }
  return {
    meta: { graphHash: md["rnnc.graphHash"] ?? "", step: Number(md["rnnc.step"] ?? 0), config, extra },
    params, optimizer, states,
  };
}

/**
 * Weights saved by another tool as safetensors, by name: F32 tensors whose names match
 * parameters (optionally after `rename`) and whose element counts agree.
 */
export function importWeights(path: string, params: Record<string, number>, rename: (n: string) => string = (n) => n): Map<string, Float32Array> {
  let file;
  try {
    file = decodeSafetensors(readFileSync(path), path);
  } catch (e) {
    throw new RnncError(e instanceof RnncError ? e.message : `${path}: ${(e as Error).message}`);
  }
  const out = new Map<string, Float32Array>();
  for (const [k, t] of file.tensors) {
    const name = rename(k);
    if (!(name in params)) continue;
    if (t.dtype !== "F32") throw new RnncError(`${path}: tensor ${k} is ${t.dtype}; parameters are F32`);
    if (t.data.length !== params[name]) throw new RnncError(`${path}: tensor ${k} has ${t.data.length} values, parameter ${name} needs ${params[name]}`);
    out.set(name, t.data as Float32Array);
  }
  return out;
}
