/**
 * One-to-many: continue a sine wave from its phase. Input: φ uniform in [0, 2π). Output: the T
 * values sin(φ + ωt), t = 1..T, ω = 2π/16 (a period of 16 steps). Predicting 0 everywhere gives a
 * mean squared error of 1/2.
 */
import { Rng, here, shaped } from "../common.ts";
import { buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const modelFile = here(import.meta.url, "model.json");
export const OMEGA = (2 * Math.PI) / 16;

export function sineBatch(rng: Rng, B: number, T: number) {
  const phase = new Float32Array(B), target = new Float32Array(T * B);
  for (let b = 0; b < B; b++) {
    phase[b] = 2 * Math.PI * rng.uniform();
    for (let t = 0; t < T; t++) target[t * B + b] = Math.sin(phase[b]! + OMEGA * (t + 1));
  }
  return { phase: shaped(phase, [B, 1]), tick: shaped(new Float32Array(T * B), [T, B, 1]), target: shaped(target, [T, B, 1]) };
}

export function sineMse(model: Model, rng: Rng, B: number, T: number): number {
  const batch = sineBatch(rng, B, T);
  const y = model.forward(batch).outputs.y!;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i]! - batch.target.data[i]!) ** 2;
  return s / y.length;
}

export async function run(cfg: { steps?: number; T?: number; B?: number; seed?: number } = {}) {
  const steps = cfg.steps ?? 2000, T = cfg.T ?? 32, B = cfg.B ?? 32;
  const model = await buildModel(modelFile, { seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const before = sineMse(model, new Rng(8), 256, T);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.01, clipNorm: 1 }), { steps, batch: () => sineBatch(rng, B, T) });
  return { steps, T, before, mse: sineMse(model, new Rng(8), 512, T), seconds: r.seconds, model };
}

export async function main(f: Record<string, string> = {}): Promise<void> {
  const r = await run({ steps: Number(f.steps ?? 2000) });
  console.log(`held-out MSE over ${r.T} generated steps ${r.mse.toFixed(4)} (untrained ${r.before.toFixed(3)}, predicting 0: 0.5) after ${r.steps} steps, ${r.seconds.toFixed(1)} s`);
  const one = sineBatch(new Rng(3), 1, r.T);
  const y = r.model.forward(one).outputs.y!;
  console.log(`φ = ${one.phase.data[0]!.toFixed(3)}: t, target, generated`);
  for (let t = 0; t < r.T; t += 4) console.log(`${t + 1}\t${one.target.data[t]!.toFixed(3)}\t${y[t]!.toFixed(3)}`);
}
