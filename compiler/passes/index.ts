/**
 * The optimization pipeline: IR → IR passes in a named, explicit order. Each stage can be
 * printed on its own (`rnnc inspect FILE --stage <name>`). Every pass keeps results equal up to
 * rounding (the f64 interpreter agrees to ~1e-12 relative; test/passes/ checks it).
 */
import type { Graph } from "../ir/types.ts";
import { eliminateDeadCode } from "./dce.ts";
import { accumulateWeightGradientsAfterLoop } from "./accumulate-weight-gradients.ts";
import { eliminateCommonSubexpressions } from "./cse.ts";
import { foldConstants } from "./fold-constants.ts";
import { fuseElementwise } from "./fuse-elementwise.ts";
import { hoistInputProjections } from "./hoist-input-projections.ts";
import { hoistLoopInvariants } from "./hoist-loop-invariants.ts";
import { mergeSharedOperandMatmuls, mergeSummedMatmuls } from "./merge-matmuls.ts";
import { simplifyAlgebra } from "./simplify-algebra.ts";
import { sinkOutputProjections } from "./sink-output-projections.ts";

export {
  accumulateWeightGradientsAfterLoop, eliminateCommonSubexpressions, eliminateDeadCode, foldConstants, fuseElementwise, hoistInputProjections,
  hoistLoopInvariants, mergeSharedOperandMatmuls, mergeSummedMatmuls, simplifyAlgebra, sinkOutputProjections,
};

export interface Stage {
  name: string;
  /** One line: what the stage does. */
  summary: string;
  run(g: Graph): Graph;
  /** The lowest level that runs it. */
  level: 1 | 2;
}

/** simplifyAlgebra, then CSE, then DCE: the tidy-up between and after the loop passes. */
export function cleanup(g: Graph): Graph {
  return eliminateDeadCode(eliminateCommonSubexpressions(simplifyAlgebra(g)));
}

/**
 * The stages, in order. Why this order:
 * - canonicalize first (simplify, fold, CSE, DCE) so the loop passes see one form of each value;
 * - hoistLoopInvariants before anything that concatenates weights, so weights are consts;
 * - hoistInputProjections before the backward-scan passes: it also hoists the backward scan's
 *   per-step projections of residuals;
 * - accumulateWeightGradientsAfterLoop stacks BPTT's g_t as ys, which sinkOutputProjections then
 *   reuses for free (dx_t = Wᵀ g_t after the loop);
 * - the merges run last, on the loops' final shape: what is left in a body (the LSTM's four
 *   `W?h @ h`, the backward `Σ W?hᵀ g?`) and the big GEMMs before and after the loops;
 * - fuseElementwise after them, on what the merges leave, tidied first: the clean-up turns the
 *   merged projection's per-gate xs windows into one xs sliced in the body, so that every gate
 *   window is a slice the fused loop reads in place (as are those of the merged W?h @ h), and the
 *   backward gate gradients meet in one concat it writes in place. It is the last rewrite, since no
 *   other pass looks inside `fused`; the final clean-up drops the slices it made dead.
 */
export const stages: readonly Stage[] = [
  { name: "simplifyAlgebra", level: 1, run: simplifyAlgebra, summary: "x*1, x+0, -(-x), sum_to of equal shapes, pass-through carries, ..." },
  { name: "foldConstants", level: 1, run: foldConstants, summary: "evaluate ops whose inputs are all constants" },
  { name: "eliminateCommonSubexpressions", level: 1, run: eliminateCommonSubexpressions, summary: "merge equal nodes, repeated scan inputs and ys" },
  { name: "eliminateDeadCode", level: 1, run: eliminateDeadCode, summary: "drop unused nodes, scan ys, carries, consts and xs" },
  { name: "hoistLoopInvariants", level: 2, run: hoistLoopInvariants, summary: "compute loop-invariant body values once, before the scan" },
  { name: "hoistInputProjections", level: 2, run: hoistInputProjections, summary: "W @ x_t for all t as one GEMM before the scan (push_out_seq_scan)" },
  { name: "accumulateWeightGradientsAfterLoop", level: 2, run: accumulateWeightGradientsAfterLoop, summary: "acc += outer(g_t, x_t) as one outer(gs, xs) after the scan (push_out_dot1_scan)" },
  { name: "sinkOutputProjections", level: 2, run: sinkOutputProjections, summary: "per-step outputs W @ g_t as one GEMM after the scan" },
  { name: "mergeSharedOperandMatmuls", level: 2, run: mergeSharedOperandMatmuls, summary: "matmuls (and outers) sharing an operand become one, then slices" },
  { name: "mergeSummedMatmuls", level: 2, run: mergeSummedMatmuls, summary: "Σ_k W_k u_k as one matmul of concatenations" },
  { name: "fuseElementwise", level: 2, run: (g) => fuseElementwise(cleanup(g)), summary: "connected elementwise ops of one shape as one fused loop (gates, cell update, their VJPs)" },
  { name: "cleanup", level: 1, run: cleanup, summary: "simplifyAlgebra, eliminateCommonSubexpressions, eliminateDeadCode" },
];

/** The names `rnnc inspect --stage` accepts after `frontend` and `autodiff`, in pipeline order. */
export const passNames: readonly string[] = stages.map((s) => s.name);

/**
 * Runs the pipeline: level 0 returns g unchanged, level 1 only the generic clean-ups, level 2
 * (the default) everything. `after` sees the graph after each stage that ran; `skip` leaves out
 * the stages it names.
 */
export function optimizeGraph(g: Graph, level: 0 | 1 | 2 = 2, after?: (stage: string, g: Graph) => void, skip?: (stage: string) => boolean): Graph {
  for (const s of stages) {
    if (s.level > level || skip?.(s.name)) continue;
    g = s.run(g);
    after?.(s.name, g);
  }
  return g;
}
