/**
 * Not a training task but a property of every ragged batch: padded steps contribute nothing. See
 * test/zoo/ragged.zoo.ts, which compares a padded batch with each sequence run alone; `main` prints
 * the largest differences it finds.
 */
import { Rng, here, shaped } from "../common.ts";
import { buildModel } from "../../../compiler/train/fit.ts";
import type { BackwardResult, Model } from "../../../runtime/model.ts";

export const modelFile = here(import.meta.url, "model.json");
export const V = 6, K = 3;

/** Every parameter random (biases too), so that a leak through a padded step would show. */
export async function randomModel(seed: number): Promise<Model> {
  const model = await buildModel(modelFile, { seed });
  const rng = new Rng(seed + 100);
  for (const name of model.paramNames) model.setParam(name, model.param(name).map(() => 0.5 * rng.normal()));
  return model;
}

/** A padded batch: sequence b is `lengths[b]` long; the padding holds random tokens and tags. */
export function raggedBatch(rng: Rng, lengths: number[]) {
  const B = lengths.length, T = Math.max(...lengths);
  const tokens = new Int32Array(T * B).map(() => rng.below(V)), tags = new Int32Array(T * B).map(() => rng.below(V));
  const label = new Int32Array(B).map(() => rng.below(K));
  return { tokens, tags, label, lengths: Int32Array.from(lengths), B, T };
}

export type Ragged = ReturnType<typeof raggedBatch>;

export function inputs(r: Ragged) {
  return { tokens: shaped(r.tokens, [r.T, r.B]), tags: shaped(r.tags, [r.T, r.B]), label: shaped(r.label, [r.B]), lengths: shaped(r.lengths, [r.B]) };
}

/** Sequence b of a padded batch, alone: B = 1, T = its length, no padding. */
export function alone(r: Ragged, b: number): Ragged {
  const T = r.lengths[b]!;
  const pick = (x: Int32Array) => Int32Array.from({ length: T }, (_, t) => x[t * r.B + b]!);
  return { tokens: pick(r.tokens), tags: pick(r.tags), label: Int32Array.of(r.label[b]!), lengths: Int32Array.of(T), B: 1, T };
}

/** Gradients of a padded batch and the sum of the gradients of its sequences run alone. */
export function compare(model: Model, r: Ragged): { batch: BackwardResult; singles: BackwardResult[] } {
  const batch = model.backwardFromLoss(inputs(r));
  const singles = Array.from(r.lengths, (_, b) => model.backwardFromLoss(inputs(alone(r, b))));
  return { batch, singles };
}

export async function main(_f: Record<string, string> = {}): Promise<void> {
  const model = await randomModel(1);
  const r = raggedBatch(new Rng(2), [7, 3, 5, 1, 6]);
  const { batch, singles } = compare(model, r);
  const loss = singles.reduce((s, x) => s + x.loss!, 0);
  let worst = 0, where = "";
  for (const name of model.gradNames) {
    const g = batch.grads[name]!;
    for (let i = 0; i < g.length; i++) {
      const s = singles.reduce((a, x) => a + x.grads[name]![i]!, 0);
      const d = Math.abs(g[i]! - s) / Math.max(1e-3, Math.abs(s));
      if (d > worst) { worst = d; where = name; }
    }
  }
  console.log(`batch loss ${batch.loss!.toFixed(6)}, sum of the sequences alone ${loss.toFixed(6)}; largest relative gradient difference ${worst.toExponential(2)} (${where})`);
}
