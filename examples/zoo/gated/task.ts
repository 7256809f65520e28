/**
 * Four gated cells on one task — the LSTM with forget gate (examples/cells/lstm.json), the 1997
 * LSTM without one (lstm-noforget.json), the GRU (gru.json) and the peephole LSTM
 * (lstm-peephole.json, here). Task, many-to-one: the first symbol is one of 4 (0..3), then come
 * T-1 distractors (4..7); the answer, read from the final state, is the first symbol. Chance 1/4.
 */
import { Rng, here, shaped } from "../common.ts";
import { accuracy, buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const CELLS = ["lstm", "noforget", "gru", "peephole"] as const;
export type CellName = (typeof CELLS)[number];
export const modelFile = (c: CellName) => here(import.meta.url, `model-${c}.json`);

export function recallBatch(rng: Rng, B: number, T: number) {
  const tokens = new Int32Array(T * B), label = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    label[b] = rng.below(4);
    tokens[b] = label[b]!;
    for (let t = 1; t < T; t++) tokens[t * B + b] = 4 + rng.below(4);
  }
  return { tokens: shaped(tokens, [T, B]), label: shaped(label, [B]) };
}

export function recallAccuracy(model: Model, rng: Rng, B: number, T: number): number {
  const batch = recallBatch(rng, B, T);
  return accuracy(model.forward(batch).outputs.logits!, batch.label.data, 4);
}

export interface RecallRun { cell: CellName; T: number; steps: number; accuracy: number; seconds: number; reached: { step: number; seconds: number } | null }

export async function run(cell: CellName, cfg: { T?: number; steps?: number; H?: number; B?: number; seed?: number } = {}): Promise<RecallRun> {
  const T = cfg.T ?? 40, steps = cfg.steps ?? 1000, B = cfg.B ?? 32;
  const model = await buildModel(modelFile(cell), { sizes: { H: cfg.H ?? 16 }, seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.01, clipNorm: 5 }), {
    steps, batch: () => recallBatch(rng, B, T), evalEvery: 50, evaluate: () => recallAccuracy(model, new Rng(7), 256, T), target: 0.99,
  });
  return { cell, T, steps, accuracy: recallAccuracy(model, new Rng(8), 1024, T), seconds: r.seconds, reached: r.reached };
}

export async function main(f: Record<string, string> = {}): Promise<void> {
  const Ts = (f.T ?? "20,50,100").split(",").map(Number);
  for (const T of Ts) {
    for (const cell of CELLS) {
      const r = await run(cell, { T, steps: Number(f.steps ?? 1500) });
      console.log(`T=${T} ${cell}: accuracy ${r.accuracy.toFixed(3)}; 99% ${r.reached ? `at step ${r.reached.step} (${r.reached.seconds.toFixed(1)} s)` : `not reached in ${r.steps} steps (${r.seconds.toFixed(1)} s)`}`);
    }
  }
}
