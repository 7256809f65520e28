/**
 * rnnc runtime: loads a compiled model (`model.wasm` + `model.manifest.json`, see
 * docs/manifest.md) and runs it. Standalone: standard JavaScript and WebAssembly APIs only, so it
 * runs in browsers as well as Node. For loading from disk in Node, see `./node.ts`.
 */
export { RnncRuntimeError } from "./errors.ts";
export {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  concreteShape,
  elementCount,
  evalPoly,
  validateManifest,
  type DType,
  type Dim,
  type EntrySpec,
  type InputSpec,
  type Manifest,
  type ParamSpec,
  type Poly,
  type StateSpec,
  type TensorSpec,
} from "./manifest.ts";
export {
  Model,
  loadModel,
  type BackwardResult,
  type CotangentValues,
  type ForwardResult,
  type Inputs,
  type RunOptions,
  type ShapedData,
  type StepOptions,
  type StepResult,
  type StepViews,
  type TensorInput,
  type TypedTensor,
  type WasmSource,
  type LoadOptions,
} from "./model.ts";
export { enableRelaxedSimd, relaxedSimdSupported, KNOWN_FEATURES, type WasmFeature } from "./features.ts";
export { MAX_BYTES, PAGE_BYTES, type WasmMemory, type WasmModule } from "./wasm.ts";
export { Trainer, NonFiniteError, learningRate } from "./train.ts";
export type { OptimizerConfig, OptimizerKind, Schedule, StepReport } from "./train.ts";
export { initialize, orthogonal, INITIALIZERS } from "./init.ts";
export type { InitSpec } from "./init.ts";
export { Rng } from "./random.ts";
export { encodeSafetensors, decodeSafetensors, crc32 } from "./safetensors.ts";
export type { SafeTensor, SafeTensorsFile } from "./safetensors.ts";
