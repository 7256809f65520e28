/**
 * The few WebAssembly JS-API members the runtime uses, typed locally so the runtime compiles
 * without the DOM lib and depends on nothing but the standard global `WebAssembly`.
 */
import { RnncRuntimeError } from "./errors.ts";

/** A `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/** A compiled `WebAssembly.Module` (opaque). */
export type WasmModule = object;

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmImportDescriptor {
  readonly module: string;
  readonly name: string;
  readonly kind: string;
}

interface WasmApi {
  readonly Module: {
    new (bytes: ArrayBuffer | ArrayBufferView): WasmModule;
    imports(module: WasmModule): WasmImportDescriptor[];
    customSections(module: WasmModule, name: string): ArrayBuffer[];
  };
  readonly Memory: abstract new (...args: never[]) => WasmMemory;
  readonly RuntimeError: abstract new (...args: never[]) => Error;
  compile(bytes: ArrayBuffer | ArrayBufferView): Promise<WasmModule>;
  validate(bytes: ArrayBuffer | ArrayBufferView): boolean;
  instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
}

/** The global `WebAssembly` object, or a clear error where there is none. */
export function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) throw new RnncRuntimeError("this JavaScript environment has no WebAssembly support");
  return api;
}

/** Bytes per WebAssembly page. */
export const PAGE_BYTES = 65536;
/** The most pages a (32-bit) WebAssembly memory can have: 4 GiB. */
export const MAX_PAGES = 65536;
export const MAX_BYTES = PAGE_BYTES * MAX_PAGES;
