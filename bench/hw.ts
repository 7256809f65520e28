/**
 * This machine's limits, measured from WebAssembly: the f32x4 multiply-add peak of one core
 * (the roof of the roofline column in bench/run.ts), and rnnc's GEMM kernels alone on the
 * shapes the S and L LSTMs run, as a fraction of that peak.
 */
import "../compiler/ops/index.ts";
import { timeCalls } from "../compiler/cli/bench.ts";
import { Builder } from "../compiler/ir/builder.ts";
import { loadBinaryen } from "../compiler/lower/binaryen.ts";
import { compileGraph } from "../compiler/lower/compile.ts";
import { evalPoly } from "../compiler/lower/memory.ts";

/**
 * GFLOP/s of `chains` independent f32x4 chains v ← v·a + b (8 flops per chain per iteration),
 * the most a core retires without relaxed SIMD's fused multiply-add. Enough chains hide the
 * add/mul latency; too many spill (V8 has 16 xmm registers).
 */
export async function simdPeak(chains: number, clock: "wall" | "cpu" = "cpu"): Promise<number> {
  const bn = await loadBinaryen();
  const m = new bn.Module();
  try {
    m.setFeatures(bn.Features.MVP | bn.Features.SIMD128);
    const v128 = bn.v128, i32 = bn.i32;
    // locals: 0 = iterations (param), 1..chains = accumulators, then a and b
    const A = chains + 1, Bc = chains + 2;
    const acc = (k: number) => m.local.get(1 + k, v128);
    const init = Array.from({ length: chains }, (_, k) => m.local.set(1 + k, m.f32x4.splat(m.f32.const(1 + k / 100))));
    const update = Array.from({ length: chains }, (_, k) => m.local.set(1 + k, m.f32x4.add(m.f32x4.mul(acc(k), m.local.get(A, v128)), m.local.get(Bc, v128))));
    let sum = acc(0);
    for (let k = 1; k < chains; k++) sum = m.f32x4.add(sum, acc(k));
    const body = m.block(null, [
      ...init,
      m.local.set(A, m.f32x4.splat(m.f32.const(0.9999))),
      m.local.set(Bc, m.f32x4.splat(m.f32.const(1e-4))),
      m.loop("iter", m.block(null, [
        ...update,
        m.local.set(0, m.i32.sub(m.local.get(0, i32), m.i32.const(1))),
        m.br("iter", m.i32.gt_s(m.local.get(0, i32), m.i32.const(0))),
      ])),
      m.return(m.f32x4.extract_lane(sum, 0)),
    ]);
    m.addFunction("spin", bn.createType([i32]), bn.f32, [...Array(chains + 2).fill(v128)], body);
    m.addFunctionExport("spin", "spin");
    if (!m.validate()) throw new Error("peak kernel does not validate");
    const { instance } = await WebAssembly.instantiate(m.emitBinary() as Uint8Array<ArrayBuffer>, {});
    const spin = instance.exports.spin as (n: number) => number;
    const iters = 1 << 20;
    const t = timeCalls(() => void spin(iters), { clock, runs: 7, warmup: 3 });
    return (iters * chains * 8) / (t.median_ms / 1000) / 1e9;
  } finally {
    m.dispose();
  }
}

export interface GemmShape { name: string; op: "matmul" | "matmulT" | "outer"; rows: [T: number, B: number]; M: number; K: number }

/** FLOPs of one call: 2·rows·M·K. */
export const gemmFlops = (s: GemmShape): number => 2 * s.rows[0] * s.rows[1] * s.M * s.K;

/**
 * GFLOP/s of rnnc's kernel for one matmul (W [M, K] · x_r for every row r of x [T, B, K]),
 * transposed matmul (Wᵀ [K, M]·g_r) or outer product (Σ_r u_r v_rᵀ, the weight gradient),
 * compiled as a one-node graph.
 */
export async function gemmRate(s: GemmShape, clock: "wall" | "cpu" = "cpu"): Promise<number> {
  const b = new Builder();
  if (s.op === "outer") {
    const u = b.input("u", { dtype: "f32", shape: ["T", "B", s.M] });
    const v = b.input("v", { dtype: "f32", shape: ["T", "B", s.K] });
    b.graph.outputs = [b.op("outer", [u, v])];
  } else {
    const W = b.input("W", { dtype: "f32", shape: s.op === "matmulT" ? [s.K, s.M] : [s.M, s.K] });
    const x = b.input("x", { dtype: "f32", shape: ["T", "B", s.K] });
    b.graph.outputs = [b.op("matmul", [W, x], s.op === "matmulT" ? { transpose_a: true } : {})];
  }
  const gm = await compileGraph(b.graph);
  const { instance } = await WebAssembly.instantiate(gm.wasm as Uint8Array<ArrayBuffer>, {});
  const mem = instance.exports.memory as WebAssembly.Memory;
  const [T, B] = s.rows;
  const need = evalPoly(gm.memoryBytes, B, T);
  if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
  let seed = 12345;
  for (const inp of gm.inputs) {
    const n = inp.type.shape.reduce<number>((a, d) => a * (d === "B" ? B : d === "T" ? T : d), 1);
    const view = new Float32Array(mem.buffer, evalPoly(inp.offset, B, T), n);
    for (let i = 0; i < n; i++) { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; view[i] = seed / 2 ** 31 - 1; }
  }
  const run = instance.exports.run as (B: number, T: number) => void;
  const t = timeCalls(() => run(B, T), { clock, runs: 7, minSampleMs: 20 });
  return gemmFlops(s) / (t.median_ms / 1000) / 1e9;
}

/** The GEMMs of an LSTM training step with batch B, T steps, input I, hidden H (after rnnc's passes). */
export function lstmGemms(tag: string, B: number, T: number, I: number, H: number): GemmShape[] {
  return [
    { name: `${tag}: recurrent W·h, one step (rows=B)`, op: "matmul", rows: [1, B], M: 4 * H, K: H },
    { name: `${tag}: recurrent Wᵀ·g, one backward step`, op: "matmulT", rows: [1, B], M: H, K: 4 * H },
    { name: `${tag}: input projection, all steps (rows=T·B)`, op: "matmul", rows: [T, B], M: 4 * H, K: I },
    { name: `${tag}: weight gradient Σ g xᵀ over T·B rows`, op: "outer", rows: [T, B], M: 4 * H, K: I + H },
  ];
}
