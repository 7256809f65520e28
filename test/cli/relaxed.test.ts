/**
 * `--relaxed-simd` on `rnnc compile` and `rnnc bench` (subprocesses, Node 20 as it starts: relaxed
 * SIMD off until the command turns it on), and their help texts.
 */
import t from "tap";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rnnc } from "../_shared/spawn.ts";

const RELAXED_MADD = [0xfd, 0x85, 0x02];
const holds = (bytes: Uint8Array, seq: number[]) => bytes.some((_, i) => seq.every((b, k) => bytes[i + k] === b));

t.test("rnnc compile --relaxed-simd: the manifest says so and the module holds f32x4.relaxed_madd", async (t) => {
  const on = mkdtempSync(join(tmpdir(), "rnnc-relaxed-on-")), off = mkdtempSync(join(tmpdir(), "rnnc-relaxed-off-"));
  const a = rnnc("compile", "examples/cells/lstm.json", "--dims", "I=4,H=8", "--relaxed-simd", "-o", on);
  t.equal(a.status, 0, a.stderr);
  t.match(a.stderr, /compiling lstm \(-O3, passes 2, relaxed SIMD\)/, "progress names the option");
  const b = rnnc("compile", "examples/cells/lstm.json", "--dims", "I=4,H=8", "-o", off);
  t.equal(b.status, 0, b.stderr);
  t.match(b.stderr, /compiling lstm \(-O3, passes 2\)…/, "without it: as before");
  const manOn = JSON.parse(readFileSync(join(on, "model.manifest.json"), "utf8")), manOff = JSON.parse(readFileSync(join(off, "model.manifest.json"), "utf8"));
  t.same(manOn.features, ["relaxed-simd"], "features: [\"relaxed-simd\"]");
  t.notOk("features" in manOff, "no features key without the flag");
  t.ok(holds(readFileSync(join(on, "model.wasm")), RELAXED_MADD), "with: the opcode 0xfd 0x85 0x02");
  t.notOk(holds(readFileSync(join(off, "model.wasm")), RELAXED_MADD), "without: not");
});

t.test("rnnc bench --relaxed-simd turns the feature on in its process and times the module", async (t) => {
  const r = rnnc("bench", "examples/cells/elman.json", "--dims", "I=4,H=8", "--batch", "2", "--seq", "5", "--json", "--runs", "3", "--relaxed-simd");
  t.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout.trim()) as Record<string, number>;
  t.same(Object.keys(j).sort(), ["max_ms", "median_ms", "min_ms", "runs"], "the same four fields");
  t.ok(j.median_ms! > 0 && j.runs === 3);
  t.match(r.stderr, /relaxed SIMD/, "progress names the option");
  const text = rnnc("bench", "examples/cells/elman.json", "--dims", "I=4,H=8", "--batch", "2", "--seq", "5", "--runs", "3", "--relaxed-simd", "--clock", "cpu");
  t.equal(text.status, 0, text.stderr);
  t.match(text.stdout, /, cpu clock, relaxed SIMD; loss /, "the summary line says relaxed SIMD");
});

t.test("help texts document --relaxed-simd", async (t) => {
  for (const cmd of ["compile", "bench"]) {
    const r = rnnc(cmd, "--help");
    t.equal(r.status, 0);
    t.match(r.stdout, /\[--relaxed-simd\]/, `${cmd}: in the usage line`);
    t.match(r.stdout, /--relaxed-simd +\S/, `${cmd}: explained`);
  }
});
