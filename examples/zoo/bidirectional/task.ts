/**
 * A tag that needs both sides: for a stream of symbols 0..3, the target at step t is
 * max(x[t-1], x[t+1]) (a missing neighbour at either end counts as 0). A forward-only RNN does not
 * know x[t+1] when it must answer: its best is 0.625 (guess max(x[t-1], 1) or so); chance is 1/4.
 * (The readout Wyh h + Wyz z is additive in the two directions, so the tag must be one an additive
 * score can pick: max is, (x[t-1] + x[t+1]) mod 4 is not.)
 */
import { Rng, here, shaped } from "../common.ts";
import { accuracy, buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const modelFile = here(import.meta.url, "model.json");
export const forwardFile = here(import.meta.url, "model-forward.json");
const V = 4;

export function neighbourBatch(rng: Rng, B: number, T: number) {
  const tokens = new Int32Array(T * B), targets = new Int32Array(T * B);
  for (let i = 0; i < T * B; i++) tokens[i] = rng.below(V);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const prev = t > 0 ? tokens[(t - 1) * B + b]! : 0, next = t < T - 1 ? tokens[(t + 1) * B + b]! : 0;
      targets[t * B + b] = Math.max(prev, next);
    }
  }
  return { tokens: shaped(tokens, [T, B]), targets: shaped(targets, [T, B]) };
}

export function neighbourAccuracy(model: Model, rng: Rng, B: number, T: number): number {
  const batch = neighbourBatch(rng, B, T);
  return accuracy(model.forward(batch).outputs.logits!, batch.targets.data, V);
}

export async function run(which: "bidirectional" | "forward", cfg: { steps?: number; H?: number; B?: number; T?: number; seed?: number } = {}) {
  const steps = cfg.steps ?? 1000, B = cfg.B ?? 32, T = cfg.T ?? 20;
  const model = await buildModel(which === "forward" ? forwardFile : modelFile, { sizes: { H: cfg.H ?? 16 }, seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.01, clipNorm: 5 }), { steps, batch: () => neighbourBatch(rng, B, T) });
  return { which, steps, accuracy: neighbourAccuracy(model, new Rng(8), 512, 30), lastLoss: r.losses.at(-1)!, seconds: r.seconds };
}

export async function main(f: Record<string, string> = {}): Promise<void> {
  for (const which of ["bidirectional", "forward"] as const) {
    const r = await run(which, { steps: Number(f.steps ?? 1000) });
    console.log(`${which}: per-step accuracy ${r.accuracy.toFixed(3)} (chance 0.25) after ${r.steps} steps, ${r.seconds.toFixed(1)} s; final loss ${r.lastLoss.toFixed(4)}`);
  }
}
