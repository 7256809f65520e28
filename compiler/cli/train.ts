import { RnncError } from "../diagnostics.ts";
import { train } from "../train/session.ts";
import { modelFromCheckpoint, sampleText } from "../train/session.ts";
import { Rng } from "../../runtime/random.ts";
import { onePositional, parse } from "./args.ts";
import type { Command } from "./command.ts";
import { ensureDir } from "./compile.ts";

function positiveInt(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RnncError(`${what}: expected a positive integer, got "${v}"`);
  return n;
}

export const trainCommand: Command = {
  summary: "train a model (e.g. examples/char-rnn) with checkpoints and validation",
  help: `usage: rnnc train DIR [--steps N] [--seconds S] [--out OUT] [--resume CKPT] [--seed S] [--grad-report]

Trains the model that DIR/train.json describes (data, batch, optimizer, schedule), with the
training step compiled into the module. Shows a live progress line (step, loss, chars/s, ETA),
periodic samples and held-out bits per character; writes OUT/checkpoint.safetensors (atomically),
OUT/loss.svg and the compiled module (default OUT: out/<DIR name>). Ctrl-C stops after the
current step and writes a checkpoint. --resume continues a checkpoint bit-identically.
--grad-report records ‖∂L/∂h_t‖ for every time step t (every evalEvery steps) and the global
gradient norm, and draws OUT/gradflow.<scan>.<state>.svg (a heatmap: time step × training step)
and OUT/gradnorm.svg — the vanishing and exploding gradient problem made visible.`,
  async run(argv) {
    const { values, positionals } = parse("train", argv, {
      steps: { type: "string" }, seconds: { type: "string" }, out: { type: "string", short: "o" },
      resume: { type: "string" }, seed: { type: "string" }, "grad-report": { type: "boolean" },
    });
    const dir = onePositional("train", positionals, "DIR");
    const out = values.out ?? `out/${dir.replace(/\/+$/, "").split("/").pop()}`;
    ensureDir(out);
    const steps = positiveInt(values.steps, "--steps");
    const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
    if (seconds !== undefined && !(seconds > 0)) throw new RnncError(`--seconds: expected a positive number, got "${values.seconds}"`);
    const seed = values.seed === undefined ? undefined : Number(values.seed);
    if (seed !== undefined && !Number.isInteger(seed)) throw new RnncError(`--seed: expected an integer, got "${values.seed}"`);
    const tty = process.stderr.isTTY;
    let pending = false;
    const stop = { requested: false };
    const onInt = () => {
      if (stop.requested) process.exit(130);
      stop.requested = true;
      process.stderr.write("\nstopping after this step (Ctrl-C again to abort without a checkpoint)…\n");
    };
    process.on("SIGINT", onInt);
    let lastLine = 0;
    try {
      const summary = await train({
        dir, out,
        ...(steps !== undefined ? { steps } : {}),
        ...(seconds !== undefined ? { seconds } : {}),
        ...(seed !== undefined ? { seed } : {}),
        ...(values.resume ? { resume: values.resume } : {}),
        ...(values["grad-report"] ? { gradReport: true } : {}),
        stop,
        progress(line) {
          if (tty) { process.stderr.write(`\r${line}\x1b[K`); pending = true; }
          else if (Date.now() - lastLine > 10_000) { process.stderr.write(line + "\n"); lastLine = Date.now(); }
        },
        log(line) {
          if (pending) { process.stderr.write("\n"); pending = false; }
          process.stdout.write(line + "\n");
        },
      });
      if (pending) process.stderr.write("\n");
      process.stdout.write(`${summary.interrupted ? "interrupted" : "done"}: ${summary.steps} steps, ${summary.chars} characters in ${summary.seconds.toFixed(0)} s (${(summary.chars / summary.seconds).toFixed(0)} chars/s); train loss ${(summary.trainLoss / Math.LN2).toFixed(3)} bits/char, validation sample ${summary.validationBpc?.toFixed(3)} bits/char, all held-out text ${summary.heldOutBpc.toFixed(3)} bits/char (${summary.heldOutChars} characters)${summary.averaged ? ", with the averaged weights" : ""}\ncheckpoint: ${summary.checkpoint}\n`);
      return 0;
    } finally {
      process.off("SIGINT", onInt);
    }
  },
};

export const sampleCommand: Command = {
  summary: "generate text from a trained checkpoint",
  help: `usage: rnnc sample CKPT [--prime "The "] [--temperature 0.8] [-n 500] [--seed S]

Loads CKPT (written by rnnc train) with the module saved beside it, primes the state with the
prime text and samples n characters, one streaming step per character.`,
  async run(argv) {
    const { values, positionals } = parse("sample", argv, {
      prime: { type: "string" }, temperature: { type: "string" }, n: { type: "string", short: "n" }, seed: { type: "string" },
    });
    const path = onePositional("sample", positionals, "CKPT");
    const temperature = values.temperature === undefined ? 0.8 : Number(values.temperature);
    if (!(temperature > 0) || !Number.isFinite(temperature)) throw new RnncError(`--temperature: expected a positive number, got "${values.temperature}"`);
    const n = positiveInt(values.n, "-n") ?? 500;
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(seed)) throw new RnncError(`--seed: expected an integer, got "${values.seed}"`);
    const { model, vocab } = await modelFromCheckpoint(path);
    const prime = values.prime ?? "The ";
    process.stdout.write(prime + sampleText(model, vocab, prime, n, temperature, new Rng(seed)) + "\n");
    return 0;
  },
};
