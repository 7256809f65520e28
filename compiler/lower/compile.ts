import { createHash } from "node:crypto";
import { RnncError } from "../diagnostics.ts";
import { vjpGraph } from "../autodiff/vjp.ts";
import type { Program } from "../frontend/program.ts";
import type { Graph, Node, Shape, TensorType } from "../ir/types.ts";
import { fusedExpr } from "../ops/fused.ts";
import { scanAttrs } from "../ops/scan.ts";
import type { ScanAttrs } from "../ops/scan.ts";
import { findSharedExpression, loadBinaryen, withOptimizeSettings } from "./binaryen.ts";
import type { Binaryen, Expr, Module } from "./binaryen.ts";
import { Fn } from "./codegen.ts";
import { kernelFor } from "./kernels.ts";
import type { KernelCtx } from "./kernels.ts";
import { addMathFunctions, vectorMathConstants } from "./mathfns.ts";
import { addPoly, CONSTANTS_AT, evalPoly, Layout, ScratchPlanner } from "./memory.ts";
import { emitTrainStep, HYPER_FIELDS, OPTIMIZER_KINDS } from "./optimizer.ts";
import { idRanges } from "../ir/id-ranges.ts";
import { optimizeGraph } from "../passes/index.ts";
import type { Poly, Slot } from "./memory.ts";

export const MANIFEST_VERSION = 1;
const PAGE = 65536;
const MAX_PAGES = 65536;

export interface CompileOptions {
  /** Binaryen optimization level, 0–3 (default 3). */
  optimize?: number;
  /** IR pass level before lowering (compiler/passes): 0 none, 1 clean-ups, 2 everything (default). */
  passes?: 0 | 1 | 2;
  wat?: boolean;
  /**
   * Emit the GEMM kernels' multiply-adds as relaxed SIMD's `f32x4.relaxed_madd` (fused where the
   * CPU has FMA) instead of `f32x4.mul` + `f32x4.add`. Default false: the module then runs on every
   * engine with SIMD128, with the same bits everywhere. On, the module needs relaxed SIMD (Node ≥ 21,
   * or Node 20 with the flag runtime/features.ts `enableRelaxedSimd()` sets; not Safari) and its
   * manifest lists `"features": ["relaxed-simd"]`; results may differ in the last bits between
   * machines (deterministic on one). See docs/design-choices.md.
   */
  relaxedSimd?: boolean;
}

export interface CompileResult {
  wasm: Uint8Array;
  manifest: Manifest;
  wat?: string;
}

export interface TensorSpec { dtype: "f32" | "i32"; shape: Shape; offset: Poly; init?: unknown; range?: [number, number] }
export interface Manifest {
  format: "rnnc-manifest";
  version: number;
  name: string;
  kind: "cell" | "model";
  sizes: Record<string, number>;
  graphHash: string;
  memory: { bytes: Poly };
  params: Record<string, TensorSpec>;
  inputs: Record<string, TensorSpec>;
  states: Record<string, { dtype: "f32"; shape: Shape; init?: { offset: Poly }; final: { offset: Poly } }>;
  outputs: Record<string, TensorSpec>;
  loss: TensorSpec | null;
  grads: Record<string, TensorSpec>;
  cotangents: { outputs: Record<string, TensorSpec>; final: Record<string, TensorSpec>; loss: TensorSpec | null };
  entries: Record<string, { export: string }>;
  /** WebAssembly features beyond rnnc's baseline the module needs (docs/manifest.md); absent when none. */
  features?: ManifestFeature[];
  /** Present when the program has a loss: the compiled training step's regions. */
  training?: {
    hyper: { offset: Poly; fields: readonly string[] };
    optimizers: readonly string[];
    state: Record<string, { m: { offset: Poly }; v: { offset: Poly }; average: { offset: Poly } }>;
  };
}

/** A stable hash of a graph's structure (ops, attributes, types), for checkpoints and manifests. */
/** The custom section holding the graph hash of the module's program (UTF-8 hex). */
export const GRAPH_HASH_SECTION = "rnnc.graph_hash";

export function graphHash(g: Graph): string {
  const h = createHash("sha256");
  const walk = (x: Graph) => {
    h.update(JSON.stringify([x.inputs, x.outputs, x.inputs.map((v) => x.types.get(v))]));
    for (const n of x.nodes) {
      h.update(JSON.stringify([n.op, n.inputs, n.outputs, n.outputs.map((v) => x.types.get(v))]));
      for (const [k, v] of Object.entries(n.attrs)) {
        if (v && typeof v === "object" && !Array.isArray(v)) { h.update(k); walk(v as Graph); } else h.update(JSON.stringify([k, v]));
      }
    }
  };
  walk(g);
  return h.digest("hex");
}

// ---------------------------------------------------------------------------------------------
// Planning

/** A scan body ready to lower: outputs never alias inputs or each other's roles. */
interface BodyPlan {
  body: Graph;
  slots: Map<string, Slot>; // relative to the body's own arenas
  tops: [number, number, number, number];
  fnName: string;
}

interface FnPlan {
  graph: Graph;
  /** Absolute placement of values: pinned regions, or scratch slots. */
  pinned: Map<string, Slot>;
  scratch: Map<string, Slot>;
  /** Output j of the graph lives at pinnedOut[j]; `copies` are outputs whose value lives elsewhere. */
  pinnedOut: Slot[];
  copies: { from: string; to: Slot; shape: Shape }[];
  bodies: Map<number, BodyPlan>;
}

let bodyCounter = 0;

/** A feature named in a manifest's `features` (runtime/features.ts knows the same names). */
export type ManifestFeature = "relaxed-simd";

/**
 * The WebAssembly features rnnc's modules use: all shipped in Node 20 and current browsers; and
 * relaxed SIMD when the compile asks for it.
 */
function features(bn: Binaryen, opts: CompileOptions): number {
  const F = bn.Features;
  const base = F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.BulkMemory | F.BulkMemoryOpt | F.SignExt;
  return opts.relaxedSimd ? base | F.RelaxedSIMD : base;
}

/** The manifest's `features`: the names of what `features` adds to the baseline. */
function manifestFeatures(opts: CompileOptions): ManifestFeature[] {
  return opts.relaxedSimd ? ["relaxed-simd"] : [];
}

/** Inserts copies so that no body output is a body input (the scan copies outputs into carries). */
function normalizeBody(body: Graph): Graph {
  const inputs = new Set(body.inputs);
  const nodes = [...body.nodes];
  const types = new Map(body.types);
  const outputs = body.outputs.map((v, i) => {
    if (!inputs.has(v)) return v;
    const c = `%out${i}.copy`;
    nodes.push({ op: "stop_gradient", inputs: [v], outputs: [c], attrs: {} });
    types.set(c, types.get(v)!);
    return c;
  });
  return { inputs: [...body.inputs], outputs, nodes, types };
}

function planBody(rawBody: Graph): BodyPlan {
  const body = normalizeBody(rawBody);
  for (const n of body.nodes) if (n.op === "scan") throw new RnncError(`the WebAssembly backend does not lower a scan nested inside a scan body yet`);
  const planner = new ScratchPlanner();
  const slots = planner.plan(body, new Set(body.inputs), () => [], (v) => (body.types.get(v)!.dtype === "i32" ? 4 : 4));
  const tops = planner.tops();
  if (tops[2] || tops[3]) throw new Error("internal: a scan body allocated a T-sized buffer");
  return { body, slots, tops, fnName: `body${++bodyCounter}` };
}

function isBatched(t: TensorType): boolean {
  return t.shape[0] === "B";
}

/** Scratch a scan node needs while it runs: its body's arenas and masked copies of its inputs. */
function scanTemps(i: number, n: Node, bp: BodyPlan): { shape: Shape; id: string }[] {
  const a = scanAttrs(n.attrs);
  const temps: { shape: Shape; id: string }[] = [];
  if (bp.tops[0]) temps.push({ id: `#${i}.bodyC`, shape: [bp.tops[0] / 4] });
  if (bp.tops[1]) temps.push({ id: `#${i}.bodyB`, shape: ["B", bp.tops[1] / 4] });
  if (a.has_lengths) {
    bp.body.inputs.slice(a.n_consts).forEach((v, j) => {
      const t = bp.body.types.get(v)!;
      if (isBatched(t)) temps.push({ id: `#${i}.mask${j}`, shape: t.shape });
    });
  }
  return temps;
}

function planFunction(g: Graph, layout: Layout, inSlots: Slot[], outSlots: Slot[]): FnPlan {
  const pinned = new Map<string, Slot>();
  g.inputs.forEach((v, i) => pinned.set(v, inSlots[i]!));
  const produced = new Set(g.nodes.flatMap((n) => n.outputs));
  const copies: FnPlan["copies"] = [];
  g.outputs.forEach((v, j) => {
    if (produced.has(v) && !pinned.has(v)) pinned.set(v, outSlots[j]!);
    else copies.push({ from: v, to: outSlots[j]!, shape: g.types.get(v)!.shape });
  });
  const bodies = new Map<number, BodyPlan>();
  g.nodes.forEach((n, i) => { if (n.op === "scan") bodies.set(i, planBody(scanAttrs(n.attrs).body)); });
  const planner = new ScratchPlanner();
  const scratch = planner.plan(g, new Set(pinned.keys()), (i) => (bodies.has(i) ? scanTemps(i, g.nodes[i]!, bodies.get(i)!) : []));
  planner.tops().forEach((t, k) => (layout.scratchTop[k] = Math.max(layout.scratchTop[k]!, t)));
  return { graph: g, pinned, scratch, pinnedOut: outSlots, copies, bodies };
}

// ---------------------------------------------------------------------------------------------
// Code generation

/**
 * Budgets per WebAssembly function. Binaryen's passes are fast on functions of this size and
 * superlinear beyond: local coalescing slows down by orders of magnitude past 8,192 locals (its
 * interference matrix turns sparse; 1.3 s → 200 s between a chain of 400 and one of 600
 * equations), and V8 refuses a function of more than 1,000 parameters (a backward body takes the
 * address of every residual it reads). A function (forward, backward, a scan body) whose kernels
 * would exceed a budget is emitted as consecutive parts, functions of their own that Binaryen
 * may not inline back (`PART`); a scan then calls its body's parts one after the other, each
 * with the addresses of the body inputs it reads. The locals are estimated (`localsEstimate`,
 * from above) and budgeted at half the cliff. Every example's functions fit whole: the code of
 * the cells people write does not change.
 */
const LOCALS_BUDGET = 4096;
const PARAMS_BUDGET = 128;
/** Parts are named `<function>.part<k>`. */
const PART = ".part";

/**
 * About how many locals a node's kernel declares, from above: a fused node one per op in each of
 * its two loops (vector body, scalar tail) and a few per tensor it reads or writes, a GEMM its
 * register tiles. Measured on every example at -O0, no kernel exceeds its estimate except
 * matmul (up to 155) and outer (up to 76), hence their constants.
 */
function localsEstimate(n: Node): number {
  const accesses = n.inputs.length + n.outputs.length;
  switch (n.op) {
    case "fused": return 2 * fusedExpr(n.attrs).nodes.length + 4 * accesses + 16;
    case "matmul": return 192;
    case "outer": return 96;
    default: return 4 * accesses + 16;
  }
}

/**
 * The node indices of a function split into runs that each keep within LOCALS_BUDGET and within
 * PARAMS_BUDGET distinct `params` (a run always holds at least one node); one run when all fits.
 */
function splitRuns(nodes: readonly Node[], params: (n: Node) => readonly string[]): number[][] {
  const runs: number[][] = [];
  let run: number[] = [], locals = 0, ps = new Set<string>();
  nodes.forEach((n, i) => {
    const l = localsEstimate(n), p = params(n);
    const more = p.filter((v) => !ps.has(v)).length;
    if (run.length > 0 && (locals + l > LOCALS_BUDGET || ps.size + more > PARAMS_BUDGET)) {
      runs.push(run);
      run = [];
      locals = 0;
      ps = new Set();
    }
    run.push(i);
    locals += l;
    p.forEach((v) => ps.add(v));
  });
  if (run.length > 0 || runs.length === 0) runs.push(run);
  return runs;
}

/**
 * A function a scan calls per step: its name, whether it takes T after B, and which body inputs it
 * takes (by index), in order.
 */
interface BodyPart { name: string; withT: boolean; inputs: number[] }

/** The Fn of a part of a body, which may lack the T parameter: reading T then throws NEEDS_T. */
class PartFn extends Fn {
  static readonly NEEDS_T = new Error("internal: a body part without T reads T");

  constructor(bn: Binaryen, m: Module, nParams: number, private readonly hasT: boolean, where: (v: string) => Poly | { param: number }) {
    super(bn, m, nParams, where);
  }

  override get T(): Expr {
    if (!this.hasT) throw PartFn.NEEDS_T;
    return super.T;
  }
}

class Emitter {
  /** Whether any function was split into parts (finishModule keeps Binaryen from inlining them). */
  parts = false;

  constructor(readonly bn: Binaryen, readonly m: Module, readonly layout: Layout, readonly relaxedSimd = false) {}

  /** The context every kernel of a function gets. */
  private ctx(fn: Fn, graph: Graph): KernelCtx {
    return { fn, type: (v) => graph.types.get(v)!, ...(this.relaxedSimd ? { relaxedSimd: true } : {}) };
  }

  where(plan: FnPlan) {
    return (v: string): Poly => {
      const p = plan.pinned.get(v);
      if (p) return this.layout.resolvePinned(p);
      const s = plan.scratch.get(v);
      if (!s) throw new Error(`internal: value ${v} has no place`);
      return this.layout.resolveScratch(s);
    };
  }

  emitFunction(name: string, plan: FnPlan): void {
    const where = this.where(plan);
    const B_T = this.bn.createType([this.bn.i32, this.bn.i32]);
    const emitRun = (fn: Fn, run: number[]): Expr[] => {
      const ctx = this.ctx(fn, plan.graph);
      return run.flatMap((i) => {
        const n = plan.graph.nodes[i]!;
        return n.op === "scan" ? this.emitScan(fn, ctx, n, i, plan, where) : kernelFor(n.op)(ctx, n);
      });
    };
    const runs = splitRuns(plan.graph.nodes, () => []);
    const fn = new Fn(this.bn, this.m, 2, (v) => where(v));
    const body: Expr[] = [];
    if (runs.length === 1) body.push(...emitRun(fn, runs[0]!));
    else {
      this.parts = true;
      runs.forEach((run, k) => {
        const part = new Fn(this.bn, this.m, 2, (v) => where(v));
        part.finish(`${name}${PART}${k + 1}`, B_T, emitRun(part, run));
        body.push(this.m.call(`${name}${PART}${k + 1}`, [fn.B, fn.T], this.bn.none));
      });
    }
    for (const c of plan.copies) body.push(fn.copy(fn.poly(this.layout.resolvePinned(c.to)), fn.addr(c.from), fn.count(c.shape)));
    fn.finish(name, B_T, body);
  }

  /**
   * The body function: (B, T, address of each body input) → writes its outputs in its scratch;
   * or, for a body beyond the budgets, its parts, each taking (B, T, address of each body input
   * it reads that moves from step to step, i.e. the x_t). The others (consts, carries, masked
   * copies) have the same address at every step, `fixed(j)` for body input j: a part computes
   * them itself (passed, they would be constant arguments that Binaryen's dead-argument pass
   * moves into each part, then optimizes every part a second time).
   */
  private emitBody(bp: BodyPlan, base: { C?: Slot; B?: Slot }, fixed: (j: number) => Poly | null): { abs: (v: string) => Poly; parts: BodyPart[] } {
    const inputIndex = new Map(bp.body.inputs.map((v, i) => [v, i]));
    const abs = (v: string): Poly => {
      const s = bp.slots.get(v);
      if (!s) throw new Error(`internal: body value ${v} has no place`);
      const b = s.arena === 0 ? base.C! : base.B!;
      return this.layout.resolveScratch({ arena: s.arena, at: b.at + s.at });
    };
    const runs = splitRuns(bp.body.nodes, (n) => n.inputs.filter((v) => inputIndex.has(v)));
    if (runs.length === 1) {
      const fn = new Fn(this.bn, this.m, 2 + bp.body.inputs.length, (v) => {
        const i = inputIndex.get(v);
        return i === undefined ? abs(v) : { param: 2 + i };
      });
      const ctx = this.ctx(fn, bp.body);
      const code = bp.body.nodes.flatMap((n) => kernelFor(n.op)(ctx, n));
      fn.finish(bp.fnName, this.bn.createType(Array(2 + bp.body.inputs.length).fill(this.bn.i32)), code);
      return { abs, parts: [{ name: bp.fnName, withT: true, inputs: bp.body.inputs.map((_, i) => i) }] };
    }
    this.parts = true;
    const parts = runs.map((run, k): BodyPart => {
      const nodes = run.map((i) => bp.body.nodes[i]!);
      const ins = [...new Set(nodes.flatMap((n) => n.inputs.filter((v) => inputIndex.has(v) && fixed(inputIndex.get(v)!) === null)))];
      const name = `${bp.fnName}${PART}${k + 1}`;
      // (B, T, addresses), or (B, addresses) when the part never reads T (most do not: a body's
      // values are per step): an unused parameter is another thing Binaryen's dead-argument pass
      // would remove from every part, re-optimizing each
      const emit = (withT: boolean): BodyPart => {
        const first = withT ? 2 : 1;
        const param = new Map(ins.map((v, j) => [v, first + j]));
        const fn = new PartFn(this.bn, this.m, first + ins.length, withT, (v) => {
          const j = param.get(v);
          if (j !== undefined) return { param: j };
          const i = inputIndex.get(v);
          return i === undefined ? abs(v) : fixed(i)!;
        });
        const ctx = this.ctx(fn, bp.body);
        const code = nodes.flatMap((n) => kernelFor(n.op)(ctx, n));
        fn.finish(name, this.bn.createType(Array(first + ins.length).fill(this.bn.i32)), code);
        return { name, withT, inputs: ins.map((v) => inputIndex.get(v)!) };
      };
      try {
        return emit(false);
      } catch (e) {
        if (e !== PartFn.NEEDS_T) throw e;
        return emit(true);
      }
    });
    return { abs, parts };
  }

  private emitScan(fn: Fn, k: KernelCtx, n: Node, i: number, plan: FnPlan, where: (v: string) => Poly): Expr[] {
    const m = this.m, i32 = this.bn.i32;
    const a: ScanAttrs = scanAttrs(n.attrs);
    const bp = plan.bodies.get(i)!;
    const body = bp.body;
    const nC = a.n_consts, nK = a.n_carry, nX = a.n_xs;
    const consts = n.inputs.slice(0, nC), inits = n.inputs.slice(nC, nC + nK), xs = n.inputs.slice(nC + nK, nC + nK + nX);
    const lengths = a.has_lengths ? n.inputs[n.inputs.length - 1]! : null;
    const finals = n.outputs.slice(0, nK), ys = n.outputs.slice(nK);
    const bodyIn = body.inputs;
    const btype = (v: string) => body.types.get(v)!;
    /** Body input j's address when it is the same at every step (see emitBody); null for an x_t. */
    const fixed = (j: number): Poly | null => {
      if (j < nC) return where(consts[j]!);
      if (lengths && isBatched(btype(bodyIn[j]!))) return this.layout.resolveScratch(plan.scratch.get(`#${i}.mask${j - nC}`)!);
      return j < nC + nK ? where(finals[j - nC]!) : null;
    };
    const { abs: bodyAbs, parts } = this.emitBody(bp, { C: plan.scratch.get(`#${i}.bodyC`), B: plan.scratch.get(`#${i}.bodyB`) }, fixed);
    const code: Expr[] = [];
    // carries live in the final-output buffers
    finals.forEach((f, j) => code.push(fn.copy(fn.addr(f), fn.addr(inits[j]!), fn.count(k.type(f).shape))));
    const T = nX > 0 ? fn.dim(k.type(xs[0]!).shape[0]!) : fn.i32(a.steps!);
    const Tl = fn.local();
    code.push(fn.set(Tl, T));
    const t = fn.local();
    const maskSlot = (j: number) => plan.scratch.get(`#${i}.mask${j}`);
    const tempAddr = (j: number) => fn.poly(this.layout.resolveScratch(maskSlot(j)!));
    const rowsOf = (shape: Shape) => fn.count(shape.slice(1));

    /** For b < B: active(b) ? then : else — a per-example row operation. */
    const perRow = (f: (b: number, active: Expr) => Expr[]): Expr =>
      fn.loop(fn.B, (b) => f(b, m.i32.lt_s(fn.get(t), fn.loadI(fn.addr(lengths!), fn.get(b)))));
    const rowAt = (base: Expr, b: number, width: Expr) => fn.at(base, m.i32.mul(fn.get(b), width));

    code.push(fn.loop(fn.get(Tl), (s) => {
      const step: Expr[] = [fn.set(t, a.reverse ? m.i32.sub(m.i32.sub(fn.get(Tl), fn.i32(1)), fn.get(s)) : fn.get(s))];
      // addresses of this step's body inputs: built once in this order (what a one-function body
      // takes), and again for each part that reads them (a part of a split body)
      const args: Expr[] = [];
      const again: (() => Expr)[] = [];
      const arg = (make: () => Expr) => { args.push(make()); again.push(make); };
      consts.forEach((c) => arg(() => fn.addr(c)));
      finals.forEach((f, j) => {
        const bt = btype(bodyIn[nC + j]!);
        if (lengths && isBatched(bt)) {
          const w = () => rowsOf(bt.shape);
          step.push(perRow((b, active) => [m.if(active,
            fn.copy(rowAt(tempAddr(j), b, w()), rowAt(fn.addr(f), b, w()), w()),
            fn.zero(rowAt(tempAddr(j), b, w()), w()))]));
          arg(() => tempAddr(j));
        } else arg(() => fn.addr(f));
      });
      xs.forEach((x, j) => {
        const bt = btype(bodyIn[nC + nK + j]!);
        const xt = () => fn.at(fn.addr(x), m.i32.mul(fn.get(t), fn.count(k.type(x).shape.slice(1))));
        if (lengths && isBatched(bt)) {
          xt(); // (unused: built as before, so that a one-function body's code is unchanged)
          const w = () => rowsOf(bt.shape);
          const tmp = () => tempAddr(nK + j);
          step.push(perRow((b, active) => [m.if(active,
            fn.copy(rowAt(tmp(), b, w()), rowAt(fn.at(fn.addr(x), m.i32.mul(fn.get(t), fn.count(k.type(x).shape.slice(1)))), b, w()), w()),
            fn.zero(rowAt(tmp(), b, w()), w()))]));
          arg(() => tempAddr(nK + j));
        } else arg(xt);
      });
      if (parts.length === 1) step.push(m.call(parts[0]!.name, [fn.B, fn.T, ...args], this.bn.none));
      else for (const part of parts) step.push(m.call(part.name, [fn.B, ...(part.withT ? [fn.T] : []), ...part.inputs.map((j) => again[j]!())], this.bn.none));
      // new carries
      finals.forEach((f, j) => {
        const out = fn.poly(bodyAbs(body.outputs[j]!));
        const bt = btype(body.outputs[j]!);
        if (lengths && isBatched(bt)) {
          const w = () => rowsOf(bt.shape);
          step.push(perRow((b, active) => [m.if(active, fn.copy(rowAt(fn.addr(f), b, w()), rowAt(fn.poly(bodyAbs(body.outputs[j]!)), b, w()), w()))]));
        } else step.push(fn.copy(fn.addr(f), out, fn.count(k.type(f).shape)));
      });
      if (a.cut_every) {
        const sf = a.reverse ? fn.get(t) : m.i32.sub(m.i32.sub(fn.get(Tl), fn.i32(1)), fn.get(t));
        const sfl = fn.local();
        step.push(fn.set(sfl, sf));
        const cond = m.i32.and(m.i32.gt_s(fn.get(sfl), fn.i32(0)), m.i32.eqz(m.i32.rem_s(fn.get(sfl), fn.i32(a.cut_every))));
        step.push(m.if(cond, m.block(null, finals.slice(0, a.cut_carries ?? nK).map((f) => fn.zero(fn.addr(f), fn.count(k.type(f).shape))))));
      }
      // per-step outputs
      ys.forEach((y, j) => {
        const src = body.outputs[nK + j]!;
        const bt = btype(src);
        const per = fn.count(k.type(y).shape.slice(1));
        const dst = fn.at(fn.addr(y), m.i32.mul(fn.get(t), per));
        if (lengths && isBatched(bt)) {
          const w = () => rowsOf(bt.shape);
          step.push(perRow((b, active) => [m.if(active,
            fn.copy(rowAt(fn.at(fn.addr(y), m.i32.mul(fn.get(t), fn.count(k.type(y).shape.slice(1)))), b, w()), rowAt(fn.poly(bodyAbs(src)), b, w()), w()),
            fn.zero(rowAt(fn.at(fn.addr(y), m.i32.mul(fn.get(t), fn.count(k.type(y).shape.slice(1)))), b, w()), w()))]));
        } else step.push(fn.copy(dst, fn.poly(bodyAbs(src)), fn.count(bt.shape)));
      });
      void i32;
      return step;
    }));
    void where;
    return code;
  }
}

// ---------------------------------------------------------------------------------------------

/** Compiles a program's forward and backward passes into one WebAssembly module and its manifest. */
export async function compileProgram(p: Program, opts: CompileOptions = {}): Promise<CompileResult> {
  const bn = await loadBinaryen();
  const g = p.graph;
  const layout = new Layout();
  const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
  const bwd = vjpGraph(g, wrt);

  // -- pinned tensors: what the outside world reads and writes ----------------------------------
  const pin = (v: string, graph: Graph = g) => layout.pin(graph.types.get(v)!.shape);
  const inSlots = g.inputs.map((v) => pin(v));
  const outSlots = g.outputs.map((v) => pin(v));
  const ctSlots = bwd.cotangents.map((c) => (c === null ? null : pin(c, bwd.graph)));
  const gradSlots = bwd.grads.map((v) => pin(v, bwd.graph));

  // training: hyper-parameters, two optimizer slots per parameter and its moving average
  const train = p.loss ? {
    hyper: layout.pin([HYPER_FIELDS.length]),
    slots: p.params.map((x) => ({ m: layout.pin(x.shape), v: layout.pin(x.shape), a: layout.pin(x.shape) })),
  } : null;

  const passes = opts.passes ?? 2;
  const fwdPlan = planFunction(optimized(g, passes), layout, inSlots, outSlots);
  const bwdInSlots = [...inSlots, ...ctSlots.filter((s): s is Slot => s !== null)];
  const bwdPlan = planFunction(optimized(bwd.graph, passes), layout, bwdInSlots, [...outSlots, ...gradSlots]);
  // the streaming step runs the forward graph at T = 1 once per call: the merge passes would
  // concatenate the gates' weights on every call (8 MB per step for an LSTM at H = 512), for a GEMV
  // that is bound by reading those weights anyway, so the step's forward keeps them apart
  const stepPlan = planFunction(optimized(g, passes, { mergeWeights: false }), layout, inSlots, outSlots);

  const total = layout.totalBytes();
  refuseBeyond4GiB(total, `${p.file}: `);
  const initialPages = Math.max(1, Math.ceil(evalPoly(total, 1, 1) / PAGE));

  const m = new bn.Module();
  try {
    startModule(bn, m, initialPages, opts);
    const em = new Emitter(bn, m, layout, opts.relaxedSimd === true);
    em.emitFunction("forward", fwdPlan);
    em.emitFunction("backward", bwdPlan);
    em.emitFunction("forward_step", stepPlan);
    emitStep(bn, m, layout, p, g, inSlots, outSlots);
    const entries = ["forward", "backward", "step"];
    if (train) {
      const R = (s: Slot) => layout.resolvePinned(s);
      emitTrainStep(bn, m, {
        hyper: R(train.hyper),
        params: p.params.map((x, i) => ({
          p: R(inSlots[g.inputs.indexOf(x.name)]!), g: R(gradSlots[wrt.indexOf(x.name)]!),
          m: R(train.slots[i]!.m), v: R(train.slots[i]!.v), a: R(train.slots[i]!.a), count: x.shape.reduce((a, b) => a * b, 1),
        })),
        loss: R(outSlots[g.outputs.length - 1]!),
        lossCotangent: R(ctSlots[ctSlots.length - 1]!),
        cotangents: ctSlots.flatMap((c, i) => (c ? [{ at: R(c), count: countPoly(g.types.get(g.outputs[i]!)!.shape) }] : [])),
      });
      entries.push("train_step");
    }
    for (const e of entries) m.addFunctionExport(e, e);
    // the runtime checks this against the manifest's graphHash: a manifest of another graph whose
    // entries and memory happen to fit this module would otherwise run the wrong computation
    m.addCustomSection(GRAPH_HASH_SECTION, new TextEncoder().encode(graphHash(p.graph)));
    const { wasm, wat } = finishModule(bn, m, opts, p.file, em.parts);
    const manifest = buildManifest(p, layout, total, inSlots, outSlots, ctSlots, gradSlots, wrt, bwd.cotangents);
    const needs = manifestFeatures(opts);
    if (needs.length > 0) manifest.features = needs;
    if (train) {
      manifest.entries.train_step = { export: "train_step" };
      manifest.training = {
        hyper: { offset: layout.resolvePinned(train.hyper), fields: HYPER_FIELDS },
        optimizers: OPTIMIZER_KINDS,
        state: Object.fromEntries(p.params.map((x, i) => [x.name, {
          m: { offset: layout.resolvePinned(train.slots[i]!.m) }, v: { offset: layout.resolvePinned(train.slots[i]!.v) },
          average: { offset: layout.resolvePinned(train.slots[i]!.a) },
        }])),
      };
    }
    return { wasm, manifest, ...(wat !== undefined ? { wat } : {}) };
  } finally {
    m.dispose();
  }
}

/**
 * Features, memory (with the vector math functions' constant table at CONSTANTS_AT, see
 * ./memory.ts) and the math functions every module starts with.
 */
function startModule(bn: Binaryen, m: Module, initialPages: number, opts: CompileOptions): void {
  m.setFeatures(features(bn, opts));
  m.setMemory(initialPages, MAX_PAGES, "memory", [{ offset: m.i32.const(CONSTANTS_AT), data: vectorMathConstants(), passive: false }]);
  addMathFunctions(m);
}

/** Validates (including that the IR is a tree), optimizes at opts.optimize (default 3), emits. */
function finishModule(bn: Binaryen, m: Module, opts: CompileOptions, what: string, parts = false): { wasm: Uint8Array; wat?: string } {
  if (!m.validate()) throw new Error("internal: the emitted module does not validate");
  const shared = findSharedExpression(bn, m);
  if (shared) throw new Error(`internal: ${shared}`);
  const level = opts.optimize ?? 3;
  try {
    if (level > 0 && parts) {
      // parts of a split function are called once each: Binaryen would inline them all back
      bn.setPassArgument("no-inline", `*${PART}*`);
      try {
        m.runPasses(["no-inline"]);
      } finally {
        bn.setPassArgument("no-inline", null);
      }
    }
    if (level > 0) withOptimizeSettings(bn, level, 0, () => m.optimize());
    return { wasm: m.emitBinary(), ...(opts.wat ? { wat: m.emitText() } : {}) };
  } catch (e) {
    // Binaryen's passes and writer recurse over expression depth, and its optimizer nests what it
    // is given deeper: a fused loop of ~700 chained equations overflowed the JS stack at -O1 and
    // above (at -O0 it compiles). fuseElementwise now cuts fused loops at MAX_FUSED_DEPTH, far
    // below that; this stays as the safety net for whatever else nests that deep
    if (e instanceof RangeError && /call stack/.test(e.message)) {
      throw new RnncError(`${what}: Binaryen ran out of stack at -O${level} (the graph's expressions are nested too deeply, e.g. a very long chain of elementwise equations); compile it with -O0`);
    }
    throw e;
  }
}

/**
 * The IR passes before lowering. They keep the graph's inputs and the number and order of its
 * outputs (an output may be renamed, or become an input it merely passes through: the plan copies
 * it), which the pinned slots rely on; checked here, since a pass that broke it would silently read
 * or write the wrong tensor.
 */
function optimized(g: Graph, level: 0 | 1 | 2, opts: { mergeWeights?: boolean } = {}): Graph {
  if (level === 0) return g;
  const o = optimizeGraph(g, level, undefined, opts.mergeWeights === false ? (stage) => stage.startsWith("merge") : undefined);
  const sameInputs = o.inputs.length === g.inputs.length && o.inputs.every((v, i) => v === g.inputs[i]);
  if (!sameInputs || o.outputs.length !== g.outputs.length) {
    throw new Error(`internal: an IR pass changed the graph's interface: ${g.inputs} -> ${o.inputs}; ${g.outputs.length} -> ${o.outputs.length} outputs`);
  }
  return o;
}

/**
 * Refuses a memory plan that does not fit WebAssembly's 32-bit memory (4 GiB) even at B = 1,
 * T = 1: the module could not be instantiated (binaryen would only say that it does not validate).
 */
function refuseBeyond4GiB(total: Poly, where: string): void {
  const need = evalPoly(total, 1, 1);
  if (need > MAX_PAGES * PAGE) {
    throw new RnncError(`${where}the memory plan needs ${need} bytes at B=1, T=1 (${(need / 2 ** 30).toFixed(1)} GiB), beyond WebAssembly's 4 GiB limit (${MAX_PAGES * PAGE} bytes)`);
  }
}

/** Number of elements of a shape as a polynomial in B and T. */
function countPoly(shape: Shape): Poly {
  let c = 1, b = false, t = false;
  for (const d of shape) {
    if (d === "B") b = true;
    else if (d === "T") t = true;
    else c *= d;
  }
  const out: Poly = [0, 0, 0, 0];
  out[(b ? 1 : 0) + (t ? 2 : 0)] = c;
  return out;
}

/** step(B, T): forward_step with T = 1, then each final state becomes the next initial state. */
function emitStep(bn: Binaryen, m: Module, layout: Layout, p: Program, g: Graph, inSlots: Slot[], outSlots: Slot[]): void {
  const fn = new Fn(bn, m, 2, () => { throw new Error("internal: step reads no values"); });
  const code: Expr[] = [m.call("forward_step", [fn.B, fn.i32(1)], bn.none)];
  p.states.forEach((s, i) => {
    if (!s.input) return;
    const from = layout.resolvePinned(outSlots[p.outputs.length + i]!);
    const to = layout.resolvePinned(inSlots[g.inputs.indexOf(s.input)]!);
    code.push(fn.copy(fn.poly(to), fn.poly(from), fn.count(s.type.shape)));
  });
  fn.finish("step", bn.createType([bn.i32, bn.i32]), code);
}

function buildManifest(p: Program, layout: Layout, total: Poly, inSlots: Slot[], outSlots: Slot[],
  ctSlots: (Slot | null)[], gradSlots: Slot[], wrt: string[], cts: (string | null)[]): Manifest {
  const g = p.graph;
  const spec = (t: TensorType, s: Slot): TensorSpec => ({ dtype: t.dtype, shape: t.shape, offset: layout.resolvePinned(s) });
  const inputIndex = (v: string) => g.inputs.indexOf(v);
  const ranges = idRanges(g);
  const man: Manifest = {
    format: "rnnc-manifest",
    version: MANIFEST_VERSION,
    name: p.name,
    kind: p.kind,
    sizes: p.sizes,
    graphHash: graphHash(g),
    memory: { bytes: addPoly(total, [0, 0, 0, 0]) },
    params: Object.fromEntries(p.params.map((x) => [x.name, { ...spec(g.types.get(x.name)!, inSlots[inputIndex(x.name)]!), init: x.init }])),
    inputs: Object.fromEntries(p.inputs.map((x) => {
      const s = spec(x.type, inSlots[inputIndex(x.name)]!);
      const r = ranges.get(x.name);
      return [x.name, r ? { ...s, range: r } : s];
    })),
    states: Object.fromEntries(p.states.map((s, i) => [s.name, {
      dtype: "f32" as const,
      shape: s.type.shape,
      ...(s.input ? { init: { offset: layout.resolvePinned(inSlots[inputIndex(s.input)]!) } } : {}),
      final: { offset: layout.resolvePinned(outSlots[p.outputs.length + i]!) },
    }])),
    outputs: Object.fromEntries(p.outputs.map((o, i) => [o.name, spec(g.types.get(o.value)!, outSlots[i]!)])),
    loss: p.loss ? spec(g.types.get(p.loss)!, outSlots[g.outputs.length - 1]!) : null,
    grads: {},
    cotangents: { outputs: {}, final: {}, loss: null },
    entries: { forward: { export: "forward" }, backward: { export: "backward" }, step: { export: "step" } },
  };
  const nameOfInput = (v: string) => p.states.find((s) => s.input === v)?.name ?? v;
  wrt.forEach((v, i) => (man.grads[nameOfInput(v)] = spec(g.types.get(v)!, gradSlots[i]!)));
  cts.forEach((c, i) => {
    const s = ctSlots[i];
    if (c === null || !s) return;
    const t = g.types.get(g.outputs[i]!)!;
    if (i < p.outputs.length) man.cotangents.outputs[p.outputs[i]!.name] = spec(t, s);
    else if (i < p.outputs.length + p.states.length) man.cotangents.final[p.states[i - p.outputs.length]!.name] = spec(t, s);
    else man.cotangents.loss = spec(t, s);
  });
  return man;
}

export interface GraphModule {
  wasm: Uint8Array;
  inputs: { offset: Poly; type: TensorType }[];
  outputs: { offset: Poly; type: TensorType }[];
  memoryBytes: Poly;
}

/**
 * Compiles any graph as one exported function `run(B, T)` with pinned inputs and outputs —
 * the WebAssembly backend of `rnnc eval` and of the tests that hold it to the interpreter.
 */
export async function compileGraph(g: Graph, opts: CompileOptions = {}): Promise<GraphModule> {
  const bn = await loadBinaryen();
  const layout = new Layout();
  const inSlots = g.inputs.map((v) => layout.pin(g.types.get(v)!.shape));
  const outSlots = g.outputs.map((v) => layout.pin(g.types.get(v)!.shape));
  const plan = planFunction(optimized(g, opts.passes ?? 2), layout, inSlots, outSlots);
  const total = layout.totalBytes();
  refuseBeyond4GiB(total, "");
  const m = new bn.Module();
  try {
    startModule(bn, m, Math.max(1, Math.ceil(evalPoly(total, 1, 1) / PAGE)), opts);
    const em = new Emitter(bn, m, layout, opts.relaxedSimd === true);
    em.emitFunction("run", plan);
    m.addFunctionExport("run", "run");
    return {
      wasm: finishModule(bn, m, opts, "the graph", em.parts).wasm,
      inputs: g.inputs.map((v, i) => ({ offset: layout.resolvePinned(inSlots[i]!), type: g.types.get(v)! })),
      outputs: g.outputs.map((v, i) => ({ offset: layout.resolvePinned(outSlots[i]!), type: g.types.get(v)! })),
      memoryBytes: total,
    };
  } finally {
    m.dispose();
  }
}
