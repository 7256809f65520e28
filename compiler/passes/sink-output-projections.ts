import type { Graph, Node, TensorType } from "../ir/types.ts";
import { eliminateDeadCode } from "./dce.ts";
import { assembleScan, isBatched, loopInvariants, mapBodies, mapGraph, materializeInvariant, partsBody, scanParts, widthOf } from "./graph.ts";
import type { Rewriter, ScanParts } from "./graph.ts";
import { keepAnchored, liftAttrs, zeroOnMaskedRows } from "./sequence.ts";

/**
 * sinkOutputProjections — the mirror image of hoistInputProjections, for per-step outputs.
 *
 * A per-step output (ys) computed by a projection of per-step values, e.g. the input cotangent
 * `dx_t = Σ_k matmul(W_k, g_k_t, transpose_a)` of a backward scan, is not needed by the loop: it
 * can be computed after it, once over the stacked operands (one GEMM over T·B rows instead of T
 * small ones). The nodes that only feed ys (and can be lifted to sequences) leave the body; the
 * values they read from the loop are emitted as ys instead.
 *
 * It only fires when the moved nodes include a matmul or an embedding, and never makes the scan
 * store more per step than before: the operands it needs stacked must already be xs or ys
 * (after accumulateWeightGradientsAfterLoop, BPTT's g_t are) or be no wider than the outputs they
 * replace.
 *
 * Ragged batches (`lengths`): the scan zeroes finished rows of batched ys. After the loop, an
 * output is rebuilt from stacked ys (zero in those rows) and xs (padding in those rows), so it
 * moves only if it is zero in masked rows whenever its ys operands are (`zeroOnMaskedRows`).
 */
export function sinkOutputProjections(g: Graph): Graph {
  g = mapBodies(g, sinkOutputProjections);
  // what the rewrite left unread (the old xs, consts, ...) goes
  return eliminateDeadCode(mapGraph(g, (rw, node) => (node.op === "scan" ? sinkFromScan(rw, node) : null)));
}

function sinkFromScan(rw: Rewriter, node: Node): string[] | null {
  // a checkpointed scan's backward loop keeps its per-step work inside: stacking it over T is what
  // the checkpoint is there to avoid (compiler/ops/scan.ts, keep_in_loop)
  if (node.attrs.keep_in_loop === true) return null;
  const p = scanParts(node);
  if (p.ys.length === 0) return null;
  const body = partsBody(p);
  const type = (v: string) => p.types.get(v)!;
  const invariant = loopInvariants(body, p.consts.length);
  const lifted = new Map<Node, ReturnType<typeof liftAttrs>>();
  for (const n of p.nodes) {
    if (n.op === "scan" || n.op === "zeros_like" || n.outputs.length !== 1 || n.inputs.every((v) => invariant.has(v))) continue;
    const attrs = liftAttrs(n, n.inputs.map((v) => !invariant.has(v)), type);
    if (attrs) lifted.set(n, attrs);
  }
  const yInner = new Set(p.ys.map((y) => y.inner));
  const xsInner = new Set(p.xs.map((x) => x.inner));
  const carryNext = new Set(p.carries.map((c) => c.next));
  const forbidden = new Set<Node>();

  const producer = new Map<string, Node>();
  for (const n of p.nodes) for (const o of n.outputs) producer.set(o, n);
  for (;;) {
    // the greatest set of liftable nodes whose values only feed each other and ys
    // (connected to a projection): a node whose value the loop still reads stays, and so, in
    // turn, do the nodes it reads (a worklist: one pass over the body, not one per link of a chain)
    const sunk = new Set([...lifted.keys()].filter((n) => !forbidden.has(n)));
    const keepAll = (stay: Iterable<Node>) => {
      const work = [...stay];
      const readInLoop = (v: string) => {
        const q = producer.get(v);
        if (q && sunk.delete(q)) work.push(q);
      };
      while (work.length) work.pop()!.inputs.forEach(readInLoop);
    };
    carryNext.forEach((v) => { const q = producer.get(v); if (q) sunk.delete(q); });
    keepAll(p.nodes.filter((n) => !sunk.has(n)));
    for (;;) {
      const before = new Set(sunk);
      if (!keepAnchored(p.nodes, sunk)) break;
      keepAll([...before].filter((n) => !sunk.has(n)));
    }
    if (sunk.size === 0) return null;
    const made = new Set([...sunk].map((n) => n.outputs[0]!));
    const roots = p.ys.filter((y) => made.has(y.inner));
    const boundary = [...new Set([...sunk].flatMap((n) => n.inputs).filter((v) => !invariant.has(v) && !made.has(v)))];
    if (p.lengths) {
      // after the loop, only ys stacks are zero in finished rows
      const stackedAsYs = boundary.filter((v) => !xsInner.has(v));
      const zero = zeroOnMaskedRows({ ...body, nodes: p.nodes.filter((n) => sunk.has(n)) }, stackedAsYs);
      const bad = roots.filter((y) => isBatched(type(y.inner)) && !zero.has(y.inner));
      if (bad.length) {
        for (const y of bad) forbidden.add(p.nodes.find((n) => n.outputs[0] === y.inner)!);
        continue;
      }
    }
    const rootSet = new Set(roots.map((y) => y.inner));
    const extra = boundary.filter((v) => !xsInner.has(v) && !(yInner.has(v) && !rootSet.has(v)));
    const cost = extra.reduce((s, v) => s + widthOf(type(v)), 0);
    const gain = [...rootSet].reduce((s, v) => s + widthOf(type(v)), 0);
    if (cost > gain) return null;
    return rewrite(rw, node, p, sunk, lifted, roots, boundary);
  }
}

function rewrite(rw: Rewriter, node: Node, p: ScanParts, sunk: Set<Node>, lifted: Map<Node, unknown>,
  roots: ScanParts["ys"], boundary: string[]): string[] {
  const original: ScanParts = { ...p, nodes: [...p.nodes] };
  const type = (v: string) => p.types.get(v)!;
  const rootOuter = new Set(roots.map((y) => y.outer));
  p.ys = p.ys.filter((y) => !rootOuter.has(y.outer));
  // stacks of the boundary values: xs as they are, ys already emitted, or new ys
  const seq = new Map<string, string>();
  for (const v of boundary) {
    const x = p.xs.find((e) => e.inner === v);
    const y = p.ys.find((e) => e.inner === v);
    if (x) seq.set(v, x.outer);
    else if (y) seq.set(v, y.outer);
    else {
      const outer = rw.fresh(`${v.replace(/^%/, "")}.steps`);
      p.ys.push({ inner: v, outer });
      seq.set(v, outer);
    }
  }
  p.nodes = p.nodes.filter((n) => !sunk.has(n));
  const scan = assembleScan(p);
  rw.copy(scan);

  const T = p.xs.length ? rw.type(p.xs[0]!.outer).shape[0]! : (p.attrs.steps as number);
  const memo = new Map<string, string>();
  for (const n of original.nodes) {
    if (!sunk.has(n)) continue;
    const ins = n.inputs.map((v) => seq.get(v) ?? materializeInvariant(rw, original, v, memo));
    const o = n.outputs[0]!;
    const out = rw.op(n.op, ins, lifted.get(n) as Node["attrs"], `${o.replace(/^%/, "")}.seq`);
    const got = rw.type(out), want: TensorType = { dtype: type(o).dtype, shape: [T, ...type(o).shape] };
    if (got.dtype !== want.dtype || got.shape.join() !== want.shape.join()) {
      throw new Error(`internal: sinking ${n.op} gave [${got.shape}], expected [${want.shape}]`);
    }
    seq.set(o, out);
  }
  const rename = new Map(roots.map((y) => [y.outer, seq.get(y.inner)!]));
  return node.outputs.map((o) => rename.get(o) ?? o);
}
