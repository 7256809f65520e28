/**
 * `model.stepViews()`, the zero-copy streaming API (runtime/model.ts), on models compiled by rnnc:
 * the same states and outputs as `model.step()` and as `forward` over the whole sequence; its
 * boundary checks (non-finite inputs, ids out of range, stale views after another call or after
 * the memory grew); and the stream it shares with `step()` / `resetState()`.
 */
import t, { type Test } from "tap";
import { join } from "node:path";
import { loadProgram } from "../../compiler/frontend/program.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { RnncRuntimeError, loadModel, Rng, initialize, type Model } from "../../runtime/index.ts";

const root = join(import.meta.dirname, "../..");

async function compiled(file: string, dims: Record<string, number>): Promise<Model> {
  const p = loadProgram(join(root, file), dims);
  const { wasm, manifest } = await compileProgram(p);
  const m = await loadModel(wasm, manifest);
  const rng = new Rng(3);
  m.setParams(Object.fromEntries(Object.entries(m.manifest.params).map(([n, s]) =>
    [n, initialize((s.init ?? "glorot_uniform") as Parameters<typeof initialize>[0], s.shape as number[], rng, n)])));
  return m;
}

function throwsMsg(t: Test, fn: () => unknown, message: string | RegExp): void {
  try {
    fn();
    t.fail(`expected an error: ${message}`);
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError, `an RnncRuntimeError (${(e as Error).message})`);
    if (typeof message === "string") t.equal((e as Error).message, message);
    else t.match((e as Error).message, message);
  }
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => v === b[i]);

t.test("LSTM: step views give what step() and forward give", async (t) => {
  const I = 3, H = 5, B = 2, T = 6;
  const m = await compiled("examples/cells/lstm.json", { I, H });
  const rng = new Rng(9);
  const xs = Float32Array.from({ length: T * B * I }, () => 2 * rng.uniform() - 1);
  const frame = (k: number) => xs.subarray(k * B * I, (k + 1) * B * I);

  const ref = m.forward({ x: { data: xs, shape: [T, B, I] } });
  m.resetState(B);
  const stepped = Array.from({ length: T }, (_, k) => m.step({ x: frame(k) }));

  const v = m.stepViews(B);
  t.equal(v.B, B);
  t.same(Object.keys(v.inputs), ["x"]);
  t.equal(v.inputs.x!.length, B * I, "one step of x: [B, I]");
  t.same(Object.keys(v.states).sort(), ["h", "s"]);
  t.ok(close(v.states.h!, stepped[T - 1]!.final.h!), "the views continue the stream step() left");

  const w = m.stepViews(B);
  throwsMsg(t, () => v.step(), "step views: another call ran on the model since stepViews() made them (its inputs and states may have been overwritten); call stepViews() again");
  m.resetState(B);
  throwsMsg(t, () => w.step(), /^step views: another call ran on the model/);

  const u = m.stepViews();
  t.equal(u.B, B, "B defaults to the stream's");
  t.ok(u.states.h!.every((x) => x === 0), "after resetState the stream starts at zeros");
  for (let k = 0; k < T; k++) {
    (u.inputs.x as Float32Array).set(frame(k));
    u.step();
    t.ok(close(u.outputs.h!, stepped[k]!.outputs.h!), `step ${k}: output h equals step()'s`);
    t.ok(close(u.states.s!, stepped[k]!.final.s!), `step ${k}: state s equals step()'s`);
  }
  t.ok(close(u.outputs.h!, ref.outputs.h!.subarray((T - 1) * B * H)), "the last output equals forward's");
  t.ok(close(u.states.h!, ref.final.h!) && close(u.states.s!, ref.final.s!), "the final states equal forward's");
  t.same(Array.from(m.getState("h")), Array.from(u.states.h!), "getState reads the same stream");

  // setState (checked) works on the live stream without making the views stale
  m.setState("h", new Float32Array(B * H));
  m.setState("s", new Float32Array(B * H));
  (u.inputs.x as Float32Array).set(frame(0));
  u.step();
  t.ok(close(u.states.h!, stepped[0]!.final.h!), "setState to zeros, then a step: the first step again");

  // boundary checks, every call
  (u.inputs.x as Float32Array)[3] = NaN;
  throwsMsg(t, () => u.step(), "input x: value NaN at index 3 is not a finite number");
  (u.inputs.x as Float32Array)[3] = 0;
  (u.inputs.x as Float32Array)[B * I - 1] = -Infinity;
  throwsMsg(t, () => u.step(), `input x: value -Infinity at index ${B * I - 1} is not a finite number`);
  (u.inputs.x as Float32Array)[B * I - 1] = 0;
  u.step();
  t.pass("finite again: the step runs");

  // a new B starts a new stream; growing the memory detaches the views
  const one = m.stepViews(1);
  t.equal(one.inputs.x!.length, I);
  t.ok(one.states.h!.every((x) => x === 0), "a new B starts at zeros");
  throwsMsg(t, () => m.stepViews(0), "stepViews: B: expected a positive integer, got 0");
  m.memory.grow(1);
  throwsMsg(t, () => one.step(), "step views: the memory grew since stepViews() made them (the views are detached); call stepViews() again");
  const again = m.stepViews(1);
  again.step();
  t.pass("new views after growth run");
  t.ok(Object.isFrozen(again) && Object.isFrozen(again.inputs), "the views object cannot be rewired");
});

t.test("char model: ids are checked against their range", async (t) => {
  const V = 7;
  const m = await compiled("examples/char-rnn/model.json", { V, E: 3, H: 4 });
  const v = m.stepViews(3);
  t.same(Object.keys(v.inputs).sort(), ["resets", "targets", "tokens"]);
  (v.inputs.resets as Int32Array).fill(0);
  const tokens = v.inputs.tokens as Int32Array, targets = v.inputs.targets as Int32Array;
  t.ok(tokens instanceof Int32Array && tokens.length === 3, "tokens: [B] of one step");
  tokens.set([1, 2, 3]);
  targets.set([2, 3, 4]);
  v.step();
  const ref = m.step({ tokens: [1, 2, 3], targets: [2, 3, 4], resets: [0, 0, 0] }, {});
  t.ok(ref.outputs && Object.keys(ref.outputs).length > 0, "step() works on the same model");
  const w = m.stepViews(3);
  (w.inputs.tokens as Int32Array).set([0, V, 1]);
  (w.inputs.targets as Int32Array).set([0, 0, 0]);
  (w.inputs.resets as Int32Array).set([0, 0, 0]);
  throwsMsg(t, () => w.step(), `input tokens: value ${V} at index 1 is outside its range [0, ${V})`);
  (w.inputs.tokens as Int32Array).set([0, -1, 1]);
  throwsMsg(t, () => w.step(), `input tokens: value -1 at index 1 is outside its range [0, ${V})`);
  (w.inputs.tokens as Int32Array).set([0, V - 1, 1]);
  w.step();
  t.pass("in range: the step runs");
});

t.test("a model without a step entry has no step views", async (t) => {
  const m = await compiled("examples/cells/lstm.json", { I: 2, H: 3 });
  const noStep = structuredClone(m.manifest) as unknown as { entries: Record<string, unknown> };
  delete noStep.entries.step;
  const p = loadProgram(join(root, "examples/cells/lstm.json"), { I: 2, H: 3 });
  const m2 = await loadModel((await compileProgram(p)).wasm, noStep);
  throwsMsg(t, () => m2.stepViews(), 'the model has no "step" entry (entries: forward, backward)');
});
