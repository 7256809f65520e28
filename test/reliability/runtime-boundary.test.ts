/**
 * The runtime validates what it is given at its boundary — the manifest (format, version, shapes,
 * offsets), the module against its manifest, every tensor's shape, length and values — and never
 * writes outside a tensor's region: a refused call writes nothing at all, and an accepted write
 * changes exactly the bytes of its region. Run on a real compiled module (an Elman cell with a
 * cross-entropy readout), not a hand-written one (test/runtime/runtime.test.ts has those).
 */
import t, { type Test } from "tap";
import { buildModel } from "../../compiler/frontend/program.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { loadModel, validateManifest, elementCount, evalPoly, RnncRuntimeError } from "../../runtime/index.ts";
import type { Model } from "../../runtime/index.ts";

const DOC = {
  rnnc: "model", name: "tagger", sizes: { V: 5, H: 3 },
  cells: {
    rnn: {
      rnnc: "cell", name: "elman", sizes: { I: 2, H: 3 },
      inputs: { x: { shape: ["I"] } }, state: { h: { shape: ["H"] } },
      params: { Wx: { shape: ["H", "I"] }, Wh: { shape: ["H", "H"] }, b: { shape: ["H"] } },
      equations: { "h'": "tanh(Wx @ x + Wh @ h + b)" }, next: { h: "h'" }, outputs: { h: "h'" },
    },
  },
  inputs: { xs: { shape: [2], sequence: true }, targets: { shape: [], dtype: "i32", sequence: true } },
  params: { Wy: { shape: ["V", "H"] } },
  equations: { enc: { scan: "rnn", xs: { x: "xs" } }, logits: "Wy @ enc.h" },
  outputs: { logits: "logits" },
  loss: "cross_entropy(logits, targets)",
};

const compiled = await compileProgram(buildModel(DOC, "tagger.json"), { optimize: 1 });
const fresh = async (): Promise<Model> => loadModel(compiled.wasm, compiled.manifest);
const manifestJson = () => JSON.parse(JSON.stringify(compiled.manifest));

function throwsExactly(t: Test, fn: () => unknown, message: string): void {
  try {
    fn();
    t.fail(`expected: ${message}`);
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError, "an RnncRuntimeError");
    t.equal((e as Error).message, message);
  }
}

async function rejectsExactly(t: Test, p: Promise<unknown>, message: string | RegExp): Promise<void> {
  try {
    await p;
    t.fail(`expected: ${message}`);
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError, "an RnncRuntimeError");
    if (typeof message === "string") t.equal((e as Error).message, message);
    else t.match((e as Error).message, message);
  }
}

const T = 3, B = 2;
const good = () => ({
  xs: { data: Float32Array.from({ length: T * B * 2 }, (_, i) => Math.sin(i)), shape: [T, B, 2] },
  targets: { data: Int32Array.from({ length: T * B }, (_, i) => i % 5), shape: [T, B] },
});

t.test("the manifest: format, version, fields", async (t) => {
  const cases: [string, (m: any) => void, string][] = [
    ["a newer version", (m) => (m.version = 2), "manifest version 2 is newer than this runtime understands (1)"],
    ["version 0", (m) => (m.version = 0), "manifest: version: expected 1, got 0"],
    ["no version", (m) => delete m.version, "manifest: version: expected 1, got nothing"],
    ["another format", (m) => (m.format = "onnx"), 'manifest: format: expected "rnnc-manifest", got "onnx"'],
    ["a shape with a negative dim", (m) => (m.params.Wy.shape = [-5, 3]), 'manifest: params.Wy.shape[0]: expected a positive integer, "B", "T" or a size name from sizes, got -5'],
    ["an unaligned offset", (m) => (m.inputs.xs.offset = [8, 0, 0, 0]), "manifest: inputs.xs.offset: expected multiples of 16 (tensor offsets are 16-byte aligned for every B, T), got [8,0,0,0]"],
    ["a parameter placed by B", (m) => (m.params.Wy.offset = [m.params.Wy.offset[0], 16, 0, 0]), `manifest: params.Wy.offset: expected [${compiled.manifest.params.Wy!.offset[0]}, 0, 0, 0] (a parameter's place cannot depend on B or T), got [${compiled.manifest.params.Wy!.offset[0]},16,0,0]`],
    ["a gradient of the wrong shape", (m) => (m.grads.Wy.shape = [3, 5]), "manifest: grads.Wy.shape: expected [5, 3] (the shape of parameter \"Wy\"), got [3,5]"],
    ["a range on an f32 input", (m) => (m.inputs.xs.range = [0, 4]), "manifest: inputs.xs.range: only i32 inputs can have a range"],
  ];
  for (const [what, edit, message] of cases) {
    const m = manifestJson();
    edit(m);
    t.test(what, async (t) => {
      throwsExactly(t, () => validateManifest(m), message);
      await rejectsExactly(t, loadModel(compiled.wasm, m), message);
    });
  }
});

t.test("a module that does not match its manifest", async (t) => {
  await rejectsExactly(t, loadModel(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 99]), manifestJson()), /^the model's wasm is not a valid WebAssembly module: /);
  const renamed = manifestJson();
  renamed.entries.backward.export = "backwards";
  await rejectsExactly(t, loadModel(compiled.wasm, renamed), 'manifest names entry "backward" (export "backwards"), but the module does not export it');
  const shrunk = manifestJson();
  shrunk.memory.bytes = [64, 0, 0, 0];
  await rejectsExactly(t, loadModel(compiled.wasm, shrunk), /^manifest does not match its module: tensor params\.\w+ lies outside the planned memory \(bytes \d+\.\.\d+ at B=1, T=1, but memory\.bytes is 64\)$/);

  // the same model with sigmoid for tanh: an identical manifest but for the graph hash
  const otherDoc = JSON.parse(JSON.stringify(DOC).replace("tanh(", "sigmoid("));
  const other = await compileProgram(buildModel(otherDoc, "other.json"));
  const { graphHash: a, ...restA } = compiled.manifest as any, { graphHash: b, ...restB } = other.manifest as any;
  t.not(a, b, "the two graphs differ");
  t.same(restA, restB, "and their manifests are otherwise identical: only the hash tells them apart");
  await rejectsExactly(t, loadModel(other.wasm, manifestJson()), `manifest does not match its module: the manifest describes graph ${a.slice(0, 12)}…, the module was compiled from graph ${b.slice(0, 12)}…`);
  t.ok(await loadModel(other.wasm, other.manifest), "its own manifest loads");
});

t.test("inputs: names, shapes, lengths, values", async (t) => {
  const model = await fresh();
  const { xs, targets } = good();
  throwsExactly(t, () => model.forward({ xs, targets, tokens: [1] }), 'unknown input "tokens" (inputs: xs, targets)');
  throwsExactly(t, () => model.forward({ xs }), 'missing input "targets"');
  throwsExactly(t, () => model.forward({ xs: { data: xs.data, shape: [T, B, 3] }, targets }), "input xs: shape [3, 2, 3] does not match [T, B, 2]");
  throwsExactly(t, () => model.forward({ xs: { data: xs.data.subarray(1), shape: [T, B, 2] }, targets }), "input xs: shape [3, 2, 2] has 12 elements, but the data has 11 values");
  throwsExactly(t, () => model.forward({ xs, targets: { data: targets.data, shape: [T, 3] } }), "input targets: shape [3, 3] gives B=3, but B=2 (from input xs)");
  throwsExactly(t, () => model.forward({ xs, targets: targets.data.subarray(1) }), "input targets: expected 6 values ([T=3, B=2]), got 5");
  throwsExactly(t, () => model.forward({ xs, targets: { data: Int32Array.from([0, 1, 2, 3, 4, 5]), shape: [T, B] } }), "input targets: value 5 at index 5 is outside its range [0, 5)");
  const nan = Float32Array.from(xs.data);
  nan[7] = NaN;
  throwsExactly(t, () => model.forward({ xs: { data: nan, shape: [T, B, 2] }, targets }), "input xs: value NaN at index 7 is not a finite number");
  throwsExactly(t, () => model.forward({ xs: [...xs.data.slice(0, 11), Infinity], targets }, { B }), "input xs: value Infinity at index 11 is not a finite number");
  throwsExactly(t, () => model.forward({ xs, targets }, { states: { "enc.h": [0, 0, 0, 0, 0, -Infinity] } }), "state enc.h: value -Infinity at index 5 is not a finite number");
  throwsExactly(t, () => model.forward({ xs, targets }, { states: { "enc.h": [0, 0, 0] } }), "state enc.h: expected 6 values ([B=2, 3]), got 3");
  throwsExactly(t, () => model.backward({ xs, targets }, { outputs: { logits: new Float32Array(T * B * 5 - 1) } }), "cotangent of output logits: expected 30 values ([T=3, B=2, 5]), got 29");
  throwsExactly(t, () => model.setParam("Wy", new Float32Array(14)), "param Wy: expected 15 values ([5, 3]), got 14");
  throwsExactly(t, () => model.setParam("Wy", new Float32Array(15).fill(NaN)), "param Wy: value NaN at index 0 is not a finite number");
  throwsExactly(t, () => model.setParam("Wz", new Float32Array(15)), 'unknown param "Wz" (params: Wy, enc.Wx, enc.Wh, enc.b)');
  const r = model.forward({ xs, targets });
  t.equal(r.outputs.logits!.length, T * B * 5, "a good call still runs after the refused ones");
  t.ok(Number.isFinite(r.loss), `loss ${r.loss}`);
});

/** Every byte of the module's memory. */
const snapshot = (m: Model) => new Uint8Array(m.memory.buffer).slice();
/** Byte ranges that differ between two snapshots, as [start, end). */
function changed(a: Uint8Array, b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    const last = out[out.length - 1];
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

t.test("never a write outside a tensor's region", async (t) => {
  const model = await fresh();
  // make sure the memory is as large as these calls need, and mark every byte
  model.forward(good());
  new Uint8Array(model.memory.buffer).fill(0xa5);
  const before = snapshot(model);
  const { xs, targets } = good();
  const refused: [string, () => unknown][] = [
    ["a short input", () => model.forward({ xs: xs.data.subarray(2), targets }, { B })],
    ["a NaN in an input", () => model.forward({ xs: { data: Float32Array.from(xs.data, (v, i) => (i === 11 ? NaN : v)), shape: [T, B, 2] }, targets })],
    ["an id out of range after good inputs", () => model.forward({ xs, targets: { data: Int32Array.from([0, 1, 2, 3, 4, 9]), shape: [T, B] } })],
    ["a bad state after good inputs", () => model.forward({ xs, targets }, { states: { "enc.h": [1, 2] } })],
    ["a bad cotangent after good inputs", () => model.backward({ xs, targets }, { outputs: { logits: [1, 2, 3] } })],
    ["a short parameter", () => model.setParam("Wy", [1, 2, 3])],
    ["one bad parameter of several", () => model.setParams({ Wy: new Float32Array(15).fill(1), "enc.b": [1, 2] })],
  ];
  for (const [what, call] of refused) {
    t.throws(call, RnncRuntimeError, `${what}: refused`);
    t.same(changed(before, snapshot(model)), [], `${what}: not one byte of memory changed`);
  }
  // an accepted write changes its own region and nothing else
  const spec = compiled.manifest.params.Wy!;
  const start = evalPoly(spec.offset as [number, number, number, number], 1, 1);
  const end = start + 4 * elementCount(spec.shape, 1, 1);
  model.setParam("Wy", Float32Array.from({ length: 15 }, (_, i) => i + 1));
  const diff = changed(before, snapshot(model));
  t.ok(diff.length > 0 && diff.every(([a, b]) => a >= start && b <= end), `setParam("Wy") wrote only within bytes ${start}..${end}: ${JSON.stringify(diff)}`);
  const view = model.param("Wy");
  t.equal(view.byteOffset, start, "param() views exactly its region: its offset");
  t.equal(view.length, 15, "and its length");
  t.equal(model.getParams().Wy!.length, 15, "getParams copies exactly the region");
});

t.test("B and T beyond 4 GiB are refused before anything is written", async (t) => {
  const model = await fresh();
  model.forward(good());
  const before = snapshot(model);
  const bytes = compiled.manifest.memory.bytes as [number, number, number, number];
  const need = evalPoly(bytes, 100000, 100000);
  throwsExactly(t, () => model.call("forward", 100000, 100000), `B=100000, T=100000 needs ${need} bytes, beyond WebAssembly's 4 GiB limit`);
  t.same(changed(before, snapshot(model)), [], "memory untouched");
});
