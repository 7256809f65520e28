/**
 * The properties themselves (not a test file): each takes a recipe and throws an Error that says
 * what differs, or returns normally. The tap files run them through fast-check, `npm run fuzz`
 * (scripts/fuzz.ts) runs them longer, and regressions.test.ts replays the shrunk failures kept in
 * test/fixtures/regressions/.
 */
import fc from "fast-check";
import { gradCheck } from "../../compiler/autodiff/gradcheck.ts";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { cellToTypeScript } from "../../compiler/dsl/convert.ts";
import { evaluateCellSource } from "../../compiler/dsl/static.ts";
import { buildCell, buildModel } from "../../compiler/frontend/program.ts";
import { formatExpr, parseExpression } from "../../compiler/frontend/expr.ts";
import { nodeToExpr } from "../../compiler/frontend/equations.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import { formatType } from "../../compiler/ir/types.ts";
import { compileGraph, graphHash } from "../../compiler/lower/compile.ts";
import { optimizeGraph, stages } from "../../compiler/passes/index.ts";
import { verifyGraph } from "../../compiler/passes/verify.ts";
import { runPoisoned } from "../lower/_wasm.ts";
import { gradCheckCotangents, relativeError } from "../passes/_harness.ts";
import { cellDoc, copyAll, inputsFor, modelDoc, modelRecipe, programOf } from "./_gen.ts";
import type { ModelRecipe } from "./_gen.ts";

export type PropertyName = "gradients" | "passes" | "roundtrip" | "wasm";

/**
 * Known bugs in compiler/ that the properties step around until they are fixed, each with the
 * shrunk case kept as a `todo` fixture in test/fixtures/regressions/ (which still runs it, as a
 * todo). When one is fixed, delete its entry here and the fixture's `todo`.
 */
export const KNOWN_BUGS: { fixture: string; applies(m: ModelRecipe): boolean }[] = [];

/** Whether a recipe runs into a known bug (and so is skipped by the random properties). */
export function hitsKnownBug(m: ModelRecipe): boolean {
  return KNOWN_BUGS.some((b) => b.applies(m));
}

// ---- interpreter gradients against finite differences ------------------------------------------

/**
 * Central differences in f64 with h = 1e-6·max(1, |x|) have truncation error O(h²) and round-off
 * O(ε·|L|/h) ≈ 1e-10·|L|: a gradient is held to ‖analytic − numeric‖ ≤ 1e-6·max(‖analytic‖,
 * ‖numeric‖) + 1e-8, relative where the gradient is of a sensible size and absolute where it is
 * tiny (a contracting recurrence makes d/dc0 of a long sequence ~1e-10, all round-off).
 */
export const GRAD_RTOL = 1e-6;
export const GRAD_ATOL = 1e-8;

/** The program's BPTT gradients (the interpreter's VJP graph) against finite differences. */
export function checkGradients(m: ModelRecipe): void {
  if (m.truncate > 0 && m.truncate < m.T) throw new Error("internal: truncated BPTT differs from finite differences on purpose");
  const p = programOf(m);
  const g = p.graph;
  const inputs = inputsFor(g, m);
  const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
  const res = gradCheck(g, copyAll(inputs), wrt, { seed: m.seed });
  for (const e of res.errors) {
    let diff = 0, na = 0, nn = 0;
    for (let k = 0; k < e.numeric.length; k++) {
      diff += (e.analytic[k]! - e.numeric[k]!) ** 2;
      na += e.analytic[k]! ** 2;
      nn += e.numeric[k]! ** 2;
    }
    const bound = GRAD_RTOL * Math.max(Math.sqrt(na), Math.sqrt(nn)) + GRAD_ATOL;
    if (!(Math.sqrt(diff) <= bound)) {
      const k = e.analytic.findIndex((a, i) => !(Math.abs(a - e.numeric[i]!) <= bound));
      throw new Error(`d/d${e.name}: ‖analytic − numeric‖ = ${Math.sqrt(diff).toExponential(2)} > ${bound.toExponential(2)}; ` +
        `element ${k}: analytic ${e.analytic[k]}, numeric ${e.numeric[k]}`);
    }
  }
}

// ---- passes preserve semantics -----------------------------------------------------------------

/** Relative error allowed between a graph and its optimized form on the f64 interpreter (rounding only). */
export const PASS_TOL = 1e-10;

/** The forward graph and its VJP graph (w.r.t. every f32 input), with inputs for both. */
export function forwardAndVjp(m: ModelRecipe): { label: string; graph: Graph; inputs: Tensor[] }[] {
  const g = programOf(m).graph;
  const inputs = inputsFor(g, m);
  const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
  const v = vjpGraph(g, wrt);
  const cts = gradCheckCotangents(g, inputs, m.seed);
  return [
    { label: "forward", graph: g, inputs },
    { label: "VJP", graph: v.graph, inputs: [...inputs, ...cts] },
  ];
}

/** Every named pass alone, and the level-1 and level-2 pipelines, keep what the graph computes. */
export function checkPasses(m: ModelRecipe): void {
  for (const { label, graph, inputs } of forwardAndVjp(m)) {
    const want = runGraph(graph, inputs);
    const runs: [string, (g: Graph) => Graph][] = [
      ...stages.map((s) => [s.name, s.run] as [string, (g: Graph) => Graph]),
      ["optimizeGraph level 1", (g) => optimizeGraph(g, 1)],
      ["optimizeGraph level 2", (g) => optimizeGraph(g, 2)],
    ];
    for (const [name, run] of runs) {
      let after: Graph;
      try {
        after = run(graph);
        verifyGraph(after);
      } catch (e) {
        throw new Error(`${label}, ${name}: ${(e as Error).message}`);
      }
      // the interface is positional: inputs keep their names; outputs may be renamed (x + 0 → x)
      // but keep their number, order and types
      const sameInputs = after.inputs.length === graph.inputs.length && after.inputs.every((x, i) => x === graph.inputs[i]);
      const sameOutputs = after.outputs.length === graph.outputs.length &&
        after.outputs.every((x, i) => formatType(after.types.get(x)!) === formatType(graph.types.get(graph.outputs[i]!)!));
      if (!sameInputs || !sameOutputs) throw new Error(`${label}, ${name}: the graph's interface changed`);
      const err = relativeError(runGraph(after, inputs), want);
      if (!(err < PASS_TOL)) throw new Error(`${label}, ${name}: relative error ${err.toExponential(2)} ≥ ${PASS_TOL}`);
    }
  }
}

// ---- JSON → IR → JSON ----------------------------------------------------------------------------

/**
 * A cell: JSON → TypeScript (`rnnc convert`) → JSON gives a document that builds the same IR, and
 * converting that document again gives the same TypeScript (a fixed point). Every equation's
 * expression survives print → parse. The model that scans it survives JSON text → parse with the
 * same IR.
 */
export function checkRoundTrip(m: ModelRecipe): void {
  const doc = cellDoc(m.cell);
  const ir = buildCell(doc, "random.json");
  const ts = cellToTypeScript(doc as never);
  const back = evaluateCellSource(ts, "random.cell.ts").doc;
  const ir2 = buildCell(back, "random.json");
  if (graphHash(ir2.body) !== graphHash(ir.body)) throw new Error(`JSON → TypeScript → JSON changed the cell's IR\n${ts}`);
  const names = (c: typeof ir) => JSON.stringify([c.params, c.state, c.inputs, c.outputs, c.sizes]);
  if (names(ir2) !== names(ir)) throw new Error(`JSON → TypeScript → JSON changed the cell's declarations: ${names(ir)} vs ${names(ir2)}`);
  const ts2 = cellToTypeScript(back);
  if (ts2 !== ts) throw new Error(`TypeScript → JSON → TypeScript is not a fixed point:\n${ts}\nvs\n${ts2}`);
  for (const [name, eq] of Object.entries(doc.equations as Record<string, never>)) {
    const e = nodeToExpr(eq, name);
    const printed = formatExpr(e);
    const again = parseExpression(printed);
    if (JSON.stringify(stripPos(again)) !== JSON.stringify(stripPos(e))) throw new Error(`equation ${name}: "${printed}" does not parse back to the same expression`);
  }
  const md = modelDoc(m);
  const a = buildModel(md, "m.json"), b = buildModel(JSON.parse(JSON.stringify(md)), "m.json");
  if (graphHash(a.graph) !== graphHash(b.graph)) throw new Error("the model's JSON text does not build the same IR");
}

/** An expression without source positions (printing and re-parsing moves them). */
function stripPos(e: unknown): unknown {
  if (Array.isArray(e)) return e.map(stripPos);
  if (e && typeof e === "object") {
    return Object.fromEntries(Object.entries(e).filter(([k]) => k !== "pos" && k !== "end" && k !== "start").map(([k, v]) => [k, stripPos(v)]));
  }
  return e;
}



// ---- WebAssembly against the interpreter ----------------------------------------------------------

/**
 * Several programs as one graph (their values prefixed `m0/`, `m1/`, …; scan bodies keep their
 * own names), so that one compiled module checks a whole batch: compile time, not run time,
 * dominates these tests.
 */
export function unionGraph(gs: Graph[]): Graph {
  const out: Graph = { inputs: [], outputs: [], nodes: [], types: new Map() };
  gs.forEach((g, k) => {
    const r = (v: string) => `m${k}/${v}`;
    for (const v of g.inputs) out.inputs.push(r(v));
    for (const [v, t] of g.types) out.types.set(r(v), t);
    for (const n of g.nodes) out.nodes.push({ ...n, inputs: n.inputs.map(r), outputs: n.outputs.map(r) });
    for (const v of g.outputs) out.outputs.push(r(v));
  });
  return out;
}

/**
 * |wasm − interp| ≤ atol + rtol·|interp|, the tolerance test/lower/backend.test.ts holds whole
 * programs to (DEEP_TOL there: f32 rounding compounded over T steps, matmuls and the polynomial
 * exp/tanh/sigmoid/log), with atol scaled by the largest magnitude in the tensor, since random
 * graphs (sums of products, no normalization) reach values far from 1 where the f32 rounding of
 * intermediate values is absolute in that magnitude.
 */
export const WASM_TOL = { rtol: 1e-4, atol: 1e-5 };

/** The batch as one VJP graph (forward outputs then gradients) and its inputs with random cotangents. */
export function wasmBatch(ms: ModelRecipe[]): { graph: Graph; inputs: Tensor[]; labels: string[] } {
  const progs = ms.map((m) => programOf(m).graph);
  const u = unionGraph(progs);
  const inputs = ms.flatMap((m, k) => inputsFor(progs[k]!, m));
  const wrt = u.inputs.filter((v) => u.types.get(v)!.dtype === "f32");
  const v = vjpGraph(u, wrt);
  const cts = gradCheckCotangents(u, inputs, ms[0]?.seed ?? 1);
  return { graph: v.graph, inputs: [...inputs, ...cts], labels: [...u.outputs, ...wrt.map((w) => `d/d${w}`)] };
}

/** Compares a module's outputs with the interpreter's; returns the problems found (none: passes). */
export function compareOutputs(got: Tensor[], want: Tensor[], labels: string[]): string[] {
  const problems: string[] = [];
  want.forEach((w, j) => {
    const g = got[j]!;
    if (g.shape.join() !== w.shape.join()) { problems.push(`${labels[j]}: shape [${g.shape}] vs [${w.shape}]`); return; }
    let scale = 1;
    for (const x of w.data) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
    for (let i = 0; i < w.data.length; i++) {
      const ref = w.data[i]!, v = g.data[i]!;
      if (!Number.isFinite(ref)) {
        if (!(Object.is(v, ref) || (Number.isNaN(v) && Number.isNaN(ref)))) { problems.push(`${labels[j]}[${i}]: wasm ${v}, interpreter ${ref}`); break; }
        continue;
      }
      if (!(Math.abs(v - ref) <= WASM_TOL.atol * scale + WASM_TOL.rtol * Math.abs(ref))) {
        problems.push(`${labels[j]}[${i}]: wasm ${v}, interpreter ${ref}`);
        break;
      }
    }
  });
  return problems;
}

/** Compiles a batch into one module (at -O1: compile time dominates) and holds it to the interpreter. */
export async function checkWasm(ms: ModelRecipe[]): Promise<void> {
  const { graph, inputs, labels } = wasmBatch(ms);
  const gm = await compileGraph(graph, { optimize: 1 });
  const want = runGraph(graph, inputs);
  const got = await runPoisoned(gm, inputs);
  const problems = [...got.violations, ...compareOutputs(got.outs, want, labels)];
  if (problems.length) throw new Error(problems.slice(0, 5).join("; "));
}

// ---- the registry the tests, the fuzzer and the regression replay share ----------------------------

/** A recipe stepped around the known bugs (lengths dropped), so that random runs find new ones. */
function avoidKnownBugs(m: ModelRecipe): ModelRecipe {
  return hitsKnownBug(m) ? { ...m, lengths: false } : m;
}

export interface Property<R> {
  /** What is checked, for test names and reports. */
  summary: string;
  arbitrary: fc.Arbitrary<R>;
  check(r: R): void | Promise<void>;
  /** Cases per default test run. */
  runs: number;
  /** How many generated graphs one case holds (a wasm case is a batch). */
  graphsPerCase: number;
}

/** Programs per compiled module in the wasm property, all run with one B and T. */
export const WASM_BATCH = 8;

export const PROPERTIES: { [K in PropertyName]: Property<K extends "wasm" ? ModelRecipe[] : ModelRecipe> } = {
  gradients: {
    summary: "interpreter BPTT gradients equal central finite differences",
    // stop_gradient's gradient is not the derivative, and truncation is meant to differ
    arbitrary: modelRecipe({ truncate: false, exclude: ["stop_gradient"] }).map(avoidKnownBugs),
    check: checkGradients,
    runs: 200,
    graphsPerCase: 1,
  },
  passes: {
    summary: "every pass and the pipelines keep the forward and VJP graphs' results",
    arbitrary: modelRecipe().map(avoidKnownBugs),
    check: checkPasses,
    runs: 150,
    graphsPerCase: 1,
  },
  roundtrip: {
    summary: "JSON → TypeScript → JSON builds the same IR, and expressions print and parse back",
    arbitrary: modelRecipe(),
    check: checkRoundTrip,
    runs: 150,
    graphsPerCase: 1,
  },
  wasm: {
    summary: "the WebAssembly module equals the interpreter, forward and gradients",
    arbitrary: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 6 })).chain(([B, T]) =>
      fc.array(modelRecipe({ B, T }).map(avoidKnownBugs), { minLength: 1, maxLength: WASM_BATCH })),
    check: checkWasm,
    runs: 8,
    graphsPerCase: WASM_BATCH,
  },
};

/** A regression fixture: a shrunk failing case of one property. */
export interface Regression {
  property: PropertyName;
  recipe: unknown;
  /** The error the case produced when it was found. */
  error: string;
  /** How it was found (the fuzz seed) and what it is about. */
  note?: string;
  /** Present while the bug is open: why the case still fails. */
  todo?: string;
}
