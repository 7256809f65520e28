/**
 * The training step compiled into the module: one call runs forward, BPTT, the global gradient
 * norm, clipping and the optimizer update of every parameter — no per-parameter loop in JS.
 *
 * Hyper-parameters live in a small f32 region the runtime writes before each call (so a learning
 * rate schedule costs nothing to change); optimizer state (two slots per parameter) is pinned.
 */
import type { Binaryen, Expr, Module } from "./binaryen.ts";
import { Fn } from "./codegen.ts";
import type { Poly } from "./memory.ts";

/** Field order of the hyper-parameter region (f32 each). */
export const HYPER_FIELDS = [
  "lr", "beta1", "beta2", "eps", "weight_decay", "clip_norm", "clip_value",
  "bias_correction1", "bias_correction2", "kind",
  "grad_norm", // written by train_step: the global gradient norm before clipping
  "loss",      // written by train_step: the loss of this step
] as const;

/** Optimizer kinds, by the code written into the `kind` field. */
export const OPTIMIZER_KINDS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

/** train_step returns: 0 updated; 1 the loss is not finite; 2 a gradient is not finite (no update either way). */
export const TRAIN_STATUS = { ok: 0, lossNotFinite: 1, gradNotFinite: 2 } as const;

export interface TrainLayout {
  hyper: Poly;
  params: { p: Poly; g: Poly; m: Poly; v: Poly; count: number }[];
  loss: Poly;
  lossCotangent: Poly;
  /** Every cotangent region, zeroed before the backward pass (count in f32 elements, as polys of B, T). */
  cotangents: { at: Poly; count: Poly }[];
}

const H = (name: (typeof HYPER_FIELDS)[number]) => HYPER_FIELDS.indexOf(name) * 4;

/** Adds `opt_update(p, g, m, v, n, scale)` and `train_step(B, T) → i32`. */
export function emitTrainStep(bn: Binaryen, m: Module, L: TrainLayout): void {
  emitUpdate(bn, m, L.hyper);
  const f32 = bn.f32, i32 = bn.i32;
  const fn = new Fn(bn, m, 2, () => { throw new Error("internal: train_step reads no values"); });
  const hyper = () => fn.poly(L.hyper);
  const hyperGet = (field: (typeof HYPER_FIELDS)[number]) => m.f32.load(H(field), 4, hyper());
  const notFinite = (x: () => Expr) => m.f32.ne(m.f32.sub(x(), x()), fn.f32(0)); // x − x is NaN for ±Inf and NaN
  const norm2 = fn.local(f32), g = fn.local(f32), scale = fn.local(f32), norm = fn.local(f32);
  const code: Expr[] = [];
  for (const c of L.cotangents) code.push(m.memory.fill(fn.poly(c.at), fn.i32(0), m.i32.shl(fn.poly(c.count), fn.i32(2))));
  code.push(m.f32.store(0, 4, fn.poly(L.lossCotangent), fn.f32(1)));
  code.push(m.call("backward", [fn.B, fn.T], bn.none));
  const loss = fn.local(f32);
  code.push(fn.set(loss, m.f32.load(0, 4, fn.poly(L.loss))));
  code.push(m.f32.store(H("loss"), 4, hyper(), fn.get(loss, f32)));
  code.push(m.if(notFinite(() => fn.get(loss, f32)), m.return(fn.i32(1))));
  code.push(fn.set(norm2, fn.f32(0)));
  for (const p of L.params) {
    code.push(fn.loop(fn.i32(p.count), (i) => [
      fn.set(g, fn.loadF(fn.poly(p.g), fn.get(i))),
      fn.set(norm2, m.f32.add(fn.get(norm2, f32), m.f32.mul(fn.get(g, f32), fn.get(g, f32)))),
    ]));
  }
  code.push(fn.set(norm, m.f32.sqrt(fn.get(norm2, f32))));
  code.push(m.f32.store(H("grad_norm"), 4, hyper(), fn.get(norm, f32)));
  code.push(m.if(notFinite(() => fn.get(norm, f32)), m.return(fn.i32(2))));
  // clip by global norm: scale = clip / norm when norm > clip > 0
  const clip = fn.local(f32);
  code.push(fn.set(clip, hyperGet("clip_norm")));
  code.push(fn.set(scale, m.select(
    m.i32.and(m.f32.gt(fn.get(clip, f32), fn.f32(0)), m.f32.gt(fn.get(norm, f32), fn.get(clip, f32))),
    m.f32.div(fn.get(clip, f32), fn.get(norm, f32)), fn.f32(1))));
  for (const p of L.params) {
    code.push(m.call("opt_update", [fn.poly(p.p), fn.poly(p.g), fn.poly(p.m), fn.poly(p.v), fn.i32(p.count), fn.get(scale, f32)], bn.none));
  }
  code.push(m.return(fn.i32(0)));
  fn.finish("train_step", bn.createType([i32, i32]), [...code, fn.i32(0)], i32);
}

/**
 * opt_update(p, g, m, v, n, scale): for each of n elements, g' = clip_value(scale·g) (+ L2 decay),
 * then the update rule picked by `kind`, branch-free inside each loop.
 */
function emitUpdate(bn: Binaryen, m: Module, hyperAt: Poly): void {
  const f32 = bn.f32, i32 = bn.i32;
  // params: 0 p, 1 g, 2 m, 3 v, 4 n, 5 scale  (no B/T: Fn's B/T getters are not used here)
  const fn = new Fn(bn, m, 6, () => { throw new Error("internal"); });
  const P = () => fn.get(0), G = () => fn.get(1), M = () => fn.get(2), V = () => fn.get(3), N = () => fn.get(4);
  const hyper = () => fn.poly(hyperAt); // constant address: no B/T terms
  const hp = (f: (typeof HYPER_FIELDS)[number]) => m.f32.load(H(f), 4, hyper());
  const lr = fn.local(f32), b1 = fn.local(f32), b2 = fn.local(f32), eps = fn.local(f32), wd = fn.local(f32);
  const cv = fn.local(f32), bc1 = fn.local(f32), bc2 = fn.local(f32), kind = fn.local(i32);
  const g = fn.local(f32), mm = fn.local(f32), vv = fn.local(f32), p = fn.local(f32);
  const F = (l: number) => fn.get(l, f32);
  const setup: Expr[] = [
    fn.set(lr, hp("lr")), fn.set(b1, hp("beta1")), fn.set(b2, hp("beta2")), fn.set(eps, hp("eps")),
    fn.set(wd, hp("weight_decay")), fn.set(cv, hp("clip_value")), fn.set(bc1, hp("bias_correction1")),
    fn.set(bc2, hp("bias_correction2")), fn.set(kind, m.i32.trunc_s_sat.f32(hp("kind"))),
  ];
  const one = () => fn.f32(1);
  const loops = OPTIMIZER_KINDS.map((_, k) => m.if(m.i32.eq(fn.get(kind), fn.i32(k)), elementLoop(k)));
  function elementLoop(k: number): Expr {
    return fn.loop(N(), (i) => {
      const idx = () => fn.get(i);
      const s: Expr[] = [
        fn.set(p, fn.loadF(P(), idx())),
        fn.set(g, m.f32.mul(fn.loadF(G(), idx()), fn.get(5, f32))),
        // clip by value when clip_value > 0
        fn.set(g, m.select(m.f32.gt(F(cv), fn.f32(0)), m.f32.min(m.f32.max(F(g), m.f32.neg(F(cv))), F(cv)), F(g))),
      ];
      if (k === 6) s.push(fn.set(p, m.f32.sub(F(p), m.f32.mul(m.f32.mul(F(lr), F(wd)), F(p)))));
      else s.push(fn.set(g, m.f32.add(F(g), m.f32.mul(F(wd), F(p)))));
      switch (OPTIMIZER_KINDS[k]) {
        case "sgd":
          s.push(fn.set(p, m.f32.sub(F(p), m.f32.mul(F(lr), F(g)))));
          break;
        case "momentum":
        case "nesterov": {
          s.push(fn.set(mm, m.f32.add(m.f32.mul(F(b1), fn.loadF(M(), idx())), F(g))));
          s.push(fn.storeF(M(), idx(), F(mm)));
          const step = OPTIMIZER_KINDS[k] === "nesterov" ? m.f32.add(F(g), m.f32.mul(F(b1), F(mm))) : F(mm);
          s.push(fn.set(p, m.f32.sub(F(p), m.f32.mul(F(lr), step))));
          break;
        }
        case "adagrad":
          s.push(fn.set(vv, m.f32.add(fn.loadF(V(), idx()), m.f32.mul(F(g), F(g)))));
          s.push(fn.storeF(V(), idx(), F(vv)));
          s.push(fn.set(p, m.f32.sub(F(p), m.f32.div(m.f32.mul(F(lr), F(g)), m.f32.add(m.f32.sqrt(F(vv)), F(eps))))));
          break;
        case "rmsprop":
          s.push(fn.set(vv, m.f32.add(m.f32.mul(F(b2), fn.loadF(V(), idx())), m.f32.mul(m.f32.sub(one(), F(b2)), m.f32.mul(F(g), F(g))))));
          s.push(fn.storeF(V(), idx(), F(vv)));
          s.push(fn.set(p, m.f32.sub(F(p), m.f32.div(m.f32.mul(F(lr), F(g)), m.f32.add(m.f32.sqrt(F(vv)), F(eps))))));
          break;
        case "adam":
        case "adamw":
          s.push(fn.set(mm, m.f32.add(m.f32.mul(F(b1), fn.loadF(M(), idx())), m.f32.mul(m.f32.sub(one(), F(b1)), F(g)))));
          s.push(fn.set(vv, m.f32.add(m.f32.mul(F(b2), fn.loadF(V(), idx())), m.f32.mul(m.f32.sub(one(), F(b2)), m.f32.mul(F(g), F(g))))));
          s.push(fn.storeF(M(), idx(), F(mm)), fn.storeF(V(), idx(), F(vv)));
          s.push(fn.set(p, m.f32.sub(F(p), m.f32.div(
            m.f32.mul(F(lr), m.f32.div(F(mm), F(bc1))),
            m.f32.add(m.f32.sqrt(m.f32.div(F(vv), F(bc2))), F(eps))))));
          break;
      }
      s.push(fn.storeF(P(), idx(), F(p)));
      return s;
    });
  }
  fn.finish("opt_update", bn.createType([i32, i32, i32, i32, i32, f32]), [...setup, ...loops]);
}
