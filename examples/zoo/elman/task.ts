/**
 * Delayed echo: a stream of random symbols 0..V-1; the target at step t is the symbol read at step
 * t-D (and, for the first D steps, the symbol itself). A synced many-to-many task: one label per
 * step. Chance is 1/V.
 */
import { Rng, here, shaped } from "../common.ts";
import { accuracy, buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const modelFile = here(import.meta.url, "model.json");
export const V = 4;

export function echoBatch(rng: Rng, B: number, T: number, D: number) {
  const tokens = new Int32Array(T * B), targets = new Int32Array(T * B);
  for (let i = 0; i < T * B; i++) tokens[i] = rng.below(V);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) targets[t * B + b] = tokens[(t >= D ? t - D : t) * B + b]!;
  return { tokens: shaped(tokens, [T, B]), targets: shaped(targets, [T, B]) };
}

/** Accuracy over the steps t >= D (the ones that need memory). */
export function echoAccuracy(model: Model, rng: Rng, B: number, T: number, D: number): number {
  const batch = echoBatch(rng, B, T, D);
  const logits = model.forward(batch).outputs.logits!;
  const mask = new Uint8Array(T * B).map((_, i) => (i >= D * B ? 1 : 0));
  return accuracy(logits, batch.targets.data, V, mask);
}

export interface EchoRun { D: number; H: number; steps: number; before: number; accuracy: number; firstLoss: number; lastLoss: number; seconds: number }

/** Trains the Elman echo model and scores it on held-out streams. */
export async function run(cfg: { D?: number; H?: number; steps?: number; B?: number; T?: number; seed?: number } = {}): Promise<EchoRun> {
  const D = cfg.D ?? 3, H = cfg.H ?? 32, steps = cfg.steps ?? 600, B = cfg.B ?? 32, T = cfg.T ?? 20;
  const model = await buildModel(modelFile, { sizes: { H }, seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const before = echoAccuracy(model, new Rng(99), 256, T, D);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.01, clipNorm: 5 }), { steps, batch: () => echoBatch(rng, B, T, D) });
  return { D, H, steps, before, accuracy: echoAccuracy(model, new Rng(99), 512, 50, D), firstLoss: r.losses[0]!, lastLoss: r.losses.at(-1)!, seconds: r.seconds };
}

export async function main(_flags: Record<string, string> = {}): Promise<void> {
  for (const D of [1, 2, 3, 5]) {
    const r = await run({ D });
    console.log(`D=${D}: accuracy ${r.accuracy.toFixed(3)} (untrained ${r.before.toFixed(3)}, chance ${1 / V}) after ${r.steps} steps, ${r.seconds.toFixed(1)} s; loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(4)}`);
  }
}
