/**
 * `"resets"` on a scan (compiler/frontend/resets.ts): a 1 at (t, b) zeroes row b's state before
 * step t. Held to its definition: a batch with resets gives the outputs, final states and
 * gradients of the pieces between the resets run separately, each from zero state (the first
 * from the given one), on the f64 interpreter and on the WebAssembly backend; with reverse,
 * lengths, truncate and checkpoint. Finite differences check the gradients; bad input gets one
 * message naming the JSON path.
 */
import t from "tap";
import type { Test } from "tap";
import { gradCheck, rng } from "../../compiler/autodiff/gradcheck.ts";
import { evaluate } from "../../compiler/eval.ts";
import type { Backend, EvalResult } from "../../compiler/eval.ts";
import { buildModel } from "../../compiler/frontend/program.ts";
import type { Program } from "../../compiler/frontend/program.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import { wasmBackend } from "../../compiler/lower/backend.ts";
import { ROOT, throwsExactly } from "./_helpers.ts";

const I = 2, H = 3;
const FILE = "model.json";

type CellName = "elman" | "lstm";
interface Mode {
  cell: CellName;
  B: number;
  T: number;
  /** resets[b]: the steps at which row b begins a new sequence */
  resets: number[][];
  reverse?: boolean;
  lengths?: number[];
  truncate?: number;
  checkpoint?: number;
}

/** A model: one scan of `cell` over x, with `"resets": "resets"` unless `withResets` is false. */
function modelDoc(m: Pick<Mode, "cell" | "reverse" | "lengths" | "truncate" | "checkpoint">, withResets = true): Record<string, any> {
  return {
    rnnc: "model", name: "resettable", sizes: { I, H },
    cells: { c: { file: `${ROOT}/examples/cells/${m.cell}.json` } },
    inputs: {
      x: { shape: ["I"], sequence: true },
      ...(withResets ? { resets: { shape: [], dtype: "i32", sequence: true } } : {}),
      ...(m.lengths ? { lengths: { shape: [], dtype: "i32" } } : {}),
    },
    equations: {
      rnn: {
        scan: "c", sizes: { I: "I", H: "H" }, xs: { x: "x" },
        ...(withResets ? { resets: "resets" } : {}),
        ...(m.reverse ? { reverse: true } : {}),
        ...(m.lengths ? { lengths: "lengths" } : {}),
        ...(m.truncate ? { truncate: m.truncate } : {}),
        ...(m.checkpoint ? { checkpoint: m.checkpoint } : {}),
      },
    },
    outputs: { y: "rnn.h" },
  };
}

const program = (m: Mode, withResets = true): Program => buildModel(modelDoc(m, withResets), FILE);

function random(shape: number[], seed: number, scale = 1): Tensor {
  const r = rng(seed);
  return tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) * scale));
}

/** Parameters, x, non-zero initial states, lengths and the reset flags of mode m. */
function inputsOf(p: Program, m: Mode, seed = 5): Map<string, Tensor> {
  const given = new Map<string, Tensor>();
  let k = seed;
  for (const par of p.params) given.set(par.name, random(par.shape, k++, 0.8));
  given.set("x", random([m.T, m.B, I], k++));
  for (const s of p.states) given.set(s.input!, random([m.B, H], k++, 0.9));
  if (m.lengths) given.set("lengths", tensor([m.B], m.lengths, "i32"));
  const flags = new Array<number>(m.T * m.B).fill(0);
  m.resets.forEach((ts, b) => ts.forEach((t) => (flags[t * m.B + b] = 1)));
  given.set("resets", tensor([m.T, m.B], flags, "i32"));
  return given;
}

/** Random cotangents of the outputs and final states. */
function cotangentsOf(p: Program, m: Mode, seed = 99) {
  return {
    outputs: new Map([["y", random([m.T, m.B, H], seed)]]),
    final: new Map(p.states.map((s, i) => [s.name, random([m.B, H], seed + 1 + i)] as [string, Tensor])),
  };
}

/**
 * Row b cut at its resets: pieces of steps in processing order (ascending within a piece), each
 * marked fresh when a reset begins it. Steps at or past the row's length are not run.
 */
function pieces(m: Mode, b: number): { times: number[]; fresh: boolean }[] {
  const len = m.lengths?.[b] ?? m.T;
  const out: { times: number[]; fresh: boolean }[] = [];
  for (let k = 0; k < len; k++) {
    const t = m.reverse ? len - 1 - k : k;
    const reset = m.resets[b]!.includes(t);
    if (out.length === 0 || reset) out.push({ times: [], fresh: reset });
    out.at(-1)!.times.push(t);
  }
  for (const p of out) p.times.sort((a, c) => a - c);
  return out;
}

/**
 * The reference: every piece of every row run on its own (B = 1) by the same model without
 * resets (no lengths either: a piece is unpadded), from zero state when fresh, else from the state
 * the previous piece left. The cotangents are split the same way, and each piece's gradient with
 * respect to its initial state is the previous piece's final-state cotangent (zero across a reset).
 */
async function bySeparatePieces(m: Mode, given: Map<string, Tensor>, cts: ReturnType<typeof cotangentsOf>, backend?: Backend): Promise<EvalResult> {
  const { B, T } = m;
  const plain = program({ ...m, lengths: undefined }, false);
  const states = plain.states;
  const result: EvalResult = {
    outputs: { y: tensor([T, B, H]) },
    final: Object.fromEntries(states.map((s) => [s.name, tensor([B, H])])),
    grads: Object.fromEntries([
      ...plain.params.map((p) => [p.name, tensor(p.shape)] as const),
      ["x", tensor([T, B, I])],
      ...states.map((s) => [s.input!, tensor([B, H])] as const),
    ]),
  };
  const row = (src: Tensor, b: number, width: number): ArrayLike<number> => src.data.slice(b * width, (b + 1) * width);
  for (let b = 0; b < B; b++) {
    const ps = pieces(m, b);
    // forward, in processing order
    const runs: { given: Map<string, Tensor>; out: EvalResult }[] = [];
    let state = states.map((s) => row(given.get(s.input!)!, b, H));
    for (const piece of ps) {
      const n = piece.times.length;
      const g = new Map<string, Tensor>();
      for (const p of plain.params) g.set(p.name, given.get(p.name)!);
      const x = tensor([n, 1, I]);
      piece.times.forEach((t, k) => x.data.set(given.get("x")!.data.slice((t * B + b) * I, (t * B + b + 1) * I), k * I));
      g.set("x", x);
      states.forEach((s, i) => g.set(s.input!, tensor([1, H], piece.fresh ? new Array(H).fill(0) : Array.from(state[i]!))));
      const out = await evaluate(plain, g, { file: FILE, ...(backend ? { backend } : {}) });
      state = states.map((s): ArrayLike<number> => out.final[s.name]!.data);
      piece.times.forEach((t, k) => result.outputs.y!.data.set(out.outputs.y!.data.slice(k * H, (k + 1) * H), (t * B + b) * H));
      runs.push({ given: g, out });
    }
    states.forEach((s, i) => result.final[s.name]!.data.set(state[i]!, b * H));
    // backward, in reverse processing order
    let ctFinal = states.map((s) => row(cts.final.get(s.name)!, b, H));
    for (let j = ps.length - 1; j >= 0; j--) {
      const piece = ps[j]!;
      const n = piece.times.length;
      const ctY = tensor([n, 1, H]);
      piece.times.forEach((t, k) => ctY.data.set(cts.outputs.get("y")!.data.slice((t * B + b) * H, (t * B + b + 1) * H), k * H));
      const pieceCts = {
        outputs: new Map([["y", ctY]]),
        final: new Map(states.map((s, i) => [s.name, tensor([1, H], Array.from(ctFinal[i]!))] as [string, Tensor])),
      };
      const out = await evaluate(plain, runs[j]!.given, { file: FILE, cotangents: pieceCts, ...(backend ? { backend } : {}) });
      for (const p of plain.params) {
        const acc = result.grads![p.name]!.data, gp = out.grads![p.name]!.data;
        for (let k = 0; k < acc.length; k++) acc[k]! += gp[k]!;
      }
      piece.times.forEach((t, k) => result.grads!.x!.data.set(out.grads!.x!.data.slice(k * I, (k + 1) * I), (t * B + b) * I));
      const gInit = states.map((s): ArrayLike<number> => out.grads![s.input!]!.data);
      if (piece.fresh) ctFinal = states.map(() => new Array<number>(H).fill(0)); // nothing crosses a reset
      else ctFinal = gInit;
      if (j === 0 && !piece.fresh) states.forEach((s, i) => result.grads![s.input!]!.data.set(gInit[i]!, b * H));
    }
  }
  return result;
}

/** max |got − want| / max(1, max |want|) over one tensor. */
function scaledError(got: Tensor, want: Tensor): number {
  let err = 0, scale = 1;
  for (let k = 0; k < want.data.length; k++) {
    err = Math.max(err, Math.abs(got.data[k]! - want.data[k]!));
    scale = Math.max(scale, Math.abs(want.data[k]!));
  }
  return err / scale;
}

function expectSame(t: Test, got: EvalResult, want: EvalResult, tol: number, label: string): void {
  const pairs: [string, Tensor, Tensor][] = [
    ["output y", got.outputs.y!, want.outputs.y!],
    ...Object.keys(want.final).map((k) => [`final ${k}`, got.final[k]!, want.final[k]!] as [string, Tensor, Tensor]),
    ...Object.keys(want.grads ?? {}).map((k) => [`∂/∂${k}`, got.grads![k]!, want.grads![k]!] as [string, Tensor, Tensor]),
  ];
  let worst = 0, where = "";
  for (const [name, g, w] of pairs) {
    if (g.shape.join() !== w.shape.join()) { t.fail(`${label}: ${name} is [${g.shape}], expected [${w.shape}]`); return; }
    const e = scaledError(g, w);
    if (e > worst) { worst = e; where = name; }
  }
  t.ok(worst <= tol, `${label}: outputs, final states and ${Object.keys(want.grads ?? {}).length} gradients agree (worst ${worst.toExponential(2)}${where ? ` at ${where}` : ""} ≤ ${tol})`);
}

const MODES: Record<string, Mode> = {
  "lstm": { cell: "lstm", B: 3, T: 7, resets: [[], [3], [0, 4]] },
  "elman, reverse": { cell: "elman", B: 3, T: 7, resets: [[], [3], [0, 4]], reverse: true },
  "lstm, lengths (a reset past the length does nothing)": { cell: "lstm", B: 3, T: 7, resets: [[2], [3, 6], [0, 2, 5]], lengths: [7, 5, 4] },
  "elman, lengths, reverse": { cell: "elman", B: 3, T: 6, resets: [[5], [1, 3], [0, 2]], lengths: [6, 4, 3], reverse: true },
  // truncation cuts at multiples of k counted from step 0: pieces that begin there cut alike
  "lstm, truncate 2": { cell: "lstm", B: 3, T: 8, resets: [[], [4], [0, 2, 6]], truncate: 2 },
  "lstm, checkpoint 1": { cell: "lstm", B: 3, T: 7, resets: [[], [3], [0, 4]], checkpoint: 1 },
  "lstm, checkpoint 3, lengths": { cell: "lstm", B: 3, T: 8, resets: [[1], [3, 4], [0, 6]], checkpoint: 3, lengths: [8, 6, 7] },
  "elman, checkpoint 2, reverse": { cell: "elman", B: 2, T: 7, resets: [[2, 5], [0]], checkpoint: 2, reverse: true },
};

t.test("interpreter: a batch with resets = its pieces run separately from zero state (forward and gradients)", async (t) => {
  for (const [label, m] of Object.entries(MODES)) {
    const p = program(m);
    const given = inputsOf(p, m);
    const cts = cotangentsOf(p, m);
    const got = await evaluate(p, given, { file: FILE, cotangents: cts });
    expectSame(t, got, await bySeparatePieces(m, given, cts), 1e-12, label);
  }
});

t.test("the resets matter: without them the same batch gives other results", async (t) => {
  const m = MODES.lstm!;
  const p = program(m);
  const given = inputsOf(p, m);
  const with1 = await evaluate(p, given, { file: FILE });
  const none = { ...m, resets: [[], [], []] };
  const without = await evaluate(p, inputsOf(p, none), { file: FILE });
  const y1 = with1.outputs.y!.data, y0 = without.outputs.y!.data;
  const B = m.B, rowDiffers = (b: number, from: number, to: number) => {
    for (let t = from; t < to; t++) for (let k = 0; k < H; k++) if (y1[(t * B + b) * H + k] !== y0[(t * B + b) * H + k]) return true;
    return false;
  };
  t.notOk(rowDiffers(0, 0, m.T), "row 0 (no reset): identical");
  t.notOk(rowDiffers(1, 0, 3), "row 1: identical before its reset at t=3");
  t.ok(rowDiffers(1, 3, m.T), "row 1: different from t=3 on");
  t.ok(rowDiffers(2, 0, 1), "row 2: a reset at t=0 drops the given initial state");
});

t.test("WebAssembly: the same as the pieces, within f32 rounding", async (t) => {
  const backend = wasmBackend();
  for (const label of ["lstm", "elman, lengths, reverse", "lstm, truncate 2", "lstm, checkpoint 3, lengths"]) {
    const m = MODES[label]!;
    const p = program(m);
    const given = inputsOf(p, m);
    const cts = cotangentsOf(p, m);
    const got = await evaluate(p, given, { file: FILE, cotangents: cts, backend });
    expectSame(t, got, await bySeparatePieces(m, given, cts), 2e-5, `${label} (wasm vs the pieces on the interpreter)`);
  }
});

t.test("finite differences on the f64 interpreter agree with the gradients of a scan with resets", async (t) => {
  for (const label of ["lstm", "elman, reverse", "lstm, lengths (a reset past the length does nothing)", "lstm, checkpoint 1", "elman, checkpoint 2, reverse"]) {
    const m = MODES[label]!;
    const p = program(m);
    const given = inputsOf(p, m);
    const inputs = p.graph.inputs.map((n) => given.get(n)!);
    const wrt = p.graph.inputs.filter((n) => p.graph.types.get(n)!.dtype === "f32");
    const res = gradCheck(p.graph, inputs, wrt);
    t.ok(res.maxRelError < 1e-6, `${label}: max relative error ${res.maxRelError.toExponential(2)} over ${wrt.length} inputs`);
  }
});

t.test("the IR: the flags enter the body as one more per-step input, and the carries are zeroed by where", async (t) => {
  const p = program(MODES.lstm!);
  const scan = p.graph.nodes.find((n) => n.op === "scan")!;
  const body = scan.attrs.body as import("../../compiler/ir/types.ts").Graph;
  t.match(scan.attrs, { n_carry: 2, n_xs: 2, has_lengths: false });
  const flags = body.inputs.at(-1)!;
  t.same(body.types.get(flags), { dtype: "f32", shape: ["B", 1] }, "a per-step f32 [B, 1] input");
  t.same(body.inputs.slice(12, 14), ["h", "s"], "the carries keep their names");
  const wheres = body.nodes.filter((n) => n.op === "where" && n.inputs[0] === flags);
  t.same(wheres.map((n) => n.inputs[2]), ["h", "s"], "each carry is zeroed by where(reset, 0, carry)");
  const readers = body.nodes.filter((n) => n.inputs.includes("h") || n.inputs.includes("s"));
  t.same(readers, wheres, "and the cell reads the carries only through them");
  t.equal(p.graph.nodes.filter((n) => n.op === "one_hot").length, 1, "the flags are made once, outside the loop");
});

t.test("bad resets get one clear message naming the JSON path", async (t) => {
  const m = MODES.lstm!;
  const doc = (edit: (d: Record<string, any>) => void) => () => {
    const d = modelDoc(m);
    edit(d);
    return buildModel(d, FILE);
  };
  throwsExactly(t, doc((d) => (d.inputs.resets.dtype = "f32")),
    `${FILE}: equations.rnn.resets: expected one 0/1 flag per step and sequence, i32 [T, B] (1: the state is zeroed before that step); got resets f32 [T, B]`, "f32 flags");
  throwsExactly(t, doc((d) => (d.inputs.resets.sequence = false)),
    `${FILE}: equations.rnn.resets: expected one 0/1 flag per step and sequence, i32 [T, B] (1: the state is zeroed before that step); got resets i32 [B]`, "one flag per sequence");
  throwsExactly(t, doc((d) => (d.inputs.resets.shape = [1])),
    `${FILE}: equations.rnn.resets: expected one 0/1 flag per step and sequence, i32 [T, B] (1: the state is zeroed before that step); got resets i32 [T, B, 1]`, "an extra axis");
  throwsExactly(t, doc((d) => (d.equations.rnn.resets = "reset")),
    `${FILE}: equations.rnn.resets: unknown name "reset" (did you mean "resets"?)`, "a misspelled name");
  throwsExactly(t, doc((d) => (d.equations.rnn.resets = 1)),
    `${FILE}: equations.rnn.resets: expected an expression string (per-step reset flags, i32 [T, B]), found 1`, "not an expression");
  // a state that is a matrix per example
  const matrix = doc((d) => {
    d.cells.c = {
      rnnc: "cell", name: "matrix", sizes: { I: 2, H: 3 },
      inputs: { x: { shape: ["I"] } }, state: { S: { shape: ["H", "H"] } }, params: {},
      equations: {}, next: { S: "tanh(S)" }, outputs: { h: "sum(S, axis=-1)" },
    };
  });
  throwsExactly(t, matrix, `${FILE}: equations.rnn.resets: the cell state S is f32 [3, 3] per example; resets can zero states that are scalars or vectors per example`, "a matrix state");
  // values other than 0 and 1 are refused where the data enters
  const p = program(m);
  const given = inputsOf(p, m);
  given.get("resets")!.data[4] = 2;
  await t.rejects(evaluate(p, given, { file: "in.json" }), { message: "in.json: resets: value 2 at index 4 is outside its range [0, 2)" }, "a flag of 2");
});

t.test("a state that is one number per example is reset too", async (t) => {
  const d = modelDoc(MODES.lstm!);
  d.cells.c = {
    rnnc: "cell", name: "counter", sizes: { I: 2, H: 3 },
    inputs: { x: { shape: ["I"] } }, state: { n: { shape: [] } }, params: {},
    equations: {}, next: { n: "n + 1" }, outputs: { h: "n + 1" },
  };
  d.outputs = { y: "rnn.h" };
  const p = buildModel(d, FILE);
  const m: Mode = { cell: "elman", B: 2, T: 5, resets: [[2], [0, 4]] };
  const given = new Map<string, Tensor>([
    ["x", tensor([5, 2, 2])], ["resets", inputsOf(program(m), m).get("resets")!], ["rnn.init.n", tensor([2], [10, 20])],
  ]);
  const out = await evaluate(p, given, { file: FILE });
  t.same(Array.from(out.outputs.y!.data), [11, 1, 12, 2, 1, 3, 2, 4, 3, 1], "a step counter restarts at each reset");
  t.same(Array.from(out.final["rnn.n"]!.data), [3, 1]);
});
