/**
 * The rnnc command, run as a subprocess from the repo root: exit codes, stdout and stderr.
 * Each spawn costs ~0.5–1 s (tsx), and a WebAssembly compile several seconds, so each spawn
 * checks as much as it can. Bad input must exit 1 with one `rnnc: ` line per problem and no
 * stack trace; the messages are catalogued in docs/errors.md.
 */
import t from "tap";
import type { Test } from "tap";
import { rnnc } from "../_shared/spawn.ts";
import type { Run } from "../_shared/spawn.ts";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradCheck, rng } from "../../compiler/autodiff/gradcheck.ts";
import { bindInputs, evaluate } from "../../compiler/eval.ts";
import { loadProgram } from "../../compiler/frontend/program.ts";
import { readTensorFile } from "../../compiler/frontend/tensors.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import { EXAMPLES, ROOT } from "../frontend/_helpers.ts";

process.chdir(ROOT);
const tmp = mkdtempSync(join(tmpdir(), "rnnc-cli-"));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));


const ELMAN = "examples/cells/elman.json";
const ELMAN_DIMS = "I=2,H=3";
const ELMAN_IN = "test/fixtures/tensors/elman-in.json";
const CHAR = "test/fixtures/models/char-lstm.json";
const CHAR_IN = "test/fixtures/tensors/char-lstm-in.json";

/** No stack trace, ever: neither V8 frames nor an `Error:` name. */
function noStackTrace(t: Test, r: Run, what: string): void {
  t.notOk(r.stderr.includes("    at "), `${what}: no stack frames on stderr`);
  t.notOk(r.stderr.includes("Error:"), `${what}: no "Error:" on stderr`);
  t.notOk(r.stdout.includes("    at "), `${what}: no stack frames on stdout`);
}

/** Exit 1, nothing on stdout, and exactly these problems on stderr, one `rnnc: ` line each. */
function failsWith(t: Test, r: Run, problems: string[], what: string): void {
  t.equal(r.status, 1, `${what}: exit code 1`);
  t.equal(r.stdout, "", `${what}: nothing on stdout`);
  t.equal(r.stderr, problems.map((p) => `rnnc: ${p}\n`).join(""), `${what}: stderr`);
  t.ok(r.stderr.trimEnd().split("\n").every((l) => l.startsWith("rnnc: ")), `${what}: every line starts with "rnnc: "`);
  noStackTrace(t, r, what);
}

interface TensorJson { shape: number[]; data: number[]; dtype?: string }
interface EvalJson { outputs: Record<string, TensorJson>; final: Record<string, TensorJson>; loss?: number; grads?: Record<string, TensorJson> }

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

// ---- usage ------------------------------------------------------------------------------------------

t.test("usage, help, unknown commands and options", async (t) => {
  const none = rnnc();
  t.equal(none.status, 1, "no arguments: exit 1");
  t.match(none.stdout, /^rnnc — a compiler for recurrent neural networks\n\nusage: rnnc <command> \[options\]\n/, "no arguments: usage");
  for (const c of ["check", "compile", "eval", "gradcheck"]) t.match(none.stdout, new RegExp(`\\n  ${c} +\\S`), `usage lists ${c}`);
  t.equal(none.stderr, "");

  const options: Record<string, string[]> = {
    check: ["--dims", "--quiet"],
    compile: ["--dims", "-O0|-O1|-O2|-O3", "--wat", "-o DIR"],
    eval: ["--tensors IN.json", "--dims", "--vjp COT.json", "--backend wasm|interp", "--out OUT.json"],
    gradcheck: ["--dims", "--batch", "--seq", "--seed", "--tensors", "--tol"],
  };
  for (const [c, opts] of Object.entries(options)) {
    const r = rnnc(c, "--help");
    t.equal(r.status, 0, `${c} --help: exit 0`);
    t.ok(r.stdout.startsWith(`usage: rnnc ${c} FILE `), `${c} --help: usage line`);
    for (const o of opts) t.ok(r.stdout.split("\n")[0]!.includes(o), `${c} --help mentions ${o}`);
    t.equal(r.stderr, "", `${c} --help: nothing on stderr`);
  }

  const unknown = rnnc("frob", ELMAN);
  t.equal(unknown.status, 1, "unknown command: exit 1");
  t.equal(unknown.stdout, "");
  t.ok(unknown.stderr.startsWith(`rnnc: unknown command "frob"\n\nrnnc — a compiler`), "unknown command: named, then the usage");
  noStackTrace(t, unknown, "unknown command");

  failsWith(t, rnnc("check", "--frob", ELMAN), ["check: unknown option '--frob' (see rnnc check --help)"], "unknown option");
});

// ---- check ------------------------------------------------------------------------------------------

t.test("check", async (t) => {
  const ok = rnnc("check", CHAR, "--dims", "H=5");
  t.equal(ok.status, 0, "a valid model: exit 0");
  const lstm = ["g", "i", "f", "o"].flatMap((g) => [`enc.W${g}x [5, 3]`, `enc.W${g}h [5, 5]`, `enc.b${g} [5]`]);
  t.equal(ok.stdout, [
    `${CHAR}: ok — model char-lstm (V=7, D=3, H=5)`,
    `  params:  E [7, 3], Wy [7, 5], by [7], ${lstm.join(", ")}`,
    `  inputs:  tokens i32[T, B], targets i32[T, B], lengths i32[B]`,
    `  states:  enc.h [B, 5], enc.s [B, 5]`,
    `  outputs: logits [T, B, 7]`,
    `  loss:    scalar`,
    ``,
  ].join("\n"), "its signature, with the --dims override applied");
  t.equal(ok.stderr, "");

  failsWith(t, rnnc("check", "test/fixtures/bad/schema.json"), [
    `test/fixtures/bad/schema.json: (root): missing required property "equations"`,
    `test/fixtures/bad/schema.json: sizes.H: expected a positive integer, found 0`,
    `test/fixtures/bad/schema.json: state.h.dtype: expected "f32" or "i32", found "f64"`,
    `test/fixtures/bad/schema.json: params.Whx.shape[1]: expected a positive integer or a size name, found -3`,
    `test/fixtures/bad/schema.json: (root): unknown property "equatons"`,
  ], "schema violations: one line each");
  failsWith(t, rnnc("check", "test/fixtures/bad/malformed.json"),
    ["test/fixtures/bad/malformed.json:4:3: malformed JSON: expected ',' or '}' after property value"], "malformed JSON");
  failsWith(t, rnnc("check", "test/fixtures/bad/lstm.json"), [
    "test/fixtures/bad/lstm.json: equations.i: matmul of Wix [H=128, I=64] with x [65]: the matrix has 64 columns but the vector has 65 elements",
  ], "a shape mismatch");
});

// ---- eval ---------------------------------------------------------------------------------------------

let interpElman: EvalJson | undefined;

t.test("eval --backend interp on a cell", async (t) => {
  const r = rnnc("eval", ELMAN, "--dims", ELMAN_DIMS, "--tensors", ELMAN_IN, "--backend", "interp");
  t.equal(r.status, 0, "exit 0");
  t.equal(r.stderr, "");
  const out = JSON.parse(r.stdout) as EvalJson;
  interpElman = out;
  t.same(Object.keys(out), ["outputs", "final"], "outputs and final states; no loss or grads without --vjp");
  t.same(out.outputs.h!.shape, [3, 2, 3], "outputs.h is [T, B, H]");
  t.same(out.final.h!.shape, [2, 3], "final.h is [B, H]");
  t.same(out.final.h!.data, out.outputs.h!.data.slice(6 * 2), "the final state is the last step's output");
  const p = loadProgram(ELMAN, { I: 2, H: 3 });
  const ref = await evaluate(p, readTensorFile(ELMAN_IN).tensors, { file: ELMAN_IN });
  t.same(out.outputs.h!.data, Array.from(ref.outputs.h!.data), "the values of the in-process interpreter");
});

t.test("eval --vjp gives gradCheck's analytic gradients", async (t) => {
  const p = loadProgram(ELMAN, { I: 2, H: 3 });
  const inputs = bindInputs(p, readTensorFile(ELMAN_IN).tensors, ELMAN_IN);
  // the random cotangents gradCheck draws (seed 5): one per f32 graph output, in order
  const rand = rng(5);
  const cts = runGraph(p.graph, inputs).map((o) => tensor(o.shape, Array.from(o.data, () => rand() * 2 - 1)));
  const json = (x: Tensor) => ({ shape: x.shape, data: Array.from(x.data) });
  const cot = join(tmp, "cot.json");
  writeFileSync(cot, JSON.stringify({ outputs: { h: json(cts[0]!) }, final: { h: json(cts[1]!) } }));
  const wrt = p.graph.inputs;
  const check = gradCheck(p.graph, inputs, wrt, { seed: 5 });
  t.ok(check.maxRelError < 1e-6, `gradCheck passes (max rel. error ${check.maxRelError.toExponential(2)})`);

  const outFile = join(tmp, "out.json");
  const r = rnnc("eval", ELMAN, "--dims", ELMAN_DIMS, "--tensors", ELMAN_IN, "--vjp", cot, "--backend", "interp", "--out", outFile);
  t.equal(r.status, 0, "exit 0");
  t.equal(r.stdout, "", "--out: nothing on stdout");
  t.equal(r.stderr, "");
  const out = JSON.parse(readFileSync(outFile, "utf8")) as EvalJson;
  t.same(Object.keys(out.grads ?? {}), ["Whx", "Whh", "bh", "x", "h"], "a gradient for every param, input and initial state");
  for (const e of check.errors) {
    const g = out.grads![e.name]!;
    t.same(g.shape, inputs[p.graph.inputs.indexOf(e.name)]!.shape, `grads.${e.name}: shape`);
    t.ok(maxAbsDiff(g.data, e.analytic) < 1e-12, `grads.${e.name} = gradCheck's analytic gradient`);
  }
});

t.test("eval of a model with a loss reports the loss and its gradients without --vjp", async (t) => {
  const r = rnnc("eval", CHAR, "--tensors", CHAR_IN, "--backend", "interp");
  t.equal(r.status, 0, "exit 0");
  t.equal(r.stderr, "");
  const out = JSON.parse(r.stdout) as EvalJson;
  t.same(Object.keys(out), ["outputs", "final", "loss", "grads"]);
  t.same(out.outputs.logits!.shape, [3, 2, 7]);
  t.same(Object.fromEntries(Object.entries(out.final).map(([k, v]) => [k, v.shape])), { "enc.h": [2, 4], "enc.s": [2, 4] });
  const p = loadProgram(CHAR);
  const given = readTensorFile(CHAR_IN).tensors;
  const inputs = bindInputs(p, given, CHAR_IN);
  const lossOf = () => runGraph(p.graph, inputs).at(-1)!.data[0]!;
  t.ok(Math.abs(out.loss! - lossOf()) < 1e-12, `loss ${out.loss} is the interpreter's`);
  t.same(Object.keys(out.grads!), p.graph.inputs.filter((n) => p.graph.types.get(n)!.dtype === "f32"), "a gradient for every f32 input");
  // central differences of the loss, on a few entries of params on both sides of the scan
  let worst = 0;
  for (const [name, k] of [["by", 3], ["Wy", 10], ["E", 4], ["enc.Wgh", 7], ["enc.bf", 1], ["enc.init.s", 5]] as const) {
    const x = inputs[p.graph.inputs.indexOf(name)]!;
    const orig = x.data[k]!;
    const h = 1e-6;
    x.data[k] = orig + h;
    const up = lossOf();
    x.data[k] = orig - h;
    const down = lossOf();
    x.data[k] = orig;
    const numeric = (up - down) / (2 * h);
    const analytic = out.grads![name]!.data[k]!;
    worst = Math.max(worst, Math.abs(analytic - numeric) / Math.max(1e-3, Math.abs(numeric)));
  }
  t.ok(worst < 1e-6, `gradients agree with finite differences of the loss (worst rel. error ${worst.toExponential(2)})`);
});

t.test("eval errors", async (t) => {
  const evalWith = (tensors: string, ...more: string[]) => rnnc("eval", ELMAN, "--dims", ELMAN_DIMS, "--tensors", tensors, "--backend", "interp", ...more);
  const T = "test/fixtures/tensors";
  failsWith(t, evalWith(`${T}/bad-missing.json`), [`${T}/bad-missing.json: missing tensor "Whh" (f32 [3, 3])`], "a missing tensor");
  failsWith(t, evalWith(`${T}/bad-unknown.json`), [`${T}/bad-unknown.json: unknown tensor "Whq" (elman takes: Whx, Whh, bh, x, h)`],
    "an unknown tensor");
  failsWith(t, evalWith(`${T}/bad-shape.json`), [`${T}/bad-shape.json: Whh: expected shape [3, 3], got [3, 2]`], "a tensor of the wrong shape");
  failsWith(t, evalWith(`${T}/bad-nesting.json`), [`${T}/bad-nesting.json: x: data has 4 entries at depth 1, but shape [3, 2, 2] says 2`],
    "nested data of the wrong depth");
  failsWith(t, evalWith(`${T}/bad-number.json`), [`${T}/bad-number.json: bh.data[1]: expected a number or a nested array of numbers, found "0.2"`],
    "non-numeric data");
  failsWith(t, evalWith(ELMAN_IN, "--backend", "gpu"), [`eval: unknown backend "gpu" (backends: interp, wasm)`], "an unknown backend");
  failsWith(t, rnnc("eval", ELMAN, "--dims", "I=2,H=three", "--tensors", ELMAN_IN), [`--dims: expected NAME=VALUE pairs like I=4,H=5, got "H=three"`],
    "bad --dims");
});

// ---- gradcheck ------------------------------------------------------------------------------------

t.test("gradcheck passes on every example cell", async (t) => {
  for (const name of EXAMPLES) {
    const r = rnnc("gradcheck", `examples/cells/${name}.json`);
    t.equal(r.status, 0, `${name}: exit 0`);
    const lines = r.stdout.trimEnd().split("\n");
    const rows = lines.slice(0, -1);
    t.ok(rows.length >= 5 && rows.every((l) => /^ok {3}\S+ +rel\. error \d\.\d\de[-+]\d+$/.test(l)), `${name}: every gradient ok`);
    t.match(lines.at(-1), /^max rel\. error \d\.\d\de-\d+ \(tolerance 0\.000001\)$/, `${name}: summary line`);
    t.equal(r.stderr, "");
  }
});

t.test("gradcheck of a model with truncated BPTT explains its failures", async (t) => {
  const r = rnnc("gradcheck", CHAR, "--seq", "5");
  t.equal(r.status, 1, "T > truncate: exit 1");
  t.match(r.stdout, /^ok {3}Wy +rel\. error/m, "the dense layer, after the scan, is exact");
  t.match(r.stdout, /^FAIL enc\.Wgh +rel\. error/m, "the scan's weights are truncated");
  t.ok(r.stdout.endsWith("note: truncated BPTT (truncate: 3) is shorter than --seq 5: those gradients are truncated on purpose "
    + "and differ from finite differences; use --seq 3 to check them\n"), "a note says why");
  t.equal(r.stderr, "");
});

// ---- compile and the WebAssembly backend -------------------------------------------------------------

t.test("compile", async (t) => {
  const dir = join(tmp, "elman");
  const r = rnnc("compile", ELMAN, "--dims", ELMAN_DIMS, "-O1", "--wat", "-o", dir);
  t.equal(r.status, 0, "exit 0");
  t.equal(r.stderr, "compiling elman (-O1, passes 2)…\n", "progress on stderr");
  const wasm = readFileSync(join(dir, "model.wasm"));
  t.same([...wasm.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], "model.wasm is a WebAssembly module");
  t.match(r.stdout, new RegExp(`^${join(dir, "model.wasm").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${wasm.length} bytes \\(\\d+ ms\\)\\n$`),
    "stdout: path and size");
  const manifest = JSON.parse(readFileSync(join(dir, "model.manifest.json"), "utf8"));
  t.match(manifest, { format: "rnnc-manifest", name: "elman", kind: "cell", sizes: { I: 2, H: 3 } }, "the manifest");
  t.ok(readFileSync(join(dir, "model.wat"), "utf8").startsWith("(module"), "--wat writes the text form");

  const bad = join(tmp, "bad-level");
  failsWith(t, rnnc("compile", ELMAN, "-O5", "-o", bad), [`-O: expected a level 0 to 3 (-O0 … -O3), got "-O5"`], "a bad -O level");
  t.notOk(existsSync(bad), "nothing is written");
  failsWith(t, rnnc("compile", ELMAN, "--passes", "3", "-o", bad), [`--passes: expected 0 (none), 1 (clean-ups) or 2 (all), got "3"`], "a bad pass level");
  t.notOk(existsSync(bad), "nothing is written");
  const raw = join(tmp, "passes0");
  t.equal(rnnc("compile", ELMAN, "--dims", ELMAN_DIMS, "-O1", "--passes", "0", "--wat", "-o", raw).status, 0, "--passes 0 compiles");
  t.not(readFileSync(join(raw, "model.wat"), "utf8"), readFileSync(join(dir, "model.wat"), "utf8"), "and lowers a different (unoptimized) graph");
  failsWith(t, rnnc("compile", ELMAN), ["compile: missing -o DIR (the output folder)"], "no -o");
});

t.test("eval --backend wasm (the default) agrees with --backend interp", async (t) => {
  const r = rnnc("eval", ELMAN, "--dims", ELMAN_DIMS, "--tensors", ELMAN_IN);
  t.equal(r.status, 0, "exit 0");
  const wasm = JSON.parse(r.stdout) as EvalJson;
  t.ok(interpElman, "the interpreter's result is at hand");
  if (!interpElman) return;
  t.same(wasm.outputs.h!.shape, interpElman.outputs.h!.shape);
  const d = Math.max(maxAbsDiff(wasm.outputs.h!.data, interpElman.outputs.h!.data), maxAbsDiff(wasm.final.h!.data, interpElman.final.h!.data));
  t.ok(d < 1e-4, `within 1e-4 (max abs. diff ${d.toExponential(2)})`);
});
