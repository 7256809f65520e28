/**
 * The SIMD128 matmul / outer kernels (compiler/lower/gemm.ts) held to the f64 interpreter.
 *
 * 1. default tuning: matmul, matmul with transpose_a, and outer for M, K ∈ {1, 3, 4, 5, 7, 8, 16,
 *    17, 65, 128} and rows = T·B ∈ {0, 1, 2, 3, 5, 8, 33} (x is [T, B, K]: rows is a run-time value);
 * 2. shapes large enough for the cache blocking of the default tuning (several column / output
 *    blocks, a blocked reduction), and unbatched operands (rows a constant 1);
 * 3. other tunings, tiny blocks and odd tiles, so every code path (block edges, row / column / lane
 *    remainders, reduction blocks, the packed outer product's partial tiles and m-tile groups, the
 *    packed and in-place transpose_a forms, plain matmul on gathered Aᵀ) runs on the same shapes.
 *
 * Every run is on memory filled with 0xFF bytes (NaN as f32) around the inputs: a kernel that reads
 * outside its inputs' elements (row padding, the next tensor) gets NaN; and every byte outside the
 * output's elements must be unchanged after the run — a kernel writes only its output.
 *
 * Tolerance, per output element: |wasm − interp| ≤ 1e-5 · (1 + Σ|terms|), Σ|terms| = Σ_k |a_k·x_k|
 * (the same sum over absolute values, computed by the interpreter). The module reads its inputs
 * rounded to f32 (each product then off by ≤ 2·2^-24 relative) and sums in f32 in a different order
 * than the interpreter (vector lanes, then a horizontal add): a sum of n terms rounded at every step
 * is off by ≤ (n − 1)·2^-24·Σ|terms| + that, i.e. ≤ 8e-6·Σ|terms| for the n ≤ 128 terms here.
 * Relative to Σ|terms| rather than to the result because the result can cancel to ~0; the 1 covers
 * rows = 0 (all zero) exactly. Measured: see the summary comment at the end of the run.
 */
import t, { type Test } from "tap";
import "../../compiler/ops/index.ts";
import { Builder } from "../../compiler/ir/builder.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import type { Graph, Shape } from "../../compiler/ir/types.ts";
import { compileGraph } from "../../compiler/lower/compile.ts";
import type { GraphModule } from "../../compiler/lower/compile.ts";
import { DEFAULT_GEMM_TUNING, gemmTuning } from "../../compiler/lower/gemm.ts";
import type { GemmTuning } from "../../compiler/lower/gemm.ts";
import { evalPoly } from "../../compiler/lower/memory.ts";
import { poisonMemory } from "./_wasm.ts";
import { rng } from "../../compiler/autodiff/gradcheck.ts";

type Op = "matmul" | "matmulT" | "outer";
const OPS: Op[] = ["matmul", "matmulT", "outer"];
const SIZES = [1, 3, 4, 5, 7, 8, 16, 17, 65, 128];
/** rows = T·B */
const ROWS: [number, number][] = [[1, 0], [0, 3], [1, 1], [2, 1], [1, 3], [1, 5], [2, 4], [3, 11]];
const REL = 1e-5;

let worst = 0, worstAt = "", elements = 0;

/** A one-node graph: matmul(A, x[T, B, K]) (A [M, K], or [K, M] with transpose_a) or outer(u[T, B, M], v[T, B, K]). */
function graphOf(op: Op, M: number, K: number, lead: Shape = ["T", "B"]): Graph {
  const b = new Builder();
  if (op === "outer") {
    b.input("u", { dtype: "f32", shape: [...lead, M] });
    b.input("v", { dtype: "f32", shape: [...lead, K] });
    b.graph.outputs = [b.op("outer", ["u", "v"])];
  } else {
    b.input("A", { dtype: "f32", shape: op === "matmulT" ? [K, M] : [M, K] });
    b.input("x", { dtype: "f32", shape: [...lead, K] });
    b.graph.outputs = [b.op("matmul", ["A", "x"], op === "matmulT" ? { transpose_a: true } : {})];
  }
  return b.graph;
}

async function compileWith(g: Graph, tune: Partial<GemmTuning>): Promise<GraphModule> {
  const saved = { ...gemmTuning };
  Object.assign(gemmTuning, DEFAULT_GEMM_TUNING, tune);
  try {
    return await compileGraph(g);
  } finally {
    Object.assign(gemmTuning, saved);
  }
}

const dimsOf = (shape: Shape, T: number, B: number) => shape.map((d) => (d === "T" ? T : d === "B" ? B : d));
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** [from, to): the scratch of fixed size, between the fixed-size pinned tensors and the others. */
function scratchRegion(gm: GraphModule, T: number, B: number, end: number): [number, number] {
  const pinned = [...gm.inputs, ...gm.outputs];
  const fixed = (s: Shape) => s.every((d) => typeof d === "number");
  const from = Math.max(0, ...pinned.filter((x) => fixed(x.type.shape)).map((x) => evalPoly(x.offset, B, T) + 4 * size(dimsOf(x.type.shape, T, B))));
  const to = Math.min(end, ...pinned.filter((x) => !fixed(x.type.shape)).map((x) => evalPoly(x.offset, B, T)));
  return [from, to];
}

/**
 * Runs `gm` at (T, B) on poisoned memory and checks it against the interpreter: one assertion per
 * run, plus one per kind of failure.
 */
function check(t: Test, gm: GraphModule, inst: WebAssembly.Instance, g: Graph, T: number, B: number, rand: () => number, label: string): void {
  const mem = inst.exports.memory as WebAssembly.Memory;
  const need = evalPoly(gm.memoryBytes, B, T);
  if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
  poisonMemory(mem); // all but the module's constant table
  const inputs: Tensor[] = gm.inputs.map((spec) => {
    const shape = dimsOf(spec.type.shape, T, B);
    const data = Array.from({ length: size(shape) }, () => 2 * rand() - 1);
    new Float32Array(mem.buffer, evalPoly(spec.offset, B, T), data.length).set(data);
    return tensor(shape, data.map(Math.fround));
  });
  const before = new Uint8Array(mem.buffer).slice();
  (inst.exports.run as (B: number, T: number) => void)(B, T);
  const after = new Uint8Array(mem.buffer);
  const out = gm.outputs[0]!;
  const oShape = dimsOf(out.type.shape, T, B);
  const oFrom = evalPoly(out.offset, B, T), oTo = oFrom + 4 * size(oShape);
  // the kernels also write their packing scratch (the packed panels): the planner puts scratch
  // of fixed size right after the pinned tensors of fixed size, before those sized by B or T
  const [sFrom, sTo] = scratchRegion(gm, T, B, after.length);
  const mayWrite = (i: number) => (i >= oFrom && i < oTo) || (i >= sFrom && i < sTo);
  let stray = -1;
  for (let i = 0; i < after.length; i++) {
    if (mayWrite(i)) continue;
    if (after[i] !== before[i]) { stray = i; break; }
  }
  const got = new Float32Array(mem.buffer, oFrom, size(oShape));
  const want = runGraph(g, inputs)[0]!;
  const absTerms = runGraph(g, inputs.map((x) => tensor(x.shape, x.data.map(Math.abs))))[0]!;
  let bad = -1, maxUse = 0;
  for (let i = 0; i < want.data.length; i++) {
    const d = Math.abs(got[i]! - want.data[i]!);
    const use = d / (REL * (1 + absTerms.data[i]!));
    if (!(use <= 1)) { if (bad < 0) bad = i; }
    else maxUse = Math.max(maxUse, use);
  }
  elements += want.data.length;
  if (maxUse > worst) { worst = maxUse; worstAt = `${label} T=${T} B=${B}`; }
  const where = `${label} T=${T} B=${B}`;
  if (stray >= 0) t.fail(`${where}: byte ${stray} outside the output was written`);
  if (bad >= 0) t.fail(`${where}: element ${bad} is ${got[bad]}, interpreter ${want.data[bad]} (Σ|terms| ${absTerms.data[bad]})`);
  t.ok(stray < 0 && bad < 0 && got.length === want.data.length, `${where}: ${want.data.length} elements, ≤ ${(100 * maxUse).toFixed(1)}% of the tolerance`);
}

async function checkShapes(t: Test, op: Op, shapes: [number, number][], tune: Partial<GemmTuning>, rows: [number, number][], seed: number): Promise<void> {
  const rand = rng(seed);
  for (const [M, K] of shapes) {
    const g = graphOf(op, M, K);
    const gm = await compileWith(g, tune);
    const inst = await WebAssembly.instantiate(await WebAssembly.compile(gm.wasm as Uint8Array<ArrayBuffer>), {});
    for (const [T, B] of rows) check(t, gm, inst, g, T, B, rand, `${op} M=${M} K=${K}`);
  }
}

const ALL_MK: [number, number][] = SIZES.flatMap((M) => SIZES.map((K) => [M, K] as [number, number]));

t.test("1. default tuning, every M, K and row count", async (t) => {
  for (const [i, op] of OPS.entries()) await t.test(op, (t) => checkShapes(t, op, ALL_MK, {}, ROWS, 1 + i));
});

t.test("2. blocked shapes and unbatched operands at the default tuning", async (t) => {
  // matmul: A [520, 300] is more than one output block of panelBytes; transpose_a with K = 300 and
  // outer over 300 rows have blocked reductions (jBlock 256), 301 is one more than a block.
  // matmul with M a multiple of 16, K ≤ 128 and ≥ 64 rows runs the splat form on gathered Aᵀ
  // panels ([32, 70] at 100 and 301 rows; with blocked reductions in 3.); [64, 300] stays in the
  // dot form below 512 rows
  const big: [number, number][] = [[520, 300], [70, 301], [9, 257], [64, 300], [32, 70]];
  for (const [i, op] of OPS.entries()) {
    await t.test(op, (t) => checkShapes(t, op, big, {}, [[1, 1], [1, 6], [3, 100], [1, 301]], 10 + i));
  }
  await t.test("unbatched: x [K], u [M] ⊗ v [K]", async (t) => {
    const rand = rng(20);
    for (const op of OPS) {
      for (const [M, K] of [[1, 1], [5, 3], [17, 65], [128, 8]] as [number, number][]) {
        const g = graphOf(op, M, K, []);
        const gm = await compileWith(g, {});
        const inst = await WebAssembly.instantiate(await WebAssembly.compile(gm.wasm as Uint8Array<ArrayBuffer>), {});
        check(t, gm, inst, g, 1, 1, rand, `${op} unbatched M=${M} K=${K}`);
      }
    }
  });
});

t.test("3. other tunings: small blocks, odd tiles", async (t) => {
  const tunings: Partial<GemmTuning>[] = [
    // every block boundary: tiny panels, reduction blocks of 3 (row tiles) and 2 (one-row tiles)
    { panelBytes: 64, jBlock: 3, jBlock1: 2 },
    // tiles that do not divide the sizes, and no reduction blocking at all
    { splatRows: 3, splatVecs: 3, splatVecs1: 5, dotRows: 3, dotCols: 3, dotCols1: 5, jBlock: 0, jBlock1: 0 },
    // one-row main tiles (no row tail), single-vector tiles
    { splatRows: 1, splatVecs: 1, splatVecs1: 1, dotRows: 1, dotCols: 1, dotCols1: 1, panelBytes: 1 << 30 },
    // packed outer: odd register tiles, reduction blocks of 5 rows, groups of 2 m-tiles (and a
    // tail group); transpose_a packed for every row count, reduction blocks of 4
    { outerRows: 3, outerVecs: 3, outerKc: 5, outerMb: 2, packMinRowTiles: 1, jBlock: 4 },
    // one-element tiles, one-row reduction blocks; packing from 2 row tiles of 3 rows
    { outerRows: 1, outerVecs: 1, outerKc: 1, outerMb: 1, splatRows: 3, splatVecs: 1, packMinRowTiles: 2, jBlock: 0 },
    { outerRows: 2, outerVecs: 4, outerKc: 7, outerMb: 3, splatRows: 4, splatVecs: 2 },
    // both operands read in place (the unpacked forms)
    { outerPacked: false, packT: false },
    // plain matmul on gathered Aᵀ panels from 1 row tile (M = 16 here), reduction blocks of 3;
    // and with 3×4 tiles (M = 4, 16)
    { packNMinRowTiles: 1, jBlock: 3 },
    { splatRows: 3, splatVecs: 1, packNMinRowTiles: 1 },
  ];
  const shapes: [number, number][] = [[1, 1], [3, 5], [4, 8], [7, 17], [17, 7], [65, 16], [16, 65]];
  for (const [k, tune] of tunings.entries()) {
    for (const [i, op] of OPS.entries()) {
      await t.test(`${op} ${JSON.stringify(tune)}`, (t) => checkShapes(t, op, shapes, tune, ROWS, 30 + 3 * k + i));
    }
  }
});

t.test("4. plain matmul on gathered Aᵀ at K > 128 (from 8× as many rows) and K > 256 (never)", async (t) => {
  // K = 130, 200: packed from 16 rows with packNMinRowTiles 1 (T=3, B=11 is packed, the rest is
  // the dot form), blocked in reductions of 64; K = 260 stays in the dot form
  const rows: [number, number][] = [[1, 1], [1, 15], [2, 8], [3, 11]];
  await checkShapes(t, "matmul", [[16, 130], [32, 200], [16, 260]], { packNMinRowTiles: 1, jBlock: 64 }, rows, 50);
});

t.teardown(() => {
  console.log(`# gemm: ${elements} elements; worst error ${(100 * worst).toFixed(1)}% of the tolerance (${worstAt})`);
});
