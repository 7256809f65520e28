/**
 * Shared helpers for the tests that hold the WebAssembly backend to the f64 interpreter (not a
 * test file itself: tap only runs `*.test.ts`).
 */
import type { Test } from "tap";
import { runInstance } from "../../compiler/lower/backend.ts";
import { compileGraph } from "../../compiler/lower/compile.ts";
import type { GraphModule } from "../../compiler/lower/compile.ts";
import { ALIGN, CONSTANTS_AT, evalPoly } from "../../compiler/lower/memory.ts";
import { VECTOR_MATH_CONSTANTS_BYTES, vectorMathConstants } from "../../compiler/lower/mathfns.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import type { Tensor } from "../ops/_helpers.ts";

const PAGE = 65536;

/** |wasm − interp| ≤ atol + rtol·|interp|, element by element. */
export interface Tol {
  rtol: number;
  atol: number;
}

/** Each graph compiled once per optimize level, shared by every test of the process. */
const cache = new WeakMap<Graph, Map<number, Promise<GraphModule>>>();
export function compiled(g: Graph, optimize = 3): Promise<GraphModule> {
  let byLevel = cache.get(g);
  if (!byLevel) cache.set(g, (byLevel = new Map()));
  let p = byLevel.get(optimize);
  if (!p) byLevel.set(optimize, (p = compileGraph(g, { optimize })));
  return p;
}

export async function instantiate(gm: GraphModule): Promise<WebAssembly.Instance> {
  const mod = await WebAssembly.compile(gm.wasm as Uint8Array<ArrayBuffer>);
  return WebAssembly.instantiate(mod, {});
}

export function memoryOf(instance: WebAssembly.Instance): WebAssembly.Memory {
  return instance.exports.memory as WebAssembly.Memory;
}

/** B and T as the runner binds them: from the first input that has each symbolic dim (1 if none). */
export function dimsOf(gm: GraphModule, inputs: Tensor[]): { B: number; T: number } {
  const dims: { B?: number; T?: number } = {};
  gm.inputs.forEach((spec, i) => spec.type.shape.forEach((d, k) => { if (typeof d === "string") dims[d] ??= inputs[i]!.shape[k]; }));
  return { B: dims.B ?? 1, T: dims.T ?? 1 };
}

/** The poison byte: 0xFFFFFFFF is a NaN as f32 and -1 (an out-of-range id, which traps) as i32. */
const POISON = 0xff;

/**
 * Fills every byte of `memory` with `byte` except the module's constant table (compiler/lower/
 * memory.ts CONSTANTS_AT), which its data segment wrote at instantiation and which, like the
 * code, belongs to the module: no tensor lies there and the host never writes it.
 */
export function poisonMemory(memory: WebAssembly.Memory, byte = POISON): void {
  const bytes = new Uint8Array(memory.buffer);
  bytes.fill(byte, 0, CONSTANTS_AT);
  bytes.fill(byte, CONSTANTS_AT + VECTOR_MATH_CONSTANTS_BYTES);
}

/** Whether the constant table holds what the module's data segment put there. */
export function constantTableIntact(memory: WebAssembly.Memory): boolean {
  const want = vectorMathConstants();
  const got = new Uint8Array(memory.buffer, CONSTANTS_AT, want.length);
  return want.every((b, i) => got[i] === b);
}

/**
 * Runs a module on a fresh instance whose whole memory (grown to what B, T need) is first filled
 * with 0xFF bytes. A kernel that reads an element nobody wrote (scratch reused, outputs assumed
 * zero) then produces NaN or traps instead of passing by luck. After the run, checks that the
 * inputs are intact and that nothing was written below the first tensor (the null region) or past
 * the end of the planned memory; violations are returned as messages.
 */
export async function runPoisoned(gm: GraphModule, inputs: Tensor[]): Promise<{ outs: Tensor[]; violations: string[] }> {
  const instance = await instantiate(gm);
  const memory = memoryOf(instance);
  const { B, T } = dimsOf(gm, inputs);
  const need = evalPoly(gm.memoryBytes, B, T);
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
  if (!constantTableIntact(memory)) throw new Error("the module's data segment did not put the constant table in place");
  poisonMemory(memory);
  const outs = runInstance(gm, instance, inputs);
  const violations: string[] = [];
  const bytes = new Uint8Array(memory.buffer);
  // the layout keeps the first 4·ALIGN bytes free (memory.ts: "a null pointer never aliases a tensor")
  const low = 4 * ALIGN;
  for (let i = 0; i < low; i++) if (bytes[i] !== POISON) { violations.push(`byte ${i} (below the first tensor) was written`); break; }
  for (let i = need; i < bytes.length; i++) if (bytes[i] !== POISON) { violations.push(`byte ${i} (past the ${need} planned bytes) was written`); break; }
  if (!constantTableIntact(memory)) violations.push("the constant table was written");
  gm.inputs.forEach((spec, j) => {
    const x = inputs[j]!;
    const off = evalPoly(spec.offset, B, T);
    const view = spec.type.dtype === "i32" ? new Int32Array(memory.buffer, off, x.data.length) : new Float32Array(memory.buffer, off, x.data.length);
    for (let i = 0; i < x.data.length; i++) {
      const want = spec.type.dtype === "i32" ? x.data[i]! : Math.fround(x.data[i]!);
      if (!Object.is(view[i], want) && !(Number.isNaN(view[i]) && Number.isNaN(want))) {
        violations.push(`input ${j} was overwritten at element ${i}`);
        break;
      }
    }
  });
  return { outs, violations };
}

/** Worst errors seen in one category of comparisons, for the summary comments. */
export class ErrorStats {
  /** max |Δ| / max(1, |interp|): absolute for values up to 1, relative beyond */
  maxScaled = 0;
  /** max |Δ| / |interp| over elements with |interp| ≥ 1e-2 */
  maxRel = 0;
  /** max |Δ| / (atol + rtol·|interp|): the fraction of the tolerance used */
  maxUse = 0;
  worst = "";
  elements = 0;
  tensors = 0;

  constructor(readonly name: string, readonly tol: Tol) {}

  summary(): string {
    return `${this.name}: ${this.tensors} tensors, ${this.elements} elements; max |Δ|/max(1, |ref|) = ${this.maxScaled.toExponential(2)}, ` +
      `max relative error (|ref| ≥ 1e-2) = ${this.maxRel.toExponential(2)}, ` +
      `at most ${(100 * this.maxUse).toFixed(1)}% of the tolerance (rtol ${this.tol.rtol}, atol ${this.tol.atol})` +
      (this.worst ? `, worst at ${this.worst}` : "");
  }
}

/**
 * One assertion per tensor: same shape and dtype; i32 tensors equal exactly; f32 tensors within
 * `tol` (default `stats.tol`) element by element (non-finite reference values must be matched
 * exactly). `stats` records the worst errors, the fraction of the tolerance relative to `tol`.
 */
export function expectClose(t: Test, got: Tensor[], want: Tensor[], labels: string[], stats: ErrorStats, prefix = "", tol: Tol = stats.tol): void {
  t.equal(got.length, want.length, `${prefix}as many outputs as the interpreter`);
  want.forEach((w, j) => {
    const g = got[j]!;
    const label = `${prefix}${labels[j] ?? `output ${j}`}`;
    if (g.shape.join() !== w.shape.join() || g.dtype !== w.dtype) {
      t.fail(`${label}: ${g.dtype}[${g.shape}] from wasm, ${w.dtype}[${w.shape}] from the interpreter`);
      return;
    }
    const { rtol, atol } = w.dtype === "i32" ? { rtol: 0, atol: 0 } : tol;
    let maxAbs = 0, maxUse = 0, bad = -1;
    for (let i = 0; i < w.data.length; i++) {
      const ref = w.data[i]!, v = g.data[i]!;
      if (!Number.isFinite(ref)) {
        if (!(v === ref || (Number.isNaN(v) && Number.isNaN(ref))) && bad < 0) bad = i;
        continue;
      }
      const d = Math.abs(v - ref);
      if (!(d <= atol + rtol * Math.abs(ref))) { if (bad < 0) bad = i; }
      if (Number.isNaN(d)) continue;
      maxAbs = Math.max(maxAbs, d);
      const use = atol + rtol * Math.abs(ref) > 0 ? d / (atol + rtol * Math.abs(ref)) : d > 0 ? Infinity : 0;
      maxUse = Math.max(maxUse, use);
      if (w.dtype === "f32") {
        stats.maxScaled = Math.max(stats.maxScaled, d / Math.max(1, Math.abs(ref)));
        if (Math.abs(ref) >= 1e-2) stats.maxRel = Math.max(stats.maxRel, d / Math.abs(ref));
        if (use > stats.maxUse) { stats.maxUse = use; stats.worst = label; }
      }
    }
    stats.elements += w.data.length;
    stats.tensors++;
    const detail = bad >= 0 ? ` — element ${bad}: wasm ${g.data[bad]}, interpreter ${w.data[bad]}` : "";
    t.ok(bad < 0, `${label}: max |Δ| ${maxAbs.toExponential(2)}, ${(100 * maxUse).toFixed(1)}% of the tolerance${detail}`);
  });
}
