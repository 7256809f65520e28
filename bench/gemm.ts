/**
 * Speed of the SIMD128 matmul / outer kernels (compiler/lower/gemm.ts), against the scalar kernels
 * they replaced and against a SIMD peak measured on this machine.
 *
 *   npx tsx bench/gemm.ts            the shapes below, SIMD and scalar, and the peak
 *   npx tsx bench/gemm.ts --sweep    also compares tilings / blockings (how the defaults were picked)
 *   npx tsx bench/gemm.ts --quick    fewer and shorter samples
 *   npx tsx bench/gemm.ts --sweep --char   the sweep on the char-rnn step shapes
 *   npx tsx bench/gemm.ts --relaxed  the kernels compiled with relaxedSimd (f32x4.relaxed_madd; this
 *                                    process turns relaxed SIMD on), the peak also as madd chains;
 *                                    with --sweep, also the tiles a fused multiply-add might allow
 *
 * Each figure is the median over ≥ 7 samples, after a warm-up (V8 tiers a function up between
 * calls), of CPU time per call (process.cpuUsage: robust to being descheduled on a shared
 * machine; the process runs one busy thread while timing). A sample repeats the call until it
 * lasts ≥ 40 ms. GFLOP/s = 2·rows·M·K / time.
 */
import "../compiler/ops/index.ts";
import { Builder } from "../compiler/ir/builder.ts";
import type { Graph } from "../compiler/ir/types.ts";
import { loadBinaryen } from "../compiler/lower/binaryen.ts";
import type { Expr } from "../compiler/lower/binaryen.ts";
import { compileGraph } from "../compiler/lower/compile.ts";
import type { GraphModule } from "../compiler/lower/compile.ts";
import { DEFAULT_GEMM_TUNING, gemmTuning } from "../compiler/lower/gemm.ts";
import type { GemmTuning } from "../compiler/lower/gemm.ts";
import { kernels } from "../compiler/lower/kernels.ts";
import type { Kernel } from "../compiler/lower/kernels.ts";
import { evalPoly } from "../compiler/lower/memory.ts";
import { relaxedMaddF32x4 } from "../compiler/lower/binaryen.ts";
import { enableRelaxedSimd } from "../runtime/features.ts";

const args = new Set(process.argv.slice(2));
const QUICK = args.has("--quick");
const SAMPLES = QUICK ? 5 : 7;
const SAMPLE_SEC = QUICK ? 0.02 : 0.04;
const WARM_SEC = QUICK ? 0.1 : 0.3;
const RELAXED = args.has("--relaxed");
if (RELAXED && !(await enableRelaxedSimd())) throw new Error("--relaxed: this engine cannot run relaxed SIMD");

// ---- the scalar kernels the SIMD ones replaced (verbatim), for the ratio ----------------------------

const scalarMatmul: Kernel = (k, n) => {
  const fn = k.fn, m = fn.m;
  const [a, x] = n.inputs as [string, string];
  const out = n.outputs[0]!;
  const [R, C] = k.type(a).shape as [number, number];
  const t = n.attrs.transpose_a === true;
  const [M, K] = t ? [C, R] : [R, C];
  const rows = fn.count(k.type(x).shape.slice(0, -1));
  const acc = fn.local(fn.bn.f32);
  return [fn.loop(rows, (r) => [
    fn.loop(fn.i32(M), (i) => [
      fn.set(acc, fn.f32(0)),
      fn.loop(fn.i32(K), (j) => {
        const ai = t ? m.i32.add(m.i32.mul(fn.get(j), fn.i32(C)), fn.get(i)) : m.i32.add(m.i32.mul(fn.get(i), fn.i32(C)), fn.get(j));
        const xi = m.i32.add(m.i32.mul(fn.get(r), fn.i32(K)), fn.get(j));
        return [fn.set(acc, m.f32.add(fn.get(acc, fn.bn.f32), m.f32.mul(fn.loadF(fn.addr(a), ai), fn.loadF(fn.addr(x), xi))))];
      }),
      fn.storeF(fn.addr(out), m.i32.add(m.i32.mul(fn.get(r), fn.i32(M)), fn.get(i)), fn.get(acc, fn.bn.f32)),
    ]),
  ])];
};

const scalarOuter: Kernel = (k, n) => {
  const fn = k.fn, m = fn.m;
  const [u, v] = n.inputs as [string, string];
  const out = n.outputs[0]!;
  const M = k.type(u).shape.at(-1) as number, K = k.type(v).shape.at(-1) as number;
  const rows = fn.count(k.type(u).shape.slice(0, -1));
  const acc = fn.local(fn.bn.f32);
  return [fn.loop(fn.i32(M), (i) => [
    fn.loop(fn.i32(K), (j) => [
      fn.set(acc, fn.f32(0)),
      fn.loop(rows, (r) => [fn.set(acc, m.f32.add(fn.get(acc, fn.bn.f32), m.f32.mul(
        fn.loadF(fn.addr(u), m.i32.add(m.i32.mul(fn.get(r), fn.i32(M)), fn.get(i))),
        fn.loadF(fn.addr(v), m.i32.add(m.i32.mul(fn.get(r), fn.i32(K)), fn.get(j))))))]),
      fn.storeF(fn.addr(out), m.i32.add(m.i32.mul(fn.get(i), fn.i32(K)), fn.get(j)), fn.get(acc, fn.bn.f32)),
    ]),
  ])];
};

/** Compiles `g` with the scalar kernels swapped in for matmul and outer. */
async function compileScalar(g: Graph): Promise<GraphModule> {
  const saved = [kernels.get("matmul")!, kernels.get("outer")!] as const;
  kernels.set("matmul", scalarMatmul);
  kernels.set("outer", scalarOuter);
  try {
    return await compileGraph(g);
  } finally {
    kernels.set("matmul", saved[0]);
    kernels.set("outer", saved[1]);
  }
}

/** Compiles `g` with the SIMD kernels under the given tuning. */
async function compileSimd(g: Graph, tune: Partial<GemmTuning> = {}): Promise<GraphModule> {
  const saved = { ...gemmTuning };
  Object.assign(gemmTuning, tune);
  try {
    return await compileGraph(g, RELAXED ? { relaxedSimd: true } : {});
  } finally {
    Object.assign(gemmTuning, saved);
  }
}

// ---- the shapes ------------------------------------------------------------------------------------------

interface Shape { name: string; op: "matmul" | "matmulT" | "outer"; T: number; B: number; M: number; K: number }

const SHAPES: Shape[] = [
  { name: "matmul  rows=2048 K=320  M=1024 (LSTM S forward)", op: "matmul", T: 64, B: 32, M: 1024, K: 320 },
  { name: "matmulᵀ rows=2048 K=1024 M=320  (its input gradient)", op: "matmulT", T: 64, B: 32, M: 320, K: 1024 },
  { name: "outer   rows=2048 M=1024 K=320  (its weight gradient)", op: "outer", T: 64, B: 32, M: 1024, K: 320 },
  { name: "matmul  rows=1    K=256  M=512  (GEMV, streaming)", op: "matmul", T: 1, B: 1, M: 512, K: 256 },
  { name: "matmulᵀ rows=1    K=256  M=512  (GEMV, transposed)", op: "matmulT", T: 1, B: 1, M: 512, K: 256 },
  { name: "matmulᵀ rows=64   K=2048 M=512  (one step, B=64: L's Wᵀ·g)", op: "matmulT", T: 1, B: 64, M: 512, K: 2048 },
  { name: "matmul  rows=2048 K=64   M=1024 (S input projection)", op: "matmul", T: 64, B: 32, M: 1024, K: 64 },
  { name: "matmul  rows=32   K=320  M=1024 (one step, B=32)", op: "matmul", T: 1, B: 32, M: 1024, K: 320 },
  { name: "matmulᵀ rows=32   K=1024 M=320  (one step, B=32)", op: "matmulT", T: 1, B: 32, M: 320, K: 1024 },
  { name: "matmul  rows=8    K=288  M=1152 (char-rnn one step, B=8)", op: "matmul", T: 1, B: 8, M: 1152, K: 288 },
  { name: "matmulᵀ rows=8    K=1152 M=288  (char-rnn one step, B=8)", op: "matmulT", T: 1, B: 8, M: 288, K: 1152 },
  { name: "matmul  rows=8    K=256  M=1024 (H=256 one step, B=8)", op: "matmul", T: 1, B: 8, M: 1024, K: 256 },
  { name: "matmulᵀ rows=8    K=1024 M=256  (H=256 one step, B=8)", op: "matmulT", T: 1, B: 8, M: 256, K: 1024 },
];

function graphOf(s: Shape): Graph {
  const b = new Builder();
  if (s.op === "outer") {
    b.input("u", { dtype: "f32", shape: ["T", "B", s.M] });
    b.input("v", { dtype: "f32", shape: ["T", "B", s.K] });
    b.graph.outputs = [b.op("outer", ["u", "v"])];
  } else {
    const t = s.op === "matmulT";
    b.input("A", { dtype: "f32", shape: t ? [s.K, s.M] : [s.M, s.K] });
    b.input("x", { dtype: "f32", shape: ["T", "B", s.K] });
    b.graph.outputs = [b.op("matmul", ["A", "x"], t ? { transpose_a: true } : {})];
  }
  return b.graph;
}

const flopsOf = (s: Shape) => 2 * s.T * s.B * s.M * s.K;

// ---- timing ----------------------------------------------------------------------------------------------

const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

/** Median CPU seconds of f() over SAMPLES samples of `reps` calls each, after a warm-up. */
function timeCalls(f: () => void): number {
  let reps = 1;
  const w0 = cpuNow();
  let calls = 0;
  while (cpuNow() - w0 < WARM_SEC || calls < 3) { f(); calls++; }
  reps = Math.max(1, Math.ceil(SAMPLE_SEC / ((cpuNow() - w0) / calls)));
  const samples: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const t0 = cpuNow();
    for (let r = 0; r < reps; r++) f();
    samples.push((cpuNow() - t0) / reps);
  }
  return median(samples);
}

interface Loaded { run: () => void; output: () => Float32Array }

async function load(gm: GraphModule, s: Shape, seed = 1): Promise<Loaded> {
  const mod = await WebAssembly.compile(gm.wasm as Uint8Array<ArrayBuffer>);
  const inst = await WebAssembly.instantiate(mod, {});
  const mem = inst.exports.memory as WebAssembly.Memory;
  const need = evalPoly(gm.memoryBytes, s.B, s.T);
  if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
  let x = seed;
  const rnd = () => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return (x / 2 ** 32) * 2 - 1; };
  for (const spec of gm.inputs) {
    const n = spec.type.shape.reduce<number>((a, d) => a * (d === "B" ? s.B : d === "T" ? s.T : d), 1);
    const view = new Float32Array(mem.buffer, evalPoly(spec.offset, s.B, s.T), n);
    for (let i = 0; i < n; i++) view[i] = rnd();
  }
  const run = inst.exports.run as (B: number, T: number) => void;
  const out = gm.outputs[0]!;
  const n = out.type.shape.reduce<number>((a, d) => a * (d === "B" ? s.B : d === "T" ? s.T : d), 1);
  return { run: () => run(s.B, s.T), output: () => new Float32Array(mem.buffer, evalPoly(out.offset, s.B, s.T), n) };
}

// ---- SIMD peak ---------------------------------------------------------------------------------------------

/**
 * acc_i = acc_i·c + d on `n` independent f32x4 accumulators, `iters` times: GFLOP/s. With `madd`,
 * each update is one f32x4.relaxed_madd.
 */
async function simdPeak(n: number, madd = false): Promise<number> {
  const bn = await loadBinaryen();
  const m = new bn.Module();
  try {
    m.setFeatures(bn.Features.MVP | bn.Features.SIMD128 | (madd ? bn.Features.RelaxedSIMD : 0));
    m.setMemory(1, 1, "memory");
    const V = bn.v128, I = bn.i32;
    const acc = Array.from({ length: n }, (_, i) => 1 + i);
    const c = n + 1, d = n + 2;
    const get = (l: number) => m.local.get(l, V);
    const splat = (x: number) => m.f32x4.splat(m.f32.const(x));
    const body: Expr[] = [
      ...acc.map((l, i) => m.local.set(l, splat(0.5 + i / 64))),
      m.local.set(c, splat(0.999)), m.local.set(d, splat(0.0005)),
      m.loop("top", m.block(null, [
        ...acc.map((l) => m.local.set(l, madd ? relaxedMaddF32x4(bn, m, get(l), get(c), get(d)) : m.f32x4.add(m.f32x4.mul(get(l), get(c)), get(d)))),
        m.local.set(0, m.i32.sub(m.local.get(0, I), m.i32.const(1))),
        m.br("top", m.local.get(0, I)),
      ])),
    ];
    let sum = get(acc[0]!);
    for (const l of acc.slice(1)) sum = m.f32x4.add(sum, get(l));
    body.push(m.v128.store(0, 16, m.i32.const(0), sum));
    m.addFunction("peak", bn.createType([I]), bn.none, [...acc.map(() => V), V, V], m.block(null, body));
    m.addFunctionExport("peak", "peak");
    if (!m.validate()) throw new Error("peak module does not validate");
    const inst = await WebAssembly.instantiate(await WebAssembly.compile(m.emitBinary() as Uint8Array<ArrayBuffer>), {});
    const peak = inst.exports.peak as (iters: number) => void;
    const iters = 2_000_000;
    const sec = timeCalls(() => peak(iters));
    return (iters * n * 8) / sec / 1e9;
  } finally {
    m.dispose();
  }
}

// ---- main -----------------------------------------------------------------------------------------------

const gf = (s: Shape, sec: number) => flopsOf(s) / sec / 1e9;
const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 1).padStart(6);

async function main(): Promise<void> {
  await loadBinaryen();
  console.log(`node ${process.version}; tuning ${JSON.stringify(DEFAULT_GEMM_TUNING)}${RELAXED ? "; relaxed SIMD (f32x4.relaxed_madd)" : ""}`);
  const peaks: string[] = [];
  let peak = 0;
  for (const n of [8, 12, 13]) {
    const p = await simdPeak(n);
    peaks.push(`${n} acc: ${p.toFixed(1)}`);
    peak = Math.max(peak, p);
  }
  console.log(`SIMD f32x4 mul+add peak (GFLOP/s): ${peaks.join(", ")}; using ${peak.toFixed(1)}`);
  if (RELAXED) {
    const madd: string[] = [];
    for (const n of [8, 12, 13]) madd.push(`${n} acc: ${(await simdPeak(n, true)).toFixed(1)}`);
    console.log(`relaxed f32x4 madd peak (GFLOP/s): ${madd.join(", ")} (%peak below stays relative to mul+add)`);
  }
  console.log("");
  console.log(`${"shape".padEnd(56)} ${"SIMD".padStart(6)} ${"scalar".padStart(6)}  ratio  %peak  max rel Δ`);
  for (const s of SHAPES) {
    const g = graphOf(s);
    const simd = await load(await compileSimd(g), s);
    const tS = timeCalls(simd.run);
    const scalar = await load(await compileScalar(g), s);
    const tR = timeCalls(scalar.run);
    // same inputs, so the outputs should agree to f32 rounding (different summation orders)
    const a = simd.output(), b = scalar.output();
    let rel = 0, scale = 0;
    for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
    for (let i = 0; i < b.length; i++) rel = Math.max(rel, Math.abs(a[i]! - b[i]!) / (scale || 1));
    console.log(`${s.name.padEnd(56)} ${fmt(gf(s, tS))} ${fmt(gf(s, tR))} ${(tR / tS).toFixed(1).padStart(6)} ${(100 * gf(s, tS) / peak).toFixed(0).padStart(5)}%  ${rel.toExponential(1)}`);
  }
  if (args.has("--sweep")) await sweep();
}

/** Tilings and blockings compared on the large shapes and the GEMVs. */
async function sweep(): Promise<void> {
  const variants: [string, Partial<GemmTuning>][] = [
    ["default", {}],
    ["splat 4x2 (4x8)", { splatRows: 4, splatVecs: 2 }],
    ["splat 3x3 (3x12)", { splatRows: 3, splatVecs: 3 }],
    ["splat1 4 vecs", { splatVecs1: 4 }],
    ["splat1 8 vecs", { splatVecs1: 8 }],
    ["dot 2x4", { dotRows: 2, dotCols: 4 }],
    ["dot 3x3", { dotRows: 3, dotCols: 3 }],
    ["dot1 4", { dotCols1: 4 }],
    ["dot1 8", { dotCols1: 8 }],
    ["panel 128K", { panelBytes: 128 * 1024 }],
    ["panel 1M", { panelBytes: 1024 * 1024 }],
    ["jBlock 128", { jBlock: 128 }],
    ["jBlock 1024", { jBlock: 1024 }],
    ["jBlock1 32", { jBlock1: 32 }],
    ["jBlock1 off", { jBlock1: 0 }],
    ["ᵀ in place", { packT: false }],
    ["ᵀ packed from 2", { packMinRowTiles: 2 }],
    ["plain: dot only", { packNMinRowTiles: 0 }],
    ["outer in place", { outerPacked: false }],
    ["outer 2x4", { outerRows: 2, outerVecs: 4 }],
    ["outer kc 128", { outerKc: 128 }],
    ["outer kc 512", { outerKc: 512 }],
    ["outer mb 1", { outerMb: 1 }],
    ["outer mb 8", { outerMb: 8 }],
    // one register fewer per multiply-add with relaxed_madd (no product temporary): wider tiles
    ...(RELAXED ? [
      ["splat 2x5 (2x20)", { splatRows: 2, splatVecs: 5 }],
      ["splat 3x4 (3x16)", { splatRows: 3, splatVecs: 4 }],
      ["splat1 7 vecs", { splatVecs1: 7 }],
      ["dot 5x2", { dotRows: 5, dotCols: 2 }],
      ["dot 4x3", { dotRows: 4, dotCols: 3 }],
      ["dot1 7", { dotCols1: 7 }],
      ["outer 4x3", { outerRows: 4, outerVecs: 3 }],
      ["outer 5x2", { outerRows: 5, outerVecs: 2 }],
    ] as [string, Partial<GemmTuning>][] : []),
  ];
  // --char: the char-rnn step shapes (examples/char-rnn at H=288, B=8) instead of the large ones
  const shapes = args.has("--char") ? SHAPES.filter((x) => x.name.includes("char-rnn")) : SHAPES.slice(0, 7);
  console.log("");
  console.log(`sweep (GFLOP/s): ${"variant".padEnd(18)} ${shapes.map((s) => `${s.op}/${s.T * s.B}`.padStart(12)).join("")}`);
  for (const [name, tune] of variants) {
    const row: string[] = [];
    for (const s of shapes) {
      const ld = await load(await compileSimd(graphOf(s), tune), s);
      row.push(fmt(gf(s, timeCalls(ld.run))).padStart(12));
    }
    console.log(`                 ${name.padEnd(18)} ${row.join("")}`);
  }
}

await main();
