/**
 * Waveform classification, many-to-one with sequences of different lengths in one batch: a
 * sine, square, sawtooth or triangle wave with random period (5–12 steps), phase and amplitude,
 * plus noise, 16–40 steps long. Padding after each sequence's end is garbage (random values) and
 * the scan's `lengths` keeps it out. Chance (and the majority baseline) is 1/4.
 */
import { Rng, here, shaped } from "../common.ts";
import { accuracy, buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const modelFile = here(import.meta.url, "model.json");
export const cellFile = here(import.meta.url, "lstm-concat.json");
export const CLASSES = ["sine", "square", "sawtooth", "triangle"];
const K = CLASSES.length;

function wave(kind: number, u: number): number {
  const f = u - Math.floor(u); // phase in [0, 1)
  switch (kind) {
    case 0: return Math.sin(2 * Math.PI * f);
    case 1: return f < 0.5 ? 1 : -1;
    case 2: return 2 * f - 1;
    default: return f < 0.5 ? 4 * f - 1 : 3 - 4 * f;
  }
}

export function waveBatch(rng: Rng, B: number, minLen = 16, maxLen = 40, noise = 0.1) {
  const lengths = new Int32Array(B), label = new Int32Array(B);
  for (let b = 0; b < B; b++) { lengths[b] = minLen + rng.below(maxLen - minLen + 1); label[b] = rng.below(K); }
  const T = Math.max(...lengths);
  const signal = new Float32Array(T * B);
  for (let b = 0; b < B; b++) {
    const period = 5 + 7 * rng.uniform(), phase = rng.uniform(), amp = 0.5 + rng.uniform();
    for (let t = 0; t < T; t++) {
      signal[t * B + b] = t < lengths[b]! ? amp * wave(label[b]!, phase + t / period) + noise * rng.normal() : 10 * (rng.uniform() - 0.5);
    }
  }
  return { signal: shaped(signal, [T, B, 1]), lengths: shaped(lengths, [B]), label: shaped(label, [B]) };
}

export function waveAccuracy(model: Model, rng: Rng, B: number): number {
  const batch = waveBatch(rng, B);
  return accuracy(model.forward(batch).outputs.logits!, batch.label.data, K);
}

export interface WaveRun { steps: number; before: number; accuracy: number; firstLoss: number; lastLoss: number; seconds: number; reached: { step: number; seconds: number } | null }

export async function run(cfg: { steps?: number; H?: number; B?: number; seed?: number; target?: number } = {}): Promise<WaveRun> {
  const H = cfg.H ?? 32, B = cfg.B ?? 32, steps = cfg.steps ?? 1500;
  const model = await buildModel(modelFile, { sizes: { H, Z: H + 1 }, seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const before = waveAccuracy(model, new Rng(7), 512);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.01, clipNorm: 5 }), {
    steps, batch: () => waveBatch(rng, B),
    evalEvery: 100, evaluate: () => waveAccuracy(model, new Rng(7), 512), ...(cfg.target ? { target: cfg.target } : {}),
  });
  return { steps: r.steps, before, accuracy: waveAccuracy(model, new Rng(8), 1024), firstLoss: r.losses[0]!, lastLoss: r.losses.at(-1)!, seconds: r.seconds, reached: r.reached };
}

export async function main(_flags: Record<string, string> = {}): Promise<void> {
  const r = await run({ target: 0.95 });
  console.log(`held-out accuracy ${r.accuracy.toFixed(3)} (untrained ${r.before.toFixed(3)}, chance 0.25) after ${r.steps} steps, ${r.seconds.toFixed(1)} s; 95% reached ${r.reached ? `at step ${r.reached.step}, ${r.reached.seconds.toFixed(1)} s` : "never"}; loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(4)}`);
}
