/**
 * Models whose cells are TypeScript files, and the model `rnnc train` expects: TS cells give the
 * same graph as their JSON twins inside a model and train the same way; a model that does not fit
 * text training is refused with one message saying what was expected.
 */
import t from "tap";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RnncError } from "../../compiler/diagnostics.ts";
import { loadAnyProgram } from "../../compiler/frontend/load.ts";
import { graphHash } from "../../compiler/lower/compile.ts";
import { loadTextModel, train } from "../../compiler/train/session.ts";

const root = join(import.meta.dirname, "../..");
const charRnn = JSON.parse(readFileSync(join(root, "examples/char-rnn/model.json"), "utf8")) as Record<string, unknown>;

/** char-rnn's model with its LSTM cell taken from `cellFile`, written into a fresh folder. */
function modelWith(cellFile: string, edit: (m: Record<string, unknown>) => void = () => {}): { dir: string; model: string } {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-tsmodel-"));
  const m = structuredClone(charRnn);
  m.cells = { lstm: { file: cellFile } };
  edit(m);
  const model = join(dir, "model.json");
  writeFileSync(model, JSON.stringify(m));
  return { dir, model };
}

const sizes = { V: 11, E: 4, H: 6 };

t.test("a model's cell may be a .cell.ts file: the same graph as its JSON twin", async (t) => {
  for (const cell of ["lstm", "gru", "elman"]) {
    const rename = (m: Record<string, unknown>) => { (m.equations as Record<string, { scan?: string }>).rnn!.scan = "lstm"; };
    const ts = loadAnyProgram(modelWith(join(root, `examples/cells/${cell}.cell.ts`), rename).model, sizes);
    const js = loadAnyProgram(modelWith(join(root, `examples/cells/${cell}.json`), rename).model, sizes);
    t.equal(graphHash(ts.graph), graphHash(js.graph), `${cell}: identical IR`);
    t.same(ts.params.map((p) => [p.name, p.shape, p.init]), js.params.map((p) => [p.name, p.shape, p.init]), `${cell}: the same parameters`);
  }
});

t.test("an error in a TS cell named by a model points into the TS file", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-tscell-"));
  const cell = join(dir, "bad.cell.ts");
  writeFileSync(cell, [
    `import { cell, input, state, param, matmul, tanh } from "rnnc/dsl";`,
    `export default cell("bad", { I: 4, H: 8 }, ({ I, H }) => {`,
    `  const x = input("x", [I]);`,
    `  const h = state("h", [H]);`,
    `  const h2 = tanh(matmul(param("W", [H, I]), x), Math.random());`,
    `  return { next: { h: h2 }, outputs: { h: h2 } };`,
    `});`,
  ].join("\n"));
  const { model } = modelWith(cell);
  t.throws(() => loadAnyProgram(model, sizes), { message: new RegExp(`^${cell.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5:\\d+: `) }, "file:line:col of the TS source");
});

t.test("rnnc train trains a model whose cell is TypeScript", async (t) => {
  const { dir } = modelWith(join(root, "examples/cells/lstm.cell.ts"));
  for (const d of [0, 1]) writeFileSync(join(dir, `doc${d}.txt`), "the cat sat on the mat and the dog ran far. ".repeat(40));
  writeFileSync(join(dir, "train.json"), JSON.stringify({
    model: "model.json", sizes: { E: 4, H: 8 },
    data: { corpus: ".", heldOutEvery: 2, validationChars: 1000, minCount: 1 },
    batch: 2, seq: 8, seed: 3, optimizer: { kind: "adam", lr: 0.02 }, evalEvery: 1000, sampleEvery: 1000, checkpointEvery: 1000,
  }));
  const run = await train({ dir, out: join(dir, "out"), steps: 30, progress: () => {}, log: () => {} });
  t.equal(run.steps, 30, "trained 30 steps");
  t.ok(Number.isFinite(run.trainLoss) && run.trainLoss < Math.log(11), `the loss ${run.trainLoss.toFixed(3)} is below uniform guessing`);
});

t.test("a model that does not fit text training is refused with what was expected", async (t) => {
  const cfg = "train.json";
  const lstm = join(root, "examples/cells/lstm.cell.ts");
  t.throws(() => loadTextModel(lstm, { V: 11 }, cfg), new RnncError(`${lstm}: rnnc train sets the size V to the vocabulary's size, but the model declares no size "V" (its "sizes")`), "a bare cell: no V");

  const noLoss = modelWith(join(root, "examples/cells/lstm.json"), (m) => { delete m.loss; }).model;
  t.throws(() => loadTextModel(noLoss, sizes, cfg), new RnncError(`${noLoss}: rnnc train needs a model with a loss (a model without "loss" was given)`), "no loss");

  const renamed = modelWith(join(root, "examples/cells/lstm.json"), (m) => {
    m.inputs = { ids: { shape: [], dtype: "i32", sequence: true }, targets: { shape: [], dtype: "i32", sequence: true }, resets: (m.inputs as Record<string, unknown>).resets };
    m.equations = { ...(m.equations as object), e: "embedding(E, ids)" };
  }).model;
  t.throws(() => loadTextModel(renamed, sizes, cfg), new RnncError(`${renamed}: rnnc train needs an input "tokens" of i32 token ids over time ({"shape": [], "dtype": "i32", "sequence": true})`), "no tokens input");

  const noLogits = modelWith(join(root, "examples/cells/lstm.json"), (m) => { m.outputs = { y: "logits" }; }).model;
  t.throws(() => loadTextModel(noLogits, sizes, cfg), new RnncError(`${noLogits}: rnnc train needs an output "logits" of shape [T, B, V]`), "no logits output");

  const unknownSize = modelWith(join(root, "examples/cells/lstm.json")).model;
  t.throws(() => loadTextModel(unknownSize, { ...sizes, Q: 3 }, cfg), { message: /^train\.json: sizes: unknown size "Q"/ }, "a size the model lacks, named as the config's");
});
