// The training step compiled into the module, held to a plain JS reference of every optimizer.
import t from "tap";
import { join } from "node:path";
import { loadProgram } from "../../compiler/frontend/program.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { loadModel } from "../../runtime/model.ts";
import type { Model } from "../../runtime/model.ts";
import { initialize } from "../../runtime/init.ts";
import { Rng } from "../../runtime/random.ts";
import { learningRate, NonFiniteError, Trainer } from "../../runtime/train.ts";
import type { OptimizerConfig } from "../../runtime/train.ts";

const root = new URL("../..", import.meta.url).pathname;
const V = 7, T = 5, B = 3;

async function makeModel(): Promise<Model> {
  const p = loadProgram(join(root, "examples/char-rnn/model.json"), { V, E: 4, H: 6 });
  const { wasm, manifest } = await compileProgram(p);
  return loadModel(wasm, manifest);
}

function initParams(model: Model, seed: number): Record<string, Float32Array> {
  const rng = new Rng(seed);
  const out: Record<string, Float32Array> = {};
  for (const [name, spec] of Object.entries(model.manifest.params)) {
    out[name] = initialize((spec.init ?? "glorot_uniform") as string, spec.shape as number[], rng, name);
  }
  return out;
}

const rng = new Rng(5);
const batch = () => {
  const tokens = Array.from({ length: T * B }, () => rng.below(V));
  const targets = Array.from({ length: T * B }, () => rng.below(V));
  return { tokens: { data: tokens, shape: [T, B] }, targets: { data: targets, shape: [T, B] }, resets: { data: new Array<number>(T * B).fill(0), shape: [T, B] } };
};

/** The reference: the same rule as PyTorch's optimizers, in f64, on the module's own gradients. */
function referenceUpdate(o: OptimizerConfig, step: number, p: Float64Array, g: Float32Array, st: { m: Float64Array; v: Float64Array }, scale: number, lr: number) {
  const b1 = o.beta1 ?? (o.kind === "adam" || o.kind === "adamw" || o.kind === "momentum" || o.kind === "nesterov" ? 0.9 : 0);
  const b2 = o.beta2 ?? (o.kind === "rmsprop" ? 0.99 : 0.999);
  const eps = o.eps ?? (o.kind === "adagrad" ? 1e-10 : 1e-8);
  const wd = o.weightDecay ?? 0;
  for (let i = 0; i < p.length; i++) {
    let gi = g[i]! * scale;
    if (o.clipValue) gi = Math.min(Math.max(gi, -o.clipValue), o.clipValue);
    if (o.kind === "adamw") p[i] = p[i]! - lr * wd * p[i]!;
    else gi += wd * p[i]!;
    switch (o.kind) {
      case "sgd": p[i] = p[i]! - lr * gi; break;
      case "momentum": st.m[i] = b1 * st.m[i]! + gi; p[i] = p[i]! - lr * st.m[i]!; break;
      case "nesterov": st.m[i] = b1 * st.m[i]! + gi; p[i] = p[i]! - lr * (gi + b1 * st.m[i]!); break;
      case "adagrad": st.v[i] = st.v[i]! + gi * gi; p[i] = p[i]! - (lr * gi) / (Math.sqrt(st.v[i]!) + eps); break;
      case "rmsprop": st.v[i] = b2 * st.v[i]! + (1 - b2) * gi * gi; p[i] = p[i]! - (lr * gi) / (Math.sqrt(st.v[i]!) + eps); break;
      default: {
        st.m[i] = b1 * st.m[i]! + (1 - b1) * gi;
        st.v[i] = b2 * st.v[i]! + (1 - b2) * gi * gi;
        const mh = st.m[i]! / (1 - b1 ** step), vh = st.v[i]! / (1 - b2 ** step);
        p[i] = p[i]! - (lr * mh) / (Math.sqrt(vh) + eps);
      }
    }
  }
}

t.test("every optimizer matches its reference over several steps", async (t) => {
  const model = await makeModel();
  const configs: OptimizerConfig[] = [
    { kind: "sgd", lr: 0.5 },
    { kind: "sgd", lr: 0.5, weightDecay: 0.01, clipNorm: 0.05 },
    { kind: "momentum", lr: 0.1 },
    { kind: "nesterov", lr: 0.1, beta1: 0.8 },
    { kind: "adagrad", lr: 0.1 },
    { kind: "rmsprop", lr: 0.01, clipValue: 0.02 },
    { kind: "adam", lr: 0.01 },
    { kind: "adamw", lr: 0.01, weightDecay: 0.1 },
  ];
  const batches = Array.from({ length: 4 }, batch);
  for (const o of configs) {
    const init = initParams(model, 3);
    // reference: f64 parameters, updated with the module's gradients at the same parameters
    const ref = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, Float64Array.from(v)]));
    const st = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, { m: new Float64Array(v.length), v: new Float64Array(v.length) }]));
    model.setParams(init);
    const trainer = new Trainer(model, o, { kind: "cosine", warmup: 2, totalSteps: 10 });
    let maxRel = 0;
    for (let s = 0; s < batches.length; s++) {
      // gradients at the reference parameters (rounded to f32, as the module holds them)
      model.setParams(Object.fromEntries(Object.entries(ref).map(([k, v]) => [k, Float32Array.from(v)])));
      const { grads, loss } = model.backwardFromLoss(batches[s]!);
      let norm2 = 0;
      for (const k of Object.keys(ref)) for (const g of grads[k]!) norm2 += g * g;
      const norm = Math.sqrt(norm2);
      const scale = o.clipNorm && norm > o.clipNorm ? o.clipNorm / norm : 1;
      const lr = learningRate(o.lr, { kind: "cosine", warmup: 2, totalSteps: 10 }, s);
      for (const k of Object.keys(ref)) referenceUpdate(o, s + 1, ref[k]!, grads[k]!, st[k]!, scale, lr);
      // the module's step, from the same parameters (the optimizer slots live in the module)
      const report = trainer.trainStep(batches[s]!);
      t.ok(Math.abs(report.loss - loss!) < 1e-6, `${o.kind}: step ${s + 1} reports the loss`);
      t.ok(Math.abs(report.gradNorm - norm) <= 1e-5 * norm, `${o.kind}: step ${s + 1} reports the gradient norm`);
      t.equal(report.lr, lr, `${o.kind}: step ${s + 1} learning rate follows the schedule`);
      for (const k of Object.keys(ref)) {
        const got = model.param(k);
        for (let i = 0; i < got.length; i++) maxRel = Math.max(maxRel, Math.abs(got[i]! - ref[k]![i]!) / (1e-3 + Math.abs(ref[k]![i]!)));
      }
      // keep the module's parameters equal to the reference's for the next step
    }
    t.ok(maxRel < 1e-4, `${o.kind}${o.clipNorm ? " (clipped by norm)" : ""}${o.clipValue ? " (clipped by value)" : ""}: parameters match the reference (max rel. diff ${maxRel.toExponential(2)})`);
    t.equal(trainer.step, batches.length, `${o.kind}: counts its updates`);
  }
});

t.test("training lowers the loss", async (t) => {
  const model = await makeModel();
  model.setParams(initParams(model, 9));
  const trainer = new Trainer(model, { kind: "adam", lr: 0.05 });
  const b = batch();
  const first = trainer.trainStep(b).loss;
  let last = first;
  for (let i = 0; i < 30; i++) last = trainer.trainStep(b).loss;
  t.ok(last < first * 0.5, `memorizing one batch: loss ${first.toFixed(3)} → ${last.toFixed(3)}`);
});

t.test("a non-finite gradient stops the step, names the tensor, and leaves the parameters", async (t) => {
  const model = await makeModel();
  model.setParams(initParams(model, 4));
  const trainer = new Trainer(model, { kind: "sgd", lr: 0.1 });
  const p = model.param("Wy");
  p[0] = NaN;
  const before = Object.fromEntries(Object.entries(model.getParams()).map(([k, v]) => [k, Array.from(v)]));
  t.throws(() => trainer.trainStep(batch()), NonFiniteError, "throws NonFiniteError");
  try {
    trainer.trainStep(batch());
  } catch (e) {
    t.match((e as Error).message, /^step 1: the (loss|gradient of \w+) is not finite \(NaN or Inf\); no update was made$/, "the message names the step and the tensor");
  }
  const after = model.getParams();
  for (const [k, v] of Object.entries(before)) t.same(Array.from(after[k]!), v, `${k} unchanged`);
  t.equal(trainer.step, 0, "no step counted");
});

t.test("learning-rate schedules", async (t) => {
  t.equal(learningRate(1, undefined, 5), 1);
  t.equal(learningRate(1, { kind: "constant", warmup: 4 }, 0), 0.25);
  t.equal(learningRate(1, { kind: "constant", warmup: 4 }, 3), 1);
  t.equal(learningRate(1, { kind: "step", stepSize: 10, gamma: 0.5 }, 25), 0.25);
  t.equal(learningRate(2, { kind: "cosine", totalSteps: 10, minLr: 0 }, 10), 0);
  t.ok(Math.abs(learningRate(2, { kind: "cosine", totalSteps: 10 }, 5) - 1) < 1e-12);
});

t.test("the weight average (ema) follows its reference, and withAverage swaps it in and back", async (t) => {
  const model = await makeModel();
  const init = initParams(model, 4);
  model.setParams(init);
  const ema = 0.9;
  const trainer = new Trainer(model, { kind: "adam", lr: 0.05, ema });
  t.ok(trainer.averaging, "averaging");
  t.same(trainer.averagedParams(), model.getParams(), "before the first update the average is the weights");
  // reference in f64: a ← d·a + (1 − d)·p after every update, d = min(ema, (t − 1)/(t + 9))
  const ref: Record<string, Float64Array> = {};
  const batches = Array.from({ length: 6 }, batch);
  let maxRel = 0;
  for (let s = 1; s <= batches.length; s++) {
    trainer.trainStep(batches[s - 1]!);
    const d = Math.min(ema, (s - 1) / (s + 9));
    for (const n of model.paramNames) {
      const p = model.param(n);
      ref[n] ??= new Float64Array(p.length);
      for (let i = 0; i < p.length; i++) ref[n]![i] = d * ref[n]![i]! + (1 - d) * p[i]!;
    }
    const got = trainer.averagedParams();
    if (s === 1) t.same(got, model.getParams(), "the first update copies the weights into the average, exactly");
    for (const n of model.paramNames) {
      for (let i = 0; i < got[n]!.length; i++) maxRel = Math.max(maxRel, Math.abs(got[n]![i]! - ref[n]![i]!) / (1e-3 + Math.abs(ref[n]![i]!)));
    }
  }
  t.ok(maxRel < 1e-5, `the average matches the reference (max rel. diff ${maxRel.toExponential(2)})`);
  const avg = trainer.averagedParams(), trained = model.getParams();
  t.notSame(avg, trained, "after several updates the average differs from the weights");
  const seen = trainer.withAverage(() => model.getParams());
  t.same(seen, avg, "withAverage runs with the averaged weights");
  t.same(model.getParams(), trained, "and puts the trained weights back");
  t.throws(() => trainer.withAverage(() => { throw new Error("boom"); }), /boom/);
  t.same(model.getParams(), trained, "also when its function throws");

  // checkpoints: the average is an optimizer slot; a state without one starts it from the weights
  const state = trainer.optimizerState();
  t.ok(Object.values(state).every((s) => s.average instanceof Float32Array), "optimizerState carries the average");
  const fresh = new Trainer(model, { kind: "adam", lr: 0.05, ema });
  fresh.step = trainer.step;
  fresh.setOptimizerState(state);
  t.same(fresh.averagedParams(), avg, "setOptimizerState restores it");
  fresh.setOptimizerState(Object.fromEntries(Object.entries(state).map(([k, s]) => [k, { m: s.m, v: s.v }])));
  t.same(fresh.averagedParams(), trained, "a state without an average starts it from the current weights");
  t.throws(() => fresh.setOptimizerState(Object.fromEntries(Object.entries(state).map(([k, s]) => [k, { ...s, average: new Float32Array(1) }]))),
    /optimizer state of .*: expected a weight average of \d+ values, got 1/);
});

t.test("without ema nothing is averaged; bad ema values and modules without an average are refused", async (t) => {
  const model = await makeModel();
  model.setParams(initParams(model, 6));
  const plain = new Trainer(model, { kind: "adam", lr: 0.05 });
  t.notOk(plain.averaging);
  const region = (name: string) => model.region(model.manifest.training!.state[name]!.average!.offset, model.param(name).length);
  plain.trainStep(batch());
  t.ok(model.paramNames.every((n) => region(n).every((x) => x === 0)), "train_step leaves the average slots alone");
  t.ok(Object.values(plain.optimizerState()).every((s) => s.average === undefined), "and checkpoints carry none");
  t.throws(() => plain.averagedParams(), /averagedParams: this trainer keeps no weight average \(give the optimizer an ema decay\)/);
  const before = model.getParams();
  t.same(plain.withAverage(() => model.getParams()), before, "withAverage without averaging runs with the weights");
  for (const bad of [1, -0.1, Number.NaN]) {
    t.throws(() => new Trainer(model, { kind: "adam", lr: 0.1, ema: bad }), new RegExp(`optimizer ema: expected a decay in \\[0, 1\\), got ${bad}`));
  }
  // a module compiled before the average existed: its manifest has no "average" slots
  const p = loadProgram(join(root, "examples/char-rnn/model.json"), { V, E: 4, H: 6 });
  const { wasm, manifest } = await compileProgram(p);
  const old = JSON.parse(JSON.stringify(manifest)) as typeof manifest;
  for (const s of Object.values(old.training!.state)) delete (s as { average?: unknown }).average;
  const oldModel = await loadModel(wasm, old);
  t.doesNotThrow(() => new Trainer(oldModel, { kind: "adam", lr: 0.1 }), "it still trains without ema");
  t.throws(() => new Trainer(oldModel, { kind: "adam", lr: 0.1, ema: 0.99 }), /optimizer ema: this module keeps no weight average \(it was compiled by an rnnc without one\): compile the model again/);
});
