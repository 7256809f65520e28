/**
 * Reverse a digit string, encoder–decoder. Training uses teacher forcing (model.json: the decoder
 * reads the true previous digit); inference is greedy (decoder.json run with the runtime's
 * streaming `step`: each step reads the previous step's argmax). Scored on the greedy output:
 * every digit right (sequence accuracy) and per digit. Chance is 1/10 per digit.
 */
import { Rng, here, shaped } from "../common.ts";
import { argmax, buildModel, copyParams, fit } from "../../../compiler/train/fit.ts";
import { Trainer } from "../../../runtime/train.ts";
import type { Model } from "../../../runtime/model.ts";

export const modelFile = here(import.meta.url, "model.json");
export const decoderFile = here(import.meta.url, "decoder.json");
export const GO = 10, V = 11;

export function reverseBatch(rng: Rng, B: number, T: number) {
  const src = new Int32Array(T * B), prev = new Int32Array(T * B), tgt = new Int32Array(T * B);
  for (let i = 0; i < T * B; i++) src[i] = rng.below(10);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      tgt[t * B + b] = src[(T - 1 - t) * B + b]!;
      prev[t * B + b] = t === 0 ? GO : src[(T - t) * B + b]!;
    }
  }
  return { src: shaped(src, [T, B]), prev: shaped(prev, [T, B]), tgt: shaped(tgt, [T, B]) };
}

/** Greedy decoding: encode with the training model, then feed the decoder its own argmax. */
export function greedyDecode(model: Model, decoder: Model, src: Int32Array, B: number, T: number): Int32Array {
  const zeros = new Int32Array(T * B); // the decoder half of the training model is not used here
  const enc = model.forward({ src: shaped(src, [T, B]), prev: shaped(zeros, [T, B]), tgt: shaped(zeros, [T, B]) }).final;
  decoder.resetState(B);
  decoder.setState("dec.h", enc["enc.h"]!);
  decoder.setState("dec.s", enc["enc.s"]!);
  const out = new Int32Array(T * B);
  let prev = new Int32Array(B).fill(GO);
  for (let t = 0; t < T; t++) {
    const logits = decoder.step({ prev }).outputs.logits!;
    prev = prev.map((_, b) => argmax(logits, b * V, V));
    out.set(prev, t * B);
  }
  return out;
}

export function reverseAccuracy(model: Model, decoder: Model, rng: Rng, B: number, T: number) {
  copyParams(model, decoder);
  const batch = reverseBatch(rng, B, T);
  const out = greedyDecode(model, decoder, batch.src.data as Int32Array, B, T);
  let digits = 0, seqs = 0;
  for (let b = 0; b < B; b++) {
    let all = true;
    for (let t = 0; t < T; t++) {
      const ok = out[t * B + b] === batch.tgt.data[t * B + b];
      digits += ok ? 1 : 0;
      all &&= ok;
    }
    seqs += all ? 1 : 0;
  }
  return { perDigit: digits / (B * T), sequence: seqs / B };
}

export async function run(cfg: { T?: number; steps?: number; H?: number; B?: number; seed?: number } = {}) {
  const T = cfg.T ?? 8, steps = cfg.steps ?? 3000, B = cfg.B ?? 32, H = cfg.H ?? 64;
  const model = await buildModel(modelFile, { sizes: { H }, seed: cfg.seed ?? 1 });
  const decoder = await buildModel(decoderFile, { sizes: { H } });
  const rng = new Rng((cfg.seed ?? 1) + 10);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.005, clipNorm: 5 }), {
    steps, batch: () => reverseBatch(rng, B, T), evalEvery: 250, evaluate: () => reverseAccuracy(model, decoder, new Rng(7), 256, T).sequence, target: 0.99,
  });
  return { T, steps: r.steps, ...reverseAccuracy(model, decoder, new Rng(8), 1000, T), seconds: r.seconds, lastLoss: r.losses.at(-1)!, reached: r.reached, model, decoder };
}

export async function main(f: Record<string, string> = {}): Promise<void> {
  const r = await run({ T: Number(f.T ?? 8), steps: Number(f.steps ?? 3000) });
  console.log(`T=${r.T}: greedy decoding, sequence accuracy ${r.sequence.toFixed(3)}, per-digit ${r.perDigit.toFixed(3)} (chance 0.1) after ${r.steps} steps, ${r.seconds.toFixed(1)} s${r.reached ? ` (99% of strings right at step ${r.reached.step})` : ""}`);
  const one = reverseBatch(new Rng(3), 1, r.T);
  const out = greedyDecode(r.model, r.decoder, one.src.data as Int32Array, 1, r.T);
  console.log(`e.g. ${Array.from(one.src.data).join("")} → ${Array.from(out).join("")}`);
}
