/**
 * BPTT: gradient checks of scans (Elman and LSTM-like bodies) in every mode — forward, reverse,
 * ragged lengths, generation, integer per-step inputs, per-step losses — plus the masking
 * semantics of lengths and truncated BPTT against explicit reference graphs.
 */
import t, { type Test } from "tap";
import { gradCheck, rng } from "../../compiler/autodiff/gradcheck.ts";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { RnncError } from "../../compiler/diagnostics.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import type { Graph, Shape } from "../../compiler/ir/types.ts";
import {
  Case, bodyBuilder, elmanBody, emitScan, f32t, i32t, lstmBody, maxAbs, maxAbsDiff, randomLike, tensor,
} from "../ops/_helpers.ts";
import type { Tensor } from "../ops/_helpers.ts";

const TOL = 1e-6;
const W_RANGE = { lo: -0.7, hi: 0.7 };

type Kind = "elman" | "lstm";
const I = 2;
const SIZES: Record<Kind, { H: number; gates: number; carries: string[] }> = {
  elman: { H: 3, gates: 1, carries: ["h0"] },
  lstm: { H: 2, gates: 4, carries: ["h0", "c0"] },
};

interface ScanSpec {
  kind: Kind;
  B: number;
  /** T, or a static T when `staticT` (needed to slice xs along time). */
  T: number;
  staticT?: boolean;
  reverse?: boolean;
  lengths?: number[];
  truncate?: number;
  seed?: number;
}

function bodyOf(kind: Kind): Graph {
  const s = SIZES[kind];
  return kind === "elman" ? elmanBody({ I, H: s.H }) : lstmBody({ I, H: s.H });
}

/** Declares the weights, initial carries and xs of a cell scan on `c`; returns their names. */
function declareCell(c: Case, kind: Kind, T: Shape[number]) {
  const { H, gates, carries } = SIZES[kind];
  const consts = [c.f32("W", [gates * H, I], W_RANGE), c.f32("U", [gates * H, H], W_RANGE), c.f32("b", [gates * H], { lo: -0.5, hi: 0.5 })];
  const inits = carries.map((n) => c.f32(n, ["B", H]));
  const xs = c.f32("xs", [T, "B", I]);
  return { consts, inits, xs };
}

/** A graph returning the scan's outputs: final carries, then ys. */
function cellScan(spec: ScanSpec): Case {
  const c = new Case({ B: spec.B, T: spec.T }, spec.seed ?? 17);
  const { consts, inits, xs } = declareCell(c, spec.kind, spec.staticT ? spec.T : "T");
  const len = spec.lengths ? c.i32("len", ["B"], spec.lengths) : undefined;
  const outs = emitScan(c.b, bodyOf(spec.kind), consts, inits, [xs], {
    reverse: spec.reverse ?? false,
    ...(len ? { lengths: len } : {}),
    ...(spec.truncate !== undefined ? { truncate: spec.truncate } : {}),
  });
  return c.out(...outs);
}

function expectGradCheck(t: Test, c: Case, wrt: string[] = c.floatInputs(), label = "") {
  t.ok(wrt.length > 0, `${label}something to check`);
  const res = gradCheck(c.graph, c.values, wrt);
  for (const e of res.errors) {
    t.ok(e.relError < TOL, `${label}d/d${e.name}: relative error ${e.relError.toExponential(2)} < ${TOL}`);
  }
  t.ok(res.errors.every((e) => maxAbs(e.numeric) > 1e-4), `${label}every checked input has a non-zero gradient`);
  return res;
}

/** Random cotangents for the float outputs of a run. */
function cotangents(g: Graph, outs: Tensor[], seed: number): Tensor[] {
  const rand = rng(seed);
  return outs.filter((_, i) => g.types.get(g.outputs[i]!)!.dtype === "f32").map((o) => randomLike(o, rand));
}

/** Runs the VJP graph: returns [forward outputs, gradients (one per wrt)]. */
function vjpRun(g: Graph, values: Tensor[], cts: Tensor[], wrt: string[]): { outs: Tensor[]; grads: Tensor[] } {
  const v = vjpGraph(g, wrt);
  const all = runGraph(v.graph, [...values, ...cts]);
  return { outs: all.slice(0, g.outputs.length), grads: all.slice(g.outputs.length) };
}

// ---- tensor slicing for the per-sequence comparisons ---------------------------------------

/** Row b of a batch-major tensor [B, ...] as [1, ...]. */
function row(x: Tensor, b: number): Tensor {
  const n = x.data.length / x.shape[0]!;
  return tensor([1, ...x.shape.slice(1)], x.data.subarray(b * n, (b + 1) * n), x.dtype);
}

/** Steps [0, len) of sequence b of a time-major tensor [T, B, ...] as [len, 1, ...]. */
function seq(x: Tensor, b: number, len: number): Tensor {
  const [, B] = x.shape as [number, number];
  const n = x.data.length / (x.shape[0]! * B);
  const out = tensor([len, 1, ...x.shape.slice(2)], undefined, x.dtype);
  for (let s = 0; s < len; s++) out.data.set(x.data.subarray((s * B + b) * n, (s * B + b + 1) * n), s * n);
  return out;
}

/** Steps [from, T) of sequence b of [T, B, ...], flattened. */
function tail(x: Tensor, b: number, from: number): Float64Array {
  const [T, B] = x.shape as [number, number];
  const n = x.data.length / (T * B);
  const out: number[] = [];
  for (let s = from; s < T; s++) out.push(...x.data.subarray((s * B + b) * n, (s * B + b + 1) * n));
  return Float64Array.from(out);
}

function addInto(acc: Tensor | undefined, x: Tensor): Tensor {
  if (!acc) return tensor(x.shape, x.data);
  acc.data.forEach((v, i) => (acc.data[i] = v + x.data[i]!));
  return acc;
}

// ---- gradient checks ----------------------------------------------------------------------------

for (const kind of ["elman", "lstm"] as const) {
  t.test(`${kind}: BPTT gradient checks`, async (t) => {
    const modes: [string, Partial<ScanSpec>][] = [
      ["forward", {}],
      ["reverse", { reverse: true }],
      ["ragged lengths [6, 3, 1]", { lengths: [6, 3, 1] }],
      ["reverse with lengths [6, 3, 1]", { reverse: true, lengths: [6, 3, 1] }],
      ["lengths with a full-length and an empty sequence [0, 6, 4]", { lengths: [0, 6, 4] }],
    ];
    for (const [label, spec] of modes) {
      t.test(label, async (t) => {
        const c = cellScan({ kind, B: 3, T: 6, ...spec });
        const wrt = c.floatInputs();
        t.same(wrt, [...["W", "U", "b"], ...SIZES[kind].carries, "xs"], "w.r.t. weights, initial state and xs");
        const res = gradCheck(c.graph, c.values, wrt);
        for (const e of res.errors) t.ok(e.relError < TOL, `d/d${e.name}: relative error ${e.relError.toExponential(2)} < ${TOL}`);
        for (const e of res.errors) if (e.name !== "h0" && e.name !== "c0") t.ok(maxAbs(e.numeric) > 1e-3, `d/d${e.name} is non-zero`);
        if (spec.lengths) {
          // inputs beyond a sequence's length get exactly zero gradient; an empty sequence's initial state passes through
          const gxs = res.errors.find((e) => e.name === "xs")!.analytic;
          const gt = tensor([6, 3, I], gxs);
          spec.lengths.forEach((len, b) => t.equal(maxAbs(tail(gt, b, len)), 0, `d/dxs is zero past length ${len} of sequence ${b}`));
        }
      });
    }
  });
}

t.test("generation: a scan with no xs and `steps`", async (t) => {
  // h' = tanh(U h + b), y = sigmoid(V h'): driven by the initial state only
  const H = 3;
  const body = bodyBuilder();
  const U = body.input("U", f32t([H, H]));
  const bb = body.input("b", f32t([H]));
  const V = body.input("V", f32t([2, H]));
  const h = body.input("h", f32t(["B", H]));
  const h2 = body.op("tanh", [body.add(body.op("matmul", [U, h]), bb)]);
  body.graph.outputs = [h2, body.op("sigmoid", [body.op("matmul", [V, h2])])];
  for (const reverse of [false, true]) {
    const c = new Case({ B: 2, T: 6 }, 23);
    const consts = [c.f32("U", [H, H], { lo: -1, hi: 1 }), c.f32("b", [H], W_RANGE), c.f32("V", [2, H])];
    const h0 = c.f32("h0", ["B", H]);
    const [hT, ys] = emitScan(c.b, body.graph, consts, [h0], [], { steps: 6, reverse });
    c.out(hT!, ys!);
    const [, yv] = c.run();
    t.same(yv!.shape, [6, 2, 2], "ys are [steps, B, 2]");
    expectGradCheck(t, c, c.floatInputs(), reverse ? "reverse: " : "");
  }
  // with no per-step output at all, the backward scan has no xs either and needs `steps` too
  const body2 = bodyBuilder();
  const U2 = body2.input("U", f32t([H, H]));
  const hh = body2.input("h", f32t(["B", H]));
  body2.graph.outputs = [body2.op("tanh", [body2.op("matmul", [U2, hh])])];
  const c = new Case({ B: 2, T: 5 }, 29);
  const U0 = c.f32("U", [H, H], { lo: -1, hi: 1 });
  const h0 = c.f32("h0", ["B", H]);
  c.out(...emitScan(c.b, body2.graph, [U0], [h0], [], { steps: 5 }));
  expectGradCheck(t, c, c.floatInputs(), "carry only: ");
});

t.test("integer per-step input: token ids into an embedding inside the body", async (t) => {
  const V = 4, H = 3;
  const ids = [0, 2, 2, 3, 1, 1, 0, 2, 2, 3, 3, 0, 1, 0, 0, 2, 3, 1]; // [T=6, B=3], with repeats; every id used
  for (const [label, opts] of [
    ["forward", {}],
    ["reverse with lengths [6, 3, 1]", { reverse: true, lengths: [6, 3, 1] }],
    ["lengths [2, 6, 5]", { lengths: [2, 6, 5] }],
  ] as [string, { reverse?: boolean; lengths?: number[] }][]) {
    const c = new Case({ B: 3, T: 6 }, 31);
    const consts = [c.f32("E", [V, I]), c.f32("W", [H, I], W_RANGE), c.f32("U", [H, H], W_RANGE), c.f32("b", [H], W_RANGE)];
    const h0 = c.f32("h0", ["B", H]);
    const xs = c.i32("ids", ["T", "B"], ids);
    const len = opts.lengths ? c.i32("len", ["B"], opts.lengths) : undefined;
    c.out(...emitScan(c.b, elmanBody({ I, H }, { vocab: V }), consts, [h0], [xs], { reverse: opts.reverse ?? false, ...(len ? { lengths: len } : {}) }));
    t.same(c.floatInputs(), ["E", "W", "U", "b", "h0"]);
    expectGradCheck(t, c, c.floatInputs(), `${label}: `);
  }

  // the body also emits its integer input as a per-step output (an i32 y, which takes no cotangent)
  const body = bodyBuilder();
  const E = body.input("E", f32t([V, H]));
  const h = body.input("h", f32t(["B", H]));
  const id = body.input("id", i32t(["B"]));
  const h2 = body.op("tanh", [body.add(h, body.op("embedding", [E, id]))]);
  body.graph.outputs = [h2, id, h2];
  const c = new Case({ B: 3, T: 6 }, 37);
  const e0 = c.f32("E", [V, H]);
  const h0 = c.f32("h0", ["B", H]);
  const xs = c.i32("ids", ["T", "B"], ids);
  const outs = emitScan(c.b, body.graph, [e0], [h0], [xs]);
  c.out(...outs);
  t.equal(c.graph.types.get(outs[1]!)!.dtype, "i32", "the stacked ids are i32");
  const [, idsOut] = c.run();
  t.same(Array.from(idsOut!.data), ids, "ids pass through the scan unchanged");
  expectGradCheck(t, c, ["E", "h0"], "i32 y: ");
});

t.test("a loss inside the body: cross_entropy per step as a y", async (t) => {
  const H = 3, C = 4;
  const targets = [3, 0, 1, 1, 1, 2, 0, 3, 3, 2, 0, 1, 1, 2, 0, 3, 3, 0];
  const lossBody = (reduction: "none" | "mean", accumulate: boolean): Graph => {
    const b = bodyBuilder();
    const W = b.input("W", f32t([H, I]));
    const U = b.input("U", f32t([H, H]));
    const bias = b.input("b", f32t([H]));
    const Vw = b.input("V", f32t([C, H]));
    const h = b.input("h", f32t(["B", H]));
    const acc = accumulate ? b.input("acc", f32t([])) : null;
    const x = b.input("x", f32t(["B", I]));
    const tg = b.input("target", i32t(["B"]));
    const h2 = b.op("tanh", [b.add(b.add(b.op("matmul", [W, x]), b.op("matmul", [U, h])), bias)]);
    const loss = b.op("cross_entropy", [b.op("matmul", [Vw, h2]), tg], { reduction });
    b.graph.outputs = acc ? [h2, b.add(acc, loss), loss] : [h2, loss];
    return b.graph;
  };
  const make = (reduction: "none" | "mean", opts: { lengths?: number[]; reverse?: boolean; accumulate?: boolean }) => {
    const c = new Case({ B: 3, T: 6 }, 41);
    const consts = [c.f32("W", [H, I], W_RANGE), c.f32("U", [H, H], W_RANGE), c.f32("b", [H], W_RANGE), c.f32("V", [C, H])];
    const inits = [c.f32("h0", ["B", H]), ...(opts.accumulate ? [c.f32("acc0", [])] : [])];
    const xs = [c.f32("xs", ["T", "B", I]), c.i32("targets", ["T", "B"], targets)];
    const len = opts.lengths ? c.i32("len", ["B"], opts.lengths) : undefined;
    const outs = emitScan(c.b, lossBody(reduction, opts.accumulate ?? false), consts, inits, xs, {
      reverse: opts.reverse ?? false,
      ...(len ? { lengths: len } : {}),
    });
    const losses = outs[outs.length - 1]!;
    // the scan's ys and an outer scalar loss over them
    return c.out(...outs, c.b.op("sum", [losses]));
  };
  for (const [label, reduction, opts, todo] of [
    ["per-example losses [T, B]", "none", {}],
    ["per-example losses with lengths [6, 3, 1]", "none", { lengths: [6, 3, 1] }],
    ["per-example losses, reverse with lengths", "none", { lengths: [6, 3, 1], reverse: true }],
    ["a scalar mean loss per step", "mean", {}],
    ["a scalar loss accumulated in an unbatched carry", "mean", { accumulate: true }],
    ["a scalar mean loss per step, with lengths [6, 3, 1]", "mean", { lengths: [6, 3, 1] }, UNBATCHED_Y_REFUSED],
  ] as [string, "none" | "mean", { lengths?: number[]; reverse?: boolean; accumulate?: boolean }, string?][]) {
    if (todo) {
      t.test(label, async (t) => {
        const c = make(reduction, opts);
        t.throws(() => vjpGraph(c.graph, c.floatInputs()), new RnncError(todo), `${label}: refused`);
      });
      continue;
    }
    const c = make(reduction, opts);
    const outs = c.run();
    const ys = outs[outs.length - 2]!;
    t.same(ys.shape, reduction === "none" ? [6, 3] : [6], `${label}: ys shape`);
    if (opts.lengths) {
      const zeroPast = opts.lengths.every((len, b) => Array.from({ length: 6 - len }, (_, k) => ys.data[(len + k) * 3 + b]).every((v) => v === 0));
      t.ok(zeroPast, `${label}: losses are zero past each length`);
    }
    if (opts.accumulate) {
      const acc = outs[1]!;
      const sumYs = ys.data.reduce((a, v) => a + v, 0);
      t.ok(Math.abs(acc.data[0]! - c.value("acc0").data[0]! - sumYs) < 1e-12, `${label}: the accumulator sums the per-step losses`);
    }
    expectGradCheck(t, c, c.floatInputs(), `${label}: `);
  }
});

// With lengths, masked rows run on zeros and an output without a batch dim would mix them in:
// differentiating such a scan is refused (the frontend only makes per-example outputs).
const UNBATCHED_Y_REFUSED = "cannot differentiate a scan with lengths whose per-step output 0 has no batch dimension";

t.test("an unbatched per-step output of a scan with lengths: forward defined, BPTT refused", async (t) => {
  // body: h' = tanh(h + x + b), y = sum(h') (a scalar: no batch dim, so never masked)
  const bb = bodyBuilder();
  const b = bb.input("b", f32t([1])), h = bb.input("h", f32t(["B", 1])), x = bb.input("x", f32t(["B", 1]));
  const h2 = bb.op("tanh", [bb.add(bb.add(h, x), b)]);
  bb.graph.outputs = [h2, bb.op("sum", [h2])];
  const c = new Case({ B: 2, T: 2 }, 1);
  const b0 = c.f32("b", [1], [0.5]);
  const h0 = c.f32("h0", ["B", 1], [0, 0]);
  const xs = c.f32("xs", ["T", "B", 1], [0.1, 0.2, 0.3, 0.4]);
  const len = c.i32("len", ["B"], [2, 1]);
  c.out(emitScan(c.b, bb.graph, [b0], [h0], [xs], { lengths: len })[1]!);
  const [ys] = c.run();
  // step 1 runs row 1 (inactive) on zeros: y_1 = tanh(tanh(0.6) + 0.8) + tanh(0.5)
  t.ok(Math.abs(ys!.data[1]! - (Math.tanh(Math.tanh(0.6) + 0.8) + Math.tanh(0.5))) < 1e-15, "the forward includes the inactive row");
  t.throws(() => vjpGraph(c.graph, ["b"]), new RnncError("cannot differentiate a scan with lengths whose per-step output 0 has no batch dimension"));
});

// ---- masking semantics ----------------------------------------------------------------------------

for (const kind of ["elman", "lstm"] as const) {
  for (const reverse of [false, true]) {
    t.test(`${kind}${reverse ? ", reverse" : ""}: a ragged batch equals each sequence run alone`, async (t) => {
      const lengths = [6, 3, 1];
      const T = 6;
      const ragged = cellScan({ kind, B: 3, T, reverse, lengths, seed: 53 });
      const nK = SIZES[kind].carries.length;
      const wrt = ragged.floatInputs();
      const outs = ragged.run();
      const cts = cotangents(ragged.graph, outs, 59);
      const { outs: fwd, grads } = vjpRun(ragged.graph, ragged.values, cts, wrt);
      t.ok(fwd.every((o, i) => maxAbsDiff(o, outs[i]!) === 0), "the VJP graph recomputes the same forward outputs");
      const ys = outs[nK]!;
      const gradOf = (name: string) => grads[wrt.indexOf(name)]!;
      const sumW: Record<string, Tensor | undefined> = {};

      lengths.forEach((len, b) => {
        // the same graph without lengths, bound to B = 1 and T = len
        const alone = cellScan({ kind, B: 1, T: len, reverse, seed: 53 });
        const byName = (n: string) => ragged.value(n);
        const values = alone.graph.inputs.map((n) => {
          if (n === "xs") return seq(byName(n), b, len);
          if (SIZES[kind].carries.includes(n)) return row(byName(n), b);
          return byName(n);
        });
        const aOuts = runGraph(alone.graph, values);
        for (let k = 0; k < nK; k++) {
          t.equal(maxAbsDiff(row(outs[k]!, b), aOuts[k]!), 0, `seq ${b}: final carry ${k} equals the sequence run alone`);
        }
        t.equal(maxAbsDiff(seq(ys, b, len), aOuts[nK]!), 0, `seq ${b}: ys[0:${len}] equal the sequence run alone`);
        t.equal(maxAbs(tail(ys, b, len)), 0, `seq ${b}: padded ys are zero`);
        // y = h', so the final h is the y of the last real step: t = len - 1 forward, t = 0 reverse
        const last = reverse ? 0 : len - 1;
        const H = SIZES[kind].H;
        t.same(Array.from(row(outs[0]!, b).data), Array.from(ys.data.subarray((last * 3 + b) * H, (last * 3 + b + 1) * H)), `seq ${b}: final h = y at its last real step`);

        const aCts = [...Array.from({ length: nK }, (_, k) => row(cts[k]!, b)), seq(cts[nK]!, b, len)];
        const { grads: aGrads } = vjpRun(alone.graph, values, aCts, wrt);
        for (const [i, n] of wrt.entries()) {
          if (n === "xs") {
            t.ok(maxAbsDiff(seq(gradOf("xs"), b, len), aGrads[i]!) < 1e-14, `seq ${b}: d/dxs[0:${len}] equals the sequence alone`);
            t.equal(maxAbs(tail(gradOf("xs"), b, len)), 0, `seq ${b}: d/dxs is zero past its length`);
          } else if (SIZES[kind].carries.includes(n)) {
            t.ok(maxAbsDiff(row(gradOf(n), b), aGrads[i]!) < 1e-14, `seq ${b}: d/d${n} equals the sequence alone`);
          } else {
            sumW[n] = addInto(sumW[n], aGrads[i]!);
          }
        }
      });
      for (const n of ["W", "U", "b"]) {
        const d = maxAbsDiff(gradOf(n), sumW[n]!);
        t.ok(d < 1e-13, `d/d${n} of the ragged batch = Σ over sequences run alone (max diff ${d.toExponential(1)})`);
        t.ok(maxAbs(gradOf(n)) > 1e-3, `d/d${n} is non-trivial`);
      }
    });
  }
}

// ---- truncated BPTT ---------------------------------------------------------------------------

/**
 * The reference for `truncate: k`: scans of k steps chained in processing order, with
 * stop_gradient on the carries between chunks; ys concatenated back in time order.
 */
function chunkedReference(kind: Kind, B: number, T: number, k: number, reverse: boolean, lengths?: number[]): Case {
  const c = new Case({ B, T }, 61);
  const { consts, inits, xs } = declareCell(c, kind, T);
  const nK = inits.length;
  const windows: [number, number][] = [];
  for (let s = 0; s < T; s += k) {
    const size = Math.min(k, T - s);
    windows.push(reverse ? [T - s - size, size] : [s, size]);
  }
  let carries = inits;
  const ysByStart: [number, string][] = [];
  windows.forEach(([start, size], i) => {
    const xc = c.b.op("slice", [xs], { axis: 0, start, size });
    // with lengths, each chunk gets the part of every sequence that falls in its window
    const len = lengths ? c.i32(`len${i}`, ["B"], lengths.map((l) => Math.max(0, Math.min(size, l - start)))) : undefined;
    const outs = emitScan(c.b, bodyOf(kind), consts, carries, [xc], { reverse, ...(len ? { lengths: len } : {}) });
    ysByStart.push([start, outs[nK]!]);
    const finals = outs.slice(0, nK);
    carries = i < windows.length - 1 ? finals.map((f) => c.b.op("stop_gradient", [f])) : finals;
  });
  ysByStart.sort((a, b) => a[0] - b[0]);
  const ys = c.b.op("concat", ysByStart.map(([, y]) => y), { axis: 0 });
  return c.out(...carries, ys);
}

for (const kind of ["elman", "lstm"] as const) {
  for (const reverse of [false, true]) {
    t.test(`${kind}${reverse ? ", reverse" : ""}: truncate 3 over T = 7 equals chunked scans with stop_gradient`, async (t) => {
      const T = 7, k = 3, B = 2;
      const trunc = cellScan({ kind, B, T, staticT: true, reverse, truncate: k, seed: 61 });
      const full = cellScan({ kind, B, T, staticT: true, reverse, seed: 61 });
      const ref = chunkedReference(kind, B, T, k, reverse);
      t.same(ref.graph.inputs, trunc.graph.inputs, "same signature");
      ref.values.forEach((v, i) => t.equal(maxAbsDiff(v, trunc.values[i]!), 0, `same value for ${ref.graph.inputs[i]}`));
      t.equal(ref.graph.nodes.filter((n) => n.op === "scan").length, 3, "three chunks: 3 + 3 + 1 steps");

      const outs = trunc.run();
      const refOuts = ref.run();
      outs.forEach((o, i) => t.ok(maxAbsDiff(o, refOuts[i]!) < 1e-15, `forward output ${i} is unaffected by truncation`));
      const cts = cotangents(trunc.graph, outs, 67);
      const wrt = trunc.floatInputs();
      const { grads } = vjpRun(trunc.graph, trunc.values, cts, wrt);
      const { grads: refGrads } = vjpRun(ref.graph, ref.values, cts, wrt);
      const { grads: fullGrads } = vjpRun(full.graph, full.values, cts, wrt);
      wrt.forEach((n, i) => {
        const d = maxAbsDiff(grads[i]!, refGrads[i]!);
        t.ok(d < 1e-13, `d/d${n} equals the chunked reference (max diff ${d.toExponential(1)})`);
      });
      const differs = wrt.filter((_, i) => maxAbsDiff(grads[i]!, fullGrads[i]!) > 1e-6);
      t.ok(differs.includes("W") && differs.includes("xs"), `truncation changes the gradients (${differs.join(", ")})`);
      // within the last chunk in processing order nothing is cut: those xs gradients match full BPTT
      const gx = grads[wrt.indexOf("xs")]!, fx = fullGrads[wrt.indexOf("xs")]!;
      const n = gx.data.length / T;
      const lastT = reverse ? 0 : T - 1;
      t.ok(maxAbsDiff(gx.data.subarray(lastT * n, (lastT + 1) * n), fx.data.subarray(lastT * n, (lastT + 1) * n)) < 1e-15, "the step processed last gets its full gradient");
    });
  }
}

for (const reverse of [false, true]) {
  t.test(`elman${reverse ? ", reverse" : ""}: truncate 3 over T = 7 with lengths [7, 5, 2] equals chunked scans`, async (t) => {
    const T = 7, k = 3, B = 3, lengths = [7, 5, 2];
    const trunc = cellScan({ kind: "elman", B, T, staticT: true, reverse, truncate: k, lengths, seed: 61 });
    const ref = chunkedReference("elman", B, T, k, reverse, lengths);
    const outs = trunc.run();
    const refOuts = ref.run();
    outs.forEach((o, i) => t.ok(maxAbsDiff(o, refOuts[i]!) < 1e-15, `forward output ${i} equals the chunked scans`));
    const cts = cotangents(trunc.graph, outs, 67);
    const wrt = trunc.floatInputs();
    t.same(ref.floatInputs(), wrt);
    const { grads } = vjpRun(trunc.graph, trunc.values, cts, wrt);
    const { grads: refGrads } = vjpRun(ref.graph, ref.values, cts, wrt);
    wrt.forEach((n, i) => {
      const d = maxAbsDiff(grads[i]!, refGrads[i]!);
      t.ok(d < 1e-13, `d/d${n} equals the chunked reference (max diff ${d.toExponential(1)})`);
    });
  });
}

t.test("truncate ≥ T is full BPTT; truncate 1 cuts every step", async (t) => {
  const T = 5;
  const full = cellScan({ kind: "elman", B: 2, T, seed: 71 });
  const long = cellScan({ kind: "elman", B: 2, T, truncate: T, seed: 71 });
  const outs = full.run();
  const cts = cotangents(full.graph, outs, 73);
  const wrt = full.floatInputs();
  const a = vjpRun(full.graph, full.values, cts, wrt).grads;
  const b = vjpRun(long.graph, long.values, cts, wrt).grads;
  wrt.forEach((n, i) => t.ok(maxAbsDiff(a[i]!, b[i]!) < 1e-15, `truncate ${T}: d/d${n} equals full BPTT`));

  // truncate 1: the initial state only sees step 0, so its gradient is that of a 1-step scan
  const one = cellScan({ kind: "elman", B: 2, T, truncate: 1, seed: 71 });
  const g1 = vjpRun(one.graph, one.values, cts, wrt).grads;
  const step0 = cellScan({ kind: "elman", B: 2, T: 1, seed: 71 });
  const vals0 = step0.graph.inputs.map((n) => (n === "xs" ? tensor([1, 2, I], full.value("xs").data.subarray(0, 2 * I)) : full.value(n)));
  const ys = cts[1]!;
  // with the chain cut after every step, h_0's cotangent is y_0's own cotangent (plus nothing from step 1)
  const cts0 = [tensor([2, 3]), tensor([1, 2, 3], ys.data.subarray(0, 6))];
  const g0 = vjpRun(step0.graph, vals0, cts0, ["h0"]).grads[0]!;
  t.ok(maxAbsDiff(g1[wrt.indexOf("h0")]!, g0) < 1e-15, "truncate 1: d/dh0 only comes from step 0");
});

// ---- VJP bookkeeping: fan-out to outputs and inputs without gradient ------------------------------

t.test("VJP of a graph with an output used twice and inputs that get no gradient", async (t) => {
  const build = (twice: boolean) => {
    const c = new Case({ B: 2, T: 4 }, 79);
    const { consts, inits, xs } = declareCell(c, "elman", "T");
    const unused = c.f32("unused", [3]);
    const frozen = c.f32("frozen", ["B", 3]);
    const lengthsLike = c.f32("ignored_by_nondiff", ["B", 3]);
    const [hT, ys] = emitScan(c.b, elmanBody({ I, H: 3 }), consts, inits, [xs]);
    // frozen only enters through stop_gradient; ignored_by_nondiff only through a comparison
    const mixed = c.b.add(c.b.mul(hT!, c.b.op("stop_gradient", [frozen])), c.b.op("greater_equal", [lengthsLike, hT!]));
    void unused;
    return twice ? c.out(hT!, ys!, hT!, mixed) : c.out(hT!, ys!, mixed);
  };
  const c = build(true);
  const res = expectGradCheck(t, c, ["W", "U", "b", "h0", "xs"], "output used twice: ");
  t.ok(res.maxRelError < TOL);
  const outs = c.run();
  const cts = cotangents(c.graph, outs, 83);
  const wrt = c.floatInputs();
  const { grads } = vjpRun(c.graph, c.values, cts, wrt);
  for (const n of ["unused", "frozen", "ignored_by_nondiff"]) {
    const g = grads[wrt.indexOf(n)]!;
    t.same(g.shape, c.value(n).shape, `d/d${n} has the input's shape`);
    t.equal(maxAbs(g), 0, `d/d${n} is exactly zero`);
  }
  // the two cotangents of the repeated output add up
  const once = build(false);
  const summed = tensor(cts[0]!.shape, Array.from(cts[0]!.data, (v, i) => v + cts[2]!.data[i]!));
  const { grads: g1 } = vjpRun(once.graph, once.values, [summed, cts[1]!, cts[3]!], wrt);
  wrt.forEach((n, i) => t.ok(maxAbsDiff(grads[i]!, g1[i]!) < 1e-14, `d/d${n}: two cotangents of one output add up`));
});

t.test("an input returned directly and also used by the scan", async (t) => {
  const c = new Case({ B: 2, T: 4 }, 89);
  const { consts, inits, xs } = declareCell(c, "elman", "T");
  const outs = emitScan(c.b, elmanBody({ I, H: 3 }), consts, inits, [xs]);
  c.out(inits[0]!, ...outs, consts[0]!);
  expectGradCheck(t, c);
});

t.test("two stacked scans (a 2-layer RNN) and a scan whose xs is another scan's ys", async (t) => {
  const c = new Case({ B: 2, T: 5 }, 97);
  const l1 = declareCell(c, "elman", "T");
  const [, ys1] = emitScan(c.b, elmanBody({ I, H: 3 }), l1.consts, l1.inits, [l1.xs]);
  const W2 = c.f32("W2", [2, 3], W_RANGE), U2 = c.f32("U2", [2, 2], W_RANGE), b2 = c.f32("b2", [2], W_RANGE);
  const h20 = c.f32("h20", ["B", 2]);
  const [hT2, ys2] = emitScan(c.b, elmanBody({ I: 3, H: 2 }), [W2, U2, b2], [h20], [ys1!], { reverse: true });
  c.out(hT2!, c.b.op("mean", [ys2!]));
  expectGradCheck(t, c);
});


t.test("scan edge cases", async (t) => {
  for (const lengths of [null, [3, 1]]) {
    const lbl = lengths ? " (with lengths [3, 1])" : "";
    t.test(`a batched const (a per-example context)${lbl}`, async (t) => {
      const bb = bodyBuilder();
      const ctx = bb.input("ctx", f32t(["B", 2])), h = bb.input("h", f32t(["B", 2])), x = bb.input("x", f32t(["B", 2]));
      const h2 = bb.op("tanh", [bb.add(bb.mul(h, ctx), x)]);
      bb.graph.outputs = [h2, bb.mul(h2, ctx)];
      const c = new Case({ B: 2, T: 3 }, 101);
      const cx = c.f32("ctx", ["B", 2]), h0 = c.f32("h0", ["B", 2]), xs = c.f32("xs", ["T", "B", 2]);
      const len = lengths ? c.i32("len", ["B"], lengths) : undefined;
      c.out(...emitScan(c.b, bb.graph, [cx], [h0], [xs], len ? { lengths: len } : {}));
      expectGradCheck(t, c);
    });
    t.test(`a carry the body ignores, a carry passed through, a const emitted as y${lbl}`, async (t) => {
      const bb = bodyBuilder();
      const W = bb.input("W", f32t([2, 2])), k = bb.input("k", f32t(["B", 2]));
      bb.input("h", f32t(["B", 2]));
      const x = bb.input("x", f32t(["B", 2]));
      const h2 = bb.op("tanh", [bb.op("matmul", [W, x])]);
      // (body inputs are consts, carries, xs: reorder so k is the second carry)
      bb.graph.inputs = ["W", "h", "k", "x"];
      bb.graph.outputs = [h2, k, W, bb.mul(h2, k)];
      const c = new Case({ B: 2, T: 3 }, 103);
      const W0 = c.f32("W", [2, 2]), h0 = c.f32("h0", ["B", 2]), k0 = c.f32("k0", ["B", 2]), xs = c.f32("xs", ["T", "B", 2]);
      const len = lengths ? c.i32("len", ["B"], lengths) : undefined;
      const outs = emitScan(c.b, bb.graph, [W0], [h0, k0], [xs], len ? { lengths: len } : {});
      c.out(...outs);
      if (len) {
        // W as a per-step output has no batch dim: with lengths, BPTT refuses it
        t.throws(() => vjpGraph(c.graph, c.floatInputs()), new RnncError("cannot differentiate a scan with lengths whose per-step output 0 has no batch dimension"));
        return;
      }
      const res = gradCheck(c.graph, c.values, c.floatInputs());
      for (const e of res.errors) t.ok(e.relError < TOL, `d/d${e.name}: relative error ${e.relError.toExponential(2)}`);
      const gh0 = res.errors.find((e) => e.name === "h0")!;
      // h0 only reaches the final carry of a sequence that never runs a step; with lengths [3, 1] every sequence runs
      t.equal(maxAbs(gh0.analytic), 0, "the ignored initial carry gets a zero gradient");
      t.ok(maxAbs(res.errors.find((e) => e.name === "k0")!.analytic) > 1e-3, "the passed-through carry gets a gradient");
    });
  }
  t.test("a scan nested in a scan body (2 inner steps per outer step)", async (t) => {
    const inner = bodyBuilder();
    const Ui = inner.input("U", f32t([2, 2])), hi = inner.input("h", f32t(["B", 2]));
    const hn = inner.op("tanh", [inner.op("matmul", [Ui, hi])]);
    inner.graph.outputs = [hn, hn];
    const outer = bodyBuilder();
    const Uo = outer.input("U", f32t([2, 2])), h = outer.input("h", f32t(["B", 2])), x = outer.input("x", f32t(["B", 2]));
    const [hI, ysI] = emitScan(outer, inner.graph, [Uo], [outer.add(h, x)], [], { steps: 2 });
    outer.graph.outputs = [hI!, outer.op("sum", [ysI!], { axis: 0 })];
    const c = new Case({ B: 2, T: 3 }, 107);
    const U0 = c.f32("U", [2, 2], { lo: -1.2, hi: 1.2 }), h0 = c.f32("h0", ["B", 2]), xs = c.f32("xs", ["T", "B", 2]);
    c.out(...emitScan(c.b, outer.graph, [U0], [h0], [xs]));
    expectGradCheck(t, c);
  });
  t.test("the same value as two initial carries and as two xs", async (t) => {
    const bb = bodyBuilder();
    const h = bb.input("h", f32t(["B", 2])), k = bb.input("k", f32t(["B", 2]));
    const x = bb.input("x", f32t(["B", 2])), x2 = bb.input("x2", f32t(["B", 2]));
    const h2 = bb.op("tanh", [bb.add(bb.mul(h, k), bb.mul(x, x2))]);
    bb.graph.outputs = [h2, bb.op("sigmoid", [bb.add(k, h2)]), h2];
    const c = new Case({ B: 2, T: 3 }, 109);
    const h0 = c.f32("h0", ["B", 2]), xs = c.f32("xs", ["T", "B", 2]);
    c.out(...emitScan(c.b, bb.graph, [], [h0, h0], [xs, xs]));
    expectGradCheck(t, c);
  });
  t.test("an outer loss masked with sequence_mask", async (t) => {
    const c = new Case({ B: 3, T: 6 }, 113);
    const { consts, inits, xs } = declareCell(c, "elman", "T");
    const V = c.f32("V", [4, 3]);
    const tg = c.i32("targets", ["T", "B"], { max: 4 });
    const len = c.i32("len", ["B"], [6, 3, 1]);
    const [, ys] = emitScan(c.b, elmanBody({ I, H: 3 }), consts, inits, [xs], { lengths: len });
    const per = c.b.op("cross_entropy", [c.b.op("matmul", [V, ys!]), tg], { reduction: "none" });
    const mask = c.b.op("sequence_mask", [len, ys!]);
    const masked = c.b.op("where", [mask, per, c.b.scalar(0)]);
    c.out(c.b.div(c.b.op("sum", [masked]), c.b.op("sum", [mask])));
    const [loss] = c.run();
    t.ok(Number.isFinite(loss!.data[0]!) && loss!.data[0]! > 0, "a positive loss");
    expectGradCheck(t, c);
  });
});
