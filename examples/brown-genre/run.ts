/**
 * Trains the Brown-corpus genre classifier and reports held-out accuracy next to the majority class:
 *
 *     npx tsx examples/brown-genre/run.ts [--minutes N] [--epochs N] [--seed N] [--E N] [--H N]
 *
 * Training stops after N minutes (default 5) or N epochs (default 2), whichever comes first.
 */
import { parseArgs } from "node:util";
import { BROWN_GENRES } from "../../compiler/data/brown.ts";
import { trainGenreClassifier } from "./task.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" }, epochs: { type: "string", default: "2" },
    seed: { type: "string", default: "1" }, E: { type: "string", default: "32" }, H: { type: "string", default: "64" },
  },
});
const num = (k: keyof typeof values) => Number(values[k]);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const r = await trainGenreClassifier({
  seconds: num("minutes") * 60, epochs: num("epochs"), seed: num("seed"), E: num("E"), H: num("H"),
  batch: 32, lr: 0.003, clipNorm: 5, evalEvery: 200, log: (l) => console.log(l),
});
console.log(`trained ${r.steps} steps (${r.epochs.toFixed(2)} epochs) in ${r.trainSeconds.toFixed(0)} s; training loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`);
console.log(`held out: ${r.heldOutFiles} files, ${r.heldOutPassages} paragraphs`);
console.log(`accuracy over ${Object.keys(BROWN_GENRES).length} genres: bidirectional LSTM ${pct(r.accuracy)}, majority class ${r.majorityGenre} ${pct(r.baseline)}; for reference, naive Bayes on the words ${pct(r.naiveBayes)}`);
console.log(`the same predictions on informative (A–J) vs imaginative (K–R) prose: ${pct(r.coarseAccuracy)}, majority ${pct(r.coarseBaseline)}`);
console.log(`per genre: ${Object.entries(r.perGenre).map(([g, [right, n]]) => `${g} ${BROWN_GENRES[g]} ${right}/${n}`).join(", ")}`);
