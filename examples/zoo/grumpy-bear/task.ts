/**
 * "Grumpy bear": a stream of events. "honey" makes the bear happy, "bee sting" makes it grumpy,
 * "wake up bear" resets it to sleepy; five other events ("bird sings", "rain", "fish jumps",
 * "wind", "berries") change nothing. The target at every step is the bear's current mood. Between
 * two mood events come `gap` neutral ones (uniform in [gap/2, 3·gap/2]); the longer the gaps, the
 * longer the mood must be held. The always-sleepy baseline is the share of sleepy steps (about 1/3).
 */
import { Rng, here, shaped } from "../common.ts";
import { accuracy, buildModel, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const EVENTS = ["wake up bear", "honey", "bee sting", "bird sings", "rain", "fish jumps", "wind", "berries", "how is the bear?"];
const ASK = 8;
export const MOODS = ["sleepy", "happy", "grumpy"];
export const modelFile = (cell: "lstm" | "elman") => here(import.meta.url, `model-${cell}.json`);

/**
 * `asked` false: the mood is scored at every step. True: only at "how is the bear?" events, which
 * come just before the next mood event — `gap` steps after the mood was set — so the answer is
 * never next to its cause.
 */
export function bearBatch(rng: Rng, B: number, T: number, gap: number, asked = false) {
  const events = new Int32Array(T * B), mood = new Int32Array(T * B), weight = new Float32Array(T * B).fill(asked ? 0 : 1);
  for (let b = 0; b < B; b++) {
    let m = 0, next = rng.below(gap + 1);
    for (let t = 0; t < T; t++) {
      let e: number;
      if (t === next) {
        e = rng.below(3); // a mood event: wake up (→ sleepy), honey (→ happy), bee sting (→ grumpy)
        m = e;
        next = t + 1 + Math.floor(gap / 2) + rng.below(gap + 1);
      } else if (asked && t === next - 1 && t > 0) {
        e = ASK;
        weight[t * B + b] = 1;
      } else e = 3 + rng.below(5);
      events[t * B + b] = e;
      mood[t * B + b] = m;
    }
  }
  return { events: shaped(events, [T, B]), mood: shaped(mood, [T, B]), asked: shaped(weight, [T, B]) };
}

export function bearAccuracy(model: Model, rng: Rng, B: number, T: number, gap: number, asked = false): { accuracy: number; baseline: number } {
  const batch = bearBatch(rng, B, T, gap, asked);
  const w = batch.asked.data;
  const scored = Array.from(batch.mood.data).filter((_, i) => w[i]);
  const sleepy = scored.filter((m) => m === 0).length / scored.length;
  return { accuracy: accuracy(model.forward(batch).outputs.logits!, batch.mood.data, 3, w), baseline: sleepy };
}

export const seqLength = (gap: number) => Math.max(40, 4 * gap);

export async function run(cell: "lstm" | "elman", cfg: { gap: number; asked?: boolean; steps?: number; H?: number; B?: number; seed?: number }) {
  const { gap } = cfg, steps = cfg.steps ?? 1500, B = cfg.B ?? 32, T = seqLength(gap);
  const model = await buildModel(modelFile(cell), { sizes: { H: cfg.H ?? 16 }, seed: cfg.seed ?? 1 });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.01, clipNorm: 5 }), { steps, batch: () => bearBatch(rng, B, T, gap, cfg.asked) });
  return { cell, gap, T, steps, ...bearAccuracy(model, new Rng(8), 256, T, gap, cfg.asked), lastLoss: r.losses.at(-1)!, seconds: r.seconds };
}

export async function main(f: Record<string, string> = {}): Promise<void> {
  const gaps = (f.gaps ?? "2,5,10,20,40,80").split(",").map(Number);
  const steps = Number(f.steps ?? 1500), asked = f.asked === "true";
  console.log(asked ? "scored only when asked, just before the next mood event" : "scored at every step");
  console.log(`| gap | T | Elman accuracy | LSTM accuracy | always-sleepy baseline | seconds (Elman, LSTM) |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const gap of gaps) {
    const e = await run("elman", { gap, steps, asked });
    const l = await run("lstm", { gap, steps, asked });
    console.log(`| ${gap} | ${e.T} | ${e.accuracy.toFixed(3)} | ${l.accuracy.toFixed(3)} | ${e.baseline.toFixed(3)} | ${e.seconds.toFixed(0)}, ${l.seconds.toFixed(0)} |`);
  }
}
