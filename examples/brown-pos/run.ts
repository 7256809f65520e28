/**
 * Trains the Brown-corpus part-of-speech tagger and reports held-out accuracy next to the
 * most-frequent-tag baseline:
 *
 *     npx tsx examples/brown-pos/run.ts [--minutes N] [--epochs N] [--seed N] [--E N] [--H N]
 *
 * Training stops after N minutes (default 5) or N epochs, whichever comes first.
 */
import { parseArgs } from "node:util";
import { trainPosTagger } from "./task.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" }, epochs: { type: "string", default: "100" },
    seed: { type: "string", default: "1" }, E: { type: "string", default: "64" }, H: { type: "string", default: "64" },
  },
});
const num = (k: keyof typeof values) => Number(values[k]);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const r = await trainPosTagger({
  seconds: num("minutes") * 60, epochs: num("epochs"), seed: num("seed"), E: num("E"), H: num("H"),
  batch: 32, lr: 0.005, clipNorm: 5, evalEvery: 500, log: (l) => console.log(l),
});
console.log(`trained ${r.steps} steps (${r.epochs.toFixed(2)} epochs) in ${r.trainSeconds.toFixed(0)} s; training loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`);
console.log(`held out: ${r.heldOutFiles} files, ${r.heldOutSentences} sentences, ${r.heldOutTokens} tokens (${r.oovTokens} outside the vocabulary)`);
console.log(`token accuracy: bidirectional LSTM ${pct(r.accuracy)}, most frequent tag per word ${pct(r.baseline)}`);
console.log(`on words outside the vocabulary: bidirectional LSTM ${pct(r.oovAccuracy)}, most frequent tag per word ${pct(r.baselineOov)}`);
