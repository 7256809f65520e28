/**
 * The adding problem (Hochreiter & Schmidhuber 1997; here in the form of Le, Jaitly & Hinton 2015):
 * a sequence of T pairs (value, marker), values uniform in [0, 1), exactly two markers — one in
 * the first half, one in the second. The target is the sum of the two marked values. Predicting
 * 1 always gives a mean squared error of 1/6 ≈ 0.167: a model that does not beat that has learned
 * nothing. Solved: MSE below 0.01.
 */
import { Rng, here, shaped } from "../common.ts";
import { buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const modelFile = (cell: "lstm" | "elman") => here(import.meta.url, `model-${cell}.json`);
export const BASELINE_MSE = 1 / 6;

export function addingBatch(rng: Rng, B: number, T: number) {
  const x = new Float32Array(T * B * 2), target = new Float32Array(B);
  const half = Math.floor(T / 2);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) x[(t * B + b) * 2] = rng.uniform();
    const m1 = rng.below(half), m2 = half + rng.below(T - half);
    x[(m1 * B + b) * 2 + 1] = 1;
    x[(m2 * B + b) * 2 + 1] = 1;
    target[b] = x[(m1 * B + b) * 2]! + x[(m2 * B + b) * 2]!;
  }
  return { x: shaped(x, [T, B, 2]), target: shaped(target, [B, 1]) };
}

/** Mean squared error on fresh sequences. */
export function addingMse(model: Model, rng: Rng, B: number, T: number): number {
  const batch = addingBatch(rng, B, T);
  const y = model.forward(batch).outputs.y!;
  let s = 0;
  for (let b = 0; b < B; b++) s += (y[b]! - batch.target.data[b]!) ** 2;
  return s / B;
}

export interface AddingRun { file: string; T: number; steps: number; mse: number; seconds: number; solved: { step: number; seconds: number } | null; curve: { step: number; score: number }[] }

/** Trains one model file on the adding problem of length T; stops early once solved (MSE < 0.01). */
export async function run(file: string, cfg: { T: number; steps?: number; H?: number; B?: number; seed?: number; lr?: number; seconds?: number; log?: (s: string) => void }): Promise<AddingRun> {
  const { T } = cfg, steps = cfg.steps ?? 3000, B = cfg.B ?? 32;
  const model = await buildModel(file, { sizes: { H: cfg.H ?? 32 }, seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const r = fit(new Trainer(model, { kind: "adam", lr: cfg.lr ?? 0.003, clipNorm: 1 }), {
    steps, batch: () => addingBatch(rng, B, T), evalEvery: 100, evaluate: () => addingMse(model, new Rng(7), 512, T),
    lowerIsBetter: true, target: 0.01, ...(cfg.seconds ? { seconds: cfg.seconds } : {}), ...(cfg.log ? { log: cfg.log } : {}),
  });
  return { file, T, steps: r.steps, mse: addingMse(model, new Rng(8), 1024, T), seconds: r.seconds, solved: r.reached, curve: r.evals.map((e) => ({ step: e.step, score: e.score })) };
}

export async function main(f: Record<string, string> = {}): Promise<void> {
  const Ts = (f.T ?? "50,200").split(",").map(Number);
  const steps = Number(f.steps ?? 4000);
  console.log(`| T | cell | held-out MSE (baseline ${BASELINE_MSE.toFixed(3)}) | solved (MSE < 0.01) at | steps run | seconds |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const T of Ts) {
    for (const cell of ["lstm", "elman"] as const) {
      const r = await run(modelFile(cell), { T, steps, log: f.verbose ? (s) => console.error(`T=${T} ${cell} ${s}`) : undefined });
      console.log(`| ${T} | ${cell} | ${r.mse.toFixed(4)} | ${r.solved ? `step ${r.solved.step}` : "not solved"} | ${r.steps} | ${r.seconds.toFixed(0)} |`);
    }
  }
}
