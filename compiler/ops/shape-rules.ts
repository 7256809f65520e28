import { RnncError } from "../diagnostics.ts";
import type { Dim, Shape, TensorType } from "../ir/types.ts";
import type { Describe } from "./registry.ts";

export function f32(shape: Shape): TensorType {
  return { dtype: "f32", shape };
}

/** Numpy broadcasting, right-aligned, over numeric and symbolic dims. */
export function broadcastDims(shapes: Shape[]): Shape | null {
  const n = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[s.length - n + i] ?? 1;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (d !== e) return null;
    }
    out.push(d);
  }
  return out;
}

export function requireF32(op: string, ins: TensorType[], d: Describe, which?: number[]): void {
  for (const i of which ?? ins.map((_, k) => k)) {
    if (ins[i]!.dtype !== "f32") throw new RnncError(`${op} expects floating-point operands, but ${d(i)} is ${ins[i]!.dtype}`);
  }
}

export function requireI32(op: string, ins: TensorType[], d: Describe, i: number, what: string): void {
  if (ins[i]!.dtype !== "i32") throw new RnncError(`${op} expects ${what} of dtype i32, but ${d(i)} is ${ins[i]!.dtype}`);
}

export function broadcastRule(op: string) {
  return (ins: TensorType[], _a: unknown, d: Describe): TensorType[] => {
    requireF32(op, ins, d);
    const s = broadcastDims(ins.map((t) => t.shape));
    if (!s) throw new RnncError(`${op} of ${ins.map((_, i) => d(i)).join(" and ")}: shapes do not broadcast`);
    return [f32(s)];
  };
}

/** Resolves a possibly negative axis against a rank. */
export function normAxis(op: string, axis: number, rank: number, d: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RnncError(`${op}: axis ${axis} is out of range for ${d}`);
  return a;
}
