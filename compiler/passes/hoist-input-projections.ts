import type { Graph, Node, TensorType } from "../ir/types.ts";
import { getOp } from "../ops/registry.ts";
import {
  assembleScan, bodyNamer, isBatched, loopInvariants, mapBodies, mapGraph, materializeInvariant, scanParts, useCounts, partsBody,
} from "./graph.ts";
import { eliminateDeadCode } from "./dce.ts";
import type { Rewriter, ScanParts } from "./graph.ts";
import { DATA_MOVEMENT, keepAnchored, liftAttrs, maskedInputs, zeroOnMaskedRows } from "./sequence.ts";

/**
 * hoistInputProjections — Theano's push_out_seq_scan.
 *
 * A body node whose inputs are all loop-invariant (consts) or per-step inputs (xs), or computed
 * from those alone, does not depend on the recurrence: `Wx @ x_t` for every t is one
 * `Wx @ xs` over the whole sequence ([T, B, I] → [T, B, H]: one GEMM over T·B rows instead of T
 * GEMVs over B rows). Such nodes move before the scan, computed on the stacked sequences, and the
 * values the rest of the body reads (the frontier) come back in as new xs under their old names.
 *
 * - Pure data movement (slice, concat, pad, one_hot, ...) is not moved when it would be a frontier
 *   on its own: a stacked copy buys nothing and costs T·B·width memory.
 * - Sums are regrouped first so that loop-independent terms meet: `(Wx@x + Wh@h) + b` becomes
 *   `(Wx@x + b) + Wh@h`, and the bias add leaves the loop with the projection (f64 results change
 *   in the last bits only).
 * - Ragged batches (`lengths`): the body sees zeros in the finished examples' rows of x_t, while
 *   a value computed outside sees the unmasked sequence. The scan masks the new xs like any other,
 *   so a frontier value is exact iff it is zero in masked rows whenever its inputs are (matmul,
 *   mul, tanh, ... — `zeroOnMaskedRows`). Frontiers that are not (e.g. `Wx@x + b`, `embedding`)
 *   stay in the body, and their zero-preserving inputs become the frontier instead. This avoids a
 *   `sequence_mask` pass over the hoisted sequence and keeps masked rows exactly what they were.
 * - `reverse` and truncation change nothing: the value for step t is computed from xs[t] either way.
 *
 * Applies unchanged to backward scans: an input-cotangent projection `matmul(W, g, transpose_a)`
 * whose `g` is a per-step input leaves the loop the same way.
 */
export function hoistInputProjections(g: Graph): Graph {
  g = mapBodies(g, hoistInputProjections);
  // what the rewrite left unread (the old xs, consts, ...) goes
  return eliminateDeadCode(mapGraph(g, (rw, node) => (node.op === "scan" ? hoistFromScan(rw, node) : null)));
}

function hoistFromScan(rw: Rewriter, node: Node): string[] | null {
  // a checkpointed scan's backward loop keeps its per-step work inside: stacking it over T is what
  // the checkpoint is there to avoid (compiler/ops/scan.ts, keep_in_loop)
  if (node.attrs.keep_in_loop === true) return null;
  const p = scanParts(node);
  if (p.xs.length === 0) return null;
  if (!p.lengths) groupLoopIndependentTerms(p);
  const type = (v: string) => p.types.get(v)!;
  const invariant = loopInvariants(partsBody(p), p.consts.length);
  const xsInner = new Set(p.xs.map((x) => x.inner));

  // the maximal liftable set, in body order
  const hoisted = new Set<Node>();
  const computable = new Set<string>(xsInner);
  const lifted = new Map<Node, ReturnType<typeof liftAttrs>>();
  for (const n of p.nodes) {
    if (n.op === "scan" || n.op === "zeros_like" || n.inputs.some((v) => !invariant.has(v) && !computable.has(v))) continue;
    if (n.inputs.every((v) => invariant.has(v))) continue;
    const attrs = liftAttrs(n, n.inputs.map((v) => !invariant.has(v)), type);
    if (!attrs) continue;
    hoisted.add(n);
    lifted.set(n, attrs);
    n.outputs.forEach((o) => computable.add(o));
  }

  // prune: only what is connected to a projection, no stand-alone data movement, and with
  // lengths only zero-preserving frontiers. Data movement on per-step inputs that a hoisted node
  // needs and the loop needs too (a one_hot also emitted as ys) is done in both places.
  const zero = p.lengths ? zeroOnMaskedRows(partsBody(p), maskedInputs(partsBody(p), p.consts.length)) : null;
  const both = new Set<Node>();
  const outsideClosure = () => {
    // a node whose hoisted inputs were dropped can no longer be computed outside
    for (let again = true; again;) {
      again = false;
      const outside = new Set<string>([...xsInner, ...[...hoisted].flatMap((n) => n.outputs)]);
      for (const n of hoisted) {
        if (n.inputs.some((v) => !invariant.has(v) && !outside.has(v))) { hoisted.delete(n); again = true; }
      }
    }
  };
  for (;;) {
    keepAnchored(p.nodes, hoisted);
    outsideClosure();
    for (const n of both) if (!hoisted.has(n)) both.delete(n);
    const frontier = frontierOf(p, hoisted, both);
    const feedsHoisted = new Set([...hoisted].flatMap((n) => n.inputs));
    const drop = [...hoisted].filter((n) => {
      const o = n.outputs[0]!;
      if (!frontier.has(o)) return false;
      if (DATA_MOVEMENT.has(n.op)) {
        if (!feedsHoisted.has(o)) return true;
        if (n.inputs.every((v) => invariant.has(v) || xsInner.has(v))) both.add(n);
        return false;
      }
      return zero !== null && isBatched(type(o)) && !zero.has(o);
    });
    if (drop.length === 0) break;
    drop.forEach((n) => hoisted.delete(n));
  }
  if (hoisted.size === 0) return null;

  // compute the hoisted nodes over the whole sequence, before the scan
  const T = rw.type(p.xs[0]!.outer).shape[0]!;
  const seq = new Map<string, string>(p.xs.map((x) => [x.inner, x.outer]));
  const memo = new Map<string, string>();
  for (const n of p.nodes) {
    if (!hoisted.has(n)) continue;
    const ins = n.inputs.map((v) => seq.get(v) ?? materializeInvariant(rw, p, v, memo));
    const o = n.outputs[0]!;
    const out = rw.op(n.op, ins, lifted.get(n)!, `${o.replace(/^%/, "")}.seq`);
    const got = rw.type(out), want: TensorType = { dtype: type(o).dtype, shape: [T, ...type(o).shape] };
    if (got.dtype !== want.dtype || got.shape.join() !== want.shape.join()) {
      throw new Error(`internal: hoisting ${n.op} gave [${got.shape}], expected [${want.shape}]`);
    }
    seq.set(o, out);
  }
  const frontier = frontierOf(p, hoisted, both);
  p.nodes = p.nodes.filter((n) => !hoisted.has(n) || both.has(n));
  for (const v of frontier) p.xs.push({ outer: seq.get(v)!, inner: v });
  rw.copy(assembleScan(p));
  return node.outputs;
}

/** Hoisted values that the rest of the body (or its outputs) reads; `both` are computed in the body too. */
function frontierOf(p: ScanParts, hoisted: Set<Node>, both: Set<Node>): Set<string> {
  const stays = (n: Node) => !hoisted.has(n) || both.has(n);
  const read = new Set<string>([...p.carries.map((c) => c.next), ...p.ys.map((y) => y.inner)]);
  for (const n of p.nodes) if (stays(n)) n.inputs.forEach((v) => read.add(v));
  const f = new Set<string>();
  for (const n of hoisted) if (!both.has(n)) for (const o of n.outputs) if (read.has(o)) f.add(o);
  return f;
}

/**
 * `(a + b) + c` → `(a + c) + b` when a and c do not depend on the carries and b does (and the
 * inner sum is read only there), so that a + c can leave the loop.
 */
function groupLoopIndependentTerms(p: ScanParts): void {
  const carried = new Set(p.carries.map((c) => c.inner));
  for (const n of p.nodes) if (n.inputs.some((v) => carried.has(v))) n.outputs.forEach((o) => carried.add(o));
  const uses = useCounts(partsBody(p));
  const prod = new Map<string, Node>();
  for (const n of p.nodes) for (const o of n.outputs) prod.set(o, n);
  const fresh = bodyNamer(p);
  const out: Node[] = [];
  const dropped = new Set<Node>();
  for (const n of p.nodes) {
    if (n.op !== "add") { out.push(n); continue; }
    let done = false;
    for (const [x, c] of [[n.inputs[0]!, n.inputs[1]!], [n.inputs[1]!, n.inputs[0]!]] as const) {
      const inner = prod.get(x);
      if (done || carried.has(c) || !inner || inner.op !== "add" || uses.get(x) !== 1) continue;
      const [a, b] = inner.inputs as [string, string];
      const pair = !carried.has(a) && carried.has(b) ? [a, b] : !carried.has(b) && carried.has(a) ? [b, a] : null;
      if (!pair) continue;
      const t = fresh(`${n.outputs[0]!.replace(/^%/, "")}.pre`);
      const ty = getOp("add").shape([p.types.get(pair[0])!, p.types.get(c)!], {}, (i) => [pair[0], c][i]!)[0]!;
      p.types.set(t, ty);
      dropped.add(inner);
      out.push({ op: "add", inputs: [pair[0], c], outputs: [t], attrs: {} });
      out.push({ op: "add", inputs: [t, pair[1]], outputs: n.outputs, attrs: {} });
      // the regrouped sum is not loop-independent as a whole; the next add may regroup again
      prod.set(n.outputs[0]!, out[out.length - 1]!);
      done = true;
    }
    if (!done) out.push(n);
  }
  p.nodes = out.filter((n) => !dropped.has(n));
}
