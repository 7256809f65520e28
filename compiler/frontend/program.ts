import { dirname, resolve } from "node:path";
import { RnncError } from "../diagnostics.ts";
import { Builder, emptyGraph } from "../ir/builder.ts";
import "../ops/index.ts";
import type { DType, Graph, TensorType } from "../ir/types.ts";
import { formatShape } from "../ir/types.ts";
import { MAX_CHECKPOINT } from "../ops/scan.ts";
import { eliminateDeadCode } from "../passes/dce.ts";
import type { Expr } from "./expr.ts";
import type { Equation } from "./equations.ts";
import { describeType, nodeToExpr, orderEquations, referencedNames, resolveShape, Scope, suggest } from "./equations.ts";
import { readJsonFile, validateDocument } from "./schema.ts";
import { resetFlags, unresettableState, withResets } from "./resets.ts";

import type { CellDoc, InitSpec, TensorDecl } from "./documents.ts";
export type { CellDoc, InitSpec, TensorDecl } from "./documents.ts";

interface ScanEq {
  scan: string;
  xs: Record<string, Equation>;
  sizes?: Record<string, number | string>;
  init?: Record<string, Equation>;
  reverse?: boolean;
  lengths?: string;
  resets?: string;
  truncate?: number;
  checkpoint?: number;
}

interface ModelDoc {
  rnnc: "model";
  name: string;
  sizes?: Record<string, number>;
  cells?: Record<string, { file: string } | CellDoc>;
  inputs: Record<string, TensorDecl>;
  params?: Record<string, TensorDecl>;
  equations: Record<string, Equation | ScanEq>;
  outputs?: Record<string, Equation>;
  loss?: Equation;
}

export interface ParamInfo { name: string; shape: number[]; init: InitSpec }

/** A cell compiled to a scan body: (params, state, inputs) → (next state, outputs). */
export interface Cell {
  name: string;
  file: string;
  sizes: Record<string, number>;
  params: ParamInfo[];
  state: { name: string; shape: number[] }[];
  inputs: { name: string; shape: number[]; dtype: DType }[];
  outputs: string[];
  body: Graph;
}

/**
 * What the outside world sees of a compiled cell or model: the forward graph and the role of
 * each of its inputs and outputs. Graph inputs are params ++ inputs ++ states (initial values,
 * zeros when not given); graph outputs are outputs ++ state finals ++ [loss].
 */
export interface Program {
  kind: "cell" | "model";
  name: string;
  file: string;
  sizes: Record<string, number>;
  graph: Graph;
  params: ParamInfo[];
  inputs: { name: string; type: TensorType }[];
  /** Carried state: its initial value is graph input `input` (zeros when not given; null when the
   * model computes it), its final value graph output `final`. */
  states: { name: string; type: TensorType; input: string | null; final: string }[];
  outputs: { name: string; value: string }[];
  loss: string | null;
}

export type SizeOverrides = Record<string, number>;

/** The largest size a document or --dims may give (as in the schemas). */
export const MAX_SIZE = 1_000_000_000;

/** Applies --dims overrides to a document's default sizes. */
function applySizes(file: string, defaults: Record<string, number> = {}, overrides: SizeOverrides = {}, strict = true): Record<string, number> {
  const sizes = { ...defaults };
  for (const [k, v] of Object.entries(overrides)) {
    if (!(k in sizes) && strict) {
      throw new RnncError(`${file}: --dims: unknown size "${k}"${suggest(k, Object.keys(sizes))} (sizes: ${Object.keys(sizes).join(", ") || "none"})`);
    }
    if (!Number.isInteger(v) || v < 1) throw new RnncError(`${file}: --dims: size ${k} must be a positive integer, got ${v}`);
    if (v > MAX_SIZE) throw new RnncError(`${file}: --dims: size ${k} must be at most ${MAX_SIZE}, got ${v}`);
    sizes[k] = v;
  }
  return sizes;
}

function concrete(file: string, where: string, dims: (string | number)[], sizes: Record<string, number>): number[] {
  return resolveShape(dims, sizes, file, where) as number[];
}

// ---- cells ------------------------------------------------------------------------------------

export function buildCell(doc: unknown, file: string, overrides: SizeOverrides = {}): Cell {
  validateDocument(doc, "cell", file);
  const d = doc as CellDoc;
  const sizes = applySizes(file, d.sizes, overrides);
  const b = new Builder(emptyGraph());
  const scope = new Scope(b, file);
  const taken = new Map<string, string>();
  const claim = (name: string, what: string, where: string) => {
    const prev = taken.get(name);
    if (prev) throw new RnncError(`${file}: ${where}: "${name}" is already defined as ${prev}`);
    taken.set(name, what);
  };

  const params: ParamInfo[] = Object.entries(d.params).map(([name, decl]) => {
    claim(name, "a parameter", `params.${name}`);
    if (decl.dtype && decl.dtype !== "f32") throw new RnncError(`${file}: params.${name}.dtype: parameters are f32`);
    const shape = concrete(file, `params.${name}.shape`, decl.shape, sizes);
    scope.declare(name, b.input(name, { dtype: "f32", shape }), decl.shape, sizes);
    return { name, shape, init: decl.init ?? (decl.shape.length === 1 ? "zeros" : "glorot_uniform") };
  });
  const state = Object.entries(d.state).map(([name, decl]) => {
    claim(name, "a state", `state.${name}`);
    const shape = concrete(file, `state.${name}.shape`, decl.shape, sizes);
    if (decl.dtype && decl.dtype !== "f32") throw new RnncError(`${file}: state.${name}.dtype: expected "f32" (state is always f32), found "${decl.dtype}"`);
    scope.declare(name, b.input(name, { dtype: "f32", shape: ["B", ...shape] }), decl.shape, sizes);
    return { name, shape };
  });
  const inputs = Object.entries(d.inputs).map(([name, decl]) => {
    claim(name, "an input", `inputs.${name}`);
    const shape = concrete(file, `inputs.${name}.shape`, decl.shape, sizes);
    const dtype = decl.dtype ?? "f32";
    scope.declare(name, b.input(name, { dtype, shape: ["B", ...shape] }), decl.shape, sizes);
    return { name, shape, dtype };
  });

  // equations, in dependency order
  const exprs = new Map<string, Expr>();
  for (const [name, eq] of Object.entries(d.equations)) {
    claim(name, "an equation", `equations.${name}`);
    exprs.set(name, nodeToExpr(eq, `${file}: equations.${name}`));
  }
  lowerInOrder(scope, exprs, "equations", (ref) => (exprs.has(ref) ? ref : undefined));

  const stateNames = state.map((s) => s.name);
  for (const name of Object.keys(d.next)) {
    if (!stateNames.includes(name)) throw new RnncError(`${file}: next.${name}: "${name}" is not a state${stateNames.length ? ` (states: ${stateNames.join(", ")})` : " (the cell has none)"}`);
  }
  const next = state.map((s) => {
    const eq = d.next[s.name];
    if (eq === undefined) throw new RnncError(`${file}: next: missing the next value of state "${s.name}"`);
    return scope.lower(nodeToExpr(eq, `${file}: next.${s.name}`), `next.${s.name}`);
  });
  next.forEach((v, i) => {
    const st = state[i]!;
    const got = b.type(v);
    if (got.dtype !== "f32") {
      throw new RnncError(`${file}: next.${st.name}: the next value of state ${st.name} must be f32 (state is always f32), got ${scope.show(v)} of dtype ${got.dtype} (convert it with float(...))`);
    }
    const want = ["B", ...st.shape];
    const ok = got.shape.length === want.length && got.shape.every((x, k) => x === want[k]);
    if (!ok) {
      // a value without the (hidden) batch dim prints like a per-example one: say what differs
      const shared = got.shape[0] !== "B" ? ", which does not depend on the example" : "";
      throw new RnncError(`${file}: next.${st.name}: the next value of state ${st.name} must be ${describeType({ dtype: "f32", shape: want as TensorType["shape"] }, d.state[st.name]!.shape, sizes)}, got ${scope.show(v)}${shared}`);
    }
  });
  const outputs = Object.entries(d.outputs).map(([name, eq]) => {
    const v = scope.lower(nodeToExpr(eq, `${file}: outputs.${name}`), `outputs.${name}`);
    if (b.type(v).shape[0] !== "B") throw new RnncError(`${file}: outputs.${name}: a per-step output must depend on the example (got a value of shape ${formatShape(b.type(v).shape)})`);
    return { name, v };
  });
  b.graph.outputs = [...next, ...outputs.map((o) => o.v)];
  return {
    name: d.name,
    file,
    sizes,
    params,
    state,
    inputs,
    outputs: outputs.map((o) => o.name),
    body: eliminateDeadCode(b.graph),
  };
}

function lowerInOrder(scope: Scope, exprs: Map<string, Expr>, section: string, owner: (ref: string) => string | undefined,
  special?: (name: string) => boolean): void {
  const deps = new Map<string, Set<string>>();
  for (const [name, e] of exprs) deps.set(name, referencedNames(e));
  for (const name of orderEquations(deps, owner, scope.file, section)) {
    if (special?.(name)) continue;
    const v = scope.lower(exprs.get(name)!, `${section}.${name}`, name);
    scope.define(name, v);
  }
}

/** A cell file run over a batch of sequences: one scan. */
export function programFromCell(cell: Cell): Program {
  if (cell.inputs.length === 0) throw new RnncError(`${cell.file}: inputs: the cell has no per-step inputs, so a scan over it has no length`);
  const b = new Builder(emptyGraph());
  const params = cell.params.map((p) => b.input(p.name, { dtype: "f32", shape: p.shape }));
  const xs = cell.inputs.map((x) => b.input(x.name, { dtype: x.dtype, shape: ["T", "B", ...x.shape] }));
  const inits = cell.state.map((s) => b.input(s.name, { dtype: "f32", shape: ["B", ...s.shape] }));
  const outs = b.ops("scan", [...params, ...inits, ...xs], {
    body: cell.body, n_consts: params.length, n_carry: inits.length, n_xs: xs.length, reverse: false, has_lengths: false,
  }, "scan");
  const finals = outs.slice(0, inits.length);
  const ys = outs.slice(inits.length);
  b.graph.outputs = [...ys, ...finals];
  return {
    kind: "cell",
    name: cell.name,
    file: cell.file,
    sizes: cell.sizes,
    graph: b.graph,
    params: cell.params,
    inputs: cell.inputs.map((x, i) => ({ name: x.name, type: b.type(xs[i]!) })),
    states: cell.state.map((s, i) => ({ name: s.name, type: b.type(inits[i]!), input: inits[i]!, final: finals[i]! })),
    outputs: cell.outputs.map((name, i) => ({ name, value: ys[i]! })),
    loss: null,
  };
}

// ---- models ------------------------------------------------------------------------------------

function isScanEq(eq: unknown): eq is ScanEq {
  return typeof eq === "object" && eq !== null && "scan" in eq;
}

/**
 * How a model reads a cell file it names: JSON by default. compiler/frontend/load.ts adds the
 * TypeScript reader (`*.cell.ts`, evaluated statically), which this module does not import: the
 * DSL depends on the frontend, not the other way round.
 */
export interface ModelOptions {
  readCellFile?: (path: string) => unknown;
}

export function buildModel(doc: unknown, file: string, overrides: SizeOverrides = {}, opts: ModelOptions = {}): Program {
  validateDocument(doc, "model", file);
  const readCell = opts.readCellFile ?? readJsonFile;
  const d = doc as ModelDoc;
  const sizes = applySizes(file, d.sizes, overrides);
  const b = new Builder(emptyGraph());
  const scope = new Scope(b, file, false);
  const params: ParamInfo[] = [];
  const taken = new Map<string, string>();
  /** `name f32 [T, B, 4]`: a model value with its dtype and full shape, for messages. */
  const typed = (v: string) => `${scope.labels.get(v) ?? v} ${b.type(v).dtype} ${formatShape(b.type(v).shape)}`;
  const inputs: Program["inputs"] = [];
  const states: Program["states"] = [];

  for (const [name, decl] of Object.entries(d.params ?? {})) {
    taken.set(name, "a parameter");
    const shape = concrete(file, `params.${name}.shape`, decl.shape, sizes);
    scope.declare(name, b.input(name, { dtype: "f32", shape }), decl.shape, sizes);
    params.push({ name, shape, init: decl.init ?? (decl.shape.length === 1 ? "zeros" : "glorot_uniform") });
  }
  for (const [name, decl] of Object.entries(d.inputs)) {
    if (taken.has(name)) throw new RnncError(`${file}: inputs.${name}: "${name}" is already defined as ${taken.get(name)}`);
    taken.set(name, "an input");
    const shape = concrete(file, `inputs.${name}.shape`, decl.shape, sizes);
    const type: TensorType = { dtype: decl.dtype ?? "f32", shape: decl.sequence ? ["T", "B", ...shape] : ["B", ...shape] };
    scope.declare(name, b.input(name, type), decl.shape, sizes);
    inputs.push({ name, type });
  }

  const cellCache = new Map<string, unknown>();
  const cellDoc = (cellName: string, where: string): { doc: unknown; file: string } => {
    const ref = d.cells?.[cellName];
    if (!ref) {
      const known = Object.keys(d.cells ?? {});
      throw new RnncError(`${file}: ${where}: unknown cell "${cellName}"${suggest(cellName, known)}${known.length ? ` (cells: ${known.join(", ")})` : " (the model declares no cells)"}`);
    }
    if ("file" in ref && typeof ref.file === "string") {
      const path = resolve(dirname(file), ref.file);
      if (!cellCache.has(path)) {
        try {
          cellCache.set(path, readCell(path));
        } catch (e) {
          // say which model entry names the missing file; malformed JSON already names the cell file
          if (e instanceof RnncError && e.message.startsWith(`${path}: cannot read file`)) {
            throw new RnncError(`${file}: cells.${cellName}.file: ${e.message}`);
          }
          throw e;
        }
      }
      return { doc: cellCache.get(path), file: path };
    }
    return { doc: ref, file: `${file}#cells.${cellName}` };
  };

  const exprs = new Map<string, Expr>();
  const scans = new Map<string, ScanEq>();
  for (const [name, eq] of Object.entries(d.equations)) {
    if (taken.has(name)) throw new RnncError(`${file}: equations.${name}: "${name}" is already defined as ${taken.get(name)}`);
    if (isScanEq(eq)) {
      scans.set(name, eq);
      // a scan reads its xs, init, lengths and resets: record them as one synthetic call for ordering
      const where = `${file}: equations.${name}`;
      const args = [
        ...Object.entries(eq.xs).map(([k, a]) => nodeToExpr(a, `${where}.xs.${k}`)),
        ...Object.entries(eq.init ?? {}).map(([k, a]) => nodeToExpr(a, `${where}.init.${k}`)),
        ...(eq.lengths !== undefined ? [nodeToExpr(eq.lengths, `${where}.lengths`)] : []),
        ...(eq.resets !== undefined ? [nodeToExpr(eq.resets, `${where}.resets`)] : []),
      ];
      exprs.set(name, { kind: "call", fn: "scan", args, kwargs: [], pos: 0 });
    } else exprs.set(name, nodeToExpr(eq, `${file}: equations.${name}`));
  }
  const owner = (ref: string) => {
    if (exprs.has(ref)) return ref;
    const head = ref.split(".")[0]!;
    return scans.has(head) ? head : undefined;
  };
  const deps = new Map<string, Set<string>>();
  for (const [name, e] of exprs) deps.set(name, referencedNames(e));
  for (const name of orderEquations(deps, owner, file, "equations")) {
    const scan = scans.get(name);
    if (!scan) {
      scope.define(name, scope.lower(exprs.get(name)!, `equations.${name}`, name));
      continue;
    }
    lowerScan(name, scan);
  }

  function lowerScan(name: string, eq: ScanEq): void {
    const where = `equations.${name}`;
    const { doc: cd, file: cf } = cellDoc(eq.scan, `${where}.scan`);
    validateDocument(cd, "cell", cf);
    const cellDefaults = (cd as CellDoc).sizes ?? {};
    for (const k of Object.keys(eq.sizes ?? {})) {
      if (!(k in cellDefaults)) {
        const known = Object.keys(cellDefaults);
        throw new RnncError(`${file}: ${where}.sizes.${k}: the cell ${(cd as CellDoc).name} has no size "${k}"${suggest(k, known)} (sizes: ${known.join(", ") || "none"})`);
      }
    }
    const cellSizes: SizeOverrides = {};
    for (const [k, v] of Object.entries(eq.sizes ?? {})) {
      if (typeof v === "number") cellSizes[k] = v;
      else if (sizes[v] === undefined) throw new RnncError(`${file}: ${where}.sizes.${k}: unknown size "${v}"${suggest(v, Object.keys(sizes))} (the model's sizes: ${Object.keys(sizes).join(", ") || "none"})`);
      else cellSizes[k] = sizes[v]!;
    }
    const cell = buildCell(cd, cf, cellSizes);
    const consts = cell.params.map((p) => {
      const pname = `${name}.${p.name}`;
      params.push({ name: pname, shape: p.shape, init: p.init });
      const v = b.input(pname, { dtype: "f32", shape: p.shape });
      scope.define(pname, v);
      return v;
    });
    if (cell.inputs.length === 0) throw new RnncError(`${file}: ${where}.scan: the cell ${cell.name} has no per-step inputs, so the scan has no length`);
    for (const k of Object.keys(eq.xs)) {
      if (!cell.inputs.some((x) => x.name === k)) throw new RnncError(`${file}: ${where}.xs.${k}: the cell ${cell.name} has no input "${k}" (inputs: ${cell.inputs.map((x) => x.name).join(", ")})`);
    }
    const xs = cell.inputs.map((x) => {
      const e = eq.xs[x.name];
      if (e === undefined) throw new RnncError(`${file}: ${where}.xs: missing the sequence for the cell's input "${x.name}"`);
      const v = scope.lower(nodeToExpr(e, `${file}: ${where}.xs.${x.name}`), `${where}.xs.${x.name}`);
      const t = b.type(v);
      const want = ["T", "B", ...x.shape];
      if (t.dtype !== x.dtype || t.shape.length !== want.length || t.shape.some((s, i) => s !== want[i])) {
        throw new RnncError(`${file}: ${where}.xs.${x.name}: the cell input ${x.name} takes ${x.dtype} [${x.shape.join(", ")}] per step, so it needs a ${x.dtype} sequence [T, ${[..."B", ...x.shape].join(", ")}]; got ${typed(v)}`);
      }
      return v;
    });
    for (const k of Object.keys(eq.init ?? {})) {
      if (!cell.state.some((s) => s.name === k)) throw new RnncError(`${file}: ${where}.init.${k}: the cell ${cell.name} has no state "${k}"`);
    }
    const inits = cell.state.map((s) => {
      const e = eq.init?.[s.name];
      if (e === undefined) {
        const type: TensorType = { dtype: "f32", shape: ["B", ...s.shape] };
        const v = b.input(`${name}.init.${s.name}`, type);
        states.push({ name: `${name}.${s.name}`, type, input: v, final: "" });
        return v;
      }
      const v = scope.lower(nodeToExpr(e, `${file}: ${where}.init.${s.name}`), `${where}.init.${s.name}`);
      const t = b.type(v);
      if (t.dtype !== "f32" || t.shape.length !== s.shape.length + 1 || t.shape[0] !== "B" || s.shape.some((x, i) => t.shape[i + 1] !== x)) {
        throw new RnncError(`${file}: ${where}.init.${s.name}: the cell state ${s.name} is f32 [${s.shape.join(", ")}] per example, so its initial value must be f32 [${["B", ...s.shape].join(", ")}]; got ${typed(v)}`);
      }
      return v;
    });
    let lengths: string[] = [];
    if (eq.lengths !== undefined) {
      const v = scope.lower(nodeToExpr(eq.lengths, `${file}: ${where}.lengths`), `${where}.lengths`);
      const t = b.type(v);
      if (t.dtype !== "i32" || t.shape.length !== 1 || t.shape[0] !== "B") {
        throw new RnncError(`${file}: ${where}.lengths: expected one length per sequence, i32 [B]; got ${typed(v)}`);
      }
      lengths = [v];
    }
    let body = cell.body;
    if (eq.resets !== undefined) {
      const v = scope.lower(nodeToExpr(eq.resets, `${file}: ${where}.resets`), `${where}.resets`);
      const t = b.type(v);
      if (t.dtype !== "i32" || t.shape.length !== 2 || t.shape[0] !== "T" || t.shape[1] !== "B") {
        throw new RnncError(`${file}: ${where}.resets: expected one 0/1 flag per step and sequence, i32 [T, B] (1: the state is zeroed before that step); got ${typed(v)}`);
      }
      const bad = unresettableState(body, consts.length, inits.length);
      if (bad !== null) {
        const s = cell.state.find((x) => x.name === bad);
        throw new RnncError(`${file}: ${where}.resets: the cell state ${bad} is f32 [${s?.shape.join(", ")}] per example; resets can zero states that are scalars or vectors per example`);
      }
      xs.push(resetFlags(b, v, `${name}.resets`));
      body = withResets(body, consts.length, inits.length);
    }
    if (eq.checkpoint !== undefined && eq.checkpoint > MAX_CHECKPOINT) {
      throw new RnncError(`${file}: ${where}.checkpoint: at most ${MAX_CHECKPOINT}, found ${eq.checkpoint}: the training loops shift k saved states at every step (work and memory per step grow with k), and the memory of a sequence, about T/k + 6·k states, is lowest near k = √(T/6)`);
    }
    const outs = b.ops("scan", [...consts, ...inits, ...xs, ...lengths], {
      body, n_consts: consts.length, n_carry: inits.length, n_xs: xs.length,
      reverse: eq.reverse ?? false, has_lengths: lengths.length > 0, ...(eq.truncate ? { truncate: eq.truncate } : {}),
      ...(eq.checkpoint ? { checkpoint: eq.checkpoint, keep_in_loop: true } : {}),
    }, name);
    cell.state.forEach((s, i) => {
      scope.define(`${name}.final.${s.name}`, outs[i]!);
      const st = states.find((x) => x.name === `${name}.${s.name}`);
      if (st) st.final = outs[i]!;
      else states.push({ name: `${name}.${s.name}`, type: b.type(outs[i]!), input: null, final: outs[i]! });
    });
    cell.outputs.forEach((o, i) => scope.define(`${name}.${o}`, outs[cell.state.length + i]!));
  }

  const outputs = Object.entries(d.outputs ?? {}).map(([oname, eq]) => ({
    name: oname,
    value: scope.lower(nodeToExpr(eq, `${file}: outputs.${oname}`), `outputs.${oname}`),
  }));
  let loss: string | null = null;
  if (d.loss !== undefined) {
    loss = scope.lower(nodeToExpr(d.loss, `${file}: loss`), "loss");
    const t = b.type(loss);
    if (t.shape.length !== 0) throw new RnncError(`${file}: loss: the loss must be a scalar, got ${t.dtype} ${formatShape(t.shape)} (reduce it with mean(...) or sum(...))`);
  }
  b.graph.outputs = [...outputs.map((o) => o.value), ...states.map((s) => s.final), ...(loss ? [loss] : [])];
  // the graph's inputs: params, inputs, then initial states
  b.graph.inputs = [...params.map((p) => p.name), ...inputs.map((i) => i.name), ...states.flatMap((s) => (s.input ? [s.input] : []))];
  return {
    kind: "model", name: d.name, file, sizes, graph: b.graph, params, inputs,
    states,
    outputs, loss,
  };
}

/** Loads a cell or model file (the `rnnc` key says which) as a Program. */
export function loadProgram(file: string, overrides: SizeOverrides = {}, opts: ModelOptions = {}): Program {
  const doc = readJsonFile(file);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new RnncError(`${file}: (root): expected a cell or model object {"rnnc": "cell" or "model", ...}, found ${Array.isArray(doc) ? "an array" : JSON.stringify(doc)}`);
  }
  const kind = (doc as { rnnc?: unknown }).rnnc;
  if (kind === "model") return buildModel(doc, file, overrides, opts);
  if (kind === "cell") return programFromCell(buildCell(doc, file, overrides));
  throw new RnncError(`${file}: (root).rnnc: expected "cell" or "model", found ${kind === undefined ? "nothing" : JSON.stringify(kind)}`);
}
