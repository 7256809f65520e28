/**
 * The manifest (`model.manifest.json`, see docs/manifest.md): its types, its validation, and the
 * arithmetic on its symbolic shapes and offset polynomials.
 */
import { RnncRuntimeError } from "./errors.ts";

export const MANIFEST_FORMAT = "rnnc-manifest";
export const MANIFEST_VERSION = 1;

export type DType = "f32" | "i32";
/** A dimension: a concrete size, or the batch size `B` or sequence length `T` (bound per call). */
export type Dim = number | "B" | "T";
/** `[o0, o1, o2, o3]`: the value `o0 + o1·B + o2·T + o3·B·T`. */
export type Poly = readonly [number, number, number, number];

export interface TensorSpec {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  readonly offset: Poly;
}

export interface ParamSpec extends TensorSpec {
  readonly dtype: "f32";
  /** The initializer named by the model (informational; the runtime does not apply it). */
  readonly init?: unknown;
}

export interface InputSpec extends TensorSpec {
  /** i32 inputs only: values must lie in `[lo, hi)`. */
  readonly range?: readonly [number, number];
}

export interface StateSpec {
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  /** Where the entries read the initial value; null for a state the model computes itself. */
  readonly init: { readonly offset: Poly } | null;
  /** Where `forward`, `backward` and `step` write the final value. */
  readonly final: { readonly offset: Poly };
}

export interface EntrySpec {
  readonly export: string;
}

/**
 * A validated manifest. Size names in shapes are resolved through `sizes`, so every dimension is a
 * number, "B" or "T"; `grads`, `cotangents` and `loss` always carry their dtype and shape.
 */
export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly name: string;
  readonly kind: string;
  readonly sizes: Readonly<Record<string, number>>;
  readonly graphHash?: string;
  readonly memory: { readonly bytes: Poly };
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly states: Readonly<Record<string, StateSpec>>;
  readonly outputs: Readonly<Record<string, TensorSpec>>;
  readonly loss: TensorSpec | null;
  readonly grads: Readonly<Record<string, TensorSpec>>;
  readonly cotangents: {
    readonly outputs: Readonly<Record<string, TensorSpec>>;
    readonly final: Readonly<Record<string, TensorSpec>>;
    readonly loss: TensorSpec | null;
  };
  readonly entries: Readonly<Record<string, EntrySpec>> & { readonly forward: EntrySpec };
  /**
   * WebAssembly features beyond the baseline the module needs (e.g. "relaxed-simd"); absent when
   * none. runtime/features.ts checks them on load.
   */
  readonly features?: readonly string[];
  /** The compiled training step's regions, when the model has a loss and a `train_step` entry. */
  readonly training?: TrainingSpec;
}

export interface TrainingSpec {
  /** An f32 region: one value per field, in this order. */
  readonly hyper: { readonly offset: Poly; readonly fields: readonly string[] };
  /** Optimizer names, by the code written into the `kind` field. */
  readonly optimizers: readonly string[];
  /**
   * Two optimizer slots per parameter (moments), each the parameter's shape, and the parameter's
   * moving average (absent in modules compiled before rnnc kept one: they cannot average).
   */
  readonly state: Readonly<Record<string, { readonly m: { readonly offset: Poly }; readonly v: { readonly offset: Poly }; readonly average?: { readonly offset: Poly } }>>;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic on shapes and offsets

export function evalPoly(p: Poly, B: number, T: number): number {
  return p[0] + p[1] * B + p[2] * T + p[3] * B * T;
}

export function concreteShape(shape: readonly Dim[], B: number, T: number): number[] {
  return shape.map((d) => (d === "B" ? B : d === "T" ? T : d));
}

export function elementCount(shape: readonly Dim[], B: number, T: number): number {
  let n = 1;
  for (const d of shape) n *= d === "B" ? B : d === "T" ? T : d;
  return n;
}

/** `[T=3, B=2, 4]`; a symbol whose value is unknown (undefined) is shown bare: `[T=3, B, 4]`. */
export function showShape(shape: readonly Dim[], B?: number, T?: number): string {
  const dims = shape.map((d) => {
    if (d === "B") return B === undefined ? "B" : `B=${B}`;
    if (d === "T") return T === undefined ? "T" : `T=${T}`;
    return String(d);
  });
  return `[${dims.join(", ")}]`;
}

/** Every memory region a manifest names, with a label for messages (`params.W`, `states.h.init`). */
export interface Region {
  readonly label: string;
  readonly shape: readonly Dim[];
  readonly offset: Poly;
}

export function manifestRegions(m: Manifest): Region[] {
  const out: Region[] = [];
  const add = (label: string, shape: readonly Dim[], offset: Poly) => out.push({ label, shape, offset });
  for (const [n, s] of Object.entries(m.params)) add(`params${key(n)}`, s.shape, s.offset);
  for (const [n, s] of Object.entries(m.inputs)) add(`inputs${key(n)}`, s.shape, s.offset);
  for (const [n, s] of Object.entries(m.states)) {
    if (s.init) add(`states${key(n)}.init`, s.shape, s.init.offset);
    add(`states${key(n)}.final`, s.shape, s.final.offset);
  }
  for (const [n, s] of Object.entries(m.outputs)) add(`outputs${key(n)}`, s.shape, s.offset);
  if (m.loss) add("loss", m.loss.shape, m.loss.offset);
  for (const [n, s] of Object.entries(m.grads)) add(`grads${key(n)}`, s.shape, s.offset);
  for (const [n, s] of Object.entries(m.cotangents.outputs)) add(`cotangents.outputs${key(n)}`, s.shape, s.offset);
  for (const [n, s] of Object.entries(m.cotangents.final)) add(`cotangents.final${key(n)}`, s.shape, s.offset);
  if (m.cotangents.loss) add("cotangents.loss", m.cotangents.loss.shape, m.cotangents.loss.offset);
  if (m.training) {
    add("training.hyper", [m.training.hyper.fields.length], m.training.hyper.offset);
    for (const [n, s] of Object.entries(m.training.state)) {
      add(`training.state${key(n)}.m`, m.params[n]!.shape, s.m.offset);
      add(`training.state${key(n)}.v`, m.params[n]!.shape, s.v.offset);
      if (s.average) add(`training.state${key(n)}.average`, m.params[n]!.shape, s.average.offset);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paths and messages

type Path = readonly (string | number)[];

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `.name` for identifiers, `["odd name"]` otherwise. */
function key(k: string | number): string {
  if (typeof k === "number") return `[${k}]`;
  return IDENT.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
}

export function formatPath(path: Path): string {
  return path.map(key).join("").replace(/^\./, "");
}

/** A short description of a JSON value for "got …". */
export function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) {
    const s = safeJson(v);
    return s.length <= 60 ? s : `an array of ${v.length} items`;
  }
  if (typeof v === "object") return "an object";
  if (typeof v === "string") {
    const s = JSON.stringify(v);
    return s.length <= 60 ? s : `${s.slice(0, 57)}..."`;
  }
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function fail(path: Path, msg: string): never {
  const where = formatPath(path);
  throw new RnncRuntimeError(where ? `manifest: ${where}: ${msg}` : `manifest: ${msg}`);
}

function expected(path: Path, what: string, got: unknown): never {
  fail(path, `expected ${what}, got ${describe(got)}`);
}

// ---------------------------------------------------------------------------------------------
// Validation

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function has(o: object, k: string): boolean {
  return Object.hasOwn(o, k);
}

/** Define `o[k] = v` as an own property, even for keys like `__proto__`. */
function setOwn<V>(o: Record<string, V>, k: string, v: V): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function obj(v: unknown, path: Path): Json {
  if (!isObject(v)) expected(path, "an object", v);
  return v;
}

function str(v: unknown, path: Path): string {
  if (typeof v !== "string") expected(path, "a string", v);
  return v;
}

function isInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v);
}

function poly(v: unknown, path: Path, aligned: boolean): Poly {
  if (!Array.isArray(v) || v.length !== 4 || !v.every(isInt)) expected(path, "4 integers", v);
  if (v.some((x: number) => x < 0)) expected(path, "4 non-negative integers", v);
  if (aligned && v.some((x: number) => x % 16 !== 0)) {
    expected(path, "multiples of 16 (tensor offsets are 16-byte aligned for every B, T)", v);
  }
  return [v[0], v[1], v[2], v[3]];
}

function dtype(v: unknown, path: Path): DType {
  if (v !== "f32" && v !== "i32") expected(path, '"f32" or "i32"', v);
  return v;
}

function shape(v: unknown, path: Path, sizes: Record<string, number>, allowBT: boolean): Dim[] {
  if (!Array.isArray(v)) expected(path, 'a shape (an array of positive integers, "B", "T" or size names)', v);
  const out: Dim[] = [];
  v.forEach((d: unknown, i: number) => {
    const p = [...path, i];
    if (d === "B" || d === "T") {
      if (!allowBT) fail(p, `a parameter's shape cannot depend on ${d}`);
      if (out.includes(d)) fail(path, `"${d}" appears more than once`);
      out.push(d);
    } else if (isInt(d) && d >= 1) {
      out.push(d);
    } else if (typeof d === "string" && has(sizes, d)) {
      out.push(sizes[d]!);
    } else {
      expected(p, 'a positive integer, "B", "T" or a size name from sizes', d);
    }
  });
  return out;
}

function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function showDims(s: readonly Dim[]): string {
  return `[${s.map((d) => (typeof d === "number" ? String(d) : JSON.stringify(d))).join(", ")}]`;
}

/** A named collection `{ name: spec }`. */
function collection<S>(v: unknown, path: Path, each: (spec: unknown, path: Path, name: string) => S): Record<string, S> {
  const o = obj(v, path);
  const out: Record<string, S> = {};
  for (const [name, spec] of Object.entries(o)) {
    if (name === "") fail(path, "a tensor name cannot be empty");
    setOwn(out, name, each(spec, [...path, name], name));
  }
  return out;
}

/** A full tensor declaration {dtype, shape, offset}. */
function tensor(v: unknown, path: Path, sizes: Record<string, number>): TensorSpec {
  const o = obj(v, path);
  return {
    dtype: dtype(o.dtype, [...path, "dtype"]),
    shape: shape(o.shape, [...path, "shape"], sizes, true),
    offset: poly(o.offset, [...path, "offset"], true),
  };
}

/**
 * A derived tensor (gradient, cotangent, loss): its offset, and optionally its dtype (always f32)
 * and shape (which must equal `like`).
 */
function derived(v: unknown, path: Path, sizes: Record<string, number>, like: readonly Dim[], whose: string): TensorSpec {
  const o = obj(v, path);
  if (has(o, "dtype") && o.dtype !== "f32") expected([...path, "dtype"], '"f32"', o.dtype);
  if (has(o, "shape")) {
    const s = shape(o.shape, [...path, "shape"], sizes, true);
    if (!sameShape(s, like)) expected([...path, "shape"], `${showDims(like)} (the shape of ${whose})`, o.shape);
  }
  return { dtype: "f32", shape: like, offset: poly(o.offset, [...path, "offset"], true) };
}

/**
 * Check that `m` is a version-1 rnnc manifest and return it normalized (see {@link Manifest}).
 * Throws an {@link RnncRuntimeError} whose message names the first offending JSON path.
 * Unknown keys are ignored.
 */
export function validateManifest(m: unknown): Manifest {
  const root = obj(m, []);
  if (root.format !== MANIFEST_FORMAT) expected(["format"], `"${MANIFEST_FORMAT}"`, root.format);
  const version = root.version;
  if (isInt(version) && version > MANIFEST_VERSION) {
    throw new RnncRuntimeError(
      `manifest version ${version} is newer than this runtime understands (${MANIFEST_VERSION})`,
    );
  }
  if (version !== MANIFEST_VERSION) expected(["version"], String(MANIFEST_VERSION), version);

  const name = str(root.name, ["name"]);
  const kind = str(root.kind, ["kind"]);

  const sizes: Record<string, number> = {};
  if (has(root, "sizes")) {
    for (const [k, v] of Object.entries(obj(root.sizes, ["sizes"]))) {
      if (!isInt(v) || v < 1) expected(["sizes", k], "a positive integer", v);
      if (k === "B" || k === "T") fail(["sizes", k], `"${k}" is reserved for the ${k === "B" ? "batch size" : "sequence length"}`);
      setOwn(sizes, k, v);
    }
  }

  let graphHash: string | undefined;
  if (has(root, "graphHash")) graphHash = str(root.graphHash, ["graphHash"]);

  const memory = obj(root.memory, ["memory"]);
  const bytes = poly(memory.bytes, ["memory", "bytes"], false);

  const params = collection(root.params, ["params"], (v, path): ParamSpec => {
    const o = obj(v, path);
    if (o.dtype !== "f32") expected([...path, "dtype"], '"f32" (parameters are always f32)', o.dtype);
    const s = shape(o.shape, [...path, "shape"], sizes, false);
    const offset = poly(o.offset, [...path, "offset"], true);
    if (offset[1] !== 0 || offset[2] !== 0 || offset[3] !== 0) {
      expected([...path, "offset"], `[${offset[0]}, 0, 0, 0] (a parameter's place cannot depend on B or T)`, o.offset);
    }
    const spec: ParamSpec = { dtype: "f32", shape: s, offset };
    return has(o, "init") ? { ...spec, init: o.init } : spec;
  });

  const inputs = collection(root.inputs, ["inputs"], (v, path): InputSpec => {
    const t = tensor(v, path, sizes);
    const o = v as Json;
    if (!has(o, "range") || o.range === null) return t;
    const r = o.range;
    if (t.dtype !== "i32") fail([...path, "range"], "only i32 inputs can have a range");
    if (!Array.isArray(r) || r.length !== 2 || !r.every(isInt) || !(r[0] < r[1])) {
      expected([...path, "range"], "[lo, hi): 2 integers with lo < hi", r);
    }
    return { ...t, range: [r[0], r[1]] };
  });

  const states = collection(root.states, ["states"], (v, path): StateSpec => {
    const o = obj(v, path);
    const region = (k: string) => ({ offset: poly(obj(o[k], [...path, k]).offset, [...path, k, "offset"], true) });
    return {
      dtype: dtype(o.dtype, [...path, "dtype"]),
      shape: shape(o.shape, [...path, "shape"], sizes, true),
      init: has(o, "init") && o.init !== null ? region("init") : null,
      final: region("final"),
    };
  });

  const outputs = collection(root.outputs, ["outputs"], (v, path) => tensor(v, path, sizes));

  const loss = has(root, "loss") && root.loss !== null ? derived(root.loss, ["loss"], sizes, [], "a scalar loss") : null;

  const grads = has(root, "grads")
    ? collection(root.grads, ["grads"], (v, path, n) => {
        const targets: string[] = [];
        if (has(params, n)) targets.push("a parameter");
        if (has(inputs, n)) targets.push("an input");
        if (has(states, n)) targets.push("a state");
        if (targets.length === 0) fail(path, `"${n}" is not a parameter, an input or a state`);
        if (targets.length > 1) fail(path, `"${n}" names ${targets.join(" and ")}, so its gradient is ambiguous`);
        const target = has(params, n) ? params[n]! : has(inputs, n) ? inputs[n]! : states[n]!;
        if (has(inputs, n) && target.dtype !== "f32") fail(path, `input "${n}" is i32 and has no gradient`);
        return derived(v, path, sizes, target.shape, `${targets[0]!.replace(/^an? /, "")} "${n}"`);
      })
    : {};

  let cotangents: Manifest["cotangents"] = { outputs: {}, final: {}, loss: null };
  if (has(root, "cotangents")) {
    const c = obj(root.cotangents, ["cotangents"]);
    const of = (what: "outputs" | "final") => {
      if (!has(c, what)) return {};
      const targets = what === "outputs" ? outputs : states;
      const noun = what === "outputs" ? "output" : "state";
      return collection(c[what], ["cotangents", what], (v, path, n) => {
        if (!has(targets, n)) fail(path, `"${n}" is not ${what === "outputs" ? "an output" : "a state"}`);
        return derived(v, path, sizes, targets[n]!.shape, `${noun} "${n}"`);
      });
    };
    const closs = has(c, "loss") && c.loss !== null ? derived(c.loss, ["cotangents", "loss"], sizes, [], "the scalar loss") : null;
    if (closs && !loss) fail(["cotangents", "loss"], "the manifest has a loss cotangent but no loss");
    cotangents = { outputs: of("outputs"), final: of("final"), loss: closs };
  }

  const entryObj = obj(root.entries, ["entries"]);
  if (!has(entryObj, "forward")) fail(["entries"], 'expected a "forward" entry');
  const entries = collection(entryObj, ["entries"], (v, path): EntrySpec => {
    const o = obj(v, path);
    const exp = str(o.export, [...path, "export"]);
    if (exp === "") expected([...path, "export"], "a non-empty export name", exp);
    return { export: exp };
  }) as Manifest["entries"];

  let features: string[] = [];
  if (has(root, "features")) {
    const f = root.features;
    if (!Array.isArray(f) || !f.every((x) => typeof x === "string" && x !== "")) expected(["features"], "an array of feature names", f);
    features = [...new Set(f as string[])];
  }

  let training: TrainingSpec | undefined;
  if (has(root, "training")) {
    const tr = obj(root.training, ["training"]);
    const h = obj(tr.hyper, ["training", "hyper"]);
    const fields = h.fields;
    if (!Array.isArray(fields) || !fields.every((f) => typeof f === "string")) expected(["training", "hyper", "fields"], "an array of field names", fields);
    for (const f of ["lr", "kind", "grad_norm", "loss"]) {
      if (!(fields as string[]).includes(f)) fail(["training", "hyper", "fields"], `missing the field "${f}"`);
    }
    const opts = tr.optimizers;
    if (!Array.isArray(opts) || !opts.every((f) => typeof f === "string")) expected(["training", "optimizers"], "an array of optimizer names", opts);
    const state = collection(tr.state, ["training", "state"], (v, path, n) => {
      if (!has(params, n)) fail(path, `"${n}" is not a parameter`);
      const o = obj(v, path);
      const slot = (k: "m" | "v" | "average") => ({ offset: poly(obj(o[k], [...path, k]).offset, [...path, k, "offset"], true) });
      return { m: slot("m"), v: slot("v"), ...(has(o, "average") ? { average: slot("average") } : {}) };
    });
    for (const n of Object.keys(params)) if (!has(state, n)) fail(["training", "state"], `missing the optimizer state of parameter "${n}"`);
    if (!has(entryObj, "train_step")) fail(["entries"], 'a manifest with "training" needs a "train_step" entry');
    training = {
      hyper: { offset: poly(h.offset, ["training", "hyper", "offset"], true), fields: fields as string[] },
      optimizers: opts as string[],
      state,
    };
  }

  const out: Manifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    name,
    kind,
    sizes,
    ...(graphHash === undefined ? {} : { graphHash }),
    memory: { bytes },
    params,
    inputs,
    states,
    outputs,
    loss,
    grads,
    cotangents,
    entries,
    ...(features.length > 0 ? { features } : {}),
    ...(training ? { training } : {}),
  };
  return out;
}
