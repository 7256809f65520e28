/**
 * The rnnc TypeScript DSL (`import { cell, param, tanh, … } from "rnnc/dsl"`).
 *
 * A cell written in TypeScript builds the same cell document `{ rnnc: "cell", name, sizes, inputs,
 * state, params, equations, next, outputs }` that a JSON cell file holds, and that document goes
 * through the JSON frontend (`buildCell`): one IR, whichever way the cell was written.
 *
 * Two ways to get the document from a `*.cell.ts` file:
 * - statically (`compiler/dsl/static.ts`, what `rnnc` does): the file is parsed with ts-morph and
 *   its restricted subset of TypeScript is evaluated without running it; DSL calls are served by
 *   the functions of this module;
 * - by tracing: `import def from "./lstm.cell.ts"; toDocument(def)` runs the cell body for real.
 *
 * Both build the document through the functions below, so both give the same document. Every
 * operation is shape-checked as it is written (with the cell's sizes, or the --dims overrides),
 * so a mismatch is reported at the call that makes it.
 */
import { RnncError } from "../diagnostics.ts";
import type { Equation } from "../frontend/equations.ts";
import type { CellDoc, TensorDecl } from "../frontend/documents.ts";
import { describeType, Scope, suggest } from "../frontend/equations.ts";
import type { Expr } from "../frontend/expr.ts";
import { formatExpr } from "../frontend/expr.ts";
import { Builder, emptyGraph } from "../ir/builder.ts";
import type { AttrValue, DType, TensorType } from "../ir/types.ts";
import { formatShape } from "../ir/types.ts";
import "../ops/index.ts";

// ---- types ------------------------------------------------------------------------------------

/** One dimension of a shape: a size name (from the cell's sizes) or a positive integer. */
export type Dim<S extends string = string> = S | number;
/** Dimensions, outermost first, per example (the batch dimension is implicit). `[]` is a scalar. */
export type Shape<S extends string = string> = readonly Dim<S>[];

export type InitName = "zeros" | "ones" | "uniform" | "normal" | "glorot_uniform" | "glorot_normal" | "orthogonal";
/** A parameter initializer, as in JSON cell files (docs/formats.md). */
export type Init =
  | InitName
  | { kind: InitName | "constant"; value?: number; low?: number; high?: number; mean?: number; std?: number; gain?: number };

export interface ParamOptions { init?: Init; doc?: string }
export interface InputOptions { dtype?: DType; doc?: string }
export interface StateOptions { doc?: string }
export interface CellOptions { doc?: string }

/** Something an operation takes: a tensor or a number (a scalar constant). */
export type Operand = Tensor | number;

/** What a cell body may return: the next value of each state, and the per-step outputs. */
export interface CellResult {
  next?: Readonly<Record<string, Operand>>;
  outputs?: Readonly<Record<string, Operand>>;
}

/** The size names of a cell, as the body receives them: `{ I: "I", H: "H" }`. */
export type Dims<S> = { readonly [K in keyof S & string]: K };

export type { TensorDecl } from "../frontend/documents.ts";

/** The cell document, exactly as the JSON frontend reads it (docs/formats.md), with every size given. */
export interface CellDocument extends CellDoc {
  sizes: Record<string, number>;
}

const CELL = Symbol.for("rnnc.dsl.cell");
const INTERNAL = Symbol.for("rnnc.dsl.tensor");
const CONTEXT = Symbol.for("rnnc.dsl.context");
const DIMS = Symbol.for("rnnc.dsl.dims");

/** What `cell(...)` returns: the cell's definition, turned into a document by {@link toDocument}. */
export interface CellDef<S extends Readonly<Record<string, number>> = Readonly<Record<string, number>>> {
  readonly [CELL]: true;
  readonly name: string;
  readonly sizes: S;
  readonly doc: string | undefined;
  body(dims: Dims<S>): CellResult | void;
}

// ---- expressions -------------------------------------------------------------------------------

/** The expression a tensor stands for. */
type Node =
  | { kind: "ref"; name: string }
  | { kind: "num"; value: number }
  | { kind: "op"; op: string; args: Node[]; attrs: [string, AttrValue][] };

interface TensorState {
  node: Node;
  ctx: CellContext;
  /** The IR value in the context's checking graph (undefined when not checking). */
  value: string | undefined;
  /** For tensors returned by state(): the state's name. */
  stateName?: string;
}

/**
 * A value of the cell: a parameter, input, state, named equation, or an operation on them.
 * TypeScript has no operator overloading: write `a.add(b)` or `add(a, b)` for `a + b`.
 */
export class Tensor {
  /** @internal */
  readonly [INTERNAL]: TensorState;

  /** @internal Use param(), input(), state(), eq() and the operations. */
  constructor(state: TensorState) {
    this[INTERNAL] = state;
  }

  /** `this + b` */
  add(b: Operand): Tensor { return add(this, b); }
  /** `this - b` */
  sub(b: Operand): Tensor { return sub(this, b); }
  /** `this * b` (elementwise, broadcasting) */
  mul(b: Operand): Tensor { return mul(this, b); }
  /** `this / b` */
  div(b: Operand): Tensor { return div(this, b); }
  /** `this @ x`: this weight `[M, K]` times `x` `[..., K]` */
  matmul(x: Operand): Tensor { return matmul(this, x); }
  /** `-this` */
  neg(): Tensor { return neg(this); }
}

/** A state of the cell (what `state()` returns); give its next value with `next` or {@link next}. */
export class State extends Tensor {}

/** Tensor methods the static frontend lets a cell file call. */
export const TENSOR_METHODS = ["add", "sub", "mul", "div", "matmul", "neg"] as const;

export function isTensor(v: unknown): v is Tensor {
  return typeof v === "object" && v !== null && INTERNAL in v;
}

export function isCellDef(v: unknown): v is CellDef {
  return typeof v === "object" && v !== null && CELL in v;
}

/** Is this the size names object a cell body receives? */
export function isDims(v: unknown): boolean {
  return typeof v === "object" && v !== null && DIMS in v;
}

// ---- the cell being built ----------------------------------------------------------------------

/** Hooks for the static frontend: where each entry of the document was written. */
export interface DocumentHooks {
  /**
   * Called when an entry of the document is created: `params.W`, `state.h`, `inputs.x`,
   * `equations.g`, `next.h`, `outputs.h`. `site` is the object and key the value came from, for
   * `next` and `outputs` returned by the cell body.
   */
  entry?(path: string, site?: { object: object; key: string }): void;
}

export interface ToDocumentOptions {
  /** Size overrides (`--dims`): shapes are checked with these. */
  overrides?: Record<string, number>;
  hooks?: DocumentHooks;
}

/** An error of the DSL; `path` names the document entry it is about (`next.h`), when there is one. */
export class DslError extends RnncError {
  constructor(message: string, readonly path?: string) {
    super(message);
  }
}

class CellContext {
  readonly doc: CellDocument;
  readonly taken = new Map<string, string>();
  readonly states = new Map<string, (string | number)[]>();
  closed = false;
  readonly b: Builder | undefined;
  readonly scope: Scope | undefined;

  constructor(readonly def: CellDef, readonly sizes: Record<string, number>, check: boolean, readonly hooks: DocumentHooks) {
    this.doc = {
      rnnc: "cell", name: def.name, ...(def.doc !== undefined ? { doc: def.doc } : {}), sizes: { ...def.sizes },
      inputs: {}, state: {}, params: {}, equations: {}, next: {}, outputs: {},
    };
    if (check) {
      this.b = new Builder(emptyGraph());
      this.scope = new Scope(this.b, def.name);
    }
  }

  claim(name: string, what: string): void {
    const prev = this.taken.get(name);
    if (prev) throw new DslError(`"${name}" is already defined as ${prev}`);
    this.taken.set(name, what);
  }

  entry(path: string, site?: { object: object; key: string }): void {
    this.hooks.entry?.(path, site);
  }
}

type ContextHolder = { [CONTEXT]?: CellContext[] };
const stack = ((globalThis as ContextHolder)[CONTEXT] ??= []);

function active(fn: string): CellContext {
  const ctx = stack[stack.length - 1];
  if (!ctx) throw new DslError(`${fn}() can only be called inside the body of cell(...)`);
  return ctx;
}

// ---- validation helpers --------------------------------------------------------------------------

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EQ_NAME = /^[A-Za-z_][A-Za-z0-9_]*'*$/;
const CELL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const MAX_SIZE = 1_000_000_000;

function what(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (isTensor(v)) return "a tensor";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "function") return "a function";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `${typeof v === "number" ? "the number" : "the boolean"} ${String(v)}`;
}

function checkName(fn: string, name: unknown, pattern: RegExp, words: string): string {
  if (typeof name !== "string") throw new DslError(`${fn}: expected a name (a string) as the first argument, found ${what(name)}`);
  if (!pattern.test(name)) throw new DslError(`${fn}: "${name}" is not a valid name (${words})`);
  return name;
}

const IDENT_WORDS = "letters, digits and _, not starting with a digit";

function checkOptions(fn: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options) || isTensor(options)) {
    throw new DslError(`${fn}: expected an options object { ${allowed.join(", ")} }, found ${what(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new DslError(`${fn}: unknown option "${k}"${suggest(k, [...allowed])} (options: ${allowed.join(", ")})`);
  }
  return options as Record<string, unknown>;
}

function checkShape(fn: string, ctx: CellContext, shape: unknown): (string | number)[] {
  if (!Array.isArray(shape)) throw new DslError(`${fn}: expected a shape (an array of size names and positive integers), found ${what(shape)}`);
  const known = Object.keys(ctx.doc.sizes);
  return shape.map((d: unknown, i) => {
    if (typeof d === "number") {
      if (!Number.isInteger(d) || d < 1 || d > MAX_SIZE) throw new DslError(`${fn}: shape[${i}]: expected a positive integer or a size name, found ${d}`);
      return d;
    }
    if (typeof d === "string") {
      if (!(d in ctx.doc.sizes)) throw new DslError(`${fn}: shape[${i}]: unknown size "${d}"${suggest(d, known)} (sizes: ${known.join(", ") || "none"})`);
      return d;
    }
    throw new DslError(`${fn}: shape[${i}]: expected a positive integer or a size name, found ${what(d)}`);
  });
}

// ---- declarations --------------------------------------------------------------------------------

function declare(fn: string, section: "params" | "inputs" | "state", what: string, name: unknown, shape: unknown,
  options: Record<string, unknown>, dtype: DType, batched: boolean): Tensor {
  const ctx = active(fn);
  const n = checkName(fn, name, IDENT, IDENT_WORDS);
  const dims = checkShape(fn, ctx, shape);
  ctx.claim(n, what);
  const decl: TensorDecl = { shape: dims };
  for (const k of ["dtype", "init", "doc"] as const) if (options[k] !== undefined) (decl as unknown as Record<string, unknown>)[k] = options[k];
  ctx.doc[section][n] = decl;
  ctx.entry(`${section}.${n}`);
  let value: string | undefined;
  if (ctx.b && ctx.scope) {
    const concrete = dims.map((d) => (typeof d === "number" ? d : ctx.sizes[d]!));
    const t: TensorType = { dtype, shape: batched ? ["B", ...concrete] : concrete };
    value = ctx.b.input(n, t);
    ctx.scope.declare(n, value, dims, ctx.sizes);
  }
  const state: TensorState = { node: { kind: "ref", name: n }, ctx, value };
  if (section === "state") {
    ctx.states.set(n, dims);
    return new State({ ...state, stateName: n });
  }
  return new Tensor(state);
}

/** A trainable parameter, e.g. `param("Wgx", [H, I], { init: "glorot_uniform" })`. Parameters are f32. */
export function param(name: string, shape: Shape, options?: ParamOptions): Tensor {
  const o = checkOptions("param", options, ["init", "doc"]);
  return declare("param", "params", "a parameter", name, shape, o, "f32", false);
}

/** A per-step input, e.g. `input("x", [I])` (per example: the batch dimension is implicit). */
export function input(name: string, shape: Shape, options?: InputOptions): Tensor {
  const o = checkOptions("input", options, ["dtype", "doc"]);
  const dtype = o.dtype ?? "f32";
  if (dtype !== "f32" && dtype !== "i32") throw new DslError(`input: dtype must be "f32" or "i32", found ${what(dtype)}`);
  return declare("input", "inputs", "an input", name, shape, o, dtype, true);
}

/** A carried state, e.g. `state("h", [H])`; it starts at zeros. Give its next value in `next`. */
export function state(name: string, shape: Shape, options?: StateOptions): State {
  const o = checkOptions("state", options, ["doc"]);
  return declare("state", "state", "a state", name, shape, o, "f32", true) as State;
}

// ---- operations ---------------------------------------------------------------------------------

function toNode(fn: string, ctx: CellContext, v: unknown, i: number): { node: Node; value: string | undefined } {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new DslError(`${fn}: argument ${i + 1} must be a finite number, found ${v}`);
    const node: Node = { kind: "num", value: v };
    let value: string | undefined;
    if (ctx.b && ctx.scope) {
      value = ctx.b.scalar(v);
      ctx.scope.labels.set(value, formatExpr(toExpr(node)));
    }
    return { node, value };
  }
  if (!isTensor(v)) throw new DslError(`${fn}: argument ${i + 1} must be a tensor or a number, found ${what(v)}`);
  const s = v[INTERNAL];
  if (s.ctx !== ctx) {
    throw new DslError(`${fn}: argument ${i + 1} is a tensor of ${s.ctx.closed ? "a cell that is already built" : `another cell (${s.ctx.def.name})`}`);
  }
  return { node: s.node, value: s.value };
}

function op(fn: string, args: readonly unknown[], attrs: [string, AttrValue][] = []): Tensor {
  const ctx = active(fn);
  const ins = args.map((a, i) => toNode(fn, ctx, a, i));
  const node: Node = { kind: "op", op: fn, args: ins.map((x) => x.node), attrs };
  let value: string | undefined;
  if (ctx.b && ctx.scope) {
    value = ctx.b.op(fn, ins.map((x) => x.value!), Object.fromEntries(attrs));
    ctx.scope.labels.set(value, shorten(formatExpr(toExpr(node))));
  }
  return new Tensor({ node, ctx, value });
}

function shorten(s: string): string {
  const t = s.replace(/^\((.*)\)$/, "$1");
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

/** Attribute options of an op, checked and in the order given. */
function attrsOf(fn: string, options: unknown, kinds: Record<string, "int" | "bool" | "string" | "number" | "ints">): [string, AttrValue][] {
  const o = checkOptions(fn, options, Object.keys(kinds));
  const out: [string, AttrValue][] = [];
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const kind = kinds[k]!;
    const ok = kind === "int" ? Number.isInteger(v) : kind === "number" ? typeof v === "number" && Number.isFinite(v)
      : kind === "bool" ? typeof v === "boolean" : kind === "string" ? typeof v === "string"
      : Array.isArray(v) && v.every((x) => Number.isInteger(x));
    if (!ok) {
      const want = { int: "an integer", number: "a finite number", bool: "true or false", string: "a string", ints: "an array of integers" }[kind];
      throw new DslError(`${fn}: option "${k}" must be ${want}, found ${what(v)}`);
    }
    out.push([k, Array.isArray(v) ? [...(v as number[])] : (v as AttrValue)]);
  }
  return out;
}

function fold(fn: string, a: Operand, b: Operand, more: Operand[]): Tensor {
  let acc = op(fn, [a, b]);
  for (const m of more) acc = op(fn, [acc, m]);
  return acc;
}

/** `a + b + …` (broadcasting; several operands add left to right). */
export function add(a: Operand, b: Operand, ...more: Operand[]): Tensor { return fold("add", a, b, more); }
/** `a - b` */
export function sub(a: Operand, b: Operand): Tensor { return op("sub", [a, b]); }
/** `a * b * …` (elementwise, broadcasting). */
export function mul(a: Operand, b: Operand, ...more: Operand[]): Tensor { return fold("mul", a, b, more); }
/** `a / b` */
export function div(a: Operand, b: Operand): Tensor { return op("div", [a, b]); }
/** `-a` */
export function neg(a: Operand): Tensor { return op("neg", [a]); }
/** `W @ x`: a weight `[M, K]` times `x` `[..., K]` → `[..., M]`. */
export function matmul(W: Operand, x: Operand, options?: { transpose_a?: boolean }): Tensor {
  return op("matmul", [W, x], attrsOf("matmul", options, { transpose_a: "bool" }));
}
export function tanh(x: Operand): Tensor { return op("tanh", [x]); }
export function sigmoid(x: Operand): Tensor { return op("sigmoid", [x]); }
export function relu(x: Operand): Tensor { return op("relu", [x]); }
export function exp(x: Operand): Tensor { return op("exp", [x]); }
export function log(x: Operand): Tensor { return op("log", [x]); }
export function sqrt(x: Operand): Tensor { return op("sqrt", [x]); }
export function abs(x: Operand): Tensor { return op("abs", [x]); }
/** Elementwise maximum. */
export function maximum(a: Operand, b: Operand): Tensor { return op("maximum", [a, b]); }
/** Concatenation along `axis` (default the last). */
export function concat(xs: readonly Operand[], options?: { axis?: number }): Tensor {
  if (!Array.isArray(xs)) throw new DslError(`concat: expected an array of tensors, found ${what(xs)}`);
  return op("concat", xs, attrsOf("concat", options, { axis: "int" }));
}
/** `size` elements from `start` along `axis`. */
export function slice(x: Operand, options: { axis?: number; start: number; size: number }): Tensor {
  return op("slice", [x], attrsOf("slice", options, { axis: "int", start: "int", size: "int" }));
}
/** Sum of all elements, or along `axis`. */
export function sum(x: Operand, options?: { axis?: number; keepdims?: boolean }): Tensor {
  return op("sum", [x], attrsOf("sum", options, { axis: "int", keepdims: "bool" }));
}
/** Mean of all elements. */
export function mean(x: Operand): Tensor { return op("mean", [x]); }
export function softmax(x: Operand): Tensor { return op("softmax", [x]); }
export function log_softmax(x: Operand): Tensor { return op("log_softmax", [x]); }
export function cross_entropy(logits: Operand, targets: Operand, options?: { reduction?: "mean" | "sum" | "none" }): Tensor {
  return op("cross_entropy", [logits, targets], attrsOf("cross_entropy", options, { reduction: "string" }));
}
export function mse(a: Operand, b: Operand): Tensor { return op("mse", [a, b]); }
/** Rows of the table `E` `[V, D]` for integer ids. */
export function embedding(E: Operand, ids: Operand): Tensor { return op("embedding", [E, ids]); }
export function one_hot(ids: Operand, options: { depth: number }): Tensor {
  return op("one_hot", [ids], attrsOf("one_hot", options, { depth: "int" }));
}
/** `cond ? a : b`, elementwise. */
export function where(cond: Operand, a: Operand, b: Operand): Tensor { return op("where", [cond, a, b]); }
/** A constant tensor: `value` everywhere, of shape `shape` (default a scalar). */
export function constant(options: { value: number; shape?: readonly number[] }): Tensor {
  return op("constant", [], attrsOf("constant", options, { value: "number", shape: "ints" }));
}
/** The value of x, with no gradient flowing back through it. */
export function stop_gradient(x: Operand): Tensor { return op("stop_gradient", [x]); }
export function sequence_mask(lengths: Operand, like: Operand): Tensor { return op("sequence_mask", [lengths, like]); }
/** Converts to f32. */
export function float(x: Operand): Tensor { return op("float", [x]); }

/** The DSL functions that correspond to ops, with the names of their options (in order). */
export const OP_FUNCTIONS: Readonly<Record<string, readonly string[]>> = {
  add: [], sub: [], mul: [], div: [], neg: [], matmul: ["transpose_a"], tanh: [], sigmoid: [], relu: [], exp: [], log: [],
  sqrt: [], abs: [], maximum: [], concat: ["axis"], slice: ["axis", "start", "size"], sum: ["axis", "keepdims"], mean: [],
  softmax: [], log_softmax: [], cross_entropy: ["reduction"], mse: [], embedding: [], one_hot: ["depth"], where: [],
  constant: ["value", "shape"], stop_gradient: [], sequence_mask: [], float: [],
};

// ---- naming, next values, outputs ----------------------------------------------------------------

/**
 * A named equation: `eq("g", tanh(…))` appears as `"g": "tanh(…)"` in the document, and is
 * computed once however often it is used. Names may end in primes (`"h'"`).
 */
export function eq(name: string, value: Operand): Tensor {
  const ctx = active("eq");
  const n = checkName("eq", name, EQ_NAME, `${IDENT_WORDS}, optionally ending in primes`);
  const v = toNode("eq", ctx, value, 1);
  ctx.claim(n, "an equation");
  ctx.doc.equations[n] = render(v.node);
  ctx.entry(`equations.${n}`);
  if (v.value !== undefined) ctx.scope!.define(n, v.value);
  // later uses of the same value (also inside other expressions) read the equation instead of repeating it
  if (isTensor(value) && value[INTERNAL].node.kind === "op") {
    const node = value[INTERNAL].node as unknown as Record<string, unknown>;
    delete node.op;
    delete node.args;
    delete node.attrs;
    Object.assign(node, { kind: "ref", name: n });
  }
  return new Tensor({ node: { kind: "ref", name: n }, ctx, value: v.value });
}

function setNext(ctx: CellContext, key: string, value: unknown, site?: { object: object; key: string }): void {
  const path = `next.${key}`;
  if (site) ctx.entry(path, site);
  if (!ctx.states.has(key)) {
    const names = [...ctx.states.keys()];
    throw new DslError(`"${key}" is not a state${suggest(key, names)}${names.length ? ` (states: ${names.join(", ")})` : " (the cell has none)"}`, site ? path : undefined);
  }
  if (key in ctx.doc.next) throw new DslError(`the next value of state ${key} is given twice`, site ? path : undefined);
  const v = valueNode(ctx, `the next value of state ${key}`, value, site ? path : undefined);
  ctx.doc.next[key] = render(v.node);
  if (!site) ctx.entry(path);
  if (v.value !== undefined) {
    const got = ctx.b!.type(v.value);
    const dims = ctx.states.get(key)!;
    const want = ["B", ...dims.map((d) => (typeof d === "number" ? d : ctx.sizes[d]!))];
    if (got.shape.length !== want.length || got.shape.some((d, i) => d !== want[i])) {
      throw new DslError(`the next value of state ${key} must be ${describeType({ dtype: "f32", shape: want as TensorType["shape"] }, dims, ctx.sizes)}, got ${ctx.scope!.show(v.value)}`, path);
    }
  }
}

function setOutput(ctx: CellContext, name: string, value: unknown, site?: { object: object; key: string }): void {
  const path = `outputs.${name}`;
  if (site) ctx.entry(path, site);
  if (name in ctx.doc.outputs) throw new DslError(`the output ${name} is given twice`, site ? path : undefined);
  const v = valueNode(ctx, `the output ${name}`, value, site ? path : undefined);
  ctx.doc.outputs[name] = render(v.node);
  if (!site) ctx.entry(path);
  if (v.value !== undefined) {
    const t = ctx.b!.type(v.value);
    if (t.shape[0] !== "B") throw new DslError(`a per-step output must depend on the example (got a value of shape ${formatShape(t.shape)})`, path);
  }
}

/** toNode for a next value or an output; `path` locates errors when the value came from a returned object. */
function valueNode(ctx: CellContext, label: string, value: unknown, path: string | undefined): { node: Node; value: string | undefined } {
  if (typeof value === "number" ? !Number.isFinite(value) : !isTensor(value)) {
    throw new DslError(`${label} must be a tensor or a finite number, found ${what(value)}`, path);
  }
  try {
    return toNode("next", ctx, value, 1);
  } catch (e) {
    if (e instanceof DslError) throw new DslError(e.message.replace(/^next: argument 2/, label), path);
    throw e;
  }
}

/** Gives the next value of a state: `next(h, h2)` is `next: { h: h2 }` in the returned object. */
export function next(s: State, value: Operand): void {
  const ctx = active("next");
  if (!isTensor(s) || s[INTERNAL].stateName === undefined) throw new DslError(`next: expected a state (what state() returns) as the first argument, found ${what(s)}`);
  if (s[INTERNAL].ctx !== ctx) throw new DslError(`next: the state belongs to another cell`);
  setNext(ctx, s[INTERNAL].stateName, value);
}

/** A per-step output: `output("h", h2)` is `outputs: { h: h2 }` in the returned object. */
export function output(name: string, value: Operand): void {
  const ctx = active("output");
  setOutput(ctx, checkName("output", name, IDENT, IDENT_WORDS), value);
}

// ---- cells ---------------------------------------------------------------------------------------

/**
 * Defines a cell. The body receives the size names (`({ I, H }) => …`), declares inputs, states
 * and parameters, computes with them, and returns `{ next: { state: value }, outputs: { name: value } }`
 * (or gives them with {@link next} and {@link output}).
 */
export function cell<const S extends Readonly<Record<string, number>>>(
  name: string, sizes: S, body: (dims: Dims<S>) => CellResult | void, options?: CellOptions,
): CellDef<S> {
  const n = checkName("cell", name, CELL_NAME, "letters, digits, _, - and ., starting with a letter or _");
  if (typeof sizes !== "object" || sizes === null || Array.isArray(sizes) || isTensor(sizes)) {
    throw new DslError(`cell: expected the sizes as an object { I: 4, H: 8 }, found ${what(sizes)}`);
  }
  for (const [k, v] of Object.entries(sizes)) {
    if (!IDENT.test(k)) throw new DslError(`cell: "${k}" is not a valid size name (${IDENT_WORDS})`, `sizes.${k}`);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX_SIZE) {
      throw new DslError(`cell: size ${k} must be a positive integer (at most ${MAX_SIZE}), found ${what(v)}`, `sizes.${k}`);
    }
  }
  if (typeof body !== "function") throw new DslError(`cell: expected the body as a function ({ ${Object.keys(sizes).join(", ")} }) => { … }, found ${what(body)}`);
  const o = checkOptions("cell", options, ["doc"]);
  if (o.doc !== undefined && typeof o.doc !== "string") throw new DslError(`cell: option "doc" must be a string, found ${what(o.doc)}`);
  return Object.freeze({ [CELL]: true as const, name: n, sizes, doc: o.doc as string | undefined, body });
}

/** Sizes with valid overrides applied; null when an override is invalid (buildCell reports it). */
function checkedSizes(defaults: Record<string, number>, overrides: Record<string, number>): Record<string, number> | null {
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in defaults) || !Number.isInteger(v) || v < 1 || v > MAX_SIZE) return null;
  }
  return { ...defaults, ...overrides };
}

/**
 * Runs a cell's body and returns its document — the same object a JSON cell file holds. Shapes
 * are checked as the body runs, with the cell's sizes (or `overrides`).
 */
export function toDocument<S extends Readonly<Record<string, number>>>(def: CellDef<S>, options: ToDocumentOptions = {}): CellDocument {
  if (!isCellDef(def)) throw new DslError(`toDocument: expected what cell(...) returns, found ${what(def)}`);
  const sizes = checkedSizes(def.sizes, options.overrides ?? {});
  const ctx = new CellContext(def, sizes ?? { ...def.sizes }, sizes !== null, options.hooks ?? {});
  const dims = Object.fromEntries(Object.keys(def.sizes).map((k) => [k, k]));
  Object.defineProperty(dims, DIMS, { value: true });
  Object.freeze(dims);
  stack.push(ctx);
  try {
    const result: unknown = def.body(dims as Dims<S>);
    if (result !== undefined) {
      if (typeof result !== "object" || result === null || Array.isArray(result) || isTensor(result)) {
        throw new DslError(`the cell body must return { next, outputs } (or nothing), found ${what(result)}`);
      }
      for (const k of Object.keys(result)) {
        if (k !== "next" && k !== "outputs") {
          ctx.entry(`result.${k}`, { object: result, key: k });
          throw new DslError(`the cell body returned an unknown key "${k}"${suggest(k, ["next", "outputs"])} (it may return next and outputs)`, `result.${k}`);
        }
      }
      const r = result as Record<string, unknown>;
      for (const section of ["next", "outputs"] as const) {
        const m = r[section];
        if (m === undefined) continue;
        if (typeof m !== "object" || m === null || Array.isArray(m) || isTensor(m)) {
          ctx.entry(`result.${section}`, { object: result, key: section });
          throw new DslError(`${section} must be an object { name: value }, found ${what(m)}`, `result.${section}`);
        }
        for (const [k, v] of Object.entries(m)) {
          if (section === "next") setNext(ctx, k, v, { object: m, key: k });
          else setOutput(ctx, k, v, { object: m, key: k });
        }
      }
    }
    for (const name of ctx.states.keys()) {
      if (!(name in ctx.doc.next)) {
        throw new DslError(`state ${name} has no next value: return { next: { ${name}: … } } or call next(${name}, …)`, `state.${name}`);
      }
    }
  } finally {
    stack.pop();
    ctx.closed = true;
  }
  return ctx.doc;
}

// ---- rendering equations -------------------------------------------------------------------------

const BINARY: Record<string, { sym: "+" | "-" | "*" | "/" | "@"; prec: number }> = {
  add: { sym: "+", prec: 1 }, sub: { sym: "-", prec: 1 }, mul: { sym: "*", prec: 2 }, div: { sym: "/", prec: 2 }, matmul: { sym: "@", prec: 2 },
};

/** The expression AST (compiler/frontend/expr.ts) of a node. */
function toExpr(n: Node): Expr {
  switch (n.kind) {
    case "ref": return { kind: "name", name: n.name, pos: 0 };
    case "num": return { kind: "num", value: n.value, pos: 0 };
    case "op": {
      const b = BINARY[n.op];
      if (b && n.args.length === 2 && n.attrs.length === 0) return { kind: "binary", op: b.sym, left: toExpr(n.args[0]!), right: toExpr(n.args[1]!), pos: 0 };
      return {
        kind: "call", fn: n.op, args: n.args.map(toExpr), pos: 0,
        kwargs: n.attrs.map(([name, v]) => ({ name, pos: 0, value: Array.isArray(v) ? { kind: "list", items: v.map((x) => ({ kind: "num", value: x, pos: 0 })), pos: 0 } as Expr
          : typeof v === "number" ? { kind: "num", value: v, pos: 0 } as Expr : { kind: "name", name: String(v), pos: 0 } as Expr })),
      };
    }
  }
}

/** Can this node be written in the expression syntax? (String attributes must be names.) */
function expressible(n: Node): boolean {
  if (n.kind !== "op") return true;
  return n.attrs.every(([, v]) => typeof v !== "string" || IDENT.test(v)) && n.args.every(expressible);
}

/** An equation as the document holds it: an expression string, a number, or a node object. */
function render(n: Node): Equation {
  if (n.kind !== "op" || expressible(n)) return infix(n, 0);
  const attrs = Object.fromEntries(n.attrs);
  return { op: n.op, args: n.args.map(render), ...attrs };
}

/** Infix text with the fewest parentheses that parse back to the same tree. */
function infix(n: Node, minPrec: number): string {
  const wrap = (s: string, prec: number) => (prec < minPrec ? `(${s})` : s);
  switch (n.kind) {
    case "ref": return n.name;
    case "num": return n.value < 0 || Object.is(n.value, -0) ? wrap(String(Object.is(n.value, -0) ? "-0" : n.value), 3) : String(n.value);
    case "op": {
      const b = BINARY[n.op];
      if (b && n.args.length === 2 && n.attrs.length === 0) {
        return wrap(`${infix(n.args[0]!, b.prec)} ${b.sym} ${infix(n.args[1]!, b.prec + 1)}`, b.prec);
      }
      // -x for a tensor; neg(2) for a number (-2 would be the number itself)
      if (n.op === "neg" && n.args.length === 1 && n.attrs.length === 0 && n.args[0]!.kind !== "num") return wrap(`-${infix(n.args[0]!, 3)}`, 3);
      const args = n.args.map((a) => infix(a, 0));
      const kwargs = n.attrs.map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(", ")}]` : String(v)}`);
      return `${n.op}(${[...args, ...kwargs].join(", ")})`;
    }
  }
}
