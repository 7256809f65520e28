/**
 * `npm run bench`: rnnc against TensorFlow.js (wasm backend, and the cpu backend where a step
 * finishes within a minute) on the workloads of BENCHMARKS.md, measured in the same process, one
 * workload after the other, so that each ratio compares figures taken under the same load.
 *
 *   npm run bench                     everything (about 5 minutes on the 2-core machine)
 *   npm run bench -- --quick          fewer runs; tfjs-cpu only where a step is under ~2 s
 *   npm run bench -- --only S,M       some workloads (S S-RELAXED M L GRU INF STR128 STR512 FUSED COMPILE)
 *   npm run bench -- --tfjs-large     also run tfjs-wasm on L (one step takes minutes)
 *   npm run bench -- --json FILE      also write every figure as JSON
 *
 * rnnc is timed exactly as `rnnc bench` times it (compiler/cli/bench.ts: compile, fill, warm up,
 * median of runs of the module's entry). tfjs runs the hand-written cells of bench/tfjs-models.ts
 * (checked against rnnc by test/bench/tfjs-agree.test.ts), each call inside tf.tidy, with the
 * same gradients (parameters, input sequence, initial states) for a training step.
 *
 * S-RELAXED is S compiled with `relaxedSimd` (the GEMMs' multiply-adds as f32x4.relaxed_madd; this
 * process turns relaxed SIMD on first), rnnc only: its ratio to S is what the option buys.
 *
 * Figures are medians of CPU time per call (process.cpuUsage: the machine is shared, and CPU time
 * does not count time spent waiting for a core); wall-clock medians are kept in the JSON.
 */
import { cpus, loadavg, tmpdir } from "node:os";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { compileForBench, prepareBench, timeCalls } from "../compiler/cli/bench.ts";
import type { BenchMode, Timing } from "../compiler/cli/bench.ts";
import { loadAnyProgram } from "../compiler/frontend/load.ts";
import { loadBinaryen } from "../compiler/lower/binaryen.ts";
import { compileProgram } from "../compiler/lower/compile.ts";
import { Rng } from "../runtime/index.ts";
import { gemmFlops, gemmRate, lstmGemms, simdPeak } from "./hw.ts";
import { cellLossAndGrads, cellStep, charModelLossAndGrads, fuseCell, fuseCharModel, runSequence } from "./tfjs-models.ts";
import type { CellKind, Fused, Values } from "./tfjs-models.ts";

// ---- options ------------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (f: string) => argv.includes(f);
const valueOf = (f: string) => { const i = argv.indexOf(f); return i >= 0 ? argv[i + 1] : undefined; };
const known = new Set(["--quick", "--only", "--tfjs-large", "--json", "--help"]);
for (let i = 0; i < argv.length; i++) {
  if (!known.has(argv[i]!)) { console.error(`bench: unknown option ${argv[i]} (options: ${[...known].join(" ")})`); process.exit(1); }
  if (argv[i] === "--only" || argv[i] === "--json") i++;
}
if (flag("--help")) {
  console.log("usage: npm run bench -- [--quick] [--only S,S-RELAXED,M,L,GRU,INF,STR128,STR512,FUSED,COMPILE] [--tfjs-large] [--json FILE]");
  process.exit(0);
}
const QUICK = flag("--quick");
const ALL = ["S", "S-RELAXED", "M", "L", "GRU", "INF", "STR128", "STR512", "FUSED", "COMPILE"];
const only = valueOf("--only")?.split(",").map((s) => s.trim().toUpperCase()) ?? ALL;
for (const w of only) if (!ALL.includes(w)) { console.error(`bench: unknown workload ${w} (workloads: ${ALL.join(", ")})`); process.exit(1); }
/** tfjs-cpu runs when its warm-up call took less than this (the issue: "where a step finishes within a minute"). */
const CPU_LIMIT_MS = QUICK ? 2_000 : 60_000;
/** Measurement budget per engine and workload (s); runs are at least 3. */
const BUDGET_S = QUICK ? 1 : 2;

const log = (s: string) => process.stderr.write(s + "\n");

// ---- timing ---------------------------------------------------------------------------------------

/** Warm-up (one call, or several for short calls), then at least 3 runs within the budget. */
function measure(call: () => void, long: boolean): Timing {
  if (long) return timeCalls(call, { clock: "cpu", warmup: 1, runs: 3 });
  return timeCalls(call, { clock: "cpu", seconds: BUDGET_S, minSampleMs: 5 });
}

interface Row {
  id: string;
  workload: string;
  unit: "ms" | "µs";
  rnnc?: Timing;
  rnncApi?: Timing;
  /** The same through `model.stepViews()` (zero-copy streaming). */
  rnncViews?: Timing;
  wasm?: Timing | { skipped: string };
  cpu?: Timing | { skipped: string };
  /** GEMM FLOPs of one call (per step for streaming), for the roofline column. */
  flops: number;
  target?: string;
  note?: string;
}
const rows: Row[] = [];

const isTiming = (x: unknown): x is Timing => typeof x === "object" && x !== null && "median_ms" in x;

// ---- rnnc ------------------------------------------------------------------------------------------

async function rnncTiming(file: string, dims: Record<string, number>, mode: BenchMode, B: number, T: number,
  relaxedSimd = false): Promise<{ t: Timing; api?: Timing; views?: Timing; loss: number | null }> {
  const p = loadAnyProgram(file, dims);
  log(`  rnnc: compiling ${file} ${JSON.stringify(dims)} (${mode}${relaxedSimd ? ", relaxed SIMD" : ""})`);
  const { compiled, compileMs } = await compileForBench(p, mode, 3, 2, { relaxedSimd });
  log(`  rnnc: compiled in ${(compileMs / 1000).toFixed(1)} s; timing`);
  const s = await prepareBench(compiled, { mode, B, T });
  const first = performance.now();
  s.call();
  const long = performance.now() - first > 500;
  const t = measure(s.call, long);
  const loss = s.loss();
  if (loss !== null && !Number.isFinite(loss)) throw new Error(`rnnc ${file}: non-finite loss ${loss}`);
  let api: Timing | undefined, views: Timing | undefined;
  if (mode === "stream") {
    // the same step through the runtime's public API: writes the frame, copies outputs and states out
    const m = s.model;
    const name = m.inputNames[0]!;
    const n = m.manifest.inputs[name]!.shape.slice(1).reduce<number>((a, d) => a * (d === "B" ? B : (d as number)), 1);
    const frame = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    m.resetState(B);
    api = measure(() => void m.step({ [name]: frame }), false);
    // zero-copy: views made once; per call the frame is written into the input view (as the raw
    // entry's timing does), then step() checks it and calls the entry
    const v = m.stepViews(B);
    const input = v.inputs[name] as Float32Array;
    views = measure(() => { input.set(frame); v.step(); }, false);
  }
  return { t, ...(api ? { api } : {}), ...(views ? { views } : {}), loss };
}

// ---- tfjs --------------------------------------------------------------------------------------------

type Backend = "wasm" | "cpu";

async function useBackend(b: Backend): Promise<void> {
  if (!(await tf.setBackend(b))) throw new Error(`tfjs: backend ${b} failed to initialize`);
  await tf.ready();
}

/** Random rnnc-named parameters of a cell (small uniform values: the timing does not depend on them). */
function cellParams(kind: CellKind, I: number, H: number, rng: Rng, prefix = ""): Values {
  const shapes: Record<CellKind, [string, number][]> = {
    lstm: [..."gifo"].flatMap((g): [string, number][] => [[`W${g}x`, H * I], [`W${g}h`, H * H], [`b${g}`, H]]),
    gru: [..."rzn"].flatMap((g): [string, number][] => [[`W_i${g}`, H * I], [`W_h${g}`, H * H], [`b_i${g}`, H], [`b_h${g}`, H]]),
    elman: [["Whx", H * I], ["Whh", H * H], ["bh", H]],
  };
  const scale = 1 / Math.sqrt(H);
  return Object.fromEntries(shapes[kind].map(([n, len]) => [prefix + n, Float32Array.from({ length: len }, () => (2 * rng.uniform() - 1) * scale)]));
}

/** Times `call` on a tfjs backend; tfjs-cpu is skipped when one call takes longer than the limit. */
function tfjsTiming(b: Backend, call: () => void): Timing | { skipped: string } {
  const t0 = performance.now();
  call();
  const first = performance.now() - t0;
  if (b === "cpu" && first > CPU_LIMIT_MS) return { skipped: `one call took ${(first / 1000).toFixed(0)} s (limit ${CPU_LIMIT_MS / 1000} s)` };
  return measure(call, first > 500);
}

async function tfjsCell(b: Backend, kind: CellKind, mode: BenchMode, B: number, T: number, I: number, H: number): Promise<Timing | { skipped: string }> {
  await useBackend(b);
  const rng = new Rng(5);
  const w = fuseCell(tf, kind, cellParams(kind, I, H, rng), I, H);
  const nStates = kind === "lstm" ? 2 : 1;
  try {
    if (mode === "stream") {
      let state = Array.from({ length: nStates }, () => tf.zeros([B, H]) as tf.Tensor2D);
      const frames = Array.from({ length: 16 }, () => Float32Array.from({ length: B * I }, () => 2 * rng.uniform() - 1));
      let k = 0;
      const r = tfjsTiming(b, () => {
        const next = tf.tidy(() => {
          const x = tf.tensor2d(frames[k = (k + 1) % frames.length]!, [B, I]);
          return cellStep(tf, kind, w, tf.add(tf.matMul(x, w.Wx as tf.Tensor2D), w.bx) as tf.Tensor2D, state);
        });
        tf.dispose(state);
        state = next;
      });
      tf.dispose(state);
      return r;
    }
    const xs = tf.tensor3d(Float32Array.from({ length: T * B * I }, () => 2 * rng.uniform() - 1), [T, B, I]);
    const init = Array.from({ length: nStates }, () => tf.zeros([B, H]) as tf.Tensor2D);
    const r = tfjsTiming(b, () => tf.tidy(() => {
      if (mode === "train") cellLossAndGrads(tf, kind, w, xs, init).loss.dataSync();
      else runSequence(tf, kind, w, xs, init).hs.dataSync();
    }));
    tf.dispose([xs, ...init]);
    return r;
  } finally {
    tf.dispose(Object.values(w).filter((x): x is tf.Tensor => x !== null) as tf.Tensor[]);
  }
}

async function tfjsChar(b: Backend, B: number, T: number, V: number, D: number, H: number): Promise<Timing | { skipped: string }> {
  await useBackend(b);
  const rng = new Rng(6);
  const p: Values = {
    ...cellParams("lstm", D, H, rng, "rnn."),
    E: Float32Array.from({ length: V * D }, () => 0.1 * (2 * rng.uniform() - 1)),
    Wy: Float32Array.from({ length: V * H }, () => (2 * rng.uniform() - 1) / Math.sqrt(H)),
    by: new Float32Array(V),
  };
  const m = fuseCharModel(tf, p, V, D, H);
  const ids = () => tf.tensor2d(Int32Array.from({ length: T * B }, () => Math.floor(rng.uniform() * V)), [T, B], "int32");
  const tokens = ids(), targets = ids();
  const r = tfjsTiming(b, () => tf.tidy(() => void charModelLossAndGrads(tf, m, tokens, targets).loss.dataSync()));
  tf.dispose([tokens, targets, m.E, m.WyT, m.by, m.lstm.Wx, m.lstm.Wh, m.lstm.bx]);
  return r;
}

// ---- the workloads -------------------------------------------------------------------------------------

const lstmFlops = (B: number, T: number, I: number, H: number, gates = 4) => 2 * T * B * gates * H * (I + H);

async function cellWorkload(id: string, workload: string, kind: CellKind, mode: BenchMode, B: number, T: number, I: number, H: number,
  extra: { target?: string; tfjs?: boolean; cpu?: boolean; relaxedSimd?: boolean } = {}): Promise<void> {
  log(`${id}: ${workload}`);
  const file = `examples/cells/${kind}.json`;
  const gates = kind === "lstm" ? 4 : kind === "gru" ? 3 : 1;
  const fwd = mode === "stream" ? lstmFlops(B, 1, I, H, gates) : lstmFlops(B, T, I, H, gates);
  const row: Row = { id, workload, unit: mode === "stream" ? "µs" : "ms", flops: mode === "train" ? 3 * fwd : fwd, ...(extra.target ? { target: extra.target } : {}) };
  const r = await rnncTiming(file, { I, H }, mode, B, T, extra.relaxedSimd);
  row.rnnc = r.t;
  if (r.api) row.rnncApi = r.api;
  if (r.views) row.rnncViews = r.views;
  if (extra.tfjs !== false) {
    log(`  tfjs-wasm`);
    row.wasm = await tfjsCell("wasm", kind, mode, B, T, I, H);
    if (extra.cpu !== false) {
      log(`  tfjs-cpu`);
      row.cpu = await tfjsCell("cpu", kind, mode, B, T, I, H);
    } else row.cpu = { skipped: "not run (--quick, or a step takes minutes)" };
  } else if (extra.relaxedSimd) {
    row.wasm = row.cpu = { skipped: "not run: the rnnc option only (compare with S)" };
  } else {
    row.wasm = { skipped: "not run: one step takes minutes (--tfjs-large runs it)" };
    row.cpu = { skipped: "not run: one step takes well over a minute" };
  }
  rows.push(row);
}

async function charWorkload(): Promise<void> {
  const B = 1, T = 100, V = 65, D = 32, H = 128;
  log("M: char-level LSTM training step");
  const row: Row = {
    id: "M", workload: `char LSTM train, B=${B} T=${T} V=${V} E=${D} H=${H}, dense ${H}→${V}, softmax CE every step`, unit: "ms",
    flops: 3 * (lstmFlops(B, T, D, H) + 2 * T * B * H * V), target: "≤ 3 ms",
  };
  row.rnnc = (await rnncTiming("examples/char-rnn/model.json", { V, E: D, H }, "train", B, T)).t;
  log("  tfjs-wasm");
  row.wasm = await tfjsChar("wasm", B, T, V, D, H);
  log("  tfjs-cpu");
  row.cpu = await tfjsChar("cpu", B, T, V, D, H);
  rows.push(row);
}

/**
 * The LSTM as a cuDNN user writes it by hand — two matmuls on fused [4H, ·] weights, gates sliced
 * out — as a cell file, for `naive vs hand-fused`: rnnc's passes should make the naive 8-matmul
 * cell (examples/cells/lstm.json) as fast.
 */
function fusedLstmCell(I: number, H: number): unknown {
  const gate = (k: number) => ({ op: "slice", args: ["z"], start: k * H, size: H });
  return {
    rnnc: "cell", name: "lstm-fused", doc: "LSTM with the gates' weights fused by hand (g, i, f, o blocks of Wx, Wh, b)",
    sizes: { I, H }, inputs: { x: { shape: ["I"] } }, state: { h: { shape: ["H"] }, s: { shape: ["H"] } },
    params: { Wx: { shape: [4 * H, "I"] }, Wh: { shape: [4 * H, "H"] }, b: { shape: [4 * H] } },
    equations: {
      z: "Wx @ x + Wh @ h + b",
      g: { op: "tanh", args: [gate(0)] }, i: { op: "sigmoid", args: [gate(1)] },
      f: { op: "sigmoid", args: [gate(2)] }, o: { op: "sigmoid", args: [gate(3)] },
      "s'": "g * i + s * f", "h'": "tanh(s') * o",
    },
    next: { h: "h'", s: "s'" }, outputs: { h: "h'" },
  };
}

const fusedRows: { workload: string; naive: Timing; fused: Timing }[] = [];

async function fusedVsNaive(mode: BenchMode, B: number, T: number, I: number, H: number): Promise<void> {
  log(`FUSED: naive vs hand-fused LSTM (${mode}, B=${B} T=${T} I=${I} H=${H})`);
  const dir = mkdtempSync(join(tmpdir(), "rnnc-bench-"));
  try {
    const file = join(dir, "lstm-fused.json");
    writeFileSync(file, JSON.stringify(fusedLstmCell(I, H)));
    const naive = (await rnncTiming("examples/cells/lstm.json", { I, H }, mode, B, T)).t;
    const fused = (await rnncTiming(file, {}, mode, B, T)).t;
    fusedRows.push({ workload: `LSTM ${mode}, B=${B} T=${T} I=${I} H=${H}`, naive, fused });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function compileTimes(): Promise<{ what: string; ms: number }[]> {
  log("COMPILE: compile time of the LSTM example (binaryen already imported)");
  await loadBinaryen();
  const out: { what: string; ms: number }[] = [];
  for (const [what, dims] of [["examples/cells/lstm.json (I=4, H=8)", {}], ["examples/cells/lstm.json (I=64, H=256)", { I: 64, H: 256 }]] as const) {
    const p = loadAnyProgram("examples/cells/lstm.json", dims);
    const times: number[] = [];
    await compileProgram(p); // untimed: the compiler's own JavaScript warms up (V8 tiers it up)
    for (let k = 0; k < (QUICK ? 1 : 3); k++) {
      const t0 = performance.now();
      await compileProgram(p);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out.push({ what: `${what}: forward, backward, step`, ms: times[times.length >> 1]! });
  }
  return out;
}

// ---- report ------------------------------------------------------------------------------------------------

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function cell(r: Row, t: Timing | { skipped: string } | undefined): string {
  if (!t) return "—";
  if (!isTiming(t)) return "—";
  return fmt(r.unit === "µs" ? t.median_ms * 1000 : t.median_ms);
}

function ratio(r: Row, t: Timing | { skipped: string } | undefined): string {
  if (!t || !isTiming(t) || !r.rnnc) return "—";
  return `${(t.median_ms / r.rnnc.median_ms).toFixed(1)}×`;
}

async function main(): Promise<void> {
  const started = new Date();
  const load0 = loadavg();
  log(`rnnc bench — ${started.toISOString()}${QUICK ? " (quick)" : ""}`);
  await useBackend("wasm");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  const tfjsInfo = `tfjs ${tf.version.tfjs}; wasm backend: SIMD ${simd ? "yes" : "no"}, threads ${threads ? `yes (${getThreadsCount()})` : "no"} (${getThreadsCount()} thread)`;
  log(tfjsInfo);

  log("peak: f32x4 multiply-add chains");
  await loadBinaryen();
  let peak = 0;
  const peaks: string[] = [];
  for (const chains of [8, 12]) {
    const g = await simdPeak(chains);
    peaks.push(`${chains} chains ${g.toFixed(1)}`);
    peak = Math.max(peak, g);
  }
  log(`  ${peaks.join(", ")} GFLOP/s`);
  const gemms: { name: string; gflops: number }[] = [];
  if (only.includes("S") || only.includes("L")) {
    const shapes = [...(only.includes("S") ? lstmGemms("S", 32, 64, 64, 256) : []), ...(only.includes("L") ? lstmGemms("L", 64, 128, 256, 512) : [])];
    for (const s of shapes) {
      log(`GEMM ${s.name} (${(gemmFlops(s) / 1e6).toFixed(0)} MFLOP)`);
      gemms.push({ name: s.name, gflops: await gemmRate(s) });
    }
  }

  if (only.includes("S")) await cellWorkload("S", "LSTM train, B=32 T=64 I=64 H=256, loss mean(h²)", "lstm", "train", 32, 64, 64, 256, { target: "≤ 100 ms, ≥ 25× tfjs-wasm", cpu: !QUICK });
  if (only.includes("S-RELAXED")) {
    await cellWorkload("S-relaxed", "LSTM train as S, compiled with relaxedSimd (f32x4.relaxed_madd)", "lstm", "train", 32, 64, 64, 256, { tfjs: false, relaxedSimd: true });
  }
  if (only.includes("M")) await charWorkload();
  if (only.includes("L")) await cellWorkload("L", "LSTM train, B=64 T=128 I=256 H=512, loss mean(h²)", "lstm", "train", 64, 128, 256, 512, { tfjs: flag("--tfjs-large"), cpu: false });
  if (only.includes("GRU")) await cellWorkload("GRU", "GRU train, B=32 T=64 I=64 H=256, loss mean(h²)", "gru", "train", 32, 64, 64, 256, { cpu: !QUICK });
  if (only.includes("INF")) await cellWorkload("INF", "LSTM inference (forward), B=32 T=64 I=64 H=256", "lstm", "infer", 32, 64, 64, 256, { cpu: !QUICK });
  if (only.includes("STR128")) await cellWorkload("STR128", "LSTM streaming, B=1 I=H=128, one step per call", "lstm", "stream", 1, 64, 128, 128, { target: "≤ 8 µs" });
  if (only.includes("STR512")) await cellWorkload("STR512", "LSTM streaming, B=1 I=H=512, one step per call", "lstm", "stream", 1, 64, 512, 512, { target: "≤ 130 µs" });
  if (only.includes("FUSED")) {
    await fusedVsNaive("train", 32, 64, 64, 256);
    await fusedVsNaive("stream", 1, 64, 128, 128);
    await fusedVsNaive("stream", 1, 64, 512, 512);
  }
  const compile = only.includes("COMPILE") ? await compileTimes() : [];
  const load1 = loadavg();

  // -- the tables (Markdown, for BENCHMARKS.md) --
  const out: string[] = [];
  out.push(`rnnc bench, ${started.toISOString().slice(0, 10)}; ${cpus().length}× ${cpus()[0]?.model ?? "?"}; node ${process.version}; ${tfjsInfo}`);
  out.push(`load average ${load0.map((x) => x.toFixed(1)).join(" ")} at the start, ${load1.map((x) => x.toFixed(1)).join(" ")} at the end; medians of CPU time per call${QUICK ? "; --quick" : ""}`);
  out.push("");
  if (rows.length) {
    out.push("| workload | unit | rnnc | tfjs-wasm | tfjs-cpu | tfjs-wasm ÷ rnnc | tfjs-cpu ÷ rnnc | rnnc GFLOP/s | % of SIMD peak | target |");
    out.push("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
  }
  for (const r of rows) {
    const t = r.rnnc!;
    const gf = r.flops / (t.median_ms / 1000) / 1e9;
    out.push(`| ${r.id}: ${r.workload} | ${r.unit === "µs" ? "µs/step" : "ms/step"} | ${cell(r, r.rnnc)} | ${cell(r, r.wasm)} | ${cell(r, r.cpu)} | ${ratio(r, r.wasm)} | ${ratio(r, r.cpu)} | ${gf.toFixed(1)} | ${(100 * gf / peak).toFixed(0)}% | ${r.target ?? ""} |`);
  }
  const skipped = rows.flatMap((r) => [["tfjs-wasm", r.wasm], ["tfjs-cpu", r.cpu]].flatMap(([n, x]) => (x && !isTiming(x) ? [`${r.id} ${n}: ${(x as { skipped: string }).skipped}`] : [])));
  if (skipped.length) out.push("", ...skipped.map((s) => `- ${s}`));
  const api = rows.filter((r) => r.rnncApi);
  if (api.length) {
    out.push("", "Streaming through the runtime's API against the raw `step` entry: `model.step({x: frame})` (checks, writes the frame, copies outputs and states out) and `model.stepViews()` (views made once; per call the frame is written into the input view, `step()` checks it and calls the entry; outputs and states are read in place):", "");
    out.push("| workload | raw step entry µs | model.step() µs | overhead µs | stepViews().step() µs | overhead µs |", "|---|---:|---:|---:|---:|---:|");
    const us = (t: Timing | undefined) => (t ? fmt(t.median_ms * 1000) : "—");
    const over = (t: Timing | undefined, r: Row) => (t ? fmt((t.median_ms - r.rnnc!.median_ms) * 1000) : "—");
    for (const r of api) out.push(`| ${r.id} | ${us(r.rnnc)} | ${us(r.rnncApi)} | ${over(r.rnncApi, r)} | ${us(r.rnncViews)} | ${over(r.rnncViews, r)} |`);
  }
  if (fusedRows.length) {
    out.push("", "rnnc on the naive LSTM (examples/cells/lstm.json: 8 matmuls, as the equations read) and on a hand-fused one (2 matmuls on [4H, ·] weights, gates sliced), same run (target: within 10%):", "");
    out.push("| workload | naive | hand-fused | naive ÷ fused |", "|---|---:|---:|---:|");
    const per = (w: string, t: Timing) => (w.includes("stream") ? `${fmt(t.median_ms * 1000)} µs` : `${fmt(t.median_ms)} ms`);
    for (const f of fusedRows) out.push(`| ${f.workload} | ${per(f.workload, f.naive)} | ${per(f.workload, f.fused)} | ${(f.naive.median_ms / f.fused.median_ms).toFixed(2)} |`);
  }
  out.push("", `SIMD f32x4 mul+add peak, one core: ${peak.toFixed(1)} GFLOP/s (${peaks.join(", ")})`);
  if (gemms.length) {
    out.push("", "| rnnc GEMM kernel alone | GFLOP/s | % of peak |", "|---|---:|---:|");
    for (const g of gemms) out.push(`| ${g.name} | ${g.gflops.toFixed(1)} | ${(100 * g.gflops / peak).toFixed(0)}% |`);
  }
  if (compile.length) {
    out.push("", "| compile time (median, binaryen imported) | ms |", "|---|---:|");
    for (const c of compile) out.push(`| ${c.what} | ${c.ms.toFixed(0)} |`);
  }
  console.log(out.join("\n"));
  const file = valueOf("--json");
  if (file) {
    writeFileSync(file, JSON.stringify({ date: started.toISOString(), quick: QUICK, machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavg: [load0, load1] }, tfjs: tfjsInfo, peak, gemms, rows, fused: fusedRows, compile }, null, 1) + "\n");
    log(`wrote ${file}`);
  }
}

await main();
