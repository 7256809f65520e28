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
    this.fields = tr.hyper.fields;
    this.resetOptimizerState();
  }

  private hyper(): Float32Array {
    const tr = this.model.manifest.training!;
    return this.model.region(tr.hyper.offset, tr.hyper.fields.length);
  }

  /** Zeros every optimizer slot (moments) — a fresh optimizer. */
  resetOptimizerState(): void {
    for (const [name, s] of Object.entries(this.model.manifest.training!.state)) {
      const n = this.model.param(name).length;
      this.model.region(s.m.offset, n).fill(0);
      this.model.region(s.v.offset, n).fill(0);
    }
  }

  /** Copies of the optimizer slots, for checkpoints. */
  optimizerState(): Record<string, { m: Float32Array; v: Float32Array }> {
    const out: Record<string, { m: Float32Array; v: Float32Array }> = {};
    for (const [name, s] of Object.entries(this.model.manifest.training!.state)) {
      const n = this.model.param(name).length;
      out[name] = { m: this.model.region(s.m.offset, n).slice(), v: this.model.region(s.v.offset, n).slice() };
    }
    return out;
  }

  setOptimizerState(state: Record<string, { m: ArrayLike<number>; v: ArrayLike<number> }>): void {
    for (const [name, s] of Object.entries(this.model.manifest.training!.state)) {
      const given = state[name];
      const n = this.model.param(name).length;
      if (!given || given.m.length !== n || given.v.length !== n) throw new RnncRuntimeError(`optimizer state of ${name}: expected two slots of ${n} values`);
      this.model.region(s.m.offset, n).set(given.m);
      this.model.region(s.v.offset, n).set(given.v);
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
