/**
 * Loading a compiled module with its manifest, and running it: see runtime/README.md.
 */
import { RnncRuntimeError } from "./errors.ts";
import {
  elementCount,
  evalPoly,
  manifestRegions,
  showShape,
  validateManifest,
  type DType,
  type Dim,
  type Manifest,
  type Poly,
  type Region,
} from "./manifest.ts";
import { MAX_BYTES, PAGE_BYTES, wasmApi, type WasmMemory, type WasmModule } from "./wasm.ts";
import { checkFeatures, engineSupports } from "./features.ts";

/** A tensor's values as returned by the runtime: f32 tensors as Float32Array, i32 as Int32Array. */
export type TypedTensor = Float32Array | Int32Array;

/** Values with an explicit shape, e.g. `{ data: xs, shape: [T, B, 4] }`. */
export interface ShapedData {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
}

/** An input's values: a flat row-major array (any array-like of numbers) or `{ data, shape }`. */
export type TensorInput = ArrayLike<number> | ShapedData;

export type Inputs = Readonly<Record<string, TensorInput>>;

export interface RunOptions {
  /** The batch size, when the inputs alone do not determine it. */
  B?: number;
  /** The sequence length, when the inputs alone do not determine it. */
  T?: number;
  /** Initial values of states (shape `[B, ...]`); states not given start at zeros. */
  states?: Readonly<Record<string, ArrayLike<number>>>;
}

export interface StepOptions {
  /** The batch size, when the inputs alone do not determine it (defaults to the stream's). */
  B?: number;
}

export interface ForwardResult {
  /** Copies of the outputs (sequence outputs are `[T, B, ...]`, flat, row-major). */
  outputs: Record<string, TypedTensor>;
  /** Copies of the final states (`[B, ...]`). */
  final: Record<string, TypedTensor>;
  /** The loss, when the model has one. */
  loss?: number;
}

export interface CotangentValues {
  /** Cotangents of outputs; missing ones are zeros. */
  outputs?: Readonly<Record<string, ArrayLike<number>>>;
  /** Cotangents of final states; missing ones are zeros. */
  final?: Readonly<Record<string, ArrayLike<number>>>;
  /** Cotangent of the loss (0 when missing; 1 gives the gradient of the loss). */
  loss?: number;
}

export interface BackwardResult extends ForwardResult {
  /** Copies of every gradient the manifest lists. */
  grads: Record<string, Float32Array>;
}

export interface StepResult {
  /** Copies of this step's outputs (`[1, B, ...]` for sequence outputs). */
  outputs: Record<string, TypedTensor>;
  /** Copies of the states after this step (what the next step starts from). */
  final: Record<string, TypedTensor>;
}

/**
 * Live views for streaming without copies ({@link Model.stepViews}): write a step's inputs into
 * `inputs`, call `step()`, read `outputs` and `states` in place.
 */
export interface StepViews {
  /** The stream's batch size. */
  readonly B: number;
  /**
   * Views of one step's inputs in the module's memory (`[B, ...]` for a sequence input): fill them
   * before each `step()`. Their values are checked by `step()` (finite f32, i32 ids in range).
   */
  readonly inputs: Readonly<Record<string, TypedTensor>>;
  /** Views of the outputs of the last `step()` (`[1, B, ...]` for sequence outputs). */
  readonly outputs: Readonly<Record<string, TypedTensor>>;
  /**
   * Views of the states after the last `step()`: what the next step starts from. Read them here;
   * set a state with {@link Model.setState} (checked), not by writing into these views.
   */
  readonly states: Readonly<Record<string, TypedTensor>>;
  /**
   * One time step on the values in `inputs`: checks them, then calls the module's `step` entry,
   * which updates `outputs` and `states` in place. Throws if another call ran on the model since
   * the views were made, or the memory grew (the views are then stale: make new ones).
   */
  step(): void;
}

type EntryFn = (B: number, T: number) => unknown;

interface Dims {
  B: number;
  T: number;
}

/** One tensor to write before a call. `data` null means zeros. */
interface Write {
  label: string;
  shape: readonly Dim[];
  dtype: DType;
  offset: Poly;
  data: ArrayLike<number> | null;
}

/** A flat or shaped value taking part in B/T inference. */
interface Sized {
  label: string;
  shape: readonly Dim[];
  data: ArrayLike<number>;
  given?: readonly number[];
}

const has = (o: object, k: string): boolean => Object.hasOwn(o, k);

function setOwn<V>(o: Record<string, V>, k: string, v: V): void {
  // plain assignment would call the __proto__ setter for that one name
  if (k === "__proto__") Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function fail(msg: string, cause?: unknown): never {
  throw new RnncRuntimeError(msg, cause === undefined ? undefined : { cause });
}

function names(rec: object): string {
  const ks = Object.keys(rec);
  return ks.length ? ks.join(", ") : "none";
}

function showValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean") return String(v);
  if (typeof v === "bigint") return `${v}n`;
  return typeof v;
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  if (typeof v !== "object" || v === null) return false;
  const n = (v as { length?: unknown }).length;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
}

function isNumericTypedArray(v: unknown): boolean {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

/** `[3, 2, 4]` */
function dimsList(dims: readonly number[]): string {
  return `[${dims.join(", ")}]`;
}

function positiveInt(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) fail(`${what}: expected a positive integer, got ${showValue(v)}`);
  return v;
}

/**
 * Check every value a tensor is about to receive: finite numbers for f32 (a NaN or Inf would
 * silently spread through every later step and gradient); integers within `range` (or the i32
 * range) for i32.
 */
function checkValues(label: string, data: ArrayLike<number>, dtype: DType, range?: readonly [number, number]): void {
  if (dtype === "f32") {
    const typed = isNumericTypedArray(data);
    for (let i = 0; i < data.length; i++) {
      const v: unknown = data[i];
      if (!typed && typeof v !== "number") fail(`${label}: value ${showValue(v)} at index ${i} is not a number`);
      if (!Number.isFinite(v)) fail(`${label}: value ${v} at index ${i} is not a finite number`);
    }
    return;
  }
  if (isNumericTypedArray(data) && !range && (data instanceof Int32Array || data instanceof Int16Array || data instanceof Int8Array || data instanceof Uint16Array || data instanceof Uint8Array || data instanceof Uint8ClampedArray)) return;
  const [lo, hi] = range ?? [-2147483648, 2147483648];
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== "number") fail(`${label}: value ${showValue(v)} at index ${i} is not a number`);
    if (!Number.isInteger(v)) fail(`${label}: value ${v} at index ${i} is not an integer`);
    if (v < lo || v >= hi) {
      fail(`${label}: value ${v} at index ${i} is outside ${range ? "its range" : "the i32 range"} [${lo}, ${hi})`);
    }
  }
}

/** Split an input value into its data and (optional) explicit shape. */
function unpack(label: string, v: unknown): { data: ArrayLike<number>; given?: readonly number[] } {
  if (isArrayLike(v)) return { data: v };
  if (typeof v === "object" && v !== null && has(v, "data")) {
    const { data, shape } = v as { data: unknown; shape: unknown };
    if (!isArrayLike(data)) fail(`${label}: data: expected an array of numbers or a typed array, got ${showValue(data)}`);
    if (shape === undefined) return { data };
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
      fail(`${label}: shape: expected an array of non-negative integers, got ${showValue(shape)}`);
    }
    return { data, given: shape };
  }
  fail(`${label}: expected an array of numbers, a typed array or {data, shape}, got ${showValue(v)}`);
}

/**
 * Find B and T from the inputs: explicit shapes first, then flat lengths (each flat value with
 * exactly one unknown symbol determines it), repeated until nothing changes. A symbol no value
 * mentions takes its default.
 */
function inferDims(items: Sized[], fixed: { B?: number; T?: number }, sources: { B?: string; T?: string }, defaults: Dims, stepMode: boolean): Dims {
  const known: { B?: number; T?: number } = { ...fixed };
  const from: { B?: string; T?: string } = { ...sources };
  const bind = (sym: "B" | "T", value: number, label: string, given: readonly number[]) => {
    if (value < 1) fail(`${label}: shape ${dimsList(given)} gives ${sym}=${value}; ${sym} must be at least 1`);
    const k = known[sym];
    if (k !== undefined && k !== value) fail(`${label}: shape ${dimsList(given)} gives ${sym}=${value}, but ${sym}=${k} (from ${from[sym]})`);
    known[sym] = value;
    from[sym] = label;
  };

  for (const it of items) {
    if (!it.given) continue;
    const given = it.given;
    let sym: readonly Dim[] = it.shape;
    if (stepMode && sym.includes("T") && given.length === sym.length - 1) sym = sym.filter((d) => d !== "T");
    const mismatch = () => fail(`${it.label}: shape ${dimsList(given)} does not match ${showShape(it.shape)}`);
    if (given.length !== sym.length) mismatch();
    sym.forEach((d, i) => {
      if (typeof d === "number") {
        if (given[i] !== d) mismatch();
      } else bind(d, given[i]!, it.label, given);
    });
    const n = given.reduce((a, b) => a * b, 1);
    if (n !== it.data.length) fail(`${it.label}: shape ${dimsList(given)} has ${n} elements, but the data has ${it.data.length} values`);
  }

  // Flat values with exactly one unknown symbol determine it. One that does not divide evenly
  // waits: another value may fix the symbol, and the count check below gives a clearer message.
  const unknownIn = (it: Sized) => (["B", "T"] as const).filter((s) => it.shape.includes(s) && known[s] === undefined);
  const factor = (it: Sized, s: "B" | "T") => elementCount(it.shape.filter((d) => d !== s), known.B ?? 1, known.T ?? 1);
  // Values with fewer symbolic dimensions go first: `tokens: [B]` pins B before `x: [T, B, 4]`.
  const symbols = (it: Sized) => it.shape.filter((d) => typeof d !== "number").length;
  const byDirectness = [...items].sort((a, b) => symbols(a) - symbols(b));
  for (let progress = true; progress; ) {
    progress = false;
    for (const it of byDirectness) {
      const unknown = unknownIn(it);
      if (unknown.length !== 1) continue;
      const s = unknown[0]!;
      const c = factor(it, s);
      const n = it.data.length;
      if (n === 0 || n % c !== 0) continue;
      known[s] = n / c;
      from[s] = it.label;
      progress = true;
    }
  }
  for (const it of items) {
    const unknown = unknownIn(it);
    if (unknown.length !== 1) continue;
    const n = it.data.length;
    fail(`${it.label}: expected a ${n === 0 ? "non-zero " : ""}multiple of ${factor(it, unknown[0]!)} values (${showShape(it.shape, known.B, known.T)}), got ${n}`);
  }

  for (const it of items) {
    if (it.shape.includes("B") && it.shape.includes("T") && known.B === undefined && known.T === undefined) {
      fail(`${it.label}: cannot infer both B and T from ${it.data.length} values (${showShape(it.shape)}); pass opts.B or opts.T, or give {data, shape}`);
    }
  }

  const dims: Dims = { B: known.B ?? defaults.B, T: known.T ?? defaults.T };
  for (const it of items) {
    const n = elementCount(it.shape, dims.B, dims.T);
    if (n !== it.data.length) fail(`${it.label}: expected ${n} values (${showShape(it.shape, dims.B, dims.T)}), got ${it.data.length}`);
  }
  return dims;
}

/**
 * A compiled rnnc model: its WebAssembly instance and the manifest describing its memory.
 * Create one with {@link loadModel}. See runtime/README.md.
 */
export class Model {
  readonly manifest: Manifest;
  /** The module's exported memory. Its buffer is replaced whenever the memory grows. */
  readonly memory: WasmMemory;
  readonly paramNames: readonly string[];
  readonly inputNames: readonly string[];
  readonly stateNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly gradNames: readonly string[];

  private readonly fns: ReadonlyMap<string, EntryFn>;
  private readonly regions: readonly Region[];
  private readonly checkedDims = new Set<string>();
  private viewBuffer: ArrayBuffer | null = null;
  private readonly paramViews = new Map<string, Float32Array>();
  /** B, T of the last backward, while its gradients are still in memory. */
  private gradDims: Dims | null = null;
  /** The streaming state: its batch size and, when not in memory, a copy of every state. */
  private stream: { B: number; saved: Map<string, TypedTensor> | null } | null = null;
  /** Bumped by every call that may move the stream or overwrite its inputs: stale step views check it. */
  private epoch = 0;

  /** Use {@link loadModel}; this assumes an already validated manifest and checked exports. */
  constructor(manifest: Manifest, memory: WasmMemory, fns: ReadonlyMap<string, EntryFn>) {
    this.manifest = manifest;
    this.memory = memory;
    this.fns = fns;
    this.regions = manifestRegions(manifest);
    this.paramNames = Object.keys(manifest.params);
    this.inputNames = Object.keys(manifest.inputs);
    this.stateNames = Object.keys(manifest.states);
    this.outputNames = Object.keys(manifest.outputs);
    this.gradNames = Object.keys(manifest.grads);
  }

  // -------------------------------------------------------------------------------------------
  // Memory

  /** Bytes of memory the module needs for a call with batch size B and sequence length T. */
  requiredBytes(B: number, T: number): number {
    positiveInt(B, "B");
    positiveInt(T, "T");
    return evalPoly(this.manifest.memory.bytes, B, T);
  }

  /**
   * Make the memory large enough for (B, T), growing it if needed, after checking that B, T fit in
   * 4 GiB and that every region lies within the planned memory.
   */
  private ensureMemory(B: number, T: number): void {
    const need = this.requiredBytes(B, T);
    if (need > MAX_BYTES) fail(`B=${B}, T=${T} needs ${need} bytes, beyond WebAssembly's 4 GiB limit`);
    this.checkRegions(B, T);
    const have = this.memory.buffer.byteLength;
    if (need > have) {
      const pages = Math.ceil((need - have) / PAGE_BYTES);
      try {
        this.memory.grow(pages);
      } catch (e) {
        fail(`B=${B}, T=${T} needs ${need} bytes, but the module's memory could not grow from ${have} bytes: ${e instanceof Error ? e.message : String(e)}`, e);
      }
    }
  }

  /** Check (once per B, T) that every region lies inside `memory.bytes(B, T)`. */
  checkRegions(B: number, T: number): void {
    const k = `${B},${T}`;
    if (this.checkedDims.has(k)) return;
    const bytes = evalPoly(this.manifest.memory.bytes, B, T);
    for (const r of this.regions) {
      const start = evalPoly(r.offset, B, T);
      const end = start + 4 * elementCount(r.shape, B, T);
      if (end > bytes) {
        fail(`manifest does not match its module: tensor ${r.label} lies outside the planned memory (bytes ${start}..${end} at B=${B}, T=${T}, but memory.bytes is ${bytes})`);
      }
    }
    this.checkedDims.add(k);
  }

  /** The current buffer; clears cached views when the memory has grown. */
  private buffer(): ArrayBuffer {
    const b = this.memory.buffer;
    if (b !== this.viewBuffer) {
      this.viewBuffer = b;
      this.paramViews.clear();
    }
    return b;
  }

  private view(offset: Poly, shape: readonly Dim[], dtype: DType, B: number, T: number): TypedTensor {
    const at = evalPoly(offset, B, T);
    const n = elementCount(shape, B, T);
    return dtype === "i32" ? new Int32Array(this.buffer(), at, n) : new Float32Array(this.buffer(), at, n);
  }

  private write(w: Write, B: number, T: number): void {
    const v = this.view(w.offset, w.shape, w.dtype, B, T);
    if (w.data === null) v.fill(0);
    else v.set(w.data);
  }

  // -------------------------------------------------------------------------------------------
  // Parameters

  private paramSpec(name: string) {
    if (!has(this.manifest.params, name)) fail(`unknown param "${name}" (params: ${names(this.manifest.params)})`);
    return this.manifest.params[name]!;
  }

  /**
   * A live Float32Array view of a parameter in the module's memory. Writing to it changes the
   * parameter. Views are invalidated (detached, length 0) when the memory grows; `param()` always
   * returns a valid view, so call it again rather than keeping one across calls that may grow.
   */
  param(name: string): Float32Array {
    const spec = this.paramSpec(name);
    const buf = this.buffer();
    let v = this.paramViews.get(name);
    if (!v) {
      v = new Float32Array(buf, spec.offset[0], elementCount(spec.shape, 1, 1));
      this.paramViews.set(name, v);
    }
    return v;
  }

  /** Set a parameter's values (flat, row-major). */
  setParam(name: string, data: ArrayLike<number>): void {
    this.setParams({ [name]: data });
  }

  /** Copies of every parameter. */
  getParams(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const n of this.paramNames) setOwn(out, n, this.param(n).slice());
    return out;
  }

  /** Set several parameters at once; all are checked before any is written. */
  setParams(values: Readonly<Record<string, ArrayLike<number>>>): void {
    if (typeof values !== "object" || values === null) fail(`setParams: expected an object mapping param names to values, got ${showValue(values)}`);
    const entries = Object.entries(values);
    for (const [name, data] of entries) {
      const spec = this.paramSpec(name);
      const label = `param ${name}`;
      if (!isArrayLike(data)) fail(`${label}: expected an array of numbers or a typed array, got ${showValue(data)}`);
      const n = elementCount(spec.shape, 1, 1);
      if (data.length !== n) fail(`${label}: expected ${n} values (${showShape(spec.shape)}), got ${data.length}`);
      checkValues(label, data, "f32");
    }
    for (const [name, data] of entries) this.param(name).set(data);
  }

  // -------------------------------------------------------------------------------------------
  // Calls

  private entry(name: string): EntryFn {
    const fn = this.fns.get(name);
    if (!fn) fail(`the model has no "${name}" entry (entries: ${names(this.manifest.entries)})`);
    return fn;
  }

  private invoke(name: string, fn: EntryFn, B: number, T: number): unknown {
    try {
      return fn(B, T);
    } catch (e) {
      const WA = wasmApi();
      if (e instanceof WA.RuntimeError) fail(`entry "${name}" trapped at B=${B}, T=${T}: ${e.message}`, e);
      throw e;
    }
  }

  /**
   * Check inputs (and state inits) and find B, T. Returns the writes to make, all validated.
   */
  private prepare(inputs: Inputs, opts: RunOptions | StepOptions, stepMode: boolean, defaultB: number): { dims: Dims; writes: Write[] } {
    if (typeof inputs !== "object" || inputs === null || isArrayLike(inputs)) {
      fail(`inputs: expected an object mapping input names to values, got ${showValue(inputs)}`);
    }
    if (typeof opts !== "object" || opts === null) fail(`options: expected an object, got ${showValue(opts)}`);
    const m = this.manifest;
    for (const name of Object.keys(inputs)) {
      if (!has(m.inputs, name)) {
        fail(`unknown input "${name}" (${this.inputNames.length ? `inputs: ${this.inputNames.join(", ")}` : "the model has no inputs"})`);
      }
    }
    const items: Sized[] = [];
    const writes: Write[] = [];
    const ranges = new Map<Write, readonly [number, number] | undefined>();
    for (const [name, spec] of Object.entries(m.inputs)) {
      if (!has(inputs, name)) fail(`missing input "${name}"`);
      const label = `input ${name}`;
      const { data, given } = unpack(label, inputs[name]);
      items.push(given ? { label, shape: spec.shape, data, given } : { label, shape: spec.shape, data });
      const w: Write = { label, shape: spec.shape, dtype: spec.dtype, offset: spec.offset, data };
      writes.push(w);
      ranges.set(w, spec.range);
    }

    const fixed: { B?: number; T?: number } = {};
    const sources: { B?: string; T?: string } = {};
    if (opts.B !== undefined) {
      fixed.B = positiveInt(opts.B, "opts.B");
      sources.B = "opts.B";
    }
    if (stepMode) {
      fixed.T = 1;
      sources.T = "a step call";
    } else if ((opts as RunOptions).T !== undefined) {
      fixed.T = positiveInt((opts as RunOptions).T, "opts.T");
      sources.T = "opts.T";
    }

    const states = stepMode ? undefined : (opts as RunOptions).states;
    if (states !== undefined) {
      if (typeof states !== "object" || states === null) fail(`opts.states: expected an object mapping state names to values, got ${showValue(states)}`);
      for (const [name, data] of Object.entries(states)) {
        const spec = this.stateSpec(name);
        const label = `state ${name}`;
        if (!spec.init) fail(`${label}: the model computes this state itself (it has no init region), so it cannot be given`);
        if (!isArrayLike(data)) fail(`${label}: expected an array of numbers or a typed array, got ${showValue(data)}`);
        items.push({ label, shape: spec.shape, data });
      }
    }

    // a step whose flat inputs all have the stream's sizes: what inferDims would find, without its work
    const streamSized = stepMode && (fixed.B === undefined || fixed.B === defaultB) &&
      items.every((it) => !it.given && it.data.length === elementCount(it.shape, defaultB, 1));
    const dims = streamSized ? { B: defaultB, T: 1 } : inferDims(items, fixed, sources, { B: defaultB, T: 1 }, stepMode);
    for (const w of writes) {
      if (w.data) checkValues(w.label, w.data, w.dtype, ranges.get(w));
    }
    if (!stepMode) {
      for (const [name, spec] of Object.entries(m.states)) {
        if (!spec.init) continue;
        const data = states !== undefined && has(states, name) ? states[name]! : null;
        const w: Write = { label: `state ${name}`, shape: spec.shape, dtype: spec.dtype, offset: spec.init.offset, data };
        if (data) checkValues(w.label, data, w.dtype);
        writes.push(w);
      }
    }
    return { dims, writes };
  }

  private collect(B: number, T: number): ForwardResult {
    const m = this.manifest;
    const outputs: Record<string, TypedTensor> = {};
    for (const [n, s] of Object.entries(m.outputs)) setOwn(outputs, n, this.view(s.offset, s.shape, s.dtype, B, T).slice());
    const final: Record<string, TypedTensor> = {};
    for (const [n, s] of Object.entries(m.states)) setOwn(final, n, this.view(s.final.offset, s.shape, s.dtype, B, T).slice());
    const r: ForwardResult = { outputs, final };
    if (m.loss) r.loss = this.view(m.loss.offset, [], "f32", B, T)[0]!;
    return r;
  }

  /**
   * Run the whole sequence: writes the inputs and the initial states (zeros unless given in
   * `opts.states`), calls `forward` once, and returns copies of the outputs, final states and loss.
   * B and T are inferred from the inputs; pass `opts.B` / `opts.T` (or `{data, shape}` inputs)
   * when a flat array alone is ambiguous.
   */
  forward(inputs: Inputs = {}, opts: RunOptions = {}): ForwardResult {
    const fn = this.entry("forward");
    const { dims, writes } = this.prepare(inputs, opts, false, 1);
    this.run("forward", fn, dims, writes, false);
    return this.collect(dims.B, dims.T);
  }

  /**
   * Like {@link forward}, then backpropagates: writes the cotangents (zeros where absent), calls
   * `backward` once, and returns copies of the outputs, final states, loss and every gradient.
   */
  backward(inputs: Inputs = {}, cotangents: CotangentValues = {}, opts: RunOptions = {}): BackwardResult {
    const fn = this.entry("backward");
    const { dims, writes } = this.prepare(inputs, opts, false, 1);
    const { B, T } = dims;
    const m = this.manifest;
    if (typeof cotangents !== "object" || cotangents === null) fail(`cotangents: expected an object {outputs?, final?, loss?}, got ${showValue(cotangents)}`);
    const kinds = [
      { key: "outputs", noun: "output", specs: m.cotangents.outputs, given: cotangents.outputs },
      { key: "final", noun: "final state", specs: m.cotangents.final, given: cotangents.final },
    ] as const;
    for (const { key, noun, specs, given } of kinds) {
      if (given !== undefined && (typeof given !== "object" || given === null)) {
        fail(`cotangents.${key}: expected an object mapping names to values, got ${showValue(given)}`);
      }
      for (const name of Object.keys(given ?? {})) {
        if (!has(specs, name)) fail(`unknown ${noun} cotangent "${name}" (cotangents.${key}: ${names(specs)})`);
      }
      for (const [name, spec] of Object.entries(specs)) {
        const label = `cotangent of ${noun} ${name}`;
        let data: ArrayLike<number> | null = null;
        if (given && has(given, name)) {
          const d: unknown = given[name];
          if (!isArrayLike(d)) fail(`${label}: expected an array of numbers or a typed array, got ${showValue(d)}`);
          const n = elementCount(spec.shape, B, T);
          if (d.length !== n) fail(`${label}: expected ${n} values (${showShape(spec.shape, B, T)}), got ${d.length}`);
          checkValues(label, d, "f32");
          data = d;
        }
        writes.push({ label, shape: spec.shape, dtype: "f32", offset: spec.offset, data });
      }
    }
    if (cotangents.loss !== undefined) {
      if (!m.cotangents.loss) fail(`cotangent of the loss: the model has ${m.loss ? "no loss cotangent (cotangents.loss is null)" : "no loss"}`);
      if (typeof cotangents.loss !== "number") fail(`cotangent of the loss: expected a number, got ${showValue(cotangents.loss)}`);
    }
    if (m.cotangents.loss) {
      writes.push({ label: "cotangent of the loss", shape: [], dtype: "f32", offset: m.cotangents.loss.offset, data: [cotangents.loss ?? 0] });
    }
    this.run("backward", fn, dims, writes, false);
    this.gradDims = dims;
    const grads: Record<string, Float32Array> = {};
    for (const [n, s] of Object.entries(m.grads)) setOwn(grads, n, this.view(s.offset, s.shape, "f32", B, T).slice() as Float32Array);
    return { ...this.collect(B, T), grads };
  }

  /** {@link backward} with the loss cotangent 1 and every other cotangent zero: the loss's gradients. */
  backwardFromLoss(inputs: Inputs = {}, opts: RunOptions = {}): BackwardResult {
    if (!this.manifest.loss) fail("backwardFromLoss: the model has no loss");
    if (!this.manifest.cotangents.loss) fail("backwardFromLoss: the model has no loss cotangent (cotangents.loss is null)");
    return this.backward(inputs, { loss: 1 }, opts);
  }

  /**
   * A live Float32Array view of a gradient computed by the last {@link backward}. Any later call
   * (forward, backward, step) may overwrite it, so it is only available until then.
   */
  grad(name: string): Float32Array {
    const m = this.manifest;
    if (!has(m.grads, name)) fail(`unknown grad "${name}" (grads: ${names(m.grads)})`);
    if (!this.gradDims) fail(`grad "${name}": no gradients in memory; call backward() first (any other call overwrites them)`);
    const s = m.grads[name]!;
    return this.view(s.offset, s.shape, "f32", this.gradDims.B, this.gradDims.T) as Float32Array;
  }

  /**
   * Write inputs and initial states as {@link forward} does, call `entry` once, and return its
   * result along with the outputs, final states and loss — how the training step is run.
   */
  runEntry(entry: string, inputs: Inputs = {}, opts: RunOptions = {}): ForwardResult & { result: unknown; B: number; T: number } {
    const fn = this.entry(entry);
    const { dims, writes } = this.prepare(inputs, opts, false, 1);
    const result = this.run(entry, fn, dims, writes, false);
    if (entry === "backward" || entry === "train_step") this.gradDims = dims;
    return { ...this.collect(dims.B, dims.T), result, B: dims.B, T: dims.T };
  }

  /** A live f32 view of any region (for the trainer's hyper-parameters and optimizer state). */
  region(offset: Poly, count: number, B = 1, T = 1): Float32Array {
    return this.view(offset, [count], "f32", B, T) as Float32Array;
  }

  /**
   * Call an entry directly with B and T, after growing the memory. Inputs, states and cotangents
   * are whatever memory holds: for entries beyond forward/backward/step (e.g. an optimizer).
   */
  call(entry: string, B: number, T: number): void {
    const fn = this.entry(entry);
    positiveInt(B, "B");
    positiveInt(T, "T");
    this.run(entry, fn, { B, T }, [], false);
    if (entry === "backward") this.gradDims = { B, T };
  }

  /**
   * Grow the memory, save the streaming state (or, for a step, put it back into memory), write,
   * and call.
   */
  private run(name: string, fn: EntryFn, dims: Dims, writes: readonly Write[], isStep: boolean): unknown {
    // Data that is itself a view of this memory would be detached if the memory grows.
    const buf = this.memory.buffer;
    for (const w of writes) {
      if (w.data && ArrayBuffer.isView(w.data) && w.data.buffer === buf) w.data = (w.data as TypedTensor).slice();
    }
    this.ensureMemory(dims.B, dims.T);
    this.epoch++;
    if (isStep) this.restoreStream();
    else this.saveStream();
    this.gradDims = null;
    for (const w of writes) this.write(w, dims.B, dims.T);
    return this.invoke(name, fn, dims.B, dims.T);
  }

  // -------------------------------------------------------------------------------------------
  // Streaming

  private stateSpec(name: string) {
    if (!has(this.manifest.states, name)) fail(`unknown state "${name}" (states: ${names(this.manifest.states)})`);
    return this.manifest.states[name]!;
  }

  /** Copy the stream's states out of memory before a non-step call overwrites them. */
  private saveStream(): void {
    const s = this.stream;
    if (!s || s.saved) return;
    const saved = new Map<string, TypedTensor>();
    for (const [n, spec] of Object.entries(this.manifest.states)) {
      saved.set(n, this.view(spec.init ? spec.init.offset : spec.final.offset, spec.shape, spec.dtype, s.B, 1).slice());
    }
    s.saved = saved;
  }

  /** Put the stream's saved states back into memory before a step. */
  private restoreStream(): void {
    const s = this.stream;
    if (!s || !s.saved) return;
    for (const [n, spec] of Object.entries(this.manifest.states)) {
      const offset = spec.init ? spec.init.offset : spec.final.offset;
      this.view(offset, spec.shape, spec.dtype, s.B, 1).set(s.saved.get(n)!);
    }
    s.saved = null;
  }

  /**
   * Start a new stream of {@link step} calls with batch size B: every state starts at zeros.
   */
  resetState(B = 1): void {
    this.entry("step");
    positiveInt(B, "resetState: B");
    const saved = new Map<string, TypedTensor>();
    for (const [n, spec] of Object.entries(this.manifest.states)) {
      const count = elementCount(spec.shape, B, 1);
      saved.set(n, spec.dtype === "i32" ? new Int32Array(count) : new Float32Array(count));
    }
    this.stream = { B, saved };
    this.epoch++;
  }

  private activeStream(what: string): { B: number; saved: Map<string, TypedTensor> | null } {
    if (!this.stream) fail(`${what}: no stream yet; call resetState(B) or step() first`);
    return this.stream;
  }

  /** A copy of a state of the stream: what the next {@link step} starts from. */
  getState(name: string): TypedTensor {
    const spec = this.stateSpec(name);
    const s = this.activeStream(`state ${name}`);
    if (s.saved) return s.saved.get(name)!.slice();
    return this.view(spec.init ? spec.init.offset : spec.final.offset, spec.shape, spec.dtype, s.B, 1).slice();
  }

  /** Set a state of the stream (shape `[B, ...]` with the stream's B). */
  setState(name: string, data: ArrayLike<number>): void {
    const spec = this.stateSpec(name);
    const label = `state ${name}`;
    const s = this.activeStream(label);
    if (!spec.init) fail(`${label}: the model computes this state itself (it has no init region), so it cannot be set`);
    if (!isArrayLike(data)) fail(`${label}: expected an array of numbers or a typed array, got ${showValue(data)}`);
    const n = elementCount(spec.shape, s.B, 1);
    if (data.length !== n) fail(`${label}: expected ${n} values (${showShape(spec.shape, s.B, 1)}), got ${data.length}`);
    checkValues(label, data, spec.dtype);
    if (s.saved) s.saved.get(name)!.set(data);
    else this.view(spec.init.offset, spec.shape, spec.dtype, s.B, 1).set(data);
  }

  /**
   * Run one time step of the stream: inputs are one step's values (a sequence input `[T, B, ...]`
   * is given as `[B, ...]`). The `step` entry copies each final state into its init, so the state
   * carries over to the next call. The first call starts a stream at zeros (as
   * `resetState(B)`); a different B later needs `resetState(B)` first.
   */
  step(inputs: Inputs = {}, opts: StepOptions = {}): StepResult {
    const fn = this.entry("step");
    const { dims, writes } = this.prepare(inputs, opts, true, this.stream?.B ?? 1);
    const { B } = dims;
    if (this.stream && this.stream.B !== B) {
      fail(`step: these inputs have B=${B}, but the stream has B=${this.stream.B}; call resetState(${B}) to start a new stream`);
    }
    if (!this.stream) this.resetState(B);
    this.run("step", fn, dims, writes, true);
    const { outputs, final } = this.collect(B, 1);
    return { outputs, final };
  }

  /**
   * Views for streaming without copies or per-call parsing: live views of one step's inputs,
   * outputs and states in the module's memory, made once, and a `step()` that checks the input
   * views' values (finite f32, i32 ids within their range) and calls the `step` entry. The stream
   * continues if it has this B (default: the stream's, or 1), else a new one starts at zeros (as
   * `resetState(B)`). The memory is grown for B here, once. Any other call on the model (forward,
   * backward, step, call, resetState, or new step views) makes these views stale: their `step()`
   * then throws instead of running on memory that call overwrote.
   */
  stepViews(B?: number): StepViews {
    const fn = this.entry("step");
    const b = B === undefined ? (this.stream?.B ?? 1) : positiveInt(B, "stepViews: B");
    if (!this.stream || this.stream.B !== b) this.resetState(b);
    this.ensureMemory(b, 1);
    this.restoreStream();
    const epoch = ++this.epoch;
    const buf = this.buffer();
    const m = this.manifest;
    const inputs: Record<string, TypedTensor> = {}, outputs: Record<string, TypedTensor> = {}, states: Record<string, TypedTensor> = {};
    const checks: (() => void)[] = [];
    for (const [name, spec] of Object.entries(m.inputs)) {
      const v = this.view(spec.offset, spec.shape, spec.dtype, b, 1);
      setOwn(inputs, name, v);
      const label = `input ${name}`;
      if (spec.dtype === "f32") {
        const f = v as Float32Array;
        checks.push(() => {
          // x·0 is 0 for every finite x and NaN for ±Inf and NaN: one pass, no branch per value
          let z = 0;
          for (let i = 0; i < f.length; i++) z += f[i]! * 0;
          if (z !== 0) checkValues(label, f, "f32");
        });
      } else if (spec.range) {
        const [lo, hi] = spec.range, ids = v as Int32Array;
        checks.push(() => {
          for (let i = 0; i < ids.length; i++) if (ids[i]! < lo || ids[i]! >= hi) checkValues(label, ids, "i32", spec.range);
        });
      }
    }
    for (const [name, spec] of Object.entries(m.outputs)) setOwn(outputs, name, this.view(spec.offset, spec.shape, spec.dtype, b, 1));
    for (const [name, spec] of Object.entries(m.states)) setOwn(states, name, this.view(spec.init ? spec.init.offset : spec.final.offset, spec.shape, spec.dtype, b, 1));
    const step = (): void => {
      if (this.epoch !== epoch) fail("step views: another call ran on the model since stepViews() made them (its inputs and states may have been overwritten); call stepViews() again");
      if (this.memory.buffer !== buf) fail("step views: the memory grew since stepViews() made them (the views are detached); call stepViews() again");
      for (let k = 0; k < checks.length; k++) checks[k]!();
      this.gradDims = null;
      this.invoke("step", fn, b, 1);
    };
    return Object.freeze({ B: b, inputs: Object.freeze(inputs), outputs: Object.freeze(outputs), states: Object.freeze(states), step });
  }
}

/** Bytes of a module, or a compiled module. */
export type WasmSource = ArrayBuffer | ArrayBufferView | WasmModule;

export interface LoadOptions {
  /**
   * Whether the engine runs a WebAssembly feature the manifest lists in `features` (default:
   * runtime/features.ts `engineSupports`, which validates a probe module). A seam for hosts and
   * tests; it does not turn anything on (see `enableRelaxedSimd`).
   */
  supports?: (feature: string) => boolean;
}

/**
 * Validate the manifest, check that this engine runs the features it lists (one clear error
 * otherwise), instantiate the module (it imports nothing), and check that they match: the module
 * exports `memory` and every entry as a function `(B, T)`, and every tensor lies inside the
 * planned memory.
 */
export async function loadModel(wasm: WasmSource, manifest: unknown, options: LoadOptions = {}): Promise<Model> {
  const m = validateManifest(manifest);
  checkFeatures(m.features ?? [], options.supports ?? engineSupports);
  const WA = wasmApi();
  let module: WasmModule;
  if (wasm instanceof WA.Module) {
    module = wasm;
  } else if (wasm instanceof ArrayBuffer || ArrayBuffer.isView(wasm)) {
    try {
      module = await WA.compile(wasm);
    } catch (e) {
      fail(`the model's wasm is not a valid WebAssembly module: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  } else {
    fail(`loadModel: expected the module's bytes (an ArrayBuffer or typed array) or a WebAssembly.Module, got ${showValue(wasm)}`);
  }

  const imports = WA.Module.imports(module);
  if (imports.length) {
    fail(`the module imports ${imports.map((i) => `${i.module}.${i.name} (${i.kind})`).join(", ")}, but rnnc modules import nothing`);
  }
  // rnnc modules carry their program's graph hash (compiler/lower/compile.ts, GRAPH_HASH_SECTION)
  const hashes = WA.Module.customSections(module, "rnnc.graph_hash");
  if (hashes.length && m.graphHash !== undefined) {
    const own = new TextDecoder().decode(hashes[0]!);
    if (own !== m.graphHash) {
      fail(`manifest does not match its module: the manifest describes graph ${m.graphHash.slice(0, 12)}…, the module was compiled from graph ${own.slice(0, 12)}…`);
    }
  }
  const instance = await WA.instantiate(module, {});
  const exports = instance.exports;
  const memory = exports.memory;
  if (!(memory instanceof WA.Memory)) {
    fail(`manifest does not match its module: the module does not export its memory as "memory"`);
  }
  const fns = new Map<string, EntryFn>();
  for (const [name, e] of Object.entries(m.entries)) {
    const what = `manifest names entry "${name}" (export "${e.export}"), but the module`;
    if (!has(exports, e.export)) fail(`${what} does not export it`);
    const fn = exports[e.export];
    if (typeof fn !== "function") fail(`${what}'s export "${e.export}" is not a function`);
    if (fn.length !== 2) fail(`${what}'s export "${e.export}" takes ${fn.length} parameters, not (B, T)`);
    fns.set(name, fn as EntryFn);
  }
  const model = new Model(m, memory, fns);
  model.checkRegions(1, 1);
  model.checkRegions(7, 5);
  return model;
}
