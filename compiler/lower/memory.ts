import type { Dim, Graph, Node, Shape, TensorType } from "../ir/types.ts";
import { VECTOR_MATH_CONSTANTS_BYTES } from "./mathfns.ts";

/**
 * A byte offset or size as a function of the run-time dims: p[0] + p[1]·B + p[2]·T + p[3]·B·T.
 * Every tensor's size is one monomial of this form, so memory is planned as four arenas — one per
 * monomial (constant, B, T, B·T) — laid out one after another. Within an arena, buffers are
 * packed by liveness with sizes in units of the arena's monomial, which makes the plan valid for
 * every B and T at once.
 */
export type Poly = [number, number, number, number];

export const ALIGN = 16;

/**
 * The start of memory, below every arena: ALIGN · 4 bytes kept unused (a null pointer never
 * aliases a tensor), then the constant table of the vector math functions
 * (compiler/lower/mathfns.ts), which every module holds as a data segment and never writes.
 */
export const CONSTANTS_AT = ALIGN * 4;
const ARENAS_AT = CONSTANTS_AT + Math.ceil(VECTOR_MATH_CONSTANTS_BYTES / ALIGN) * ALIGN;

export type ArenaKind = 0 | 1 | 2 | 3; // const, B, T, BT

export function evalPoly(p: Poly, B: number, T: number): number {
  return p[0] + p[1] * B + p[2] * T + p[3] * B * T;
}

export function addPoly(a: Poly, b: Poly): Poly {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]];
}

/** Byte size of a tensor as (arena, coefficient) — the coefficient rounded up to ALIGN. */
export function sizeOf(shape: Shape, bytes = 4): { arena: ArenaKind; coef: number } {
  let coef = bytes, hasB = false, hasT = false;
  for (const d of shape) {
    if (d === "B") hasB = true;
    else if (d === "T") hasT = true;
    else coef *= d;
  }
  coef = Math.ceil(coef / ALIGN) * ALIGN;
  return { arena: ((hasB ? 1 : 0) + (hasT ? 2 : 0)) as ArenaKind, coef: Math.max(coef, ALIGN) };
}

/** First-fit allocator over one arena, in coefficient units, with coalescing free list. */
class Arena {
  private free: { at: number; size: number }[] = [];
  top = 0;

  alloc(size: number): number {
    for (let i = 0; i < this.free.length; i++) {
      const f = this.free[i]!;
      if (f.size >= size) {
        const at = f.at;
        if (f.size === size) this.free.splice(i, 1);
        else { f.at += size; f.size -= size; }
        return at;
      }
    }
    // grow, reusing a free block at the top if there is one
    const last = this.free[this.free.length - 1];
    if (last && last.at + last.size === this.top) {
      this.free.pop();
      this.top = last.at + size;
      return last.at;
    }
    const at = this.top;
    this.top += size;
    return at;
  }

  release(at: number, size: number): void {
    this.free.push({ at, size });
    this.free.sort((a, b) => a.at - b.at);
    const merged: { at: number; size: number }[] = [];
    for (const f of this.free) {
      const prev = merged[merged.length - 1];
      if (prev && prev.at + prev.size === f.at) prev.size += f.size;
      else merged.push({ ...f });
    }
    this.free = merged;
  }
}

/** An arena-relative placement; made absolute by `Layout.resolve` once every arena's size is known. */
export interface Slot { arena: ArenaKind; at: number }

/**
 * Four arenas; `pinned` slots (the tensors the outside world sees) come first and are never
 * reused, then scratch, which the planner reuses by liveness and which entries share.
 */
export class Layout {
  readonly pinnedArenas = [new Arena(), new Arena(), new Arena(), new Arena()];
  /** Scratch size needed per arena: the max over every entry planned. */
  readonly scratchTop: [number, number, number, number] = [0, 0, 0, 0];

  pin(shape: Shape, bytes = 4): Slot {
    const { arena, coef } = sizeOf(shape, bytes);
    return { arena, at: this.pinnedArenas[arena]!.alloc(coef) };
  }

  /** Start of each arena and of its scratch part, in bytes, as polynomials. */
  private bases(): { arena: Poly[]; scratch: Poly[] } {
    const size = [0, 1, 2, 3].map((k) => this.pinnedArenas[k]!.top + this.scratchTop[k]!);
    const start = ARENAS_AT;
    const arena: Poly[] = [
      [start, 0, 0, 0],
      [start + size[0]!, 0, 0, 0],
      [start + size[0]!, size[1]!, 0, 0],
      [start + size[0]!, size[1]!, size[2]!, 0],
    ];
    const unit: Poly[] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    const scratch = arena.map((a, k) => addPoly(a, scale(unit[k]!, this.pinnedArenas[k]!.top)));
    return { arena, scratch };
  }

  resolvePinned(s: Slot): Poly {
    return addPoly(this.bases().arena[s.arena]!, scale(UNIT[s.arena]!, s.at));
  }

  resolveScratch(s: Slot): Poly {
    return addPoly(this.bases().scratch[s.arena]!, scale(UNIT[s.arena]!, s.at));
  }

  /** Total bytes for B, T. */
  totalBytes(): Poly {
    const { arena } = this.bases();
    const last = arena[3]!;
    return addPoly(last, [0, 0, 0, this.pinnedArenas[3]!.top + this.scratchTop[3]!]);
  }
}

const UNIT: Poly[] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];

function scale(p: Poly, k: number): Poly {
  return [p[0] * k, p[1] * k, p[2] * k, p[3] * k];
}

/** Scratch memory a kernel needs while its node runs, besides its outputs. */
export interface ScratchNeed { shape: Shape; bytes?: number; id: string }

/**
 * Scratch needs by op, registered by the kernels that have them (./kernels.ts): the planner gives
 * every such node its scratch, live only while the node runs, under ids from `scratchId`, which
 * the kernel reads back with `fn.addr(id)`.
 */
export const kernelScratch = new Map<string, (n: Node, type: (v: string) => TensorType) => ScratchNeed[]>();

/** The id of a node's scratch region `what` (unique per node: node outputs are unique). */
export function scratchId(n: Node, what: string): string {
  return `#scratch:${n.outputs[0]}:${what}`;
}

/** A value's location: a pinned or scratch slot. */
export type Place = { kind: "pinned" | "scratch"; slot: Slot };

/**
 * Plans one function's scratch. `fixed` values are already placed (pinned tensors, or values
 * passed in as parameters) and are never allocated here. `extra(i)` lists additional scratch
 * a node needs while it runs (a scan's body and its masked copies), besides the kernels' own
 * (`kernelScratch`). Values that are outputs of
 * the graph live to the end. Returns the scratch slot of every other node output.
 */
export class ScratchPlanner {
  readonly arenas = [new Arena(), new Arena(), new Arena(), new Arena()];

  plan(
    g: Graph,
    fixed: Set<string>,
    extra: (nodeIndex: number) => ScratchNeed[] = () => [],
    bytesOf: (v: string) => number = () => 4,
  ): Map<string, Slot> {
    const last = new Map<string, number>();
    g.nodes.forEach((n, i) => n.inputs.forEach((v) => last.set(v, i)));
    for (const v of g.outputs) last.set(v, Infinity);
    const slots = new Map<string, Slot>();
    const sizes = new Map<string, { arena: ArenaKind; coef: number }>();
    const releaseAt = new Map<number, string[]>();
    g.nodes.forEach((n, i) => {
      const need = kernelScratch.get(n.op);
      const temps = [...extra(i), ...(need ? need(n, (v) => g.types.get(v)!) : [])].map((e) => {
        const s = sizeOf(e.shape, e.bytes ?? 4);
        const slot = { arena: s.arena, at: this.arenas[s.arena]!.alloc(s.coef) };
        slots.set(e.id, slot);
        return { slot, coef: s.coef };
      });
      for (const o of n.outputs) {
        if (fixed.has(o) || slots.has(o)) continue;
        const s = sizeOf(g.types.get(o)!.shape, bytesOf(o));
        sizes.set(o, s);
        slots.set(o, { arena: s.arena, at: this.arenas[s.arena]!.alloc(s.coef) });
        const end = last.get(o) ?? i; // unused outputs die right after their node
        if (end !== Infinity) releaseAt.set(end, [...(releaseAt.get(end) ?? []), o]);
      }
      for (const t of temps) this.arenas[t.slot.arena]!.release(t.slot.at, t.coef);
      for (const v of releaseAt.get(i) ?? []) {
        const s = slots.get(v)!, sz = sizes.get(v)!;
        this.arenas[s.arena]!.release(s.at, sz.coef);
      }
    });
    return slots;
  }

  tops(): [number, number, number, number] {
    return [this.arenas[0]!.top, this.arenas[1]!.top, this.arenas[2]!.top, this.arenas[3]!.top];
  }
}

export function dimPoly(d: Dim): Poly {
  return d === "B" ? [0, 1, 0, 0] : d === "T" ? [0, 0, 1, 0] : [d, 0, 0, 0];
}
