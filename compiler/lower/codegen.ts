import type { Shape } from "../ir/types.ts";
import type { Binaryen, Expr, Module } from "./binaryen.ts";
import type { Poly } from "./memory.ts";

/**
 * Builds one WebAssembly function: its locals, the address of every tensor it touches, and
 * structured loops. Every function takes (B: i32, T: i32) first; scan bodies also take one
 * address per body input.
 */
export class Fn {
  private readonly vars: number[] = [];
  private readonly prologue: Expr[] = [];
  private readonly addrLocals = new Map<string, number>();
  private labels = 0;

  constructor(
    readonly bn: Binaryen,
    readonly m: Module,
    readonly nParams: number,
    /** Where each value lives: a polynomial in B and T, or an address parameter. */
    private readonly where: (v: string) => Poly | { param: number },
  ) {}

  get B(): Expr { return this.m.local.get(0, this.bn.i32); }
  get T(): Expr { return this.m.local.get(1, this.bn.i32); }

  local(type: number = this.bn.i32): number {
    this.vars.push(type);
    return this.nParams + this.vars.length - 1;
  }

  get(i: number, type: number = this.bn.i32): Expr { return this.m.local.get(i, type); }
  set(i: number, v: Expr): Expr { return this.m.local.set(i, v); }
  i32(n: number): Expr { return this.m.i32.const(n | 0); }
  f32(x: number): Expr { return this.m.f32.const(x); }

  /** The byte address of a value; computed once per call, in the prologue. */
  addr(v: string): Expr {
    let l = this.addrLocals.get(v);
    if (l === undefined) {
      const w = this.where(v);
      if ("param" in w) return this.get(w.param);
      l = this.local();
      this.addrLocals.set(v, l);
      this.prologue.push(this.set(l, this.poly(w)));
    }
    return this.get(l);
  }

  /** A polynomial in B and T as an i32 expression. */
  poly(p: Poly): Expr {
    const m = this.m;
    let e: Expr = this.i32(p[0]);
    if (p[1]) e = m.i32.add(e, m.i32.mul(this.i32(p[1]), this.B));
    if (p[2]) e = m.i32.add(e, m.i32.mul(this.i32(p[2]), this.T));
    if (p[3]) e = m.i32.add(e, m.i32.mul(this.i32(p[3]), m.i32.mul(this.B, this.T)));
    return e;
  }

  dim(d: Shape[number]): Expr {
    return d === "B" ? this.B : d === "T" ? this.T : this.i32(d);
  }

  /** Product of dims as an i32 expression (folding constants). */
  count(dims: Shape): Expr {
    let c = 1;
    const sym: Expr[] = [];
    for (const d of dims) {
      if (typeof d === "number") c *= d;
      else sym.push(this.dim(d));
    }
    let e: Expr | null = c === 1 && sym.length ? null : this.i32(c);
    for (const s of sym) e = e === null ? s : this.m.i32.mul(e, s);
    return e!;
  }

  label(hint: string): string {
    return `${hint}${++this.labels}`;
  }

  /** for (i = 0; i < n; i++) body — n is evaluated once. */
  loop(n: Expr, body: (i: number) => Expr[]): Expr {
    const m = this.m;
    const i = this.local(), end = this.local();
    const brk = this.label("done"), top = this.label("loop");
    return m.block(null, [
      this.set(end, n),
      this.set(i, this.i32(0)),
      m.block(brk, [
        m.br(brk, m.i32.ge_s(this.get(i), this.get(end))),
        m.loop(top, m.block(null, [
          ...body(i),
          this.set(i, m.i32.add(this.get(i), this.i32(1))),
          m.br(top, m.i32.lt_s(this.get(i), this.get(end))),
        ])),
      ]),
    ]);
  }

  // memory access on f32 elements: base address + element index · 4
  at(base: Expr, index: Expr): Expr {
    return this.m.i32.add(base, this.m.i32.shl(index, this.i32(2)));
  }
  loadF(base: Expr, index: Expr): Expr { return this.m.f32.load(0, 4, this.at(base, index)); }
  storeF(base: Expr, index: Expr, v: Expr): Expr { return this.m.f32.store(0, 4, this.at(base, index), v); }
  loadI(base: Expr, index: Expr): Expr { return this.m.i32.load(0, 4, this.at(base, index)); }
  storeI(base: Expr, index: Expr, v: Expr): Expr { return this.m.i32.store(0, 4, this.at(base, index), v); }

  copy(dst: Expr, src: Expr, count: Expr): Expr {
    return this.m.memory.copy(dst, src, this.m.i32.shl(count, this.i32(2)));
  }
  zero(dst: Expr, count: Expr): Expr {
    return this.m.memory.fill(dst, this.i32(0), this.m.i32.shl(count, this.i32(2)));
  }

  /** Finishes the function: prologue (address locals) then body. */
  finish(name: string, params: number, body: Expr[], result: number = this.bn.none): void {
    const m = this.m;
    m.addFunction(name, params, result, this.vars, m.block(null, [...this.prologue, ...body], result));
  }
}
