/**
 * Accuracy, special values and scalar/vector agreement of the emitted exp/log/tanh/sigmoid.
 *
 * Set RNNC_MATH_EXHAUSTIVE=1 to also sweep all 2^32 f32 inputs of every function (~25 minutes;
 * pass --timeout=3600 to tap): it prints the measured maxima that docs/math.md and
 * MATH_ERROR_BOUNDS quote, and compares the f32x4 versions with the scalar ones on every input.
 */
import t, { type Test } from "tap";
import binaryen from "binaryen";
import {
  addMathFunctions,
  addVectorMathFunctions,
  BINARYEN_IDS,
  INLINE_VECTOR_MATH_LOCALS,
  inlineVectorMath,
  MATH_ERROR_BOUNDS,
  MATH_EXTRA_ERROR_BOUNDS,
  MATH_FUNCTIONS,
  VECTOR_MATH_FUNCTIONS,
  VECTOR_MATH_CONSTANTS_BYTES,
  vectorMathConstants,
  type MathFunction,
} from "../../compiler/lower/mathfns.ts";

const FNS: MathFunction[] = ["exp", "log", "tanh", "sigmoid"];
const FLT_MIN = 2 ** -126;
const DENORM_MIN = 2 ** -149;
const CHUNK = 1 << 20; // floats per batch
const SRC = 0, DST = CHUNK * 4; // byte offsets of the two batch buffers
const TABLE = 2 * CHUNK * 4; // the vector functions' constant table, after the buffers

type Exports = Record<MathFunction, (x: number) => number> & {
  memory: WebAssembly.Memory;
} & Record<string, unknown>;

interface Instance {
  exports: Exports;
  /** Applies `fn` (scalar, or the f32x4 version when vec) to xs via the in-memory batch loops. */
  map(fn: MathFunction, xs: Float32Array, vec?: boolean): Float32Array;
  /** Applies the vector function to 4 floats through the exported load/call/store wrapper (or, `inline`, its body inlined). */
  v4(fn: MathFunction, xs: ArrayLike<number>, inline?: boolean): Float32Array;
}

/** The test module: both sets of functions plus exported wrappers and batch loops over memory. */
function buildModule(): binaryen.Module {
  const m = new binaryen.Module();
  const pages = (2 * CHUNK * 4) / 65536 + 1;
  m.setMemory(pages, pages, "memory", [{ offset: m.i32.const(TABLE), data: vectorMathConstants(), passive: false }]);
  addMathFunctions(m);
  addVectorMathFunctions(m, TABLE);
  const { i32, f32, v128, none } = binaryen;
  const p = (i: number, ty = i32): number => m.local.get(i, ty);
  for (const fn of FNS) {
    const sname = MATH_FUNCTIONS[fn], vname = VECTOR_MATH_FUNCTIONS[fn];
    m.addFunctionExport(sname, fn);
    // (ptr) -> (): the 4 floats at ptr replaced by vfn of them.
    m.addFunction(`${fn}_v4`, binaryen.createType([i32]), none, [],
      m.v128.store(0, 16, p(0), m.call(vname, [m.v128.load(0, 16, p(0))], v128)));
    m.addFunctionExport(`${fn}_v4`, `${fn}_v4`);
    // (ptr) -> (): the same with the vector function's body inline; its local count exported as a global
    const vars: number[] = [], stmts: number[] = [];
    const inl = inlineVectorMath(m, fn, m.v128.load(0, 16, p(0)), TABLE, {
      local: (ty) => { vars.push(ty); return vars.length; },
      push: (e) => { stmts.push(e); },
    });
    m.addFunction(`${fn}_v4i`, binaryen.createType([i32]), none, vars, m.block(null, [...stmts, m.v128.store(0, 16, p(0), inl)]));
    m.addFunctionExport(`${fn}_v4i`, `${fn}_v4i`);
    m.addGlobal(`${fn}_locals`, i32, false, m.i32.const(vars.length));
    m.addGlobalExport(`${fn}_locals`, `${fn}_locals`);
    // (src, dst, nbytes) -> (): dst[i] = fn(src[i]), 4 bytes (scalar) or 16 bytes (vector) a step.
    for (const vec of [false, true]) {
      const step = vec ? 16 : 4, ty = vec ? v128 : f32;
      const load = (ptr: number) => vec ? m.v128.load(0, 16, ptr) : m.f32.load(0, 4, ptr);
      const store = (ptr: number, v: number) => vec ? m.v128.store(0, 16, ptr, v) : m.f32.store(0, 4, ptr, v);
      const body = m.block(null, [
        m.if(m.i32.eqz(p(2)), m.return()),
        m.local.set(3, m.i32.const(0)),
        m.loop("l", m.block(null, [
          store(m.i32.add(p(1), p(3)), m.call(vec ? vname : sname, [load(m.i32.add(p(0), p(3)))], ty)),
          m.local.set(3, m.i32.add(p(3), m.i32.const(step))),
          m.br("l", m.i32.lt_u(p(3), p(2))),
        ])),
      ]);
      const name = `${fn}_map${vec ? "_v" : ""}`;
      m.addFunction(name, binaryen.createType([i32, i32, i32]), none, [i32], body);
      m.addFunctionExport(name, name);
    }
  }
  return m;
}

async function instantiate(m: binaryen.Module): Promise<Instance> {
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array(m.emitBinary())), {});
  const exports = instance.exports as unknown as Exports;
  const mem = () => new Float32Array(exports.memory.buffer);
  return {
    exports,
    map(fn, xs, vec = false) {
      const out = new Float32Array(xs.length);
      const run = exports[`${fn}_map${vec ? "_v" : ""}`] as (s: number, d: number, n: number) => void;
      for (let at = 0; at < xs.length; at += CHUNK) {
        const part = xs.subarray(at, Math.min(xs.length, at + CHUNK));
        const n = vec ? Math.ceil(part.length / 4) * 4 : part.length;
        const view = mem();
        view.fill(0, 0, n);
        view.set(part, SRC / 4);
        run(SRC, DST, n * 4);
        out.set(mem().subarray(DST / 4, DST / 4 + part.length), at);
      }
      return out;
    },
    v4(fn, xs, inline = false) {
      mem().set(xs, 0);
      (exports[`${fn}_v4${inline ? "i" : ""}`] as (ptr: number) => void)(0);
      return mem().slice(0, 4);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// References (f64) and error accounting.

function sigmoid64(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
const REF: Record<MathFunction, (x: number) => number> = {
  exp: Math.exp, log: Math.log, tanh: Math.tanh, sigmoid: sigmoid64,
};

class Stats {
  rel = 0; abs = 0; relAt = NaN; absAt = NaN; n = 0;
  /** Records |y - ref| and, when `relative`, |y - ref| / |ref|. */
  add(x: number, y: number, ref: number, relative = true): void {
    this.n++;
    const d = Math.abs(y - ref);
    if (!(d <= this.abs)) { this.abs = d; this.absAt = x; }
    if (relative && ref !== 0) {
      const r = d / Math.abs(ref);
      if (!(r <= this.rel)) { this.rel = r; this.relAt = x; }
    } else if (relative && y !== 0) {
      this.rel = Infinity; this.relAt = x;
    }
  }
  toString(): string {
    return `n=${this.n} maxRel=${this.rel.toExponential(3)} (x=${this.relAt}) maxAbs=${this.abs.toExponential(3)} (x=${this.absAt})`;
  }
}

/** Error statistics of fn over xs, split by the regions the bounds are stated for. */
function measure(inst: Instance, fn: MathFunction, xs: Float32Array, ys = inst.map(fn, xs)) {
  const main = new Stats(); // exp/log: normal results; tanh: all; sigmoid: all (abs) / normal (rel)
  const tail = new Stats(); // exp: denormal results (abs error)
  const ref = REF[fn];
  let bad = 0, badAt = NaN; // wrong class of result (NaN, Inf, out of range) for a finite input
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!, y = ys[i]!;
    if (Number.isNaN(x)) { if (!Number.isNaN(y)) { bad++; badAt = x; } continue; }
    const r = ref(x);
    const r32 = Math.fround(r);
    if (fn === "exp" || fn === "log") {
      if (!Number.isFinite(r32) || Number.isNaN(r)) {
        // Overflow, log(0), log(x<0), log(+Inf): must equal the rounded reference class exactly.
        if (!Object.is(y, r32) && !(Number.isNaN(y) && Number.isNaN(r32))) { bad++; badAt = x; }
      } else if (Math.abs(r) >= FLT_MIN) main.add(x, y, r);
      else tail.add(x, y, r, false);
    } else if (fn === "tanh") {
      if (!(y >= -1 && y <= 1)) { bad++; badAt = x; }
      main.add(x, y, r, x !== 0);
    } else {
      if (!(y >= 0 && y <= 1)) { bad++; badAt = x; }
      main.add(x, y, r, r >= FLT_MIN); // relative error only where the result is a normal f32
    }
  }
  return { main, tail, bad, badAt };
}

function f32s(values: Iterable<number>): Float32Array {
  return Float32Array.from(values);
}
function linspace(a: number, b: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = a + ((b - a) * i) / (n - 1);
  return out;
}
function fromBits(bits: Uint32Array): Float32Array {
  return new Float32Array(bits.buffer, bits.byteOffset, bits.length);
}
/** Every stride-th 32-bit pattern from lo to hi (inclusive), as floats. */
function patterns(lo: number, hi: number, stride: number): Float32Array {
  const n = Math.floor((hi - lo) / stride) + 1;
  const bits = new Uint32Array(n);
  for (let i = 0; i < n; i++) bits[i] = lo + i * stride;
  return fromBits(bits);
}
function powersOfTwo(): number[] {
  const out: number[] = [];
  for (let e = -149; e <= 127; e++) out.push(2 ** e, -(2 ** e));
  return out;
}
/** Deterministic xorshift32 stream. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s;
  };
}

function checkBounds(tt: Test, fn: MathFunction, label: string, r: ReturnType<typeof measure>): void {
  tt.comment(`${fn} ${label}: ${r.main}`);
  if (r.tail.n) tt.comment(`${fn} ${label} tail: ${r.tail}`);
  tt.equal(r.bad, 0, `${fn} ${label}: no NaN/Inf/out-of-range results for finite input (first bad x=${r.badAt})`);
  if (fn === "exp" || fn === "log") {
    tt.ok(r.main.rel <= MATH_ERROR_BOUNDS[fn], `${fn} ${label}: max rel error ${r.main.rel} <= ${MATH_ERROR_BOUNDS[fn]}`);
    if (fn === "exp") {
      const bound = MATH_EXTRA_ERROR_BOUNDS.expDenormalUlps * DENORM_MIN;
      tt.ok(r.tail.abs <= bound, `exp ${label}: denormal results within ${MATH_EXTRA_ERROR_BOUNDS.expDenormalUlps} ulp (${r.tail.abs / DENORM_MIN})`);
    }
  } else {
    tt.ok(r.main.abs <= MATH_ERROR_BOUNDS[fn], `${fn} ${label}: max abs error ${r.main.abs} <= ${MATH_ERROR_BOUNDS[fn]}`);
    const relBound = fn === "tanh" ? MATH_EXTRA_ERROR_BOUNDS.tanhRelative : MATH_EXTRA_ERROR_BOUNDS.sigmoidRelative;
    tt.ok(r.main.rel <= relBound, `${fn} ${label}: max rel error ${r.main.rel} <= ${relBound}`);
  }
}

// ---------------------------------------------------------------------------------------------

const module = buildModule();
const inst = await instantiate(module);

t.test("module shape", async (t) => {
  t.equal(BINARYEN_IDS.i32, binaryen.i32);
  t.equal(BINARYEN_IDS.f32, binaryen.f32);
  t.equal(BINARYEN_IDS.v128, binaryen.v128);
  t.equal(BINARYEN_IDS.SIMD128, binaryen.Features.SIMD128);
  t.equal(module.validate(), 1, "the test module validates");
  t.ok(module.getFeatures() & binaryen.Features.SIMD128, "SIMD128 turned on");

  const n = module.getNumFunctions();
  addMathFunctions(module);
  addVectorMathFunctions(module, TABLE);
  t.equal(module.getNumFunctions(), n, "adding again is a no-op");

  // The scalar functions alone are MVP WebAssembly and touch no memory.
  const scalarOnly = new binaryen.Module();
  addMathFunctions(scalarOnly);
  t.equal(scalarOnly.getFeatures(), 0, "no features needed");
  t.equal(scalarOnly.validate(), 1, "scalar-only module validates with MVP features");
  t.equal(scalarOnly.getNumFunctions(), 4);
  scalarOnly.dispose();
});

t.test("special values", async (t) => {
  const e = inst.exports;
  const same = (got: number, want: number, msg: string) => t.ok(Object.is(got, want), `${msg}: got ${got}, want ${want}`);
  const FLT_MAX = 3.4028234663852886e38;

  same(e.exp(0), 1, "exp(0)");
  same(e.exp(-0), 1, "exp(-0)");
  same(e.exp(Infinity), Infinity, "exp(+Inf)");
  same(e.exp(-Infinity), 0, "exp(-Inf)");
  t.ok(Number.isNaN(e.exp(NaN)), "exp(NaN) is NaN");
  same(e.exp(88.72283935546875), Infinity, "exp(88.72283935546875) overflows (ln FLT_MAX = 88.722839052)");
  t.ok(e.exp(88.72283172607422) < Infinity, "exp of the float below ln FLT_MAX is finite");
  same(e.exp(89), Infinity, "exp(89)");
  same(e.exp(FLT_MAX), Infinity, "exp(FLT_MAX)");
  same(e.exp(-FLT_MAX), 0, "exp(-FLT_MAX)");
  same(e.exp(-104), 0, "exp(-104)");
  same(e.exp(-103.2789), DENORM_MIN, "exp(-103.2789) is the smallest denormal");
  same(e.exp(-87.33654022216797), Math.fround(Math.exp(-87.33654022216797)), "exp near the normal/denormal edge");
  same(e.exp(1), Math.fround(Math.E), "exp(1)");
  same(e.exp(1e-30), 1, "exp(tiny)");
  same(e.exp(DENORM_MIN), 1, "exp(denormal)");

  same(e.log(1), 0, "log(1)");
  same(e.log(0), -Infinity, "log(0)");
  same(e.log(-0), -Infinity, "log(-0)");
  same(e.log(Infinity), Infinity, "log(+Inf)");
  t.ok(Number.isNaN(e.log(-1)), "log(-1) is NaN");
  t.ok(Number.isNaN(e.log(-DENORM_MIN)), "log(-denormal) is NaN");
  t.ok(Number.isNaN(e.log(-Infinity)), "log(-Inf) is NaN");
  t.ok(Number.isNaN(e.log(NaN)), "log(NaN) is NaN");
  same(e.log(2), Math.fround(Math.LN2), "log(2)");
  same(e.log(DENORM_MIN), Math.fround(Math.log(DENORM_MIN)), "log(smallest denormal)");
  same(e.log(FLT_MAX), Math.fround(Math.log(FLT_MAX)), "log(FLT_MAX)");

  for (const x of [0, -0, DENORM_MIN, -DENORM_MIN, 1e-30, -1e-30, 1e-5, -1e-5].map(Math.fround)) {
    same(e.tanh(x), x, `tanh(${x}) = x`);
  }
  for (const x of [9.1, 10, 20, 50, 88, 100, 1e10, FLT_MAX, Infinity]) {
    same(e.tanh(x), 1, `tanh(${x})`);
    same(e.tanh(-x), -1, `tanh(${-x})`);
  }
  t.ok(Number.isNaN(e.tanh(NaN)), "tanh(NaN) is NaN");

  same(e.sigmoid(0), 0.5, "sigmoid(0)");
  same(e.sigmoid(-0), 0.5, "sigmoid(-0)");
  for (const x of [17.5, 20, 50, 100, 1e10, FLT_MAX, Infinity]) same(e.sigmoid(x), 1, `sigmoid(${x})`);
  for (const x of [104, 200, 1e10, FLT_MAX, Infinity]) same(e.sigmoid(-x), 0, `sigmoid(${-x})`);
  const s90 = e.sigmoid(-90);
  t.ok(s90 > 0 && Math.abs(s90 - Math.exp(-90)) <= DENORM_MIN, `sigmoid(-90) is the tiny positive e^-90 (${s90})`);
  t.ok(Number.isNaN(e.sigmoid(NaN)), "sigmoid(NaN) is NaN");
});

t.test("dense sweeps against f64 references", async (t) => {
  // exp over its whole interesting range, plus small arguments around 0.
  const expXs = new Float32Array(1_000_000 + 2 * 200_000 + 600);
  expXs.set(linspace(-104, 89, 1_000_000));
  expXs.set(linspace(-1, 1, 200_000), 1_000_000);
  expXs.set(linspace(-87.5, -87.2, 200_000), 1_200_000); // normal/denormal edge
  expXs.set(f32s(powersOfTwo().filter((x) => Math.abs(x) <= 64)), 1_400_000);
  checkBounds(t, "exp", "grid", measure(inst, "exp", expXs));

  // log on positive floats across all exponents, denormals included, sampled by bit pattern,
  // plus every pattern within 2^19 of 1.0 and of 2^-126.
  const logXs = new Float32Array([
    ...patterns(1, 0x7f7fffff, 509),
    ...patterns(0x3f800000 - (1 << 19), 0x3f800000 + (1 << 19), 1),
    ...patterns(0x00800000 - (1 << 16), 0x00800000 + (1 << 16), 1),
    ...powersOfTwo().filter((x) => x > 0),
  ]);
  checkBounds(t, "log", "bit-pattern sweep", measure(inst, "log", logXs));

  for (const fn of ["tanh", "sigmoid"] as const) {
    const xs = new Float32Array([
      ...linspace(-20, 20, 1_000_000),
      ...linspace(-1, 1, 200_000),
      ...linspace(0.6, 0.65, 50_000), // around tanh's branch point
      ...linspace(-0.65, -0.6, 50_000),
      ...linspace(-120, -20, 100_000), // sigmoid's tail
      ...powersOfTwo(),
    ]);
    checkBounds(t, fn, "grid", measure(inst, fn, xs));
  }
});

t.test("every 997th f32 bit pattern: no NaN for non-NaN input, results in range", async (t) => {
  const xs = patterns(0, 0xffffffff, 997);
  for (const fn of FNS) {
    const ys = inst.map(fn, xs);
    let bad = 0, badAt = NaN;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!, y = ys[i]!;
      let ok: boolean;
      if (Number.isNaN(x)) ok = Number.isNaN(y);
      else if (fn === "exp") ok = y >= 0;
      else if (fn === "tanh") ok = y >= -1 && y <= 1 && Math.sign(y) === Math.sign(x);
      else if (fn === "sigmoid") ok = y >= 0 && y <= 1;
      else ok = x < 0 ? Number.isNaN(y) : !Number.isNaN(y);
      if (!ok) { bad++; badAt = x; }
    }
    t.equal(bad, 0, `${fn}: ${xs.length} patterns, first bad x=${badAt}`);
    checkBounds(t, fn, "strided patterns", measure(inst, fn, xs));
  }
});

/** Bitwise equality, any NaN equal to any NaN. */
function sameBits(a: Float32Array, b: Float32Array): { diffs: number; first: number } {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let diffs = 0, first = -1;
  for (let i = 0; i < a.length; i++) {
    if (ua[i] === ub[i] || (Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) continue;
    if (first < 0) first = i;
    diffs++;
  }
  return { diffs, first };
}

function randomInputs(n: number, seed: number): Float32Array {
  const next = rng(seed);
  const xs = new Float32Array(n);
  const specials = [0, -0, Infinity, -Infinity, NaN, DENORM_MIN, -DENORM_MIN, FLT_MIN, 88.72283935546875, 0.625, -0.625, 1, -1];
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    if (i < specials.length) xs[i] = specials[i]!;
    else if (kind === 0) xs[i] = fromBits(Uint32Array.of(next()))[0]!; // any pattern
    else if (kind === 1) xs[i] = (next() / 2 ** 32) * 200 - 105; // exp's range
    else if (kind === 2) xs[i] = (next() / 2 ** 32) * 40 - 20; // tanh/sigmoid's range
    else xs[i] = ((next() / 2 ** 32) * 2 - 1) * 2 ** ((next() % 60) - 30); // all scales
  }
  return xs;
}

t.test("vector versions equal the scalar ones bit for bit", async (t) => {
  const xs = randomInputs(8192, 12345);
  for (const fn of FNS) {
    const scalar = inst.map(fn, xs);
    const vector = inst.map(fn, xs, true);
    const { diffs, first } = sameBits(scalar, vector);
    t.equal(diffs, 0, `${fn}: batch f32x4 == scalar on ${xs.length} inputs (first diff x=${xs[first]})`);
    // The exported load/call/store wrapper, on the first 1024 inputs.
    const viaV4 = new Float32Array(1024);
    for (let i = 0; i < 1024; i += 4) viaV4.set(inst.v4(fn, xs.subarray(i, i + 4)), i);
    t.equal(sameBits(viaV4, scalar.subarray(0, 1024)).diffs, 0, `${fn}: ${fn}_v4 wrapper == scalar`);
    // inlineVectorMath: the same body in the caller's function
    const inlined = new Float32Array(1024);
    for (let i = 0; i < 1024; i += 4) inlined.set(inst.v4(fn, xs.subarray(i, i + 4), true), i);
    t.equal(sameBits(inlined, scalar.subarray(0, 1024)).diffs, 0, `${fn}: inlined == scalar`);
    const locals = (inst.exports[`${fn}_locals`] as WebAssembly.Global).value as number;
    t.ok(locals <= INLINE_VECTOR_MATH_LOCALS, `${fn} inline declares ${locals} locals <= INLINE_VECTOR_MATH_LOCALS`);
  }
});

t.test("vector special values: NaN propagates through exp's clamp, ±Inf and beyond the clamp", async (t) => {
  const FLT_MAX = 3.4028234663852886e38;
  const xs = [NaN, -NaN, Infinity, -Infinity, FLT_MAX, -FLT_MAX, 89, -104, 88.72283935546875, -103.2789, 200, -200, 0, -0, 0.625, -0.625];
  const nanBits = fromBits(Uint32Array.of(0x7fa00001, 0xffc00123, 0x7f800001, 0xffffffff)); // other NaN payloads
  for (const fn of FNS) {
    for (const quad of [xs.slice(0, 4), xs.slice(4, 8), xs.slice(8, 12), xs.slice(12, 16), [...nanBits]]) {
      const got = inst.v4(fn, quad);
      t.same([...inst.v4(fn, quad, true)].map(String), [...got].map(String), `${fn}: inline == call on ${quad}`);
      quad.forEach((x, i) => {
        const want = inst.exports[fn](x);
        if (Number.isNaN(want)) t.ok(Number.isNaN(got[i]!), `${fn}_v(${x}) is NaN`);
        else t.ok(Object.is(got[i]!, Math.fround(want)), `${fn}_v(${x}) = ${got[i]}, scalar ${want}`);
      });
    }
  }
  // the clamp keeps NaN in every lane position, next to lanes it clamps
  for (const fn of ["exp", "tanh", "sigmoid"] as const) {
    for (let lane = 0; lane < 4; lane++) {
      const quad = [1000, -1000, 1000, -1000];
      quad[lane] = NaN;
      const got = inst.v4(fn, quad);
      t.ok(Number.isNaN(got[lane]!), `${fn}_v: NaN in lane ${lane} stays NaN`);
      t.notOk(got.some((y, i) => i !== lane && Number.isNaN(y)), `${fn}_v: no NaN in the other lanes`);
    }
  }
});

t.test("the vector functions read their constants from the table in memory", async (t) => {
  t.equal(VECTOR_MATH_CONSTANTS_BYTES % 16, 0, "table is whole v128s");
  t.equal(vectorMathConstants().length, VECTOR_MATH_CONSTANTS_BYTES);
  // in the text, every nonzero v128 constant of the vector functions is a load
  const text = module.emitText();
  for (const fn of FNS) {
    const body = text.slice(text.indexOf(`(func $${VECTOR_MATH_FUNCTIONS[fn]} `));
    const own = body.slice(0, body.indexOf("\n (func ") >>> 0);
    t.notMatch(own, /v128\.const i32x4 (?!0x00000000 0x00000000 0x00000000 0x00000000)/, `${fn}_v has no nonzero v128.const`);
    t.match(own, /v128\.load/, `${fn}_v loads its constants`);
  }
  // by evaluation: zeroing the table changes every vector function's results; restoring it restores them
  const mem = () => new Uint8Array(inst.exports.memory.buffer);
  const xs = [0.3, -1.7, 2.5, 0.01];
  const before = FNS.map((fn) => inst.v4(fn, xs));
  const saved = mem().slice(TABLE, TABLE + VECTOR_MATH_CONSTANTS_BYTES);
  t.same(saved, vectorMathConstants(), "the data segment put the table in place");
  mem().fill(0, TABLE, TABLE + VECTOR_MATH_CONSTANTS_BYTES);
  FNS.forEach((fn, k) => t.notSame([...inst.v4(fn, xs)], [...before[k]!], `${fn}_v depends on the table`));
  mem().set(saved, TABLE);
  FNS.forEach((fn, k) => t.same([...inst.v4(fn, xs)], [...before[k]!], `${fn}_v restored`));
  // the table must be 16-byte aligned
  const other = new binaryen.Module();
  t.throws(() => addVectorMathFunctions(other, TABLE + 4), /aligned/);
  other.dispose();
});

t.test("binaryen -O3 keeps the results bit for bit", async (t) => {
  const m = buildModule();
  const prev = [binaryen.getOptimizeLevel(), binaryen.getShrinkLevel(), binaryen.getFastMath()] as const;
  binaryen.setOptimizeLevel(3);
  binaryen.setShrinkLevel(0);
  binaryen.setFastMath(false);
  try {
    m.optimize();
  } finally {
    binaryen.setOptimizeLevel(prev[0]);
    binaryen.setShrinkLevel(prev[1]);
    binaryen.setFastMath(prev[2]);
  }
  t.equal(m.validate(), 1);
  const opt = await instantiate(m);
  m.dispose();
  const xs = randomInputs(20000, 777);
  for (const fn of FNS) {
    t.equal(sameBits(opt.map(fn, xs), inst.map(fn, xs)).diffs, 0, `${fn} scalar, optimized == unoptimized`);
    t.equal(sameBits(opt.map(fn, xs, true), inst.map(fn, xs)).diffs, 0, `${fn} vector, optimized == scalar`);
  }
});

t.test("exhaustive: all 2^32 inputs (RNNC_MATH_EXHAUSTIVE=1)", { skip: process.env.RNNC_MATH_EXHAUSTIVE !== "1" }, async (t) => {
  for (const fn of FNS) {
    const total = { main: new Stats(), tail: new Stats(), bad: 0, badAt: NaN };
    const merge = (a: Stats, b: Stats) => {
      a.n += b.n;
      if (b.rel > a.rel) { a.rel = b.rel; a.relAt = b.relAt; }
      if (b.abs > a.abs) { a.abs = b.abs; a.absAt = b.absAt; }
    };
    const bits = new Uint32Array(1 << 24);
    let vecDiffs = 0;
    for (let hi = 0; hi < 256; hi++) {
      for (let i = 0; i < bits.length; i++) bits[i] = (hi << 24 | i) >>> 0;
      const xs = fromBits(bits), ys = inst.map(fn, xs);
      vecDiffs += sameBits(ys, inst.map(fn, xs, true)).diffs;
      const r = measure(inst, fn, xs, ys);
      merge(total.main, r.main);
      merge(total.tail, r.tail);
      if (r.bad && !total.bad) total.badAt = r.badAt;
      total.bad += r.bad;
    }
    checkBounds(t, fn, "all 2^32", total);
    t.equal(vecDiffs, 0, `${fn}: f32x4 == scalar bit for bit on all 2^32 inputs`);
  }
});
