/**
 * `rnnc bench`: the command end to end (a subprocess printing its one JSON line), the timing
 * helper, the mean-square loss built around a bare cell, and bad input. No timing thresholds:
 * only the shape of what is reported (runs ≥ 1, min ≤ median ≤ max) and that the timed work ran.
 */
import t from "tap";
import type { Test } from "tap";
import { RnncError } from "../../compiler/diagnostics.ts";
import { benchCommand, compileForBench, median, prepareBench, timeCalls, withMeanSquareLoss } from "../../compiler/cli/bench.ts";
import { loadAnyProgram } from "../../compiler/frontend/load.ts";
import { buildCell, loadProgram, programFromCell } from "../../compiler/frontend/program.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import { rnnc } from "../_shared/spawn.ts";
import { ROOT } from "../frontend/_helpers.ts";

process.chdir(ROOT);

function checkTiming(t: Test, r: { median_ms: number; min_ms: number; max_ms: number; runs: number }, what: string): void {
  for (const k of ["median_ms", "min_ms", "max_ms"] as const) t.ok(Number.isFinite(r[k]) && r[k] > 0, `${what}: ${k} is a positive number`);
  t.ok(Number.isInteger(r.runs) && r.runs >= 1, `${what}: runs is an integer ≥ 1`);
  t.ok(r.min_ms <= r.median_ms && r.median_ms <= r.max_ms, `${what}: min ≤ median ≤ max`);
}

function jsonLine(t: Test, stdout: string, what: string): Record<string, number> {
  const lines = stdout.split("\n").filter((l) => l !== "");
  t.equal(lines.length, 1, `${what}: exactly one line on stdout`);
  return JSON.parse(lines[0]!) as Record<string, number>;
}

t.test("rnnc bench --json on a cell: one line with the timing fields", async (t) => {
  const r = rnnc("bench", "examples/cells/elman.json", "--dims", "I=4,H=8", "--batch", "2", "--seq", "5", "--json", "--runs", "3");
  t.equal(r.status, 0, r.stderr);
  const j = jsonLine(t, r.stdout, "train");
  t.same(Object.keys(j).sort(), ["max_ms", "median_ms", "min_ms", "runs"], "exactly the four fields");
  t.equal(j.runs, 3, "--runs is honoured");
  checkTiming(t, j as never, "train");
  t.match(r.stderr, /compiling elman/, "progress goes to stderr");
});

t.test("rnnc bench --stream --json on a TypeScript cell: median_us too", async (t) => {
  const r = rnnc("bench", "examples/cells/lstm.cell.ts", "--dims", "I=4,H=8", "--batch", "1", "--seq", "7", "--stream", "--json", "--clock", "cpu");
  t.equal(r.status, 0, r.stderr);
  const j = jsonLine(t, r.stdout, "stream");
  t.same(Object.keys(j).sort(), ["max_ms", "median_ms", "median_us", "min_ms", "runs"]);
  checkTiming(t, j as never, "stream");
  t.ok(Math.abs(j.median_us! - 1000 * j.median_ms!) <= 1e-9 * j.median_us!, "median_us is median_ms in µs");
});

t.test("bad input: one clear line, exit 1", async (t) => {
  const cases: [string[], RegExp][] = [
    [["bench", "examples/cells/elman.json", "--seq", "4"], /^rnnc: bench: missing --batch \(see rnnc bench --help\)\n$/],
    [["bench", "examples/cells/elman.json", "--batch", "2", "--seq", "4", "--fast"], /^rnnc: bench: unknown option '--fast'/],
    [["bench", "no/such/cell.json", "--batch", "2", "--seq", "4"], /^rnnc: no\/such\/cell\.json: cannot read file/],
  ];
  for (const [args, want] of cases) {
    const r = rnnc(...args);
    t.equal(r.status, 1, `${args.join(" ")}: exit 1`);
    t.match(r.stderr, want, `${args.join(" ")}: message`);
    t.notMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
});

t.test("flag errors in-process", async (t) => {
  const rejects = async (args: string[], msg: string) => {
    await t.rejects(benchCommand.run(args), new RnncError(msg), args.join(" "));
  };
  const base = ["examples/cells/elman.json", "--batch", "2", "--seq", "3"];
  await rejects(["examples/cells/elman.json", "--batch", "2"], "bench: missing --seq (see rnnc bench --help)");
  await rejects([...base, "--clock", "sundial"], 'bench: --clock must be wall or cpu, got "sundial"');
  await rejects([...base, "--runs", "1.5"], 'bench: --runs must be a positive integer, got "1.5"');
  await rejects([...base, "--warmup", "two"], 'bench: --warmup must be a whole number of calls (0 or more), got "two"');
  await rejects([...base, "--batch", "0"], 'bench: --batch must be a positive integer, got "0"');
  await rejects([...base, "--infer", "--stream"], "bench: choose one of --train, --infer, --stream (got --infer and --stream)");
  await rejects([...base, "-O7"], '-O: expected a level 0 to 3 (-O0 … -O3), got "-O7"');
  await rejects(["--batch", "2", "--seq", "3"], "bench: missing FILE (see rnnc bench --help)");
});

t.test("median and timeCalls", async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  let calls = 0;
  const seen: string[] = [];
  const r = timeCalls(() => { calls++; }, { runs: 4, warmup: 3, minSampleMs: 0.5, progress: (w) => seen.push(w) });
  t.equal(r.runs, 4);
  t.ok(r.callsPerRun >= 1);
  t.equal(calls, 3 + 4 * r.callsPerRun, "warm-up calls, then runs × calls per run");
  t.same(seen, ["warming up", "timing 4 runs"]);
  t.ok(r.min_ms <= r.median_ms && r.median_ms <= r.max_ms);
  // a slow call is not repeated within a run; the default run count is bounded below
  let n = 0;
  // spin on CPU time, not wall time: on a loaded machine 3 ms of wall clock can be < 2 ms of CPU,
  // and the runner would then (rightly) repeat the call within a run
  const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const slow = timeCalls(() => { n++; const t0 = cpuMs(); while (cpuMs() - t0 < 3); }, { warmup: 1, seconds: 0.001, clock: "cpu" });
  t.equal(slow.callsPerRun, 1);
  t.equal(slow.runs, 5, "at least 5 runs by default");
  t.equal(n, 1 + 5);
});

t.test("the mean-square loss built around a bare cell", async (t) => {
  const p = loadProgram("examples/cells/elman.json", { I: 2, H: 3 });
  const q = withMeanSquareLoss(p);
  t.equal(p.loss, null, "the program itself is not changed");
  t.equal(p.graph.outputs.length + 1, q.graph.outputs.length, "one more output: the loss, last");
  t.equal(q.graph.outputs.at(-1), q.loss);
  t.equal(withMeanSquareLoss(q), q, "a program with a loss keeps it");
  const B = 2, T = 3;
  const ins = q.graph.inputs.map((v, k) => {
    const shape = q.graph.types.get(v)!.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    return tensor(shape, Array.from({ length: n }, (_, i) => Math.sin(1 + i * 0.7 + k)));
  });
  const outs = runGraph(q.graph, ins);
  const y = outs[0]!.data;
  const want = Array.from(y).reduce((a, v) => a + v * v, 0) / y.length;
  t.ok(Math.abs(outs.at(-1)!.data[0]! - want) < 1e-12, "loss = mean of y² over every step and example");

  // several outputs: Σ y² over all of them / their total count
  const doc = {
    rnnc: "cell", name: "two", sizes: { H: 2 }, inputs: { x: { shape: ["H"] } }, state: { h: { shape: ["H"] } }, params: {},
    equations: { "h'": "tanh(x + h)" }, next: { h: "h'" }, outputs: { a: "h'", b: "x" },
  };
  const p2 = withMeanSquareLoss(programFromCell(buildCell(doc, "two.json")));
  const xs = tensor([T, B, 2], Array.from({ length: T * B * 2 }, (_, i) => 0.1 * i - 0.5));
  const o2 = runGraph(p2.graph, [xs, tensor([B, 2])]);
  const all = [...o2[0]!.data, ...o2[1]!.data];
  t.ok(Math.abs(o2.at(-1)!.data[0]! - all.reduce((a, v) => a + v * v, 0) / all.length) < 1e-12, "mean over both outputs");

  const none = { ...doc, outputs: {} };
  t.throws(() => withMeanSquareLoss(programFromCell(buildCell(none, "none.json"))),
    new RnncError("none.json: bench --train: two has no loss and no f32 outputs to build one from (the loss for a bare cell is the mean of its squared outputs)"));
});

t.test("prepareBench: every mode runs the module's work", async (t) => {
  const p = loadAnyProgram("examples/cells/gru.cell.ts", { I: 3, H: 5 });
  const B = 2, T = 4;
  const train = await compileForBench(p, "train");
  t.ok(train.compileMs > 0);
  t.ok(train.program.loss, "the compiled program has the built loss");
  const s = await prepareBench(train.compiled, { mode: "train", B, T });
  s.call();
  const loss = s.loss();
  t.ok(loss !== null && Number.isFinite(loss) && loss > 0, "a positive finite loss");
  const grads = s.model.gradNames.filter((n) => s.model.grad(n).some((v) => v !== 0));
  t.ok(grads.length >= s.model.paramNames.length - 1, `the backward call wrote gradients (${grads.join(", ")})`);

  const infer = await compileForBench(p, "infer");
  t.equal(infer.program.loss, null, "--infer compiles the cell as it is");
  const si = await prepareBench(infer.compiled, { mode: "infer", B, T });
  si.call();
  t.equal(si.loss(), null, "no loss to report");
  t.ok(si.model.forward({ x: new Float32Array(T * B * 3).fill(0.5) }, { B, T }).outputs.h!.some((v) => v !== 0));

  const ss = await prepareBench(infer.compiled, { mode: "stream", B, T });
  const states: number[][] = [];
  for (let k = 0; k < 3; k++) {
    ss.call();
    const st = ss.model.manifest.states.h!;
    states.push(Array.from(ss.model.region(st.init!.offset, B * 5, B, 1)));
  }
  t.notSame(states[0], states[1], "the state carries from one step to the next");
  t.notSame(states[1], states[2]);
  const r = timeCalls(ss.call, { runs: 2, warmup: 1 });
  t.equal(r.runs, 2);
});

t.test("without --json: one human-readable line (in-process)", async (t) => {
  const out: string[] = [], err: string[] = [];
  const write = process.stdout.write, ewrite = process.stderr.write;
  process.stdout.write = ((c: string) => { out.push(String(c)); return true }) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => { err.push(String(c)); return true }) as typeof process.stderr.write;
  let code: number;
  try {
    code = await benchCommand.run(["test/fixtures/models/char-lstm.json", "--batch", "2", "--seq", "4", "--infer", "--runs", "2", "--warmup", "0", "--passes", "1"]);
  } finally {
    process.stdout.write = write;
    process.stderr.write = ewrite;
  }
  t.equal(code, 0);
  t.equal(out.length, 1, "one line on stdout");
  t.match(out[0]!, /^char-lstm \(V=7, D=3, H=4\), B=2, T=4, forward pass: median [\d.]+ ms \(min [\d.]+, max [\d.]+\) over 2 runs/);
  t.match(out[0]!, /wall clock; loss \d/, "the model's loss is reported");
  t.match(err.join(""), /compiling char-lstm \(-O3, passes 1\)/, "progress on stderr");
});
