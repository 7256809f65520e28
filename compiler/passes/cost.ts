/**
 * An interpreter-independent cost model of a graph, to measure what the passes do: how many
 * matmuls each scan body runs per step, and how many FLOPs stay inside loops versus run once
 * over whole sequences. FLOPs are counted at B = 1: a body's per step (an unbatched value, e.g. a
 * weight-gradient accumulator, costs the same at any B), an outside node's per time step when it
 * works on sequences ([T, B, ...]), or per call otherwise.
 *
 * Counted: matmul and outer as 2·M·K per row (GEMM FLOPs); arithmetic and reductions as one per
 * element; data movement (slice, concat, pad, embedding, copies, constants) as zero.
 */
import type { Graph, Node, Shape } from "../ir/types.ts";
import { scanAttrs } from "../ops/scan.ts";

export interface LoopCost {
  /** The scan's first output, to name it. */
  scan: string;
  reverse: boolean;
  /** matmul and outer nodes run at every step (nested scans included). */
  matmuls: number;
  /** Per step, at B = 1. */
  gemmFlops: number;
  otherFlops: number;
}

export interface GraphCost {
  loops: LoopCost[];
  /** Outside loops, on sequences: per time step, at B = 1. */
  sequence: { matmuls: number; gemmFlops: number; otherFlops: number };
  /** Outside loops, on everything else (weights, final states, losses): per call, at B = 1. */
  once: { matmuls: number; gemmFlops: number; otherFlops: number };
  /** Values held per time step (at B = 1) by all the graph's sequences ([T, ...] inputs and values): memory. */
  sequenceFloats: number;
}

const ARITH = new Set([
  "add", "sub", "mul", "div", "maximum", "greater_equal", "where", "neg", "tanh", "sigmoid", "relu", "exp", "log",
  "sqrt", "abs", "step", "sign",
]);
const REDUCE_INPUT = new Set(["softmax", "log_softmax", "cross_entropy", "mse", "sum", "sum_to", "mean"]);

/** Product of the static dims (B and T count as 1). */
function perExample(s: Shape): number {
  let n = 1;
  for (const d of s) if (typeof d === "number") n *= d;
  return n;
}

function nodeFlops(g: Graph, n: Node): { gemm: number; other: number; matmul: boolean } {
  const t = (v: string) => g.types.get(v)!.shape;
  if (n.op === "matmul") {
    const a = t(n.inputs[0]!), x = t(n.inputs[1]!);
    return { gemm: 2 * (a[0] as number) * (a[1] as number) * perExample(x.slice(0, -1)), other: 0, matmul: true };
  }
  if (n.op === "outer") {
    const o = t(n.outputs[0]!), u = t(n.inputs[0]!);
    return { gemm: 2 * (o[0] as number) * (o[1] as number) * perExample(u.slice(0, -1)), other: 0, matmul: true };
  }
  if (n.op === "fused") {
    // the ops of its expression, each over the iteration shape (slices, concats, constants: free)
    const e = n.attrs.expr as Graph;
    return { gemm: 0, other: e.nodes.reduce((a, x) => a + nodeFlops(e, x).other, 0), matmul: false };
  }
  if (ARITH.has(n.op)) return { gemm: 0, other: perExample(t(n.outputs[0]!)), matmul: false };
  if (REDUCE_INPUT.has(n.op)) return { gemm: 0, other: perExample(t(n.inputs[0]!)), matmul: false };
  return { gemm: 0, other: 0, matmul: false };
}

/** Cost of one step of a body, nested scans included (their bodies run T_inner times: not modelled, counted once). */
function bodyCost(body: Graph): { matmuls: number; gemm: number; other: number } {
  const c = { matmuls: 0, gemm: 0, other: 0 };
  for (const n of body.nodes) {
    if (n.op === "scan") {
      const inner = bodyCost(scanAttrs(n.attrs).body);
      c.matmuls += inner.matmuls; c.gemm += inner.gemm; c.other += inner.other;
      continue;
    }
    const f = nodeFlops(body, n);
    c.matmuls += f.matmul ? 1 : 0; c.gemm += f.gemm; c.other += f.other;
  }
  return c;
}

export function graphCost(g: Graph): GraphCost {
  const cost: GraphCost = {
    loops: [], sequence: { matmuls: 0, gemmFlops: 0, otherFlops: 0 }, once: { matmuls: 0, gemmFlops: 0, otherFlops: 0 }, sequenceFloats: 0,
  };
  for (const v of [...g.inputs, ...g.nodes.flatMap((n) => n.outputs)]) {
    const s = g.types.get(v)!.shape;
    if (s.includes("T")) cost.sequenceFloats += perExample(s);
  }
  for (const n of g.nodes) {
    if (n.op === "scan") {
      const a = scanAttrs(n.attrs);
      const c = bodyCost(a.body);
      cost.loops.push({ scan: n.outputs[0] ?? "(scan)", reverse: a.reverse, matmuls: c.matmuls, gemmFlops: c.gemm, otherFlops: c.other });
      continue;
    }
    const f = nodeFlops(g, n);
    const onSequence = [...n.inputs, ...n.outputs].some((v) => g.types.get(v)!.shape.includes("T"));
    const bucket = onSequence ? cost.sequence : cost.once;
    bucket.matmuls += f.matmul ? 1 : 0;
    bucket.gemmFlops += f.gemm;
    bucket.otherFlops += f.other;
  }
  return cost;
}

/** A few lines for `rnnc inspect --stats`. */
export function formatCost(c: GraphCost): string {
  const k = (x: number) => (x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : `${x}`);
  const lines = c.loops.map((l) => `  loop ${l.scan}${l.reverse ? " (reverse)" : ""}: ${l.matmuls} matmul/outer per step, ${k(l.gemmFlops)} GEMM + ${k(l.otherFlops)} other FLOPs per step`);
  lines.push(`  outside, on sequences: ${c.sequence.matmuls} matmul/outer, ${k(c.sequence.gemmFlops)} GEMM + ${k(c.sequence.otherFlops)} other FLOPs per time step`);
  lines.push(`  outside, once: ${c.once.matmuls} matmul/outer, ${k(c.once.gemmFlops)} GEMM + ${k(c.once.otherFlops)} other FLOPs per call`);
  lines.push(`  sequences held: ${c.sequenceFloats} values per time step`);
  lines.push(`  (FLOPs and values at B = 1)`);
  return lines.join("\n") + "\n";
}
