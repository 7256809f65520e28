/**
 * `"resets"` on a scan node: sequence boundaries inside a batch row (docs/formats.md).
 *
 * resets is an i32 [T, B] sequence of 0/1 flags; a 1 at (t, b) zeroes row b's carried state
 * before step t is computed (in the scan's processing order: for a reversed scan, the state that
 * arrives from step t + 1), so step t starts a new sequence exactly as a fresh scan from zero
 * state would.
 *
 * It is a graph transform, not a scan attribute: the flags become one more per-step input of the
 * cell body, and the body zeroes each carry with `where(r_t, 0, carry)` before the cell reads it.
 * The interpreter, autodiff (the scan VJP, truncation, checkpointing), the passes and the
 * WebAssembly backend then handle it as any other cell: the state's cotangent stops at a reset
 * because the VJP of `where` sends nothing through the branch not taken. `where` rather than a
 * multiplication by 1 − r_t: the old state is dropped, not scaled, so a non-finite state cannot
 * leak into the next sequence as NaN.
 *
 * Outside the loop the flags are turned into an f32 [T, B, 1] sequence, `slice(one_hot(r, 2))`:
 * that is the flag as a float with a unit axis that broadcasts over a state vector, and one_hot
 * gives the input the id range [0, 2), so the runtime and `rnnc eval` refuse any other value where
 * the data enters. A per-step [B, 1] float input is also what `checkpoint: k > 1` can replay.
 */
import type { Builder } from "../ir/builder.ts";
import { Builder as GraphBuilder } from "../ir/builder.ts";
import type { Graph } from "../ir/types.ts";

/** The per-step flags the scan reads: f32 [T, B, 1], from the model's i32 [T, B] resets. */
export function resetFlags(b: Builder, resets: string, hint: string): string {
  const hot = b.op("one_hot", [resets], { depth: 2 }, `${hint}.onehot`);
  return b.op("slice", [hot], { axis: -1, start: 1, size: 1 }, hint);
}

/**
 * The states a reset can zero: per-example scalars or vectors ([B] or [B, n] in the body). The
 * name of the first other one, for the frontend's message, or null.
 */
export function unresettableState(body: Graph, nConsts: number, nCarry: number): string | null {
  for (const c of body.inputs.slice(nConsts, nConsts + nCarry)) {
    const t = body.types.get(c)!;
    if (t.shape[0] !== "B" || t.shape.length > 2) return c;
  }
  return null;
}

/**
 * The body with resets: inputs consts ++ carries ++ xs ++ [r_t f32 [B, 1]]; every reader of a
 * carry in the body (its nodes and outputs) reads where(r_t, 0, carry) instead. The carries keep
 * their names, so what inspects a body by its state names (gradient-flow probes, printed IR)
 * still finds them.
 */
export function withResets(body: Graph, nConsts: number, nCarry: number): Graph {
  const g: Graph = { inputs: [...body.inputs], outputs: [], nodes: [], types: new Map(body.types) };
  const b = new GraphBuilder(g);
  const carries = body.inputs.slice(nConsts, nConsts + nCarry);
  const r = b.input(b.fresh("reset"), { dtype: "f32", shape: ["B", 1] });
  const zero = b.scalar(0);
  let flat: string | null = null; // the flags as [B], for states that are one number per example
  const after = new Map<string, string>();
  for (const c of carries) {
    const flag = body.types.get(c)!.shape.length === 2 ? r : (flat ??= b.op("sum", [r], { axis: -1 }, "reset.flat"));
    after.set(c, b.op("where", [flag, zero, c], {}, `${c.replace(/^%/, "")}.after_reset`));
  }
  const read = (v: string) => after.get(v) ?? v;
  g.nodes.push(...body.nodes.map((n) => ({ ...n, inputs: n.inputs.map(read) })));
  g.outputs = body.outputs.map(read);
  return g;
}
