/**
 * The DSL itself, by tracing (running cell bodies): the documents it builds, how equations are
 * written (fewest parentheses that parse back to the same tree), naming with eq, next/output,
 * and its errors (without a location: tracing runs real code, the static frontend adds them).
 */
import t from "tap";
import fc from "fast-check";
import * as d from "../../compiler/dsl/index.ts";
import type { Tensor } from "../../compiler/dsl/index.ts";
import { cellToTypeScript } from "../../compiler/dsl/convert.ts";
import { evaluateCellSource } from "../../compiler/dsl/static.ts";
import type { Expr } from "../../compiler/frontend/expr.ts";
import { formatExpr } from "../../compiler/frontend/expr.ts";
import { buildCell } from "../../compiler/frontend/program.ts";
import { RnncError } from "../../compiler/diagnostics.ts";
import { cellIR, throwsExactly } from "./_helpers.ts";

const { add, cell, eq, input, matmul, mul, neg, next, output, param, state, sub, div, tanh, sigmoid, toDocument } = d;

t.test("a cell document, with every part", async (t) => {
  const def = cell("demo", { I: 3, H: 2 }, ({ I, H }) => {
    const x = input("x", [I], { doc: "per-step input" });
    const ids = input("ids", [], { dtype: "i32" });
    const h = state("h", [H], { doc: "hidden" });
    const W = param("W", [H, I], { init: { kind: "constant", value: 0.5 }, doc: "weights" });
    const E = param("E", [5, H]);
    const h2 = eq("h'", tanh(add(W.matmul(x), d.embedding(E, ids), h)));
    next(h, h2);
    output("y", h2.mul(2));
    return { outputs: { z: d.float(ids) } };
  }, { doc: "demo cell" });
  t.same(toDocument(def), {
    rnnc: "cell", name: "demo", doc: "demo cell", sizes: { I: 3, H: 2 },
    inputs: { x: { shape: ["I"], doc: "per-step input" }, ids: { shape: [], dtype: "i32" } },
    state: { h: { shape: ["H"], doc: "hidden" } },
    params: { W: { shape: ["H", "I"], init: { kind: "constant", value: 0.5 }, doc: "weights" }, E: { shape: [5, "H"] } },
    equations: { "h'": "tanh(W @ x + embedding(E, ids) + h)" },
    next: { h: "h'" },
    outputs: { y: "h' * 2", z: "float(ids)" },
  });
  t.ok(d.isCellDef(def) && !d.isCellDef({}) && !d.isTensor(3), "brands");
  const c = buildCell(toDocument(def), "demo");
  t.same(c.outputs, ["y", "z"]);
});

t.test("equations are written with the fewest parentheses", async (t) => {
  const doc = toDocument(cell("p", { H: 2 }, ({ H }) => {
    const [a, b, c] = [state("a", [H]), state("b", [H]), state("c", [H])];
    const W = param("W", [H, H]);
    eq("e1", sub(a, sub(b, c)));
    eq("e2", sub(sub(a, b), c));
    eq("e3", neg(add(a, b)));
    eq("e4", mul(neg(a), -2));
    eq("e5", neg(2));
    eq("e6", div(mul(a, b), mul(b, c)));
    eq("e7", matmul(neg(W), a).add(-0.5));
    eq("e8", add(-1, a));
    eq("e9", 3);
    eq("e10", neg(neg(a)));
    eq("e11", d.sum(a, { axis: 0, keepdims: true }));
    eq("e12", d.slice(a, { start: 0, size: 1 }));
    eq("e13", d.concat([a, b], { axis: -1 }));
    eq("e14", d.constant({ value: 1.5, shape: [2] }));
    eq("e15", sub(a, -0));
    return { next: { a, b, c } };
  }));
  t.same(doc.equations, {
    e1: "a - (b - c)", e2: "a - b - c", e3: "-(a + b)", e4: "-a * -2", e5: "neg(2)", e6: "a * b / (b * c)",
    e7: "-W @ a + -0.5", e8: "-1 + a", e9: "3", e10: "--a", e11: "sum(a, axis=0, keepdims=true)",
    e12: "slice(a, start=0, size=1)", e13: "concat(a, b, axis=-1)", e14: "constant(value=1.5, shape=[2])", e15: "a - -0",
  });
  t.ok(buildCell(doc, "p"), "and buildCell reads them");
});

t.test("every op function", async (t) => {
  const doc = toDocument(cell("ops", { H: 3, V: 4 }, ({ H, V }) => {
    const h = state("h", [H]);
    const W = param("W", [H, H]);
    const L = matmul(param("P", [V, H]), h);
    const ids = input("t", [], { dtype: "i32" });
    const all: Tensor[] = [
      d.relu(h), d.exp(h), d.log(h), d.sqrt(h), d.abs(h), d.maximum(h, 0), sigmoid(h), d.mean(h), d.softmax(h), d.log_softmax(h),
      d.cross_entropy(L, ids, { reduction: "none" }), d.mse(h, h), d.one_hot(ids, { depth: 3 }), d.where(h, h, 0), d.stop_gradient(h),
      matmul(W, h, { transpose_a: true }), h.sub(1), h.div(2), h.neg(), W.matmul(h),
    ];
    all.forEach((v, i) => eq(`e${i}`, v));
    return { next: { h } };
  }));
  t.same(Object.values(doc.equations), [
    "relu(h)", "exp(h)", "log(h)", "sqrt(h)", "abs(h)", "maximum(h, 0)", "sigmoid(h)", "mean(h)", "softmax(h)", "log_softmax(h)",
    "cross_entropy(P @ h, t, reduction=none)", "mse(h, h)", "one_hot(t, depth=3)", "where(h, h, 0)", "stop_gradient(h)",
    "matmul(W, h, transpose_a=true)", "h - 1", "h / 2", "-h", "W @ h",
  ]);
  throwsExactly(t, () => toDocument(cell("m", { H: 3 }, ({ H }) => {
    const h = state("h", [H]);
    d.sequence_mask(input("n", [], { dtype: "i32" }), h);
  })), "sequence_mask of n [] like h [H=3]: expected lengths [B] and a time-major sequence [T, B, ...]", "sequence_mask has no use in a cell");
});

t.test("eq names a value: later uses read the equation", async (t) => {
  const doc = toDocument(cell("n", { H: 2 }, ({ H }) => {
    const h = state("h", [H]);
    const z = tanh(h);
    const y = mul(z, 2);
    eq("z", z);
    const w = eq("w", add(y, z));
    return { next: { h: w } };
  }));
  t.same(doc.equations, { z: "tanh(h)", w: "z * 2 + z" });
});

t.test("tracing errors name the problem (the static frontend adds file:line:col)", async (t) => {
  const one = (body: (s: { H: "H" }) => d.CellResult | void) => () => toDocument(cell("e", { H: 2 }, body));
  throwsExactly(t, () => param("W", [2]), "param() can only be called inside the body of cell(...)", "outside a cell");
  throwsExactly(t, one(({ H }) => { state("h", [H, "Q"]); }), `state: shape[1]: unknown size "Q" (sizes: H)`, "unknown size");
  throwsExactly(t, one(() => { param("W", [0]); }), "param: shape[0]: expected a positive integer or a size name, found 0", "bad dim");
  throwsExactly(t, one(() => { param("W", [true as never]); }), "param: shape[0]: expected a positive integer or a size name, found the boolean true", "bad dim type");
  throwsExactly(t, one(() => { param("W", "H" as never); }), `param: expected a shape (an array of size names and positive integers), found the string "H"`, "bad shape");
  throwsExactly(t, one(() => { param(3 as never, []); }), "param: expected a name (a string) as the first argument, found the number 3", "bad name");
  throwsExactly(t, one(() => { input("x", [], { dtype: "f64" as never }); }), `input: dtype must be "f32" or "i32", found the string "f64"`, "bad dtype");
  throwsExactly(t, one(() => { param("W", [], 3 as never); }), "param: expected an options object { init, doc }, found the number 3", "bad options");
  throwsExactly(t, one(({ H }) => { eq("x y", state("h", [H])); }), `eq: "x y" is not a valid name (letters, digits and _, not starting with a digit, optionally ending in primes)`, "eq name");
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); eq("z", tanh(h)); eq("z", h); }), `"z" is already defined as an equation`, "eq twice");
  throwsExactly(t, one(({ H }) => { state("h", [H]); return 3 as never; }), "the cell body must return { next, outputs } (or nothing), found the number 3", "result type");
  throwsExactly(t, one(({ H }) => ({ next: [state("h", [H])] as never })), "next must be an object { name: value }, found an array", "next type");
  throwsExactly(t, one(() => ({ next: { h: 1 } })), `"h" is not a state (the cell has none)`, "next without states");
  throwsExactly(t, one(({ H }) => ({ next: { q: state("h", [H]) } })), `"q" is not a state (states: h)`, "next of an unknown state");
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); return { next: { h: "h" as never } }; }), `the next value of state h must be a tensor or a finite number, found the string "h"`, "next value type");
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); output("o", h); return { next: { h }, outputs: { o: h } }; }), "the output o is given twice", "output twice");
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); next(h, h); next(h, h); }), "the next value of state h is given twice", "next twice");
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); next(tanh(h) as never, h); }), "next: expected a state (what state() returns) as the first argument, found a tensor", "next of a tensor");
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); next(h, Infinity); }), "the next value of state h must be a tensor or a finite number, found the number Infinity", "infinite");
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); next(h, add(h, NaN)); }), "add: argument 2 must be a finite number, found NaN", "NaN operand");
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); next(h, d.sum(h, { axis: 0.5 })); }), `sum: option "axis" must be an integer, found the number 0.5`, "attr type");
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); next(h, d.concat(h as never)); }), "concat: expected an array of tensors, found a tensor", "concat");
  throwsExactly(t, () => cell("a b", {}, () => {}), `cell: "a b" is not a valid name (letters, digits, _, - and ., starting with a letter or _)`, "cell name");
  throwsExactly(t, () => cell("a", [] as never, () => {}), "cell: expected the sizes as an object { I: 4, H: 8 }, found an array", "cell sizes");
  throwsExactly(t, () => cell("a", { "2x": 1 }, () => {}), `cell: "2x" is not a valid size name (letters, digits and _, not starting with a digit)`, "size name");
  throwsExactly(t, () => cell("a", { H: 2 }, 3 as never), "cell: expected the body as a function ({ H }) => { … }, found the number 3", "cell body");
  throwsExactly(t, () => cell("a", {}, () => {}, { doc: 3 as never }), `cell: option "doc" must be a string, found the number 3`, "cell doc");
  throwsExactly(t, () => toDocument({} as never), "toDocument: expected what cell(...) returns, found an object", "toDocument");

  // tensors belong to their cell
  let leaked: Tensor | undefined;
  toDocument(cell("a", { H: 2 }, ({ H }) => { const h = state("h", [H]); leaked = h; next(h, h); }));
  throwsExactly(t, one(({ H }) => { const h = state("h", [H]); next(h, add(h, leaked!)); }), "add: argument 2 is a tensor of a cell that is already built", "a finished cell's tensor");
  throwsExactly(t, () => toDocument(cell("outer", { H: 2 }, ({ H }) => {
    const h = state("h", [H]);
    toDocument(cell("inner", { H: 2 }, ({ H }) => { const g = state("g", [H]); next(g, add(g, h)); }));
  })), "add: argument 2 is a tensor of another cell (outer)", "another cell's tensor");
});

t.test("--dims: shapes are checked with the overrides; invalid overrides are left to buildCell", async (t) => {
  const def = cell("e", { I: 4, H: 4 }, ({ I, H }) => {
    const h = state("h", [H]);
    return { next: { h: add(h, input("x", [I])) } };
  });
  t.ok(toDocument(def), "fine while I = H");
  throwsExactly(t, () => toDocument(def, { overrides: { H: 5 } }), "add of h [H=5] and x [I=4]: shapes do not broadcast", "not with H=5");
  t.ok(toDocument(def, { overrides: { Q: 5 } }), "unknown override: not checked here");
  throwsExactly(t, () => buildCell(toDocument(def, { overrides: { Q: 5 } }), "e.cell.ts", { Q: 5 }), `e.cell.ts: --dims: unknown size "Q" (sizes: I, H)`, "buildCell reports it");
});

// ---- random expressions: the DSL writes them so they parse back to the same tree -------------------

type Tree = { k: "leaf"; name: string } | { k: "num"; v: number } | { k: "bin"; op: "add" | "sub" | "mul" | "div"; l: Tree; r: Tree }
  | { k: "un"; op: "neg" | "tanh" | "sigmoid"; a: Tree } | { k: "mm"; a: Tree };

const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("a", "b", "c").map((name): Tree => ({ k: "leaf", name })),
    fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -1.25, 1e-3, -0)).map((v): Tree => ({ k: "num", v })),
    fc.record({ op: fc.constantFrom("add", "sub", "mul", "div" as const), l: tie("t"), r: tie("t") }).map((x): Tree => ({ k: "bin", ...x })),
    fc.record({ op: fc.constantFrom("neg", "tanh", "sigmoid" as const), a: tie("t") }).map((x): Tree => ({ k: "un", ...x })),
    tie("t").map((a): Tree => ({ k: "mm", a })),
  ),
})).t;

/** The tree in the explicit (fully parenthesised) expression syntax: what a JSON file would say. */
function toExpr(x: Tree): Expr {
  switch (x.k) {
    case "leaf": return { kind: "name", name: x.name, pos: 0 };
    case "num": return { kind: "num", value: x.v, pos: 0 };
    case "bin": return { kind: "binary", op: ({ add: "+", sub: "-", mul: "*", div: "/" } as const)[x.op], left: toExpr(x.l), right: toExpr(x.r), pos: 0 };
    case "un": return { kind: "call", fn: x.op, args: [toExpr(x.a)], kwargs: [], pos: 0 };
    case "mm": return { kind: "binary", op: "@", left: { kind: "name", name: "W", pos: 0 }, right: toExpr(x.a), pos: 0 };
  }
}

function build(x: Tree, env: Record<string, Tensor>): Tensor | number {
  switch (x.k) {
    case "leaf": return env[x.name]!;
    case "num": return x.v;
    case "bin": return d[x.op](build(x.l, env), build(x.r, env));
    case "un": return d[x.op](build(x.a, env));
    case "mm": return matmul(env.W!, build(x.a, env));
  }
}

const BASE = {
  rnnc: "cell", name: "r", sizes: { H: 3 }, inputs: {},
  state: { a: { shape: ["H"] }, b: { shape: ["H"] }, c: { shape: ["H"] } }, params: { W: { shape: ["H", "H"] } },
};

t.test("random expressions: DSL text = JSON text, and JSON → TypeScript → IR is the same", async (t) => {
  let invalid = 0;
  fc.assert(fc.property(tree, (x) => {
    const jsonDoc = { ...BASE, equations: { e: formatExpr(toExpr(x)) }, next: { a: "a + e", b: "b", c: "c" }, outputs: {} };
    const traced = () => toDocument(cell("r", { H: 3 }, ({ H }) => {
      const env = { a: state("a", [H]), b: state("b", [H]), c: state("c", [H]), W: param("W", [H, H]) };
      const e = eq("e", build(x, env));
      return { next: { a: add(env.a, e), b: env.b, c: env.c } };
    }));
    let want: string;
    try {
      want = cellIR(buildCell(jsonDoc, "r.json"));
    } catch (e) {
      // a shape error (e.g. W @ 2): the DSL reports one too, at the operation
      if (!(e instanceof RnncError)) throw e;
      invalid++;
      try {
        traced();
        return false;
      } catch (e2) {
        return e2 instanceof RnncError && e.message.endsWith(e2.message);
      }
    }
    const got = cellIR(buildCell(traced(), "r.cell.ts"));
    const viaTs = cellIR(evaluateCellSource(cellToTypeScript(jsonDoc as never), "r.cell.ts").build());
    return got === want && viaTs === want;
  }), { numRuns: 150, seed: 7 });
  t.ok(invalid < 100, `150 random expressions (${invalid} with a shape error in both)`);
});
