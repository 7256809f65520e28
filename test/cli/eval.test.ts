/**
 * compiler/eval.ts in-process (what `rnnc eval` runs on the interpreter): binding named tensors
 * to a program's inputs, cotangents, and the messages for bad tensors and bad cotangents.
 */
import t from "tap";
import type { Test } from "tap";
import { RnncError } from "../../compiler/diagnostics.ts";
import { bindInputs, evaluate } from "../../compiler/eval.ts";
import type { Cotangents } from "../../compiler/eval.ts";
import { loadProgram } from "../../compiler/frontend/program.ts";
import { readTensorFile, tensorsFromJson } from "../../compiler/frontend/tensors.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import { ROOT } from "../frontend/_helpers.ts";

process.chdir(ROOT);
const ELMAN = "examples/cells/elman.json";
const IN = "test/fixtures/tensors/elman-in.json";
const p = loadProgram(ELMAN, { I: 2, H: 3 });
const given = () => readTensorFile(IN).tensors;

async function rejectsExactly(t: Test, fn: () => unknown, message: string, what: string): Promise<void> {
  try {
    await fn();
    t.fail(`${what}: expected an error`);
  } catch (e) {
    t.type(e, RnncError, `${what}: an RnncError`);
    t.equal((e as Error).message, message, what);
  }
}

const withTensor = (name: string, x: Tensor | undefined) => {
  const m = given();
  if (x) m.set(name, x);
  else m.delete(name);
  return m;
};

t.test("binding tensors to a program's inputs", async (t) => {
  const ins = bindInputs(p, given(), IN);
  t.same(ins.map((x) => x.shape), [[3, 2], [3, 3], [3], [3, 2, 2], [2, 3]], "params, the sequence, and a zero initial state [B, H]");
  t.ok(ins[4]!.data.every((v) => v === 0), "the absent initial state is zeros");
  const h0 = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
  t.same(Array.from(bindInputs(p, withTensor("h", h0), IN)[4]!.data), [1, 2, 3, 4, 5, 6], "a given initial state is used");

  await rejectsExactly(t, () => bindInputs(p, withTensor("bh", undefined), IN), `${IN}: missing tensor "bh" (f32 [3])`, "missing");
  await rejectsExactly(t, () => bindInputs(p, withTensor("h", tensor([3, 3])), IN),
    `${IN}: h: expected shape [B, 3] with T=3, B=2, got [3, 3]`, "an initial state whose batch differs from the sequence's");
  await rejectsExactly(t, () => bindInputs(p, withTensor("x", tensor([3, 2])), IN),
    `${IN}: x: expected shape [T, B, 2], got [3, 2]`, "a sequence of the wrong rank");

  const char = loadProgram("test/fixtures/models/char-lstm.json");
  const m = readTensorFile("test/fixtures/tensors/char-lstm-in.json").tensors;
  m.set("lengths", tensor([2], [3, 1.5], "i32"));
  await rejectsExactly(t, () => bindInputs(char, m, "in.json"), `in.json: lengths: expected integers (i32)`, "non-integer i32 data");
  m.set("lengths", tensor([3], [3, 1, 2], "i32"));
  await rejectsExactly(t, () => bindInputs(char, m, "in.json"), `in.json: lengths: expected shape [B] with T=3, B=2, got [3]`,
    "lengths for another batch size");
});

t.test("tensors files: data layout", async (t) => {
  const flat = tensorsFromJson({ a: { shape: [2, 2], data: [1, 2, 3, 4] } }, "f.json").get("a")!;
  const nested = tensorsFromJson({ a: { shape: [2, 2], data: [[1, 2], [3, 4]] } }, "f.json").get("a")!;
  t.same(nested, flat, "nested data is row-major, like flat data");
  t.same(tensorsFromJson({ s: { shape: [], data: [7] } }, "f.json").get("s")!.shape, [], "a scalar");
  const bad = async (data: unknown[], shape: number[], msg: string, what: string) =>
    rejectsExactly(t, () => tensorsFromJson({ a: { shape, data } }, "f.json"), msg, what);
  await bad([[1, 2], [3]], [2, 2], "f.json: a: data has 1 entries at depth 1, but shape [2, 2] says 2", "a ragged row");
  await bad([[[1]], [[2]]], [2], "f.json: a: data is nested deeper than its shape [2]", "too deep");
  await bad([[1, 2], 3], [2, 2], "f.json: a: data is nested less deeply than its shape [2, 2]", "too shallow");
  await bad([1, 2, 3], [2, 2], "f.json: a: shape [2, 2] holds 4 values, but data has 3", "too few values");
});

t.test("cotangents", async (t) => {
  const out = await evaluate(p, given(), { file: IN });
  t.equal(out.grads, undefined, "no cotangents, no loss: no gradients");
  const ctOut = tensor([3, 2, 3], Array.from({ length: 18 }, (_, i) => Math.sin(i)));
  const ctFinal = tensor([2, 3], Array.from({ length: 6 }, (_, i) => Math.cos(i)));
  const cts = (outputs: [string, Tensor][], final: [string, Tensor][]): Cotangents => ({ outputs: new Map(outputs), final: new Map(final), file: "cot.json" });
  const both = (await evaluate(p, given(), { file: IN, cotangents: cts([["h", ctOut]], [["h", ctFinal]]) })).grads!;
  const onlyOut = (await evaluate(p, given(), { file: IN, cotangents: cts([["h", ctOut]], []) })).grads!;
  const onlyFinal = (await evaluate(p, given(), { file: IN, cotangents: cts([], [["h", ctFinal]]) })).grads!;
  let worst = 0;
  for (const name of Object.keys(both)) {
    both[name]!.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - onlyOut[name]!.data[i]! - onlyFinal[name]!.data[i]!))));
  }
  t.ok(worst < 1e-12, "an absent cotangent is zero: gradients add up over the outputs");
  t.ok(onlyFinal.Whh!.data.some((v) => v !== 0), "the final state's cotangent reaches the weights");

  await rejectsExactly(t, () => evaluate(p, given(), { file: IN, cotangents: cts([["h", tensor([3, 2])]], []) }),
    "cot.json: outputs.h: expected shape [3, 2, 3], got [3, 2]", "a cotangent of the wrong shape names the cotangents file");
  await rejectsExactly(t, () => evaluate(p, given(), { file: IN, cotangents: cts([["y", ctOut]], []) }),
    `cot.json: outputs.y: elman has no output "y" (outputs: h)`, "a cotangent for no output");
  await rejectsExactly(t, () => evaluate(p, given(), { file: IN, cotangents: cts([], [["s", ctFinal]]) }),
    `cot.json: final.s: elman has no state "s" (states: h)`, "a cotangent for no state");

  const char = loadProgram("test/fixtures/models/char-lstm.json");
  const m = () => readTensorFile("test/fixtures/tensors/char-lstm-in.json").tensors;
  const byLoss = await evaluate(char, m(), { file: "in.json" });
  t.type(byLoss.loss, "number", "a model with a loss reports it");
  const twice = await evaluate(char, m(), { file: "in.json", cotangents: { outputs: new Map(), final: new Map(), loss: 2 } });
  t.equal(twice.loss, byLoss.loss, "the same loss");
  t.ok(Object.keys(byLoss.grads!).every((k) => byLoss.grads![k]!.data.every((v, i) => Math.abs(2 * v - twice.grads![k]!.data[i]!) < 1e-12)),
    "a loss cotangent of 2 doubles every gradient");
});
