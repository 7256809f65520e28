// examples/brown-genre: a many-to-one bidirectional LSTM tells Brown-corpus genres apart from one
// paragraph (a small, brief, seeded run on three genres), and a passage's padding changes nothing.
import t from "tap";
import { buildClassifier, genreBatch, trainGenreClassifier } from "../../examples/brown-genre/task.ts";
import type { Passage } from "../../examples/brown-genre/task.ts";
import { GENRE_LETTERS, WORD_SHAPES } from "../../compiler/data/brown.ts";
import { Rng } from "../../runtime/random.ts";

t.test("a small classifier beats the majority class on held-out files", async (t) => {
  // news, learned and general fiction: files 01–06 of each, every third file held out
  const r = await trainGenreClassifier({
    files: (name) => "ajk".includes(name[1]!) && Number(name.slice(2)) <= 6, heldOutEvery: 3,
    E: 16, H: 16, batch: 32, lr: 0.01, steps: 200, seed: 1,
  });
  t.equal(r.trainFiles, 12);
  t.equal(r.heldOutFiles, 6);
  t.ok(r.heldOutPassages > 150, `${r.heldOutPassages} held-out paragraphs`);
  t.ok(r.lastLoss < r.firstLoss / 4, `training loss falls: ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`);
  t.ok(r.accuracy > r.baseline + 0.2, `held-out accuracy ${(100 * r.accuracy).toFixed(1)}% > majority (${r.majorityGenre}) ${(100 * r.baseline).toFixed(1)}% + 20 points`);
  for (const g of "ajk") {
    const [right, total] = r.perGenre[g]!;
    t.ok(right / total > 0.4, `genre ${g}: ${right} of ${total} right`);
  }
});

t.test("a passage's class does not depend on the batch it is padded in", async (t) => {
  const V = 30, S = 10, G = GENRE_LETTERS.length;
  const { model } = await buildClassifier({ V, S, C: WORD_SHAPES, G, E: 6, H: 5 }, 2);
  const rng = new Rng(5);
  const passage = (n: number): Passage => ({
    words: Int32Array.from({ length: n }, () => 1 + rng.below(V - 1)),
    suffixes: Int32Array.from({ length: n }, () => 1 + rng.below(S - 1)),
    shapes: Int32Array.from({ length: n }, () => 1 + rng.below(WORD_SHAPES - 1)),
    genre: rng.below(G),
  });
  const ps = [passage(3), passage(9), passage(1)];
  const batch = model.backwardFromLoss(genreBatch(ps));
  const alone = ps.map((p) => model.backwardFromLoss(genreBatch([p])));
  let diff = 0;
  ps.forEach((_, b) => { for (let k = 0; k < G; k++) diff = Math.max(diff, Math.abs(batch.outputs.logits![b * G + k]! - alone[b]!.outputs.logits![k]!)); });
  t.ok(diff < 1e-5, `logits match each passage's own run (max diff ${diff.toExponential(2)})`);
  const mean = alone.reduce((a, r) => a + r.loss!, 0) / ps.length;
  t.ok(Math.abs(batch.loss! - mean) < 1e-5, `the batch loss is the mean of the passages' own: ${batch.loss} = ${mean}`);
  let worst = 0;
  for (const name of Object.keys(model.manifest.params)) {
    batch.grads[name]!.forEach((v, i) => {
      const w = alone.reduce((a, r) => a + r.grads[name]![i]!, 0) / ps.length;
      worst = Math.max(worst, Math.abs(v - w) / (1e-3 + Math.abs(w)));
    });
  }
  t.ok(worst < 1e-3, `every gradient is the mean of the passages' own (max rel. diff ${worst.toExponential(2)})`);
});
