/**
 * Two facts about body ops that the loop passes (hoisting before the loop, accumulation and
 * output projections after it) rely on:
 *
 * - lifting: an op computed per step on `[B, ...]` values can be computed once on the stacked
 *   `[T, B, ...]` sequences instead (one GEMM over T·B rows for a matmul). `liftAttrs` says
 *   whether and with which attributes; loop-invariant operands stay as they are.
 * - masking: with `lengths`, a scan feeds its body zeros in the rows of finished examples (in
 *   batched carries and x_t) and zeroes those rows of batched ys. `zeroOnMaskedRows` finds the
 *   body values that are then zero in those rows too — the values a pass may compute outside the
 *   loop from unmasked sequences and still hand back (through the scan's own masking) unchanged.
 */
import type { Attrs, Graph, Node, TensorType } from "../ir/types.ts";
import { isBatched } from "./graph.ts";

const ELEMENTWISE = new Set(["add", "sub", "mul", "div", "maximum", "greater_equal", "where"]);
const UNARY = new Set(["neg", "tanh", "sigmoid", "relu", "exp", "log", "sqrt", "abs", "step", "sign", "float", "stop_gradient"]);
/** Ops that only move or copy data: not worth a stacked sequence of their own. */
export const DATA_MOVEMENT = new Set(["slice", "pad", "concat", "stop_gradient", "float", "one_hot"]);

function normAxis(axis: number | undefined, rank: number): number {
  const a = axis ?? -1;
  return a < 0 ? a + rank : a;
}

/**
 * Attributes of the op of `node` applied to sequences: inputs i with `perStep[i]` get a leading
 * T axis, the others are loop-invariant. Null when the op cannot be lifted that way (reductions
 * over the batch or over everything, ops whose result would not simply gain a leading T).
 * Row-wise by construction: no lifted op mixes the rows of different examples.
 */
export function liftAttrs(node: Node, perStep: boolean[], types: (v: string) => TensorType): Attrs | null {
  const ins = node.inputs.map(types);
  const out = types(node.outputs[0]!);
  const rank = out.shape.length;
  if (!perStep.some(Boolean) || node.outputs.length !== 1) return null;
  const op = node.op;
  if (ELEMENTWISE.has(op)) {
    // per-step operands must have the result's rank so that the new T axis lines up
    const ok = ins.every((t, i) => (perStep[i] ? t.shape.length === rank : t.shape.length <= rank));
    return ok ? node.attrs : null;
  }
  if (UNARY.has(op)) return node.attrs;
  switch (op) {
    case "matmul":
    case "embedding":
      return !perStep[0] && perStep[1] ? node.attrs : null;
    case "one_hot":
      return node.attrs;
    case "cross_entropy":
      return node.attrs.reduction === "none" && perStep[0] && perStep[1] ? node.attrs : null;
    case "softmax":
    case "log_softmax":
      // over the last axis; not when that axis is the batch
      return rank >= 2 || !isBatched(ins[0]!) ? node.attrs : null;
    case "slice":
    case "pad":
    case "concat":
    case "sum": {
      if (op === "sum" && node.attrs.axis === undefined) return null;
      if (op === "concat" && !perStep.every(Boolean)) return null;
      const r = ins[0]!.shape.length;
      const a = normAxis(node.attrs.axis as number | undefined, r);
      if (a === 0 && isBatched(ins[0]!)) return null; // would mix examples
      return { ...node.attrs, axis: a + 1 };
    }
    default:
      return null;
  }
}

/** Ops f with f(0) = 0 elementwise (on the rows concerned). */
const ZERO_PRESERVING_UNARY = new Set(["neg", "tanh", "relu", "sqrt", "abs", "sign", "step", "float", "stop_gradient"]);

/**
 * The body values whose masked rows are zero whenever the rows of `sources` are: a row-wise
 * propagation. Only batched values are ever included.
 */
export function zeroOnMaskedRows(body: Graph, sources: Iterable<string>): Set<string> {
  const z = new Set<string>();
  const type = (v: string) => body.types.get(v)!;
  for (const s of sources) if (isBatched(type(s))) z.add(s);
  const zeroConst = new Set(body.nodes.filter((n) => n.op === "constant" && n.attrs.value === 0).map((n) => n.outputs[0]!));
  for (const n of body.nodes) {
    if (n.outputs.length !== 1) continue;
    const o = n.outputs[0]!;
    if (!isBatched(type(o))) continue;
    const zi = n.inputs.map((v) => z.has(v));
    let zero = false;
    switch (n.op) {
      case "matmul":
        zero = zi[1]!;
        break;
      case "mul":
        // a zero row times anything is a zero row (broadcast rows of a batched operand are its own)
        zero = zi.some(Boolean);
        break;
      case "add":
      case "sub":
      case "maximum":
      case "concat":
        zero = zi.every(Boolean);
        break;
      case "where":
        // both branches zero there, or the condition is zero there and so picks a zero else-branch
        // (BPTT's where(step mask, v, 0) before a weight gradient)
        zero = (zi[1]! && zi[2]!) || (zi[0]! && (zi[2]! || zeroConst.has(n.inputs[2]!)));
        break;
      case "slice":
      case "pad":
      case "sum":
        zero = zi[0]! && (n.op !== "sum" || n.attrs.axis !== undefined);
        break;
      default:
        zero = ZERO_PRESERVING_UNARY.has(n.op) && zi[0]!;
    }
    if (zero) z.add(o);
  }
  return z;
}

/** The batched carries and xs of a scan body: the values a scan with lengths masks. */
export function maskedInputs(body: Graph, nConsts: number): string[] {
  return body.inputs.slice(nConsts).filter((v) => isBatched(body.types.get(v)!));
}

/** Ops that gain from running over T·B rows at once (one GEMM or gather instead of T small ones). */
export const PROJECTIONS = new Set(["matmul", "embedding"]);

/**
 * Keeps the nodes of `moved` (nodes to compute over whole sequences) that are projections, read
 * a projection's result through moved nodes (the bias add after `W @ x`), or feed such a node
 * (the `one_hot` before it, the other operand of that add). Elementwise work alone (e.g. `1 - y²`
 * of a residual in a backward scan) costs the same in the loop and would only add a stacked copy.
 * Returns whether it dropped anything.
 */
export function keepAnchored(nodes: Node[], moved: Set<Node>): boolean {
  const list = nodes.filter((n) => moved.has(n));
  const anchored = new Set<string>();
  for (const n of list) {
    if (PROJECTIONS.has(n.op) || n.inputs.some((v) => anchored.has(v))) n.outputs.forEach((o) => anchored.add(o));
  }
  const needed = new Set<string>();
  for (let i = list.length - 1; i >= 0; i--) {
    const n = list[i]!;
    if (n.outputs.some((o) => anchored.has(o) || needed.has(o))) n.inputs.forEach((v) => needed.add(v));
  }
  let dropped = false;
  for (const n of list) {
    if (!n.outputs.some((o) => anchored.has(o) || needed.has(o))) { moved.delete(n); dropped = true; }
  }
  return dropped;
}
