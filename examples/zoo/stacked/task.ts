/**
 * Two stacked GRU layers, synced: for a stream of digits 0..4, the target at step t is
 * (x[t] + x[t-1]) mod 5 — a function of two steps that no additive readout of the one-hot inputs
 * gives, so the layers must compute it. Chance is 1/5.
 */
import { Rng, here, shaped } from "../common.ts";
import { accuracy, buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const modelFile = here(import.meta.url, "model.json");
const V = 5;

export function sumBatch(rng: Rng, B: number, T: number) {
  const tokens = new Int32Array(T * B), targets = new Int32Array(T * B);
  for (let i = 0; i < T * B; i++) tokens[i] = rng.below(V);
  for (let i = 0; i < T * B; i++) targets[i] = (tokens[i]! + (i >= B ? tokens[i - B]! : 0)) % V;
  return { tokens: shaped(tokens, [T, B]), targets: shaped(targets, [T, B]) };
}

export function sumAccuracy(model: Model, rng: Rng, B: number, T: number): number {
  const batch = sumBatch(rng, B, T);
  return accuracy(model.forward(batch).outputs.logits!, batch.targets.data, V);
}

export async function run(cfg: { steps?: number; H?: number; B?: number; T?: number; seed?: number } = {}) {
  const steps = cfg.steps ?? 1000, B = cfg.B ?? 32, T = cfg.T ?? 20, H = cfg.H ?? 24;
  const model = await buildModel(modelFile, { sizes: { H1: H, H2: H }, seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const before = sumAccuracy(model, new Rng(8), 256, 30);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.01, clipNorm: 5 }), { steps, batch: () => sumBatch(rng, B, T) });
  return { steps, before, accuracy: sumAccuracy(model, new Rng(8), 512, 30), firstLoss: r.losses[0]!, lastLoss: r.losses.at(-1)!, seconds: r.seconds };
}

export async function main(f: Record<string, string> = {}): Promise<void> {
  const r = await run({ steps: Number(f.steps ?? 1000) });
  console.log(`per-step accuracy ${r.accuracy.toFixed(3)} (untrained ${r.before.toFixed(3)}, chance 0.2) after ${r.steps} steps, ${r.seconds.toFixed(1)} s; loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(4)}`);
}
