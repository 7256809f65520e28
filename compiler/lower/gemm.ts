/**
 * SIMD128 kernels for the hot spots of RNN training: `matmul` (both orientations) and `outer`.
 *
 * Each is an f32 GEMM over compile-time M, K and a run-time row count (a product of B and T), on
 * unpadded row-major tensors with 16-byte aligned bases. No scratch memory is used: the operands
 * are read in place, in one of two register-tiled forms.
 *
 * Splat form (matmul with transpose_a, and outer): Out[i, c] = Σ_j S[i, j] · V[j, c] where V's
 * rows are contiguous along the output column c. A tile of `ri` output rows × `nv` vectors of 4
 * columns lives in registers; per j it loads nv vectors of V, broadcasts ri scalars of S
 * (v128.load32_splat) and does ri·nv multiply-adds. A tile's other rows and vectors are constant
 * offsets (load immediates) from two pointers: the inner loop is two increments and a compare.
 *   - transpose_a matmul: S = X [rows, K] (i = row, j = k), V = A [K, M], Out = Y [rows, M];
 *   - outer:              S = Uᵀ (i = m, j = row: U [rows, M] read with a stride of M floats),
 *                         V = v [rows, K], Out [M, K].
 * The reduction is cut into blocks of `jBlock` (row tiles) / `jBlock1` (one-row tiles) when it may
 * be longer — always for outer, whose reduction runs over the run-time rows: Out is zeroed, then
 * each block adds into it. Short blocks keep a tile's slabs of S and V in L1; for a GEMV they
 * turn the pass over A's columns into short, L1-resident sweeps along its rows.
 *
 * Dot form (plain matmul): Y[r, m] = Σ_k A[m, k] · X[r, k] — both operands are contiguous along
 * the reduction, neither along an output. A tile of `ri` rows × `mj` outputs keeps ri·mj vector
 * accumulators over k (4 partial sums per lane), loads ri + mj vectors per step, and reduces each
 * accumulator at the end (two shuffles and adds), adding the K mod 4 tail in scalar code.
 *
 * Remainders: output columns beyond the last full tile use a narrower vector tile, then ≤ 3
 * scalar lanes (K mod 4 of the dot form is a scalar tail); rows beyond the last full row tile run
 * a one-row tile, which is also the whole of a GEMV (B = 1) and is made wide for it. Nothing reads
 * or writes outside a tensor's elements (test/lower/gemm.test.ts checks on poisoned memory).
 *
 * Cache blocking: the output columns (splat) or outputs m (dot) are grouped into blocks whose
 * panel of the streamed operand (V, or A) is about `panelBytes`, so it stays in L2 while every
 * row tile passes over it.
 *
 * Register budget (measured, bench/gemm.ts): V8's TurboFan schedules a loop body's loads first
 * and the arithmetic after them, so every value loaded in a step is live at once next to the
 * accumulators. With 16 xmm registers, loads + accumulators + 1 must stay ≤ 15 or accumulators
 * spill to the stack (a 1×8 dot tile — 9 loads, 8 accumulators — ran at half the speed of 1×6).
 * Hence 4×2 tiles (6 loads, 8 accumulators) for the row tiles and 1×6 for one-row tiles.
 *
 * Measured on the 2-core Zen 4 EPYC (f32x4 mul+add peak ~49 GFLOP/s): 44 GFLOP/s (89%) for matmul
 * 2048×320→1024, 39 (78%) for transpose_a 2048×1024→320, 29 (58%) for outer 2048 rows → 1024×320,
 * 33–34 for the GEMVs 256→512 — 14 to 77 times the scalar kernels. outer is held back by reading
 * U along its rows' stride (a new cache line and page every step): packing Uᵀ into scratch would
 * make it a transpose_a-like problem (~37 GFLOP/s measured on that shape).
 */
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
  /** Target bytes of the streamed operand's panel per cache block. */
  panelBytes: number;
  /**
   * Splat form: reduction block of the row tiles (outer: rows of u and v; transpose_a matmul: k,
   * when longer). 0 = never block.
   */
  jBlock: number;
  /** Splat form: reduction block of the one-row tiles (row tails and GEMV). 0 = never block. */
  jBlock1: number;
}

/** The defaults, chosen by bench/gemm.ts on the target machine (see its header). */
export const DEFAULT_GEMM_TUNING: Readonly<GemmTuning> = {
  splatRows: 4,
  splatVecs: 2,
  splatVecs1: 6,
  dotRows: 4,
  dotCols: 2,
  dotCols1: 6,
  panelBytes: 512 * 1024,
  jBlock: 256,
  jBlock1: 8,
};

/** The tuning in effect; bench/gemm.ts changes it to compare variants (then restores it). */
export const gemmTuning: GemmTuning = { ...DEFAULT_GEMM_TUNING };

const SWAP64 = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
const SWAP32 = [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11];

/** Small code-building helpers over one function. */
class Gen {
  readonly m;
  readonly i32t: number;
  readonly f32t: number;
  readonly v128t: number;
  constructor(readonly fn: Fn) {
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
  fma(acc: number, a: Expr, b: Expr): Expr { return this.set(acc, this.m.f32x4.add(this.gv(acc), this.m.f32x4.mul(a, b))); }
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

  // rows [0, i0) in tiles of ri rows; the V panel of a column block is about panelBytes
  const mainPass: Pass = (len, sB, vB, acc, guard, jLen) => {
    const out: Expr[] = [];
    const cw = 4 * nv;
    const nCT = Math.floor(p.C / cw), rem = p.C - nCT * cw, nvR = Math.floor(rem / 4), lanes = rem % 4;
    if (nCT > 0) {
      const tpb = Math.max(1, Math.min(nCT, Math.floor(tu.panelBytes / Math.max(1, jLen * cw * 4))));
      const nBlk = Math.ceil(nCT / tpb);
      const tEnd = g.i(), tmp = g.i();
      out.push(g.loop(g.c(nBlk), (blk) => [
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
      ]));
    }
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
  const mj1 = tu.dotCols1, nMT1 = Math.floor(M / mj1), remM1 = M - nMT1 * mj1;
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
 * matmul(A, x): y[r, m] = Σ_k A[m, k] x[r, k] (A [M, K]); with `transposeA`, A [K, M] is used as
 * Aᵀ: y[r, c] = Σ_j A[j, c] x[r, j]. `rows` is the product of x's leading dims.
 */
export function emitMatmul(fn: Fn, o: { a: string; x: string; out: string; aShape: [number, number]; transposeA: boolean; rows: Expr },
  tu: GemmTuning = gemmTuning): Expr[] {
  const g = new Gen(fn);
  const code: Expr[] = [];
  const a = baseLocal(g, code, fn.addr(o.a)), x = baseLocal(g, code, fn.addr(o.x)), y = baseLocal(g, code, fn.addr(o.out));
  const [R, C] = o.aShape;
  if (!o.transposeA) return [...code, ...dotGemm(g, o.rows, R, C, x, a, y, tu)];
  // Y[r, c] = Σ_j X[r, j] A[j, c]: S = X (i = r, j = k), V = A, Out = Y
  const K = R, M = C;
  return [...code, ...splatGemm(g, { I: o.rows, Iconst: null, J: g.c(K), Jconst: K, C: M, s: x, v: a, o: y, si: K * 4, sj: 4, vj: M * 4, oi: M * 4 }, tu)];
}

/** outer(u, v): out[m, k] = Σ_r u[r, m] v[r, k] (u [rows, M], v [rows, K]); rows may be 0. */
export function emitOuter(fn: Fn, o: { u: string; v: string; out: string; M: number; K: number; rows: Expr },
  tu: GemmTuning = gemmTuning): Expr[] {
  const g = new Gen(fn);
  const code: Expr[] = [];
  const u = baseLocal(g, code, fn.addr(o.u)), v = baseLocal(g, code, fn.addr(o.v)), out = baseLocal(g, code, fn.addr(o.out));
  // S = Uᵀ: S[i = m, j = r] at u + 4m + r·4M; V = v [rows, K]; Out [M, K]
  return [...code, ...splatGemm(g, { I: g.c(o.M), Iconst: o.M, J: o.rows, Jconst: null, C: o.K, s: u, v, o: out, si: 4, sj: o.M * 4, vj: o.K * 4, oi: o.K * 4 }, tu)];
}
