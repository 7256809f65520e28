/**
 * Document boundaries in `rnnc train` (docs/training.md): a model with an input `resets` (char-rnn)
 * is fed the exact per-step flags of Streams and its state is never zeroed in JS; a model without
 * it keeps the chunk-level approximation. Held-out scoring passes the flags too: its bits per
 * character equal those of each document scored from a fresh state.
 */
import t from "tap";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RnncError } from "../../compiler/diagnostics.ts";
import { joinDocs, Streams, Vocab } from "../../compiler/data/text.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { loadCorpus, loadTextModel, splitDocs, train, validationBpc } from "../../compiler/train/session.ts";
import { initialize } from "../../runtime/init.ts";
import { loadModel } from "../../runtime/model.ts";
import type { Model } from "../../runtime/model.ts";
import { Rng } from "../../runtime/random.ts";
import { Trainer } from "../../runtime/train.ts";

const root = join(import.meta.dirname, "../..");
const charRnn = JSON.parse(readFileSync(join(root, "examples/char-rnn/model.json"), "utf8")) as Record<string, any>;

/** char-rnn, edited, in a fresh folder; its cell by absolute path. */
function modelWith(edit: (m: Record<string, any>) => void = () => {}): { dir: string; model: string } {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-resets-"));
  const m = structuredClone(charRnn);
  m.cells = { lstm: { file: join(root, "examples/cells/lstm.json") } };
  edit(m);
  const model = join(dir, "model.json");
  writeFileSync(model, JSON.stringify(m));
  return { dir, model };
}

/** char-rnn as it was before resets: no input, no scan option. */
const withoutResets = (m: Record<string, any>) => {
  delete m.inputs.resets;
  delete m.equations.rnn.resets;
};

async function compiled(model: string, V: number, seed = 3): Promise<Model> {
  const p = loadTextModel(model, { V, E: 3, H: 5 }, "train.json");
  const { wasm, manifest } = await compileProgram(p);
  const m = await loadModel(wasm, manifest);
  const rng = new Rng(seed);
  for (const [name, spec] of Object.entries(m.manifest.params)) {
    m.setParam(name, initialize((spec.init ?? "glorot_uniform") as string, spec.shape as number[], rng, name));
  }
  return m;
}

t.test("loadTextModel accepts an i32 sequence input resets that a scan reads, and refuses other inputs", async (t) => {
  const sizes = { V: 11, E: 4, H: 6 };
  t.ok(loadTextModel(modelWith().model, sizes, "train.json").inputs.some((x) => x.name === "resets"), "char-rnn, with resets");
  t.ok(loadTextModel(modelWith(withoutResets).model, sizes, "train.json"), "char-rnn without resets");
  const f32 = modelWith((m) => { m.inputs.resets.dtype = "f32"; delete m.equations.rnn.resets; }).model;
  t.throws(() => loadTextModel(f32, sizes, "train.json"), new RnncError(`${f32}: rnnc train feeds the input "resets" the document starts, as i32 flags over time ({"shape": [], "dtype": "i32", "sequence": true}), found f32 [T, B]`));
  const unread = modelWith((m) => { delete m.equations.rnn.resets; }).model;
  t.throws(() => loadTextModel(unread, sizes, "train.json"), new RnncError(`${unread}: rnnc train feeds the input "resets" the document starts, but the model does not read it (give its scan "resets": "resets")`));
  const extra = modelWith((m) => { m.inputs.mask = { shape: [], sequence: true }; }).model;
  t.throws(() => loadTextModel(extra, sizes, "train.json"), new RnncError(`${extra}: rnnc train feeds the inputs "tokens", "targets" and (optionally) "resets" only, but the model also declares "mask"`));
});

t.test("held-out scoring with resets: each document scored from a fresh state, whatever the chunking", async (t) => {
  const docs = ["the cat sat on the mat", "a dog ran far and the cat sat", "on a mat by the door"].map((text, i) => ({ name: `d${i}`, text }));
  const vocab = Vocab.fromText(docs.map((d) => d.text).join("") + "\n", 1);
  const { ids: all, docStarts } = joinDocs(docs, vocab);
  // B = 1 streams of T steps score positions 0 … n − 1 (n a multiple of T), predicting ids[p + 1]
  const n = 64;
  const ids = all.subarray(0, n + 2);
  t.equal(ids.length, n + 2, "text for n positions and their targets");
  const model = await compiled(modelWith().model, vocab.size);
  const starts = Array.from(docStarts).filter((s) => s < n);
  t.ok(starts.length === 3, `three documents begin within the ${n} positions (${starts.join(", ")})`);
  // the reference: each document's positions run on their own, from zero state
  let total = 0;
  const bounds = [...starts, n];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [a, b] = [bounds[i]!, bounds[i + 1]!];
    const tokens = ids.slice(a, b), targets = ids.slice(a + 1, b + 1);
    const r = model.forward({ tokens: { data: tokens, shape: [b - a, 1] }, targets: { data: targets, shape: [b - a, 1] }, resets: { data: new Int32Array(b - a), shape: [b - a, 1] } });
    total += r.loss! * (b - a);
  }
  const want = total / n / Math.LN2;
  for (const T of [2, 4, 8, 16]) {
    const got = validationBpc(model, ids.subarray(0, n + 2), 1, T, docStarts);
    t.ok(Math.abs(got - want) < 1e-5, `T=${T}: ${got.toFixed(6)} bits/char = the documents scored separately (${want.toFixed(6)})`);
  }
  const carried = validationBpc(model, ids, 1, 8);
  t.ok(Math.abs(carried - want) > 1e-4, `without document starts the state carries across documents: ${carried.toFixed(6)} ≠ ${want.toFixed(6)}`);

  const plain = await compiled(modelWith(withoutResets).model, vocab.size);
  t.equal(validationBpc(plain, ids, 1, 8, docStarts), validationBpc(plain, ids, 1, 8), "a model without resets is scored as before: document starts change nothing");
});

interface Call { tokens: Int32Array; resets?: Int32Array; states: Record<string, Float32Array>; final: Record<string, Float32Array> }

/** Runs `rnnc train` on short documents, recording what each training step is given. */
async function recordTraining(model: string, steps: number): Promise<{ calls: Call[]; streams: Streams }> {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-resets-train-"));
  const rng = new Rng(4);
  const words = ["the", "cat", "sat", "on", "a", "mat"];
  for (let d = 0; d < 10; d++) writeFileSync(join(dir, `doc${d}.txt`), Array.from({ length: 4 + rng.below(6) }, () => words[rng.below(words.length)]).join(" ") + ".");
  const B = 2, T = 8;
  writeFileSync(join(dir, "train.json"), JSON.stringify({
    model, sizes: { E: 3, H: 5 }, data: { corpus: ".", heldOutEvery: 5, validationChars: 1000, minCount: 1 },
    batch: B, seq: T, seed: 2, optimizer: { kind: "adam", lr: 0.01 }, evalEvery: 1000, sampleEvery: 1000, checkpointEvery: 1000,
  }));
  const calls: Call[] = [];
  const original = Trainer.prototype.trainStep;
  Trainer.prototype.trainStep = function (inputs, opts = {}) {
    const ins = inputs as unknown as Record<string, { data: Int32Array }>;
    const states = Object.fromEntries(Object.entries(opts.states ?? {}).map(([k, v]) => [k, Float32Array.from(v as Float32Array)]));
    const report = original.call(this, inputs, opts);
    calls.push({
      tokens: Int32Array.from(ins.tokens!.data), ...(ins.resets ? { resets: Int32Array.from(ins.resets.data) } : {}),
      states, final: Object.fromEntries(Object.entries(report.final).map(([k, v]) => [k, Float32Array.from(v as Float32Array)])),
    });
    return report;
  };
  try {
    await train({ dir, out: join(dir, "out"), steps, progress: () => {}, log: () => {} });
  } finally {
    Trainer.prototype.trainStep = original;
  }
  // the same data, split and encoded as rnnc train does
  const { train: trainDocs } = splitDocs(loadCorpus(".", dir), 5);
  const data = joinDocs(trainDocs, Vocab.fromText(trainDocs.map((d) => d.text).join(""), 1));
  return { calls, streams: new Streams(data.ids, B, T, data.docStarts) };
}

t.test("training with resets: each step gets Streams' flags, and the state is carried, never zeroed in JS", async (t) => {
  const { calls, streams } = await recordTraining(modelWith().model, 10);
  t.equal(calls.length, 10);
  let flagsOk = true, carried = true, midChunk = 0;
  calls.forEach((c, k) => {
    const want = streams.next();
    if (c.tokens.join() !== want.tokens.join() || c.resets?.join() !== want.resets.join()) flagsOk = false;
    for (let i = 2; i < want.resets.length; i++) midChunk += want.resets[i]!; // (t ≥ 1: inside a chunk)
    if (k > 0) for (const [name, s] of Object.entries(c.states)) if (s.join() !== calls[k - 1]!.final[name]!.join()) carried = false;
  });
  t.ok(flagsOk, "the tokens and reset flags of every step are Streams' next chunk");
  t.ok(midChunk > 3, `documents begin inside chunks (${midChunk} times), where only the flags can reset the state`);
  t.ok(carried, "each step starts from the previous step's final state, as computed");
});

t.test("training without resets: the chunk-level approximation, as before", async (t) => {
  const { calls, streams } = await recordTraining(modelWith(withoutResets).model, 10);
  let zeroedAsBefore = true, noFlags = true, zeroed = 0;
  calls.forEach((c, k) => {
    const want = streams.next();
    if (c.resets) noFlags = false;
    if (k === 0) return;
    for (const [name, s] of Object.entries(c.states)) {
      const prev = calls[k - 1]!.final[name]!, width = s.length / 2;
      for (let b = 0; b < 2; b++) {
        const row = Array.from(s.subarray(b * width, (b + 1) * width)), before = Array.from(prev.subarray(b * width, (b + 1) * width));
        const expect = want.reset[b] ? before.map(() => 0) : before;
        if (row.join() !== expect.join()) zeroedAsBefore = false;
        if (want.reset[b]) zeroed++;
      }
    }
  });
  t.ok(noFlags, "no resets input is given");
  t.ok(zeroed > 0 && zeroedAsBefore, `a stream's state is zeroed before the chunk after a document began (${zeroed} times), else carried`);
});
