/**
 * Running parity: a stream of random bits; the target at step t is (b_0 + ... + b_t) mod 2.
 * Each answer is the previous answer XOR the current bit, which is exactly what a Jordan network
 * can compute from its fed-back output. Chance is 1/2 at every step.
 */
import { Rng, here, shaped } from "../common.ts";
import { accuracy, buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
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
  return accuracy(logits.subarray((T - 1) * B * 2), (batch.targets.data as Int32Array).subarray((T - 1) * B), 2);
}

export interface ParityRun { steps: number; before: number; perStep: number; lastOf100: number; firstLoss: number; lastLoss: number; seconds: number }

/** Trains on streams of length T and tests on streams of 50 (every step) and 100 (the last step). */
export async function run(cfg: { steps?: number; H?: number; B?: number; T?: number; seed?: number } = {}): Promise<ParityRun> {
  const steps = cfg.steps ?? 600, B = cfg.B ?? 32, T = cfg.T ?? 10;
  const model = await buildModel(modelFile, { sizes: { H: cfg.H ?? 16 }, seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const before = parityAccuracy(model, new Rng(9), 256, 50);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.01, clipNorm: 5 }), { steps, batch: () => parityBatch(rng, B, T) });
  return {
    steps, before, perStep: parityAccuracy(model, new Rng(9), 256, 50), lastOf100: lastStepAccuracy(model, new Rng(5), 512, 100),
    firstLoss: r.losses[0]!, lastLoss: r.losses.at(-1)!, seconds: r.seconds,
  };
}

export async function main(_flags: Record<string, string> = {}): Promise<void> {
  for (const seed of [1, 2, 3]) {
    const r = await run({ seed });
    console.log(`seed ${seed}: per-step accuracy on T=50 ${r.perStep.toFixed(3)} (untrained ${r.before.toFixed(3)}, chance 0.5), last step of T=100 ${r.lastOf100.toFixed(3)}; ${r.steps} steps on T=10, ${r.seconds.toFixed(1)} s; loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(4)}`);
  }
}
