/**
 * The catalogue of bad inputs (docs/errors.md), for the cases not covered elsewhere: each gets its
 * exact one-line error from the command line, exit code 1, no stack trace, and no partial output.
 * (Malformed JSON, schema violations, unknown ops, shape mismatches, cycles and --dims sizes:
 * test/frontend/program.test.ts and test/cli/cli.test.ts; TypeScript cells: test/dsl/errors.test.ts;
 * manifests and modules: runtime-boundary.test.ts.)
 */
import t, { type Test } from "tap";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { ROOT, rnnc } from "../_shared/spawn.ts";
import type { Run } from "../_shared/spawn.ts";

const dir = mkdtempSync(join(tmpdir(), "rnnc-bad-"));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
/** Paths as the CLI shows them: relative to the repository root, where it runs. */
const rel = (f: string) => relative(ROOT, f);

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Exit 1, exactly these stderr lines, nothing that looks like a stack trace or an internal error. */
function refused(t: Test, r: Run, lines: string[], what: string): void {
  t.equal(r.status, 1, `${what}: exit 1`);
  const got = r.stderr.split("\n").filter((l) => l !== "" && !/^compiling /.test(l));
  t.same(got, lines, `${what}: the exact message`);
  t.notMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, `${what}: no stack trace`);
  t.notMatch(r.stderr, /internal error/, `${what}: not an internal error`);
}

const EMB = JSON.stringify({
  rnnc: "model", name: "emb", sizes: { V: 3, D: 2 },
  inputs: { tokens: { shape: [], dtype: "i32", sequence: true } },
  params: { E: { shape: ["V", "D"] } },
  equations: { e: "embedding(E, tokens)" },
  outputs: { e: "e" },
});

t.test("an id out of range in rnnc eval's tensors is refused before the run, on either backend", async (t) => {
  const model = file("emb.json", EMB);
  const tensors = file("tok.json", JSON.stringify({ E: { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] }, tokens: { shape: [2, 1], dtype: "i32", data: [1, 5] } }));
  for (const backend of ["interp", "wasm"]) {
    refused(t, rnnc("eval", rel(model), "--tensors", rel(tensors), "--backend", backend),
      [`rnnc: ${rel(tensors)}: tokens: value 5 at index 1 is outside its range [0, 3)`], `--backend ${backend}`);
  }
  const negative = file("neg.json", JSON.stringify({ E: { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] }, tokens: { shape: [2, 1], dtype: "i32", data: [-1, 0] } }));
  refused(t, rnnc("eval", rel(model), "--tensors", rel(negative), "--backend", "interp"),
    [`rnnc: ${rel(negative)}: tokens: value -1 at index 0 is outside its range [0, 3)`], "a negative id");
});

t.test("a value that is not a finite number in rnnc eval's tensors", async (t) => {
  // JSON has no NaN; 1e999 parses as Infinity
  const tensors = file("inf.json", '{"Whx": {"shape": [3, 2], "data": [0.1, 0.2, 0.3, 0.4, 0.5, 1e999]}, "Whh": {"shape": [3, 3], "data": [0, 0, 0, 0, 0, 0, 0, 0, 0]}, "bh": {"shape": [3], "data": [0, 0, 0]}, "x": {"shape": [1, 1, 2], "data": [1, 2]}}');
  refused(t, rnnc("eval", "examples/cells/elman.json", "--dims", "I=2,H=3", "--tensors", rel(tensors)),
    [`rnnc: ${rel(tensors)}: Whx.data[5]: expected a number or a nested array of numbers, found Infinity`], "1e999");
  const nan = file("nan.json", '{"Whx": {"shape": [3, 2], "data": [0.1, 0.2, 0.3, 0.4, 0.5, "NaN"]}}');
  refused(t, rnnc("eval", "examples/cells/elman.json", "--dims", "I=2,H=3", "--tensors", rel(nan)),
    [`rnnc: ${rel(nan)}: Whx.data[5]: expected a number or a nested array of numbers, found "NaN"`], '"NaN"');
});

t.test("a memory plan beyond 4 GiB is refused at compile time, with the figure, and nothing is written", async (t) => {
  const out = join(dir, "big");
  // Whh alone is 40000² f32 = 6.4 GB; with its gradient and the input weights, 19.2 GB
  const r = rnnc("compile", "examples/cells/elman.json", "--dims", "I=4,H=40000", "-o", rel(out));
  // the figure depends on the memory plan (scratch reuse changes with the lowering): the message
  // is held exactly up to it, and the figure to what the parameters and their gradients need
  const m = /^rnnc: examples\/cells\/elman\.json: the memory plan needs (\d+) bytes at B=1, T=1 \((\d+\.\d) GiB\), beyond WebAssembly's 4 GiB limit \(4294967296 bytes\)$/.exec(r.stderr.split("\n").filter((l) => l && !l.startsWith("compiling "))[0] ?? "");
  const need = Number(m?.[1]);
  refused(t, r, [`rnnc: examples/cells/elman.json: the memory plan needs ${need} bytes at B=1, T=1 (${(need / 2 ** 30).toFixed(1)} GiB), beyond WebAssembly's 4 GiB limit (4294967296 bytes)`], "H=40000");
  const paramsAndGrads = 2 * 4 * (40000 * 40000 + 40000 * 4 + 40000);
  t.ok(need >= paramsAndGrads && need < 2 * paramsAndGrads, `${need} bytes: at least the ${paramsAndGrads} of the parameters and their gradients`);
  t.notOk(existsSync(out), "no output folder");
});

t.test("a corrupted checkpoint given to rnnc sample", async (t) => {
  const ck = file("garbage.safetensors", "garbage!garbage!");
  refused(t, rnnc("sample", rel(ck)),
    [`rnnc: ${rel(ck)}: not a valid safetensors file (the header claims 2406443243860550000 bytes but the file has 8 after the length: truncated?)`], "garbage");
  const empty = file("empty.safetensors", "");
  refused(t, rnnc("sample", rel(empty)), [`rnnc: ${rel(empty)}: not a valid safetensors file (0 bytes, shorter than its 8-byte header length)`], "an empty file");
  refused(t, rnnc("sample", rel(join(dir, "nope.safetensors"))), [`rnnc: ${rel(join(dir, "nope.safetensors"))}: cannot read the checkpoint (ENOENT)`], "a missing file");
});

t.test("a TypeScript cell that does not parse", async (t) => {
  const ts = file("bad.cell.ts", 'import { cell } from "rnnc/dsl";\nexport default cell("x", {}, () => {\n  return {;\n');
  const r = rnnc("check", rel(ts));
  refused(t, r, [
    `rnnc: ${rel(ts)}:3:11: syntax error: Property assignment expected.`,
    "      return {;",
    "              ^",
    `rnnc: ${rel(ts)}:4:1: syntax error: '}' expected.`,
    "    ",
    "    ^",
  ], "an unclosed object literal");
});

t.test("no temporary files are left behind by any of the refused commands", async (t) => {
  t.same(readdirSync(dir).filter((f) => f.endsWith(".tmp")), [], "no *.tmp in the scratch folder");
});
