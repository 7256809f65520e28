/**
 * WebAssembly features beyond rnnc's baseline (SIMD128, bulk memory, …: everything Node 20 and
 * current browsers run) that a module may need, as its manifest's `features` lists them
 * (docs/manifest.md). One so far: `relaxed-simd`, for a module compiled with `--relaxed-simd`
 * (its GEMMs use `f32x4.relaxed_madd`). Browser-safe: Node's `node:v8` is imported only under Node,
 * only when asked to turn the feature on.
 */
import { RnncRuntimeError } from "./errors.ts";
import { wasmApi } from "./wasm.ts";

/** The feature names a manifest may list. */
export const KNOWN_FEATURES = ["relaxed-simd"] as const;
export type WasmFeature = (typeof KNOWN_FEATURES)[number];

/**
 * The smallest module that uses relaxed SIMD: one function (v128, v128, v128) → v128 whose body
 * is `f32x4.relaxed_madd` (opcode 0xfd 0x85 0x02) of its three parameters.
 */
const RELAXED_MADD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) → v128
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x0a, 0x0d, 0x01, 0x0b, 0x00, // code: one body of 11 bytes, no locals
  0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // local.get 0 1 2, f32x4.relaxed_madd, end
]);

/** Whether this engine compiles relaxed SIMD right now (validates a tiny module; changes nothing). */
export function relaxedSimdSupported(): boolean {
  try {
    return wasmApi().validate(RELAXED_MADD_PROBE);
  } catch {
    return false;
  }
}

/**
 * Whether this engine can run modules compiled with `--relaxed-simd`, after turning relaxed SIMD
 * on where that is possible: Node 20 (V8 11.3) has it behind `--experimental-wasm-relaxed-simd`,
 * which a running process can still set before it compiles such a module; Node ≥ 21 and current
 * browsers other than Safari have it on already. Call it (and await it) before loading such a
 * module. Setting the flag is process-wide and affects only modules compiled after it.
 */
export async function enableRelaxedSimd(): Promise<boolean> {
  if (relaxedSimdSupported()) return true;
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (!node) return false;
  try {
    // a specifier in a variable: bundlers for the browser leave it alone (this line runs under Node only)
    const specifier = "node:v8";
    const v8 = (await import(/* @vite-ignore */ specifier)) as { setFlagsFromString(flags: string): void };
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    return false;
  }
  return relaxedSimdSupported();
}

/** Whether the engine supports a feature now, by name (unknown names: false). */
export function engineSupports(feature: string): boolean {
  return feature === "relaxed-simd" ? relaxedSimdSupported() : false;
}

/**
 * Refuses, with one line naming the feature and what to do, a module whose manifest lists a
 * feature this runtime does not know or this engine does not run (instead of the engine's
 * CompileError). `supports` is the engine check; loadModel passes its `supports` option or
 * {@link engineSupports}.
 */
export function checkFeatures(features: readonly string[], supports: (feature: string) => boolean = engineSupports): void {
  for (const f of features) {
    if (!(KNOWN_FEATURES as readonly string[]).includes(f)) {
      throw new RnncRuntimeError(`the module needs the WebAssembly feature "${f}", which this runtime does not know (it knows: ${KNOWN_FEATURES.join(", ")}); use a newer runtime`);
    }
    if (!supports(f)) {
      throw new RnncRuntimeError(`the module needs WebAssembly relaxed SIMD (manifest "features": ["relaxed-simd"], compiled with --relaxed-simd), which this engine does not run: recompile without --relaxed-simd, or on Node 20 call enableRelaxedSimd() before loading (Node ≥ 21 and browsers other than Safari have it)`);
    }
  }
}
