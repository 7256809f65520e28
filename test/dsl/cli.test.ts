/**
 * The rnnc command on TypeScript cells: check, eval, gradcheck and compile accept `*.cell.ts`
 * wherever they accept JSON (and agree with the JSON form), convert goes both ways, errors are
 * `file:line:col` with the source line, and `compile --emit-ts` writes typed bindings that
 * type-check, reject wrong names and run.
 */
import t from "tap";
import { rnnc, tsxScript } from "../_shared/spawn.ts";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { cellToTypeScript, readCellDocument } from "../../compiler/dsl/convert.ts";
import { tsMorph } from "../../compiler/dsl/static.ts";
import { ROOT } from "./_helpers.ts";

process.chdir(ROOT);
// inside the package (.scratch is git-ignored), so that "rnnc/dsl" and "rnnc/runtime" resolve
mkdirSync(join(ROOT, ".scratch"), { recursive: true });
const tmp = mkdtempSync(join(ROOT, ".scratch", "dsl-cli-"));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const rel = relative(ROOT, tmp);


t.test("check: the same signature from JSON and TypeScript", async (t) => {
  const a = rnnc("check", "examples/cells/lstm.cell.ts", "--dims", "I=3,H=5");
  const b = rnnc("check", "examples/cells/lstm.json", "--dims", "I=3,H=5");
  t.equal(a.status, 0, a.stderr);
  t.equal(a.stdout.replace("lstm.cell.ts", "lstm.json"), b.stdout);
});

t.test("errors: file:line:col, the source line and a caret", async (t) => {
  const r = rnnc("check", "test/fixtures/dsl/bad-shape.cell.ts");
  t.equal(r.status, 1);
  t.equal(r.stdout, "");
  t.equal(r.stderr, [
    "rnnc: test/fixtures/dsl/bad-shape.cell.ts:9:5: matmul of Wgh [H=8, H=8] with x [I=4]: the matrix has 8 columns but the vector has 4 elements",
    "        matmul(param(`W${n}h`, [H, H]), x),",
    "        ^",
    "    in gate(), called from test/fixtures/dsl/bad-shape.cell.ts:11:13",
    "",
  ].join("\n"));
  t.notOk(r.stderr.includes("    at "), "no stack trace");
  const d = rnnc("check", "examples/cells/elman.cell.ts", "--dims", "Q=3");
  t.equal(d.stderr, `rnnc: examples/cells/elman.cell.ts: --dims: unknown size "Q" (sizes: I, H)\n`, "--dims errors as for JSON");
});

t.test("eval and gradcheck on a TypeScript cell", async (t) => {
  const inputs = join(tmp, "in.json");
  const n = (k: number) => Array.from({ length: k }, (_, i) => Math.sin(i + 1) / 2);
  writeFileSync(inputs, JSON.stringify({
    Whx: { shape: [3, 2], data: n(6) }, Whh: { shape: [3, 3], data: n(9) }, bh: { shape: [3], data: n(3) },
    x: { shape: [4, 2, 2], data: n(16) },
  }));
  const a = rnnc("eval", "examples/cells/elman.cell.ts", "--dims", "I=2,H=3", "--tensors", inputs, "--backend", "interp");
  const b = rnnc("eval", "examples/cells/elman.json", "--dims", "I=2,H=3", "--tensors", inputs, "--backend", "interp");
  t.equal(a.status, 0, a.stderr);
  t.equal(a.stdout, b.stdout, "the same outputs as the JSON cell");
  const g = rnnc("gradcheck", "examples/cells/gru.cell.ts", "--dims", "I=2,H=2", "--seq", "3");
  t.equal(g.status, 0, g.stderr + g.stdout);
  t.match(g.stdout, /max rel\. error/);
});

t.test("convert, both ways", async (t) => {
  const j = rnnc("convert", "examples/cells/gru.cell.ts");
  t.equal(j.status, 0, j.stderr);
  t.equal(j.stdout, readFileSync("examples/cells/gru.json", "utf8"), "TS → JSON: gru.json");
  const out = join(rel, "lstm.cell.ts");
  const ts = rnnc("convert", "examples/cells/lstm.json", "--to", "ts", "-o", out);
  t.equal(ts.status, 0, ts.stderr);
  t.equal(ts.stdout, "", "-o: nothing on stdout");
  t.equal(readFileSync(out, "utf8"), cellToTypeScript(readCellDocument("examples/cells/lstm.json")));
  const c = rnnc("check", out);
  t.equal(c.status, 0, "the converted file checks");
  const bad = rnnc("convert", "test/fixtures/dsl/bad-shape.cell.ts");
  t.equal(bad.status, 1);
  t.match(bad.stderr, /^rnnc: test\/fixtures\/dsl\/bad-shape\.cell\.ts:9:5: matmul of Wgh/);
  const to = rnnc("convert", "examples/cells/gru.json", "--to", "yaml");
  t.equal(to.stderr, `rnnc: convert: --to must be ts or json, got "yaml"\n`);
});

t.test("compile --emit-ts: typed bindings", async (t) => {
  const dir = join(rel, "elman");
  const r = rnnc("compile", "examples/cells/elman.cell.ts", "--dims", "I=2,H=3", "-O0", "--emit-ts", "-o", dir);
  t.equal(r.status, 0, r.stderr);
  for (const f of ["model.wasm", "model.manifest.json", "model.ts", "model.d.ts"]) t.ok(existsSync(join(dir, f)), f);
  const src = readFileSync(join(dir, "model.ts"), "utf8");
  t.match(src, "export interface ElmanParams {\n  /** f32 [H=3, I=2], init \"glorot_uniform\" */\n  Whx: Float32Array;");
  t.match(src, "export interface ElmanInputs {\n  /** f32 [T, B, I=2] */\n  x: TensorInput;\n}");
  t.match(readFileSync(join(dir, "model.d.ts"), "utf8"), "export declare class ElmanModel {");

  // type-check the bindings, a program using them (wrong names must be errors), and converted cells
  const use = join(tmp, "use.ts");
  writeFileSync(use, [
    `import { ElmanModel } from "./elman/model.ts";`,
    `export async function run(wasm: Uint8Array, manifest: unknown): Promise<number> {`,
    `  const m = await ElmanModel.load(wasm, manifest);`,
    `  m.setParams({ Whx: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], bh: [0, 0, 1] });`,
    `  const r = m.forward({ x: new Float32Array(2 * 1 * 2).fill(1) }, { B: 1 });`,
    `  const h: Float32Array = r.outputs.h;`,
    `  const back = m.backward({ x: [1, 1, 1, 1] }, { final: { h: [1, 1, 1] } }, { B: 1 });`,
    `  m.resetState(1);`,
    `  m.step({ x: [1, 2] });`,
    `  return h.length + back.grads.Whh.length + m.getState("h").length;`,
    `}`,
    `// never called: only type-checked`,
    `export function wrongNames(m: ElmanModel, r: ReturnType<ElmanModel["forward"]>): void {`,
    `  // @ts-expect-error: the model has no input "y"`,
    `  m.forward({ y: [1] });`,
    `  // @ts-expect-error: no parameter "Wxh"`,
    `  m.param("Wxh");`,
    `  // @ts-expect-error: no output "y"`,
    `  void r.outputs.y;`,
    `  // @ts-expect-error: a cell has no loss`,
    `  void r.loss;`,
    `  // @ts-expect-error: no state "s"`,
    `  m.setState("s", [0]);`,
    `}`,
    ``,
  ].join("\n"));
  const m = tsMorph();
  const project = new m.Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      strict: true, noEmit: true, target: m.ts.ScriptTarget.ES2022, module: m.ts.ModuleKind.NodeNext, moduleResolution: m.ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], types: ["node"], skipLibCheck: true,
    },
  });
  project.addSourceFileAtPath(use);
  project.addSourceFileAtPath(join(dir, "model.ts"));
  project.addSourceFileAtPath(join(tmp, "lstm.cell.ts"));
  const odd = join(tmp, "gru.cell.ts");
  writeFileSync(odd, cellToTypeScript(readCellDocument("examples/cells/gru.json")));
  project.addSourceFileAtPath(odd);
  const diags = project.getPreEmitDiagnostics().map((d) => `${d.getSourceFile()?.getBaseName()}:${d.getLineNumber()}: ${m.ts.flattenDiagnosticMessageText(d.getMessageText() as string, " ")}`);
  t.same(diags, [], "no type errors (and every @ts-expect-error is one)");

  // and they run (in a process of their own, kept out of the coverage report)
  const runner = join(tmp, "run.ts");
  writeFileSync(runner, [
    `import { readFileSync } from "node:fs";`,
    `import { run } from "./use.ts";`,
    `const wasm = readFileSync(new URL("elman/model.wasm", import.meta.url));`,
    `const manifest = JSON.parse(readFileSync(new URL("elman/model.manifest.json", import.meta.url), "utf8"));`,
    `console.log(await run(wasm, manifest));`,
    `manifest.graphHash = "0".repeat(64);`,
    `try { await run(wasm, manifest); } catch (e) { console.log((e as Error).message); }`,
    ``,
  ].join("\n"));
  const ran = tsxScript([runner], 60_000);
  t.equal(ran.stderr, "", "no errors");
  const [n, refused] = ran.stdout.trim().split("\n");
  t.equal(n, String(2 * 3 + 9 + 3), "forward, backward and step through the bindings");
  // a manifest edited to claim another graph: the runtime sees that the module's own hash
  // (its rnnc.graph_hash section) differs before the bindings' own check is reached
  t.match(refused, /^manifest does not match its module: the manifest describes graph 000000000000…, the module was compiled from graph [0-9a-f]{12}…$/, "a different model is refused");
});
