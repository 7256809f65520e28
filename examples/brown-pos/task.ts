/**
 * Part-of-speech tagging of the Brown corpus with the bidirectional LSTM of model.json:
 * data, training and held-out evaluation, shared by run.ts (the full run) and
 * test/zoo/brown-pos.test.ts (a small, brief, seeded run).
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import {
  buildFeatures, encodeTokens, lengthBatches, loadBrownTagged, MostFrequentTag, normalizeWord, sentencesOf,
  splitByFile, timeMajor, UNIVERSAL_TAGS, universalTag, WORD_SHAPES,
} from "../../compiler/data/brown.ts";
import type { EncodedTokens, Features } from "../../compiler/data/brown.ts";
import { loadAnyProgram } from "../../compiler/frontend/load.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { loadModel } from "../../runtime/model.ts";
import type { Model } from "../../runtime/model.ts";
import { initialize } from "../../runtime/init.ts";
import type { InitSpec } from "../../runtime/init.ts";
import { Rng } from "../../runtime/random.ts";
import { Trainer } from "../../runtime/train.ts";

export const MODEL_FILE = join(dirname(fileURLToPath(import.meta.url)), "model.json");

export interface PosOptions {
  /** Which corpus files to use (by name); all 500 by default. */
  files?: (name: string) => boolean;
  /** Hold out every n-th file of each genre (default 5: 407 training files, 93 held out). */
  heldOutEvery?: number;
  /** Embedding and LSTM widths. */
  E?: number;
  H?: number;
  /** Words seen fewer times in training are <unk> (default 2); at most maxWords word ids. */
  minCount?: number;
  maxWords?: number;
  batch?: number;
  lr?: number;
  clipNorm?: number;
  /** Stop after this many updates, epochs or seconds, whichever comes first (at least one must be set). */
  steps?: number;
  epochs?: number;
  seconds?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface PosResult {
  /** Held-out token accuracy of the tagger, of the most-frequent-tag baseline, and both on words out of the vocabulary. */
  accuracy: number;
  baseline: number;
  oovAccuracy: number;
  baselineOov: number;
  heldOutTokens: number;
  oovTokens: number;
  trainTokens: number;
  trainSentences: number;
  trainFiles: number;
  heldOutFiles: number;
  vocab: number;
  suffixes: number;
  steps: number;
  epochs: number;
  trainSeconds: number;
  wasmBytes: number;
  params: number;
  /** Mean training loss over the first and the last 50 updates. */
  firstLoss: number;
  lastLoss: number;
}

interface Example extends EncodedTokens { tags: Int32Array; words_: readonly string[] }

const TAG_ID = new Map<string, number>(UNIVERSAL_TAGS.map((t, i) => [t, i]));

function encode(s: { words: string[]; tags: string[] }, f: Features): Example {
  return { ...encodeTokens(s.words, f), tags: Int32Array.from(s.tags, (t) => TAG_ID.get(universalTag(t))!), words_: s.words };
}

function batchInputs(examples: readonly Example[]) {
  const w = timeMajor(examples.map((e) => e.words));
  const shape = [w.T, examples.length];
  return {
    inputs: {
      words: { data: w.data, shape },
      suffixes: { data: timeMajor(examples.map((e) => e.suffixes)).data, shape },
      shapes: { data: timeMajor(examples.map((e) => e.shapes)).data, shape },
      tags: { data: timeMajor(examples.map((e) => e.tags)).data, shape },
      lengths: w.lengths,
    },
    T: w.T,
  };
}

/** Compiles model.json at these sizes and initializes its parameters from the manifest's initializers. */
export async function buildModel(sizes: Record<string, number>, seed: number): Promise<{ model: Model; wasmBytes: number }> {
  const { wasm, manifest } = await compileProgram(loadAnyProgram(MODEL_FILE, sizes));
  const model = await loadModel(wasm, manifest);
  const rng = new Rng(seed);
  for (const [name, spec] of Object.entries(manifest.params)) {
    model.setParam(name, initialize((spec.init ?? "glorot_uniform") as InitSpec, spec.shape as number[], rng, name));
  }
  return { model, wasmBytes: wasm.length };
}

/** Tags every example (batches of similar length) and returns the predicted tag ids per example. */
export function predictTags(model: Model, examples: readonly Example[], B = 128): Int32Array[] {
  const out: Int32Array[] = new Array(examples.length);
  const K = UNIVERSAL_TAGS.length;
  for (const idx of lengthBatches(examples.map((e) => e.words.length), B)) {
    const batch = idx.map((i) => examples[i]!);
    const { inputs } = batchInputs(batch);
    const logits = model.forward(inputs).outputs.logits as Float32Array;
    const n = batch.length;
    batch.forEach((e, b) => {
      const pred = new Int32Array(e.words.length);
      for (let t = 0; t < e.words.length; t++) {
        const o = (t * n + b) * K;
        let best = 0;
        for (let k = 1; k < K; k++) if (logits[o + k]! > logits[o + best]!) best = k;
        pred[t] = best;
      }
      out[idx[b]!] = pred;
    });
  }
  return out;
}

export async function trainPosTagger(o: PosOptions): Promise<PosResult> {
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 1;
  if (o.steps === undefined && o.epochs === undefined && o.seconds === undefined) throw new Error("trainPosTagger: give steps, epochs or seconds");
  const files = loadBrownTagged(o.files);
  const split = splitByFile(files, o.heldOutEvery ?? 5);
  const trainSents = sentencesOf(split.train), heldSents = sentencesOf(split.heldOut);
  const features = buildFeatures(trainSents, { minCount: o.minCount ?? 2, maxWords: o.maxWords });
  const train = trainSents.map((s) => encode(s, features));
  const held = heldSents.map((s) => encode(s, features));
  const trainTokens = train.reduce((a, e) => a + e.words.length, 0);
  log(`data: ${split.train.length} training files (${train.length} sentences, ${trainTokens} tokens), ${split.heldOut.length} held-out files (${held.length} sentences); vocabulary ${features.words.size} words, ${features.suffixes.size} suffixes; ${UNIVERSAL_TAGS.length} universal tags`);

  const sizes = { V: features.words.size, S: features.suffixes.size, C: WORD_SHAPES, K: UNIVERSAL_TAGS.length, E: o.E ?? 64, H: o.H ?? 64 };
  const t0 = performance.now();
  const { model, wasmBytes } = await buildModel(sizes, seed);
  const params = Object.values(model.manifest.params).reduce((a, p) => a + (p.shape as number[]).reduce((x, y) => x * y, 1), 0);
  log(`compiled ${Object.entries(sizes).map(([k, v]) => `${k}=${v}`).join(", ")}: ${wasmBytes} bytes of WebAssembly, ${params} parameters, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const trainer = new Trainer(model, { kind: "adam", lr: o.lr ?? 0.005, clipNorm: o.clipNorm ?? 5 });
  const rng = new Rng(seed + 1);
  const B = o.batch ?? 32;
  const maxSteps = o.steps ?? Infinity, maxEpochs = o.epochs ?? Infinity, budget = o.seconds ?? Infinity;
  const losses: number[] = [];
  const started = performance.now();
  let epoch = 0, done = false, tokensSeen = 0;
  while (!done && epoch < maxEpochs) {
    for (const idx of lengthBatches(train.map((e) => e.words.length), B, rng)) {
      if (trainer.step >= maxSteps || (performance.now() - started) / 1000 >= budget) { done = true; break; }
      const batch = idx.map((i) => train[i]!);
      const r = trainer.trainStep(batchInputs(batch).inputs);
      losses.push(r.loss);
      tokensSeen += batch.reduce((a, e) => a + e.words.length, 0);
      if (trainer.step % 200 === 0) {
        const recent = losses.slice(-200);
        log(`step ${trainer.step} (epoch ${(tokensSeen / trainTokens).toFixed(2)}): loss ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4)}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    }
    if (!done) epoch++;
  }
  const trainSeconds = (performance.now() - started) / 1000;

  // held out: the tagger against the most-frequent-tag baseline, on every token and on unknown words
  const pred = predictTags(model, held);
  const baselineTagger = new MostFrequentTag(trainSents.map((s) => ({ words: s.words, tags: s.tags.map(universalTag) })));
  let n = 0, ok = 0, base = 0, oov = 0, oovOk = 0, oovBase = 0;
  held.forEach((e, i) => {
    for (let t = 0; t < e.tags.length; t++) {
      const gold = e.tags[t]!;
      const hit = pred[i]![t] === gold ? 1 : 0;
      const baseHit = TAG_ID.get(baselineTagger.tag(e.words_[t]!)) === gold ? 1 : 0;
      n++; ok += hit; base += baseHit;
      if (!features.words.has(normalizeWord(e.words_[t]!))) { oov++; oovOk += hit; oovBase += baseHit; }
    }
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    accuracy: ok / n, baseline: base / n, oovAccuracy: oovOk / Math.max(1, oov), baselineOov: oovBase / Math.max(1, oov),
    heldOutTokens: n, oovTokens: oov, trainTokens, trainSentences: train.length,
    trainFiles: split.train.length, heldOutFiles: split.heldOut.length,
    vocab: features.words.size, suffixes: features.suffixes.size,
    steps: trainer.step, epochs: tokensSeen / trainTokens, trainSeconds, wasmBytes, params,
    firstLoss: mean(losses.slice(0, 50)), lastLoss: mean(losses.slice(-50)),
  };
}
