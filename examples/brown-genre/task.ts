/**
 * Genre classification of Brown-corpus paragraphs (many-to-one) with model.json: data, training
 * (compiler/train/fit.ts around runtime/train.ts's Trainer) and held-out evaluation, shared by
 * run.ts (the full run) and test/zoo/brown-genre.test.ts (a small, brief, seeded run).
 */
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import {
  argmaxCount, BROWN_GENRES, buildFeatures, encodeTokens, EpochBatches, featureBatch, GENRE_LETTERS, lengthBatches,
  loadBrownTagged, sentencesOf, splitByFile, WORD_SHAPES,
} from "../../compiler/data/brown.ts";
import type { BrownFile, EncodedTokens, Features } from "../../compiler/data/brown.ts";
import { loadAnyProgram } from "../../compiler/frontend/load.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { argmax, fit, initParams, mean } from "../../compiler/train/fit.ts";
import { loadModel } from "../../runtime/model.ts";
import type { Model } from "../../runtime/model.ts";
import { Rng } from "../../runtime/random.ts";
import { Trainer } from "../../runtime/train.ts";

export const MODEL_FILE = join(dirname(fileURLToPath(import.meta.url)), "model.json");
const G = GENRE_LETTERS.length;

export interface GenreOptions {
  /** Which corpus files to use (by name); all 500 by default. */
  files?: (name: string) => boolean;
  /** Hold out every n-th file of each genre (default 5). */
  heldOutEvery?: number;
  /** Passages are paragraphs cut to their first `maxTokens` tokens (default 100). */
  maxTokens?: number;
  E?: number;
  H?: number;
  /** Words seen fewer times in training are <unk> (default 2). */
  minCount?: number;
  batch?: number;
  lr?: number;
  clipNorm?: number;
  /** Decoupled weight decay (AdamW) when > 0 (default 0: Adam). */
  weightDecay?: number;
  /** Train for this many updates (default: `epochs` epochs, default 1), or stop after `seconds`. */
  steps?: number;
  epochs?: number;
  seconds?: number;
  /** Log held-out accuracy every this many steps (0: never). */
  evalEvery?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface GenreResult {
  /** Held-out accuracy of the classifier and of always answering the most frequent training genre. */
  accuracy: number;
  baseline: number;
  majorityGenre: string;
  /** The same predictions scored on the corpus's two halves, informative prose (A–J) and imaginative prose (K–R), and that split's majority. */
  coarseAccuracy: number;
  coarseBaseline: number;
  /** A stronger, non-neural reference: multinomial naive Bayes on the same passages' words (bag of words). */
  naiveBayes: number;
  /** Held-out accuracy per genre letter: [right, total]. */
  perGenre: Record<string, [number, number]>;
  trainPassages: number;
  heldOutPassages: number;
  trainFiles: number;
  heldOutFiles: number;
  sizes: Record<string, number>;
  params: number;
  wasmBytes: number;
  steps: number;
  epochs: number;
  trainSeconds: number;
  firstLoss: number;
  lastLoss: number;
}

/** A passage as model inputs: its tokens and its genre id. */
export interface Passage extends EncodedTokens { genre: number }

/** A file's passages: each paragraph's first `maxTokens` tokens, labelled with the file's genre. */
export function passagesOf(file: BrownFile, f: Features, maxTokens: number): Passage[] {
  const genre = GENRE_LETTERS.indexOf(file.genre);
  return file.paragraphs.map((p) => ({ ...encodeTokens(p.flatMap((s) => s.words).slice(0, maxTokens), f), genre }));
}

export function genreBatch(passages: readonly Passage[]) {
  return { ...featureBatch(passages).inputs, genre: Int32Array.from(passages, (p) => p.genre) };
}

export async function buildClassifier(sizes: Record<string, number>, seed: number): Promise<{ model: Model; wasmBytes: number }> {
  const { wasm, manifest } = await compileProgram(loadAnyProgram(MODEL_FILE, sizes));
  const model = await loadModel(wasm, manifest);
  initParams(model, seed);
  return { model, wasmBytes: wasm.length };
}

/** The predicted genre id of every passage. */
export function predictGenres(model: Model, passages: readonly Passage[], B = 128): Int32Array {
  const out = new Int32Array(passages.length);
  for (const idx of lengthBatches(passages.map((p) => p.words.length), B)) {
    const logits = model.forward(genreBatch(idx.map((i) => passages[i]!))).outputs.logits!;
    idx.forEach((i, b) => (out[i] = argmax(logits, b * G, G)));
  }
  return out;
}

export async function trainGenreClassifier(o: GenreOptions = {}): Promise<GenreResult> {
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 1, maxTokens = o.maxTokens ?? 100;
  const split = splitByFile(loadBrownTagged(o.files), o.heldOutEvery ?? 5);
  const features = buildFeatures(sentencesOf(split.train), { minCount: o.minCount ?? 2 });
  const train = split.train.flatMap((f) => passagesOf(f, features, maxTokens));
  const held = split.heldOut.flatMap((f) => passagesOf(f, features, maxTokens));
  log(`data: ${split.train.length} training files (${train.length} paragraphs), ${split.heldOut.length} held-out files (${held.length} paragraphs), at most ${maxTokens} tokens each; vocabulary ${features.words.size} words, ${features.suffixes.size} suffixes; ${G} genres`);

  const sizes = { V: features.words.size, S: features.suffixes.size, C: WORD_SHAPES, G, E: o.E ?? 32, H: o.H ?? 64 };
  const t0 = performance.now();
  const { model, wasmBytes } = await buildClassifier(sizes, seed);
  const params = Object.values(model.manifest.params).reduce((a, p) => a + (p.shape as number[]).reduce((x, y) => x * y, 1), 0);
  log(`compiled ${Object.entries(sizes).map(([k, v]) => `${k}=${v}`).join(", ")}: ${wasmBytes} bytes of WebAssembly, ${params} parameters, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const heldAccuracy = () => {
    const pred = predictGenres(model, held);
    return pred.reduce((a, p, i) => a + (p === held[i]!.genre ? 1 : 0), 0) / held.length;
  };
  const trainer = new Trainer(model, o.weightDecay
    ? { kind: "adamw", lr: o.lr ?? 0.003, clipNorm: o.clipNorm ?? 5, weightDecay: o.weightDecay }
    : { kind: "adam", lr: o.lr ?? 0.003, clipNorm: o.clipNorm ?? 5 });
  const batches = new EpochBatches(train.map((p) => p.words.length), o.batch ?? 32, new Rng(seed + 1));
  const run = fit(trainer, {
    steps: o.steps ?? Math.round((o.epochs ?? 1) * batches.perEpoch),
    seconds: o.seconds,
    batch: () => genreBatch(batches.next().map((i) => train[i]!)),
    ...(o.evalEvery ? { evaluate: heldAccuracy, evalEvery: o.evalEvery } : {}),
    log: (line) => log(`${line} (held-out accuracy; epoch ${batches.epochs.toFixed(2)})`),
  });

  const pred = predictGenres(model, held);
  const counts = new Map<string, number>();
  for (const p of train) counts.set(String(p.genre), (counts.get(String(p.genre)) ?? 0) + 1);
  const majority = Number(argmaxCount(counts));
  const perGenre: Record<string, [number, number]> = Object.fromEntries(GENRE_LETTERS.map((g) => [g, [0, 0]]));
  held.forEach((p, i) => { const c = perGenre[GENRE_LETTERS[p.genre]!]!; c[1]++; if (pred[i] === p.genre) c[0]++; });
  const right = held.reduce((a, p, i) => a + (pred[i] === p.genre ? 1 : 0), 0);
  const imaginative = (g: number) => GENRE_LETTERS[g]! >= "k";
  const coarseRight = held.reduce((a, p, i) => a + (imaginative(pred[i]!) === imaginative(p.genre) ? 1 : 0), 0);
  const trainImaginative = train.filter((p) => imaginative(p.genre)).length * 2 > train.length;
  const coarseMajority = held.filter((p) => imaginative(p.genre) === trainImaginative).length;
  return {
    accuracy: right / held.length,
    baseline: held.filter((p) => p.genre === majority).length / held.length,
    majorityGenre: `${GENRE_LETTERS[majority]} (${BROWN_GENRES[GENRE_LETTERS[majority]!]})`, perGenre,
    coarseAccuracy: coarseRight / held.length, coarseBaseline: coarseMajority / held.length,
    naiveBayes: naiveBayesAccuracy(train, held, features.words.size),
    trainPassages: train.length, heldOutPassages: held.length, trainFiles: split.train.length, heldOutFiles: split.heldOut.length,
    sizes, params, wasmBytes, steps: run.steps, epochs: batches.epochs, trainSeconds: run.seconds,
    firstLoss: mean(run.losses.slice(0, 50)), lastLoss: mean(run.losses.slice(-50)),
  };
}

/**
 * Multinomial naive Bayes over word ids (add-α smoothing, <unk> ignored): genre is largely a matter
 * of vocabulary, so a bag of words is the reference any sequence model has to be read against.
 */
export function naiveBayesAccuracy(train: readonly Passage[], held: readonly Passage[], V: number, alpha = 0.5): number {
  const counts = Array.from({ length: G }, () => new Float64Array(V));
  const totals = new Float64Array(G), priors = new Float64Array(G);
  for (const p of train) {
    priors[p.genre]++;
    for (const w of p.words) if (w > 1) { counts[p.genre]![w]++; totals[p.genre]++; }
  }
  let right = 0;
  for (const p of held) {
    let best = 0, bestScore = -Infinity;
    for (let g = 0; g < G; g++) {
      if (priors[g] === 0) continue;
      let score = Math.log(priors[g]! / train.length);
      for (const w of p.words) if (w > 1) score += Math.log((counts[g]![w]! + alpha) / (totals[g]! + alpha * V));
      if (score > bestScore) { bestScore = score; best = g; }
    }
    if (best === p.genre) right++;
  }
  return right / held.length;
}
