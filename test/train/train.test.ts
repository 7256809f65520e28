// Training end to end on a small corpus: resuming is bit-identical, checkpoints are validated.
import t from "tap";
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { train } from "../../compiler/train/session.ts";
import { loadCheckpoint, saveCheckpoint, importWeights } from "../../compiler/train/checkpoint.ts";
import { modelFromCheckpoint, sampleText, validationSample } from "../../compiler/train/session.ts";
import { joinDocs, Vocab } from "../../compiler/data/text.ts";
import { RnncError } from "../../compiler/diagnostics.ts";
import { Rng } from "../../runtime/random.ts";
import { encodeSafetensors } from "../../runtime/safetensors.ts";

const root = new URL("../..", import.meta.url).pathname;

function setup(extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-train-"));
  const words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far"];
  const rng = new Rng(3);
  for (let d = 0; d < 10; d++) {
    const text = Array.from({ length: 300 }, () => words[rng.below(words.length)]).join(" ") + ".\n";
    writeFileSync(join(dir, `doc${d}.txt`), text);
  }
  writeFileSync(join(dir, "train.json"), JSON.stringify({
    model: join(root, "examples/char-rnn/model.json"),
    sizes: { E: 4, H: 8 },
    data: { corpus: ".", heldOutEvery: 5, validationChars: 1000, minCount: 1 },
    batch: 4, seq: 8, seed: 7,
    optimizer: { kind: "adam", lr: 0.01, clipNorm: 1 },
    evalEvery: 1000, sampleEvery: 1000, checkpointEvery: 3,
    ...extra,
  }));
  return dir;
}

const quiet = { progress: () => {}, log: () => {} };

t.test("training lowers the loss, and resuming a checkpoint is bit-identical", async (t) => {
  const dir = setup();
  const full = await train({ dir, out: join(dir, "full"), steps: 12, ...quiet });
  t.equal(full.steps, 12, "ran 12 steps");
  const half = await train({ dir, out: join(dir, "half"), steps: 6, ...quiet });
  t.equal(half.steps, 6);
  const resumed = await train({ dir, out: join(dir, "resumed"), steps: 12, resume: half.checkpoint, ...quiet });
  t.equal(resumed.steps, 12, "continued to step 12");
  const a = loadCheckpoint(full.checkpoint), b = loadCheckpoint(resumed.checkpoint);
  t.equal(b.meta.step, 12);
  for (const [name, p] of a.params) t.same(Buffer.from(b.params.get(name)!.buffer), Buffer.from(p.buffer), `${name} is bit-identical`);
  for (const [name, s] of a.optimizer) t.same(Buffer.from(b.optimizer.get(name)!.m.buffer), Buffer.from(s.m.buffer), `optimizer state of ${name} is bit-identical`);
  t.equal(resumed.trainLoss, full.trainLoss, "the same final loss");
  t.ok(existsSync(join(dir, "full", "loss.svg")) && readFileSync(join(dir, "full", "loss.svg"), "utf8").startsWith("<svg"), "a loss curve is drawn");
  const first = a.meta.extra.history as { loss: number }[];
  t.ok(first[first.length - 1]!.loss < first[0]!.loss, `the loss falls (${first[0]!.loss.toFixed(3)} → ${first[first.length - 1]!.loss.toFixed(3)})`);

  // compiled for this engine: Node 20 turns relaxed SIMD on, so the saved module uses it and sampling loads it
  const written = JSON.parse(readFileSync(join(dir, "full", "model.manifest.json"), "utf8")) as { features?: string[] };
  t.same(written.features, ["relaxed-simd"], "rnnc train compiles with relaxed SIMD where the engine runs it");
  t.ok(readFileSync(join(dir, "full", "model.wasm")).includes(Buffer.from([0xfd, 0x85, 0x02])), "the module holds f32x4.relaxed_madd");
  const { model, vocab } = await modelFromCheckpoint(full.checkpoint);
  const s1 = sampleText(model, vocab, "the ", 40, 0.8, new Rng(5));
  const s2 = sampleText(model, vocab, "the ", 40, 0.8, new Rng(5));
  t.equal(s1.length, 40, "samples the requested length");
  t.equal(s1, s2, "sampling with the same seed is deterministic");
});

t.test("checkpoints from another graph, truncated or corrupted files are refused", async (t) => {
  const dir = setup();
  const run = await train({ dir, out: join(dir, "a"), steps: 3, ...quiet });
  const other = setup({ sizes: { E: 4, H: 6 } });
  await t.rejects(train({ dir: other, out: join(other, "b"), steps: 4, resume: run.checkpoint, ...quiet }),
    /this checkpoint is from a different graph/, "a different graph is refused");

  const bytes = readFileSync(run.checkpoint);
  const truncated = join(dir, "truncated.safetensors");
  writeFileSync(truncated, bytes.subarray(0, bytes.length - 10));
  const last = lastTensor(bytes);
  t.throws(() => loadCheckpoint(truncated), new RnncError(`${truncated}: not a valid safetensors file (tensor ${last.name}'s data [${last.offsets.join(", ")}) does not match its shape or lies past the end of the file)`), "truncated");
  const corrupted = join(dir, "corrupted.safetensors");
  const c = Buffer.from(bytes);
  c[c.length - 5] ^= 0xff;
  writeFileSync(corrupted, c);
  t.throws(() => loadCheckpoint(corrupted), new RnncError(`${corrupted}: not a valid safetensors file (its data does not match its checksum: corrupted)`), "corrupted");
  const empty = join(dir, "empty.safetensors");
  writeFileSync(empty, "");
  t.throws(() => loadCheckpoint(empty), new RnncError(`${empty}: not a valid safetensors file (0 bytes, shorter than its 8-byte header length)`));
  t.throws(() => loadCheckpoint(join(dir, "missing.safetensors")), new RnncError(`${join(dir, "missing.safetensors")}: cannot read the checkpoint (ENOENT)`));
});

/** The tensor stored last in a safetensors file, with its data offsets. */
function lastTensor(bytes: Uint8Array): { name: string; offsets: number[] } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString()) as Record<string, { data_offsets: number[] }>;
  const entries = Object.entries(header).filter(([k]) => k !== "__metadata__");
  const [name, e] = entries.reduce((a, b) => (b[1].data_offsets[1]! > a[1].data_offsets[1]! ? b : a));
  return { name, offsets: e.data_offsets };
}

t.test("a checkpoint write replaces the previous file atomically", async (t) => {
  const dir = setup();
  const run = await train({ dir, out: join(dir, "a"), steps: 3, ...quiet });
  const before = readFileSync(run.checkpoint);
  const ck = loadCheckpoint(run.checkpoint);
  // writing into a folder that does not exist fails before touching anything
  t.throws(() => saveCheckpoint(join(dir, "nowhere", "c.safetensors"), ck), /cannot write/);
  t.same(readFileSync(run.checkpoint), before, "the previous checkpoint is intact");
  copyFileSync(run.checkpoint, join(dir, "copy.safetensors"));
  saveCheckpoint(join(dir, "copy.safetensors"), { ...ck, meta: { ...ck.meta, step: 99 } });
  t.equal(loadCheckpoint(join(dir, "copy.safetensors")).meta.step, 99, "overwritten in place");
});

t.test("weights saved by another tool are imported by name", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-import-"));
  const file = join(dir, "w.safetensors");
  writeFileSync(file, encodeSafetensors(new Map([
    ["lstm.weight", { dtype: "F32", shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
    ["other", { dtype: "F32", shape: [1], data: Float32Array.from([7]) }],
  ])));
  const got = importWeights(file, { "rnn.W": 6 }, (n) => (n === "lstm.weight" ? "rnn.W" : n));
  t.same(Array.from(got.get("rnn.W")!), [1, 2, 3, 4, 5, 6], "renamed tensor imported");
  t.equal(got.size, 1, "unknown names are skipped");
  t.throws(() => importWeights(file, { "rnn.W": 5 }, (n) => (n === "lstm.weight" ? "rnn.W" : n)), new RnncError(`${file}: tensor lstm.weight has 6 values, parameter rnn.W needs 5`));
});

t.test("bad training input gets one clear message", async (t) => {
  const dir = setup({ data: { corpus: "nowhere.txt" } });
  await t.rejects(train({ dir, out: join(dir, "o"), steps: 1, ...quiet }), new RnncError(`${join(dir, "nowhere.txt")}: no such file or folder`));
  const empty = setup({ data: { corpus: "empty.txt" } });
  writeFileSync(join(empty, "empty.txt"), "");
  await t.rejects(train({ dir: empty, out: join(empty, "o"), steps: 1, ...quiet }), new RnncError(`${join(empty, "empty.txt")}: the corpus is empty`));
  const badcfg = setup({ optimizer: { kind: "adamax", lr: 1 } });
  await t.rejects(train({ dir: badcfg, out: join(badcfg, "o"), steps: 1, ...quiet }), /train\.json: optimizer\.kind: expected one of sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw, found "adamax"/);
  const badEma = setup({ optimizer: { kind: "adam", lr: 0.01, ema: 1 } });
  await t.rejects(train({ dir: badEma, out: join(badEma, "o"), steps: 1, ...quiet }), /train\.json: optimizer\.ema: expected a decay in \[0, 1\) \(e\.g\. 0\.999\), found 1/);
  await t.rejects(train({ dir: join(dir, "missing"), out: join(dir, "o"), steps: 1, ...quiet }), /no train\.json/);
});

t.test("the validation sample spans every held-out document; the summary reports all held-out text", async (t) => {
  const docs = ["aaaa aaaa aaaa", "bbbb bbbb bbbb", "cccc cccc cccc"].map((text, i) => ({ name: `d${i}`, text }));
  const vocab = Vocab.fromText("abc \n", 1);
  const { ids, docStarts } = validationSample(docs, vocab, 9);
  t.equal(ids.length, 9, "exactly the requested characters");
  t.same(vocab.decode(ids), "a\n\nb\n\nc\n\n", "the start of every document, not the first document alone");
  t.same(Array.from(docStarts), [0, 3, 6], "where each document's part begins (for models that reset their state there)");
  t.equal(validationSample(docs, vocab, 24).ids.length, 24, "4 characters of each");
  t.same(validationSample(docs, vocab, 1000), joinDocs(docs, vocab), "everything when the held-out text is shorter than the sample");

  const dir = setup();
  const run = await train({ dir, out: join(dir, "v"), steps: 2, ...quiet });
  const heldOut = ["doc4.txt", "doc9.txt"].reduce((n, f) => n + readFileSync(join(dir, f), "utf8").length + 2, 0);
  t.equal(run.heldOutChars, heldOut, `both held-out documents (every 5th), all ${heldOut} characters, are evaluated at the end`);
  t.ok(Number.isFinite(run.heldOutBpc) && run.heldOutBpc > 0, `all held-out text: ${run.heldOutBpc.toFixed(3)} bits/char`);
});

t.test("with optimizer ema: validation, checkpoints, resuming and sampling use the weight average", async (t) => {
  const dir = setup({ optimizer: { kind: "adamw", lr: 0.02, weightDecay: 0.01, ema: 0.9 }, evalEvery: 4 });
  const logs: string[] = [];
  const full = await train({ dir, out: join(dir, "full"), steps: 10, progress: () => {}, log: (s) => logs.push(s) });
  t.ok(full.averaged, "the summary says the figures are of the averaged weights");
  t.ok(logs.some((l) => /^step 4: validation \d\.\d{3} bits\/char \(averaged weights\)$/.test(l)), "validation lines say so");
  const half = await train({ dir, out: join(dir, "half"), steps: 5, ...quiet });
  const resumed = await train({ dir, out: join(dir, "resumed"), steps: 10, resume: half.checkpoint, ...quiet });
  const a = loadCheckpoint(full.checkpoint), b = loadCheckpoint(resumed.checkpoint);
  for (const [name, s] of a.optimizer) {
    t.ok(s.average && s.average.length === a.params.get(name)!.length, `the checkpoint holds the average of ${name}`);
    t.same(Buffer.from(b.optimizer.get(name)!.average!.buffer), Buffer.from(s.average!.buffer), `resuming: the average of ${name} is bit-identical`);
    t.same(Buffer.from(b.params.get(name)!.buffer), Buffer.from(a.params.get(name)!.buffer), `resuming: ${name} is bit-identical`);
  }
  t.equal(resumed.heldOutBpc, full.heldOutBpc, "the same held-out figure");
  const { model, averaged } = await modelFromCheckpoint(full.checkpoint);
  t.ok(averaged, "sampling loads the averaged weights");
  for (const name of model.paramNames) t.same(model.param(name), a.optimizer.get(name)!.average, `${name} is the average`);
  t.notSame(model.param("Wy"), a.params.get("Wy"), "which differs from the trained weights");
  const plain = await modelFromCheckpoint((await train({ dir: setup(), out: join(dir, "plain"), steps: 3, ...quiet })).checkpoint);
  t.notOk(plain.averaged, "a run without ema samples its trained weights");
});
