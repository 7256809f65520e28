/**
 * The compile option `relaxedSimd` (compiler/lower/gemm.ts GemmIsa): the GEMM kernels' vector
 * multiply-adds become `f32x4.relaxed_madd`, and nothing else changes.
 *
 * 1. the opcode: with the option, the module's code holds f32x4.relaxed_madd (bytes 0xfd 0x85
 *    0x02) and no f32x4.mul (every vector multiply-add was converted); without it, neither the
 *    instruction nor the bytes, and the bytes equal those of a compile that does not name the
 *    option (default off leaves every artifact as it was);
 * 2. matmul, matmul with transpose_a and outer, alone, against the f64 interpreter with the
 *    tolerance of test/lower/gemm.test.ts (1e-5 · (1 + Σ|terms|) per element: a fused multiply-add
 *    rounds once where mul + add round twice, so the bound holds a fortiori), on poisoned memory;
 * 3. whole programs as rnnc compiles them (compileProgram, loaded by the runtime): char-rnn
 *    (examples/char-rnn/model.json) at small sizes and the LSTM cell, forward and every gradient,
 *    against the interpreter with the tolerance of the whole-cell tests (backend.test.ts DEEP_TOL);
 *    and the manifest's `features` (present with the option only).
 *
 * Relaxed SIMD is turned on in this process first (runtime/features.ts enableRelaxedSimd: on
 * Node 20 it sets V8's flag; tap runs each test file in its own process).
 */
import t from "tap";
import type { Test } from "tap";
import { join } from "node:path";
import "../../compiler/ops/index.ts";
import { evaluate } from "../../compiler/eval.ts";
import { loadAnyProgram } from "../../compiler/frontend/load.ts";
import type { Program } from "../../compiler/frontend/program.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import { Builder } from "../../compiler/ir/builder.ts";
import type { Graph, Shape } from "../../compiler/ir/types.ts";
import { loadBinaryen } from "../../compiler/lower/binaryen.ts";
import { compileGraph, compileProgram } from "../../compiler/lower/compile.ts";
import type { CompileResult } from "../../compiler/lower/compile.ts";
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { enableRelaxedSimd, loadModel } from "../../runtime/index.ts";
import { randomInputMap, ROOT } from "../frontend/_helpers.ts";
import { ErrorStats, expectClose, runPoisoned } from "./_wasm.ts";

/** test/lower/gemm.test.ts's bound, relative to Σ|terms|. */
const REL = 1e-5;
/** The whole-cell tolerance of test/lower/backend.test.ts (DEEP_TOL). */
const DEEP_TOL = { rtol: 1e-4, atol: 1e-5 };
const RELAXED_MADD = [0xfd, 0x85, 0x02];

const enabled = await enableRelaxedSimd();

type Op = "matmul" | "matmulT" | "outer";
const OPS: Op[] = ["matmul", "matmulT", "outer"];

function graphOf(op: Op, M: number, K: number): Graph {
  const b = new Builder();
  if (op === "outer") {
    b.input("u", { dtype: "f32", shape: ["T", "B", M] });
    b.input("v", { dtype: "f32", shape: ["T", "B", K] });
    b.graph.outputs = [b.op("outer", ["u", "v"])];
  } else {
    b.input("A", { dtype: "f32", shape: op === "matmulT" ? [K, M] : [M, K] });
    b.input("x", { dtype: "f32", shape: ["T", "B", K] });
    b.graph.outputs = [b.op("matmul", ["A", "x"], op === "matmulT" ? { transpose_a: true } : {})];
  }
  return b.graph;
}

function countBytes(wasm: Uint8Array, seq: number[]): number {
  let n = 0;
  for (let i = 0; i + seq.length <= wasm.length; i++) if (seq.every((b, k) => wasm[i + k] === b)) n++;
  return n;
}

/** The module's text as binaryen disassembles it (every feature enabled for reading). */
async function textOf(wasm: Uint8Array): Promise<string> {
  const bn = await loadBinaryen();
  const mod = bn.readBinary(wasm);
  try {
    mod.setFeatures(bn.Features.All);
    return mod.emitText();
  } finally {
    mod.dispose();
  }
}

const occurrences = (s: string, what: string) => s.split(what).length - 1;

t.test("the engine runs relaxed SIMD once enableRelaxedSimd() has turned it on", async (t) => {
  t.ok(enabled, "enableRelaxedSimd() → true on this Node");
});

t.test("1. the opcode: relaxed_madd with the option, mul + add without", { skip: !enabled && "no relaxed SIMD" }, async (t) => {
  for (const op of OPS) {
    for (const [M, K] of [[17, 65], [64, 300]] as [number, number][]) {
      const g = graphOf(op, M, K);
      const dflt = await compileGraph(g);
      const off = await compileGraph(g, { relaxedSimd: false });
      const on = await compileGraph(g, { relaxedSimd: true });
      const what = `${op} M=${M} K=${K}`;
      t.same(off.wasm, dflt.wasm, `${what}: relaxedSimd: false gives the default module, byte for byte`);
      const [textOn, textOff] = [await textOf(on.wasm), await textOf(off.wasm)];
      t.ok(occurrences(textOn, "f32x4.relaxed_madd") > 0, `${what}: on: f32x4.relaxed_madd (${occurrences(textOn, "f32x4.relaxed_madd")})`);
      t.equal(occurrences(textOn, "f32x4.mul"), 0, `${what}: on: no f32x4.mul left`);
      t.ok(countBytes(on.wasm, RELAXED_MADD) > 0, `${what}: on: the bytes 0xfd 0x85 0x02`);
      t.equal(occurrences(textOff, "relaxed"), 0, `${what}: off: no relaxed instruction`);
      t.ok(occurrences(textOff, "f32x4.mul") > 0, `${what}: off: f32x4.mul + f32x4.add`);
      t.equal(countBytes(off.wasm, RELAXED_MADD), 0, `${what}: off: not the bytes 0xfd 0x85 0x02`);
    }
  }
});

t.test("2. matmul, transposed matmul, outer with relaxed_madd against the interpreter", { skip: !enabled && "no relaxed SIMD" }, async (t) => {
  const rand = rng(3);
  let worst = 0;
  const small = [1, 5, 17, 65, 128];
  const shapes: [number, number, [number, number][]][] = [
    ...small.flatMap((M) => small.map((K): [number, number, [number, number][]] => [M, K, [[1, 0], [1, 1], [2, 1], [3, 11]]])),
    // several column / output blocks and blocked reductions; the splat form on gathered Aᵀ panels
    // (M a multiple of 16, K ≤ 128, ≥ 64 rows); a plain matmul that stays in the dot form
    [520, 300, [[1, 1], [3, 100]]], [32, 70, [[3, 100], [1, 301]]], [64, 300, [[1, 6], [3, 100]]],
  ];
  for (const op of OPS) {
    for (const [M, K, rows] of shapes) {
      const g = graphOf(op, M, K);
      const gm = await compileGraph(g, { relaxedSimd: true });
      for (const [T, B] of rows) {
        const dims = (s: Shape) => s.map((d) => (d === "T" ? T : d === "B" ? B : d)) as number[];
        const inputs: Tensor[] = gm.inputs.map((spec) => {
          const shape = dims(spec.type.shape);
          return tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.fround(2 * rand() - 1)));
        });
        const { outs, violations } = await runPoisoned(gm, inputs);
        const want = runGraph(g, inputs)[0]!;
        const absTerms = runGraph(g, inputs.map((x) => tensor(x.shape, x.data.map(Math.abs))))[0]!;
        let bad = -1, use = 0;
        for (let i = 0; i < want.data.length; i++) {
          const u = Math.abs(outs[0]!.data[i]! - want.data[i]!) / (REL * (1 + absTerms.data[i]!));
          if (!(u <= 1) && bad < 0) bad = i;
          if (u <= 1) use = Math.max(use, u);
        }
        worst = Math.max(worst, use);
        const where = `${op} M=${M} K=${K} T=${T} B=${B}`;
        t.same(violations, [], `${where}: no stray reads or writes`);
        t.ok(bad < 0, `${where}: ${want.data.length} elements, ≤ ${(100 * use).toFixed(1)}% of the tolerance` +
          (bad >= 0 ? ` — element ${bad}: ${outs[0]!.data[bad]}, interpreter ${want.data[bad]}` : ""));
      }
    }
  }
  t.comment(`worst: ${(100 * worst).toFixed(1)}% of 1e-5·(1 + Σ|terms|)`);
});

/**
 * Compiles `p` with relaxed SIMD, loads it with the runtime, runs `backward` (forward, BPTT, every
 * gradient) and holds outputs, final states, loss and gradients to the interpreter.
 */
async function checkProgram(t: Test, p: Program, B: number, T: number, seed: number, stats: ErrorStats): Promise<CompileResult> {
  const compiled = await compileProgram(p, { relaxedSimd: true });
  const model = await loadModel(compiled.wasm, compiled.manifest);
  const ranges = Object.fromEntries(Object.entries(compiled.manifest.inputs).flatMap(([n, s]) => (s.range ? [[n, s.range]] : [])));
  // i32 inputs within their range (others, e.g. resets: 0 or 1); f32 values rounded to f32
  const given = randomInputMap(p, { B, T }, seed, {}, 2, { ranges, f32: true });
  const r = rng(seed + 1);
  // a bare cell gets random cotangents for its outputs and final states; a model its loss's
  const cotangents = p.loss ? undefined : {
    outputs: new Map(p.outputs.map((o) => {
      const shape = p.graph.types.get(o.value)!.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
      return [o.name, tensor(shape, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.fround(r() - 0.5)))] as const;
    })),
    final: new Map<string, Tensor>(),
  };
  const ref = await evaluate(p, given, { file: "inputs", ...(cotangents ? { cotangents } : {}) });
  for (const x of p.params) model.setParam(x.name, given.get(x.name)!.data);
  const inputs = Object.fromEntries(p.inputs.map((x) => [x.name, { data: given.get(x.name)!.data, shape: given.get(x.name)!.shape }]));
  const states = Object.fromEntries(p.states.filter((s) => s.input).map((s) => [s.name, given.get(s.input!)!.data]));
  const got = p.loss
    ? model.backwardFromLoss(inputs, { B, T, states })
    : model.backward(inputs, { outputs: Object.fromEntries([...cotangents!.outputs].map(([k, v]) => [k, v.data])) }, { B, T, states });
  const asTensor = (data: ArrayLike<number>, like: Tensor) => tensor(like.shape, Array.from(data));
  const labels: string[] = [], gotT: Tensor[] = [], wantT: Tensor[] = [];
  const add = (label: string, g: ArrayLike<number>, w: Tensor) => { labels.push(label); gotT.push(asTensor(g, w)); wantT.push(w); };
  for (const o of p.outputs) add(`output ${o.name}`, got.outputs[o.name]!, ref.outputs[o.name]!);
  for (const s of p.states) add(`final ${s.name}`, got.final[s.name]!, ref.final[s.name]!);
  if (p.loss) add("loss", [got.loss!], tensor([], [ref.loss!]));
  for (const x of p.params) add(`grad ${x.name}`, got.grads[x.name]!, ref.grads![x.name]!);
  for (const s of p.states) if (s.input) add(`grad ${s.name} (initial)`, got.grads[s.name]!, ref.grads![s.input]!);
  for (const x of p.inputs) if (ref.grads![x.name]) add(`grad ${x.name}`, got.grads[x.name]!, ref.grads![x.name]!);
  expectClose(t, gotT, wantT, labels, stats, `${p.name} B=${B} T=${T}: `);
  return compiled;
}

t.test("3. whole programs compiled with relaxedSimd agree with the interpreter, forward and gradients", { skip: !enabled && "no relaxed SIMD" }, async (t) => {
  const stats = new ErrorStats("relaxed SIMD programs vs the interpreter", DEEP_TOL);
  const char = join(ROOT, "examples/char-rnn/model.json");
  await t.test("char-rnn, V=11 E=4 H=8, B=3 T=5", async (t) => {
    const c = await checkProgram(t, loadAnyProgram(char, { V: 11, E: 4, H: 8 }), 3, 5, 1, stats);
    t.same(c.manifest.features, ["relaxed-simd"], "the manifest lists relaxed-simd");
    t.ok(countBytes(c.wasm, RELAXED_MADD) > 0, "the module holds f32x4.relaxed_madd");
  });
  // whole 2×16 / 4×2 tiles, and ≥ 64 rows for the input projection's packed splat form
  await t.test("char-rnn, V=20 E=16 H=32, B=4 T=16", (t) => checkProgram(t, loadAnyProgram(char, { V: 20, E: 16, H: 32 }), 4, 16, 2, stats).then(() => {}));
  await t.test("LSTM cell, I=8 H=16, B=8 T=9", (t) => checkProgram(t, loadAnyProgram(join(ROOT, "examples/cells/lstm.json"), { I: 8, H: 16 }), 8, 9, 3, stats).then(() => {}));
  t.comment(stats.summary());
});

t.test("the manifest says relaxed-simd only when the module uses it", async (t) => {
  const p = loadAnyProgram(join(ROOT, "examples/cells/elman.json"), { I: 2, H: 3 });
  const off = await compileProgram(p);
  t.notOk("features" in off.manifest, "default: no features key (manifests as before)");
  const on = await compileProgram(p, { relaxedSimd: true });
  t.same(on.manifest.features, ["relaxed-simd"], "relaxedSimd: features [\"relaxed-simd\"]");
  t.match(JSON.stringify(on.manifest), /"features":\["relaxed-simd"\]/, "written as such in the JSON");
});
