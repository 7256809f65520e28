/**
 * Shared by the pass tests (not a test file itself): example cells run as scans in every mode
 * (plain, ragged lengths, reversed, truncated BPTT), random inputs, interpreter equivalence of a
 * graph before and after a pass (forward and VJP), and structural counts.
 */
import { join } from "node:path";
import type { Test } from "tap";
import { gradCheck, rng } from "../../compiler/autodiff/gradcheck.ts";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { buildCell } from "../../compiler/frontend/program.ts";
import { readJsonFile } from "../../compiler/frontend/schema.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import { Builder, emptyGraph } from "../../compiler/ir/builder.ts";
import type { Graph, Node } from "../../compiler/ir/types.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { verifyGraph } from "../../compiler/passes/verify.ts";
import { ROOT } from "../frontend/_helpers.ts";

export const CELLS = ["elman", "gru", "lstm-noforget", "lstm"] as const;
export type CellName = (typeof CELLS)[number];

export interface Mode {
  lengths?: number[];
  reverse?: boolean;
  truncate?: number;
}

/** The modes every equivalence test runs (B = 3, T = 5). */
export const MODES: Record<string, Mode> = {
  plain: {},
  lengths: { lengths: [5, 2, 1] },
  reverse: { reverse: true },
  truncate: { truncate: 2 },
  "lengths+reverse+truncate": { lengths: [3, 5, 1], reverse: true, truncate: 2 },
};

export const DIMS = { B: 3, T: 5 };

/**
 * An example cell as one scan: inputs params ++ xs ++ initial states (++ lengths),
 * outputs ys ++ final states.
 */
export function cellGraph(name: CellName, mode: Mode = {}, sizes: Record<string, number> = { I: 3, H: 4 }): Graph {
  const file = join(ROOT, "examples/cells", `${name}.json`);
  const cell = buildCell(readJsonFile(file), file, sizes);
  const b = new Builder(emptyGraph());
  const params = cell.params.map((p) => b.input(p.name, { dtype: "f32", shape: p.shape }));
  const xs = cell.inputs.map((x) => b.input(`${x.name}s`, { dtype: x.dtype, shape: ["T", "B", ...x.shape] }));
  const inits = cell.state.map((s) => b.input(`${s.name}0`, { dtype: "f32", shape: ["B", ...s.shape] }));
  const len = mode.lengths ? [b.input("lengths", { dtype: "i32", shape: ["B"] })] : [];
  const outs = b.ops("scan", [...params, ...inits, ...xs, ...len], {
    body: cell.body, n_consts: params.length, n_carry: inits.length, n_xs: xs.length,
    reverse: mode.reverse ?? false, has_lengths: len.length > 0, ...(mode.truncate ? { truncate: mode.truncate } : {}),
  }, "scan");
  b.graph.outputs = [...outs.slice(inits.length), ...outs.slice(0, inits.length)];
  return b.graph;
}

/** Random inputs for `g` (f32 in [-0.8, 0.8]; `lengths` from the mode; other i32 ids in [0, 3)). */
export function randomInputs(g: Graph, mode: Mode = {}, seed = 11, dims = DIMS): Tensor[] {
  const r = rng(seed);
  return g.inputs.map((name) => {
    const t = g.types.get(name)!;
    const shape = t.shape.map((d) => (d === "B" ? dims.B : d === "T" ? dims.T : d)) as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    if (t.dtype === "i32") {
      if (name === "lengths") return tensor(shape, mode.lengths ?? new Array(n).fill(dims.T), "i32");
      return tensor(shape, Array.from({ length: n }, () => Math.floor(r() * 3)), "i32");
    }
    return tensor(shape, Array.from({ length: n }, () => (r() * 2 - 1) * 0.8));
  });
}

/** max |a − b| / max(max |b|, 1e-30) over all outputs; throws on a shape mismatch. */
export function relativeError(got: Tensor[], want: Tensor[]): number {
  if (got.length !== want.length) throw new Error(`${got.length} outputs vs ${want.length}`);
  let err = 0;
  got.forEach((a, i) => {
    const b = want[i]!;
    if (a.shape.join() !== b.shape.join()) throw new Error(`output ${i}: shape [${a.shape}] vs [${b.shape}]`);
    let d = 0, m = 0;
    for (let k = 0; k < a.data.length; k++) {
      const x = a.data[k]!, y = b.data[k]!;
      if (!Number.isFinite(y)) {
        if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) d = Infinity;
        continue;
      }
      d = Math.max(d, Math.abs(x - y));
      m = Math.max(m, Math.abs(y));
    }
    err = Math.max(err, m === 0 ? d : d / m);
  });
  return err;
}

/** The VJP graph of `g` w.r.t. every f32 input, and random cotangents for its outputs. */
export function backward(g: Graph, inputs: Tensor[], seed = 5): { graph: Graph; inputs: Tensor[] } {
  const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
  const v = vjpGraph(g, wrt);
  const outs = runGraph(g, inputs);
  const r = rng(seed);
  const cts = outs.flatMap((o, i) => (g.types.get(g.outputs[i]!)!.dtype === "f32" ? [tensor(o.shape, Array.from(o.data, () => r() * 2 - 1))] : []));
  return { graph: v.graph, inputs: [...inputs, ...cts] };
}

export const TOL = 1e-10;

/** Checks `pass(g)` is well formed and computes what g computes (relative error < TOL). */
export function expectSame(t: Test, g: Graph, after: Graph, inputs: Tensor[], what: string): number {
  verifyGraph(after);
  const err = relativeError(runGraph(after, inputs), runGraph(g, inputs));
  t.ok(err < TOL, `${what}: relative error ${err.toExponential(2)} < ${TOL}`);
  return err;
}

/**
 * The cotangents gradCheck draws for seed `seed` (so that an optimized VJP graph can be held to
 * gradCheck's finite differences).
 */
export function gradCheckCotangents(g: Graph, inputs: Tensor[], seed: number): Tensor[] {
  const r = rng(seed);
  const outs = runGraph(g, inputs);
  return outs.flatMap((o, i) => (g.types.get(g.outputs[i]!)!.dtype === "f32" ? [tensor(o.shape, Array.from(o.data, () => r() * 2 - 1))] : []));
}

/** The optimized VJP's gradients against central finite differences (gradCheck's numeric side). */
export function expectFiniteDifferences(t: Test, g: Graph, inputs: Tensor[], optimize: (g: Graph) => Graph, what: string, tol = 1e-6): void {
  const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
  const seed = 3;
  const res = gradCheck(g, inputs.map((x) => tensor(x.shape, x.data, x.dtype)), wrt, { seed });
  const opt = optimize(vjpGraph(g, wrt).graph);
  const outs = runGraph(opt, [...inputs, ...gradCheckCotangents(g, inputs, seed)]);
  const grads = outs.slice(g.outputs.length);
  res.errors.forEach((e, i) => {
    const a = grads[i]!.data;
    let diff = 0, na = 0, nn = 0;
    for (let k = 0; k < a.length; k++) {
      diff += (a[k]! - e.numeric[k]!) ** 2;
      na += a[k]! ** 2;
      nn += e.numeric[k]! ** 2;
    }
    const rel = Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nn), 1e-12);
    t.ok(rel < tol, `${what}: d/d${e.name} against finite differences: ${rel.toExponential(2)} < ${tol}`);
  });
}

// ---- structure ------------------------------------------------------------------------------

export function scans(g: Graph): Node[] {
  return g.nodes.filter((n) => n.op === "scan");
}

export function bodies(g: Graph): Graph[] {
  return scans(g).map((n) => scanAttrs(n.attrs).body);
}

/** Number of nodes with op `op` directly in g (not in bodies). */
export function count(g: Graph, op: string): number {
  return g.nodes.filter((n) => n.op === op).length;
}

/** The forward scan and (for a VJP graph) the backward scan. */
export function forwardAndBackward(g: Graph): { fwd: Node; bwd: Node | null } {
  const s = scans(g);
  return { fwd: s.find((n) => !n.outputs[0]!.startsWith("%bptt"))!, bwd: s.find((n) => n.outputs[0]!.startsWith("%bptt")) ?? null };
}
