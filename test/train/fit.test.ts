// compiler/train/fit.ts: the loop, early stopping and scoring, on a stand-in trainer (the zoo's
// tests run it on compiled models).
import t from "tap";
import { accuracy, argmax, fit, mean } from "../../compiler/train/fit.ts";

const fakeTrainer = () => {
  const seen: number[] = [];
  return { seen, trainStep: (inputs: Record<string, unknown>) => { seen.push(inputs.i as number); return { loss: 1 / (1 + (inputs.i as number)) }; } };
};

t.test("fit runs the steps on the batches it is given and evaluates", async (t) => {
  const tr = fakeTrainer();
  let score = 0;
  const lines: string[] = [];
  const r = fit(tr, { steps: 10, batch: (i) => ({ i: [i] as unknown as number[] }) as never, evalEvery: 4, evaluate: () => (score += 0.1), log: (l) => lines.push(l) });
  t.same(tr.seen.map(Number), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "batches 0..9 in order");
  t.equal(r.steps, 10);
  t.equal(r.losses.length, 10);
  t.same(r.evals.map((e) => e.step), [4, 8, 10], "evaluated every 4 steps and at the end");
  t.ok(Math.abs(r.score - 0.3) < 1e-12, "the last score");
  t.equal(r.reached, null, "no target");
  t.equal(lines.length, 3);
  t.match(lines[0]!, /^step 4 {2}loss \d\.\d{4} {2}score 0\.1000/);
});

t.test("fit stops at a target (higher or lower is better) and at a time limit", async (t) => {
  let s = 0;
  const up = fit(fakeTrainer(), { steps: 100, batch: (i) => ({ i } as never), evalEvery: 5, evaluate: () => (s += 0.25), target: 0.7 });
  t.equal(up.steps, 15, "stopped after the evaluation that reached 0.75");
  t.same(up.reached && up.reached.step, 15);
  let e = 1;
  const down = fit(fakeTrainer(), { steps: 100, batch: (i) => ({ i } as never), evalEvery: 10, evaluate: () => (e /= 2), lowerIsBetter: true, target: 0.2 });
  t.equal(down.steps, 30, "lower is better: 0.5, 0.25, 0.125");
  const timed = fit(fakeTrainer(), { steps: 1e9, batch: (i) => ({ i } as never), seconds: 0.05 });
  t.ok(timed.steps < 1e9 && timed.seconds >= 0.05, `stopped after ${timed.seconds.toFixed(2)} s`);
  t.ok(Number.isNaN(timed.score), "no evaluation, no score");
});

t.test("argmax, accuracy and mean", async (t) => {
  t.equal(argmax([0, 3, 3, 1], 0, 4), 1, "the first of equal maxima");
  t.equal(argmax([9, 0, 2, 1], 1, 3), 1, "from an offset");
  const logits = [0.1, 0.9, 0.8, 0.2, 0.3, 0.7];
  t.equal(accuracy(logits, [1, 0, 0], 2), 2 / 3);
  t.equal(accuracy(logits, [1, 0, 0], 2, [1, 1, 0]), 1, "masked rows are not counted");
  t.ok(Number.isNaN(accuracy(logits, [1, 0, 0], 2, [0, 0, 0])), "nothing counted");
  t.throws(() => accuracy(logits, [1, 0], 2), /6 logits are not 2 rows of 2/);
  t.equal(mean([1, 2, 3]), 2);
  t.ok(Number.isNaN(mean([])));
});
