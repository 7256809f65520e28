/**
 * Shared by test/frontend/program.test.ts and test/cli/cli.test.ts: the repo root, fixture
 * paths, a graph canonicalizer, the expression → node form converter, random program inputs.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Test } from "tap";
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { RnncError } from "../../compiler/diagnostics.ts";
import type { Equation } from "../../compiler/frontend/equations.ts";
import { parseExpression } from "../../compiler/frontend/expr.ts";
import type { Expr } from "../../compiler/frontend/expr.ts";
import type { Program } from "../../compiler/frontend/program.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import type { AttrValue, Graph, Node } from "../../compiler/ir/types.ts";
import { formatType } from "../../compiler/ir/types.ts";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const EXAMPLES = ["elman", "gru", "lstm-noforget", "lstm"] as const;
export const exampleFile = (name: string) => join(ROOT, "examples/cells", `${name}.json`);
export const fixture = (rel: string) => join(ROOT, "test/fixtures", rel);

/** A fresh, mutable copy of a JSON file. */
export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, "utf8"));
}

// ---- canonical form of a graph ------------------------------------------------------------------

/**
 * A graph as text that is independent of the names of its intermediate (`%`) values and of the
 * order of its node list: nodes are numbered in post-order of a depth-first walk from the graph's
 * outputs (operands in order), and each line gives op, operands, attributes (sorted; sub-graphs
 * canonicalized recursively) and output types. Graph inputs keep their names, except `%` ones,
 * which are numbered by position. The node count is included, so dead nodes are noticed too.
 */
export function canonical(g: Graph, indent = ""): string {
  const producer = new Map<string, { node: Node; index: number }>();
  g.nodes.forEach((n) => n.outputs.forEach((o, i) => producer.set(o, { node: n, index: i })));
  const ids = new Map<Node, number>();
  const lines: string[] = [];
  const name = (v: string): string => {
    const p = producer.get(v);
    if (p) return `n${visit(p.node)}.${p.index}`;
    const i = g.inputs.indexOf(v);
    if (i < 0) throw new Error(`canonical: ${v} is neither a graph input nor produced by a node`);
    return v.startsWith("%") ? `in${i}` : v;
  };
  const visit = (n: Node): number => {
    const seen = ids.get(n);
    if (seen !== undefined) return seen;
    const operands = n.inputs.map(name);
    const id = ids.size;
    ids.set(n, id);
    const types = n.outputs.map((o) => formatType(g.types.get(o)!)).join(", ");
    lines.push(`${indent}n${id} = ${n.op}(${operands.join(", ")})${attrsText(n.attrs, indent)} : ${types}`);
    return id;
  };
  const outputs = g.outputs.map(name);
  const inputs = g.inputs.map((v, i) => `${v.startsWith("%") ? `in${i}` : v}: ${formatType(g.types.get(v)!)}`);
  return [
    `${indent}inputs ${inputs.join(", ")}`,
    ...lines,
    `${indent}outputs ${outputs.join(", ")}`,
    `${indent}(${g.nodes.length} nodes)`,
  ].join("\n");
}

function attrsText(attrs: Record<string, AttrValue>, indent: string): string {
  const keys = Object.keys(attrs).sort();
  if (keys.length === 0) return "";
  const parts = keys.map((k) => {
    const v = attrs[k];
    if (v !== null && typeof v === "object" && !Array.isArray(v)) return `${k}=\n${canonical(v, `${indent}    `)}\n${indent}`;
    return `${k}=${JSON.stringify(v)}`;
  });
  return ` {${parts.join(" ")}}`;
}

// ---- expression form → node form -----------------------------------------------------------------

const BINARY_OPS = { "+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul" } as const;

/** The explicit node form `{op, args, ...attrs}` of a parsed expression (names stay strings). */
export function exprToNode(e: Expr): Equation {
  switch (e.kind) {
    case "num":
      return e.value;
    case "name":
      return e.name;
    case "unary":
      return e.op === "-" ? { op: "neg", args: [exprToNode(e.arg)] } : exprToNode(e.arg);
    case "binary":
      return { op: BINARY_OPS[e.op], args: [exprToNode(e.left), exprToNode(e.right)] };
    case "call": {
      const attrs: Record<string, unknown> = {};
      for (const k of e.kwargs) attrs[k.name] = kwargToJson(k.value);
      return { op: e.fn, args: e.args.map(exprToNode), ...attrs };
    }
    case "list":
      throw new Error("exprToNode: a list is only a keyword value");
  }
}

function kwargToJson(v: Expr): unknown {
  if (v.kind === "num") return v.value;
  if (v.kind === "list") return v.items.map((i) => (i as { value: number }).value);
  if (v.kind === "name") return v.name === "true" ? true : v.name === "false" ? false : v.name;
  throw new Error(`kwargToJson: unsupported keyword value ${v.kind}`);
}

/** Rewrites every expression string of an equation (at any depth) into node form. */
export function toNodeForm(eq: Equation): Equation {
  if (typeof eq === "string") return exprToNode(parseExpression(eq));
  if (typeof eq === "number") return eq;
  return { ...eq, args: (eq.args ?? []).map(toNodeForm) };
}

/** Every string leaf of a node-form equation (operands that are plain names). */
export function stringLeaves(eq: Equation, out: string[] = []): string[] {
  if (typeof eq === "string") out.push(eq);
  else if (typeof eq === "object") (eq.args ?? []).forEach((a) => stringLeaves(a, out));
  return out;
}

// ---- inputs ----------------------------------------------------------------------------------------

export interface RandomInputOptions {
  /** i32 inputs drawn from [lo, hi) instead of [0, intLimit), by name. */
  ranges?: Record<string, [number, number]>;
  /** Round f32 values to f32, so that an f64 interpreter and an f32 module read the same numbers. */
  f32?: boolean;
}

/**
 * Tensors for every graph input of a program, in graph order: `given` data where provided,
 * else uniform in [-0.5, 0.5) for f32 and integers in [0, intLimit) (or `opts.ranges`) for i32.
 */
export function randomInputs(p: Program, dims: { B: number; T: number }, seed: number,
  given: Record<string, number[]> = {}, intLimit = 3, opts: RandomInputOptions = {}): Tensor[] {
  const r = rng(seed);
  return p.graph.inputs.map((name) => {
    const t = p.graph.types.get(name)!;
    const shape = t.shape.map((d) => (d === "B" ? dims.B : d === "T" ? dims.T : d));
    const n = shape.reduce((a, b) => a * b, 1);
    const [lo, hi] = opts.ranges?.[name] ?? [0, intLimit];
    const f32 = () => (opts.f32 ? Math.fround(r() - 0.5) : r() - 0.5);
    const data = given[name] ?? Array.from({ length: n }, () => (t.dtype === "i32" ? lo + Math.floor(r() * (hi - lo)) : f32()));
    return tensor(shape, data, t.dtype);
  });
}

/** {@link randomInputs} keyed by input name. */
export function randomInputMap(p: Program, dims: { B: number; T: number }, seed: number,
  given: Record<string, number[]> = {}, intLimit = 3, opts: RandomInputOptions = {}): Map<string, Tensor> {
  const values = randomInputs(p, dims, seed, given, intLimit, opts);
  return new Map(p.graph.inputs.map((name, i) => [name, values[i]!]));
}

/** Asserts that `fn` throws an RnncError whose message is exactly `expected` (lines joined by \n). */
export function throwsExactly(t: Test, fn: () => unknown, expected: string | string[], what: string): void {
  const want = Array.isArray(expected) ? expected.join("\n") : expected;
  try {
    fn();
    t.fail(`${what}: expected an error`);
  } catch (e) {
    if (!(e instanceof RnncError)) {
      t.fail(`${what}: expected an RnncError, got ${String((e as Error)?.stack ?? e)}`);
      return;
    }
    t.equal(e.message, want, what);
    t.same(e.problems, want.split(/\n(?! )/), `${what}: one problem per line`);
  }
}
