import type { Graph, Node } from "../ir/types.ts";
import { sameShape } from "../ir/types.ts";
import {
  assembleScan, bodyNamer, isBatched, loopInvariants, mapBodies, mapGraph, materializeInvariant, partsBody, producers, scanParts, useCounts,
} from "./graph.ts";
import { eliminateDeadCode } from "./dce.ts";
import type { Rewriter, ScanCarry, ScanParts } from "./graph.ts";
import { maskedInputs, zeroOnMaskedRows } from "./sequence.ts";

/**
 * accumulateWeightGradientsAfterLoop — Theano's push_out_dot1_scan.
 *
 * BPTT builds a backward scan whose weight gradients are carries updated as
 * `acc' = acc + outer(g_t, x_t)` (and `acc' = acc + sum_to(g_t, b)` for a bias): a rank-B update
 * of an [M, K] matrix at every step. Since Σ_t outer(g_t, x_t) = outer(gs, xs) over all T·B rows,
 * the carry is dropped and the sum becomes one GEMM after the loop: `acc_T = acc_0 + outer(gs, xs)`.
 *
 * The per-step operands are stacked: a per-step input (xs) is its own sequence already; anything
 * computed in the body from the carried state (g_t depends on the backward carry) becomes a new
 * per-step output (ys, [T, B, M]) of the scan. A carry qualifies when its running value is read
 * only by its own update, the update is a sum of terms (any of which may stay in the loop), and
 * it is not one of the carries that truncation zeroes. Terms moved: `outer(u, v)`, `sum_to(u, like)`
 * and `sum(u)` with u, v per-step values.
 *
 * Ragged batches (`lengths`): in the loop, a finished example's rows of u_t, v_t are what the body
 * computes from zeroed inputs, and they are summed into the accumulator. After the loop they must
 * contribute the same — zero: a term moves only if (for outer) u or v is zero in masked rows
 * (`zeroOnMaskedRows`; for BPTT, g_t is linear in the zeroed cotangents), and at least one operand
 * is stacked as a ys (the scan zeroes finished rows of ys; xs sequences keep their padding).
 */
export function accumulateWeightGradientsAfterLoop(g: Graph): Graph {
  g = mapBodies(g, accumulateWeightGradientsAfterLoop);
  // what the rewrite left unread (the old xs, consts, ...) goes
  return eliminateDeadCode(mapGraph(g, (rw, node) => (node.op === "scan" ? accumulateAfterLoop(rw, node) : null)));
}

interface Term { op: "outer" | "sum_to" | "sum"; operands: string[]; viaYs: boolean[]; like?: string }
interface Plan { carry: ScanCarry; moved: Term[]; kept: string[] }

function accumulateAfterLoop(rw: Rewriter, node: Node): string[] | null {
  // a checkpointed scan's backward loop keeps its per-step work inside: stacking it over T is what
  // the checkpoint is there to avoid (compiler/ops/scan.ts, keep_in_loop)
  if (node.attrs.keep_in_loop === true) return null;
  const p = scanParts(node);
  const body = partsBody(p);
  const uses = useCounts(body);
  const prod = producers(body);
  const invariant = loopInvariants(body, p.consts.length);
  const type = (v: string) => p.types.get(v)!;
  const zero = p.lengths ? zeroOnMaskedRows(body, maskedInputs(body, p.consts.length)) : null;
  const isXs = new Set(p.xs.map((x) => x.inner));

  const plans: Plan[] = [];
  for (const c of p.carries) {
    const t = type(c.inner);
    if (c.cut || isBatched(t) || t.dtype !== "f32" || uses.get(c.inner) !== 1 || uses.get(c.next) !== 1) continue;
    const leaves: string[] = [];
    const collect = (v: string) => {
      const n = prod.get(v);
      const inTree = n && n.op === "add" && n.inputs.every((x) => sameShape(type(x).shape, t.shape)) && (v === c.next || uses.get(v) === 1);
      if (inTree) n.inputs.forEach(collect);
      else leaves.push(v);
    };
    collect(c.next);
    if (leaves.filter((l) => l === c.inner).length !== 1) continue;
    const moved: Term[] = [], kept: string[] = [];
    for (const leaf of leaves) {
      if (leaf === c.inner) continue;
      const term = uses.get(leaf) === 1 ? movable(prod.get(leaf)) : null;
      if (term) moved.push(term);
      else kept.push(leaf);
    }
    if (moved.length) plans.push({ carry: c, moved, kept });
  }
  if (plans.length === 0) return null;

  function movable(n: Node | undefined): Term | null {
    if (!n) return null;
    const perStep = (v: string) => !invariant.has(v);
    let operands: string[];
    if (n.op === "outer") operands = n.inputs;
    else if (n.op === "sum_to" || (n.op === "sum" && n.attrs.axis === undefined)) operands = [n.inputs[0]!];
    else return null;
    if (!operands.every(perStep)) return null;
    const batched = isBatched(type(operands[0]!));
    const viaYs = operands.map((v) => !isXs.has(v));
    if (zero && batched) {
      // masked rows must contribute zero before (in the loop) and after (from the stacks)
      if (!operands.some((v) => zero.has(v))) return null;
      if (!viaYs.some(Boolean)) viaYs[0] = true;
    }
    const like = n.op === "sum_to" && invariant.has(n.inputs[1]!) ? { like: n.inputs[1]! } : {};
    return { op: n.op as Term["op"], operands, viaYs, ...like };
  }

  // stack the operands
  const stacked = new Map<string, string>();
  const stack = (v: string, viaYs: boolean): string => {
    if (!viaYs) return p.xs.find((x) => x.inner === v)!.outer;
    const hit = stacked.get(v) ?? p.ys.find((y) => y.inner === v)?.outer;
    if (hit) return hit;
    const outer = rw.fresh(`${v.replace(/^%/, "")}.steps`);
    p.ys.push({ inner: v, outer });
    stacked.set(v, outer);
    return outer;
  };
  // new ys in body order (so that after-loop concatenations of them match the body's own)
  const bodyPos = new Map<string, number>(p.nodes.flatMap((n, i) => n.outputs.map((o) => [o, i] as [string, number])));
  const wanted = [...new Set(plans.flatMap((pl) => pl.moved.flatMap((m) => m.operands.filter((_, i) => m.viaYs[i]))))];
  wanted.sort((a, b) => (bodyPos.get(a) ?? -1) - (bodyPos.get(b) ?? -1)).forEach((v) => stack(v, true));
  const operandSeqs = plans.map((pl) => pl.moved.map((m) => m.operands.map((v, i) => stack(v, m.viaYs[i]!))));

  const original: ScanParts = { ...p, nodes: [...p.nodes] };
  const memo = new Map<string, string>();
  // the loop keeps what was not moved
  const fresh = bodyNamer(p);
  const removed = new Set<ScanCarry>();
  for (const pl of plans) {
    if (pl.kept.length === 0) { removed.add(pl.carry); continue; }
    let acc = pl.carry.inner;
    for (const k of pl.kept) {
      const s = fresh(`${pl.carry.inner.replace(/^%/, "")}.next`);
      p.types.set(s, type(pl.carry.inner));
      p.nodes.push({ op: "add", inputs: [acc, k], outputs: [s], attrs: {} });
      acc = s;
    }
    pl.carry.next = acc;
  }
  p.carries = p.carries.filter((c) => !removed.has(c));
  p.nodes = eliminateDeadCode(partsBody(p)).nodes;
  rw.copy(assembleScan(p));

  // and sums the moved terms over all steps at once
  const rename = new Map<string, string>();
  plans.forEach((pl, i) => {
    const c = pl.carry;
    const terms = pl.moved.map((m, j) => {
      const [u, v] = operandSeqs[i]![j]! as [string, string];
      const hint = `${c.inner.replace(/^%/, "")}.total`;
      if (m.op === "outer") return rw.op("outer", [u, v], {}, hint);
      if (m.op === "sum_to") return rw.op("sum_to", [u, m.like ? materializeInvariant(rw, original, m.like, memo) : c.init], {}, hint);
      return rw.op("sum", [u], {}, hint);
    });
    let total = terms[0]!;
    for (const x of terms.slice(1)) total = rw.add(total, x);
    // a dropped carry's final value keeps its name
    if (removed.has(c)) rw.emit("add", [c.init, total], {}, [c.final]);
    else rename.set(c.final, rw.op("add", [c.final, total], {}, c.final.replace(/^%/, "")));
  });
  return node.outputs.map((o) => rename.get(o) ?? o);
}
