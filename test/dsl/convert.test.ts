/**
 * rnnc convert: JSON → TypeScript (through ts-morph, formatted) and TypeScript → JSON. Names that
 * are not TypeScript identifiers or clash with each other, node-form equations, keyword
 * arguments, unused equations and long lines; the IR is the same either way.
 */
import t from "tap";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cellToTypeScript, convertCell, formatJson, readCellDocument } from "../../compiler/dsl/convert.ts";
import { evaluateCellSource } from "../../compiler/dsl/static.ts";
import { buildCell } from "../../compiler/frontend/program.ts";
import { cellIR, ROOT, throwsExactly } from "./_helpers.ts";

process.chdir(ROOT);

const ODD = {
  rnnc: "cell", name: "odd-names", sizes: { H: 3, x: 2 },
  inputs: { x: { shape: ["x"], doc: "clashes with the size x" }, t: { shape: [], dtype: "i32" } },
  state: { default: { shape: ["H"] }, tanh: { shape: ["H"] } },
  params: { new: { shape: ["H", "x"] }, W: { shape: [3, 3], init: "orthogonal", dtype: "f32" }, P: { shape: [4, "H"] } },
  equations: {
    "b'": "a' * 2",
    "a'": { op: "tanh", args: [{ op: "add", args: ["new @ x", "default"] }] },
    "unused": "sum(tanh, axis=0, keepdims=1)",
    "ce": "cross_entropy(P @ default, t, reduction=none)",
    "long": "sigmoid(W @ default + W @ tanh + W @ default + W @ tanh + W @ default + W @ tanh + W @ default + W @ tanh - -2 + +default)",
    "sl": "concat(slice(default, start=0, size=1), slice(default, axis=-1, start=1, size=2))",
  },
  next: { default: "b'", tanh: "long + mean(ce)" },
  outputs: { y: "-a'", z: "sl" },
};

t.test("awkward names, node-form equations, keyword arguments, long lines", async (t) => {
  const ts = cellToTypeScript(ODD as never);
  t.equal(ts, `import { add, cell, concat, cross_entropy, eq, input, matmul, mean, mul, neg, param, sigmoid, slice, state, sub, sum, tanh } from "rnnc/dsl";

export default cell("odd-names", { H: 3, x: 2 }, ({ H, x }) => {
  const x_ = input("x", [x], { doc: "clashes with the size x" });
  const t = input("t", [], { dtype: "i32" });
  const default_ = state("default", [H]);
  const tanh_ = state("tanh", [H]);

  const new_ = param("new", [H, x]);
  const W = param("W", [3, 3], { init: "orthogonal" });
  const P = param("P", [4, H]);

  const a_new = eq("a'", tanh(add(matmul(new_, x_), default_)));
  const b_new = eq("b'", mul(a_new, 2));
  eq("unused", sum(tanh_, { axis: 0, keepdims: true }));
  const ce = eq("ce", cross_entropy(matmul(P, default_), t, { reduction: "none" }));
  const long = eq("long", sigmoid(add(
    sub(
      add(
        matmul(W, default_),
        matmul(W, tanh_),
        matmul(W, default_),
        matmul(W, tanh_),
        matmul(W, default_),
        matmul(W, tanh_),
        matmul(W, default_),
        matmul(W, tanh_),
      ),
      -2,
    ),
    default_,
  )));
  const sl = eq("sl", concat([
    slice(default_, { start: 0, size: 1 }),
    slice(default_, { axis: -1, start: 1, size: 2 }),
  ]));
  return { next: { default: b_new, tanh: add(long, mean(ce)) }, outputs: { y: neg(a_new), z: sl } };
});
`, "the generated file");
  const fromTs = evaluateCellSource(ts, "odd.cell.ts");
  t.equal(cellIR(fromTs.build()), cellIR(buildCell(ODD, "odd.json")), "same IR as the JSON");
  t.same(Object.keys(fromTs.doc.equations), ["a'", "b'", "unused", "ce", "long", "sl"], "equations in dependency order");
  t.equal(cellToTypeScript(fromTs.doc), ts, "TS → JSON → TS is stable");
});

t.test("a cell without sizes, states or outputs", async (t) => {
  const doc = { rnnc: "cell", name: "tiny", inputs: { x: { shape: [2] } }, state: {}, params: {}, equations: {}, next: {}, outputs: {} };
  const ts = cellToTypeScript(doc as never);
  t.equal(ts, `import { cell, input } from "rnnc/dsl";

export default cell("tiny", {}, () => {
  input("x", [2]);
});
`);
  t.equal(cellIR(evaluateCellSource(ts, "tiny.cell.ts").build()), cellIR(buildCell(doc, "tiny.json")));
});

t.test("formatJson: short values on one line, long ones broken", async (t) => {
  t.equal(formatJson({ a: [1, 2], b: { c: "d" }, e: [] , f: {} }), `{\n  "a": [1, 2],\n  "b": { "c": "d" },\n  "e": [],\n  "f": {}\n}`);
  const long = { k: Array.from({ length: 30 }, (_, i) => i * 1000) };
  t.equal(formatJson(long).split("\n").length, 34, "a long array, one item a line");
  t.equal(formatJson({}), "{}");
});

t.test("errors", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-convert-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const model = join(dir, "model.json");
  writeFileSync(model, JSON.stringify({ rnnc: "model", name: "m", inputs: {}, equations: {} }));
  throwsExactly(t, () => convertCell(model, "ts"),
    `${model}: only cell files can be converted (this is a model: its cells can be converted one by one)`, "a model");
  const bad = join(dir, "sigmod.json");
  writeFileSync(bad, JSON.stringify({ ...ODD, equations: { ...ODD.equations, "b'": "sigmod(a')" } }));
  throwsExactly(t, () => convertCell(bad, "ts"),
    `${bad}: equations.b': unknown function "sigmod" (did you mean "sigmoid"?)`, "an invalid JSON cell is checked first");
  throwsExactly(t, () => readCellDocument("no/such.cell.ts"), "no/such.cell.ts: cannot read file (ENOENT)", "a missing file");
});
