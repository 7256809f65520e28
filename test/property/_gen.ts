/**
 * Generators for property-based tests (not a test file itself): random cells and models built
 * from the op set with random shapes, as fast-check arbitraries.
 *
 * A generated case is a *recipe*: plain JSON of small integers and flags. `cellDoc` turns it into
 * a JSON cell document (expression strings and node objects, as a user writes them) and
 * `modelDoc` into a model that scans that cell (ragged lengths, reverse, truncated BPTT, a given
 * initial state) and adds a readout and a loss. Every recipe is valid by construction — operand
 * indices are taken modulo the values defined so far, widths are clamped — so fast-check can shrink
 * any component (fewer steps, smaller widths, index 0) and still get a well-formed cell. A shrunk
 * failing recipe is what the regression fixtures store (test/fixtures/regressions/).
 */
import fc from "fast-check";
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { buildModel } from "../../compiler/frontend/program.ts";
import type { Program } from "../../compiler/frontend/program.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import type { Graph, TensorType } from "../../compiler/ir/types.ts";

// ---- recipes ------------------------------------------------------------------------------------

/** The kinds of equation a cell step can be; each becomes one equation of the cell. */
export const STEP_KINDS = [
  "matmul", "matmulT", "bias", "add", "sub", "mul", "maximum", "div", "tanh", "sigmoid", "neg", "relu", "abs",
  "stop_gradient", "exp", "log", "sqrt", "slice", "concat", "sum", "softmax", "log_softmax", "scale", "node",
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** One equation: its kind, two operand indices (mod the values so far) and two small parameters. */
export interface Step { k: StepKind; a: number; b: number; w: number; s: number }

export interface CellRecipe {
  /** Width of every carried state. */
  H: number;
  /** Number of carried states (1–2). */
  nC: number;
  /** Widths of the per-step inputs (1–2 of them). */
  xw: number[];
  steps: Step[];
  /** Per carry: the value (index) that feeds its next value, tanh(W v + U c + b). */
  next: number[];
  /** The values (indices) returned as per-step outputs y0, y1, … */
  ys: number[];
}

export type Loss = "none" | "mean_square" | "mse" | "cross_entropy";

export interface ModelRecipe {
  cell: CellRecipe;
  reverse: boolean;
  /** Truncated BPTT in steps; 0 for none. */
  truncate: number;
  lengths: boolean;
  /** The first state's initial value is a model input (otherwise a zero-default graph input). */
  init: boolean;
  /** Width of the readout `logits = Wy @ enc.y0 + by`. */
  V: number;
  loss: Loss;
  B: number;
  T: number;
  /** Seed of the random parameters and inputs. */
  seed: number;
}

// ---- arbitraries --------------------------------------------------------------------------------

export function cellRecipe(opts: { maxSteps?: number; exclude?: readonly StepKind[] } = {}): fc.Arbitrary<CellRecipe> {
  const kinds = STEP_KINDS.filter((k) => !opts.exclude?.includes(k));
  const step: fc.Arbitrary<Step> = fc.record({
    k: fc.constantFrom(...kinds),
    a: fc.nat({ max: 15 }),
    b: fc.nat({ max: 15 }),
    w: fc.nat({ max: 7 }),
    s: fc.nat({ max: 7 }),
  });
  return fc.record({
    H: fc.integer({ min: 1, max: 4 }),
    nC: fc.integer({ min: 1, max: 2 }),
    xw: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 2 }),
    steps: fc.array(step, { maxLength: opts.maxSteps ?? 10 }),
    next: fc.array(fc.nat({ max: 15 }), { minLength: 2, maxLength: 2 }),
    ys: fc.array(fc.nat({ max: 15 }), { minLength: 1, maxLength: 2 }),
  });
}

export interface ModelOpts {
  maxSteps?: number;
  /** Step kinds left out (e.g. stop_gradient, whose gradient is not the derivative, for finite differences). */
  exclude?: readonly StepKind[];
  /** Allow truncated BPTT (its gradients differ from finite differences on purpose). */
  truncate?: boolean;
  /** Fix B and T (e.g. for a batch of graphs compiled into one module and run with one B, T). */
  B?: number;
  T?: number;
}

export function modelRecipe(opts: ModelOpts = {}): fc.Arbitrary<ModelRecipe> {
  return fc.record({
    cell: cellRecipe(opts),
    reverse: fc.boolean(),
    truncate: opts.truncate === false ? fc.constant(0) : fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 })),
    lengths: fc.boolean(),
    init: fc.boolean(),
    V: fc.integer({ min: 1, max: 4 }),
    loss: fc.constantFrom<Loss>("none", "mean_square", "mse", "cross_entropy"),
    B: opts.B !== undefined ? fc.constant(opts.B) : fc.integer({ min: 1, max: 3 }),
    T: opts.T !== undefined ? fc.constant(opts.T) : fc.integer({ min: 1, max: 5 }),
    seed: fc.nat({ max: 1 << 20 }),
  });
}

// ---- recipe → documents -------------------------------------------------------------------------

type Json = Record<string, unknown>;

interface Val { name: string; width: number }

/** The cell's values after its steps: carries, inputs, then one per equation. */
function cellValues(r: CellRecipe): { doc: Json; values: Val[]; yWidths: number[] } {
  const H = clamp(r.H, 1, 4), nC = clamp(r.nC, 1, 2);
  const params: Record<string, { shape: number[] }> = {};
  const equations: Record<string, unknown> = {};
  const values: Val[] = [];
  const state: Json = {}, inputs: Json = {};
  for (let j = 0; j < nC; j++) { state[`c${j}`] = { shape: ["H"] }; values.push({ name: `c${j}`, width: H }); }
  const xw = r.xw.length ? r.xw.slice(0, 2) : [1];
  xw.forEach((w, j) => { inputs[`x${j}`] = { shape: [clamp(w, 1, 4)] }; values.push({ name: `x${j}`, width: clamp(w, 1, 4) }); });

  /** A parameter of this shape; `reuse` picks an existing one of the same shape when there is one. */
  const param = (shape: number[], reuse: boolean): string => {
    const same = Object.entries(params).filter(([, p]) => p.shape.join() === shape.join());
    if (reuse && same.length) return same[0]![0];
    const name = `W${Object.keys(params).length}`;
    params[name] = { shape };
    return name;
  };
  const pick = (i: number) => values[i % values.length]!;
  /** An operand for a binary op with `a`: same width, or width 1 (broadcast). */
  const partner = (a: Val, i: number) => {
    const ok = values.filter((v) => v.width === a.width || v.width === 1);
    return ok[i % ok.length]!;
  };

  r.steps.forEach((s, i) => {
    const a = pick(s.a);
    const name = `e${i}`;
    let eq: unknown, width = a.width;
    const o = 1 + (s.w % 4);
    switch (s.k) {
      case "matmul": eq = `${param([o, a.width], s.s % 3 === 0)} @ ${a.name}`; width = o; break;
      case "matmulT": eq = `matmul(${param([a.width, o], s.s % 3 === 0)}, ${a.name}, transpose_a=true)`; width = o; break;
      case "bias": eq = `${a.name} + ${param([a.width], s.s % 3 === 0)}`; break;
      case "add": eq = `${a.name} + ${partner(a, s.b).name}`; break;
      case "sub": eq = `${a.name} - ${partner(a, s.b).name}`; break;
      case "mul": eq = `${a.name} * ${partner(a, s.b).name}`; break;
      case "maximum": eq = `maximum(${a.name}, ${partner(a, s.b).name})`; break;
      // denominators and the arguments of log and sqrt kept away from 0
      case "div": eq = `${a.name} / (1.5 + tanh(${partner(a, s.b).name}))`; break;
      case "exp": eq = `exp(tanh(${a.name}))`; break;
      case "log": eq = `log(1.5 + tanh(${a.name}))`; break;
      case "sqrt": eq = `sqrt(1 + sigmoid(${a.name}))`; break;
      case "tanh": case "sigmoid": case "relu": case "abs": case "stop_gradient": eq = `${s.k}(${a.name})`; break;
      case "neg": eq = `-${a.name}`; break;
      case "slice": {
        if (a.width < 2) { eq = `tanh(${a.name})`; break; }
        const size = 1 + (s.w % (a.width - 1));
        const start = s.s % (a.width - size + 1);
        eq = `slice(${a.name}, start=${start}, size=${size})`;
        width = size;
        break;
      }
      case "concat": {
        const b = pick(s.b);
        if (a.width + b.width > 8) { eq = `sigmoid(${a.name})`; break; }
        eq = `concat(${a.name}, ${b.name})`;
        width = a.width + b.width;
        break;
      }
      case "sum": eq = `sum(${a.name}, axis=-1, keepdims=true)`; width = 1; break;
      case "softmax": case "log_softmax": eq = `${s.k}(${a.name})`; break;
      case "scale": eq = s.w % 2 ? `${(s.s + 1) / 4} * ${a.name}` : `${a.name} * ${(s.s + 1) / 4}`; break;
      // the node-object form of an equation, nested
      case "node": eq = { op: "tanh", args: [{ op: "add", args: [a.name, partner(a, s.b).name] }] }; break;
    }
    equations[name] = eq;
    values.push({ name, width });
  });

  const next: Json = {};
  for (let j = 0; j < nC; j++) {
    const v = pick(r.next[j] ?? 0);
    const W = param([H, v.width], false), U = param([H, H], false), b = param([H], false);
    next[`c${j}`] = `tanh(${W} @ ${v.name} + ${U} @ c${j} + ${b})`;
  }
  const outputs: Json = {};
  const yWidths: number[] = [];
  (r.ys.length ? r.ys.slice(0, 2) : [0]).forEach((i, j) => {
    const v = pick(i);
    outputs[`y${j}`] = v.name;
    yWidths.push(v.width);
  });
  const doc: Json = {
    rnnc: "cell", name: "random", sizes: { H }, inputs, state,
    params: Object.fromEntries(Object.entries(params).map(([k, p]) => [k, { shape: p.shape.map((d) => (d === H ? "H" : d)) }])),
    equations, next, outputs,
  };
  return { doc, values, yWidths };
}

/** The recipe's cell as a JSON cell document. */
export function cellDoc(r: CellRecipe): Json {
  return cellValues(r).doc;
}

/** The recipe as a JSON model document: one scan of the cell, a readout and a loss. */
export function modelDoc(m: ModelRecipe): Json {
  const { doc: cell, yWidths } = cellValues(m.cell);
  const cellInputs = Object.entries(cell.inputs as Record<string, { shape: number[] }>);
  const V = clamp(m.V, 1, 4);
  const inputs: Json = {};
  for (const [n, d] of cellInputs) inputs[`s${n}`] = { shape: d.shape, sequence: true };
  const scan: Json = { scan: "rnn", xs: Object.fromEntries(cellInputs.map(([n]) => [n, `s${n}`])) };
  if (m.reverse) scan.reverse = true;
  if (m.truncate > 0) scan.truncate = m.truncate;
  if (m.lengths) { inputs.lengths = { shape: [], dtype: "i32" }; scan.lengths = "lengths"; }
  if (m.init) { inputs.h0 = { shape: [(cell.sizes as { H: number }).H] }; scan.init = { c0: "h0" }; }
  const equations: Json = { enc: scan, logits: `Wy @ enc.y0 + by` };
  let loss: string | undefined;
  switch (m.loss) {
    case "mean_square": loss = "mean(logits * logits)"; break;
    case "mse": inputs.target = { shape: [V], sequence: true }; loss = "mse(logits, target)"; break;
    case "cross_entropy": inputs.targets = { shape: [], dtype: "i32", sequence: true }; loss = "cross_entropy(logits, targets)"; break;
    case "none": break;
  }
  return {
    rnnc: "model", name: "random-model",
    cells: { rnn: cell },
    inputs,
    params: { Wy: { shape: [V, yWidths[0]!] }, by: { shape: [V] } },
    equations,
    outputs: { logits: "logits", ...(yWidths.length > 1 ? { y1: "enc.y1" } : {}), last: "enc.final.c0" },
    ...(loss ? { loss } : {}),
  };
}

export function programOf(m: ModelRecipe): Program {
  return buildModel(modelDoc(m), "random-model.json");
}

// ---- data ----------------------------------------------------------------------------------------

/**
 * Concrete inputs for a program built from `m`: f32 values uniform in [-0.8, 0.8], lengths in
 * [0, T], class ids in [0, V).
 */
export function inputsFor(g: Graph, m: ModelRecipe): Tensor[] {
  const r = rng(m.seed + 1);
  const B = clamp(m.B, 1, 8), T = clamp(m.T, 1, 1 << 20), V = clamp(m.V, 1, 4);
  return g.inputs.map((name) => {
    const t: TensorType = g.types.get(name)!;
    const shape = t.shape.map((d) => (d === "B" ? B : d === "T" ? T : d));
    const n = shape.reduce((a, b) => a * b, 1);
    if (t.dtype === "i32") {
      const hi = name === "lengths" ? T + 1 : V;
      return tensor(shape, Array.from({ length: n }, () => Math.floor(r() * hi)), "i32");
    }
    return tensor(shape, Array.from({ length: n }, () => (r() * 2 - 1) * 0.8));
  });
}

/** Copies of tensors (gradCheck perturbs its inputs in place). */
export function copyAll(xs: Tensor[]): Tensor[] {
  return xs.map((x) => tensor(x.shape, x.data, x.dtype));
}

/** A short description of a recipe for test names. */
export function describeRecipe(m: ModelRecipe): string {
  const flags = [m.reverse && "reverse", m.truncate && `truncate ${m.truncate}`, m.lengths && "lengths", m.init && "init", m.loss !== "none" && m.loss]
    .filter(Boolean).join(", ");
  return `B=${m.B} T=${m.T} ${m.cell.steps.length} steps [${m.cell.steps.map((s) => s.k).join(" ")}]${flags ? ` (${flags})` : ""}`;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.floor(Number.isFinite(x) ? x : lo)));
}
