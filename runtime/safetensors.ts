/**
 * safetensors: an 8-byte little-endian header length, a JSON header
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { string: string } }`,
 * then the raw little-endian data. rnnc adds a CRC-32 of the data to the metadata so that a
 * truncated or corrupted file is detected on load.
 */
import { RnncRuntimeError } from "./errors.ts";

export interface SafeTensor {
  dtype: "F32" | "I32";
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface SafeTensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function encodeSafetensors(tensors: Map<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const bytes = t.data.length * 4;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const view = new DataView(data.buffer, at, t.data.length * 4);
    for (let i = 0; i < t.data.length; i++) {
      if (t.dtype === "F32") view.setFloat32(i * 4, t.data[i]!, true);
      else view.setInt32(i * 4, t.data[i]!, true);
    }
    at += t.data.length * 4;
  }
  header.__metadata__ = { ...metadata, "rnnc.crc32": String(crc32(data)) };
  let json = JSON.stringify(header);
  while ((json.length + 8) % 8 !== 0) json += " "; // align the data section to 8 bytes
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

/** Parses a safetensors file; `source` names it in errors. F32 and I32 are read; others are refused. */
export function decodeSafetensors(bytes: Uint8Array, source = "safetensors"): SafeTensorsFile {
  const fail = (why: string): never => {
    throw new RnncRuntimeError(`${source}: not a valid safetensors file (${why})`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes, shorter than its 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) fail(`the header claims ${n} bytes but the file has ${bytes.length - 8} after the length: truncated?`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch {
    return fail("its header is not JSON");
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) fail("its header is not a JSON object");
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const meta = header.__metadata__;
  if (meta !== undefined) {
    if (!meta || typeof meta !== "object") fail("__metadata__ is not an object");
    for (const [k, v] of Object.entries(meta as object)) {
      if (typeof v !== "string") fail(`metadata ${k} is not a string`);
      metadata[k] = v as string;
    }
  }
  const tensors = new Map<string, SafeTensor>();
  let end = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e.dtype !== "F32" && e.dtype !== "I32") fail(`tensor ${name} has dtype ${JSON.stringify(e.dtype)}; rnnc reads F32 and I32`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor ${name} has a bad shape`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isInteger(o) && o >= 0)) fail(`tensor ${name} has bad data_offsets`);
    const [b, f] = off as [number, number];
    const count = (e.shape as number[]).reduce((a, d) => a * d, 1);
    if (f - b !== count * 4 || f > data.length) fail(`tensor ${name}'s data [${b}, ${f}) does not match its shape or lies past the end of the file`);
    end = Math.max(end, f);
    const dv = new DataView(data.buffer, data.byteOffset + b, f - b);
    const arr = e.dtype === "F32" ? new Float32Array(count) : new Int32Array(count);
    for (let i = 0; i < count; i++) arr[i] = e.dtype === "F32" ? dv.getFloat32(i * 4, true) : dv.getInt32(i * 4, true);
    tensors.set(name, { dtype: e.dtype as "F32" | "I32", shape: e.shape as number[], data: arr });
  }
  const crc = metadata["rnnc.crc32"];
  if (crc !== undefined && String(crc32(data)) !== crc) fail("its data does not match its checksum: corrupted");
  return { tensors, metadata };
}
