import { RnncError } from "../diagnostics.ts";
import type { AttrKind, Builder } from "../ir/builder.ts";
import type { AttrValue, Attrs, Dim, TensorType } from "../ir/types.ts";
import { getOp, hasOp } from "../ops/registry.ts";
import { caretLine, ExprSyntaxError, formatExpr, parseExpression } from "./expr.ts";
import type { Expr } from "./expr.ts";

/** An equation as written in a file: an expression string, a number, or a node `{op, args, ...attrs}`. */
export type Equation = string | number | { op: string; args?: Equation[]; [attr: string]: unknown };

/** Ops that are the compiler's own plumbing, not functions a user calls. */
const INTERNAL = new Set(["scan", "sum_to", "expand_like", "numel", "outer", "pad", "zeros_like", "scatter_rows", "step", "sign", "greater_equal"]);

/** Converts the explicit node form into the same AST as the expression form. */
export function nodeToExpr(eq: Equation, where: string): Expr {
  if (typeof eq === "string") return parseWithContext(eq, where);
  if (typeof eq === "number") return { kind: "num", value: eq, pos: 0 };
  const { op, args = [], ...attrs } = eq;
  return {
    kind: "call",
    fn: op,
    args: args.map((a, i) => nodeToExpr(a, `${where}.args[${i}]`)),
    kwargs: Object.entries(attrs).map(([name, v]) => ({ name, value: attrToExpr(v, `${where}.${name}`), pos: 0 })),
    pos: 0,
  };
}

function attrToExpr(v: unknown, where: string): Expr {
  if (typeof v === "number") return { kind: "num", value: v, pos: 0 };
  if (typeof v === "boolean") return { kind: "name", name: String(v), pos: 0 };
  if (typeof v === "string") return { kind: "name", name: v, pos: 0 };
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) {
    return { kind: "list", items: v.map((x) => ({ kind: "num", value: x, pos: 0 })), pos: 0 };
  }
  throw new RnncError(`${where}: expected a number, boolean, string or list of numbers`);
}

function parseWithContext(src: string, where: string): Expr {
  try {
    return parseExpression(src);
  } catch (e) {
    if (e instanceof ExprSyntaxError) {
      const caret = caretLine(src, e.pos).split("\n").map((l) => `    ${l}`).join("\n");
      throw new RnncError(`${where}: ${e.message}\n${caret}`);
    }
    throw e;
  }
}

/** Names an expression reads (function and keyword names excluded). */
export function referencedNames(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case "name": out.add(e.name); break;
    case "unary": referencedNames(e.arg, out); break;
    case "binary": referencedNames(e.left, out); referencedNames(e.right, out); break;
    case "call": e.args.forEach((a) => referencedNames(a, out)); break;
    default: break;
  }
  return out;
}

/**
 * How a shape prints in error messages. In a cell (`perExample`, the default) the implicit batch
 * dim is left out: `[H=8]`; in a model every value shows its batch and time dims: `[T, B, H=8]`.
 * `dimNames` are the declared trailing dims (sizes names print as `H=8`).
 */
export function describeType(t: TensorType, dimNames?: (string | number)[], sizes?: Record<string, number>, perExample = true): string {
  const shown = perExample ? t.shape.filter((d) => d !== "B") : t.shape;
  if (dimNames && dimNames.length <= shown.length) {
    const lead = shown.length - dimNames.length;
    return `[${shown.map((d, i) => {
      const n = i < lead ? undefined : dimNames[i - lead];
      return typeof n === "string" && sizes?.[n] !== undefined ? `${n}=${sizes[n]}` : String(d);
    }).join(", ")}]`;
  }
  return `[${shown.join(", ")}]`;
}

/**
 * Lowers named equations into a Builder, in dependency order. `values` maps the names in
 * scope to IR values; `labels` says how an IR value prints in an error message.
 */
export class Scope {
  readonly values = new Map<string, string>();
  readonly labels = new Map<string, string>();
  /** `perExample`: a cell's scope, whose values print without the implicit batch dim. */
  constructor(readonly b: Builder, readonly file: string, readonly perExample = true) {
    b.describe = (v, t) => `${this.labels.get(v) ?? v} ${this.shape(t)}`;
  }

  /** A shape as error messages show it in this scope (see describeType). */
  shape(t: TensorType, dims?: (string | number)[], sizes?: Record<string, number>): string {
    return describeType(t, dims, sizes, this.perExample);
  }

  /** A value as error messages show it, e.g. `Wix [H=8, I=4]` or `enc.h [T, B, 8]`. */
  show(v: string): string {
    return this.b.describe(v, this.b.type(v));
  }

  define(name: string, value: string, label?: string): void {
    this.values.set(name, value);
    this.labels.set(value, label ?? name);
  }

  /** Describes a declared value, e.g. `Wix [H=128, I=64]`. */
  declare(name: string, value: string, dims: (string | number)[], sizes: Record<string, number>): void {
    this.define(name, value);
    this.b.describe = ((prev) => (v: string, t: TensorType) =>
      v === value ? `${name} ${this.shape(t, dims, sizes)}` : prev(v, t))(this.b.describe);
  }

  fail(where: string, message: string): never {
    throw new RnncError(`${this.file}: ${where}: ${message}`);
  }

  /** Lowers an expression; errors are prefixed with `file: where:`. */
  lower(e: Expr, where: string, hint?: string): string {
    try {
      return this.lowerExpr(e, hint);
    } catch (err) {
      if (err instanceof RnncError) throw new RnncError(err.problems.map((p) => `${this.file}: ${where}: ${p}`));
      throw err;
    }
  }

  private lowerExpr(e: Expr, hint?: string): string {
    const b = this.b;
    const named = (v: string) => {
      if (!this.labels.has(v)) this.labels.set(v, shorten(formatExpr(e)));
      return v;
    };
    switch (e.kind) {
      case "num":
        return named(b.scalar(e.value));
      case "name": {
        const v = this.values.get(e.name);
        if (v === undefined) throw new RnncError(`unknown name "${e.name}"${suggest(e.name, [...this.values.keys()])}`);
        return v;
      }
      case "list":
        throw new RnncError(`a list can only be a keyword argument`);
      case "unary": {
        const x = this.lowerExpr(e.arg);
        return e.op === "+" ? x : named(b.op("neg", [x], {}, hint));
      }
      case "binary": {
        const l = this.lowerExpr(e.left), r = this.lowerExpr(e.right);
        const op = { "+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul" }[e.op];
        return named(b.op(op, [l, r], {}, hint));
      }
      case "call": {
        if (!hasOp(e.fn) || INTERNAL.has(e.fn)) {
          const known = allFunctions();
          throw new RnncError(`unknown function "${e.fn}"${suggest(e.fn, known)}`);
        }
        const def = getOp(e.fn);
        const args = e.args.map((a) => this.lowerExpr(a));
        const attrs: Attrs = {};
        for (const k of e.kwargs) {
          const kind = def.attrs?.[k.name];
          if (!kind) {
            const known = Object.keys(def.attrs ?? {});
            const hint = suggest(k.name, known) || (known.length ? ` (it takes ${known.join(", ")})` : " (it takes none)");
            throw new RnncError(`${e.fn} has no argument "${k.name}"${hint}`);
          }
          attrs[k.name] = kwargValue(e.fn, k.name, kind, k.value);
        }
        return named(b.op(e.fn, args, attrs, hint));
      }
    }
  }
}

function kwargValue(fn: string, name: string, kind: AttrKind, v: Expr): AttrValue {
  if (kind === "bool") {
    if (v.kind === "name" && (v.name === "true" || v.name === "false")) return v.name === "true";
    if (v.kind === "num" && (v.value === 0 || v.value === 1)) return v.value === 1;
  } else if (kind === "string") {
    if (v.kind === "name") return v.name;
  } else if (kind === "ints") {
    if (v.kind === "list") return v.items.map((i) => (i as { value: number }).value);
  } else if (v.kind === "num") return v.value;
  const want = { bool: "true or false", string: "a name", ints: "a list of integers", number: "a number", int: "an integer", graph: "a graph", any: "a value" }[kind];
  throw new RnncError(`${fn}: argument "${name}" must be ${want}`);
}

function shorten(s: string): string {
  const t = s.replace(/^\((.*)\)$/, "$1");
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

export function allFunctions(): string[] {
  return ["add", "sub", "mul", "div", "neg", "matmul", "tanh", "sigmoid", "relu", "exp", "log", "sqrt", "abs", "maximum",
    "concat", "slice", "sum", "mean", "softmax", "log_softmax", "cross_entropy", "mse", "embedding", "one_hot",
    "where", "constant", "stop_gradient", "sequence_mask", "float"].filter((f) => hasOp(f));
}

/** ` (did you mean "x"?)` for a known name differing only in case, else the closest within edit distance 2, else "". */
export function suggest(name: string, known: string[]): string {
  let best = "", bestD = 3;
  for (const k of known) {
    if (k !== name && k.toLowerCase() === name.toLowerCase()) return ` (did you mean "${k}"?)`;
    const d = editDistance(name, k);
    if (d < bestD && d < name.length && d < k.length) { best = k; bestD = d; }
  }
  return best ? ` (did you mean "${best}"?)` : "";
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

/**
 * Orders named equations so each comes after what it reads. `owner(ref)` maps a referenced
 * name to the equation defining it (or undefined when it is not an equation: a param, input…).
 * A cycle is an error: values may depend on themselves only through carried state.
 */
export function orderEquations(
  deps: Map<string, Set<string>>,
  owner: (ref: string) => string | undefined,
  file: string,
  section: string,
): string[] {
  const order: string[] = [];
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (name: string) => {
    const s = state.get(name);
    if (s === 2) return;
    if (s === 1) {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      throw new RnncError(`${file}: ${section}: cycle ${cycle.join(" → ")} (a value can depend on itself only through carried state)`);
    }
    state.set(name, 1);
    stack.push(name);
    for (const ref of deps.get(name) ?? []) {
      const o = owner(ref);
      if (o !== undefined && o !== name) visit(o);
      // `a` reading `a`, or a scan `enc` reading its own results (`enc.final.h` in its init)
      else if (o === name) {
        throw new RnncError(`${file}: ${section}: cycle ${name} → ${name} (a value can depend on itself only through carried state)`);
      }
    }
    stack.pop();
    state.set(name, 2);
    order.push(name);
  };
  for (const name of deps.keys()) visit(name);
  return order;
}

/** Resolves a declared shape (numbers and size names) against the sizes in force. */
export function resolveShape(dims: (string | number)[], sizes: Record<string, number>, file: string, where: string): Dim[] {
  return dims.map((d, i) => {
    if (typeof d === "number") return d;
    const v = sizes[d];
    if (v === undefined) {
      throw new RnncError(`${file}: ${where}[${i}]: unknown size "${d}"${suggest(d, Object.keys(sizes))} (sizes: ${Object.keys(sizes).join(", ") || "none"})`);
    }
    return v;
  });
}
