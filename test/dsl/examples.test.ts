/**
 * Every example cell exists as JSON and as TypeScript (examples/cells/*.cell.ts), and all ways of
 * reading it give identical IR: the JSON frontend, the static TypeScript frontend (the file is
 * never run), and tracing (importing the file and running the cell body). Converting either form
 * to the other and back gives the same IR too.
 */
import t from "tap";
import { readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { convertCell, cellToTypeScript, readCellDocument } from "../../compiler/dsl/convert.ts";
import { toDocument } from "../../compiler/dsl/index.ts";
import type { CellDef } from "../../compiler/dsl/index.ts";
import { evaluateCellSource, readCellFile } from "../../compiler/dsl/static.ts";
import { loadAnyProgram } from "../../compiler/frontend/load.ts";
import { buildCell, loadProgram } from "../../compiler/frontend/program.ts";
import { canonical } from "../frontend/_helpers.ts";
import { cellIR, EXAMPLES, ROOT } from "./_helpers.ts";

process.chdir(ROOT);

const CELLS = [
  ...EXAMPLES.map((n) => ({ name: n, json: `examples/cells/${n}.json`, ts: `examples/cells/${n}.cell.ts` })),
  { name: "stacked-elman", json: "test/fixtures/dsl/stacked-elman.json", ts: "test/fixtures/dsl/stacked-elman.cell.ts" },
];

const json = (f: string) => JSON.parse(readFileSync(f, "utf8"));

for (const c of CELLS) {
  t.test(`${c.name}: JSON, static TypeScript and traced TypeScript give identical IR`, async (t) => {
    const fromJson = buildCell(json(c.json), c.json);
    const stat = readCellFile(c.ts);
    const fromTs = stat.build();
    const mod = (await import(`../../${c.ts}`)) as { default: CellDef };
    const traced = toDocument(mod.default);
    t.ok(isDeepStrictEqual(traced, stat.doc), "tracing and the static frontend build the same document");
    const fromTraced = buildCell(traced, c.ts);
    t.equal(cellIR(fromTs), cellIR(fromJson), "static TypeScript = JSON (canonical)");
    t.ok(isDeepStrictEqual(fromTs.body, fromJson.body), "static TypeScript = JSON (the very same graph)");
    t.ok(isDeepStrictEqual({ ...fromTraced, file: "" }, { ...fromTs, file: "" }), "traced = static");
    t.same(fromTs.params, fromJson.params, "parameters, with their initializers");
    t.equal(stat.doc.doc, json(c.json).doc, "the doc string travels too");

    // the whole program (a scan over the sequence), as the CLI loads it
    t.equal(canonical(loadAnyProgram(c.ts).graph), canonical(loadProgram(c.json).graph), "loadAnyProgram(.cell.ts) = loadProgram(.json)");
    // with --dims
    const dims = { I: 3, H: 5 };
    t.equal(cellIR(readCellFile(c.ts, dims).build()), cellIR(buildCell(json(c.json), c.json, dims)), "the same with --dims I=3,H=5");
  });

  t.test(`${c.name}: conversions keep the IR`, async (t) => {
    const fromJson = cellIR(buildCell(json(c.json), c.json));
    // JSON → TypeScript → (static) IR
    const ts = convertCell(c.json, "ts");
    t.equal(cellIR(evaluateCellSource(ts, `${c.name}.cell.ts`).build()), fromJson, "JSON → TS");
    // TypeScript → JSON → IR
    const back = JSON.parse(convertCell(c.ts, "json"));
    t.equal(cellIR(buildCell(back, "back.json")), fromJson, "TS → JSON");
    // there and back: JSON → TS → JSON, TS → JSON → TS
    const there = evaluateCellSource(ts, "x.cell.ts").doc;
    t.equal(cellIR(buildCell(JSON.parse(JSON.stringify(there)), "y.json")), fromJson, "JSON → TS → JSON");
    const ts2 = cellToTypeScript(back);
    t.equal(cellIR(evaluateCellSource(ts2, "z.cell.ts").build()), fromJson, "TS → JSON → TS");
    t.equal(cellToTypeScript(evaluateCellSource(ts2, "z.cell.ts").doc), ts2, "converting generated TypeScript again changes nothing");
  });
}

t.test("converted files read like the hand-written ones", async (t) => {
  // TS → JSON reproduces the example files byte for byte where they use the compact style
  for (const n of ["gru", "lstm"]) {
    const text = readFileSync(`examples/cells/${n}.json`, "utf8");
    t.equal(convertCell(`examples/cells/${n}.cell.ts`, "json").replace(/\n$/, ""), text.replace(/\n$/, ""), `${n}.cell.ts → JSON = ${n}.json`);
  }
  t.equal(convertCell("test/fixtures/dsl/stacked-elman.cell.ts", "json"), readFileSync("test/fixtures/dsl/stacked-elman.json", "utf8"),
    "stacked-elman.json is the conversion of stacked-elman.cell.ts");
  t.equal(convertCell("examples/cells/elman.json", "ts"), [
    `import { add, cell, eq, input, matmul, param, state, tanh } from "rnnc/dsl";`,
    ``,
    `export default cell("elman", { I: 4, H: 8 }, ({ I, H }) => {`,
    `  const x = input("x", [I]);`,
    `  const h = state("h", [H]);`,
    ``,
    `  const Whx = param("Whx", [H, I], { init: "glorot_uniform" });`,
    `  const Whh = param("Whh", [H, H], { init: "orthogonal" });`,
    `  const bh = param("bh", [H], { init: "zeros" });`,
    ``,
    `  const h_new = eq("h'", tanh(add(matmul(Whx, x), matmul(Whh, h), bh)));`,
    `  return { next: { h: h_new }, outputs: { h: h_new } };`,
    `}, { doc: "Elman (1990): the hidden state is fed back. h' = tanh(Whx x + Whh h + bh)." });`,
    ``,
  ].join("\n"), "elman.json → TypeScript");
  t.same(readCellDocument("examples/cells/gru.cell.ts"), readCellDocument("examples/cells/gru.json"), "the gru documents are equal");
});
