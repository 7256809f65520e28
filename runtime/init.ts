/**
 * Parameter initializers, seeded: the same seed gives the same bits on every machine (the
 * arithmetic is plain f64 rounded to f32 once at the end).
 *
 * A weight W[out][in] has fan_in = in (its last dim) and fan_out = out (its first).
 */
import { RnncRuntimeError } from "./errors.ts";
import { Rng } from "./random.ts";

export type InitSpec =
  | string
  | { kind: string; value?: number; low?: number; high?: number; mean?: number; std?: number; gain?: number };

export const INITIALIZERS = ["zeros", "ones", "constant", "uniform", "normal", "glorot_uniform", "glorot_normal", "orthogonal"] as const;

function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  const fanOut = shape[0]!;
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  return [fanIn, fanOut];
}

/** Values for one parameter of `shape`, drawn from `rng`. */
export function initialize(spec: InitSpec, shape: readonly number[], rng: Rng, name = "parameter"): Float32Array {
  const s = typeof spec === "string" ? { kind: spec } : spec;
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const [fanIn, fanOut] = fans(shape);
  const gain = s.gain ?? 1;
  switch (s.kind) {
    case "zeros": break;
    case "ones": out.fill(1); break;
    case "constant": out.fill(s.value ?? 0); break;
    case "uniform": {
      const lo = s.low ?? -0.05, hi = s.high ?? 0.05;
      for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
      break;
    }
    case "normal": {
      const mean = s.mean ?? 0, std = s.std ?? 0.05;
      for (let i = 0; i < n; i++) out[i] = mean + std * rng.normal();
      break;
    }
    case "glorot_uniform": {
      const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) out[i] = (2 * rng.uniform() - 1) * limit;
      break;
    }
    case "glorot_normal": {
      const std = gain * Math.sqrt(2 / (fanIn + fanOut));
      for (let i = 0; i < n; i++) out[i] = std * rng.normal();
      break;
    }
    case "orthogonal": {
      if (shape.length < 2) throw new RnncRuntimeError(`init of ${name}: orthogonal needs a matrix, got shape [${shape.join(", ")}]`);
      out.set(orthogonal(shape[0]!, n / shape[0]!, rng, gain));
      break;
    }
    default:
      throw new RnncRuntimeError(`init of ${name}: unknown initializer "${s.kind}" (known: ${INITIALIZERS.join(", ")})`);
  }
  return out;
}

/**
 * A rows×cols matrix with orthonormal rows (rows ≤ cols) or columns (rows > cols), times `gain`:
 * Gram–Schmidt (modified, twice for stability) on a Gaussian matrix, as Saxe et al. propose.
 */
export function orthogonal(rows: number, cols: number, rng: Rng, gain = 1): Float64Array {
  const tall = rows > cols;
  const [r, c] = tall ? [cols, rows] : [rows, cols]; // r vectors of length c, r ≤ c
  const v = new Float64Array(r * c);
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  for (let i = 0; i < r; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        let dot = 0;
        for (let k = 0; k < c; k++) dot += v[i * c + k]! * v[j * c + k]!;
        for (let k = 0; k < c; k++) v[i * c + k]! -= dot * v[j * c + k]!;
      }
    }
    let norm = 0;
    for (let k = 0; k < c; k++) norm += v[i * c + k]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < c; k++) v[i * c + k]! /= norm;
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < r; i++)
    for (let k = 0; k < c; k++) {
      const val = gain * v[i * c + k]!;
      if (tall) out[k * cols + i] = val;
      else out[i * cols + k] = val;
    }
  return out;
}
