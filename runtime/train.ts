/**
 * Training with the step compiled into the module: one call per step runs forward, BPTT, the
 * global gradient norm, clipping and the optimizer update. JS only writes the inputs and a
 * handful of hyper-parameters (so learning-rate schedules are free) and reads the loss.
 */
import { RnncRuntimeError } from "./errors.ts";
import type { Inputs, Model, RunOptions, TypedTensor } from "./model.ts";

export type OptimizerKind = "sgd" | "momentum" | "nesterov" | "adagrad" | "rmsprop" | "adam" | "adamw";

export interface OptimizerConfig {
  kind: OptimizerKind;
  lr: number;
  /** Adam's β1, or the momentum of momentum/nesterov (default 0.9). */
  beta1?: number;
  /** Adam's β2, or RMSprop's smoothing constant α (defaults 0.999 and 0.99). */
  beta2?: number;
  eps?: number;
  /** L2 penalty added to the gradient; for adamw, decoupled decay of the weights. */
  weightDecay?: number;
  /** Clip by global norm when > 0: all gradients are scaled so that their joint norm is at most this. */
  clipNorm?: number;
  /** Clip each gradient element to [−v, v] when > 0 (after the norm clip). */
  clipValue?: number;
  /**
   * Keep an exponential moving average of the weights with this decay (0 ≤ ema < 1; 0.999 averages
   * over about the last 1,000 steps), updated in the module after every step. The decay ramps up
   * as min(ema, (t − 1)/(t + 9)) at update t, so the first update copies the weights (TensorFlow's
   * ExponentialMovingAverage ramp with num_updates, one update later). Evaluate with `withAverage`.
   */
  ema?: number;
}

/** An optimizer's per-parameter state: two moments and, when averaging, the weight average. */
export interface OptimizerSlots {
  m: Float32Array;
  v: Float32Array;
  average?: Float32Array;
}

export interface Schedule {
  kind: "constant" | "step" | "cosine";
  /** Linear warm-up from 0 over this many steps (default 0). */
  warmup?: number;
  /** step: multiply by gamma every stepSize steps. */
  stepSize?: number;
  gamma?: number;
  /** cosine: decay to minLr over totalSteps (after warm-up). */
  totalSteps?: number;
  minLr?: number;
}

/** The learning rate at update number `step` (0-based). */
export function learningRate(base: number, s: Schedule | undefined, step: number): number {
  const warm = s?.warmup ?? 0;
  if (warm > 0 && step < warm) return (base * (step + 1)) / warm;
  if (!s || s.kind === "constant") return base;
  const t = step - warm;
  if (s.kind === "step") return base * Math.pow(s.gamma ?? 0.1, Math.floor(t / Math.max(1, s.stepSize ?? 1000)));
  const total = Math.max(1, (s.totalSteps ?? 10000) - warm);
  const minLr = s.minLr ?? 0;
  const c = Math.min(1, t / total);
  return minLr + 0.5 * (base - minLr) * (1 + Math.cos(Math.PI * c));
}

/** A NaN or Inf appeared: `tensor` names the first non-finite one, `step` the update it appeared at. */
export class NonFiniteError extends RnncRuntimeError {
  constructor(readonly step: number, readonly tensor: string) {
    super(`step ${step}: ${tensor} is not finite (NaN or Inf); no update was made`);
    this.name = "NonFiniteError";
  }
}

export interface StepReport {
  loss: number;
  gradNorm: number;
  lr: number;
  final: Record<string, TypedTensor>;
  outputs: Record<string, TypedTensor>;
}

const DEFAULTS: Record<OptimizerKind, { beta1: number; beta2: number; eps: number }> = {
  sgd: { beta1: 0, beta2: 0, eps: 0 },
  momentum: { beta1: 0.9, beta2: 0, eps: 0 },
  nesterov: { beta1: 0.9, beta2: 0, eps: 0 },
  adagrad: { beta1: 0, beta2: 0, eps: 1e-10 },
  rmsprop: { beta1: 0, beta2: 0.99, eps: 1e-8 },
  adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
  adamw: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
};

export class Trainer {
  /** Number of updates made so far. */
  step = 0;
  private readonly fields: readonly string[];

  constructor(readonly model: Model, readonly opt: OptimizerConfig, readonly schedule?: Schedule) {
    const tr = model.manifest.training;
    if (!tr || !model.manifest.entries.train_step) throw new RnncRuntimeError("this model has no compiled training step (it needs a loss)");
    const code = tr.optimizers.indexOf(opt.kind);
    if (code < 0) throw new RnncRuntimeError(`unknown optimizer "${opt.kind}" (optimizers: ${tr.optimizers.join(", ")})`);
    if (!(opt.lr >= 0) || !Number.isFinite(opt.lr)) throw new RnncRuntimeError(`optimizer lr: expected a non-negative number, got ${opt.lr}`);
    if (opt.ema !== undefined) {
      if (!(opt.ema >= 0 && opt.ema < 1)) throw new RnncRuntimeError(`optimizer ema: expected a decay in [0, 1), got ${opt.ema}`);
      if (!tr.hyper.fields.includes("ema") || Object.values(tr.state).some((s) => !s.average)) {
        throw new RnncRuntimeError("optimizer ema: this module keeps no weight average (it was compiled by an rnnc without one): compile the model again");
      }
    }
    this.fields = tr.hyper.fields;
    this.resetOptimizerState();
  }

  private hyper(): Float32Array {
    const tr = this.model.manifest.training!;
    return this.model.region(tr.hyper.offset, tr.hyper.fields.length);
  }

  /** True when this trainer keeps a moving average of the weights (`ema`). */
  get averaging(): boolean {
    return this.opt.ema !== undefined;
  }

  /** Zeros every optimizer slot (moments, weight average) — a fresh optimizer. */
  resetOptimizerState(): void {
    for (const [name, s] of Object.entries(this.model.manifest.training!.state)) {
      const n = this.model.param(name).length;
      this.model.region(s.m.offset, n).fill(0);
      this.model.region(s.v.offset, n).fill(0);
      if (s.average) this.model.region(s.average.offset, n).fill(0);
    }
  }

  /** Copies of the optimizer slots, for checkpoints (`average` when this trainer averages). */
  optimizerState(): Record<string, OptimizerSlots> {
    const out: Record<string, OptimizerSlots> = {};
    for (const [name, s] of Object.entries(this.model.manifest.training!.state)) {
      const n = this.model.param(name).length;
      out[name] = { m: this.model.region(s.m.offset, n).slice(), v: this.model.region(s.v.offset, n).slice() };
      if (this.averaging) out[name].average = this.model.region(s.average!.offset, n).slice();
    }
    return out;
  }

  /**
   * Restores the optimizer slots. When this trainer averages and a parameter's `average` is not
   * given (a checkpoint written without one), the average starts from the current parameter.
   */
  setOptimizerState(state: Record<string, { m: ArrayLike<number>; v: ArrayLike<number>; average?: ArrayLike<number> }>): void {
    for (const [name, s] of Object.entries(this.model.manifest.training!.state)) {
      const given = state[name];
      const n = this.model.param(name).length;
      if (!given || given.m.length !== n || given.v.length !== n) throw new RnncRuntimeError(`optimizer state of ${name}: expected two slots of ${n} values`);
      if (given.average !== undefined && given.average.length !== n) throw new RnncRuntimeError(`optimizer state of ${name}: expected a weight average of ${n} values, got ${given.average.length}`);
      this.model.region(s.m.offset, n).set(given.m);
      this.model.region(s.v.offset, n).set(given.v);
      if (this.averaging) this.model.region(s.average!.offset, n).set(given.average ?? this.model.param(name));
    }
  }

  /** Copies of the averaged weights (before the first update: the weights themselves). */
  averagedParams(): Record<string, Float32Array> {
    if (!this.averaging) throw new RnncRuntimeError("averagedParams: this trainer keeps no weight average (give the optimizer an ema decay)");
    if (this.step === 0) return this.model.getParams();
    const out: Record<string, Float32Array> = {};
    for (const [name, s] of Object.entries(this.model.manifest.training!.state)) {
      out[name] = this.model.region(s.average!.offset, this.model.param(name).length).slice();
    }
    return out;
  }

  /**
   * Runs `fn` with the averaged weights in the model's parameters, then puts the trained ones back
   * (also when `fn` throws); without averaging, just runs `fn`. For evaluation and sampling.
   */
  withAverage<R>(fn: () => R): R {
    if (!this.averaging || this.step === 0) return fn();
    const trained = this.model.getParams();
    this.model.setParams(this.averagedParams());
    try {
      return fn();
    } finally {
      this.model.setParams(trained);
    }
  }

  /** One update on a batch. Throws NonFiniteError (and leaves the parameters as they were) on NaN/Inf. */
  trainStep(inputs: Inputs, opts: RunOptions = {}): StepReport {
    const o = this.opt;
    const d = DEFAULTS[o.kind];
    const b1 = o.beta1 ?? d.beta1, b2 = o.beta2 ?? d.beta2;
    const t = this.step + 1;
    const lr = learningRate(o.lr, this.schedule, this.step);
    const values: Record<string, number> = {
      lr, beta1: b1, beta2: b2, eps: o.eps ?? d.eps, weight_decay: o.weightDecay ?? 0,
      clip_norm: o.clipNorm ?? 0, clip_value: o.clipValue ?? 0,
      bias_correction1: 1 - Math.pow(b1, t), bias_correction2: 1 - Math.pow(b2, t),
      kind: this.model.manifest.training!.optimizers.indexOf(o.kind), grad_norm: 0, loss: 0,
      ema: this.averaging ? 1 : 0, ema_decay: this.averaging ? Math.min(o.ema!, (t - 1) / (t + 9)) : 0,
    };
    const h = this.hyper();
    this.fields.forEach((f, i) => (h[i] = values[f] ?? 0));
    const r = this.model.runEntry("train_step", inputs, opts);
    const hh = this.hyper();
    const loss = hh[this.fields.indexOf("loss")]!, gradNorm = hh[this.fields.indexOf("grad_norm")]!;
    if (r.result === 1) throw new NonFiniteError(t, "the loss");
    if (r.result === 2) {
      for (const name of Object.keys(this.model.manifest.grads)) {
        const g = this.model.grad(name);
        if (!g.every(Number.isFinite)) throw new NonFiniteError(t, `the gradient of ${name}`);
      }
      throw new NonFiniteError(t, "a gradient");
    }
    this.step = t;
    return { loss, gradNorm, lr, final: r.final, outputs: r.outputs };
  }
}
