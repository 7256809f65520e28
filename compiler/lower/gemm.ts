/**
 * SIMD128 kernels for the hot spots of RNN training: `matmul` (both orientations) and `outer`.
 *
 * Each is an f32 GEMM over compile-time M, K and a run-time row count (a product of B and T), on
 * unpadded row-major tensors with 16-byte aligned bases, in one of two register-tiled forms. Where
 * an operand would be read with a large stride, it is first packed into contiguous panels in
 * scratch memory the memory planner gives the node (./memory.ts `kernelScratch`; the sizes are
 * `matmulScratchFloats` and `outerScratchFloats`).
 *
 * Splat form (matmul with transpose_a, outer, and plain matmul over many rows): Out[i, c] =
 * Σ_j S[i, j] · V[j, c] where V's rows are contiguous along the output column c. A tile of `ri`
 * output rows × `nv` vectors of 4 columns lives in registers; per j it loads nv vectors of V,
 * broadcasts ri scalars of S (v128.load32_splat) and does ri·nv multiply-adds. A tile's other rows
 * and vectors are constant offsets (load immediates) from two pointers: the inner loop is two
 * increments and a compare.
 *   - transpose_a matmul: S = X [rows, K] (i = row, j = k), V = A [K, M], Out = Y [rows, M]. With
 *     at least `packMinRowTiles` row tiles, each reduction block of V is first packed into panels
 *     [column tile][j][4·nv] (`packT`): a tile then reads V sequentially, where in place it reads
 *     32 bytes of a new cache line per j (with M·4 a multiple of 1–4 KiB, lines that share a few
 *     L1 sets). Fewer row tiles read V in place (packing is one more pass over V).
 *   - plain matmul over a whole sequence with many rows (`packNMinRowTiles`), M a multiple of
 *     4·nv and K ≤ 256: S = X, V = Aᵀ gathered from A [M, K] into the same panels. The dot form
 *     below spends its horizontal sums per output tile, which weigh most at short K (an input
 *     projection, K = I).
 *   - outer: its own loop nest, packedOuter: Out [M, K] = Σ_r u[r, ·]ᵀ v[r, ·] with both operands
 *     packed per block of `outerKc` rows — v into panels [k tile][r][4·outerVecs], u into slivers
 *     [m tile][r][outerRows] for `outerMb` m-tiles at a time — so a tile reads two sequential
 *     streams instead of u down its columns (a new line, and at M·4 = 4 KiB the same L1 set, per
 *     row). `outerPacked: false` runs it in the in-place splat form (S = Uᵀ, V = v).
 * The reduction is cut into blocks of `jBlock` (row tiles) / `jBlock1` (one-row tiles) when it may
 * be longer: Out is zeroed, then each block adds into it. Short blocks keep a tile's slabs of S and
 * V in L1 (and the packed panels in L2); for a GEMV they turn the pass over A's columns into short,
 * L1-resident sweeps along its rows.
 *
 * Dot form (plain matmul): Y[r, m] = Σ_k A[m, k] · X[r, k] — both operands are contiguous along
 * the reduction, neither along an output. A tile of `ri` rows × `mj` outputs keeps ri·mj vector
 * accumulators over k (4 partial sums per lane), loads ri + mj vectors per step, and reduces each
 * accumulator at the end (two shuffles and adds), adding the K mod 4 tail in scalar code.
 *
 * Remainders: output columns beyond the last full tile use a narrower vector tile, then ≤ 3
 * scalar lanes (K mod 4 of the dot form is a scalar tail; packedOuter zero-pads its last panel to
 * a whole vector and stores only the real columns); rows beyond the last full row tile run a
 * one-row tile, which is also the whole of a GEMV (B = 1) and is made wide for it. Nothing reads
 * or writes outside a tensor's elements and the node's scratch (test/lower/gemm.test.ts checks on
 * poisoned memory).
 *
 * Cache blocking: the output columns (splat, in place) or outputs m (dot) are grouped into blocks
 * whose panel of the streamed operand (V, or A) is about `panelBytes`, so it stays in L2 while
 * every row tile passes over it.
 *
 * Register budget (measured, bench/gemm.ts): V8's TurboFan schedules a loop body's loads first
 * and the arithmetic after them, so every value loaded in a step is live at once next to the
 * accumulators. With 16 xmm registers, loads + accumulators + 1 must stay ≤ 15 or accumulators
 * spill to the stack (a 1×8 dot tile — 9 loads, 8 accumulators — ran at half the speed of 1×6).
 * Hence 2×4 splat tiles (2 rows × 16 columns: 4 + 2 loads, 8 accumulators; on packed panels a
 * whole 64-byte line per j, measured faster than 4×2 there), 4×2 dot and packed-outer tiles, 1×6
 * for one-row tiles.
 *
 * Relaxed SIMD (GemmIsa, opt-in): every vector multiply-add of the tiles above is one
 * f32x4.relaxed_madd (vfmadd on x64 with FMA) — one instruction instead of two and no product
 * temporary. Measured with `npx tsx bench/gemm.ts --quick [--relaxed] [--sweep]`: madd chains peak
 * at ~58.7 GFLOP/s against ~49.6 for mul + add; the kernels gain 8–18% (GEMMs over T·B rows
 * ~50–53 GFLOP/s, GEMVs ~37). The freed register buys a 1×7 one-row dot tile (`dotCols1Madd`:
 * GEMVs at M = 512–1152 another 14–17% over 1×6); wider row tiles (splat 2×5, 3×4; dot 5×2, 4×3;
 * outer 4×3, 5×2) still spill and ran at about half speed, and 1×8 too.
 *
 * Measured on the 2-core Zen 4 EPYC against its f32x4 mul+add peak (~47.5 GFLOP/s, bench/hw.ts),
 * kernels alone on the LSTM shapes of bench/run.ts (npm run bench -- --only S,L): outer (weight
 * gradient over T·B rows) 98–99% (58–62% in place), transpose_a one recurrent step (B = 32, 64)
 * 91–94% (74–87% in place), plain matmul over T·B rows with K = 64 and 256 ~100% (85–93% in the
 * dot form), recurrent W·h (dot form) 93–95%; GEMVs (dot form, one row) ~65–73%: 7 loads, 12
 * arithmetic instructions and the loop's 4 per 48 flops, front-end bound.
 */
import { relaxedMaddF32x4 } from "./binaryen.ts";
import type { Expr } from "./binaryen.ts";
import type { Fn } from "./codegen.ts";

export interface GemmTuning {
  /** Splat form: rows × vectors (of 4 columns) of the register tile. */
  splatRows: number;
  splatVecs: number;
  /** Splat form, one-row tile (row tails and GEMV): vectors of 4 columns. */
  splatVecs1: number;
  /** Dot form: rows × outputs of the register tile. */
  dotRows: number;
  dotCols: number;
  /** Dot form, one-row tile (row tails and GEMV): outputs. */
  dotCols1: number;
  /**
   * The same when the multiply-adds are f32x4.relaxed_madd (GemmIsa): no product temporary, one
   * register more for an output (1×8 still spills).
   */
  dotCols1Madd: number;
  /** Target bytes of the streamed operand's panel per cache block. */
  panelBytes: number;
  /**
   * Splat form: reduction block of the row tiles (outer: rows of u and v; transpose_a matmul: k,
   * when longer). 0 = never block.
   */
  jBlock: number;
  /** Splat form: reduction block of the one-row tiles (row tails and GEMV). 0 = never block. */
  jBlock1: number;
  /** outer: pack both operands into scratch panels (false: the in-place splat form). */
  outerPacked: boolean;
  /** Packed outer: register tile, output rows (m) × vectors of 4 columns (k). */
  outerRows: number;
  outerVecs: number;
  /** Packed outer: reduction rows per packed block. */
  outerKc: number;
  /** Packed outer: m-tiles whose u slivers are packed together (one pass over v's panel each). */
  outerMb: number;
  /** transpose_a matmul: pack A's panels per reduction block (false: read in place). */
  packT: boolean;
  /** … when there are at least this many row tiles (fewer: in place). */
  packMinRowTiles: number;
  /**
   * Plain matmul over a sequence (x has a T axis): from this many row tiles of the splat form on
   * (rows ≥ splatRows times this, 8 times as many when K > 128), run the splat form on Aᵀ
   * gathered into panels instead of the dot form (0 = never). Only when M is a multiple of
   * 4·splatVecs and K ≤ 256.
   */
  packNMinRowTiles: number;
}

/** The defaults, chosen by bench/gemm.ts on the target machine (see its header). */
export const DEFAULT_GEMM_TUNING: Readonly<GemmTuning> = {
  splatRows: 2,
  splatVecs: 4,
  splatVecs1: 6,
  dotRows: 4,
  dotCols: 2,
  dotCols1: 6,
  dotCols1Madd: 7,
  panelBytes: 512 * 1024,
  jBlock: 256,
  jBlock1: 8,
  outerPacked: true,
  outerRows: 4,
  outerVecs: 2,
  outerKc: 256,
  outerMb: 4,
  packT: true,
  packMinRowTiles: 8,
  packNMinRowTiles: 32,
};

/** The tuning in effect; bench/gemm.ts changes it to compare variants (then restores it). */
export const gemmTuning: GemmTuning = { ...DEFAULT_GEMM_TUNING };

const SWAP64 = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const SWAP32 = [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11];

/**
 * How a kernel's vector multiply-adds are emitted: `f32x4.mul` then `f32x4.add` (two roundings,
 * the same bits on every engine), or with `relaxedSimd` one `f32x4.relaxed_madd`, which the engine
 * runs as a fused multiply-add where the CPU has one (one rounding) and as mul + add where it does
 * not — deterministic on one machine, possibly different in the last bits across machines. It
 * needs relaxed SIMD (compile option `relaxedSimd`, docs/manifest.md `features`).
 */
export interface GemmIsa {
  relaxedSimd?: boolean;
}

/** Small code-building helpers over one function. */
class Gen {
  readonly m;
  readonly i32t: number;
  readonly f32t: number;
  readonly v128t: number;
  constructor(readonly fn: Fn, readonly isa: GemmIsa = {}) {
    this.m = fn.m;
    this.i32t = fn.bn.i32;
    this.f32t = fn.bn.f32;
    this.v128t = fn.bn.v128;
  }
  i(): number { return this.fn.local(this.i32t); }
  f(): number { return this.fn.local(this.f32t); }
  v(): number { return this.fn.local(this.v128t); }
  gi(l: number): Expr { return this.m.local.get(l, this.i32t); }
  gf(l: number): Expr { return this.m.local.get(l, this.f32t); }
  gv(l: number): Expr { return this.m.local.get(l, this.v128t); }
  set(l: number, e: Expr): Expr { return this.m.local.set(l, e); }
  c(n: number): Expr { return this.m.i32.const(n | 0); }
  /** a + n (n a constant; folded when 0) */
  addc(a: Expr, n: number): Expr { return n === 0 ? a : this.m.i32.add(a, this.c(n)); }
  /** a + b·n */
  addMul(a: Expr, b: Expr, n: number): Expr { return n === 0 ? a : this.m.i32.add(a, n === 1 ? b : this.m.i32.mul(b, this.c(n))); }
  zeroV(): Expr { return this.m.f32x4.splat(this.m.f32.const(0)); }
  loadV(ptr: Expr, off: number): Expr { return this.m.v128.load(off, 4, ptr); }
  storeV(ptr: Expr, off: number, v: Expr): Expr { return this.m.v128.store(off, 4, ptr, v); }
  splatF(ptr: Expr, off: number): Expr { return this.m.v128.load32_splat(off, 4, ptr); }
  loadF(ptr: Expr, off: number): Expr { return this.m.f32.load(off, 4, ptr); }
  storeF(ptr: Expr, off: number, v: Expr): Expr { return this.m.f32.store(off, 4, ptr, v); }
  /** acc += a·b on four lanes (see GemmIsa). */
  fma(acc: number, a: Expr, b: Expr): Expr {
    if (this.isa.relaxedSimd) return this.set(acc, relaxedMaddF32x4(this.fn.bn, this.m, a, b, this.gv(acc)));
    return this.set(acc, this.m.f32x4.add(this.gv(acc), this.m.f32x4.mul(a, b)));
  }
  fmaF(acc: number, a: Expr, b: Expr): Expr { return this.set(acc, this.m.f32.add(this.gf(acc), this.m.f32.mul(a, b))); }
  /** The sum of a v128 local's four lanes, as f32 (uses a temporary). */
  hsum(l: number): Expr[] {
    const m = this.m, t = this.v();
    return [
      this.set(t, m.f32x4.add(this.gv(l), m.i8x16.shuffle(this.gv(l), this.gv(l), SWAP64))),
      this.set(t, m.f32x4.add(this.gv(t), m.i8x16.shuffle(this.gv(t), this.gv(t), SWAP32))),
      m.f32x4.extract_lane(this.gv(t), 0),
    ];
  }
  /** `for (i = 0; i < n; i++) body(i)`, n evaluated once (the Fn helper, which guards n ≤ 0). */
  loop(n: Expr, body: (i: number) => Expr[]): Expr { return this.fn.loop(n, body); }
  /**
   * do { body } while ((p += step) < end), entered only if p < end when `guard`: the pointer loop
   * of a micro-kernel. `others` are more pointers and their increments, applied every iteration.
   */
  ptrLoop(p: number, end: number, step: number, others: [number, number][], body: Expr[], guard: boolean): Expr {
    const m = this.m, fn = this.fn;
    const top = fn.label("gemm_k"), brk = fn.label("gemm_kdone");
    const inner = m.loop(top, m.block(null, [
      ...body,
      ...others.map(([l, s]) => this.set(l, this.addc(this.gi(l), s))),
      this.set(p, this.addc(this.gi(p), step)),
      m.br(top, m.i32.lt_u(this.gi(p), this.gi(end))),
    ]));
    if (!guard) return inner;
    return m.block(brk, [m.br(brk, m.i32.ge_u(this.gi(p), this.gi(end))), inner]);
  }
}

/** min(a, b) (signed), each evaluated once; `tmp` is an i32 local it may use. */
function min(g: Gen, a: Expr, tmp: number, b: Expr): Expr {
  const m = g.m, la = g.i();
  return m.block(null, [g.set(la, a), g.set(tmp, b),
    m.select(m.i32.lt_s(g.gi(la), g.gi(tmp)), g.gi(la), g.gi(tmp))], g.i32t);
}

// ---- splat form --------------------------------------------------------------------------------

interface SplatGeom {
  /** element (i, j) of S is at s + i·si + j·sj (bytes) */
  si: number; sj: number;
  /** element (j, c) of V is at v + j·vj + 4c */
  vj: number;
  /** element (i, c) of Out is at o + i·oi + 4c */
  oi: number;
}

/**
 * One register tile: rows i0..i0+ri of Out × columns c0..c0+4·nv (vectors) or c0..c0+lanes
 * (scalars, when `lanes` > 0). `s`, `v`, `o` are the addresses of S[i0, j0], V[j0, c0], Out[i0, c0];
 * `J` a local holding the reduction length. With `accumulate` the tile adds into Out.
 */
function splatTile(g: Gen, geo: SplatGeom, ri: number, nv: number, lanes: number, s: Expr, v: Expr, o: Expr,
  J: number, accumulate: boolean, guard: boolean): Expr[] {
  const m = g.m;
  const ps = g.i(), pv = g.i(), pe = g.i(), po = g.i();
  const code: Expr[] = [g.set(ps, s), g.set(pv, v), g.set(po, o),
    g.set(pe, m.i32.add(g.gi(pv), m.i32.mul(g.gi(J), g.c(geo.vj))))];
  const body: Expr[] = [];
  if (lanes === 0) {
    const acc = Array.from({ length: ri * nv }, () => g.v());
    const b = Array.from({ length: nv }, () => g.v());
    const sp = g.v();
    acc.forEach((a, k) => {
      const i = Math.floor(k / nv), q = k % nv;
      code.push(g.set(a, accumulate ? g.loadV(g.gi(po), i * geo.oi + 16 * q) : g.zeroV()));
    });
    b.forEach((bl, q) => body.push(g.set(bl, g.loadV(g.gi(pv), 16 * q))));
    for (let i = 0; i < ri; i++) {
      body.push(g.set(sp, g.splatF(g.gi(ps), i * geo.si)));
      for (let q = 0; q < nv; q++) body.push(g.fma(acc[i * nv + q]!, g.gv(sp), g.gv(b[q]!)));
    }
    code.push(g.ptrLoop(pv, pe, geo.vj, [[ps, geo.sj]], body, guard));
    acc.forEach((a, k) => {
      const i = Math.floor(k / nv), q = k % nv;
      code.push(g.storeV(g.gi(po), i * geo.oi + 16 * q, g.gv(a)));
    });
  } else {
    const acc = Array.from({ length: ri * lanes }, () => g.f());
    const b = Array.from({ length: lanes }, () => g.f());
    const sp = g.f();
    acc.forEach((a, k) => {
      const i = Math.floor(k / lanes), q = k % lanes;
      code.push(g.set(a, accumulate ? g.loadF(g.gi(po), i * geo.oi + 4 * q) : m.f32.const(0)));
    });
    b.forEach((bl, q) => body.push(g.set(bl, g.loadF(g.gi(pv), 4 * q))));
    for (let i = 0; i < ri; i++) {
      body.push(g.set(sp, g.loadF(g.gi(ps), i * geo.si)));
      for (let q = 0; q < lanes; q++) body.push(g.fmaF(acc[i * lanes + q]!, g.gf(sp), g.gf(b[q]!)));
    }
    code.push(g.ptrLoop(pv, pe, geo.vj, [[ps, geo.sj]], body, guard));
    acc.forEach((a, k) => {
      const i = Math.floor(k / lanes), q = k % lanes;
      code.push(g.storeF(g.gi(po), i * geo.oi + 4 * q, g.gf(a)));
    });
  }
  return code;
}

interface SplatProblem extends SplatGeom {
  /** output rows: a run-time or constant count */
  I: Expr;
  /** I when it is a compile-time constant */
  Iconst: number | null;
  /** reduction length: run-time or constant */
  J: Expr;
  /** J when it is a compile-time constant */
  Jconst: number | null;
  /** output columns */
  C: number;
  /** locals holding the base addresses of S, V, Out */
  s: number; v: number; o: number;
  /** a local holding the address of scratch for V's packed panels, if any */
  pack?: number;
  /**
   * V's byte stride between columns c when it is not 4: V is then read only through its packed
   * panels (gathered), for every row and column (the columns must be whole tiles of 4·splatVecs).
   */
  vc?: number;
}

/** Out[i, c] = Σ_j S[i, j] V[j, c] over the whole problem (see the file header). */
function splatGemm(g: Gen, p: SplatProblem, tu: GemmTuning): Expr[] {
  const m = g.m;
  const ri = tu.splatRows, nv = tu.splatVecs;
  const nI = g.i(), nIT = g.i(), i0 = g.i(), nJ = g.i();
  const code: Expr[] = [
    g.set(nI, p.I),
    // the reduction length is read by both passes: a local, never the same expression twice
    g.set(nJ, p.J),
    g.set(nIT, ri === 1 ? g.gi(nI) : m.i32.div_u(g.gi(nI), g.c(ri))),
    g.set(i0, ri === 1 ? g.gi(nI) : m.i32.mul(g.gi(nIT), g.c(ri))),
  ];
  /** c0: a constant column, or { bytes: local } holding the column's byte offset. */
  type Col = number | { bytes: number };
  const tile = (rows: number, vecs: number, ln: number, sRow: Expr, oRow: Expr, c0: Col, vB: number, len: number, acc: boolean, guard: boolean) => {
    const cb = (base: Expr) => (typeof c0 === "number" ? g.addc(base, 4 * c0) : m.i32.add(base, g.gi(c0.bytes)));
    return splatTile(g, p, rows, vecs, ln, sRow, cb(g.gi(vB)), cb(oRow), len, acc, guard);
  };

  const cw = 4 * nv;
  const nCT = Math.floor(p.C / cw);

  // rows [0, i0) × the nCT full column tiles, V read in place; the V panel of a column block is about panelBytes
  const inPlaceTiles: Pass = (len, sB, vB, acc, guard, jLen) => {
    const tpb = Math.max(1, Math.min(nCT, Math.floor(tu.panelBytes / Math.max(1, jLen * cw * 4))));
    const nBlk = Math.ceil(nCT / tpb);
    const tEnd = g.i(), tmp = g.i();
    return [g.loop(g.c(nBlk), (blk) => [
      g.set(tEnd, min(g, g.c(tpb), tmp, m.i32.sub(g.c(nCT), m.i32.mul(g.gi(blk), g.c(tpb))))),
      g.loop(g.gi(nIT), (it) => {
        const sRow = g.i(), oRow = g.i();
        return [
          g.set(sRow, g.addMul(g.gi(sB), g.gi(it), ri * p.si)),
          g.set(oRow, g.addMul(g.gi(p.o), g.gi(it), ri * p.oi)),
          g.loop(g.gi(tEnd), (ct) => {
            const cByte = g.i();
            return [
              g.set(cByte, m.i32.mul(m.i32.add(m.i32.mul(g.gi(blk), g.c(tpb)), g.gi(ct)), g.c(cw * 4))),
              ...tile(ri, nv, 0, g.gi(sRow), g.gi(oRow), { bytes: cByte }, vB, len, acc, guard),
            ];
          }),
        ];
      }),
    ])];
  };

  // the same with V's full column tiles first packed into panels [ct][j][cw] (`p.pack`, jLen·cw
  // floats apart): each tile then reads V sequentially instead of one new cache line per j
  const packedTiles: Pass = (len, sB, vB, acc, guard, jLen) => {
    const pk = p.pack!, panel = jLen * cw * 4;
    const geoP: SplatGeom = { si: p.si, sj: p.sj, vj: cw * 4, oi: p.oi };
    const pack = p.vc === undefined
      // rows of V: cw contiguous floats per (j, panel)
      ? g.loop(g.gi(len), (j) => {
        const sv = g.i(), d = g.i(), s2 = g.i(), d2 = g.i();
        return [
          g.set(sv, g.addMul(g.gi(vB), g.gi(j), p.vj)),
          g.set(d, g.addMul(g.gi(pk), g.gi(j), cw * 4)),
          g.loop(g.c(nCT), (ct) => [
            g.set(s2, g.addMul(g.gi(sv), g.gi(ct), cw * 4)),
            g.set(d2, g.addMul(g.gi(d), g.gi(ct), panel)),
            ...copyFloats(g, d2, 0, s2, 0, cw),
          ]),
        ];
      })
      // V's columns are strided (Aᵀ of a plain matmul): gather, reading each column (A's row) in order
      : g.loop(g.c(nCT * cw), (c) => {
        const sc = g.i(), dc = g.i();
        return [
          g.set(sc, g.addMul(g.gi(vB), g.gi(c), p.vc!)),
          g.set(dc, m.i32.add(g.addMul(g.gi(pk), m.i32.div_u(g.gi(c), g.c(cw)), panel), m.i32.shl(m.i32.rem_u(g.gi(c), g.c(cw)), g.c(2)))),
          g.loop(g.gi(len), (j) => [
            g.storeF(g.addMul(g.gi(dc), g.gi(j), cw * 4), 0, g.loadF(g.addMul(g.gi(sc), g.gi(j), p.vj), 0)),
          ]),
        ];
      });
    const code: Expr[] = [
      pack,
      g.loop(g.gi(nIT), (it) => {
        const sRow = g.i(), oRow = g.i();
        return [
          g.set(sRow, g.addMul(g.gi(sB), g.gi(it), ri * p.si)),
          g.set(oRow, g.addMul(g.gi(p.o), g.gi(it), ri * p.oi)),
          g.loop(g.c(nCT), (ct) => splatTile(g, geoP, ri, nv, 0, g.gi(sRow), g.addMul(g.gi(pk), g.gi(ct), panel),
            g.addMul(g.gi(oRow), g.gi(ct), cw * 4), len, acc, guard)),
        ];
      }),
    ];
    if (p.vc !== undefined) {
      // V is not readable in place: the rows after the row tiles also run on the panels
      code.push(g.loop(m.i32.sub(g.gi(nI), g.gi(i0)), (ii) => {
        const sRow = g.i(), oRow = g.i();
        return [
          g.set(sRow, g.addMul(g.gi(sB), m.i32.add(g.gi(i0), g.gi(ii)), p.si)),
          g.set(oRow, g.addMul(g.gi(p.o), m.i32.add(g.gi(i0), g.gi(ii)), p.oi)),
          g.loop(g.c(nCT), (ct) => splatTile(g, geoP, 1, nv, 0, g.gi(sRow), g.addMul(g.gi(pk), g.gi(ct), panel),
            g.addMul(g.gi(oRow), g.gi(ct), cw * 4), len, acc, guard)),
        ];
      }));
    }
    return code;
  };

  // rows [0, i0) in tiles of ri rows
  const mainPass: Pass = (len, sB, vB, acc, guard, jLen) => {
    const out: Expr[] = [];
    const rem = p.C - nCT * cw, nvR = Math.floor(rem / 4), lanes = rem % 4;
    if (p.vc !== undefined) {
      if (rem > 0 || p.pack === undefined) throw new Error("internal: a strided V needs whole column tiles and scratch");
      return packedTiles(len, sB, vB, acc, guard, jLen);
    }
    if (nCT > 0 && p.pack !== undefined) {
      // packing costs one pass over V: worth it when enough row tiles read the panels
      out.push(m.if(m.i32.ge_u(g.gi(nIT), g.c(Math.max(1, tu.packMinRowTiles))),
        m.block(null, packedTiles(len, sB, vB, acc, guard, jLen)), m.block(null, inPlaceTiles(len, sB, vB, acc, guard, jLen))));
    } else if (nCT > 0) out.push(...inPlaceTiles(len, sB, vB, acc, guard, jLen));
    if (rem > 0) {
      out.push(g.loop(g.gi(nIT), (it) => {
        const sRow = g.i(), oRow = g.i();
        const c: Expr[] = [
          g.set(sRow, g.addMul(g.gi(sB), g.gi(it), ri * p.si)),
          g.set(oRow, g.addMul(g.gi(p.o), g.gi(it), ri * p.oi)),
        ];
        if (nvR > 0) c.push(...tile(ri, nvR, 0, g.gi(sRow), g.gi(oRow), nCT * cw, vB, len, acc, guard));
        if (lanes > 0) c.push(...tile(ri, 0, lanes, g.gi(sRow), g.gi(oRow), nCT * cw + 4 * nvR, vB, len, acc, guard));
        return c;
      }));
    }
    return out;
  };

  // rows [i0, I) one at a time, with the wide one-row tile (all of a GEMV)
  const tailPass: Pass = (len, sB, vB, acc, guard) => {
    const nv1 = tu.splatVecs1, cw1 = 4 * nv1;
    const nCT1 = Math.floor(p.C / cw1), rem1 = p.C - nCT1 * cw1, nvR1 = Math.floor(rem1 / 4);
    return [g.loop(m.i32.sub(g.gi(nI), g.gi(i0)), (ii) => {
      const sRow = g.i(), oRow = g.i();
      const c: Expr[] = [
        g.set(sRow, g.addMul(g.gi(sB), m.i32.add(g.gi(i0), g.gi(ii)), p.si)),
        g.set(oRow, g.addMul(g.gi(p.o), m.i32.add(g.gi(i0), g.gi(ii)), p.oi)),
      ];
      if (nCT1 > 0) {
        c.push(g.loop(g.c(nCT1), (ct) => {
          const cByte = g.i();
          return [g.set(cByte, m.i32.mul(g.gi(ct), g.c(cw1 * 4))), ...tile(1, nv1, 0, g.gi(sRow), g.gi(oRow), { bytes: cByte }, vB, len, acc, guard)];
        }));
      }
      if (nvR1 > 0) c.push(...tile(1, nvR1, 0, g.gi(sRow), g.gi(oRow), nCT1 * cw1, vB, len, acc, guard));
      if (rem1 % 4 > 0) c.push(...tile(1, 0, rem1 % 4, g.gi(sRow), g.gi(oRow), nCT1 * cw1 + 4 * nvR1, vB, len, acc, guard));
      return c;
    })];
  };

  const constI = p.Iconst;
  if (p.vc !== undefined) return [...code, ...reduceBlocks(g, p, nJ, tu.jBlock, mainPass, g.c(0), g.gi(nI))];
  if (constI === null || constI >= ri) code.push(...reduceBlocks(g, p, nJ, tu.jBlock, mainPass, g.c(0), g.gi(i0)));
  if (constI === null || constI % ri !== 0) code.push(...reduceBlocks(g, p, nJ, tu.jBlock1, tailPass, g.gi(i0), g.gi(nI)));
  return code;
}

/**
 * One pass of a reduction block [j0, j0 + len): `len`, `sB`, `vB` are locals (the length, and S,
 * V at j0); with `acc` the tiles add into Out; `guard` when len may be 0; `jLen` the block size.
 */
type Pass = (len: number, sB: number, vB: number, acc: boolean, guard: boolean, jLen: number) => Expr[];

/**
 * Runs `pass` over the whole reduction (its length in local `jLocal`), in blocks of `jb` when it
 * may be longer: then the output rows [from, to) are zeroed first and every block adds into them.
 */
function reduceBlocks(g: Gen, p: SplatProblem, jLocal: number, jb: number, pass: Pass, from: Expr, to: Expr): Expr[] {
  const m = g.m;
  const blocked = jb > 0 && (p.Jconst === null || p.Jconst > jb);
  if (!blocked) {
    const len = g.i();
    // the reduction may be empty (then Out = 0) unless it is a positive constant
    return [g.set(len, g.gi(jLocal)), ...pass(len, p.s, p.v, false, p.Jconst === null || p.Jconst === 0, p.Jconst ?? 1)];
  }
  const nJ = g.i(), j0 = g.i(), len = g.i(), sB = g.i(), vB = g.i(), tmp = g.i(), r0 = g.i();
  const top = g.fn.label("gemm_jb"), brk = g.fn.label("gemm_jbdone");
  return [
    g.set(nJ, g.gi(jLocal)),
    g.set(r0, from),
    m.memory.fill(g.addMul(g.gi(p.o), g.gi(r0), p.oi), g.c(0), m.i32.mul(m.i32.sub(to, g.gi(r0)), g.c(p.oi))),
    g.set(j0, g.c(0)),
    m.block(brk, [
      m.br(brk, m.i32.ge_s(g.gi(j0), g.gi(nJ))),
      m.loop(top, m.block(null, [
        g.set(len, min(g, g.c(jb), tmp, m.i32.sub(g.gi(nJ), g.gi(j0)))),
        g.set(sB, g.addMul(g.gi(p.s), g.gi(j0), p.sj)),
        g.set(vB, g.addMul(g.gi(p.v), g.gi(j0), p.vj)),
        ...pass(len, sB, vB, true, false, jb),
        g.set(j0, g.addc(g.gi(j0), jb)),
        m.br(top, m.i32.lt_s(g.gi(j0), g.gi(nJ))),
      ])),
    ]),
  ];
}

// ---- dot form ----------------------------------------------------------------------------------

/**
 * One register tile of Y[r, m] = Σ_k A[m, k] X[r, k]: rows r0..r0+ri × outputs m0..m0+mj.
 * `x`, `a`, `y` are the addresses of X[r0, 0], A[m0, 0], Y[r0, m0].
 */
function dotTile(g: Gen, K: number, M: number, ri: number, mj: number, x: Expr, a: Expr, y: Expr): Expr[] {
  const m = g.m;
  const K4 = Math.floor(K / 4), kt = K % 4;
  const px = g.i(), pa = g.i(), py = g.i();
  const code: Expr[] = [g.set(px, x), g.set(pa, a), g.set(py, y)];
  const acc = Array.from({ length: ri * mj }, () => g.v());
  if (K4 > 0) {
    const pe = g.i();
    code.push(g.set(pe, g.addc(g.gi(px), 16 * K4)));
    for (const l of acc) code.push(g.set(l, g.zeroV()));
    // hold the smaller operand set in registers for the step, stream the other one
    const holdX = ri <= mj;
    const nh = holdX ? ri : mj, ns = holdX ? mj : ri;
    const held = Array.from({ length: nh }, () => g.v());
    const cur = g.v();
    const body: Expr[] = [];
    const ld = (isX: boolean, idx: number) => g.loadV(g.gi(isX ? px : pa), idx * K * 4);
    held.forEach((h, k) => body.push(g.set(h, ld(holdX, k))));
    for (let s = 0; s < ns; s++) {
      body.push(g.set(cur, ld(!holdX, s)));
      for (let h = 0; h < nh; h++) {
        const [i, q] = holdX ? [h, s] : [s, h];
        body.push(g.fma(acc[i * mj + q]!, g.gv(held[h]!), g.gv(cur)));
      }
    }
    code.push(g.ptrLoop(px, pe, 16, [[pa, 16]], body, false));
  }
  // px, pa now point at k = 4·K4: reduce, add the scalar tail, store
  for (let i = 0; i < ri; i++) {
    for (let q = 0; q < mj; q++) {
      const s = g.f();
      if (K4 > 0) {
        const h = g.hsum(acc[i * mj + q]!);
        code.push(h[0]!, h[1]!, g.set(s, h[2]!));
      } else code.push(g.set(s, m.f32.const(0)));
      for (let t = 0; t < kt; t++) code.push(g.fmaF(s, g.loadF(g.gi(px), i * K * 4 + 4 * t), g.loadF(g.gi(pa), q * K * 4 + 4 * t)));
      code.push(g.storeF(g.gi(py), i * M * 4 + 4 * q, g.gf(s)));
    }
  }
  return code;
}

/** Y[r, m] = Σ_k A[m, k] X[r, k] for r < rows (locals x, a, y hold the bases). */
function dotGemm(g: Gen, rows: Expr, M: number, K: number, x: number, a: number, y: number, tu: GemmTuning): Expr[] {
  const m = g.m;
  const ri = tu.dotRows, mj = tu.dotCols;
  const nR = g.i(), nRT = g.i();
  const code: Expr[] = [g.set(nR, rows), g.set(nRT, ri === 1 ? g.gi(nR) : m.i32.div_u(g.gi(nR), g.c(ri)))];
  const nMT = Math.floor(M / mj), remM = M - nMT * mj;
  const rowAddr = (rt: number, per: number, base: number) => g.addMul(g.gi(base), g.gi(rt), per);
  if (nMT > 0) {
    // blocks of `tpb` output tiles whose rows of A (mj·tpb·K floats) are about panelBytes
    const tpb = Math.max(1, Math.min(nMT, Math.floor(tu.panelBytes / Math.max(1, mj * K * 4))));
    const nBlk = Math.ceil(nMT / tpb);
    const tEnd = g.i(), tmp = g.i();
    code.push(g.loop(g.c(nBlk), (blk) => [
      g.set(tEnd, min(g, g.c(tpb), tmp, m.i32.sub(g.c(nMT), m.i32.mul(g.gi(blk), g.c(tpb))))),
      g.loop(g.gi(nRT), (rt) => {
        const xr = g.i(), yr = g.i();
        return [
          g.set(xr, rowAddr(rt, ri * K * 4, x)),
          g.set(yr, rowAddr(rt, ri * M * 4, y)),
          g.loop(g.gi(tEnd), (mt) => {
            const m0 = g.i();
            return [
              g.set(m0, m.i32.mul(m.i32.add(m.i32.mul(g.gi(blk), g.c(tpb)), g.gi(mt)), g.c(mj))),
              ...dotTile(g, K, M, ri, mj, g.gi(xr), g.addMul(g.gi(a), g.gi(m0), K * 4), g.addMul(g.gi(yr), g.gi(m0), 4)),
            ];
          }),
        ];
      }),
    ]));
  }
  if (remM > 0) {
    code.push(g.loop(g.gi(nRT), (rt) => dotTile(g, K, M, ri, remM, rowAddr(rt, ri * K * 4, x),
      g.addc(g.gi(a), nMT * mj * K * 4), g.addc(rowAddr(rt, ri * M * 4, y), nMT * mj * 4))));
  }
  // remaining rows one at a time, with the wide one-row tile
  const mj1 = g.isa.relaxedSimd ? tu.dotCols1Madd : tu.dotCols1, nMT1 = Math.floor(M / mj1), remM1 = M - nMT1 * mj1;
  const r0 = g.i();
  code.push(g.set(r0, ri === 1 ? g.gi(nR) : m.i32.mul(g.gi(nRT), g.c(ri))));
  code.push(g.loop(m.i32.sub(g.gi(nR), g.gi(r0)), (rr) => {
    const xr = g.i(), yr = g.i();
    const c: Expr[] = [
      g.set(xr, g.addMul(g.gi(x), m.i32.add(g.gi(r0), g.gi(rr)), K * 4)),
      g.set(yr, g.addMul(g.gi(y), m.i32.add(g.gi(r0), g.gi(rr)), M * 4)),
    ];
    if (nMT1 > 0) {
      c.push(g.loop(g.c(nMT1), (mt) => dotTile(g, K, M, 1, mj1, g.gi(xr),
        g.addMul(g.gi(a), g.gi(mt), mj1 * K * 4), g.addMul(g.gi(yr), g.gi(mt), mj1 * 4))));
    }
    if (remM1 > 0) c.push(...dotTile(g, K, M, 1, remM1, g.gi(xr), g.addc(g.gi(a), nMT1 * mj1 * K * 4), g.addc(g.gi(yr), nMT1 * mj1 * 4)));
    return c;
  }));
  return code;
}

// ---- the kernels -------------------------------------------------------------------------------

function baseLocal(g: Gen, code: Expr[], addr: Expr): number {
  const l = g.i();
  code.push(g.set(l, addr));
  return l;
}

/**
 * Floats of scratch a matmul needs (0: none): with transpose_a, A [K, M]'s panels for one
 * reduction block (see splatGemm's packedTiles).
 */
export function matmulScratchFloats(aShape: readonly [number, number], transposeA: boolean, seq: boolean, tu: GemmTuning = gemmTuning): number {
  const cw = 4 * tu.splatVecs;
  const [K, M] = transposeA ? aShape : [aShape[1], aShape[0]];
  if (transposeA ? !tu.packT : !packsAt(M, K, seq, tu)) return 0;
  const jLen = tu.jBlock > 0 && K > tu.jBlock ? tu.jBlock : K;
  return Math.floor(M / cw) * cw * jLen;
}

/**
 * Whether a plain matmul A [M, K] has the splat form on gathered Aᵀ (for enough rows): only over
 * whole sequences (`seq`: x has a T axis, rows = T·B), not for a recurrent step's rows = B, which
 * rarely reach the row threshold; and only at K ≤ 256 — the dot form's horizontal sums weigh most
 * at short K, and each form emitted costs code size and compile time.
 */
function packsAt(M: number, K: number, seq: boolean, tu: GemmTuning): boolean {
  const cw = 4 * tu.splatVecs;
  return tu.packNMinRowTiles > 0 && seq && M % cw === 0 && K <= 256;
}

/**
 * matmul(A, x): y[r, m] = Σ_k A[m, k] x[r, k] (A [M, K]); with `transposeA`, A [K, M] is used as
 * Aᵀ: y[r, c] = Σ_j A[j, c] x[r, j]. `rows` is the product of x's leading dims. `scratch`:
 * matmulScratchFloats floats, 16-byte aligned, when that is not 0.
 */
export function emitMatmul(fn: Fn, o: { a: string; x: string; out: string; aShape: [number, number]; transposeA: boolean; rows: Expr; seq: boolean; scratch?: Expr },
  tu: GemmTuning = gemmTuning, isa: GemmIsa = {}): Expr[] {
  const g = new Gen(fn, isa), m = g.m;
  const code: Expr[] = [];
  const a = baseLocal(g, code, fn.addr(o.a)), x = baseLocal(g, code, fn.addr(o.x)), y = baseLocal(g, code, fn.addr(o.out));
  const [R, C] = o.aShape;
  if (!o.transposeA) {
    if (!packsAt(R, C, o.seq, tu)) return [...code, ...dotGemm(g, o.rows, R, C, x, a, y, tu)];
    // many rows: Y[r, m] = Σ_k X[r, k] Aᵀ[k, m] in the splat form, Aᵀ gathered into panels per
    // reduction block (the dot form's horizontal sums cost most at short K); few rows: dot form
    if (!o.scratch) throw new Error("internal: packed matmul without scratch");
    const pack = baseLocal(g, code, o.scratch), nR = baseLocal(g, code, o.rows);
    const M = R, K = C;
    // (measured at K = 256: the dot form is faster up to ~256 rows, the splat form from ~512)
    const minRows = tu.packNMinRowTiles * tu.splatRows * (K <= 128 ? 1 : 8);
    return [...code, m.if(m.i32.ge_u(g.gi(nR), g.c(minRows)),
      m.block(null, splatGemm(g, { I: g.gi(nR), Iconst: null, J: g.c(K), Jconst: K, C: M, s: x, v: a, o: y, si: K * 4, sj: 4, vj: 4, vc: K * 4, oi: M * 4, pack }, tu)),
      m.block(null, dotGemm(g, g.gi(nR), M, K, x, a, y, tu)))];
  }
  // Y[r, c] = Σ_j X[r, j] A[j, c]: S = X (i = r, j = k), V = A, Out = Y
  const K = R, M = C;
  const pack = matmulScratchFloats(o.aShape, true, o.seq, tu) > 0 ? baseLocal(g, code, o.scratch ?? (() => { throw new Error("internal: packed matmul without scratch"); })()) : undefined;
  return [...code, ...splatGemm(g, { I: o.rows, Iconst: null, J: g.c(K), Jconst: K, C: M, s: x, v: a, o: y, si: K * 4, sj: 4, vj: M * 4, oi: M * 4, ...(pack !== undefined ? { pack } : {}) }, tu)];
}

/**
 * outer(u, v): out[m, k] = Σ_r u[r, m] v[r, k] (u [rows, M], v [rows, K]); rows may be 0. With
 * `tu.outerPacked` both operands are packed into `scratch` (outerScratchFloats floats, 16-byte
 * aligned); `rowsConst` is rows when it is a compile-time constant.
 */
export function emitOuter(fn: Fn, o: { u: string; v: string; out: string; M: number; K: number; rows: Expr; rowsConst: number | null; scratch?: Expr },
  tu: GemmTuning = gemmTuning, isa: GemmIsa = {}): Expr[] {
  const g = new Gen(fn, isa);
  const code: Expr[] = [];
  const u = baseLocal(g, code, fn.addr(o.u)), v = baseLocal(g, code, fn.addr(o.v)), out = baseLocal(g, code, fn.addr(o.out));
  if (tu.outerPacked) {
    if (!o.scratch) throw new Error("internal: packed outer without scratch");
    return [...code, ...packedOuter(g, { u, v, out, scratch: o.scratch, M: o.M, K: o.K, rows: o.rows, rowsConst: o.rowsConst }, tu)];
  }
  // S = Uᵀ: S[i = m, j = r] at u + 4m + r·4M; V = v [rows, K]; Out [M, K]
  return [...code, ...splatGemm(g, { I: g.c(o.M), Iconst: o.M, J: o.rows, Jconst: null, C: o.K, s: u, v, o: out, si: 4, sj: o.M * 4, vj: o.K * 4, oi: o.K * 4 }, tu)];
}

// ---- packed outer product ----------------------------------------------------------------------

/** Scratch layout of the packed outer product (sizes in floats). */
interface OuterPacking {
  /** reduction rows per block */
  kc: number;
  /** columns (k) per register tile and per packed v panel */
  KW: number;
  /** k panels (the last one may be partial) */
  nKT: number;
  /** m-tiles per packed u block */
  mb: number;
  /** floats of the packed v block (kc rows × every panel) and of the packed u block */
  vpFloats: number;
  upFloats: number;
}

function outerPacking(M: number, K: number, rowsConst: number | null, tu: GemmTuning): OuterPacking {
  const kc = Math.max(1, rowsConst === null ? tu.outerKc : Math.min(tu.outerKc, rowsConst));
  const KW = 4 * tu.outerVecs, nKT = Math.ceil(K / KW);
  const mb = Math.max(1, Math.min(tu.outerMb, Math.ceil(M / tu.outerRows)));
  return { kc, KW, nKT, mb, vpFloats: kc * nKT * KW, upFloats: mb * kc * tu.outerRows };
}

/**
 * Floats of scratch memory `outer` needs while it runs (0: none). `rowsConst` is the reduction
 * length when it is a compile-time constant. The planner (./memory.ts) gives every `outer` node
 * this much, under the id the kernel reads (./kernels.ts).
 */
export function outerScratchFloats(M: number, K: number, rowsConst: number | null, tu: GemmTuning = gemmTuning): number {
  if (!tu.outerPacked) return 0;
  const p = outerPacking(M, K, rowsConst, tu);
  return p.vpFloats + p.upFloats;
}

/** Copies n floats from s + sOff to d + dOff (byte offsets; locals s, d), in 16-, 8- and 4-byte moves. */
function copyFloats(g: Gen, d: number, dOff: number, s: number, sOff: number, n: number): Expr[] {
  const m = g.m, code: Expr[] = [];
  let k = 0;
  for (; k + 4 <= n; k += 4) code.push(g.storeV(g.gi(d), dOff + 4 * k, g.loadV(g.gi(s), sOff + 4 * k)));
  if (k + 2 <= n) { code.push(m.i64.store(dOff + 4 * k, 4, g.gi(d), m.i64.load(sOff + 4 * k, 4, g.gi(s)))); k += 2; }
  if (k < n) code.push(m.i32.store(dOff + 4 * k, 4, g.gi(d), m.i32.load(sOff + 4 * k, 4, g.gi(s))));
  return code;
}

/** Zeroes n floats at d + dOff (n < 4 here: the padding of a partial vector). */
function zeroFloats(g: Gen, d: number, dOff: number, n: number): Expr[] {
  const m = g.m, code: Expr[] = [];
  for (let k = 0; k < n; k++) code.push(m.i32.store(dOff + 4 * k, 4, g.gi(d), m.i32.const(0)));
  return code;
}

/**
 * outer(u, v): Out[m, k] = Σ_r u[r, m] v[r, k] with both operands packed (the splat form of the
 * file header on contiguous panels). Per block of kc reduction rows: v's rows are repacked as
 * panels of KW columns ([panel][row][KW], the last panel zero-padded to a whole vector), then for
 * each group of mb m-tiles u's slivers are packed ([tile][row][ri]) and every (panel, tile) pair
 * runs the register tile over the block, adding into Out. A tile's inner loop reads two sequential
 * streams (ri floats of u and KW of v per row) instead of u down its columns (a new cache line, and
 * with M·4 a multiple of 4 KiB the same L1 set, every row). Partial tiles (M mod ri rows, K mod KW
 * columns) compute only their rows / vectors and store only their elements.
 */
function packedOuter(g: Gen, o: { u: number; v: number; out: number; scratch: Expr; M: number; K: number; rows: Expr; rowsConst: number | null }, tu: GemmTuning): Expr[] {
  const m = g.m;
  const { M, K } = o;
  const ri = tu.outerRows;
  const { kc, KW, mb, vpFloats } = outerPacking(M, K, o.rowsConst, tu);
  const fullKT = Math.floor(K / KW), remK = K - fullKT * KW;
  const fullMT = Math.floor(M / ri), remM = M - fullMT * ri;
  const fullMB = Math.floor(fullMT / mb), tailMT = fullMT - fullMB * mb;
  const vp = g.i(), up = g.i(), nR = g.i(), j0 = g.i(), len = g.i(), tmp = g.i();
  const panel = kc * KW * 4; // bytes of one packed v panel
  const sliver = kc * ri * 4; // bytes of one packed u sliver

  /** The register tile: rows × ceil(cols/4) vectors over the block, added into Out at po. */
  const micro = (ps0: Expr, pv0: Expr, po0: Expr, rows: number, cols: number): Expr[] => {
    const nv = Math.ceil(cols / 4);
    const ps = g.i(), pv = g.i(), pe = g.i(), po = g.i();
    const code: Expr[] = [g.set(ps, ps0), g.set(pv, pv0), g.set(po, po0), g.set(pe, g.addMul(g.gi(pv), g.gi(len), KW * 4))];
    const acc = Array.from({ length: rows * nv }, () => g.v());
    const b = Array.from({ length: nv }, () => g.v());
    const sp = g.v();
    for (const a of acc) code.push(g.set(a, g.zeroV()));
    const body: Expr[] = b.map((bl, q) => g.set(bl, g.loadV(g.gi(pv), 16 * q)));
    for (let i = 0; i < rows; i++) {
      body.push(g.set(sp, g.splatF(g.gi(ps), 4 * i)));
      for (let q = 0; q < nv; q++) body.push(g.fma(acc[i * nv + q]!, g.gv(sp), g.gv(b[q]!)));
    }
    code.push(g.ptrLoop(pv, pe, KW * 4, [[ps, ri * 4]], body, false));
    for (let i = 0; i < rows; i++) {
      for (let q = 0; q < nv; q++) {
        const a = acc[i * nv + q]!, off = i * K * 4 + 16 * q;
        if (4 * q + 4 <= cols) code.push(g.storeV(g.gi(po), off, m.f32x4.add(g.loadV(g.gi(po), off), g.gv(a))));
        else {
          for (let l = 0; 4 * q + l < cols; l++) {
            code.push(g.storeF(g.gi(po), off + 4 * l, m.f32.add(g.loadF(g.gi(po), off + 4 * l), m.f32x4.extract_lane(g.gv(a), l))));
          }
        }
      }
    }
    return code;
  };

  // v [j0, j0 + len) → panels: Vp[kt][j][0..KW)
  const packV = (): Expr => g.loop(g.gi(len), (j) => {
    const s = g.i(), d = g.i(), s2 = g.i(), d2 = g.i();
    const code: Expr[] = [
      g.set(s, g.addMul(g.gi(o.v), m.i32.add(g.gi(j0), g.gi(j)), K * 4)),
      g.set(d, g.addMul(g.gi(vp), g.gi(j), KW * 4)),
    ];
    if (fullKT > 0) {
      code.push(g.loop(g.c(fullKT), (kt) => [
        g.set(s2, g.addMul(g.gi(s), g.gi(kt), KW * 4)),
        g.set(d2, g.addMul(g.gi(d), g.gi(kt), panel)),
        ...copyFloats(g, d2, 0, s2, 0, KW),
      ]));
    }
    if (remK > 0) {
      const pad = (4 - (remK % 4)) % 4;
      code.push(...copyFloats(g, d, fullKT * panel, s, fullKT * KW * 4, remK));
      if (pad) code.push(...zeroFloats(g, d, fullKT * panel + 4 * remK, pad));
    }
    return code;
  });

  /**
   * A group of nt whole m-tiles and, when pr > 0, one tile of pr rows after them, starting at row
   * m0 (byte offset mByte: a local): pack u's slivers, then every panel × tile.
   */
  const mBlock = (nt: number, pr: number, mByte: number): Expr[] => {
    const code: Expr[] = [];
    // u [j0, j0 + len) × [m0, m0 + nt·ri + pr) → Up[t][j][0..ri)
    code.push(g.loop(g.gi(len), (j) => {
      const s = g.i(), d = g.i();
      const c: Expr[] = [
        g.set(s, m.i32.add(g.addMul(g.gi(o.u), m.i32.add(g.gi(j0), g.gi(j)), M * 4), g.gi(mByte))),
        g.set(d, g.addMul(g.gi(up), g.gi(j), ri * 4)),
      ];
      for (let t = 0; t < nt; t++) c.push(...copyFloats(g, d, t * sliver, s, t * ri * 4, ri));
      if (pr > 0) c.push(...copyFloats(g, d, nt * sliver, s, nt * ri * 4, pr));
      return c;
    }));
    const outAt = (kByte: Expr, t: Expr | null, tConst: number): Expr => {
      const base = m.i32.add(m.i32.add(g.gi(o.out), m.i32.mul(g.gi(mByte), g.c(K))), kByte);
      return t === null ? g.addc(base, tConst * ri * K * 4) : g.addMul(base, t, ri * K * 4);
    };
    const panelPass = (pvAt: () => Expr, kByte: () => Expr, cols: number): Expr[] => {
      const c: Expr[] = [];
      if (nt > 0) {
        c.push(g.loop(g.c(nt), (t) => micro(g.addMul(g.gi(up), g.gi(t), sliver), pvAt(), outAt(kByte(), g.gi(t), 0), ri, cols)));
      }
      if (pr > 0) c.push(...micro(g.addc(g.gi(up), nt * sliver), pvAt(), outAt(kByte(), null, nt), pr, cols));
      return c;
    };
    if (fullKT > 0) {
      code.push(g.loop(g.c(fullKT), (kt) => {
        const pvK = g.i(), kB = g.i();
        return [
          g.set(pvK, g.addMul(g.gi(vp), g.gi(kt), panel)),
          g.set(kB, m.i32.mul(g.gi(kt), g.c(KW * 4))),
          ...panelPass(() => g.gi(pvK), () => g.gi(kB), KW),
        ];
      }));
    }
    if (remK > 0) code.push(...panelPass(() => g.addc(g.gi(vp), fullKT * panel), () => g.c(fullKT * KW * 4), remK));
    return code;
  };

  const top = g.fn.label("outer_jb"), brk = g.fn.label("outer_jbdone");
  const blockBody: Expr[] = [
    g.set(len, min(g, g.c(kc), tmp, m.i32.sub(g.gi(nR), g.gi(j0)))),
    packV(),
  ];
  if (fullMB > 0) {
    blockBody.push(g.loop(g.c(fullMB), (b) => {
      const mByte = g.i();
      return [g.set(mByte, m.i32.mul(g.gi(b), g.c(mb * ri * 4))), ...mBlock(mb, 0, mByte)];
    }));
  }
  if (tailMT > 0 || remM > 0) {
    const mByte = g.i();
    blockBody.push(g.set(mByte, g.c(fullMB * mb * ri * 4)), ...mBlock(tailMT, remM, mByte));
  }
  return [
    g.set(vp, o.scratch),
    g.set(up, g.addc(g.gi(vp), vpFloats * 4)),
    g.set(nR, o.rows),
    m.memory.fill(g.gi(o.out), g.c(0), g.c(M * K * 4)),
    g.set(j0, g.c(0)),
    m.block(brk, [
      m.br(brk, m.i32.ge_s(g.gi(j0), g.gi(nR))),
      m.loop(top, m.block(null, [
        ...blockBody,
        g.set(j0, g.addc(g.gi(j0), kc)),
        m.br(top, m.i32.lt_s(g.gi(j0), g.gi(nR))),
      ])),
    ]),
  ];
}
