/**
 * The one place that loads binaryen.js. It is ~15 MB and takes seconds to import: load it once,
 * on first use, and only in commands that compile.
 */
import type binaryenType from "binaryen";

export type Binaryen = typeof binaryenType;
export type Module = binaryenType.Module;
export type Expr = binaryenType.ExpressionRef;

let loaded: Promise<Binaryen> | null = null;

export function loadBinaryen(): Promise<Binaryen> {
  loaded ??= import("binaryen").then((mod) => mod.default);
  return loaded;
}

/**
 * The largest function (in Binaryen expressions, measured after its function-level passes) that
 * Binaryen may inline into its only caller; its default is no limit. A scan body is called once,
 * from its loop: inlined, its parameters and its locals (thousands, for a body of a thousand
 * equations, whose backward scan reads one residual per equation) become locals of the caller,
 * zeroed on every iteration, and the passes that then re-optimize the caller (simplify-locals,
 * which rechecks its pending local.sets at every call and store) take time quadratic in the body:
 * 118 s instead of 0.1 s for a chain of 800 equations. The largest body of the examples measures
 * ~2,900, so they are inlined as before; a larger body stays a function, at the cost of one call
 * per time step.
 */
export const ONE_CALLER_INLINE_MAX_SIZE = 4096;

/**
 * Binaryen's optimize settings are process-wide: set them for one compile and restore them after.
 */
export function withOptimizeSettings<R>(b: Binaryen, level: number, shrink: number, f: () => R): R {
  const prevLevel = b.getOptimizeLevel(), prevShrink = b.getShrinkLevel(), prevFast = b.getFastMath();
  const prevOneCaller = b.getOneCallerInlineMaxSize();
  b.setOptimizeLevel(level);
  b.setShrinkLevel(shrink);
  b.setFastMath(false);
  b.setOneCallerInlineMaxSize(ONE_CALLER_INLINE_MAX_SIZE);
  try {
    return f();
  } finally {
    b.setOptimizeLevel(prevLevel);
    b.setShrinkLevel(prevShrink);
    b.setFastMath(prevFast);
    b.setOneCallerInlineMaxSize(prevOneCaller);
  }
}

/**
 * f32x4.relaxed_madd(a, b, c) = a·b + c, rounded once or twice as the hardware does it (relaxed
 * SIMD; the module needs Features.RelaxedSIMD). binaryen.js wraps none of the relaxed ops: this
 * calls its C API on the module.
 */
export function relaxedMaddF32x4(b: Binaryen, m: Module, a: Expr, x: Expr, c: Expr): Expr {
  const api = b as unknown as { _BinaryenSIMDTernary(module: number, op: number, a: Expr, b: Expr, c: Expr): Expr };
  return api._BinaryenSIMDTernary(m.ptr, b.RelaxedMaddVecF32x4 as unknown as number, a, x, c);
}

/** Fields of binaryen's expression info that hold child expressions. */
const CHILD_FIELDS = ["condition", "ifTrue", "ifFalse", "body", "value", "ptr", "left", "right", "vec", "shift",
  "a", "b", "c", "delta", "dest", "source", "size", "target", "expected", "replacement", "offset"] as const;
const CHILD_LISTS = ["children", "operands"] as const;

/**
 * Binaryen's IR is a tree: an ExpressionRef used twice is accepted by the validator and by -O0, and
 * then miscompiled or aborted on by the optimizer. This walks every function body and names the
 * first function where a node is reached twice (a debugging aid the tests run on every module).
 */
export function findSharedExpression(b: Binaryen, m: Module): string | null {
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const fn = b.getFunctionInfo(m.getFunctionByIndex(i));
    if (!fn.body) continue;
    const seen = new Set<number>();
    const stack: number[] = [fn.body];
    const parent = new Map<number, number>();
    const push = (c: number, p: number) => { if (!seen.has(c)) parent.set(c, p); else stack.push(-p - 1); stack.push(c); };
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (e < 0) continue;
      if (seen.has(e)) {
        const where = (x: number | undefined) => x === undefined ? "?" : b.emitText(x).replace(/\s+/g, " ").slice(0, 160);
        return `${fn.name}: expression ${where(e)} (ref ${e}) appears twice, in ${where(parent.get(e))}`;
      }
      seen.add(e);
      const id = b.getExpressionId(e);
      if (id === b.UnreachableId || id === b.NopId || id === b.ConstId || id === b.LocalGetId || id === b.GlobalGetId) continue;
      let info: Record<string, unknown>;
      try {
        info = b.getExpressionInfo(e) as unknown as Record<string, unknown>;
      } catch {
        throw new Error(`no info for expression id ${b.getExpressionId(e)}: ${b.emitText(e).slice(0, 200)}`);
      }
      for (const f of CHILD_FIELDS) {
        // `offset` is a child only in memory.init; elsewhere (loads, stores) it is an immediate
        if (f === "offset" && info.id !== b.MemoryInitId) continue;
        const c = info[f];
        if (typeof c === "number" && c !== 0) push(c, e);
      }
      for (const f of CHILD_LISTS) {
        const list = info[f];
        if (Array.isArray(list)) for (const c of list) if (typeof c === "number" && c !== 0) push(c, e);
      }
    }
  }
  return null;
}
