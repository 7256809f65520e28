import t from "tap";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RnncError } from "../../compiler/diagnostics.ts";
import { readJsonFile, schemaProblems, validateDocument } from "../../compiler/frontend/schema.ts";

/** A fresh copy of the full LSTM cell. */
function lstm(): any {
  return {
    rnnc: "cell",
    name: "lstm",
    doc: "Long short-term memory (no peepholes).",
    sizes: { I: 4, H: 5 },
    inputs: { x: { shape: ["I"] } },
    state: { h: { shape: ["H"], init: "zeros" }, s: { shape: ["H"], doc: "cell state" } },
    params: {
      Wgx: { shape: ["H", "I"], init: "glorot_uniform" },
      Wgh: { shape: ["H", "H"], init: "orthogonal" },
      bg: { shape: ["H"], init: "zeros" },
      Wix: { shape: ["H", "I"], init: "glorot_uniform" },
      Wih: { shape: ["H", "H"], init: "orthogonal" },
      bi: { shape: ["H"], init: "zeros" },
      Wfx: { shape: ["H", "I"], init: "glorot_uniform" },
      Wfh: { shape: ["H", "H"], init: "orthogonal" },
      bf: { shape: ["H"], init: { kind: "constant", value: 1 } },
      Wox: { shape: ["H", "I"], init: { kind: "uniform", low: -0.1, high: 0.1 } },
      Woh: { shape: ["H", "H"], init: { kind: "orthogonal", gain: 1 }, dtype: "f32" },
      bo: { shape: ["H"], init: "zeros" },
    },
    equations: {
      g: "tanh(Wgx @ x + Wgh @ h + bg)",
      i: "sigmoid(Wix @ x + Wih @ h + bi)",
      f: "sigmoid(Wfx @ x + Wfh @ h + bf)",
      o: "sigmoid(Wox @ x + Woh @ h + bo)",
      s_new: "g*i + s*f",
      h_new: { op: "mul", args: [{ op: "tanh", args: ["s_new"] }, "o"] },
    },
    next: { h: "h_new", s: "s_new" },
    outputs: { h: "h_new" },
  };
}

function charLstm(): any {
  return {
    $schema: "../../schemas/model.schema.json",
    rnnc: "model",
    name: "char-lstm",
    sizes: { V: 65, H: 128 },
    cells: { lstm: { file: "../cells/lstm.json" }, mine: lstm() },
    inputs: {
      tokens: { shape: [], dtype: "i32", sequence: true },
      targets: { shape: [], dtype: "i32", sequence: true },
      lengths: { shape: [], dtype: "i32" },
    },
    params: { E: { shape: ["V", "H"], init: "normal" }, Wy: { shape: ["V", "H"] }, by: { shape: ["V"] } },
    equations: {
      e: "embedding(E, tokens)",
      enc: {
        scan: "lstm",
        sizes: { I: "H", H: "H" },
        xs: { x: "e" },
        init: { h: "h0" },
        reverse: false,
        lengths: "lengths",
        truncate: 20,
      },
      logits: "Wy @ enc.h + by",
    },
    outputs: { logits: "logits" },
    loss: "cross_entropy(logits, targets)",
  };
}

t.test("valid documents pass", async (t) => {
  t.same(schemaProblems(lstm(), "cell"), []);
  t.same(schemaProblems(charLstm(), "model"), []);
  const minimal = { rnnc: "cell", name: "id", inputs: {}, state: {}, params: {}, equations: {}, next: {}, outputs: {} };
  t.same(schemaProblems(minimal, "cell"), []);
  t.same(schemaProblems({ rnnc: "model", name: "m", inputs: {}, equations: {} }, "model"), []);
  const eqs = { "h'": { op: "add", args: ["a", 1.5, { op: "neg", args: [] }], axis: 0, keep: true, mode: "x", perm: [1, 0] } };
  t.same(schemaProblems({ ...minimal, equations: eqs }, "cell"), []);
  t.doesNotThrow(() => validateDocument(lstm(), "cell", "lstm.json"));
});

t.test("missing required property", async (t) => {
  const cell = lstm();
  delete cell.equations;
  t.same(schemaProblems(cell, "cell"), ['(root): missing required property "equations"']);
  const model = charLstm();
  delete model.equations.enc.xs;
  t.same(schemaProblems(model, "model"), ['equations.enc: missing required property "xs"']);
  const init = lstm();
  init.params.bf.init = { kind: "constant" };
  t.same(schemaProblems(init, "cell"), ['params.bf.init: missing required property "value"']);
  const node = lstm();
  node.equations.h_new.args[0] = { op: "tanh" };
  t.same(schemaProblems(node, "cell"), ['equations.h_new.args[0]: missing required property "args"']);
});

t.test("unknown property", async (t) => {
  const cell = lstm();
  cell.equatons = cell.equations;
  delete cell.equations;
  t.same(schemaProblems(cell, "cell"), [
    '(root): missing required property "equations"',
    '(root): unknown property "equatons"',
  ]);
  const decl = lstm();
  decl.inputs.x = { shpae: ["I"] };
  t.same(schemaProblems(decl, "cell"), [
    'inputs.x: missing required property "shape"',
    'inputs.x: unknown property "shpae"',
  ]);
  const model = charLstm();
  model.equations.enc.reversed = true;
  t.same(schemaProblems(model, "model"), ['equations.enc: unknown property "reversed"']);
});

t.test("wrong size values", async (t) => {
  for (const [bad, shown] of [[0, "0"], [-1, "-1"], [1.5, "1.5"], ["x", '"x"'], [null, "null"], [[4], "an array"]] as const) {
    const cell = lstm();
    cell.sizes.H = bad;
    t.same(schemaProblems(cell, "cell"), [`sizes.H: expected a positive integer, found ${shown}`], `H = ${shown}`);
  }
  const big = lstm();
  big.sizes.H = 2e9;
  t.same(schemaProblems(big, "cell"), ["sizes.H: expected a positive integer no greater than 1000000000, found 2000000000"]);
  const name = lstm();
  name.sizes["2H"] = 3;
  t.same(schemaProblems(name, "cell"), ['sizes: invalid name "2H", expected a size name (an identifier)']);
  const scan = charLstm();
  scan.equations.enc.sizes.I = 0;
  t.same(schemaProblems(scan, "model"), ["equations.enc.sizes.I: expected a positive integer or a size name, found 0"]);
});

t.test("bad dims in shapes", async (t) => {
  const cell = lstm();
  cell.params.Wix.shape = ["H", -3];
  t.same(schemaProblems(cell, "cell"), ["params.Wix.shape[1]: expected a positive integer or a size name, found -3"]);
  cell.params.Wix.shape = [2.5, "I-1", true];
  t.same(schemaProblems(cell, "cell"), [
    "params.Wix.shape[0]: expected a positive integer or a size name, found 2.5",
    'params.Wix.shape[1]: expected a positive integer or a size name, found "I-1"',
    "params.Wix.shape[2]: expected a positive integer or a size name, found true",
  ]);
  cell.params.Wix.shape = "H";
  t.same(schemaProblems(cell, "cell"), [
    'params.Wix.shape: expected a shape (an array of positive integers or size names), found "H"',
  ]);
});

t.test("bad inits and dtypes", async (t) => {
  const cell = lstm();
  cell.params.Wgx.init = "xavier";
  t.same(schemaProblems(cell, "cell"), [
    'params.Wgx.init: expected an initializer name (zeros, ones, uniform, normal, glorot_uniform, glorot_normal, orthogonal) or an object {kind, ...}, found "xavier"',
  ]);
  const kind = lstm();
  kind.params.Wgx.init = { kind: "xavier" };
  t.same(schemaProblems(kind, "cell"), [
    'params.Wgx.init.kind: expected one of zeros, ones, uniform, normal, glorot_uniform, glorot_normal, orthogonal, constant, found "xavier"',
  ]);
  const state = lstm();
  state.state.h.init = "ones";
  t.same(schemaProblems(state, "cell"), ['state.h.init: expected "zeros" (the only state initializer for now), found "ones"']);
  const dtype = lstm();
  dtype.params.bo.dtype = "i32";
  dtype.inputs.x.dtype = "f64";
  t.same(schemaProblems(dtype, "cell"), [
    'inputs.x.dtype: expected "f32" or "i32", found "f64"',
    'params.bo.dtype: expected "f32" (parameters are always f32), found "i32"',
  ]);
});

t.test("equations of the wrong type", async (t) => {
  const cell = lstm();
  cell.equations.i = 42;
  cell.equations.f = "";
  cell.equations["2x"] = "x";
  t.same(schemaProblems(cell, "cell"), [
    "equations.i: expected an expression string or a node object {op, args}, found 42",
    'equations.f: expected an expression string or a node object {op, args}, found ""',
    `equations: invalid name "2x", expected an identifier, optionally followed by primes (h')`,
  ]);
  const args = lstm();
  args.equations.h_new.args.push(true);
  args.equations.h_new.axes = [0, "1"];
  args.next.s = ["s_new"];
  t.same(schemaProblems(args, "cell"), [
    "equations.h_new.args[2]: expected an expression string, a number or a node object {op, args}, found true",
    'equations.h_new.axes[1]: expected a number, found "1"',
    "next.s: expected an expression string or a node object {op, args}, found an array",
  ]);
  const op = lstm();
  op.equations.h_new.op = 7;
  t.same(schemaProblems(op, "cell"), ["equations.h_new.op: expected an op name (a non-empty string), found 7"]);
});

t.test("bad scan nodes and model fields", async (t) => {
  const model = charLstm();
  model.equations.enc = { scan: "lstm", x: { x: "e" }, truncate: 0 };
  t.same(schemaProblems(model, "model"), [
    'equations.enc: missing required property "xs"',
    "equations.enc.truncate: expected a positive integer, found 0",
    'equations.enc: unknown property "x"',
  ]);
  const eq = charLstm();
  eq.equations.enc = 3;
  t.same(schemaProblems(eq, "model"), [
    "equations.enc: expected an expression string, a node object {op, args} or a scan node {scan, xs, ...}, found 3",
  ]);
  const cells = charLstm();
  cells.cells.lstm = { file: "" };
  cells.cells.mine.params.bg.init = "zero";
  cells.inputs.tokens.sequence = "yes";
  t.same(schemaProblems(cells, "model"), [
    'cells.lstm.file: expected a file path (a non-empty string), found ""',
    'cells.mine.params.bg.init: expected an initializer name (zeros, ones, uniform, normal, glorot_uniform, glorot_normal, orthogonal) or an object {kind, ...}, found "zero"',
    'inputs.tokens.sequence: expected true or false, found "yes"',
  ]);
  const weird = charLstm();
  weird.cells["my cell"] = { file: "a.json", extra: 1 };
  t.same(schemaProblems(weird, "model"), [
    'cells: invalid name "my cell", expected an identifier (letters, digits and _, not starting with a digit)',
  ]);
});

t.test("wrong kind of document", async (t) => {
  t.same(schemaProblems(charLstm(), "cell"), ['rnnc: expected "cell", found "model"']);
  t.same(schemaProblems(lstm(), "model"), ['rnnc: expected "model", found "cell"']);
  t.same(schemaProblems([], "cell"), ['(root): expected a cell object {"rnnc": "cell", ...}, found an empty array']);
  const cell = lstm();
  cell.rnnc = "cel";
  t.same(schemaProblems(cell, "cell"), ['rnnc: expected "cell", found "cel"']);
});

t.test("tensors files", async (t) => {
  const good = { x: { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }, "enc.h": { shape: [1, 2], data: [[1, 2]], dtype: "f32" } };
  t.same(schemaProblems(good, "tensorMap"), []);
  t.same(schemaProblems(good, "tensors"), []);
  const wrapper = { outputs: good, final: {}, grads: { "enc.Wgx": { shape: [], data: [0.5] } }, loss: 1.25 };
  t.same(schemaProblems(wrapper, "tensors"), []);

  t.same(schemaProblems({ x: { shape: [2, 2], data: [[1, 2], [3, "four"]] } }, "tensorMap"), [
    'x.data[1][1]: expected a number or a nested array of numbers, found "four"',
  ]);
  t.same(schemaProblems({ x: { shape: [-1], data: [] } }, "tensors"), [
    "x.shape[0]: expected a non-negative integer, found -1",
  ]);
  t.same(schemaProblems({ x: { shape: [1] } }, "tensorMap"), ['x: missing required property "data"']);
  t.same(schemaProblems({ outputs: { h: { shape: [1], data: [null] } }, loss: "1" }, "tensors"), [
    "outputs.h.data[0]: expected a number or a nested array of numbers, found null",
    'loss: expected a number, found "1"',
  ]);
  t.same(schemaProblems([1, 2], "tensors"), [
    "(root): expected a map of named tensors or an object {outputs?, final?, grads?, loss?}, found an array",
  ]);
});

t.test("validateDocument throws RnncError prefixed with the file", async (t) => {
  const cell = lstm();
  cell.sizes.H = 0;
  delete cell.next;
  try {
    validateDocument(cell, "cell", "cells/lstm.json");
    t.fail("should throw");
  } catch (err) {
    t.ok(err instanceof RnncError);
    t.same((err as RnncError).problems, [
      'cells/lstm.json: (root): missing required property "next"',
      "cells/lstm.json: sizes.H: expected a positive integer, found 0",
    ]);
    t.equal(
      (err as Error).message,
      'cells/lstm.json: (root): missing required property "next"\ncells/lstm.json: sizes.H: expected a positive integer, found 0',
    );
  }
});

t.test("readJsonFile", async (t) => {
  const dir = t.testdir({
    "ok.json": JSON.stringify(lstm(), null, 2),
    "bad.json": '{\n  "a": 1\n  "b": 2\n}\n',
    "trailing.json": '{\n  "a": [1, 2,]\n}\n',
    "truncated.json": '{\n  "a": [1, 2\n',
    "literal.json": '{"a": tru}',
    "empty.json": "",
  });
  t.same(readJsonFile(join(dir, "ok.json")), lstm());

  const message = (file: string): string => {
    try {
      readJsonFile(file);
    } catch (err) {
      t.ok(err instanceof RnncError, "throws RnncError");
      return (err as Error).message;
    }
    return "(no error)";
  };
  const bad = join(dir, "bad.json");
  t.equal(message(bad), `${bad}:3:3: malformed JSON: expected ',' or '}' after property value`);
  const trailing = join(dir, "trailing.json");
  t.equal(message(trailing), `${trailing}:2:14: malformed JSON: unexpected token ']'`);
  const truncated = join(dir, "truncated.json");
  t.equal(message(truncated), `${truncated}:3:1: malformed JSON: expected ',' or ']' after array element`);
  const literal = join(dir, "literal.json");
  t.equal(message(literal), `${literal}:1:10: malformed JSON: unexpected token '}'`);
  const empty = join(dir, "empty.json");
  t.equal(message(empty), `${empty}:1:1: malformed JSON: unexpected end of JSON input`);

  const missing = join(dir, "nope.json");
  t.equal(message(missing), `${missing}: cannot read file (ENOENT)`);
  t.equal(message(dir), `${dir}: cannot read file (EISDIR)`);

  const bom = join(dir, "bom.json");
  writeFileSync(bom, '\uFEFF{"a": 1}');
  t.same(readJsonFile(bom), { a: 1 });
});
