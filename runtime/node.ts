/**
 * Loading a compiled model from disk (Node only; the rest of the runtime is browser-safe).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { RnncRuntimeError } from "./errors.ts";
import { loadModel, type LoadOptions, type Model } from "./model.ts";

export const WASM_FILE = "model.wasm";
export const MANIFEST_FILE = "model.manifest.json";

async function read(path: string, dir: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOENT") throw new RnncRuntimeError(`cannot load model from ${dir}: ${path} does not exist`, { cause: e });
    throw new RnncRuntimeError(`cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Load `model.wasm` and `model.manifest.json` from `dir` (as written by `rnnc compile -o DIR`).
 * Errors about the manifest alone are prefixed with its path (`DIR/model.manifest.json: params.W…`),
 * others with `cannot load model from DIR: `.
 */
export async function loadModelFromDir(dir: string, options: LoadOptions = {}): Promise<Model> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const wasmPath = join(dir, WASM_FILE);
  const text = (await read(manifestPath, dir)).toString("utf8");
  const bytes = await read(wasmPath, dir);
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (e) {
    throw new RnncRuntimeError(`${manifestPath}: malformed JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  try {
    return await loadModel(bytes, manifest, options);
  } catch (e) {
    if (!(e instanceof RnncRuntimeError)) throw e;
    const msg = e.message;
    if (msg.startsWith("manifest: ")) throw new RnncRuntimeError(`${manifestPath}: ${msg.slice("manifest: ".length)}`, { cause: e });
    if (msg.startsWith("manifest version ")) throw new RnncRuntimeError(`${manifestPath}: ${msg}`, { cause: e });
    throw new RnncRuntimeError(`cannot load model from ${dir}: ${msg}`, { cause: e });
  }
}
