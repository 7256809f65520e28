/**
 * The TypeScript subset the static frontend evaluates, all in one file
 * (test/fixtures/dsl/features.cell.ts): imports (named, namespace, type-only), type declarations,
 * const/let, function declarations and expressions, arrow helpers with rest parameters, for and
 * for…of loops with break and continue, if, ?:, &&, ||, ??, arithmetic, comparisons, template
 * literals, destructuring with defaults and rest, object and array spread, array map and
 * indexing, `as`, `satisfies`, `!` and `<T>` assertions. Reading it statically gives exactly the
 * document that running it gives.
 */
import t from "tap";
import { isDeepStrictEqual } from "node:util";
import { toDocument } from "../../compiler/dsl/index.ts";
import type { CellDef } from "../../compiler/dsl/index.ts";
import { readCellFile } from "../../compiler/dsl/static.ts";
import { ROOT } from "./_helpers.ts";

process.chdir(ROOT);
const FILE = "test/fixtures/dsl/features.cell.ts";

t.test("static = traced, on every supported construct", async (t) => {
  const stat = readCellFile(FILE);
  const traced = toDocument(((await import(`../../${FILE}`)) as { default: CellDef }).default);
  t.ok(isDeepStrictEqual(stat.doc, traced), "the same document");
  t.same(stat.doc.equations, {
    "a'": "tanh(W_a @ x + U_a @ h_a)",
    "b'": "sigmoid(W_b @ a' + U_b @ h_b + b1)",
    "d'": "tanh(W_d @ b' + U_d @ h_d + b2)",
  }, "layers a, b, d (c skipped by continue), each on the one below");
  t.same(stat.doc.outputs, { y: "d' * 8.5 * -1 * 4.25", n3: "-d'", m_ok_2: "d'", last: "d'" }, "outputs from arithmetic and names");
  t.same(Object.keys(stat.doc.params), ["W_a", "U_a", "W_b", "U_b", "b1", "W_d", "U_d", "b2"]);
  t.same(stat.doc.params.W_b, { shape: ["H", "H"], init: "glorot_uniform" }, "default from destructuring");
  t.ok(stat.build(), "and it builds");
});
