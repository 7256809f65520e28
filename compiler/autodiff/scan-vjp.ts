import { RnncError } from "../diagnostics.ts";
import type { Builder } from "../ir/builder.ts";
import type { Graph, Node, TensorType } from "../ir/types.ts";
import { scanAttrs } from "../ops/scan.ts";
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
 *    per step for memory: O(T·state) instead of O(T·residuals)).
 * 3. The backward body carries the state cotangents and one gradient accumulator per weight,
 *    reads residuals and output cotangents per step, and emits the input cotangents per step.
 */
export function linearizeScan(b: Builder, node: Node): (cts: (string | null)[]) => (string | null)[] {
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
  // checkpoint 1: save only what enters the step (the carries; x_t is in xs) and recompute the rest
  const recompute = a.checkpoint === 1;
  const isBodyInput = new Set(bodyIn);

  // -- the backward body's roots ---------------------------------------------------------------
  const accumulated = constIn.filter((c) => gradOf.get(c));
  const xsWithGrad = xIn.map((x, i) => [x, i] as const).filter(([x]) => gradOf.get(x));
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

  // -- the forward scan, now also emitting the saved residuals per step ------------------------
  const fwdBody: Graph = { ...body, outputs: [...body.outputs, ...saved], types: new Map(body.types) };
  // fresh() only avoids names already in the graph: these are all reserved before the scan that
  // defines them is emitted, so they must also avoid each other (`%res.tanh` taken, `%tanh` gets
  // `%res.tanh.9` while `%tanh.9` would get it too)
  const stacks: string[] = [];
  for (const r of saved) {
    const hint = `res.${r.replace(/^%/, "")}`;
    let name = b.fresh(hint);
    for (let k = 2; stacks.includes(name); k++) name = b.fresh(`${hint}.r${k}`);
    stacks.push(name);
  }
  b.emit("scan", node.inputs, { ...node.attrs, body: fwdBody }, [...node.outputs, ...stacks]);

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
    // With lengths, a masked row runs the backward body on zeros: its batched results are held or
    // dropped, but a node that sums over the batch (a weight gradient: outer, sum_to, …) takes every
    // row, and 0/0 or 0·∞ there (the VJP of div, log, sqrt on a zeroed residual) would turn the
    // accumulator NaN. Each batched f32 value such a node reads is replaced, for all its readers, by
    // where(step mask, value, 0) right where it is made (a `where`, which drops NaN, unlike a
    // product; the other readers only feed batched results, whose masked rows the scan discards).
    const masked = a.has_lengths && a.n_xs > 0;
    const maskIn = masked ? fresh("mask") : null;
    let bodyNodes: Node[] = nodes;
    let bodyOutputs = [...carryOut, ...accOut, ...xsWithGrad.map(([x]) => gradOf.get(x)!)];
    if (maskIn) {
      types.set(maskIn, { dtype: "f32", shape: ["B", 1] });
      const batched = (v: string) => types.get(v)!.shape[0] === "B" && types.get(v)!.dtype === "f32";
      const reduced = new Set<string>();
      for (const n of nodes) if (!n.outputs.some((o) => types.get(o)!.shape[0] === "B")) n.inputs.filter(batched).forEach((v) => reduced.add(v));
      if (reduced.size > 0) {
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
        bodyNodes = out;
        bodyOutputs = bodyOutputs.map((v) => renamed.get(v) ?? v);
      }
      inputs.push(maskIn);
    }
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
    const attrs: Record<string, import("../ir/types.ts").AttrValue> = {
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
    const dInit = outs.slice(0, nK);
    const dConst = outs.slice(nK, nK + accumulated.length);
    const dXs = outs.slice(nK + accumulated.length);
    const grads: (string | null)[] = node.inputs.map(() => null);
    accumulated.forEach((c, j) => (grads[constIn.indexOf(c)] = dConst[j]!));
    dInit.forEach((g, k) => (grads[nC + k] = g));
    xsWithGrad.forEach(([, i], j) => (grads[nC + nK + i] = dXs[j]!));
    return grads;
  };
}
