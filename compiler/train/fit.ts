/**
 * "Train this model on these batches": the small loop the example zoo (examples/zoo/) and its
 * tests share. It adds nothing to training itself — the step is runtime/train.ts's `Trainer`, one
 * call into WebAssembly per batch — only the glue around it: compile a cell or model file and
 * initialize its parameters from the manifest (seeded), run a number of steps on batches made by a
 * function, evaluate now and then, stop early at a target, and score logits against labels.
 *
 * `rnnc train` (session.ts) is the same Trainer driven by a text corpus and checkpoints; this is
 * the same Trainer driven by a synthetic task generator.
 */
import { loadAnyProgram } from "../frontend/load.ts";
import type { SizeOverrides } from "../frontend/program.ts";
import { compileProgram } from "../lower/compile.ts";
import type { CompileOptions } from "../lower/compile.ts";
import { loadModel } from "../../runtime/model.ts";
import type { Inputs, Model } from "../../runtime/model.ts";
import { initialize } from "../../runtime/init.ts";
import type { InitSpec } from "../../runtime/init.ts";
import { Rng } from "../../runtime/random.ts";
import type { StepReport } from "../../runtime/train.ts";

/** Sets every parameter from its manifest initializer, drawing from one generator seeded `seed`. */
export function initParams(model: Model, seed: number): void {
  const rng = new Rng(seed);
  for (const [name, spec] of Object.entries(model.manifest.params)) {
    model.setParam(name, initialize((spec.init ?? "glorot_uniform") as InitSpec, spec.shape as number[], rng, name));
  }
}

/**
 * Loads a cell or model file (JSON or `*.cell.ts`) with size overrides, compiles it (forward,
 * BPTT and, when it has a loss, the training step), instantiates it, and initializes its
 * parameters with `seed` (default 1).
 */
export async function buildModel(file: string, opts: { sizes?: SizeOverrides; seed?: number; compile?: CompileOptions } = {}): Promise<Model> {
  const program = loadAnyProgram(file, opts.sizes ?? {});
  const { wasm, manifest } = await compileProgram(program, opts.compile ?? {});
  const model = await loadModel(wasm, manifest);
  initParams(model, opts.seed ?? 1);
  return model;
}

/** Copies every parameter that `to` also has (same name and size) from `from`: e.g. a trained
 * model's weights into the step-by-step decoder that shares them. Returns the names copied. */
export function copyParams(from: Model, to: Model): string[] {
  const copied: string[] = [];
  for (const name of to.paramNames) {
    if (!from.paramNames.includes(name)) continue;
    const src = from.param(name);
    if (src.length !== to.param(name).length) throw new Error(`copyParams: ${name} has ${src.length} values in one model and ${to.param(name).length} in the other`);
    to.setParam(name, src);
    copied.push(name);
  }
  return copied;
}

/** The part of a Trainer that {@link fit} drives. */
export interface StepTrainer {
  trainStep(inputs: Inputs): Pick<StepReport, "loss">;
}

export interface FitOptions {
  /** Number of updates (at most). */
  steps: number;
  /** The batch of update number `step` (0-based). */
  batch(step: number): Inputs;
  /** A score to track (higher is better unless `lowerIsBetter`), computed every `evalEvery` steps and at the end. */
  evaluate?: () => number;
  evalEvery?: number;
  lowerIsBetter?: boolean;
  /** Stop as soon as an evaluation reaches this score. */
  target?: number;
  /** Stop after this many seconds of wall time (checked after every step). */
  seconds?: number;
  /** Called after every evaluation. */
  log?(line: string): void;
}

export interface FitResult {
  steps: number;
  seconds: number;
  /** The training loss of every update. */
  losses: number[];
  /** Every evaluation: after how many updates, its score, and seconds since the start. */
  evals: { step: number; score: number; seconds: number }[];
  /** The last evaluation's score (NaN without `evaluate`). */
  score: number;
  /** Updates and seconds until an evaluation first reached `target` (null if it never did). */
  reached: { step: number; seconds: number } | null;
}

/** Runs `opts.steps` updates of `trainer` (a runtime Trainer) on the batches `opts.batch` makes. */
export function fit(trainer: StepTrainer, opts: FitOptions): FitResult {
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const losses: number[] = [];
  const evals: FitResult["evals"] = [];
  let reached: FitResult["reached"] = null;
  const better = (s: number, target: number) => (opts.lowerIsBetter ? s <= target : s >= target);
  const evaluate = (step: number): boolean => {
    if (!opts.evaluate) return false;
    const score = opts.evaluate();
    const seconds = elapsed();
    evals.push({ step, score, seconds });
    const recent = losses.slice(-Math.max(1, opts.evalEvery ?? 1));
    const loss = recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN;
    opts.log?.(`step ${step}  loss ${loss.toFixed(4)}  score ${score.toFixed(4)}  ${seconds.toFixed(1)}s`);
    if (opts.target !== undefined && reached === null && better(score, opts.target)) reached = { step, seconds };
    return reached !== null;
  };
  let step = 0;
  let stopped = false;
  while (step < opts.steps) {
    losses.push(trainer.trainStep(opts.batch(step)).loss);
    step++;
    if (opts.evalEvery && step % opts.evalEvery === 0 && step < opts.steps && evaluate(step)) { stopped = true; break; }
    if (opts.seconds !== undefined && elapsed() >= opts.seconds) break;
  }
  if (!stopped) evaluate(step);
  return { steps: step, seconds: elapsed(), losses, evals, score: evals.length ? evals[evals.length - 1]!.score : NaN, reached };
}

/** Index of the largest of `k` values starting at `at` (the first on ties). */
export function argmax(values: ArrayLike<number>, at: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (values[at + j]! > values[at + best]!) best = j;
  return best;
}

/**
 * Accuracy of `logits` (rows of `k` scores, flat) against integer `labels` (one per row): the share
 * of rows whose argmax is the label. Rows where `mask` is 0 are not counted.
 */
export function accuracy(logits: ArrayLike<number>, labels: ArrayLike<number>, k: number, mask?: ArrayLike<number>): number {
  const rows = labels.length;
  if (logits.length !== rows * k) throw new Error(`accuracy: ${logits.length} logits are not ${rows} rows of ${k}`);
  let right = 0, counted = 0;
  for (let r = 0; r < rows; r++) {
    if (mask && !mask[r]) continue;
    counted++;
    if (argmax(logits, r * k, k) === labels[r]) right++;
  }
  return counted ? right / counted : NaN;
}

/** The mean of a list of numbers (NaN when empty). */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
