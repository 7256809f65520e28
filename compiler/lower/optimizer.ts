/**
 * The training step compiled into the module: one call runs forward, BPTT, the global gradient
 * norm, clipping and the optimizer update of every parameter — no per-parameter loop in JS.
 *
 * Hyper-parameters live in a small f32 region the runtime writes before each call (so a learning
 * rate schedule costs nothing to change); optimizer state (two slots per parameter) is pinned, and
 * so is a third, the exponential moving average of the weights (`ema` on: docs/training.md).
 */
import type { Binaryen, Expr, Module } from "./binaryen.ts";
import { Fn } from "./codegen.ts";
import { Lanes } from "./elementwise.ts";
import type { Poly } from "./memory.ts";

/** Field order of the hyper-parameter region (f32 each). */
export const HYPER_FIELDS = [
  "lr", "beta1", "beta2", "eps", "weight_decay", "clip_norm", "clip_value",
  "bias_correction1", "bias_correction2", "kind",
  "grad_norm", // written by train_step: the global gradient norm before clipping
  "loss",      // written by train_step: the loss of this step
  "ema",       // 1: after the update, average ← ema_decay·average + (1 − ema_decay)·parameter; 0: no average
  "ema_decay", // this step's decay (the runtime ramps it up over the first steps)
] as const;

/** Optimizer kinds, by the code written into the `kind` field. */
export const OPTIMIZER_KINDS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

/** train_step returns: 0 updated; 1 the loss is not finite; 2 a gradient is not finite (no update either way). */
export const TRAIN_STATUS = { ok: 0, lossNotFinite: 1, gradNotFinite: 2 } as const;

export interface TrainLayout {
  hyper: Poly;
  params: { p: Poly; g: Poly; m: Poly; v: Poly; a: Poly; count: number }[];
  loss: Poly;
  lossCotangent: Poly;
  /** Every cotangent region, zeroed before the backward pass (count in f32 elements, as polys of B, T). */
  cotangents: { at: Poly; count: Poly }[];
}

const H = (name: (typeof HYPER_FIELDS)[number]) => HYPER_FIELDS.indexOf(name) * 4;

/** Adds `opt_update(p, g, m, v, n, scale)`, `ema_update(p, a, n)` and `train_step(B, T) → i32`. */
export function emitTrainStep(bn: Binaryen, m: Module, L: TrainLayout): void {
  emitUpdate(bn, m, L.hyper);
  emitAverage(bn, m, L.hyper);
  const f32 = bn.f32, i32 = bn.i32, v128 = bn.v128;
  const fn = new Fn(bn, m, 2, () => { throw new Error("internal: train_step reads no values"); });
  const hyper = () => fn.poly(L.hyper);
  const hyperGet = (field: (typeof HYPER_FIELDS)[number]) => m.f32.load(H(field), 4, hyper());
  const notFinite = (x: () => Expr) => m.f32.ne(m.f32.sub(x(), x()), fn.f32(0)); // x − x is NaN for ±Inf and NaN
  const norm2 = fn.local(f32), g = fn.local(f32), scale = fn.local(f32), norm = fn.local(f32);
  const a0 = fn.local(v128), a1 = fn.local(v128), t = fn.local(v128), p = fn.local(i32);
  const gv = (l: number) => fn.get(l, v128);
  const code: Expr[] = [];
  for (const c of L.cotangents) code.push(m.memory.fill(fn.poly(c.at), fn.i32(0), m.i32.shl(fn.poly(c.count), fn.i32(2))));
  code.push(m.f32.store(0, 4, fn.poly(L.lossCotangent), fn.f32(1)));
  code.push(m.call("backward", [fn.B, fn.T], bn.none));
  const loss = fn.local(f32);
  code.push(fn.set(loss, m.f32.load(0, 4, fn.poly(L.loss))));
  code.push(m.f32.store(H("loss"), 4, hyper(), fn.get(loss, f32)));
  code.push(m.if(notFinite(() => fn.get(loss, f32)), m.return(fn.i32(1))));
  // Σ g² over every gradient: eight partial sums (two f32x4) over chunks of 8, then the tails in order
  code.push(fn.set(a0, m.f32x4.splat(fn.f32(0))), fn.set(a1, m.f32x4.splat(fn.f32(0))), fn.set(norm2, fn.f32(0)));
  for (const q of L.params) {
    const chunks = q.count >> 3;
    if (chunks > 0) {
      code.push(fn.loop(fn.i32(chunks), (i) => [
        fn.set(p, m.i32.add(fn.poly(q.g), m.i32.shl(fn.get(i), fn.i32(5)))),
        fn.set(t, m.v128.load(0, 16, fn.get(p))),
        fn.set(a0, m.f32x4.add(gv(a0), m.f32x4.mul(gv(t), gv(t)))),
        fn.set(t, m.v128.load(16, 16, fn.get(p))),
        fn.set(a1, m.f32x4.add(gv(a1), m.f32x4.mul(gv(t), gv(t)))),
      ]));
    }
    for (let e = chunks << 3; e < q.count; e++) {
      code.push(fn.set(g, m.f32.load(e * 4, 4, fn.poly(q.g))));
      code.push(fn.set(norm2, m.f32.add(fn.get(norm2, f32), m.f32.mul(fn.get(g, f32), fn.get(g, f32)))));
    }
  }
  const lane = (i: number) => m.f32x4.extract_lane(gv(a0), i);
  code.push(fn.set(a0, m.f32x4.add(gv(a0), gv(a1))));
  code.push(fn.set(norm2, m.f32.add(fn.get(norm2, f32), m.f32.add(m.f32.add(lane(0), lane(1)), m.f32.add(lane(2), lane(3))))));
  code.push(fn.set(norm, m.f32.sqrt(fn.get(norm2, f32))));
  code.push(m.f32.store(H("grad_norm"), 4, hyper(), fn.get(norm, f32)));
  code.push(m.if(notFinite(() => fn.get(norm, f32)), m.return(fn.i32(2))));
  // clip by global norm: scale = clip / norm when norm > clip > 0
  const clip = fn.local(f32);
  code.push(fn.set(clip, hyperGet("clip_norm")));
  code.push(fn.set(scale, m.select(
    m.i32.and(m.f32.gt(fn.get(clip, f32), fn.f32(0)), m.f32.gt(fn.get(norm, f32), fn.get(clip, f32))),
    m.f32.div(fn.get(clip, f32), fn.get(norm, f32)), fn.f32(1))));
  for (const q of L.params) {
    code.push(m.call("opt_update", [fn.poly(q.p), fn.poly(q.g), fn.poly(q.m), fn.poly(q.v), fn.i32(q.count), fn.get(scale, f32)], bn.none));
  }
  code.push(m.if(m.f32.gt(hyperGet("ema"), fn.f32(0)), m.block(null,
    L.params.map((q) => m.call("ema_update", [fn.poly(q.p), fn.poly(q.a), fn.i32(q.count)], bn.none)))));
  code.push(m.return(fn.i32(0)));
  fn.finish("train_step", bn.createType([i32, i32]), [...code, fn.i32(0)], i32);
}

/**
 * Loads and stores of element i of a region at b: a group of four (16 bytes) in a vector loop, one
 * f32 in a scalar one.
 */
function elementAccess(fn: Fn, m: Module, vec: boolean) {
  const at = (b: Expr, i: Expr) => (vec ? m.i32.add(b, m.i32.shl(i, fn.i32(4))) : fn.at(b, i));
  return {
    load: (b: Expr, i: Expr) => (vec ? m.v128.load(0, 16, at(b, i)) : m.f32.load(0, 4, at(b, i))),
    store: (b: Expr, i: Expr, v: Expr) => (vec ? m.v128.store(0, 16, at(b, i), v) : m.f32.store(0, 4, at(b, i), v)),
  };
}

/**
 * opt_update(p, g, m, v, n, scale): for each of n elements, g' = clip_value(scale·g) (+ L2 decay),
 * then the update rule picked by `kind`. Each rule is one loop over four elements at a time
 * (f32x4: every operation is the scalar one lane by lane, so the result is the same bit for bit)
 * and a scalar loop over the last n mod 4.
 */
function emitUpdate(bn: Binaryen, m: Module, hyperAt: Poly): void {
  const f32 = bn.f32, i32 = bn.i32, v128 = bn.v128;
  // params: 0 p, 1 g, 2 m, 3 v, 4 n, 5 scale  (no B/T: Fn's B/T getters are not used here)
  const fn = new Fn(bn, m, 6, () => { throw new Error("internal"); });
  const P = () => fn.get(0), G = () => fn.get(1), M = () => fn.get(2), V = () => fn.get(3), N = () => fn.get(4);
  const hyper = () => fn.poly(hyperAt); // constant address: no B/T terms
  const hp = (f: (typeof HYPER_FIELDS)[number]) => m.f32.load(H(f), 4, hyper());
  const lr = fn.local(f32), b1 = fn.local(f32), b2 = fn.local(f32), eps = fn.local(f32), wd = fn.local(f32);
  const cv = fn.local(f32), bc1 = fn.local(f32), bc2 = fn.local(f32), kind = fn.local(i32);
  const stepSize = fn.local(f32), rsb2 = fn.local(f32);
  const n4 = fn.local(i32), tail = fn.local(i32);
  const setup: Expr[] = [
    fn.set(lr, hp("lr")), fn.set(b1, hp("beta1")), fn.set(b2, hp("beta2")), fn.set(eps, hp("eps")),
    fn.set(wd, hp("weight_decay")), fn.set(bc1, hp("bias_correction1")),
    fn.set(bc2, hp("bias_correction2")), fn.set(kind, m.i32.trunc_s_sat.f32(hp("kind"))),
    // Adam's bias corrections folded into two scalars: lr/bc1, and 1/√bc2 (one division per element, not three)
    fn.set(stepSize, m.f32.div(fn.get(lr, f32), fn.get(bc1, f32))),
    fn.set(rsb2, m.f32.div(fn.f32(1), m.f32.sqrt(fn.get(bc2, f32)))),
    // clip by value when clip_value > 0, else clamp to ±∞ (gradients are finite here: train_step checked)
    fn.set(cv, m.select(m.f32.gt(hp("clip_value"), fn.f32(0)), hp("clip_value"), fn.f32(Infinity))),
    fn.set(n4, m.i32.shr_u(N(), fn.i32(2))),
    fn.set(tail, m.i32.shl(fn.get(n4), fn.i32(2))),
  ];
  const loops = OPTIMIZER_KINDS.map((_, k) => m.if(m.i32.eq(fn.get(kind), fn.i32(k)), m.block(null, [
    ruleLoop(k, true, fn.get(n4), (b) => b),
    ruleLoop(k, false, m.i32.sub(N(), fn.get(tail)), (b) => m.i32.add(b, m.i32.shl(fn.get(tail), fn.i32(2)))),
  ])));
  function ruleLoop(k: number, vec: boolean, count: Expr, base: (b: Expr) => Expr): Expr {
    const L = new Lanes(fn, vec);
    const type = vec ? v128 : f32;
    const { load, store } = elementAccess(fn, m, vec);
    // uniform operands: the hyper-parameters in every lane, set once before the loop (L.stmts)
    const uniforms = new Map<number, () => Expr>();
    const uni = (l: number): Expr => {
      let u = uniforms.get(l);
      if (u === undefined) uniforms.set(l, (u = L.let(L.splat(fn.get(l, f32)))));
      return u();
    };
    const scale = 5; // the parameter
    const omb1 = L.let(L.splat(m.f32.sub(fn.f32(1), fn.get(b1, f32)))), omb2 = L.let(L.splat(m.f32.sub(fn.f32(1), fn.get(b2, f32))));
    const lrWd = L.let(L.splat(m.f32.mul(fn.get(lr, f32), fn.get(wd, f32))));
    const g = fn.local(type), mm = fn.local(type), vv = fn.local(type), p = fn.local(type);
    const F = (l: number) => fn.get(l, type);
    const loop = fn.loop(count, (i) => {
      const idx = () => fn.get(i);
      const s: Expr[] = [
        fn.set(p, load(base(P()), idx())),
        fn.set(g, L.mul(load(base(G()), idx()), uni(scale))),
        fn.set(g, L.min(L.max(F(g), L.neg(uni(cv))), uni(cv))),
      ];
      if (k === 6) s.push(fn.set(p, L.sub(F(p), L.mul(lrWd(), F(p)))));
      else s.push(fn.set(g, L.add(F(g), L.mul(uni(wd), F(p)))));
      switch (OPTIMIZER_KINDS[k]) {
        case "sgd":
          s.push(fn.set(p, L.sub(F(p), L.mul(uni(lr), F(g)))));
          break;
        case "momentum":
        case "nesterov": {
          s.push(fn.set(mm, L.add(L.mul(uni(b1), load(base(M()), idx())), F(g))));
          s.push(store(base(M()), idx(), F(mm)));
          const step = OPTIMIZER_KINDS[k] === "nesterov" ? L.add(F(g), L.mul(uni(b1), F(mm))) : F(mm);
          s.push(fn.set(p, L.sub(F(p), L.mul(uni(lr), step))));
          break;
        }
        case "adagrad":
          s.push(fn.set(vv, L.add(load(base(V()), idx()), L.mul(F(g), F(g)))));
          s.push(store(base(V()), idx(), F(vv)));
          s.push(fn.set(p, L.sub(F(p), L.div(L.mul(uni(lr), F(g)), L.add(L.sqrt(F(vv)), uni(eps))))));
          break;
        case "rmsprop":
          s.push(fn.set(vv, L.add(L.mul(uni(b2), load(base(V()), idx())), L.mul(omb2(), L.mul(F(g), F(g))))));
          s.push(store(base(V()), idx(), F(vv)));
          s.push(fn.set(p, L.sub(F(p), L.div(L.mul(uni(lr), F(g)), L.add(L.sqrt(F(vv)), uni(eps))))));
          break;
        case "adam":
        case "adamw":
          s.push(fn.set(mm, L.add(L.mul(uni(b1), load(base(M()), idx())), L.mul(omb1(), F(g)))));
          s.push(fn.set(vv, L.add(L.mul(uni(b2), load(base(V()), idx())), L.mul(omb2(), L.mul(F(g), F(g))))));
          s.push(store(base(M()), idx(), F(mm)), store(base(V()), idx(), F(vv)));
          // p − (lr/bc1)·m / (√v·(1/√bc2) + eps): PyTorch's form (step size lr/bc1, denominator
          // √v/√bc2 + eps) with the division by √bc2 as a multiplication
          s.push(fn.set(p, L.sub(F(p), L.div(
            L.mul(uni(stepSize), F(mm)),
            L.add(L.mul(L.sqrt(F(vv)), uni(rsb2)), uni(eps))))));
          break;
      }
      s.push(store(base(P()), idx(), F(p)));
      return s;
    });
    return m.block(null, [...L.stmts, loop]);
  }
  fn.finish("opt_update", bn.createType([i32, i32, i32, i32, i32, f32]), [...setup, ...loops]);
}

/**
 * ema_update(p, a, n): a ← d·a + (1 − d)·p for n elements, d = ema_decay (at d = 0 the average
 * becomes the parameter exactly). Four at a time, then the last n mod 4 one by one: the same
 * operations lane by lane.
 */
function emitAverage(bn: Binaryen, m: Module, hyperAt: Poly): void {
  const f32 = bn.f32, i32 = bn.i32, v128 = bn.v128;
  const fn = new Fn(bn, m, 3, () => { throw new Error("internal"); });
  const P = () => fn.get(0), A = () => fn.get(1), N = () => fn.get(2);
  const d = fn.local(f32), n4 = fn.local(i32), tail = fn.local(i32);
  const setup: Expr[] = [
    fn.set(d, m.f32.load(H("ema_decay"), 4, fn.poly(hyperAt))),
    fn.set(n4, m.i32.shr_u(N(), fn.i32(2))),
    fn.set(tail, m.i32.shl(fn.get(n4), fn.i32(2))),
  ];
  const loop = (vec: boolean, count: Expr, base: (b: Expr) => Expr): Expr => {
    const L = new Lanes(fn, vec);
    const type = vec ? v128 : f32;
    const { load, store } = elementAccess(fn, m, vec);
    const dd = L.let(L.splat(fn.get(d, f32))), omd = L.let(L.splat(m.f32.sub(fn.f32(1), fn.get(d, f32))));
    const x = fn.local(type);
    const body = fn.loop(count, (i) => [
      fn.set(x, L.add(L.mul(dd(), load(base(A()), fn.get(i))), L.mul(omd(), load(base(P()), fn.get(i))))),
      store(base(A()), fn.get(i), fn.get(x, type)),
    ]);
    return m.block(null, [...L.stmts, body]);
  };
  fn.finish("ema_update", bn.createType([i32, i32, i32]), [
    ...setup,
    loop(true, fn.get(n4), (b) => b),
    loop(false, m.i32.sub(N(), fn.get(tail)), (b) => m.i32.add(b, m.i32.shl(fn.get(tail), fn.i32(2)))),
  ]);
}
