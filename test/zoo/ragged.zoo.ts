// Variable-length sequences in one batch (examples/zoo/ragged): padded steps contribute nothing to
// the loss, the outputs or any gradient — checked against running each sequence alone, through a
// forward scan, a reversed scan (which must start at each sequence's own end) and a final state.
import t from "tap";
import { Rng } from "../../runtime/random.ts";
import { alone, compare, inputs, K, randomModel, raggedBatch, V } from "../../examples/zoo/ragged/task.ts";

const close = (a: number, b: number, tol = 2e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

t.test("a padded batch equals its sequences run alone", async (t) => {
  const model = await randomModel(1);
  const lengths = [7, 3, 5, 1, 6];
  const r = raggedBatch(new Rng(2), lengths);
  const { batch, singles } = compare(model, r);
  const sum = singles.reduce((s, x) => s + x.loss!, 0);
  t.ok(close(batch.loss!, sum), `loss: batch ${batch.loss!.toFixed(6)} = sum of the sequences alone ${sum.toFixed(6)}`);

  // per-step outputs at real steps, per-sequence outputs, final states
  let outputsAgree = true, finalsAgree = true;
  lengths.forEach((len, b) => {
    const s = singles[b]!;
    for (let tt = 0; tt < len; tt++) {
      for (let k = 0; k < V; k++) outputsAgree &&= close(batch.outputs.tag_logits![(tt * r.B + b) * V + k]!, s.outputs.tag_logits![tt * V + k]!);
    }
    for (let k = 0; k < K; k++) outputsAgree &&= close(batch.outputs.class_logits![b * K + k]!, s.outputs.class_logits![k]!);
    for (const st of ["fwd.h", "bwd.h"]) {
      const H = s.final[st]!.length;
      for (let j = 0; j < H; j++) finalsAgree &&= close(batch.final[st]![b * H + j]!, s.final[st]![j]!);
    }
  });
  t.ok(outputsAgree, "tag logits at every real step and each sequence's class logits agree");
  t.ok(finalsAgree, "final states (forward: at each sequence's last step; backward: at its first) agree");

  // every gradient is the sum of the sequences' own
  // (the gradients of the initial states are per sequence: row b is sequence b's own)
  const bad: string[] = [];
  for (const name of model.gradNames) {
    const g = batch.grads[name]!;
    const perSequence = model.manifest.grads[name]!.shape[0] === "B";
    const w = g.length / r.B;
    for (let i = 0; i < g.length; i++) {
      const s = perSequence ? singles[Math.floor(i / w)]!.grads[name]![i % w]! : singles.reduce((a, x) => a + x.grads[name]![i]!, 0);
      if (!close(g[i]!, s, 5e-4)) { bad.push(`${name}[${i}]: ${g[i]} vs ${s}`); break; }
    }
  }
  t.same(bad, [], `all ${model.gradNames.length} gradients (parameters and initial states) equal those of the sequences alone`);
});

t.test("what the padding holds changes nothing, bit for bit", async (t) => {
  const model = await randomModel(3);
  const r = raggedBatch(new Rng(4), [6, 2, 4]);
  const a = model.backwardFromLoss(inputs(r));
  const rng = new Rng(5);
  const other = { ...r, tokens: r.tokens.slice(), tags: r.tags.slice() };
  for (let tt = 0; tt < r.T; tt++) {
    for (let b = 0; b < r.B; b++) {
      if (tt >= r.lengths[b]!) { other.tokens[tt * r.B + b] = rng.below(V); other.tags[tt * r.B + b] = rng.below(V); }
    }
  }
  t.notSame(Array.from(other.tokens), Array.from(r.tokens), "the padding differs");
  const b = model.backwardFromLoss(inputs(other));
  t.equal(b.loss, a.loss, "same loss");
  for (const name of model.gradNames) {
    if (!a.grads[name]!.every((v, i) => Object.is(v, b.grads[name]![i]!))) t.fail(`gradient of ${name} differs`);
  }
  t.pass("every gradient identical");
  const one = alone(r, 1);
  t.equal(one.T, 2, "a sequence alone has its own length");
});
