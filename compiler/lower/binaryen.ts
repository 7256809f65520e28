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
 * Binaryen's optimize settings are process-wide: set them for one compile and restore them after.
 */
export function withOptimizeSettings<R>(b: Binaryen, level: number, shrink: number, f: () => R): R {
  const prevLevel = b.getOptimizeLevel(), prevShrink = b.getShrinkLevel(), prevFast = b.getFastMath();
  b.setOptimizeLevel(level);
  b.setShrinkLevel(shrink);
  b.setFastMath(false);
  try {
    return f();
  } finally {
    b.setOptimizeLevel(prevLevel);
    b.setShrinkLevel(prevShrink);
    b.setFastMath(prevFast);
  }
}
