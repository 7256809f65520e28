/**
 * Running parity: a stream of random bits; the target at step t is (b_0 + ... + b_t) mod 2.
 * Each answer is the previous answer XOR the current bit, which is exactly what a Jordan network
 * can compute from its fed-back output. Chance is 1/2 at every step.
 */
import { Rng, here, shaped } from "../common.ts";
import { accuracy } from "../../../compiler/train/fit.ts";
import type { Model } from "../../../runtime/model.ts";

export const modelFile = here(import.meta.url, "model.json");

export function parityBatch(rng: Rng, B: number, T: number) {
  const bits = new Int32Array(T * B), targets = new Int32Array(T * B);
  for (let b = 0; b < B; b++) {
    let p = 0;
    for (let t = 0; t < T; t++) {
      const x = rng.below(2);
      p ^= x;
      bits[t * B + b] = x;
      targets[t * B + b] = p;
    }
  }
  return { bits: shaped(bits, [T, B]), targets: shaped(targets, [T, B]) };
}

/** Per-step accuracy on fresh streams of length T. */
export function parityAccuracy(model: Model, rng: Rng, B: number, T: number): number {
  const batch = parityBatch(rng, B, T);
  return accuracy(model.forward(batch).outputs.logits!, batch.targets.data, 2);
}

/** Accuracy at the last step only: all T answers must have been chained right. */
export function lastStepAccuracy(model: Model, rng: Rng, B: number, T: number): number {
  const batch = parityBatch(rng, B, T);
  const logits = model.forward(batch).outputs.logits!;
  return accuracy(logits.subarray((T - 1) * B * 2), batch.targets.data.slice((T - 1) * B) as Int32Array, 2);
}
