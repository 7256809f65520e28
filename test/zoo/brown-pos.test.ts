// examples/brown-pos: a bidirectional LSTM tagger learns the Brown corpus's parts of speech (a small,
// brief, seeded run on 45 files), and padding a batch changes nothing.
import t from "tap";
import { buildTagger, posBatch, trainPosTagger } from "../../examples/brown-pos/task.ts";
import type { TaggedExample } from "../../examples/brown-pos/task.ts";
import { UNIVERSAL_TAGS, WORD_SHAPES } from "../../compiler/data/brown.ts";
import { Rng } from "../../runtime/random.ts";

t.test("a small tagger beats the most-frequent-tag baseline on held-out files", async (t) => {
  // the first three files of each genre: two train (30 files, ~70k tokens), one is held out (15 files)
  const r = await trainPosTagger({
    files: (name) => Number(name.slice(2)) <= 3, heldOutEvery: 3,
    E: 16, H: 16, batch: 32, lr: 0.01, steps: 200, seed: 1,
  });
  t.equal(r.trainFiles, 30);
  t.equal(r.heldOutFiles, 15);
  t.ok(r.heldOutTokens > 20000, `${r.heldOutTokens} held-out tokens`);
  t.ok(r.lastLoss < r.firstLoss / 4, `training loss falls: ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`);
  t.ok(r.baseline > 0.8, `the baseline is a real one: ${(100 * r.baseline).toFixed(1)}%`);
  t.ok(r.accuracy > r.baseline + 0.02, `held-out token accuracy ${(100 * r.accuracy).toFixed(2)}% > baseline ${(100 * r.baseline).toFixed(2)}% + 2 points`);
  t.ok(r.oovAccuracy > r.baselineOov + 0.05, `on ${r.oovTokens} words outside the vocabulary: ${(100 * r.oovAccuracy).toFixed(1)}% > baseline ${(100 * r.baselineOov).toFixed(1)}% + 5 points`);
});

t.test("padding contributes nothing: a padded batch is the sentences run alone", async (t) => {
  const K = UNIVERSAL_TAGS.length, V = 40, S = 20;
  const { model } = await buildTagger({ V, S, C: WORD_SHAPES, K, E: 6, H: 5 }, 3);
  const rng = new Rng(11);
  const sentence = (n: number): TaggedExample => ({
    words: Int32Array.from({ length: n }, () => 1 + rng.below(V - 1)),
    suffixes: Int32Array.from({ length: n }, () => 1 + rng.below(S - 1)),
    shapes: Int32Array.from({ length: n }, () => 1 + rng.below(WORD_SHAPES - 1)),
    tags: Int32Array.from({ length: n }, () => rng.below(K)),
  });
  const sents = [sentence(7), sentence(2), sentence(5)];
  const total = 7 + 2 + 5;
  const batch = posBatch(sents);
  // garbage at the padded steps must not matter either
  const dirty = posBatch(sents);
  for (const k of ["words", "suffixes", "shapes", "tags"] as const) {
    const d = dirty[k].data;
    sents.forEach((s, b) => { for (let step = s.words.length; step < 7; step++) d[step * 3 + b] = 1 + rng.below(4); });
  }
  const whole = model.backwardFromLoss(batch);
  const noisy = model.backwardFromLoss(dirty);
  t.equal(noisy.loss, whole.loss, "the same loss with other values at padded steps");
  for (const [name, g] of Object.entries(whole.grads)) t.same(noisy.grads[name], g, `the same gradient of ${name}`);

  // the masked mean over the batch = the token-weighted mean of each sentence's own loss
  const alone = sents.map((s) => model.backwardFromLoss(posBatch([s])));
  const weighted = alone.reduce((a, r, i) => a + r.loss! * sents[i]!.words.length, 0) / total;
  t.ok(Math.abs(whole.loss! - weighted) < 1e-5, `loss ${whole.loss} = ${weighted}`);
  let worst = 0, worstState = 0;
  const rel = (a: number, b: number) => Math.abs(a - b) / (1e-3 + Math.abs(b));
  for (const [name, g] of Object.entries(whole.grads)) {
    if (name in model.manifest.params) {
      g.forEach((v, i) => {
        worst = Math.max(worst, rel(v, alone.reduce((a, r, j) => a + r.grads[name]![i]! * sents[j]!.words.length, 0) / total));
      });
    } else {
      // an initial state [B, H]: row b is sentence b's own gradient, weighted
      const H = g.length / sents.length;
      g.forEach((v, i) => {
        const b = Math.floor(i / H);
        worstState = Math.max(worstState, rel(v, (alone[b]!.grads[name]![i % H]! * sents[b]!.words.length) / total));
      });
    }
  }
  t.ok(worst < 1e-3, `every parameter's gradient is the token-weighted sum of the sentences' own (max rel. diff ${worst.toExponential(2)})`);
  t.ok(worstState < 1e-3, `each initial state's gradient is its sentence's own, weighted (max rel. diff ${worstState.toExponential(2)})`);

  // and the logits at real steps are the sentence's own, forward and backward direction alike
  const logits = model.forward(batch).outputs.logits!;
  let diff = 0;
  sents.forEach((s, b) => {
    const own = model.forward(posBatch([s])).outputs.logits!;
    for (let step = 0; step < s.words.length; step++) {
      for (let k = 0; k < K; k++) diff = Math.max(diff, Math.abs(logits[(step * 3 + b) * K + k]! - own[step * K + k]!));
    }
  });
  t.ok(diff < 1e-5, `logits of each sentence match its own run (max diff ${diff.toExponential(2)})`);
});
