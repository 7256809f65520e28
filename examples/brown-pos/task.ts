/**
 * Part-of-speech tagging of the Brown corpus with the bidirectional LSTM of model.json: data,
 * training (compiler/train/fit.ts around runtime/train.ts's Trainer) and held-out evaluation,
 * shared by run.ts (the full run) and test/zoo/brown-pos.test.ts (a small, brief, seeded run).
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import {
  buildFeatures, encodeTokens, EpochBatches, featureBatch, lengthBatches, loadBrownTagged, MostFrequentTag,
  normalizeWord, sentencesOf, splitByFile, timeMajor, UNIVERSAL_TAGS, universalTag, WORD_SHAPES,
} from "../../compiler/data/brown.ts";
import type { EncodedTokens, Features, TaggedSentence } from "../../compiler/data/brown.ts";
import { loadAnyProgram } from "../../compiler/frontend/load.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { argmax, fit, initParams, mean } from "../../compiler/train/fit.ts";
import { loadModel } from "../../runtime/model.ts";
import type { Model } from "../../runtime/model.ts";
import { Rng } from "../../runtime/random.ts";
import { Trainer } from "../../runtime/train.ts";

export const MODEL_FILE = join(dirname(fileURLToPath(import.meta.url)), "model.json");
const K = UNIVERSAL_TAGS.length;
const TAG_ID = new Map<string, number>(UNIVERSAL_TAGS.map((t, i) => [t, i]));

export interface PosOptions {
  /** Which corpus files to use (by name); all 500 by default. */
  files?: (name: string) => boolean;
  /** Hold out every n-th file of each genre (default 5: 407 training files, 93 held out). */
  heldOutEvery?: number;
  /** Embedding and LSTM widths (default 64, 64). */
  E?: number;
  H?: number;
  /** Words seen fewer times in training are <unk> (default 2). */
  minCount?: number;
  batch?: number;
  lr?: number;
  clipNorm?: number;
  /** Train for this many updates (default: `epochs` epochs, default 1), or stop after `seconds`. */
  steps?: number;
  epochs?: number;
  seconds?: number;
  /** Log held-out accuracy on a sample of 500 held-out sentences every this many steps (0: never). */
  evalEvery?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface PosResult {
  /** Held-out token accuracy of the tagger and of the most-frequent-tag baseline. */
  accuracy: number;
  baseline: number;
  /** The same on held-out words outside the training vocabulary (normalized form seen < minCount times). */
  oovAccuracy: number;
  baselineOov: number;
  heldOutTokens: number;
  oovTokens: number;
  trainTokens: number;
  trainSentences: number;
  heldOutSentences: number;
  trainFiles: number;
  heldOutFiles: number;
  sizes: Record<string, number>;
  params: number;
  wasmBytes: number;
  steps: number;
  epochs: number;
  trainSeconds: number;
  /** Mean training loss over the first and the last 50 updates. */
  firstLoss: number;
  lastLoss: number;
}

/** A tagged sentence as model inputs. */
export interface TaggedExample extends EncodedTokens { tags: Int32Array }

export function encodeTagged(s: TaggedSentence, f: Features): TaggedExample {
  return { ...encodeTokens(s.words, f), tags: Int32Array.from(s.tags, (t) => TAG_ID.get(universalTag(t))!) };
}

/** The inputs of a padded batch: time-major ids, the gold tags (0 at padded steps) and the lengths. */
export function posBatch(examples: readonly TaggedExample[]) {
  const { inputs, T } = featureBatch(examples);
  return { ...inputs, tags: { data: timeMajor(examples.map((e) => e.tags)).data, shape: [T, examples.length] } };
}

/** Compiles model.json at these sizes and initializes its parameters (seeded). */
export async function buildTagger(sizes: Record<string, number>, seed: number): Promise<{ model: Model; wasmBytes: number }> {
  const { wasm, manifest } = await compileProgram(loadAnyProgram(MODEL_FILE, sizes));
  const model = await loadModel(wasm, manifest);
  initParams(model, seed);
  return { model, wasmBytes: wasm.length };
}

/** The predicted tag ids of every example (run in batches of similar length). */
export function predictTags(model: Model, examples: readonly TaggedExample[], B = 128): Int32Array[] {
  const out: Int32Array[] = new Array(examples.length);
  for (const idx of lengthBatches(examples.map((e) => e.words.length), B)) {
    const batch = idx.map((i) => examples[i]!);
    const logits = model.forward(posBatch(batch)).outputs.logits!;
    const n = batch.length;
    batch.forEach((e, b) => {
      out[idx[b]!] = Int32Array.from({ length: e.words.length }, (_, t) => argmax(logits, (t * n + b) * K, K));
    });
  }
  return out;
}

function tokenAccuracy(model: Model, examples: readonly TaggedExample[]): number {
  const pred = predictTags(model, examples);
  let n = 0, ok = 0;
  examples.forEach((e, i) => e.tags.forEach((g, t) => { n++; if (pred[i]![t] === g) ok++; }));
  return ok / n;
}

export async function trainPosTagger(o: PosOptions = {}): Promise<PosResult> {
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 1;
  const files = loadBrownTagged(o.files);
  const split = splitByFile(files, o.heldOutEvery ?? 5);
  const trainSents = sentencesOf(split.train), heldSents = sentencesOf(split.heldOut);
  const features = buildFeatures(trainSents, { minCount: o.minCount ?? 2 });
  const train = trainSents.map((s) => encodeTagged(s, features));
  const held = heldSents.map((s) => encodeTagged(s, features));
  const trainTokens = train.reduce((a, e) => a + e.words.length, 0);
  log(`data: ${split.train.length} training files (${train.length} sentences, ${trainTokens} tokens), ${split.heldOut.length} held-out files (${held.length} sentences); vocabulary ${features.words.size} words, ${features.suffixes.size} suffixes; ${K} universal tags`);

  const sizes = { V: features.words.size, S: features.suffixes.size, C: WORD_SHAPES, K, E: o.E ?? 64, H: o.H ?? 64 };
  const t0 = performance.now();
  const { model, wasmBytes } = await buildTagger(sizes, seed);
  const params = Object.values(model.manifest.params).reduce((a, p) => a + (p.shape as number[]).reduce((x, y) => x * y, 1), 0);
  log(`compiled ${Object.entries(sizes).map(([k, v]) => `${k}=${v}`).join(", ")}: ${wasmBytes} bytes of WebAssembly, ${params} parameters, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const trainer = new Trainer(model, { kind: "adam", lr: o.lr ?? 0.005, clipNorm: o.clipNorm ?? 5 });
  const batches = new EpochBatches(train.map((e) => e.words.length), o.batch ?? 32, new Rng(seed + 1));
  const sample = held.filter((_, i) => i % Math.max(1, Math.floor(held.length / 500)) === 0);
  const run = fit(trainer, {
    steps: o.steps ?? Math.round((o.epochs ?? 1) * batches.perEpoch),
    seconds: o.seconds,
    batch: () => posBatch(batches.next().map((i) => train[i]!)),
    ...(o.evalEvery ? { evaluate: () => tokenAccuracy(model, sample), evalEvery: o.evalEvery } : {}),
    log: (line) => log(`${line} (held-out sample accuracy; epoch ${batches.epochs.toFixed(2)})`),
  });

  // held out: the tagger against the most-frequent-tag baseline, on every token and on unknown words
  const pred = predictTags(model, held);
  const baseline = new MostFrequentTag(trainSents.map((s) => ({ words: s.words, tags: s.tags.map(universalTag) })));
  let n = 0, ok = 0, base = 0, oov = 0, oovOk = 0, oovBase = 0;
  held.forEach((e, i) => {
    const words = heldSents[i]!.words;
    e.tags.forEach((gold, t) => {
      const hit = pred[i]![t] === gold ? 1 : 0;
      const baseHit = TAG_ID.get(baseline.tag(words[t]!)) === gold ? 1 : 0;
      n++; ok += hit; base += baseHit;
      if (!features.words.has(normalizeWord(words[t]!))) { oov++; oovOk += hit; oovBase += baseHit; }
    });
  });
  return {
    accuracy: ok / n, baseline: base / n, oovAccuracy: oovOk / Math.max(1, oov), baselineOov: oovBase / Math.max(1, oov),
    heldOutTokens: n, oovTokens: oov, trainTokens, trainSentences: train.length, heldOutSentences: held.length,
    trainFiles: split.train.length, heldOutFiles: split.heldOut.length, sizes, params, wasmBytes,
    steps: run.steps, epochs: batches.epochs, trainSeconds: run.seconds,
    firstLoss: mean(run.losses.slice(0, 50)), lastLoss: mean(run.losses.slice(-50)),
  };
}
