import { RnncError } from "../diagnostics.ts";
import type { Builder } from "../ir/builder.ts";
import type { AttrValue, Attrs, Graph, Node, TensorType } from "../ir/types.ts";
import { formatType } from "../ir/types.ts";
import { getOp } from "../ops/registry.ts";
import { MAX_CHECKPOINT, scanAttrs } from "../ops/scan.ts";
import { vjpRaw } from "./vjp.ts";


/**
 * BPTT: the VJP of a scan is a reverse scan of the body's VJP.
 *
 * 1. Differentiate the body: jb = (body forward ; body backward).
 * 2. Partial evaluation: every value of jb is tangent (depends on a cotangent), invariant
 *    (depends only on consts: recomputed in the backward body), or a per-step primal. Per-step
 *    primals that the backward part reads are residuals: the forward scan is re-emitted with them
 *    as extra per-step outputs (per-step inputs x_t are read from xs directly, not saved twice).
 *    With `checkpoint: 1` only the carries entering each step are saved, and the backward body
 *    recomputes every other forward value it reads from them (trading one forward step of work
 *    per step for memory: O(T·state) instead of O(T·residuals)). `checkpoint: k > 1` keeps one
 *    state per k steps: see linearizeSegmented below.
 * 3. The backward body carries the state cotangents and one gradient accumulator per weight,
 *    reads residuals and output cotangents per step, and emits the input cotangents per step.
 */
export function linearizeScan(b: Builder, node: Node): (cts: (string | null)[]) => (string | null)[] {
  const j = joint(node);
  const { a, body, nC, nK, constIn, carryIn, xIn, type, jb, gradOf, ctOut, accumulated, xsWithGrad } = j;
  if (a.checkpoint !== undefined && (!Number.isInteger(a.checkpoint) || a.checkpoint < 1 || a.checkpoint > MAX_CHECKPOINT)) {
    throw new RnncError(`checkpoint must be an integer from 1 to ${MAX_CHECKPOINT}, found ${a.checkpoint}`);
  }
  if (a.checkpoint !== undefined && a.checkpoint > 1) return linearizeSegmented(b, node, j, a.checkpoint);

  // checkpoint 1: save only what enters the step (the carries; x_t is in xs) and recompute the rest
  const recompute = a.checkpoint === 1;
  const { needed, saved, xResiduals } = classify(j, recompute);

  // -- the forward scan, now also emitting the saved residuals per step ------------------------
  const fwdBody: Graph = { ...body, outputs: [...body.outputs, ...saved], types: new Map(body.types) };
  // fresh() only avoids names already in the graph: these are all reserved before the scan that
  // defines them is emitted, so they must also avoid each other (`%res.tanh` taken, `%tanh` gets
  // `%res.tanh.9` while `%tanh.9` would get it too)
  const stacks: string[] = [];
  for (const r of saved) stacks.push(reserve(b, stacks, `res.${r.replace(/^%/, "")}`));
  // a checkpointed forward loop also keeps its per-step work inside: hoisting W·x_t out of it
  // stacks [T, B, gates·H] — more than the state the checkpoint keeps
  b.emit("scan", node.inputs, { ...node.attrs, body: fwdBody, ...(recompute ? { keep_in_loop: true } : {}) }, [...node.outputs, ...stacks]);

  return (cts) => {
    // -- the backward body ----------------------------------------------------------------------
    const types = new Map<string, TensorType>();
    let counter = 0;
    const fresh = (hint: string) => {
      let name: string;
      do name = `%${hint}.${++counter}`;
      while (jb.types.has(name) || types.has(name));
      return name;
    };
    const ys = body.outputs.slice(nK);
    const ctY = ys.map((_, j) => ctOut[nK + j] ?? null);
    const ctCarry = carryIn.map((_, k) => ctOut[k]!);
    const accIn = accumulated.map((c) => fresh(`acc.${c.replace(/^%/, "")}`));
    const inputs = [...constIn, ...ctCarry, ...accIn, ...saved, ...xResiduals, ...ctY.filter((c): c is string => c !== null)];
    for (const v of inputs) types.set(v, jb.types.get(v) ?? type(v));
    accIn.forEach((v, j) => types.set(v, type(accumulated[j]!)));
    const nodes = jb.nodes.filter((n) => needed.has(n));
    for (const n of nodes) for (const o of n.outputs) types.set(o, jb.types.get(o)!);
    const carryOut = carryIn.map((c, k) => {
      const g = gradOf.get(c);
      if (g) return g;
      const z = fresh("zero");
      nodes.push({ op: "zeros_like", inputs: [ctCarry[k]!], outputs: [z], attrs: {} });
      types.set(z, type(c));
      return z;
    });
    const accOut = accumulated.map((c, j) => {
      const s = fresh(`acc.${c.replace(/^%/, "")}`);
      nodes.push({ op: "add", inputs: [accIn[j]!, gradOf.get(c)!], outputs: [s], attrs: {} });
      types.set(s, type(c));
      return s;
    });
    const masked = a.has_lengths && a.n_xs > 0;
    const maskIn = masked ? fresh("mask") : null;
    const outs0 = [...carryOut, ...accOut, ...xsWithGrad.map(([x]) => gradOf.get(x)!)];
    const { nodes: bodyNodes, outputs: bodyOutputs } = maskIn
      ? maskReductions(inputs, nodes, outs0, types, maskIn, fresh)
      : { nodes, outputs: outs0 };
    if (maskIn) inputs.push(maskIn);
    const bwdBody: Graph = { inputs, outputs: bodyOutputs, nodes: bodyNodes, types };

    // -- the backward scan ------------------------------------------------------------------------
    const outerConsts = node.inputs.slice(0, nC);
    const outerInits = node.inputs.slice(nC, nC + nK);
    const outerXs = node.inputs.slice(nC + nK, nC + nK + a.n_xs);
    const finalCts = outerInits.map((_, k) => cts[k] ?? b.zerosLike(node.outputs[k]!));
    const accInits = accumulated.map((c) => b.zerosLike(outerConsts[constIn.indexOf(c)]!));
    const yCts = ys
      .map((_, j) => (ctY[j] === null ? null : cts[nK + j] ?? b.zerosLike(node.outputs[nK + j]!)))
      .filter((c): c is string => c !== null);
    const bwdInputs = [
      ...outerConsts,
      ...finalCts,
      ...accInits,
      ...stacks,
      ...xResiduals.map((r) => outerXs[xIn.indexOf(r)]!),
      ...yCts,
      ...(maskIn ? [b.op("step_mask", [node.inputs[node.inputs.length - 1]!, outerXs[0]!])] : []),
      ...(a.has_lengths ? [node.inputs[node.inputs.length - 1]!] : []),
    ];
    const attrs: Record<string, AttrValue> = {
      body: bwdBody,
      n_consts: nC,
      n_carry: nK + accumulated.length,
      n_xs: stacks.length + xResiduals.length + yCts.length + (maskIn ? 1 : 0),
      reverse: !a.reverse,
      has_lengths: a.has_lengths,
    };
    if (a.steps !== undefined) attrs.steps = a.steps;
    if (recompute) attrs.keep_in_loop = true;
    if (a.truncate) {
      attrs.cut_every = a.truncate;
      attrs.cut_carries = nK;
    }
    const outs = b.ops("scan", bwdInputs, attrs, "bptt");
    return gradsOf(j, node, outs, 0);
  };
}

/** What both residual policies share: the scan's parts and the partially evaluated joint body. */
interface Joint {
  a: ReturnType<typeof scanAttrs>;
  body: Graph;
  nC: number;
  nK: number;
  constIn: string[];
  carryIn: string[];
  xIn: string[];
  type: (v: string) => TensorType;
  jb: Graph;
  gradOf: Map<string, string | null>;
  /** One cotangent input of jb per body output. */
  ctOut: (string | null)[];
  tangent: Set<string>;
  invariant: Set<string>;
  producer: Map<string, Node>;
  forwardValues: Set<string>;
  /** Consts with a gradient: one accumulator each in the backward scan. */
  accumulated: string[];
  xsWithGrad: (readonly [string, number])[];
}

function joint(node: Node): Joint {
  const a = scanAttrs(node.attrs);
  const body = a.body;
  const nC = a.n_consts, nK = a.n_carry;
  const bodyIn = body.inputs;
  const constIn = bodyIn.slice(0, nC), carryIn = bodyIn.slice(nC, nC + nK), xIn = bodyIn.slice(nC + nK);
  const type = (v: string) => body.types.get(v)!;
  for (const c of carryIn) {
    if (type(c).dtype !== "f32") throw new RnncError(`cannot differentiate through integer state ${c}`);
  }

  if (a.has_lengths) {
    // Masked rows run on zeros; an output without a batch dim would mix them in, and its gradient
    // could not tell them apart. Per-example values only (the frontend only makes those).
    body.outputs.forEach((v, i) => {
      if (type(v).shape[0] !== "B") {
        const what = i < nK ? `state ${carryIn[i]}` : `per-step output ${i - nK}`;
        throw new RnncError(`cannot differentiate a scan with lengths whose ${what} has no batch dimension`);
      }
    });
  }
  const wrt = bodyIn.filter((v) => type(v).dtype === "f32");
  const jv = vjpRaw(body, wrt);
  const jb = jv.graph;
  const gradOf = new Map(wrt.map((w, i) => [w, jv.grads[i] ?? null]));
  const ctOut = jv.cotangents; // one per body output

  // -- classify the values of the joint body ------------------------------------------------
  const tangent = new Set<string>(ctOut.filter((c): c is string => c !== null));
  const invariant = new Set<string>(constIn);
  const producer = new Map<string, Node>();
  for (const n of jb.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    if (n.inputs.some((v) => tangent.has(v))) n.outputs.forEach((o) => tangent.add(o));
    else if (n.inputs.every((v) => invariant.has(v))) n.outputs.forEach((o) => invariant.add(o));
  }

  const forwardValues = new Set<string>([...bodyIn, ...body.nodes.flatMap((n) => n.outputs)]);
  const accumulated = constIn.filter((c) => gradOf.get(c));
  const xsWithGrad = xIn.map((x, i) => [x, i] as const).filter(([x]) => gradOf.get(x));
  return { a, body, nC, nK, constIn, carryIn, xIn, type, jb, gradOf, ctOut, tangent, invariant, producer, forwardValues, accumulated, xsWithGrad };
}

/**
 * The nodes of jb the backward body needs, and the per-step primals it reads (`saved`: made by
 * the forward loop; `xResiduals`: per-step inputs, read from xs). With `recompute`, the only
 * forward values read are the body's inputs: everything else is recomputed from them.
 */
function classify(j: Joint, recompute: boolean): { needed: Set<Node>; saved: string[]; xResiduals: string[] } {
  const { carryIn, xIn, gradOf, tangent, invariant, producer, forwardValues, accumulated, xsWithGrad } = j;
  const isBodyInput = new Set(j.body.inputs);
  const needed = new Set<Node>();
  // (a forward value's own producer is never needed: it is saved instead)
  const residuals: string[] = [];
  const seen = new Set<string>();
  // depth-first, in preorder, with an explicit stack: recursing overflowed the call stack on a
  // body that is a chain of 2,000 equations
  const visit = (root: string) => {
    const stack = [root];
    while (stack.length) {
      const v = stack.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      const p = producer.get(v);
      // tangent values, loop invariants and primal values that only the backward rules compute
      // (e.g. 1 - y² of tanh) are computed in the backward body; forward values are saved.
      if (tangent.has(v) || invariant.has(v) || !forwardValues.has(v) || (recompute && !isBodyInput.has(v))) {
        if (p) {
          needed.add(p);
          for (let i = p.inputs.length - 1; i >= 0; i--) stack.push(p.inputs[i]!);
        }
        continue;
      }
      residuals.push(v); // a per-step primal: saved by the forward scan, or read from xs
    }
  };
  const roots = [...carryIn, ...accumulated, ...xsWithGrad.map(([x]) => x)].map((v) => gradOf.get(v)).filter((g): g is string => !!g);
  roots.forEach(visit);

  const xResiduals = residuals.filter((r) => xIn.includes(r));
  const saved = residuals.filter((r) => !xIn.includes(r));
  return { needed, saved, xResiduals };
}

/**
 * With lengths, a masked row runs the backward body on zeros: its batched results are held or
 * dropped, but a node that sums over the batch (a weight gradient: outer, sum_to, …) takes every
 * row, and 0/0 or 0·∞ there (the VJP of div, log, sqrt on a zeroed residual) would turn the
 * accumulator NaN. Each batched f32 value such a node reads is replaced, for all its readers, by
 * where(step mask, value, 0) right where it is made (a `where`, which drops NaN, unlike a
 * product; the other readers only feed batched results, whose masked rows the scan discards).
 */
function maskReductions(
  inputs: string[], nodes: Node[], outputs: string[], types: Map<string, TensorType>, maskIn: string, fresh: (hint: string) => string,
): { nodes: Node[]; outputs: string[] } {
  types.set(maskIn, { dtype: "f32", shape: ["B", 1] });
  const batched = (v: string) => types.get(v)!.shape[0] === "B" && types.get(v)!.dtype === "f32";
  const reduced = new Set<string>();
  for (const n of nodes) if (!n.outputs.some((o) => types.get(o)!.shape[0] === "B")) n.inputs.filter(batched).forEach((v) => reduced.add(v));
  if (reduced.size === 0) return { nodes, outputs };
  const zero = fresh("zero");
  types.set(zero, { dtype: "f32", shape: [] });
  const renamed = new Map<string, string>();
  const maskNode = (v: string): Node => {
    const w = fresh(`masked.${v.replace(/^%/, "")}`);
    types.set(w, types.get(v)!);
    renamed.set(v, w);
    return { op: "where", inputs: [maskIn, v, zero], outputs: [w], attrs: {} };
  };
  const out: Node[] = [{ op: "constant", inputs: [], outputs: [zero], attrs: { value: 0 } }];
  for (const v of inputs) if (reduced.has(v)) out.push(maskNode(v));
  for (const n of nodes) {
    out.push({ ...n, inputs: n.inputs.map((v) => renamed.get(v) ?? v) });
    for (const o of n.outputs) if (reduced.has(o)) out.push(maskNode(o));
  }
  return { nodes: out, outputs: outputs.map((v) => renamed.get(v) ?? v) };
}

/** A fresh outer name that also avoids `taken` (names reserved for one node's outputs). */
function reserve(b: Builder, taken: string[], hint: string): string {
  let name = b.fresh(hint);
  for (let k = 2; taken.includes(name); k++) name = b.fresh(`${hint}.r${k}`);
  return name;
}

/**
 * The gradients of the scan's inputs from the backward scan's outputs: state cotangents, then
 * weight accumulators, then `skip` register carries, then the per-step input cotangents.
 */
function gradsOf(j: Joint, node: Node, outs: string[], skip: number): (string | null)[] {
  const { nC, nK, constIn, accumulated, xsWithGrad } = j;
  const dInit = outs.slice(0, nK);
  const dConst = outs.slice(nK, nK + accumulated.length);
  const dXs = outs.slice(nK + accumulated.length + skip);
  const grads: (string | null)[] = node.inputs.map(() => null);
  accumulated.forEach((c, i) => (grads[constIn.indexOf(c)] = dConst[i]!));
  dInit.forEach((g, k) => (grads[nC + k] = g));
  xsWithGrad.forEach(([, i], m) => (grads[nC + nK + i] = dXs[m]!));
  return grads;
}

// ---------------------------------------------------------------------------------------------
// checkpoint: k > 1

/**
 * Appends shape-checked single-output nodes to a scan body under fresh names (a body is its own
 * namespace; `taken` lists names the body will also hold, e.g. the joint body's).
 */
class BodyBuilder {
  readonly nodes: Node[] = [];
  private n = 0;
  constructor(readonly types: Map<string, TensorType>, private readonly taken: (v: string) => boolean = () => false) {}

  fresh(hint: string): string {
    const base = `%${hint.replace(/^%/, "")}`;
    let name: string;
    do name = `${base}.k${++this.n}`;
    while (this.taken(name) || this.types.has(name));
    return name;
  }

  input(hint: string, t: TensorType): string {
    const v = this.fresh(hint);
    this.types.set(v, t);
    return v;
  }

  type(v: string): TensorType {
    const t = this.types.get(v);
    if (!t) throw new Error(`internal: body value ${v} has no type`);
    return t;
  }

  op(op: string, inputs: string[], attrs: Attrs = {}, hint = op): string {
    const ts = inputs.map((v) => this.type(v));
    const [t] = getOp(op).shape(ts, attrs, (i) => `${inputs[i]} ${formatType(ts[i]!)}`);
    const v = this.fresh(hint);
    this.types.set(v, t!);
    this.nodes.push({ op, inputs, outputs: [v], attrs });
    return v;
  }

  /** Elements [start, start + size) of the last axis. */
  slice(x: string, start: number, size: number): string {
    return this.op("slice", [x], { axis: -1, start, size });
  }

  /** a ++ b along the last axis. */
  concat(a: string, b: string): string {
    return this.op("concat", [a, b], { axis: -1 });
  }

  where(c: string, a: string, b: string): string {
    return this.op("where", [c, a, b]);
  }

  constant(value: number, shape?: number[]): string {
    return this.op("constant", [], shape ? { value, shape } : { value }, "const");
  }
}

const lastDim = (t: TensorType) => t.shape[t.shape.length - 1] as number;
/** The type of a buffer of `m` elements per example along the last axis of `t`. */
const widened = (t: TensorType, m: number): TensorType => ({ dtype: "f32", shape: [...t.shape.slice(0, -1), m] });
const short = (v: string) => v.replace(/^%/, "");

/**
 * BPTT keeping the state of one step in k (`checkpoint: k`, 1 < k ≤ MAX_CHECKPOINT), with no scan
 * nested in another: the backend lowers only flat loops, and every sequence is [T, ...] with T
 * known only at run time, so there is no [T/k, ...] tensor to scan over segments with. Everything
 * is a scan over the T steps, and the segments live in registers: carries holding k steps' worth
 * of values, packed along their last axis and shifted by one step per step.
 *
 * Segments are counted from the end of the scan's processing order: segment 0 is its last k
 * steps, segment m the k steps before segment m−1, and the first segment (the one with step 0)
 * is shorter when k does not divide T. A small scan first marks each step that starts a segment
 * (it counts the steps from the end). With lengths, each sequence is segmented from its own last
 * step (masked steps hold every register, as they hold the state).
 *
 * The forward scan is the scan plus registers:
 * - the state entering the last three segment starts (S1 newest, S2, E);
 * - pieces: while it runs segment m−1 it emits, at each of its k steps, one k-th of C_{m+1} (the
 *   state entering segment m+1, padded to a multiple of k): ⌈state/k⌉ values per step, the
 *   T/k · state of the checkpoints;
 * - the per-step inputs of the current segment, collected newest first, and emitted one per step
 *   during the next segment (P, with a valid bit): the backward loop, which walks the steps
 *   backwards, then reads the inputs of segment m+1 forwards while it walks segment m;
 * - a window of the states entering the last k steps: its final value is segment 0's.
 *
 * The backward scan, at each step u of segment m (walked from its last step to its first):
 * - pops the state entering step u from register D and runs the body's VJP as checkpoint 1 does
 *   (recomputing the step's other values from that state);
 * - recomputes one step of segment m+1 from register RC (C_{m+1} at the segment's start) and P_u,
 *   and pushes the state entering that step into register W;
 * - collects the piece emitted at step u into register A (all of C_{m+2} once segment m is done);
 * - at the first step of segment m: D ← W, RC ← A.
 * Per step, that is two forward steps of recomputation (one more than checkpoint 1) and O(k ·
 * state) register moves; memory per batch row is T · (⌈state/k⌉ + inputs) for the pieces and P,
 * plus about 6 · k · state in registers (each is a carry, its new value and the shift's
 * temporaries). Buffering each segment's residuals instead of its states would save one
 * recomputation but cost k · residuals in registers (3.5 · k · state for an LSTM). Steps that the
 * short first segment lacks are recomputed on nothing and flagged invalid (their state is held).
 * Requires every state and every per-step input the cell reads to be a float vector
 * ([B, n]; also [n] without lengths).
 */
function linearizeSegmented(b: Builder, node: Node, j: Joint, k: number): (cts: (string | null)[]) => (string | null)[] {
  const { a, body, nC, nK, constIn, carryIn, xIn, type, jb, gradOf, ctOut, accumulated, xsWithGrad } = j;
  const L = a.has_lengths;
  const nX = a.n_xs;
  const where = `checkpoint ${k}`;
  const vector = (t: TensorType) => t.dtype === "f32" && typeof t.shape[t.shape.length - 1] === "number"
    && ((t.shape.length === 2 && t.shape[0] === "B") || (!L && t.shape.length === 1));
  const vectors = L ? "float vectors per example ([B, n])" : "float vectors ([B, n] or [n])";
  for (const c of carryIn) {
    if (!vector(type(c))) throw new RnncError(`${where}: state ${c} is ${formatType(type(c))}; keeping every k-th state (k > 1) packs states along their last axis and needs ${vectors}; use checkpoint 1`);
  }
  if (L && nX === 0) throw new Error("internal: a scan with lengths has per-step inputs");
  // within a segment, as checkpoint 1: only the state is kept, each step's other values are
  // recomputed from it (buffering the residuals instead would save that recomputation but cost
  // k · residuals, 3.5 times k · state for an LSTM, in registers copied at every step)
  const { needed, saved, xResiduals } = classify(j, true);

  // the body nodes that compute the next state and the saved residuals: the recomputation
  const recomputed = new Set<string>([...body.outputs.slice(0, nK), ...saved]);
  const recNodes: Node[] = [];
  for (let i = body.nodes.length - 1; i >= 0; i--) {
    const n = body.nodes[i]!;
    if (!n.outputs.some((o) => recomputed.has(o))) continue;
    recNodes.push(n);
    n.inputs.forEach((v) => recomputed.add(v));
  }
  recNodes.reverse();
  const xsRead = xIn.filter((x) => recomputed.has(x));
  for (const x of xsRead) {
    if (!vector(type(x))) throw new RnncError(`${where}: the per-step input ${x} is ${formatType(type(x))}; the backward pass replays the inputs of each segment from a buffer packed along their last axis, which needs ${vectors}; use checkpoint 1`);
  }

  const outerConsts = node.inputs.slice(0, nC);
  const outerInits = node.inputs.slice(nC, nC + nK);
  const outerXs = node.inputs.slice(nC + nK, nC + nK + nX);
  const lengths = L ? node.inputs[node.inputs.length - 1]! : null;
  const stepMask = L ? b.op("step_mask", [lengths!, outerXs[0]!]) : null;
  const flagType: TensorType = { dtype: "f32", shape: L ? ["B", 1] : [1] };

  // zeros of a register's outer type: [n] constants, or [B, n] from a state's batch dim
  const batchedInit = outerInits.find((v) => b.type(v).shape.length === 2 && b.type(v).shape[0] === "B");
  let zeroColumn: string | null = null;
  const outerZeros = (t: TensorType): string => {
    const m = lastDim(t);
    if (t.shape[0] !== "B") return b.op("constant", [], { value: 0, shape: [m] });
    if (!zeroColumn) {
      if (!batchedInit) throw new RnncError(`${where}: the scan has per-example values but no per-example state to take the batch size from; use checkpoint 1`);
      zeroColumn = b.op("slice", [b.zerosLike(batchedInit)], { axis: -1, start: 0, size: 1 });
    }
    return m === 1 ? zeroColumn : b.op("pad", [zeroColumn], { axis: -1, before: 0, after: m - 1 });
  };

  // -- which steps start a segment: count the steps from the end ------------------------------
  const flags = (() => {
    const cb = new BodyBuilder(new Map());
    const cnt = cb.input("count", flagType);
    const inputs = [cnt];
    let active: string | null = null;
    if (L) inputs.push((active = cb.input("active", flagType)));
    else if (nX > 0) inputs.push(cb.input("x", type(xIn[0]!))); // read for the number of steps only
    const zero = cb.constant(0);
    const start = cb.op("greater_equal", [cnt, cb.constant(k - 1)], {}, "start");
    let next = cb.where(start, zero, cb.op("add", [cnt, cb.constant(1)]));
    let flag = start;
    if (active) {
      next = cb.where(active, next, cnt);
      flag = cb.where(active, start, zero);
    }
    const counter: Graph = { inputs, outputs: [next, flag], nodes: cb.nodes, types: cb.types };
    const attrs: Record<string, AttrValue> = {
      body: counter, n_consts: 0, n_carry: 1, n_xs: inputs.length - 1, reverse: !a.reverse, has_lengths: false,
    };
    if (nX === 0) attrs.steps = a.steps!;
    const init = outerZeros(flagType);
    const xs = L ? [stepMask!] : nX > 0 ? [outerXs[0]!] : [];
    return b.ops("scan", [init, ...xs], attrs, "ckpt.start")[1]!;
  })();

  // -- the forward scan with its registers ------------------------------------------------------
  const fb = new BodyBuilder(new Map(body.types));
  fb.nodes.push(...body.nodes);
  const fl = fb.input("start", flagType);
  const fZero = fb.constant(0);
  const regIn: string[] = [], regNext: string[] = [], regInit: string[] = [], regHint: string[] = [];
  const extraYs: string[] = [];
  const register = (hint: string, t: TensorType, init: string) => {
    const v = fb.input(hint, t);
    regIn.push(v);
    regInit.push(init);
    regHint.push(hint);
    return v;
  };
  const width = carryIn.map((c) => Math.ceil(lastDim(type(c)) / k));
  const carryRegs = carryIn.map((c, i) => {
    const t = type(c), n = lastDim(t), w = width[i]!;
    const s1 = register(`ckpt.s1.${short(c)}`, t, outerInits[i]!);
    const s2 = register(`ckpt.s2.${short(c)}`, t, outerInits[i]!);
    const e = register(`ckpt.e.${short(c)}`, widened(t, k * w), outerZeros(widened(t, k * w)));
    return { c, n, w, s1, s2, e };
  });
  for (const r of carryRegs) {
    regNext.push(fb.where(fl, r.c, r.s1), fb.where(fl, r.s1, r.s2));
    const padded = k * r.w > r.n ? fb.op("pad", [r.s2], { axis: -1, before: 0, after: k * r.w - r.n }) : r.s2;
    const en = fb.where(fl, padded, r.e);
    const piece = fb.slice(en, 0, r.w);
    regNext.push(fb.concat(fb.slice(en, r.w, (k - 1) * r.w), piece));
    extraYs.push(piece);
  }
  const windows = saved.map((s) => {
    const t = type(s), n = lastDim(t);
    const win = register(`ckpt.w.${short(s)}`, widened(t, k * n), outerZeros(widened(t, k * n)));
    regNext.push(fb.concat(fb.slice(win, n, (k - 1) * n), s));
    return win;
  });
  const queue = (hint: string, v: string, t: TensorType) => {
    // collect v over the segment (newest first), then emit it over the next segment
    const n = lastDim(t);
    const col = register(`ckpt.col.${hint}`, widened(t, k * n), outerZeros(widened(t, k * n)));
    const q = register(`ckpt.q.${hint}`, widened(t, k * n), outerZeros(widened(t, k * n)));
    regNext.push(fb.concat(v, fb.where(fl, fZero, fb.slice(col, 0, (k - 1) * n))));
    const qn = fb.where(fl, col, q);
    const out = fb.slice(qn, 0, n);
    regNext.push(fb.concat(fb.slice(qn, n, (k - 1) * n), out));
    extraYs.push(out);
  };
  for (const x of xsRead) queue(short(x), x, type(x));
  queue("valid", L ? fb.op("greater_equal", [fl, fZero]) : fb.constant(1, [1]), flagType);

  const fwdBody: Graph = {
    inputs: [...constIn, ...carryIn, ...regIn, ...xIn, fl],
    outputs: [...body.outputs.slice(0, nK), ...regNext, ...body.outputs.slice(nK), ...extraYs],
    nodes: fb.nodes,
    types: fb.types,
  };
  const reserved: string[] = [];
  const regFinal = regHint.map((h) => {
    const v = reserve(b, reserved, h);
    reserved.push(v);
    return v;
  });
  const stackOf = (h: string) => {
    const v = reserve(b, reserved, h);
    reserved.push(v);
    return v;
  };
  const pieceStacks = carryIn.map((c) => stackOf(`ckpt.piece.${short(c)}`));
  const inputStacks = xsRead.map((x) => stackOf(`ckpt.replay.${short(x)}`));
  const validStack = stackOf("ckpt.replay.valid");
  b.emit(
    "scan",
    [...outerConsts, ...outerInits, ...regInit, ...outerXs, flags, ...(lengths ? [lengths] : [])],
    { ...node.attrs, body: fwdBody, n_carry: nK + regIn.length, n_xs: nX + 1, keep_in_loop: true },
    [...node.outputs.slice(0, nK), ...regFinal, ...node.outputs.slice(nK), ...pieceStacks, ...inputStacks, validStack],
  );
  const finalOf = (v: string) => regFinal[regIn.indexOf(v)]!;

  return (cts) => {
    // -- the backward body ----------------------------------------------------------------------
    const bb = new BodyBuilder(new Map(), (v) => jb.types.has(v) || body.types.has(v));
    const types = bb.types;
    const ys = body.outputs.slice(nK);
    const ctY = ys.map((_, i) => ctOut[nK + i] ?? null);
    const ctCarry = carryIn.map((_, i) => ctOut[i]!);
    for (const v of [...constIn, ...ctCarry, ...xResiduals, ...ctY.filter((c): c is string => c !== null)]) {
      types.set(v, jb.types.get(v) ?? type(v));
    }
    const accIn = accumulated.map((c) => bb.input(`acc.${short(c)}`, type(c)));
    // registers: residuals of this segment (D) and of the next one (W); the next segment's
    // recomputed state (RC) and the pieces of the one after (A)
    const dIn = saved.map((s) => bb.input(`ckpt.d.${short(s)}`, widened(type(s), k * lastDim(type(s)))));
    const wIn = saved.map((s) => bb.input(`ckpt.w.${short(s)}`, widened(type(s), k * lastDim(type(s)))));
    const rcIn = carryIn.map((c) => bb.input(`ckpt.rc.${short(c)}`, type(c)));
    const aIn = carryRegs.map((r) => bb.input(`ckpt.a.${short(r.c)}`, widened(type(r.c), k * r.w)));
    const pieceIn = carryRegs.map((r) => bb.input(`ckpt.piece.${short(r.c)}`, widened(type(r.c), r.w)));
    const replayIn = xsRead.map((x) => bb.input(`ckpt.replay.${short(x)}`, type(x)));
    const validIn = bb.input("ckpt.valid", flagType);
    const startIn = bb.input("ckpt.start", flagType);

    // pop this step's residuals
    const popped = new Map<string, string>();
    saved.forEach((s, i) => {
      const n = lastDim(type(s));
      popped.set(s, bb.slice(dIn[i]!, (k - 1) * n, n));
    });
    // the body's VJP, on them
    for (const n of jb.nodes) {
      if (!needed.has(n)) continue;
      bb.nodes.push({ ...n, inputs: n.inputs.map((v) => popped.get(v) ?? v) });
      for (const o of n.outputs) types.set(o, jb.types.get(o)!);
    }
    const carryOut = carryIn.map((c, i) => gradOf.get(c) ?? bb.op("zeros_like", [ctCarry[i]!], {}, "zero"));
    const accOut = accumulated.map((c, i) => bb.op("add", [accIn[i]!, gradOf.get(c)!], {}, `acc.${short(c)}`));
    // one step of the next segment, recomputed
    const rn = new Map<string, string>([...carryIn.map((c, i) => [c, rcIn[i]!] as const), ...xsRead.map((x, i) => [x, replayIn[i]!] as const)]);
    for (const n of recNodes) {
      const outs = n.outputs.map((o) => {
        const v = bb.fresh(`ckpt.re.${short(o)}`);
        types.set(v, type(o));
        rn.set(o, v);
        return v;
      });
      bb.nodes.push({ ...n, inputs: n.inputs.map((v) => rn.get(v) ?? v), outputs: outs });
    }
    const regOut: string[] = [];
    saved.forEach((s, i) => {
      // (rotated only now: a register's temporaries then never overlap another's)
      const n = lastDim(type(s));
      const rotated = bb.concat(popped.get(s)!, bb.slice(dIn[i]!, 0, (k - 1) * n));
      const w = bb.concat(bb.slice(wIn[i]!, n, (k - 1) * n), rn.get(s)!);
      regOut.push(bb.where(startIn, w, rotated), w);
    });
    const aOut = carryRegs.map((r, i) => bb.concat(pieceIn[i]!, bb.slice(aIn[i]!, 0, (k - 1) * r.w)));
    carryRegs.forEach((r, i) => {
      const stepped = bb.where(validIn, rn.get(body.outputs[i]!)!, rcIn[i]!);
      const assembled = k * r.w > r.n ? bb.slice(aOut[i]!, 0, r.n) : aOut[i]!;
      regOut.push(bb.where(startIn, assembled, stepped));
    });
    regOut.push(...aOut);

    const inputs = [
      ...constIn, ...ctCarry, ...accIn, ...dIn.flatMap((d, i) => [d, wIn[i]!]), ...rcIn, ...aIn,
      ...xResiduals, ...ctY.filter((c): c is string => c !== null), ...pieceIn, ...replayIn, validIn, startIn,
    ];
    const maskIn = L ? bb.fresh("mask") : null;
    const outs0 = [...carryOut, ...accOut, ...regOut, ...xsWithGrad.map(([x]) => gradOf.get(x)!)];
    const { nodes: bodyNodes, outputs: bodyOutputs } = maskIn
      ? maskReductions(inputs, bb.nodes, outs0, types, maskIn, (h) => bb.fresh(h))
      : { nodes: bb.nodes, outputs: outs0 };
    if (maskIn) inputs.push(maskIn);
    const used = new Set([...inputs, ...bodyNodes.flatMap((n) => n.outputs)]);
    for (const v of [...types.keys()]) if (!used.has(v)) types.delete(v);
    const bwdBody: Graph = { inputs, outputs: bodyOutputs, nodes: bodyNodes, types };

    // -- the backward scan ------------------------------------------------------------------------
    const finalCts = outerInits.map((_, i) => cts[i] ?? b.zerosLike(node.outputs[i]!));
    const accInits = accumulated.map((c) => b.zerosLike(outerConsts[constIn.indexOf(c)]!));
    const yCts = ys
      .map((_, i) => (ctY[i] === null ? null : cts[nK + i] ?? b.zerosLike(node.outputs[nK + i]!)))
      .filter((c): c is string => c !== null);
    // the window of the last k steps' residuals is segment 0's; W's start is never read
    const regInits = [
      ...windows.flatMap((win) => [finalOf(win), finalOf(win)]),
      ...carryRegs.map((r) => finalOf(r.s2)),
      ...carryRegs.map((r) => finalOf(r.e)),
    ];
    const bwdInputs = [
      ...outerConsts, ...finalCts, ...accInits, ...regInits,
      ...xResiduals.map((r) => outerXs[xIn.indexOf(r)]!), ...yCts, ...pieceStacks, ...inputStacks, validStack, flags,
      ...(stepMask ? [stepMask] : []),
      ...(lengths ? [lengths] : []),
    ];
    const nRegs = regInits.length;
    const attrs: Record<string, AttrValue> = {
      body: bwdBody,
      n_consts: nC,
      n_carry: nK + accumulated.length + nRegs,
      n_xs: bwdInputs.length - nC - nK - accumulated.length - nRegs - (lengths ? 1 : 0),
      reverse: !a.reverse,
      has_lengths: L,
      // the per-step work stays in the loop: stacking it over T is what the checkpoint avoids
      keep_in_loop: true,
    };
    if (a.steps !== undefined) attrs.steps = a.steps;
    if (a.truncate) {
      attrs.cut_every = a.truncate;
      attrs.cut_carries = nK;
    }
    const outs = b.ops("scan", bwdInputs, attrs, "bptt");
    return gradsOf(j, node, outs, nRegs);
  };
}
