/**
 * `rnnc bench`: times a compiled cell or model — a training step, a forward pass, or one streamed
 * time step — so anyone can time their own cell. The same functions time rnnc in bench/ (the
 * comparison with TensorFlow.js), so `rnnc bench` and BENCHMARKS.md measure the same way.
 *
 * What is timed is the module's entry called directly on memory that already holds the
 * parameters, inputs and cotangents (written once before timing): the WebAssembly work and one
 * JS→wasm call, not the runtime's copying of inputs and outputs. See BENCHMARKS.md.
 */
import { RnncError } from "../diagnostics.ts";
import { loadAnyProgram } from "../frontend/load.ts";
import type { Program } from "../frontend/program.ts";
import { Builder } from "../ir/builder.ts";
import { loadBinaryen } from "../lower/binaryen.ts";
import { compileProgram } from "../lower/compile.ts";
import type { CompileResult } from "../lower/compile.ts";
import { enableRelaxedSimd, loadModel, evalPoly, elementCount, initialize, Rng } from "../../runtime/index.ts";
import type { Model } from "../../runtime/index.ts";
import { onePositional, parse, parseDims } from "./args.ts";
import type { Command } from "./command.ts";
import { optimizeLevel, passLevel } from "./compile.ts";

export type BenchMode = "train" | "infer" | "stream";
export type Clock = "wall" | "cpu";

export interface TimingOptions {
  /** Timed samples; default: as many as fit in `seconds`, at least 5 and at most 200. */
  runs?: number;
  /** Warm-up calls; default: at least 2 calls and at least 0.2 s (V8 tiers a function up between calls). */
  warmup?: number;
  /** Measurement budget for the default number of runs (s). */
  seconds?: number;
  clock?: Clock;
  /** A sample repeats the call until it lasts this long (ms) and reports the time per call. */
  minSampleMs?: number;
  /** Called once before warm-up and once before timing, for progress messages. */
  progress?: (what: string) => void;
}

export interface Timing {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  runs: number;
  /** Calls per sample (1 unless a call is shorter than `minSampleMs`). */
  callsPerRun: number;
  /** Both clocks' medians over the same samples, whichever one `clock` chose for the figures above. */
  wallMedianMs: number;
  cpuMedianMs: number;
}

const wallNow = (): number => performance.now();
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * Times `call` (one unit of work): warm-up, then `runs` samples; each sample is `callsPerRun` back
 * to back calls, divided. Returns per-call milliseconds. Wall time counts time the process waits
 * for a core on a busy machine; CPU time (process.cpuUsage, all threads) does not.
 */
export function timeCalls(call: () => void, opts: TimingOptions = {}): Timing {
  const now = opts.clock === "cpu" ? cpuNow : wallNow;
  const minSample = opts.minSampleMs ?? 2;
  opts.progress?.("warming up");
  const w0 = now();
  let warm = 0;
  const minWarm = opts.warmup ?? 2;
  while (warm < minWarm || (opts.warmup === undefined && now() - w0 < 200)) {
    call();
    warm++;
  }
  let perCall = warm > 0 ? (now() - w0) / warm : 0;
  if (!(perCall > 0)) { // no warm-up (or a coarse clock): time one call to size the runs
    const t0 = wallNow();
    call();
    perCall = Math.max(wallNow() - t0, 1e-6);
  }
  const callsPerRun = Math.max(1, Math.ceil(minSample / perCall));
  const budget = (opts.seconds ?? 1) * 1000;
  const runs = opts.runs ?? Math.min(200, Math.max(5, Math.round(budget / (perCall * callsPerRun))));
  opts.progress?.(`timing ${runs} run${runs === 1 ? "" : "s"}`);
  const wall: number[] = [], cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const c0 = cpuNow(), t0 = wallNow();
    for (let c = 0; c < callsPerRun; c++) call();
    const t1 = wallNow(), c1 = cpuNow();
    wall.push((t1 - t0) / callsPerRun);
    cpu.push((c1 - c0) / callsPerRun);
  }
  const samples = opts.clock === "cpu" ? cpu : wall;
  return {
    median_ms: median(samples), min_ms: Math.min(...samples), max_ms: Math.max(...samples), runs, callsPerRun,
    wallMedianMs: median(wall), cpuMedianMs: median(cpu),
  };
}

/**
 * For `--train` on a program without a loss: the mean of the squares of its per-step f32 outputs,
 * built as IR around the program (L = Σ_o Σ y_o² / Σ_o numel(y_o)), so that the backward entry runs
 * forward, BPTT and every gradient of that loss in one call — as for a model with its own loss.
 */
export function withMeanSquareLoss(p: Program): Program {
  if (p.loss) return p;
  const outs = p.outputs.filter((o) => p.graph.types.get(o.value)!.dtype === "f32");
  if (outs.length === 0) {
    throw new RnncError(`${p.file}: bench --train: ${p.name} has no loss and no f32 outputs to build one from (the loss for a bare cell is the mean of its squared outputs)`);
  }
  const graph = { inputs: [...p.graph.inputs], outputs: [...p.graph.outputs], nodes: [...p.graph.nodes], types: new Map(p.graph.types) };
  const b = new Builder(graph);
  let loss: string;
  if (outs.length === 1) {
    const y = outs[0]!.value;
    loss = b.op("mean", [b.mul(y, y)], {}, "bench.loss");
  } else {
    let total: string | null = null, count: string | null = null;
    for (const o of outs) {
      const s = b.op("sum", [b.mul(o.value, o.value)]);
      const n = b.op("numel", [o.value]);
      total = total ? b.add(total, s) : s;
      count = count ? b.add(count, n) : n;
    }
    loss = b.div(total!, count!);
  }
  graph.outputs.push(loss);
  return { ...p, graph, loss };
}

/** A loaded module with its memory filled, ready to time. */
export interface BenchSetup {
  model: Model;
  /** One unit of work: a training step, a forward pass, or one streamed time step. */
  call: () => void;
  /** The loss after the last call, when there is one (to check the timed work is real). */
  loss: () => number | null;
}

export interface SetupOptions { mode: BenchMode; B: number; T: number; seed?: number }

/** Fills params (their initializers), inputs (random) and cotangents, and returns the call to time. */
export async function prepareBench(compiled: CompileResult, opts: SetupOptions): Promise<BenchSetup> {
  const { mode, B, T } = opts;
  const model = await loadModel(compiled.wasm, compiled.manifest);
  const man = model.manifest;
  const rng = new Rng(opts.seed ?? 1);
  model.setParams(Object.fromEntries(Object.entries(man.params).map(([n, s]) =>
    [n, initialize((s.init ?? "glorot_uniform") as Parameters<typeof initialize>[0], s.shape as number[], rng, n)])));
  const Tin = mode === "stream" ? 1 : T;
  // Sequence inputs for the stream: T frames, one per call, cycled.
  const frames = mode === "stream" ? T : 1;
  const inputs: Record<string, { data: Float32Array | Int32Array; shape: number[] }> = {};
  const streamFrames: { name: string; data: (Float32Array | Int32Array)[] }[] = [];
  for (const [name, spec] of Object.entries(man.inputs)) {
    const shape = spec.shape.map((d) => (d === "B" ? B : d === "T" ? Tin : d)) as number[];
    const n = shape.reduce((a, c) => a * c, 1);
    const make = () => {
      if (spec.dtype === "f32") return Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
      // ids take their range; an i32 [B] input without one is a length: the whole sequence
      const [lo, hi] = spec.range ?? (spec.shape.length === 1 && spec.shape[0] === "B" ? [Tin, Tin + 1] : [0, 1]);
      return Int32Array.from({ length: n }, () => lo + Math.floor(rng.uniform() * (hi - lo)));
    };
    inputs[name] = { data: make(), shape };
    if (mode === "stream" && spec.shape[0] === "T") streamFrames.push({ name, data: [inputs[name]!.data, ...Array.from({ length: frames - 1 }, make)] });
  }
  const lossView = () => (man.loss ? new Float32Array(model.memory.buffer, evalPoly(man.loss.offset, B, Tin), 1)[0]! : null);

  if (mode === "train") {
    if (!man.loss || !man.cotangents.loss) throw new RnncError(`bench --train: the compiled module has no loss`);
    // writes inputs, zero initial states and cotangents (loss cotangent 1), and runs once
    model.backward(inputs, { loss: 1 }, { B, T });
    return { model, call: () => model.call("backward", B, T), loss: lossView };
  }
  model.forward(inputs, { B, T: Tin });
  if (mode === "infer") return { model, call: () => model.call("forward", B, T), loss: lossView };

  // stream: the step entry copies each final state into its initial state, so raw calls carry it
  if (!man.entries.step) throw new RnncError(`bench --stream: the compiled module has no step entry`);
  const views = () => streamFrames.map((f) => {
    const spec = man.inputs[f.name]!;
    const at = evalPoly(spec.offset, B, 1), n = elementCount(spec.shape, B, 1);
    return spec.dtype === "i32" ? new Int32Array(model.memory.buffer, at, n) : new Float32Array(model.memory.buffer, at, n);
  });
  let dst = views();
  let t = 0;
  const call = () => {
    if (dst.length && dst[0]!.length === 0) dst = views(); // memory grew: views detached
    for (let k = 0; k < dst.length; k++) dst[k]!.set(streamFrames[k]!.data[t]!);
    model.call("step", B, 1);
    t = t + 1 === frames ? 0 : t + 1;
  };
  return { model, call, loss: lossView };
}

/**
 * Compile (adding the mean-square loss for --train when there is none). With `relaxedSimd`, this
 * process first turns relaxed SIMD on (runtime/features.ts enableRelaxedSimd), so that
 * prepareBench can load the module; an engine that cannot run it is refused before compiling.
 */
export async function compileForBench(p: Program, mode: BenchMode, optimize = 3, passes: 0 | 1 | 2 = 2,
  opts: { relaxedSimd?: boolean } = {}): Promise<{ compiled: CompileResult; compileMs: number; program: Program }> {
  const program = mode === "train" ? withMeanSquareLoss(p) : p;
  if (opts.relaxedSimd && !(await enableRelaxedSimd())) {
    throw new RnncError(`bench --relaxed-simd: this JavaScript engine cannot run WebAssembly relaxed SIMD; run without --relaxed-simd`);
  }
  await loadBinaryen(); // the one-time import is not compile time
  const t0 = performance.now();
  const compiled = await compileProgram(program, { optimize, passes, ...(opts.relaxedSimd ? { relaxedSimd: true } : {}) });
  return { compiled, compileMs: performance.now() - t0, program };
}

function positiveInt(command: string, flag: string, v: string | undefined, dflt?: number): number {
  if (v === undefined) {
    if (dflt !== undefined) return dflt;
    throw new RnncError(`${command}: missing --${flag} (see rnnc ${command} --help)`);
  }
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new RnncError(`${command}: --${flag} must be a positive integer, got "${v}"`);
  return Number(v);
}

const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(4));

export const benchCommand: Command = {
  summary: "time a compiled cell or model: training step, forward pass or streamed step",
  help: `usage: rnnc bench FILE [--dims I=64,H=256] --batch B --seq T [--train|--infer|--stream] [--json]
                  [--runs N] [--warmup N] [--clock wall|cpu] [-O0..-O3] [--passes 0|1|2] [--seed S]
                  [--relaxed-simd]

Compiles FILE (a cell or model, JSON or *.cell.ts), fills its parameters (their initializers)
and inputs (random), then times one entry of the module: warm-up calls, then the median of
repeated runs.

  --train   (default) forward + BPTT + every gradient of the model's loss, one call to the
            module's backward entry. A cell or model without a loss gets one built as IR: the
            mean of its squared per-step outputs.
  --infer   the forward pass over the whole sequence.
  --stream  one time step per call (the step entry, state carried between calls), batch B;
            a new input frame is written before each call, cycling through T random frames.

--runs N     timed runs (default: as many as fit in about 1 s, at least 5, at most 200).
--warmup N   warm-up calls (default: at least 2 and at least 0.2 s).
--clock      wall (default) or cpu (process CPU time: robust to a busy machine).
-O, --passes as for rnnc compile (default -O3, --passes 2): e.g. --passes 0 times the cell as
             written, without rnnc's IR passes.
--relaxed-simd  as for rnnc compile: GEMM multiply-adds as f32x4.relaxed_madd. This process
             turns relaxed SIMD on first (Node 20: --experimental-wasm-relaxed-simd).
A run shorter than 2 ms repeats the call back to back and reports the time per call.
--json prints one line {"median_ms","min_ms","max_ms","runs"} (and "median_us" for --stream),
milliseconds per call. Progress goes to stderr.`,
  async run(argv) {
    const { values, positionals } = parse("bench", argv, {
      dims: { type: "string" }, batch: { type: "string" }, seq: { type: "string" },
      train: { type: "boolean" }, infer: { type: "boolean" }, stream: { type: "boolean" },
      json: { type: "boolean" }, runs: { type: "string" }, warmup: { type: "string" },
      clock: { type: "string" }, O: { type: "string", short: "O" }, passes: { type: "string" }, seed: { type: "string" },
      "relaxed-simd": { type: "boolean" },
    });
    const file = onePositional("bench", positionals);
    const modes = (["train", "infer", "stream"] as const).filter((m) => values[m]);
    if (modes.length > 1) throw new RnncError(`bench: choose one of --train, --infer, --stream (got ${modes.map((m) => `--${m}`).join(" and ")})`);
    const mode: BenchMode = modes[0] ?? "train";
    const B = positiveInt("bench", "batch", values.batch);
    const T = positiveInt("bench", "seq", values.seq);
    const runs = values.runs === undefined ? undefined : positiveInt("bench", "runs", values.runs);
    if (values.warmup !== undefined && !/^\d+$/.test(values.warmup)) throw new RnncError(`bench: --warmup must be a whole number of calls (0 or more), got "${values.warmup}"`);
    const warmup = values.warmup === undefined ? undefined : Number(values.warmup);
    const seed = positiveInt("bench", "seed", values.seed, 1);
    const clock = values.clock ?? "wall";
    if (clock !== "wall" && clock !== "cpu") throw new RnncError(`bench: --clock must be wall or cpu, got "${clock}"`);
    const level = optimizeLevel(values.O);
    const passes = passLevel(values.passes);
    const p = loadAnyProgram(file, parseDims(values.dims));
    const say = (s: string) => process.stderr.write(`${s}\n`);
    const relaxedSimd = values["relaxed-simd"] ?? false;
    say(`compiling ${p.name} (-O${level}, passes ${passes}${relaxedSimd ? ", relaxed SIMD" : ""})…`);
    const { compiled, compileMs } = await compileForBench(p, mode, level, passes, { relaxedSimd });
    say(`compiled in ${compileMs.toFixed(0)} ms; ${mode} B=${B} T=${T}`);
    const setup = await prepareBench(compiled, { mode, B, T, seed });
    const t = timeCalls(setup.call, {
      clock, ...(runs !== undefined ? { runs } : {}), ...(warmup !== undefined ? { warmup } : {}),
      progress: (w) => say(`${w}…`),
    });
    const loss = setup.loss();
    if (loss !== null && !Number.isFinite(loss)) throw new RnncError(`bench: the loss is ${loss} on random inputs; the timing would be of non-finite arithmetic`);
    if (values.json) {
      const out: Record<string, number> = { median_ms: t.median_ms, min_ms: t.min_ms, max_ms: t.max_ms, runs: t.runs };
      if (mode === "stream") out.median_us = t.median_ms * 1000;
      process.stdout.write(JSON.stringify(out) + "\n");
      return 0;
    }
    const what = mode === "train" ? "training step (forward + BPTT + gradients)" : mode === "infer" ? "forward pass" : "streamed step";
    const sizes = Object.entries(p.sizes).map(([k, v]) => `${k}=${v}`).join(", ");
    const per = mode === "stream" ? `${(t.median_ms * 1000).toFixed(2)} µs/step (min ${(t.min_ms * 1000).toFixed(2)}, max ${(t.max_ms * 1000).toFixed(2)})`
      : `${fmtMs(t.median_ms)} ms (min ${fmtMs(t.min_ms)}, max ${fmtMs(t.max_ms)})`;
    process.stdout.write(`${p.name}${sizes ? ` (${sizes})` : ""}, B=${B}, T=${T}, ${what}: median ${per} over ${t.runs} runs${t.callsPerRun > 1 ? ` of ${t.callsPerRun} calls` : ""}, ${clock} clock${relaxedSimd ? ", relaxed SIMD" : ""}${loss !== null ? `; loss ${loss.toPrecision(5)}` : ""}\n`);
    return 0;
  },
};
