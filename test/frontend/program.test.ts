/**
 * The JSON frontend: example cells and model files become the expected Programs; the node form
 * and the expression form of equations give the same IR; model gradients pass gradCheck; and
 * every kind of bad input gets the exact error message catalogued in docs/errors.md.
 */
import t from "tap";
import { gradCheck } from "../../compiler/autodiff/gradcheck.ts";
import { buildCell, buildModel, loadProgram, programFromCell } from "../../compiler/frontend/program.ts";
import type { Program } from "../../compiler/frontend/program.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import type { Graph, Node } from "../../compiler/ir/types.ts";
import {
  canonical, EXAMPLES, exampleFile, randomInputs, readJson, ROOT, stringLeaves, throwsExactly, toNodeForm,
} from "./_helpers.ts";

// Relative paths keep the messages short: they name files as the user gave them.
process.chdir(ROOT);
const CELLS = "examples/cells";
const MODELS = "test/fixtures/models";

const cellDoc = (name: string) => readJson(`${ROOT}/${CELLS}/${name}.json`);
const modelDoc = (name: string) => readJson(`${ROOT}/${MODELS}/${name}.json`);
const cellProgram = (doc: unknown, file: string, dims = {}) => programFromCell(buildCell(doc, file, dims));
const typeOf = (p: Program, v: string) => p.graph.types.get(v)!;
const scans = (g: Graph): Node[] => g.nodes.filter((n) => n.op === "scan");

// ---- 1. the example cells ---------------------------------------------------------------------------

/** What each example declares, written out independently of the files. */
const EXPECTED: Record<string, { params: [string, string[], unknown][]; states: string[]; outputs: string[] }> = {
  elman: {
    params: [["Whx", ["H", "I"], "glorot_uniform"], ["Whh", ["H", "H"], "orthogonal"], ["bh", ["H"], "zeros"]],
    states: ["h"], outputs: ["h"],
  },
  gru: {
    params: ["r", "z", "n"].flatMap((g) => [
      [`W_i${g}`, ["H", "I"], "glorot_uniform"], [`W_h${g}`, ["H", "H"], "orthogonal"], [`b_i${g}`, ["H"], "zeros"], [`b_h${g}`, ["H"], "zeros"],
    ] as [string, string[], unknown][]),
    states: ["h"], outputs: ["h"],
  },
  "lstm-noforget": {
    params: ["g", "i", "o"].flatMap((g) => [
      [`W${g}x`, ["H", "I"], "glorot_uniform"], [`W${g}h`, ["H", "H"], "orthogonal"], [`b${g}`, ["H"], "zeros"],
    ] as [string, string[], unknown][]),
    states: ["h", "s"], outputs: ["h"],
  },
  lstm: {
    params: ["g", "i", "f", "o"].flatMap((g) => [
      [`W${g}x`, ["H", "I"], "glorot_uniform"], [`W${g}h`, ["H", "H"], "orthogonal"], [`b${g}`, ["H"], g === "f" ? "ones" : "zeros"],
    ] as [string, string[], unknown][]),
    states: ["h", "s"], outputs: ["h"],
  },
};

t.test("every example cell loads, with default sizes and with --dims overrides", async (t) => {
  for (const name of EXAMPLES) {
    for (const [label, dims, sizes] of [
      ["defaults", {}, { I: 4, H: 8 }],
      ["--dims I=3,H=5", { I: 3, H: 5 }, { I: 3, H: 5 }],
      ["--dims H=2", { H: 2 }, { I: 4, H: 2 }],
    ] as const) {
      const p = loadProgram(`${CELLS}/${name}.json`, dims);
      const want = EXPECTED[name]!;
      const dim = (d: string) => sizes[d as "I" | "H"];
      const what = `${name} (${label})`;
      t.equal(p.kind, "cell", `${what}: kind`);
      t.equal(p.name, name, `${what}: name`);
      t.same(p.sizes, sizes, `${what}: sizes`);
      t.same(p.params, want.params.map(([n, shape, init]) => ({ name: n, shape: shape.map(dim), init })), `${what}: params, shapes, initializers`);
      t.same(p.inputs, [{ name: "x", type: { dtype: "f32", shape: ["T", "B", sizes.I] } }], `${what}: inputs`);
      t.same(p.states.map((s) => ({ name: s.name, type: s.type, input: s.input })),
        want.states.map((s) => ({ name: s, type: { dtype: "f32", shape: ["B", sizes.H] }, input: s })), `${what}: states`);
      t.same(p.outputs.map((o) => [o.name, typeOf(p, o.value)]), want.outputs.map((o) => [o, { dtype: "f32", shape: ["T", "B", sizes.H] }]),
        `${what}: outputs`);
      t.same(p.states.map((s) => typeOf(p, s.final)), want.states.map(() => ({ dtype: "f32", shape: ["B", sizes.H] })), `${what}: final states`);
      t.equal(p.loss, null, `${what}: no loss`);
      t.same(p.graph.inputs, [...want.params.map((x) => x[0]), "x", ...want.states], `${what}: graph inputs are params, inputs, states`);
      t.same(p.graph.outputs, [...p.outputs.map((o) => o.value), ...p.states.map((s) => s.final)], `${what}: graph outputs are outputs, finals`);
      const [scan] = scans(p.graph);
      t.match(scan?.attrs, { n_consts: want.params.length, n_carry: want.states.length, n_xs: 1, reverse: false, has_lengths: false },
        `${what}: one forward scan`);
    }
  }
});

// ---- 2. node form ≡ expression form ---------------------------------------------------------------

/** Rewrites every equation of a cell (equations, next, outputs) into the explicit node form. */
function nodeFormCell(doc: ReturnType<typeof cellDoc>) {
  const conv = (m: Record<string, never>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, toNodeForm(v)]));
  return { ...doc, equations: conv(doc.equations), next: conv(doc.next), outputs: conv(doc.outputs) };
}

t.test("the canonicalizer ignores % names and node order, and nothing else", async (t) => {
  const p = loadProgram(`${CELLS}/lstm.json`);
  const body = scans(p.graph)[0]!.attrs.body as Graph;
  // rename every % value and reverse the (independent) leading nodes of the body
  const rename = (v: string) => (v.startsWith("%") ? `%renamed_${v.slice(1).split("").reverse().join("")}` : v);
  const renamed: Graph = {
    inputs: body.inputs.map(rename),
    outputs: body.outputs.map(rename),
    nodes: body.nodes.map((n) => ({ ...n, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) })),
    types: new Map([...body.types].map(([k, v]) => [rename(k), v])),
  };
  t.not(JSON.stringify(renamed.nodes), JSON.stringify(body.nodes), "the renamed graph differs textually");
  t.equal(canonical(renamed), canonical(body), "same canonical form after renaming % values");
  const shuffled = { ...body, nodes: [...body.nodes].sort((a, b) => (a.op < b.op ? -1 : a.op > b.op ? 1 : 0)) };
  t.equal(canonical(shuffled), canonical(body), "same canonical form in another node order");

  const variant = (eqs: Record<string, string>) => {
    const d = cellDoc("lstm");
    Object.assign(d.equations, eqs);
    return canonical(cellProgram(d, "lstm.json").graph);
  };
  const base = variant({});
  t.not(variant({ "s'": "g * i + f * s" }), base, "operand order matters (mul is not canonicalized as commutative)");
  t.not(variant({ "s'": "g * i + s * f + 0" }), base, "an extra node matters");
  t.not(variant({ g: "tanh(Wgx @ x + Wgh @ h + bg * 2)" }), variant({ g: "tanh(Wgx @ x + Wgh @ h + bg * 3)" }), "attributes (constants) matter");
  t.not(variant({ i: "sigmoid(Wix @ x + Wih @ h + bi)", f: "sigmoid(Wfx @ x + Wfh @ h + bi)" }), base, "which input is read matters");
});

t.test("the node form and the expression form give the same IR", async (t) => {
  for (const name of EXAMPLES) {
    const doc = cellDoc(name);
    const nodes = nodeFormCell(doc);
    // the rewrite really is in node form: every remaining string is a bare name
    const leaves = [...Object.values(nodes.equations), ...Object.values(nodes.next), ...Object.values(nodes.outputs)]
      .flatMap((e) => stringLeaves(e as never));
    t.ok(leaves.every((s) => /^[A-Za-z_][A-Za-z0-9_]*'*$/.test(s)), `${name}: the node form has only names as string operands`);
    t.ok(Object.values(nodes.equations).every((e) => typeof e === "object"), `${name}: every equation is a node object`);
    const a = canonical(cellProgram(doc, `${name}.json`).graph);
    const b = canonical(cellProgram(nodes, `${name}.json`).graph);
    t.equal(b, a, `${name}: same graph from the generated node form`);
    // and from the equations listed in the reverse order (a different topological order)
    const reversed = { ...doc, equations: Object.fromEntries(Object.entries(doc.equations).reverse()) };
    t.equal(canonical(cellProgram(reversed, `${name}.json`).graph), a, `${name}: same graph whatever the order of the equations`);
  }

  // hand-written node forms, fully explicit and mixed with expression strings
  const elman = cellDoc("elman");
  elman.equations["h'"] = {
    op: "tanh",
    args: [{ op: "add", args: [{ op: "add", args: [{ op: "matmul", args: ["Whx", "x"] }, { op: "matmul", args: ["Whh", "h"] }] }, "bh"] }],
  };
  t.equal(canonical(cellProgram(elman, "elman.json").graph), canonical(loadProgram(`${CELLS}/elman.json`).graph), "elman, written by hand");

  const gru = cellDoc("gru");
  gru.equations["h'"] = { op: "add", args: [{ op: "mul", args: [{ op: "sub", args: [1, "z"] }, "n"] }, "z * h"] };
  gru.equations.n = { op: "tanh", args: [{ op: "add", args: ["W_in @ x + b_in", { op: "mul", args: ["r", "W_hn @ h + b_hn"] }] }] };
  t.equal(canonical(cellProgram(gru, "gru.json").graph), canonical(loadProgram(`${CELLS}/gru.json`).graph), "gru, node form mixed with strings");

  const lstm = cellDoc("lstm");
  lstm.equations["h'"] = { op: "mul", args: [{ op: "tanh", args: ["s'"] }, "o"] };
  lstm.equations["s'"] = { op: "add", args: [{ op: "mul", args: ["g", "i"] }, { op: "mul", args: ["s", "f"] }] };
  t.equal(canonical(cellProgram(lstm, "lstm.json").graph), canonical(loadProgram(`${CELLS}/lstm.json`).graph), "lstm, the docs' h_new example");

  // attributes: keyword arguments of the expression form are keys of the node form
  const sliced = (eq: unknown) => {
    const d = cellDoc("elman");
    d.outputs = { first: eq, neg: "-h'" };
    return canonical(cellProgram(d, "elman.json").graph);
  };
  t.equal(sliced({ op: "slice", args: ["h'"], axis: -1, start: 2, size: 3 }), sliced("slice(h', axis=-1, start=2, size=3)"), "slice with int attributes");
  t.not(sliced({ op: "slice", args: ["h'"], axis: -1, start: 1, size: 3 }), sliced("slice(h', axis=-1, start=2, size=3)"), "a different attribute value gives a different graph");
  const bidir = modelDoc("bidir");
  const expr = canonical(buildModel(bidir, `${MODELS}/bidir.json`).graph);
  bidir.equations.both = { op: "concat", args: ["fwd.h", "bwd.h"], axis: -1 };
  t.equal(canonical(buildModel(bidir, `${MODELS}/bidir.json`).graph), expr, "a model equation in node form: concat with axis");
});

// ---- 3. model files ---------------------------------------------------------------------------------

const LSTM_PARAMS = ["g", "i", "f", "o"].flatMap((g) => [`W${g}x`, `W${g}h`, `b${g}`]);

/** gradCheck of a program on random inputs; returns the max relative error per input name. */
function check(p: Program, dims: { B: number; T: number }, given: Record<string, number[]> = {}, seed = 3) {
  const inputs = randomInputs(p, dims, seed, given);
  const wrt = p.graph.inputs.filter((n) => typeOf(p, n).dtype === "f32");
  const res = gradCheck(p.graph, inputs, wrt, { seed });
  return { res, err: Object.fromEntries(res.errors.map((e) => [e.name, e.relError])) as Record<string, number> };
}

t.test("char-lstm: embedding → LSTM scan (lengths, truncate) → dense → cross-entropy", async (t) => {
  const file = `${MODELS}/char-lstm.json`;
  const p = loadProgram(file);
  t.equal(p.kind, "model");
  t.equal(p.name, "char-lstm");
  t.same(p.sizes, { V: 7, D: 3, H: 4 });
  t.same(p.params.slice(0, 3), [
    { name: "E", shape: [7, 3], init: "normal" },
    { name: "Wy", shape: [7, 4], init: "glorot_uniform" },
    { name: "by", shape: [7], init: "zeros" },
  ], "model params, with the default initializers of matrices and vectors");
  t.same(p.params.slice(3).map((x) => [x.name, x.shape]),
    LSTM_PARAMS.map((n) => [`enc.${n}`, n.startsWith("b") ? [4] : n.endsWith("x") ? [4, 3] : [4, 4]]),
    "the cell's params become enc.<param>, sized by the scan's sizes (I = D, H = H)");
  t.equal(p.params.find((x) => x.name === "enc.bf")?.init, "ones", "a cell param keeps its initializer");
  t.same(p.inputs, [
    { name: "tokens", type: { dtype: "i32", shape: ["T", "B"] } },
    { name: "targets", type: { dtype: "i32", shape: ["T", "B"] } },
    { name: "lengths", type: { dtype: "i32", shape: ["B"] } },
  ]);
  t.same(p.states.map((s) => [s.name, s.type, s.input]), [
    ["enc.h", { dtype: "f32", shape: ["B", 4] }, "enc.init.h"],
    ["enc.s", { dtype: "f32", shape: ["B", 4] }, "enc.init.s"],
  ], "states enc.h, enc.s start from the inputs enc.init.h, enc.init.s");
  t.same(p.outputs.map((o) => [o.name, typeOf(p, o.value)]), [["logits", { dtype: "f32", shape: ["T", "B", 7] }]]);
  t.same(typeOf(p, p.loss!), { dtype: "f32", shape: [] }, "a scalar loss");
  t.same(p.graph.inputs, [...p.params.map((x) => x.name), "tokens", "targets", "lengths", "enc.init.h", "enc.init.s"]);
  t.same(p.graph.outputs, [p.outputs[0]!.value, ...p.states.map((s) => s.final), p.loss]);
  const [scan, ...more] = scans(p.graph);
  t.equal(more.length, 0, "one scan");
  t.match(scan!.attrs, { n_consts: 12, n_carry: 2, n_xs: 1, reverse: false, has_lengths: true, truncate: 3 });
  t.same(scan!.inputs.slice(12, 14), ["enc.init.h", "enc.init.s"], "the scan starts from the initial states");
  t.equal(scan!.inputs.at(-1), "lengths", "the lengths are the scan's last operand");
  t.same(p.states.map((s) => s.final), scan!.outputs.slice(0, 2), "final states are the scan's carries");

  // gradients: T ≤ truncate, so truncated BPTT is exact here; ragged lengths, ids < V
  const given = { tokens: [1, 4, 6, 0, 2, 5, 3, 3, 1], targets: [4, 6, 2, 0, 3, 1, 5, 5, 2], lengths: [3, 1, 2] };
  const { res } = check(p, { B: 3, T: 3 }, given);
  t.ok(res.maxRelError < 1e-6, `gradCheck passes (max rel. error ${res.maxRelError.toExponential(2)})`);
  t.same(res.errors.map((e) => e.name), [...p.params.map((x) => x.name), "enc.init.h", "enc.init.s"], "every f32 input is checked");

  // truncation is in force when T > truncate: the gradients of what lies before the cut differ
  const long = { tokens: [...given.tokens, 2, 3, 4, 5, 6, 0], targets: [...given.targets, 1, 2, 3, 4, 5, 6], lengths: [5, 4, 5] };
  const cut = check(p, { B: 3, T: 5 }, long);
  t.ok(cut.err["Wy"]! < 1e-6 && cut.err["by"]! < 1e-6, "T > truncate: the dense layer's gradients are still exact");
  t.ok(cut.err["enc.Wgh"]! > 1e-3 && cut.err["E"]! > 1e-3, `T > truncate: BPTT is truncated (enc.Wgh rel. error ${cut.err["enc.Wgh"]!.toExponential(2)})`);
  const full = modelDoc("char-lstm");
  delete full.equations.enc.truncate;
  const untruncated = check(buildModel(full, file), { B: 3, T: 5 }, long);
  t.ok(untruncated.res.maxRelError < 1e-6, "without truncate the same inputs pass gradCheck");
});

t.test("bidirectional: a forward and a reverse scan joined by concat", async (t) => {
  const p = loadProgram(`${MODELS}/bidir.json`);
  const gru = ["r", "z", "n"].flatMap((g) => [`W_i${g}`, `W_h${g}`, `b_i${g}`, `b_h${g}`]);
  t.same(p.params.map((x) => x.name), [...gru.map((n) => `fwd.${n}`), ...gru.map((n) => `bwd.${n}`)], "one set of params per scan");
  t.same(p.states.map((s) => [s.name, s.input]), [["fwd.h", "fwd.init.h"], ["bwd.h", "bwd.init.h"]]);
  t.same(p.outputs.map((o) => [o.name, typeOf(p, o.value).shape]), [["both", ["T", "B", 4]]], "concat of two [T, B, 2]");
  const [fwd, bwd] = scans(p.graph);
  t.equal(fwd!.attrs.reverse, false, "fwd runs forward");
  t.equal(bwd!.attrs.reverse, true, "bwd runs in reverse");
  t.equal(fwd!.inputs.at(-1), "x", "both scans read x");
  t.equal(bwd!.inputs.at(-1), "x");
  const concat = p.graph.nodes.find((n) => n.op === "concat")!;
  t.same(concat.inputs, [fwd!.outputs[1], bwd!.outputs[1]], "concat joins the per-step outputs of the two scans");

  const { res } = check(p, { B: 2, T: 4 });
  t.ok(res.maxRelError < 1e-6, `gradCheck passes (max rel. error ${res.maxRelError.toExponential(2)})`);

  // semantics: with the same weights, the reverse scan over x is the forward scan over x reversed in time
  const T = 4, B = 2;
  const inputs = randomInputs(p, { B, T }, 9);
  const at = (name: string) => inputs[p.graph.inputs.indexOf(name)]!;
  [...gru, "init.h"].forEach((n) => at(`bwd.${n}`).data.set(at(`fwd.${n}`).data));
  const [both] = runGraph(p.graph, inputs) as [Tensor];
  const x = at("x");
  const step = x.data.length / T;
  const reversedX = new Float64Array(x.data.length);
  for (let s = 0; s < T; s++) reversedX.set(x.data.subarray((T - 1 - s) * step, (T - s) * step), s * step);
  x.data.set(reversedX);
  const [bothOnReversed] = runGraph(p.graph, inputs) as [Tensor];
  let maxDiff = 0;
  for (let s = 0; s < T; s++)
    for (let b = 0; b < B; b++)
      for (let k = 0; k < 2; k++) {
        const bwdOut = both.data[(s * B + b) * 4 + 2 + k]!;
        const fwdOnReversed = bothOnReversed.data[((T - 1 - s) * B + b) * 4 + k]!;
        maxDiff = Math.max(maxDiff, Math.abs(bwdOut - fwdOnReversed));
      }
  t.ok(maxDiff < 1e-12, `bwd.h[t] = fwd.h on reversed x at T-1-t (max diff ${maxDiff})`);
});

t.test("stacked scans: the per-step outputs of one are the inputs of the next", async (t) => {
  const p = loadProgram(`${MODELS}/stacked.json`);
  const [l1, l2] = scans(p.graph);
  t.equal(l2!.inputs.at(-1), l1!.outputs[1], "l2 reads l1.h, the per-step output of l1");
  t.same(p.params.map((x) => x.name), [...["Whx", "Whh", "bh"].map((n) => `l1.${n}`), ...LSTM_PARAMS.map((n) => `l2.${n}`)]);
  t.same(p.params.find((x) => x.name === "l2.Wgx")!.shape, [4, 4], "l2's input size is l1's H");
  t.same(p.states.map((s) => s.name), ["l1.h", "l2.h", "l2.s"]);
  t.same(p.outputs.map((o) => [o.name, typeOf(p, o.value).shape]), [["top", ["T", "B", 4]]]);
  t.same(typeOf(p, p.loss!).shape, [], "mse loss");
  const { res } = check(p, { B: 2, T: 3 });
  t.ok(res.maxRelError < 1e-6, `gradCheck passes (max rel. error ${res.maxRelError.toExponential(2)})`);
});

t.test("an inline cell in node form", async (t) => {
  const p = loadProgram(`${MODELS}/inline.json`);
  t.same(p.params.map((x) => [x.name, x.shape]), [["r.W", [3, 2]], ["r.U", [3, 3]], ["r.b", [3]]]);
  t.same(p.states.map((s) => [s.name, s.input]), [["r.h", "r.init.h"]]);
  t.same(p.outputs.map((o) => [o.name, typeOf(p, o.value).shape]), [["y", ["T", "B", 3]], ["last", ["B", 3]]]);
  t.equal(p.outputs[1]!.value, p.states[0]!.final, "r.final.h is the scan's final state");
  const { res } = check(p, { B: 2, T: 3 });
  t.ok(res.maxRelError < 1e-6, `gradCheck passes, with a value output twice (max rel. error ${res.maxRelError.toExponential(2)})`);
});

t.test("encoder–decoder: init from another scan's final state", async (t) => {
  const p = loadProgram(`${MODELS}/encdec.json`);
  const [enc, dec] = scans(p.graph);
  t.same(dec!.inputs.slice(12, 14), enc!.outputs.slice(0, 2), "the decoder starts from enc.final.h, enc.final.s");
  t.same(p.states.map((s) => [s.name, s.input]), [["enc.h", "enc.init.h"], ["enc.s", "enc.init.s"], ["dec.h", null], ["dec.s", null]],
    "the decoder's states have no initial-value input");
  t.notOk(p.graph.inputs.some((n) => n.startsWith("dec.init")), "no dec.init.* graph inputs");
  t.same(p.params.map((x) => x.name), ["E", "Wy", "by", ...LSTM_PARAMS.map((n) => `enc.${n}`), ...LSTM_PARAMS.map((n) => `dec.${n}`)]);
  const T = 3, B = 2;
  const ids = (s: number) => Array.from({ length: T * B }, (_, i) => (i * s + 1) % 5);
  const { res } = check(p, { B, T }, { src: ids(2), tgt_in: ids(3), tgt_out: ids(4) });
  t.ok(res.maxRelError < 1e-6, `gradCheck passes (max rel. error ${res.maxRelError.toExponential(2)})`);
  t.ok(res.errors.find((e) => e.name === "enc.Wgx")!.analytic.some((v) => v !== 0), "the loss on the decoder reaches the encoder's weights");
});

t.test("lengths may be any i32 [B] expression", async (t) => {
  const d = modelDoc("char-lstm");
  d.equations.enc.lengths = "stop_gradient(lengths)";
  const p = buildModel(d, `${MODELS}/char-lstm.json`);
  const scan = scans(p.graph)[0]!;
  t.equal(p.graph.nodes.find((n) => n.outputs.includes(scan.inputs.at(-1)!))?.op, "stop_gradient");
});

// ---- 4. error messages ------------------------------------------------------------------------------

t.test("errors: reading and structure", async (t) => {
  throwsExactly(t, () => loadProgram("test/fixtures/bad/malformed.json"),
    "test/fixtures/bad/malformed.json:4:3: malformed JSON: expected ',' or '}' after property value", "malformed JSON, with line:col");
  throwsExactly(t, () => loadProgram("test/fixtures/bad/nope.json"), "test/fixtures/bad/nope.json: cannot read file (ENOENT)", "missing file");
  throwsExactly(t, () => loadProgram("test/fixtures/bad/array.json"),
    `test/fixtures/bad/array.json: (root): expected a cell or model object {"rnnc": "cell" or "model", ...}, found an array`, "not an object");
  throwsExactly(t, () => loadProgram("test/fixtures/bad/kind.json"),
    `test/fixtures/bad/kind.json: (root).rnnc: expected "cell" or "model", found "cel"`, "neither a cell nor a model");
  throwsExactly(t, () => loadProgram("test/fixtures/bad/schema.json"), [
    `test/fixtures/bad/schema.json: (root): missing required property "equations"`,
    `test/fixtures/bad/schema.json: sizes.H: expected a positive integer, found 0`,
    `test/fixtures/bad/schema.json: state.h.dtype: expected "f32" or "i32", found "f64"`,
    `test/fixtures/bad/schema.json: params.Whx.shape[1]: expected a positive integer or a size name, found -3`,
    `test/fixtures/bad/schema.json: (root): unknown property "equatons"`,
  ], "schema violations: every one, one line each");
  const d = cellDoc("lstm");
  d.equations.i = 42;
  d.equations.f = { op: "sigmoid", args: [{ x: 1 }] };
  throwsExactly(t, () => buildCell(d, "lstm.json"), [
    `lstm.json: equations.i: expected an expression string or a node object {op, args}, found 42`,
    `lstm.json: equations.f.args[0]: missing required property "op"`,
    `lstm.json: equations.f.args[0]: missing required property "args"`,
  ], "schema violations inside equations");
  const m = modelDoc("char-lstm");
  delete m.equations.enc.xs;
  m.equations.enc.reverse = "yes";
  throwsExactly(t, () => buildModel(m, "model.json"), [
    `model.json: equations.enc: missing required property "xs"`,
    `model.json: equations.enc.reverse: expected true or false, found "yes"`,
  ], "schema violations in a scan node");
  throwsExactly(t, () => buildCell(modelDoc("char-lstm"), "model.json"), `model.json: rnnc: expected "cell", found "model"`,
    "a model given to the cell loader");
  throwsExactly(t, () => buildModel(cellDoc("lstm"), "lstm.json"), `lstm.json: rnnc: expected "model", found "cell"`, "a cell given to the model loader");
  const m2 = modelDoc("inline");
  m2.cells.other = { file: "bidir.json" };
  m2.equations.q = { scan: "other", xs: { x: "x" } };
  throwsExactly(t, () => buildModel(m2, `${MODELS}/inline.json`), `${ROOT}/${MODELS}/bidir.json: rnnc: expected "cell", found "model"`,
    "a model file named as a cell");
  const m3 = modelDoc("char-lstm");
  m3.cells.lstm.file = "nope.json";
  throwsExactly(t, () => buildModel(m3, `${MODELS}/char-lstm.json`),
    `${MODELS}/char-lstm.json: cells.lstm.file: ${ROOT}/${MODELS}/nope.json: cannot read file (ENOENT)`, "a missing cell file");
});

t.test("errors: expressions", async (t) => {
  const lstm = (eqs: Record<string, unknown>) => {
    const d = cellDoc("lstm");
    Object.assign(d.equations, eqs);
    return () => buildCell(d, "lstm.json");
  };
  throwsExactly(t, lstm({ i: "sigmod(Wix @ x + Wih @ h + bi)" }),
    `lstm.json: equations.i: unknown function "sigmod" (did you mean "sigmoid"?)`, "unknown function, with a suggestion");
  throwsExactly(t, lstm({ i: { op: "sigmod", args: ["Wix @ x + Wih @ h + bi"] } }),
    `lstm.json: equations.i: unknown function "sigmod" (did you mean "sigmoid"?)`, "unknown op in node form");
  throwsExactly(t, lstm({ i: "outer(h, x)" }), `lstm.json: equations.i: unknown function "outer"`, "internal ops are not functions");
  throwsExactly(t, lstm({ i: "sigmoid(Wixx @ x + Wih @ h + bi)" }),
    `lstm.json: equations.i: unknown name "Wixx" (did you mean "Wix"?)`, "unknown name, with a suggestion");
  throwsExactly(t, lstm({ i: "sigmoid(Q @ x)" }), `lstm.json: equations.i: unknown name "Q"`, "unknown name, nothing close");
  throwsExactly(t, lstm({ g: "tanh(x, h)" }), `lstm.json: equations.g: tanh takes 1 argument, got 2`, "wrong arity");
  throwsExactly(t, lstm({ g: "tanh(Wgx @ x, axis=1)" }), `lstm.json: equations.g: tanh has no argument "axis" (it takes none)`,
    "unknown keyword argument");
  throwsExactly(t, lstm({ g: "concat(h, s, axsi=0)" }), `lstm.json: equations.g: concat has no argument "axsi" (did you mean "axis"?)`,
    "misspelled keyword argument");
  throwsExactly(t, lstm({ g: "concat(h, s, size=0)" }), `lstm.json: equations.g: concat has no argument "size" (it takes axis)`,
    "keyword argument of another op");
  throwsExactly(t, lstm({ i: { op: "sigmoid", args: ["Wix @ x"], axis: 1 } }),
    `lstm.json: equations.i: sigmoid has no argument "axis" (it takes none)`, "unknown attribute in node form");
  throwsExactly(t, lstm({ g: "concat(h, x, axis=h)" }), `lstm.json: equations.g: concat: argument "axis" must be an integer`,
    "keyword argument of the wrong kind");
  throwsExactly(t, lstm({ i: "sigmoid(Wix @ x + Wih @ h + bi" }), [
    `lstm.json: equations.i: column 31: expected ',' or ')' to close '(' opened at column 8, found end of input`,
    `    sigmoid(Wix @ x + Wih @ h + bi`,
    `                                  ^`,
  ].join("\n"), "syntax error, with a caret");
  throwsExactly(t, lstm({ i: { op: "sigmoid", args: ["Wix @@ x"] } }), [
    `lstm.json: equations.i.args[0]: column 6: expected an expression, found '@'`,
    `    Wix @@ x`,
    `         ^`,
  ].join("\n"), "syntax error inside a node's args");
});

t.test("errors: cycles", async (t) => {
  const d = cellDoc("lstm");
  d.equations.a = "tanh(b)";
  d.equations.b = "sigmoid(a) * h";
  throwsExactly(t, () => buildCell(d, "lstm.json"),
    `lstm.json: equations: cycle a → b → a (a value can depend on itself only through carried state)`, "a → b → a");
  const d2 = cellDoc("lstm");
  d2.equations.a = "tanh(a + h)";
  throwsExactly(t, () => buildCell(d2, "lstm.json"),
    `lstm.json: equations: cycle a → a (a value can depend on itself only through carried state)`, "a → a");
  const d3 = cellDoc("lstm");
  d3.equations["s'"] = "g * i + s' * f";
  throwsExactly(t, () => buildCell(d3, "lstm.json"),
    `lstm.json: equations: cycle s' → s' (a value can depend on itself only through carried state)`, "s' → s' (the new state, not s)");
  t.doesNotThrow(() => buildCell(cellDoc("lstm"), "lstm.json"), "s' reading s (through the state) is fine");
  const m = modelDoc("char-lstm");
  m.equations.enc.xs.x = "logits";
  throwsExactly(t, () => buildModel(m, `${MODELS}/char-lstm.json`),
    `${MODELS}/char-lstm.json: equations: cycle enc → logits → enc (a value can depend on itself only through carried state)`,
    "a cycle through a scan");
  const m2 = modelDoc("char-lstm");
  m2.equations.enc.init = { h: "enc.final.h" };
  throwsExactly(t, () => buildModel(m2, `${MODELS}/char-lstm.json`),
    `${MODELS}/char-lstm.json: equations: cycle enc → enc (a value can depend on itself only through carried state)`,
    "a scan starting from its own final state (used to be reported as an unknown name)");
});

t.test("errors: shapes", async (t) => {
  throwsExactly(t, () => loadProgram("test/fixtures/bad/lstm.json"),
    "test/fixtures/bad/lstm.json: equations.i: matmul of Wix [H=128, I=64] with x [65]: the matrix has 64 columns but the vector has 65 elements",
    "matmul mismatch: file, equation, both operands with their shapes (the issue's example)");
  const d = cellDoc("lstm");
  d.params.Wix.shape = ["H", "H"];
  throwsExactly(t, () => buildCell(d, "lstm.json", { I: 3, H: 5 }),
    "lstm.json: equations.i: matmul of Wix [H=5, H=5] with x [I=3]: the matrix has 5 columns but the vector has 3 elements",
    "matmul mismatch, sizes as overridden");
  const d2 = cellDoc("lstm");
  d2.equations.g = "tanh(x @ Wgx)";
  throwsExactly(t, () => buildCell(d2, "lstm.json"),
    "lstm.json: equations.g: matmul of x [I=4] with Wgx [H=8, I=4]: the left operand must be a weight matrix [rows, cols]", "operands swapped");
  const d3 = cellDoc("lstm");
  d3.params.bi.shape = ["I"];
  throwsExactly(t, () => buildCell(d3, "lstm.json"),
    "lstm.json: equations.i: add of (Wix @ x) + (Wih @ h) [8] and bi [I=4]: shapes do not broadcast", "broadcast mismatch in add");
  const d4 = cellDoc("lstm");
  d4.inputs.x.dtype = "i32";
  throwsExactly(t, () => buildCell(d4, "lstm.json"),
    "lstm.json: equations.g: matmul expects floating-point operands, but x [I=4] is i32", "an i32 operand");
  const d5 = cellDoc("lstm");
  d5.next.s = "x";
  throwsExactly(t, () => buildCell(d5, "lstm.json"), "lstm.json: next.s: the next value of state s must be [H=8], got x [I=4]",
    "the next state of the wrong shape");
  const m = modelDoc("char-lstm");
  m.params.Wy.shape = ["V", "D"];
  throwsExactly(t, () => buildModel(m, `${MODELS}/char-lstm.json`),
    `${MODELS}/char-lstm.json: equations.logits: matmul of Wy [V=7, D=3] with enc.h [T, B, 4]: the matrix has 3 columns but the vector has 4 elements`,
    "in a model, values show their batch and time dims");
  const m2 = modelDoc("bidir");
  m2.equations.bwd.sizes.H = 3;
  m2.equations.both = "fwd.h + bwd.h";
  throwsExactly(t, () => buildModel(m2, `${MODELS}/bidir.json`),
    `${MODELS}/bidir.json: equations.both: add of fwd.h [T, B, 2] and bwd.h [T, B, 3]: shapes do not broadcast`, "broadcast mismatch in a model");
});

t.test("errors: state, outputs and names of a cell", async (t) => {
  const d = cellDoc("lstm");
  delete d.next.s;
  throwsExactly(t, () => buildCell(d, "lstm.json"), `lstm.json: next: missing the next value of state "s"`, "next missing a state");
  const d2 = cellDoc("lstm");
  d2.next.c = "s'";
  throwsExactly(t, () => buildCell(d2, "lstm.json"), `lstm.json: next.c: "c" is not a state (states: h, s)`, "next naming a non-state");
  const d3 = cellDoc("lstm");
  d3.outputs.gate = "sigmoid(bf)";
  throwsExactly(t, () => buildCell(d3, "lstm.json"),
    "lstm.json: outputs.gate: a per-step output must depend on the example (got a value of shape [8])", "an output without batch dependence");
  const d4 = cellDoc("lstm");
  d4.params.bi.shape = ["K"];
  throwsExactly(t, () => buildCell(d4, "lstm.json"), `lstm.json: params.bi.shape[0]: unknown size "K" (sizes: I, H)`, "unknown size in a shape");
  const d5 = cellDoc("lstm");
  d5.state.s.shape = ["h"];
  throwsExactly(t, () => buildCell(d5, "lstm.json"), `lstm.json: state.s.shape[0]: unknown size "h" (did you mean "H"?) (sizes: I, H)`,
    "unknown size, with a suggestion");
  const d6 = cellDoc("lstm");
  d6.equations.bi = "tanh(x)";
  throwsExactly(t, () => buildCell(d6, "lstm.json"), `lstm.json: equations.bi: "bi" is already defined as a parameter`, "an equation redefining a param");
  const d7 = cellDoc("lstm");
  d7.inputs.h = { shape: ["H"] };
  throwsExactly(t, () => buildCell(d7, "lstm.json"), `lstm.json: inputs.h: "h" is already defined as a state`, "an input redefining a state");
  const d8 = cellDoc("lstm");
  d8.state.h.dtype = "i32";
  throwsExactly(t, () => buildCell(d8, "lstm.json"), `lstm.json: state.h.dtype: expected "f32" (state is always f32), found "i32"`, "an i32 state");

  // in a cell sum(x) and mean(x) reduce over the whole batch: the message must not read "[] vs []"
  const acc = (next: string, inputs: object = { x: { shape: [3] } }) => ({
    rnnc: "cell", name: "acc", inputs, state: { c: { shape: [] } }, params: {}, equations: {}, next: { c: next }, outputs: {},
  });
  throwsExactly(t, () => buildCell(acc("sum(x)"), "acc.json"),
    "acc.json: next.c: the next value of state c must be [], got sum(x) [], which does not depend on the example",
    "a next state that does not depend on the example");
  t.doesNotThrow(() => buildCell(acc("c + sum(x, axis=-1)"), "acc.json"), "a per-example reduction is fine");
  const ids = { k: { shape: [], dtype: "i32" } };
  throwsExactly(t, () => buildCell(acc("k", ids), "acc.json"),
    "acc.json: next.c: the next value of state c must be f32 (state is always f32), got k [] of dtype i32 (convert it with float(...))",
    "an i32 next state (used to surface from the scan op, without file or location)");
  t.doesNotThrow(() => programFromCell(buildCell(acc("float(k)", ids), "acc.json")), "float(k) is accepted");
  throwsExactly(t, () => loadProgram("test/fixtures/bad/no-inputs.json"),
    "test/fixtures/bad/no-inputs.json: inputs: the cell has no per-step inputs, so a scan over it has no length",
    "a cell without per-step inputs cannot run on its own");
  throwsExactly(t, () => buildModel({ rnnc: "model", name: "m", cells: { acc: acc("c + 1", {}) }, inputs: {},
    equations: { a: { scan: "acc", xs: {} } }, outputs: { c: "a.final.c" } }, "m.json"),
  "m.json: equations.a.scan: the cell acc has no per-step inputs, so the scan has no length", "nor be scanned in a model");
});

t.test("errors: sizes given with --dims", async (t) => {
  const lstm = (dims: Record<string, number>) => () => loadProgram(`${CELLS}/lstm.json`, dims);
  throwsExactly(t, lstm({ H: 0 }), `${CELLS}/lstm.json: --dims: size H must be a positive integer, got 0`, "zero");
  throwsExactly(t, lstm({ H: -4 }), `${CELLS}/lstm.json: --dims: size H must be a positive integer, got -4`, "negative");
  throwsExactly(t, lstm({ I: 2.5 }), `${CELLS}/lstm.json: --dims: size I must be a positive integer, got 2.5`, "not an integer");
  throwsExactly(t, lstm({ H: 1e12 }), `${CELLS}/lstm.json: --dims: size H must be at most 1000000000, got 1000000000000`, "huge");
  t.same(loadProgram(`${CELLS}/lstm.json`, { H: 1e9 }).sizes.H, 1e9, "the largest size is accepted (nothing is allocated at load time)");
  throwsExactly(t, lstm({ Q: 2 }), `${CELLS}/lstm.json: --dims: unknown size "Q" (sizes: I, H)`, "unknown size");
  throwsExactly(t, () => loadProgram(`${MODELS}/inline.json`, { h: 2 }),
    `${MODELS}/inline.json: --dims: unknown size "h" (did you mean "H"?) (sizes: I, H)`, "unknown model size, with a suggestion");
});

t.test("errors: models", async (t) => {
  const file = `${MODELS}/char-lstm.json`;
  const charLstm = (edit: (d: ReturnType<typeof modelDoc>) => void) => () => {
    const d = modelDoc("char-lstm");
    edit(d);
    return buildModel(d, file);
  };
  throwsExactly(t, charLstm((d) => (d.equations.enc.scan = "lstn")),
    `${file}: equations.enc.scan: unknown cell "lstn" (did you mean "lstm"?) (cells: lstm)`, "scan with an unknown cell");
  throwsExactly(t, charLstm((d) => delete d.cells),
    `${file}: equations.enc.scan: unknown cell "lstm" (the model declares no cells)`, "scan in a model without cells");
  throwsExactly(t, charLstm((d) => (d.equations.enc.xs.x = "tokens")),
    `${file}: equations.enc.xs.x: the cell input x takes f32 [3] per step, so it needs a f32 sequence [T, B, 3]; got tokens i32 [T, B]`,
    "scan xs of the wrong dtype and rank");
  throwsExactly(t, charLstm((d) => (d.equations.enc.sizes.I = 5)),
    `${file}: equations.enc.xs.x: the cell input x takes f32 [5] per step, so it needs a f32 sequence [T, B, 5]; got e f32 [T, B, 3]`,
    "scan xs of the wrong width");
  throwsExactly(t, charLstm((d) => { d.inputs.z = { shape: ["D"] }; d.equations.enc.xs.x = "z"; }),
    `${file}: equations.enc.xs.x: the cell input x takes f32 [3] per step, so it needs a f32 sequence [T, B, 3]; got z f32 [B, 3]`,
    "scan xs that is not a sequence");
  throwsExactly(t, charLstm((d) => (d.equations.enc.xs.y = "e")),
    `${file}: equations.enc.xs.y: the cell lstm has no input "y" (inputs: x)`, "xs naming a non-input");
  throwsExactly(t, charLstm((d) => (d.equations.enc.xs = {})),
    `${file}: equations.enc.xs: missing the sequence for the cell's input "x"`, "xs missing an input");
  throwsExactly(t, charLstm((d) => (d.equations.enc.xs.x = "e +")), [
    `${file}: equations.enc.xs.x: column 4: expected an expression, found end of input`,
    `    e +`,
    `       ^`,
  ].join("\n"), "a syntax error in xs names the xs entry");
  throwsExactly(t, charLstm((d) => (d.inputs.lengths.dtype = "f32")),
    `${file}: equations.enc.lengths: expected one length per sequence, i32 [B]; got lengths f32 [B]`, "lengths not i32");
  throwsExactly(t, charLstm((d) => (d.equations.enc.lengths = "tokens")),
    `${file}: equations.enc.lengths: expected one length per sequence, i32 [B]; got tokens i32 [T, B]`, "lengths not [B]");
  throwsExactly(t, charLstm((d) => (d.equations.enc.lengths = "lenghts")),
    `${file}: equations.enc.lengths: unknown name "lenghts" (did you mean "lengths"?)`, "lengths misspelled");
  throwsExactly(t, charLstm((d) => (d.loss = "cross_entropy(logits, targets, reduction=none)")),
    `${file}: loss: the loss must be a scalar, got f32 [T, B] (reduce it with mean(...) or sum(...))`, "a loss that is not a scalar");
  throwsExactly(t, charLstm((d) => (d.loss = "mean(sigmod(logits))")),
    `${file}: loss: unknown function "sigmod" (did you mean "sigmoid"?)`, "an unknown function in the loss");
  throwsExactly(t, charLstm((d) => (d.equations.enc.sizes.I = "DD")),
    `${file}: equations.enc.sizes.I: unknown size "DD" (the model's sizes: V, D, H)`, "scan sizes naming an unknown model size");
  throwsExactly(t, charLstm((d) => (d.equations.enc.sizes.J = "D")),
    `${file}: equations.enc.sizes.J: the cell lstm has no size "J" (sizes: I, H)`, "scan sizes naming an unknown cell size");
  throwsExactly(t, charLstm((d) => (d.equations.E = "tokens")),
    `${file}: equations.E: "E" is already defined as a parameter`, "an equation redefining a param");
  throwsExactly(t, charLstm((d) => (d.equations.tokens = "targets")),
    `${file}: equations.tokens: "tokens" is already defined as an input`, "an equation redefining an input");
  throwsExactly(t, charLstm((d) => (d.inputs.E = { shape: [] })),
    `${file}: inputs.E: "E" is already defined as a parameter`, "an input redefining a param");
  throwsExactly(t, charLstm((d) => (d.outputs.c = "enc.final.c")),
    `${file}: outputs.c: unknown name "enc.final.c" (did you mean "enc.final.h"?)`, "a scan's final state that does not exist");
  throwsExactly(t, charLstm((d) => (d.equations.logits = "Wy @ enc + by")),
    `${file}: equations.logits: unknown name "enc" (did you mean "enc.h"?)`, "a scan's name used as a value");

  const encdec = `${MODELS}/encdec.json`;
  const ed = modelDoc("encdec");
  ed.equations.dec.init.h = "enc.h";
  throwsExactly(t, () => buildModel(ed, encdec),
    `${encdec}: equations.dec.init.h: the cell state h is f32 [4] per example, so its initial value must be f32 [B, 4]; got enc.h f32 [T, B, 4]`,
    "init of the wrong shape (a sequence)");
  const ed2 = modelDoc("encdec");
  ed2.equations.dec.init.c = "enc.final.h";
  throwsExactly(t, () => buildModel(ed2, encdec), `${encdec}: equations.dec.init.c: the cell lstm has no state "c"`, "init naming a non-state");

  // an i32 initial value for an f32 scalar state used to pass the frontend and fail inside the scan op
  const acc = { rnnc: "cell", name: "acc", inputs: { x: { shape: [] } }, state: { c: { shape: [] } }, params: {}, equations: {},
    next: { c: "c + x" }, outputs: { c: "c" } };
  const model = (n: unknown) => ({ rnnc: "model", name: "m", cells: { acc }, inputs: { x: { shape: [], sequence: true }, n },
    equations: { a: { scan: "acc", xs: { x: "x" }, init: { c: "n" } } }, outputs: { y: "a.c" } });
  throwsExactly(t, () => buildModel(model({ shape: [], dtype: "i32" }), "m.json"),
    `m.json: equations.a.init.c: the cell state c is f32 [] per example, so its initial value must be f32 [B]; got n i32 [B]`,
    "init of the wrong dtype");
  t.doesNotThrow(() => buildModel(model({ shape: [] }), "m.json"), "the same model with an f32 initial value");

  const inline = `${MODELS}/inline.json`;
  const il = modelDoc("inline");
  il.cells.rnn.equations.pre = "W @ x + U @ hh + b";
  throwsExactly(t, () => buildModel(il, inline), `${inline}#cells.rnn: equations.pre: unknown name "hh"`,
    "an inline cell's errors name the model and the cell entry");
  const il2 = modelDoc("inline");
  delete il2.cells.rnn.next;
  throwsExactly(t, () => buildModel(il2, inline), `${inline}: cells.rnn: missing required property "next"`, "an inline cell's schema violation");
});
