/**
 * One-to-one: points uniform in [-1, 1]²; label 1 inside the circle of radius sqrt(2/π) (half the
 * area), else 0. The majority baseline, and any linear classifier, is at about 1/2.
 */
import { Rng, here, shaped } from "../common.ts";
import { accuracy, buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const modelFile = here(import.meta.url, "model.json");
const R2 = 2 / Math.PI;

export function pointBatch(rng: Rng, B: number) {
  const point = new Float32Array(B * 2), label = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const x = 2 * rng.uniform() - 1, y = 2 * rng.uniform() - 1;
    point[2 * b] = x;
    point[2 * b + 1] = y;
    label[b] = x * x + y * y < R2 ? 1 : 0;
  }
  return { point: shaped(point, [1, B, 2]), label: shaped(label, [B]) };
}

export function pointAccuracy(model: Model, rng: Rng, B: number): { accuracy: number; majority: number } {
  const batch = pointBatch(rng, B);
  const ones = Array.from(batch.label.data).filter((l) => l === 1).length;
  return { accuracy: accuracy(model.forward(batch).outputs.logits!, batch.label.data, 2), majority: Math.max(ones, B - ones) / B };
}

export async function run(cfg: { steps?: number; H?: number; B?: number; seed?: number } = {}) {
  const steps = cfg.steps ?? 2000, B = cfg.B ?? 64;
  const model = await buildModel(modelFile, { sizes: { H: cfg.H ?? 16 }, seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.02 }), { steps, batch: () => pointBatch(rng, B) });
  return { steps, ...pointAccuracy(model, new Rng(8), 4096), lastLoss: r.losses.at(-1)!, seconds: r.seconds };
}

export async function main(f: Record<string, string> = {}): Promise<void> {
  const r = await run({ steps: Number(f.steps ?? 2000) });
  console.log(`held-out accuracy ${r.accuracy.toFixed(3)} (majority baseline ${r.majority.toFixed(3)}) after ${r.steps} steps, ${r.seconds.toFixed(1)} s; final loss ${r.lastLoss.toFixed(4)}`);
}
