import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { RnncError } from "../diagnostics.ts";
import { writeFileAtomic } from "../cli/files.ts";
import { ensureDir } from "../cli/compile.ts";
import { joinDocs, loadBrown, loadTextFiles, Streams, Vocab } from "../data/text.ts";
import type { Doc } from "../data/text.ts";
import { loadAnyProgram } from "../frontend/load.ts";
import type { Program } from "../frontend/program.ts";
import { readJsonFile, validateDocument } from "../frontend/schema.ts";
import { compileProgram } from "../lower/compile.ts";
import { loadModel } from "../../runtime/model.ts";
import { enableRelaxedSimd } from "../../runtime/features.ts";
import type { Model } from "../../runtime/model.ts";
import { initialize } from "../../runtime/init.ts";
import type { InitSpec } from "../../runtime/init.ts";
import { Rng } from "../../runtime/random.ts";
import { NonFiniteError, Trainer } from "../../runtime/train.ts";
import type { OptimizerConfig, Schedule } from "../../runtime/train.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import type { Checkpoint } from "./checkpoint.ts";
import { lineChart } from "./svg.ts";
import { GradientFlowProbe, gradientHeatmap, lastStepCrossEntropyCotangent } from "./gradflow.ts";
import { tensor } from "../interp/tensor.ts";

export interface TrainConfig {
  model: string;
  sizes?: Record<string, number>;
  data: { corpus: string; heldOutEvery?: number; validationChars?: number; minCount?: number };
  batch?: number;
  seq?: number;
  steps?: number;
  seconds?: number;
  seed?: number;
  optimizer?: OptimizerConfig;
  schedule?: Schedule;
  evalEvery?: number;
  sampleEvery?: number;
  checkpointEvery?: number;
  sampleLength?: number;
  prime?: string;
}

export interface TrainRequest {
  dir: string;
  out: string;
  steps?: number;
  seconds?: number;
  seed?: number;
  resume?: string;
  /** One line of the live progress (overwritten in place on a terminal). */
  progress(line: string): void;
  /** A line to keep (samples, validation, checkpoints). */
  log(line: string): void;
  /** Set to true (e.g. on Ctrl-C) to stop after the current step with a checkpoint. */
  stop?: { requested: boolean };
  /** Record ‖∂L/∂h_t‖ per time step every `evalEvery` steps and the global gradient norm; draw them. */
  gradReport?: boolean;
}

export interface TrainSummary {
  steps: number;
  chars: number;
  seconds: number;
  trainLoss: number;
  /** Bits per character on the periodic validation sample (validationChars, spread over every held-out file). */
  validationBpc: number | null;
  /** Validation and held-out figures are of the averaged weights (optimizer `ema`). */
  averaged: boolean;
  /** Bits per character on all the held-out text, measured once at the end. */
  heldOutBpc: number;
  /** Characters of held-out text behind heldOutBpc. */
  heldOutChars: number;
  checkpoint: string;
  interrupted: boolean;
  /** With gradReport: rows of ‖∂L/∂h_t‖ (per probe: scan.state) by training step. */
  gradFlow?: { names: string[]; rows: { step: number; norms: number[][] }[] };
}

export function readTrainConfig(dir: string): { config: TrainConfig; file: string } {
  const file = existsSync(join(dir, "train.json")) ? join(dir, "train.json") : dir;
  if (!existsSync(file)) throw new RnncError(`${dir}: no train.json (the training configuration) in this folder`);
  const doc = readJsonFile(file);
  validateDocument(doc, "train", file);
  return { config: doc as TrainConfig, file };
}

export function loadCorpus(spec: string, base: string): Doc[] {
  if (spec === "brown") return loadBrown();
  return loadTextFiles(resolve(base, spec));
}

/** Splits documents: every n-th (by position) is held out for validation. */
export function splitDocs(docs: Doc[], every: number): { train: Doc[]; heldOut: Doc[] } {
  const train: Doc[] = [], heldOut: Doc[] = [];
  docs.forEach((d, i) => ((i % every === every - 1 ? heldOut : train).push(d)));
  if (train.length === 0 || heldOut.length === 0) {
    // a single document: hold out its last tenth
    const d = docs[0]!;
    const cut = Math.floor(d.text.length * (1 - 1 / every));
    return { train: [{ name: d.name, text: d.text.slice(0, cut) }], heldOut: [{ name: `${d.name} (end)`, text: d.text.slice(cut) }] };
  }
  return { train, heldOut };
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60), r = Math.round(s % 60);
  return m > 0 ? `${m}m${String(r).padStart(2, "0")}s` : `${r}s`;
}

/** Samples `n` characters from the model's streaming step, primed with `prime`. */
export function sampleText(model: Model, vocab: Vocab, prime: string, n: number, temperature: number, rng: Rng): string {
  model.resetState(1);
  const logitsName = model.outputNames.includes("logits") ? "logits" : model.outputNames[0]!;
  let last: Float32Array | Int32Array | null = null;
  const feed = (id: number) => {
    // every input must be given; the targets only feed the loss, which sampling ignores
    // (the state starts at zeros and is never reset mid-sample: resets, when taken, are 0)
    const inputs: Record<string, number[]> = { tokens: [id] };
    if (model.manifest.inputs.targets) inputs.targets = [0];
    if (model.manifest.inputs.resets) inputs.resets = [0];
    last = model.step(inputs).outputs[logitsName]!;
  };
  const primeIds = vocab.encode(prime.length ? prime : "\n");
  for (const id of primeIds) feed(id);
  let out = "";
  for (let i = 0; i < n; i++) {
    const logits = last!;
    let mx = -Infinity;
    for (const v of logits) mx = Math.max(mx, v / temperature);
    const p = Array.from(logits, (v) => Math.exp(v / temperature - mx));
    const total = p.reduce((a, b) => a + b, 0);
    let u = rng.uniform() * total, id = p.length - 1;
    for (let k = 0; k < p.length; k++) { u -= p[k]!; if (u <= 0) { id = k; break; } }
    if (id === 0) id = vocab.id(" "); // never emit the unknown id
    out += vocab.chars[id];
    feed(id);
  }
  return out;
}

/**
 * The periodic validation sample: `chars` characters of held-out text taken evenly from every
 * held-out document (the start of each), so that it spans every genre rather than the first few
 * files (for Brown: the first 100,000 held-out characters are nine news and editorial files).
 */
export function validationSample(heldOut: Doc[], vocab: Vocab, chars: number): { ids: Int32Array; docStarts: Int32Array } {
  const total = heldOut.reduce((n, d) => n + [...d.text].length, 0);
  if (total <= chars) return joinDocs(heldOut, vocab);
  // joinDocs ends each part with a two-character separator
  const share = Math.max(1, Math.floor(chars / heldOut.length) - 2);
  const parts = heldOut.map((d) => ({ name: d.name, text: [...d.text].slice(0, share).join("") }));
  return joinDocs(parts, vocab);
}

/** The inputs of one chunk: tokens, targets and, when the model takes them, its reset flags. */
function chunkInputs(model: Model, chunk: { tokens: Int32Array; targets: Int32Array; resets: Int32Array }, T: number, B: number) {
  const shape = [T, B];
  return {
    tokens: { data: chunk.tokens, shape }, targets: { data: chunk.targets, shape },
    ...(model.manifest.inputs.resets ? { resets: { data: chunk.resets, shape } } : {}),
  };
}

/**
 * Validation: mean cross-entropy over held-out text, in bits per character. The text is read as
 * B streams carrying their state from chunk to chunk; a model that takes `resets` starts its state
 * afresh at each document start in `docStarts` (docs/training.md).
 */
export function validationBpc(model: Model, ids: Int32Array, B: number, T: number, docStarts?: Int32Array): number {
  const streams = new Streams(ids, B, T, docStarts);
  const chunks = streams.chunksPerEpoch;
  let states: Record<string, Float32Array> | undefined;
  let total = 0;
  for (let c = 0; c < chunks; c++) {
    const r = model.forward(chunkInputs(model, streams.next(), T, B), states ? { states } : {});
    total += r.loss!;
    states = Object.fromEntries(Object.entries(r.final).map(([k, v]) => [k, v as Float32Array]));
  }
  return total / chunks / Math.LN2;
}

/**
 * The model `rnnc train` trains on text: `tokens` and `targets` (i32 sequences) in, optionally
 * `resets` (i32 sequence: a scan's reset flags, 1 at each document start), `logits` [T, B, V] out,
 * a loss, and a size V that the vocabulary sets. Anything else is refused here, with what was
 * expected, rather than failing later with a message about --dims or a missing tensor.
 */
export function loadTextModel(modelFile: string, sizes: Record<string, number>, configFile: string): Program {
  let program: Program;
  try {
    program = loadAnyProgram(modelFile, sizes);
  } catch (e) {
    if (e instanceof RnncError && e.problems.some((p) => p.includes(`--dims: unknown size "V"`))) {
      throw new RnncError(`${modelFile}: rnnc train sets the size V to the vocabulary's size, but the model declares no size "V" (its "sizes")`);
    }
    if (e instanceof RnncError && e.problems.some((p) => p.includes("--dims: unknown size"))) {
      throw new RnncError(e.problems.map((p) => p.replace(/^.*?: --dims: /, `${configFile}: sizes: `)));
    }
    throw e;
  }
  const where = `${modelFile}: rnnc train`;
  if (!program.loss) throw new RnncError(`${where} needs a model with a loss (a ${program.kind} without "loss" was given)`);
  for (const name of ["tokens", "targets"]) {
    const input = program.inputs.find((x) => x.name === name);
    const ok = input && input.type.dtype === "i32" && input.type.shape.join() === "T,B";
    if (!ok) throw new RnncError(`${where} needs an input "${name}" of i32 token ids over time ({"shape": [], "dtype": "i32", "sequence": true})${input ? `, found ${input.type.dtype} [${input.type.shape.join(", ")}]` : ""}`);
  }
  const resets = program.inputs.find((x) => x.name === "resets");
  if (resets) {
    if (resets.type.dtype !== "i32" || resets.type.shape.join() !== "T,B") {
      throw new RnncError(`${where} feeds the input "resets" the document starts, as i32 flags over time ({"shape": [], "dtype": "i32", "sequence": true}), found ${resets.type.dtype} [${resets.type.shape.join(", ")}]`);
    }
    if (!program.graph.nodes.some((n) => n.inputs.includes(resets.name))) {
      throw new RnncError(`${where} feeds the input "resets" the document starts, but the model does not read it (give its scan "resets": "resets")`);
    }
  }
  const other = program.inputs.find((x) => !["tokens", "targets", "resets"].includes(x.name));
  if (other) throw new RnncError(`${where} feeds the inputs "tokens", "targets" and (optionally) "resets" only, but the model also declares "${other.name}"`);
  const logits = program.outputs.find((o) => o.name === "logits");
  const lt = logits && program.graph.types.get(logits.value);
  if (!lt || lt.shape.join() !== `T,B,${program.sizes.V}`) {
    throw new RnncError(`${where} needs an output "logits" of shape [T, B, V]${lt ? `, found [${lt.shape.join(", ")}]` : ""}`);
  }
  return program;
}

export async function train(req: TrainRequest): Promise<TrainSummary> {
  const { config, file } = readTrainConfig(req.dir);
  const base = dirname(file);
  const seed = req.seed ?? config.seed ?? 1;
  const B = config.batch ?? 32, T = config.seq ?? 64;
  const docs = loadCorpus(config.data.corpus, base);
  const { train: trainDocs, heldOut } = splitDocs(docs, config.data.heldOutEvery ?? 10);
  const resume: Checkpoint | null = req.resume ? loadCheckpoint(req.resume) : null;
  const vocab = resume && Array.isArray(resume.meta.extra.vocab)
    ? new Vocab(resume.meta.extra.vocab as string[])
    : Vocab.fromText(trainDocs.map((d) => d.text).join(""), config.data.minCount ?? 5);
  const trainData = joinDocs(trainDocs, vocab);
  const allHeldOut = joinDocs(heldOut, vocab);
  const valSample = validationSample(heldOut, vocab, config.data.validationChars ?? 100_000);
  const streams = new Streams(trainData.ids, B, T, trainData.docStarts);
  req.log(`data: ${docs.length} documents, ${trainData.ids.length} training characters, ${allHeldOut.ids.length} held-out (${heldOut.length} documents; ${valSample.ids.length} of them in the periodic validation sample), vocabulary ${vocab.size}`);

  ensureDir(req.out);
  const sizes = { ...(config.sizes ?? {}), V: vocab.size };
  const program = loadTextModel(resolve(base, config.model), sizes, file);
  const t0 = performance.now();
  // the module is compiled for this engine and run here: relaxed SIMD's fused multiply-add when the
  // engine can run it (~13% faster steps; docs/training.md), plain SIMD128 otherwise
  const relaxedSimd = await enableRelaxedSimd();
  const compiled = await compileProgram(program, { relaxedSimd });
  req.log(`compiled ${program.name} (${Object.entries(program.sizes).map(([k, v]) => `${k}=${v}`).join(", ")}): ${compiled.wasm.length} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s${relaxedSimd ? ", relaxed SIMD" : ""}`);
  writeFileAtomic(join(req.out, "model.wasm"), compiled.wasm);
  writeFileAtomic(join(req.out, "model.manifest.json"), JSON.stringify(compiled.manifest) + "\n");
  const model = await loadModel(compiled.wasm, compiled.manifest);
  // with a `resets` input the model zeroes each stream's state at the exact step a document
  // starts; without one, the state is zeroed here before the chunk after (the approximation)
  const exactResets = program.inputs.some((x) => x.name === "resets");

  const opt: OptimizerConfig = config.optimizer ?? { kind: "adam", lr: 0.002, clipNorm: 5 };
  const totalSteps = req.steps ?? config.steps ?? 1000;
  const schedule: Schedule | undefined = config.schedule ? { totalSteps, ...config.schedule } : undefined;
  const trainer = new Trainer(model, opt, schedule);
  const sampler = new Rng(seed + 1);
  let states: Record<string, Float32Array> = {};
  const history: { step: number; loss: number }[] = [];
  const valHistory: { step: number; bpc: number }[] = [];
  const hash = compiled.manifest.graphHash;

  if (resume) {
    if (resume.meta.graphHash !== hash) {
      throw new RnncError(`${req.resume}: this checkpoint is from a different graph (its hash ${resume.meta.graphHash.slice(0, 12)}…, this model's ${hash.slice(0, 12)}…): the model file, its sizes or the vocabulary differ`);
    }
    for (const name of model.paramNames) {
      const p = resume.params.get(name);
      if (!p) throw new RnncError(`${req.resume}: the checkpoint has no parameter ${name}`);
      model.setParam(name, p);
    }
    trainer.setOptimizerState(Object.fromEntries(resume.optimizer));
    trainer.step = resume.meta.step;
    const ex = resume.meta.extra as { position?: number; sampler?: number[]; history?: typeof history; valHistory?: typeof valHistory };
    streams.position = ex.position ?? 0;
    if (ex.sampler) Object.assign(sampler, new Rng(ex.sampler));
    history.push(...(ex.history ?? []));
    valHistory.push(...(ex.valHistory ?? []));
    states = Object.fromEntries(resume.states);
    req.log(`resumed from ${req.resume} at step ${trainer.step}`);
  } else {
    const rng = new Rng(seed);
    for (const [name, spec] of Object.entries(compiled.manifest.params)) {
      model.setParam(name, initialize((spec.init ?? "glorot_uniform") as InitSpec, spec.shape as number[], rng, name));
    }
  }

  const ckptPath = join(req.out, "checkpoint.safetensors");
  const checkpoint = () => {
    const opts = trainer.optimizerState();
    saveCheckpoint(ckptPath, {
      meta: {
        graphHash: hash, step: trainer.step,
        config: { ...config, sizes, model: resolve(base, config.model) },
        extra: { vocab: vocab.chars, position: streams.position, sampler: sampler.state, history: history.slice(-5000), valHistory, seed },
      },
      params: new Map(Object.entries(model.getParams())),
      optimizer: new Map(Object.entries(opts)),
      states: new Map(Object.entries(states)),
    });
  };
  const drawCurve = () => {
    writeFileAtomic(join(req.out, "loss.svg"), lineChart(`${program.name}: training loss and held-out bits per character`, "step", [
      { name: "train loss (bits/char)", color: "#1f77b4", points: smooth(history.map((h) => [h.step, h.loss / Math.LN2])) },
      { name: "validation bits/char", color: "#d62728", points: valHistory.map((v) => [v.step, v.bpc]) },
    ]));
  };

  const probe = req.gradReport ? await GradientFlowProbe.compile(program) : null;
  const flowRows: { step: number; norms: number[][] }[] = [];
  const normHistory: [number, number][] = [];
  const drawFlow = () => {
    if (!probe || flowRows.length === 0) return;
    probe.names.forEach((name, k) => {
      writeFileAtomic(join(req.out, `gradflow.${name}.svg`), gradientHeatmap(`${program.name}: ‖∂L/∂${name}_t‖ over training${program.outputs.some((o) => o.name === "logits") ? " (L: the loss at the last step)" : ""}`, flowRows.map((r) => ({ step: r.step, norms: r.norms[k]! }))));
    });
    writeFileAtomic(join(req.out, "gradnorm.svg"), lineChart(`${program.name}: global gradient norm (before clipping)`, "step", [{ name: "‖g‖", color: "#2ca02c", points: normHistory }]));
  };
  // bits per character on held-out text, with the averaged weights when the optimizer keeps them
  const score = (text: { ids: Int32Array; docStarts: Int32Array }) =>
    trainer.withAverage(() => validationBpc(model, text.ids, Math.min(B, 16), T, text.docStarts));
  const evalEvery = config.evalEvery ?? 200, sampleEvery = config.sampleEvery ?? 500, ckptEvery = config.checkpointEvery ?? 200;
  const budget = req.seconds ?? config.seconds ?? Infinity;
  const started = performance.now();
  let chars = 0, lastLoss = NaN, lastPrint = 0;
  let interrupted = false;
  const startStep = trainer.step;
  while (trainer.step < totalSteps) {
    if (req.stop?.requested) { interrupted = true; break; }
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed >= budget) break;
    const chunk = streams.next();
    const { tokens, targets, resets, reset } = chunk;
    if (!exactResets) {
      for (const s of Object.values(states)) {
        const width = s.length / B;
        reset.forEach((r, b) => { if (r) s.fill(0, b * width, (b + 1) * width); });
      }
    }
    let report;
    const preUpdate = probe ? model.getParams() : null;
    if (probe) for (const st of program.states) states[st.name] ??= new Float32Array(B * (st.type.shape.slice(1) as number[]).reduce((a, b) => a * b, 1));
    try {
      report = trainer.trainStep(chunkInputs(model, chunk, T, B), { states });
    } catch (e) {
      if (e instanceof NonFiniteError) {
        throw new RnncError(`${e.message}; training stopped — the last good checkpoint is ${existsSync(ckptPath) ? ckptPath : "(none written yet)"}`);
      }
      throw e;
    }
    if (probe && (trainer.step % evalEvery === 0 || trainer.step === 1)) {
      // the gradient flow at the parameters before this update, on this batch
      const values = new Map<string, import("../interp/tensor.ts").Tensor>();
      const pre = preUpdate!;
      for (const [k, v] of Object.entries(pre)) values.set(k, tensor([v.length], v));
      values.set("tokens", tensor([T, B], tokens, "i32"));
      values.set("targets", tensor([T, B], targets, "i32"));
      if (exactResets) values.set("resets", tensor([T, B], resets, "i32"));
      for (const st of program.states) if (st.input) values.set(st.input, tensor([B, states[st.name]!.length / B], states[st.name] ?? new Float32Array()));
      // the last step's loss alone, when the model is a per-step classifier: how far back does it reach?
      const logits = report.outputs.logits;
      const cts = logits && program.loss
        ? { outputs: new Map([["logits", lastStepCrossEntropyCotangent(logits, targets, T, B, logits.length / (T * B))]]), loss: 0 }
        : undefined;
      flowRows.push({ step: trainer.step, norms: probe.run(values, B, T, cts) });
      drawFlow();
    }
    normHistory.push([trainer.step, report.gradNorm]);
    states = Object.fromEntries(Object.entries(report.final).map(([k, v]) => [k, v as Float32Array]));
    chars += B * T;
    lastLoss = report.loss;
    history.push({ step: trainer.step, loss: report.loss });
    const now = performance.now();
    const secs = (now - started) / 1000;
    if (now - lastPrint > 250 || trainer.step === totalSteps) {
      lastPrint = now;
      const rate = chars / secs;
      const stepsLeft = totalSteps - trainer.step;
      const eta = Math.min((stepsLeft * secs) / (trainer.step - startStep), budget - secs);
      req.progress(`step ${trainer.step}/${totalSteps}  loss ${report.loss.toFixed(3)} (${(report.loss / Math.LN2).toFixed(2)} bpc)  ${rate >= 1000 ? `${(rate / 1000).toFixed(1)}k` : rate.toFixed(0)} chars/s  |g| ${report.gradNorm.toFixed(2)}  ETA ${fmtTime(eta)}`);
    }
    if (trainer.step % evalEvery === 0) {
      const bpc = score(valSample);
      valHistory.push({ step: trainer.step, bpc });
      req.log(`step ${trainer.step}: validation ${bpc.toFixed(3)} bits/char${trainer.averaging ? " (averaged weights)" : ""}`);
      drawCurve();
    }
    if (trainer.step % sampleEvery === 0) {
      req.log(`sample at step ${trainer.step}:\n${trainer.withAverage(() => sampleText(model, vocab, config.prime ?? "The ", config.sampleLength ?? 200, 0.8, sampler))}\n`);
    }
    if (trainer.step % ckptEvery === 0) checkpoint();
  }
  const seconds = (performance.now() - started) / 1000;
  const validation = score(valSample);
  valHistory.push({ step: trainer.step, bpc: validation });
  checkpoint();
  drawCurve();
  // the figure to quote: every held-out character, once, after the budget (like compilation, not counted in it)
  const heldOutBpc = score(allHeldOut);
  return {
    steps: trainer.step, chars, seconds, trainLoss: lastLoss,
    validationBpc: validation, heldOutBpc, heldOutChars: allHeldOut.ids.length, checkpoint: ckptPath, interrupted, averaged: trainer.averaging,
    ...(probe ? { gradFlow: { names: probe.names, rows: flowRows } } : {}),
  };
}

function smooth(points: number[][], k = 0.95): [number, number][] {
  let s = NaN;
  return points.map(([x, y]) => {
    s = Number.isNaN(s) ? y! : k * s + (1 - k) * y!;
    return [x!, s];
  });
}

/**
 * Loads a trained model for sampling from a checkpoint: the module saved beside it, or compiled
 * anew; with the averaged weights when the run kept an average (`averaged`), else the trained ones.
 */
export async function modelFromCheckpoint(path: string): Promise<{ model: Model; vocab: Vocab; ckpt: Checkpoint; averaged: boolean }> {
  const ckpt = loadCheckpoint(path);
  const vocabChars = ckpt.meta.extra.vocab;
  if (!Array.isArray(vocabChars)) throw new RnncError(`${path}: the checkpoint has no vocabulary: it was not written by rnnc train`);
  const vocab = new Vocab(vocabChars as string[]);
  const dir = dirname(path);
  let wasm: Uint8Array | null = null, manifest: { graphHash?: string } | null = null;
  if (existsSync(join(dir, "model.wasm")) && existsSync(join(dir, "model.manifest.json"))) {
    const m = JSON.parse(readFileSync(join(dir, "model.manifest.json"), "utf8")) as { graphHash?: string; features?: string[] };
    // a module compiled with relaxed SIMD is used only where the engine runs it; otherwise compiled anew
    const runnable = !m.features?.includes("relaxed-simd") || (await enableRelaxedSimd());
    if (m.graphHash === ckpt.meta.graphHash && runnable) {
      wasm = readFileSync(join(dir, "model.wasm"));
      manifest = m;
    }
  }
  if (!wasm) {
    const cfg = ckpt.meta.config as { model?: string; sizes?: Record<string, number> };
    if (!cfg?.model) throw new RnncError(`${path}: the checkpoint does not say which model it belongs to`);
    const compiled = await compileProgram(loadAnyProgram(cfg.model, cfg.sizes ?? {}));
    if (compiled.manifest.graphHash !== ckpt.meta.graphHash) throw new RnncError(`${path}: the model file ${cfg.model} changed since this checkpoint was written (graph hash differs)`);
    wasm = compiled.wasm;
    manifest = compiled.manifest;
  }
  const model = await loadModel(wasm, manifest);
  // a run that averaged its weights (optimizer ema) is sampled with the average, as it was evaluated
  const averaged = model.paramNames.every((n) => ckpt.optimizer.get(n)?.average);
  for (const name of model.paramNames) {
    const p = averaged ? ckpt.optimizer.get(name)!.average! : ckpt.params.get(name);
    if (!p) throw new RnncError(`${path}: the checkpoint has no parameter ${name}`);
    model.setParam(name, p);
  }
  return { model, vocab, ckpt, averaged };
}
