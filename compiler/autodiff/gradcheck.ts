import type { Graph } from "../ir/types.ts";
import { runGraph } from "../interp/interpreter.ts";
import { tensor } from "../interp/tensor.ts";
import type { Tensor } from "../interp/tensor.ts";
import { vjpGraph } from "./vjp.ts";

/** A small deterministic PRNG (mulberry32) so checks are reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GradCheckResult {
  /** Per checked input: ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖, 1e-12). */
  errors: { name: string; relError: number; analytic: Float64Array; numeric: Float64Array }[];
  maxRelError: number;
}

/**
 * Compares the VJP graph's gradients with central finite differences of the scalar
 * L = Σ_i ⟨ct_i, out_i⟩ for random cotangents ct_i, in f64.
 */
export function gradCheck(g: Graph, inputs: Tensor[], wrt: string[], opts: { seed?: number; eps?: number } = {}): GradCheckResult {
  const rand = rng(opts.seed ?? 1);
  const eps = opts.eps ?? 1e-6;
  const fwdOut = runGraph(g, inputs);
  const cts = fwdOut.map((o, i) => (g.types.get(g.outputs[i]!)!.dtype === "f32" ? tensor(o.shape, Array.from(o.data, () => rand() * 2 - 1)) : null));
  const loss = (ins: Tensor[]) =>
    runGraph(g, ins).reduce((acc, o, i) => {
      const c = cts[i];
      if (!c) return acc;
      let s = 0;
      for (let k = 0; k < o.data.length; k++) s += o.data[k]! * c.data[k]!;
      return acc + s;
    }, 0);
  const v = vjpGraph(g, wrt);
  const allOut = runGraph(v.graph, [...inputs, ...cts.filter((c): c is Tensor => c !== null)]);
  const grads = allOut.slice(g.outputs.length);
  const errors = wrt.map((name, w) => {
    const idx = g.inputs.indexOf(name);
    const x = inputs[idx]!;
    const numeric = new Float64Array(x.data.length);
    for (let k = 0; k < x.data.length; k++) {
      const orig = x.data[k]!;
      const h = eps * Math.max(1, Math.abs(orig));
      x.data[k] = orig + h;
      const up = loss(inputs);
      x.data[k] = orig - h;
      const down = loss(inputs);
      x.data[k] = orig;
      numeric[k] = (up - down) / (2 * h);
    }
    const analytic = grads[w]!.data;
    let diff = 0, na = 0, nn = 0;
    for (let k = 0; k < numeric.length; k++) {
      diff += (analytic[k]! - numeric[k]!) ** 2;
      na += analytic[k]! ** 2;
      nn += numeric[k]! ** 2;
    }
    const relError = Math.sqrt(diff) / Math.max(Math.sqrt(na), Math.sqrt(nn), 1e-12);
    return { name, relError, analytic: Float64Array.from(analytic), numeric };
  });
  return { errors, maxRelError: Math.max(0, ...errors.map((e) => e.relError)) };
}
