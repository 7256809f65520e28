/**
 * Every kind of error of the static TypeScript frontend, with its exact message: `file:line:col`,
 * the source line and a caret under the offending code (and, inside helpers, the calls that led
 * there). The cell files are evaluated statically: none of these sources is ever run.
 */
import t from "tap";
import { evaluateCellSource } from "../../compiler/dsl/static.ts";
import { throwsExactly } from "./_helpers.ts";

const FILE = "cells/bad.cell.ts";
/** Every case starts with this line, so its own lines start at line 2. */
const HEAD = "import { add, cell, eq, input, matmul, mul, next, output, param, sigmoid, state, tanh } from \"rnnc/dsl\";\n";

interface Case { what: string; src: string[]; dims?: Record<string, number>; expected: string[] }

const CASES: Case[] = [
  {
    what: "a re-export",
    src: [
      "export { cell as c } from \"rnnc/dsl\";",
      "export default cell(\"e\", {}, () => {});",
    ],
    expected: [
      "cells/bad.cell.ts:2:27: re-exports are not supported in a cell file",
      "    export { cell as c } from \"rnnc/dsl\";",
      "                              ^",
    ],
  },
  {
    what: "export { x as default }",
    src: [
      "const c = cell(\"e\", {}, () => {});",
      "export { c as default };",
    ],
    expected: [
      "cells/bad.cell.ts:3:1: write the cell as `export default cell(...)`",
      "    export { c as default };",
      "    ^",
    ],
  },
  {
    what: "var",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  var n = 1;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:3: unsupported syntax: var declarations (use const or let)",
      "      var n = 1;",
      "      ^",
    ],
  },
  {
    what: "a labelled break",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  outer: for (let i = 0; i < 2; i++) { break outer; }",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:3: unsupported syntax: labeled statement (a cell file is evaluated statically, never run: see docs/dsl.md for what it may contain)",
      "      outer: for (let i = 0; i < 2; i++) { break outer; }",
      "      ^",
    ],
  },
  {
    what: "for…of over something else",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  for (const k of 3 as never) {}",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:19: for…of needs an array, found the number 3",
      "      for (const k of 3 as never) {}",
      "                      ^",
    ],
  },
  {
    what: "spreading a non-array",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const xs = [...(H as never)];",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:15: only arrays can be spread into an array, found the string \"H\"",
      "      const xs = [...(H as never)];",
      "                  ^",
    ],
  },
  {
    what: "an index out of range",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const sizes = [H];",
      "  const h = state(\"h\", [sizes[1]!]);",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:31: index 1 is out of range (the array has 1 element)",
      "      const h = state(\"h\", [sizes[1]!]);",
      "                                  ^",
    ],
  },
  {
    what: "a method in an object literal",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const o = { f() { return 1; } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:15: unsupported syntax: a method (write `name: (…) => …`)",
      "      const o = { f() { return 1; } };",
      "                  ^",
    ],
  },
  {
    what: "typeof",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const t = typeof H;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:13: unsupported syntax: typeof in an expression (a cell file is evaluated statically, never run: see docs/dsl.md for what it may contain)",
      "      const t = typeof H;",
      "                ^",
    ],
  },
  {
    what: "optional chaining",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const o = { a: 1 } as { a?: number };",
      "  const n = o?.a;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:13: unsupported syntax: optional chaining (?.) (a cell file is evaluated statically, never run: see docs/dsl.md for what it may contain)",
      "      const n = o?.a;",
      "                ^",
    ],
  },
  {
    what: "arithmetic on a string and a number",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const n = (H as string) * 2;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:27: the operator \"*\" needs numbers, found the string \"H\" and the number 2",
      "      const n = (H as string) * 2;",
      "                              ^",
    ],
  },
  {
    what: "a tagged template",
    src: [
      "const tag = (s: TemplateStringsArray) => s[0];",
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const n = tag`x`;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:13: unsupported syntax: a tagged template (a cell file is evaluated statically, never run: see docs/dsl.md for what it may contain)",
      "      const n = tag`x`;",
      "                ^",
    ],
  },
  {
    what: "a bitwise operator",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const n = 1 | 2;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:15: unsupported syntax: the operator \"|\" (a cell file is evaluated statically, never run: see docs/dsl.md for what it may contain)",
      "      const n = 1 | 2;",
      "                  ^",
    ],
  },
  {
    what: "a type used as a value",
    src: [
      "import type { Tensor as T } from \"rnnc/dsl\";",
      "import { Tensor } from \"rnnc/dsl\";",
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const t = Tensor;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:13: \"Tensor\" is a type: it cannot be used as a value here",
      "      const t = Tensor;",
      "                ^",
    ],
  },
  {
    what: "a DSL export a cell file cannot use",
    src: [
      "import { toDocument } from \"rnnc/dsl\";",
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const d = toDocument;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:13: \"toDocument\" cannot be used in a cell file",
      "      const d = toDocument;",
      "                ^",
    ],
  },
  {
    what: "a tensor given to map",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const hs = [1, 2].map(h as never);",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:21: map needs a function, found a tensor",
      "      const hs = [1, 2].map(h as never);",
      "                        ^",
    ],
  },
  {
    what: "syntax error",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H];",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:27: syntax error: ')' expected.",
      "      const h = state(\"h\", [H];",
      "                              ^",
    ],
  },
  {
    what: "unknown name",
    src: [
      "export default cell(\"e\", { I: 4, H: 8 }, ({ I, H }) => {",
      "  const Whh = param(\"Whh\", [H, H]);",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h: tanh(matmul(Whhh, h)) } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:35: unknown name \"Whhh\" (did you mean \"Whh\"?)",
      "      return { next: { h: tanh(matmul(Whhh, h)) } };",
      "                                      ^",
    ],
  },
  {
    what: "unknown size name in the body",
    src: [
      "export default cell(\"e\", { H: 8 }, ({ H, I }) => {",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:2:42: the cell has no size \"I\" (sizes: H; add it to the sizes of cell(...))",
      "    export default cell(\"e\", { H: 8 }, ({ H, I }) => {",
      "                                             ^",
    ],
  },
  {
    what: "a JavaScript global",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  console.log(h);",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:3: \"console\" is not available in a cell file: only rnnc/dsl and what the file itself defines can be used (the file is evaluated statically, never run)",
      "      console.log(h);",
      "      ^",
    ],
  },
  {
    what: "another module",
    src: [
      "import { readFileSync } from \"node:fs\";",
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:2:30: only imports from \"rnnc/dsl\" are allowed: a cell file is evaluated statically, never run, so it cannot use other modules",
      "    import { readFileSync } from \"node:fs\";",
      "                                 ^",
    ],
  },
  {
    what: "an unknown export of rnnc/dsl",
    src: [
      "import { sigmod } from \"rnnc/dsl\";",
      "export default cell(\"e\", {}, () => {});",
    ],
    expected: [
      "cells/bad.cell.ts:2:10: \"rnnc/dsl\" has no export \"sigmod\" (did you mean \"sigmoid\"?)",
      "    import { sigmod } from \"rnnc/dsl\";",
      "             ^",
    ],
  },
  {
    what: "an operator on tensors",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const b = param(\"b\", [H]);",
      "  return { next: { h: tanh(h + b) } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:30: the operator \"+\" does not apply to tensors (TypeScript has no operator overloading): write add(a, b) or a.add(b)",
      "      return { next: { h: tanh(h + b) } };",
      "                                 ^",
    ],
  },
  {
    what: "unary minus on a tensor",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h: -h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:23: the operator \"-\" does not apply to tensors (TypeScript has no operator overloading): write neg(x) or x.neg()",
      "      return { next: { h: -h } };",
      "                          ^",
    ],
  },
  {
    what: "calling something that is not a function",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const layers = 3;",
      "  return { next: { h: layers(h) } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:23: layers is not a function that a cell file can call (the number 3): only rnnc/dsl functions, functions defined in the file, tensor methods and array map can be called",
      "      return { next: { h: layers(h) } };",
      "                          ^",
    ],
  },
  {
    what: "an array method with side effects",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const hs = [h];",
      "  hs.push(h);",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:6: an array has no property \"push\" here (a cell file can use length, map and [index])",
      "      hs.push(h);",
      "         ^",
    ],
  },
  {
    what: "a tensor method that does not exist",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h: h.tanh() } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:25: a tensor has no property \"tanh\" (its methods: add, sub, mul, div, matmul, neg)",
      "      return { next: { h: h.tanh() } };",
      "                            ^",
    ],
  },
  {
    what: "assigning to a property",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const o = { n: 1 };",
      "  o.n = 2;",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:3: a cell file cannot change objects or arrays (assign to a let variable instead)",
      "      o.n = 2;",
      "      ^",
    ],
  },
  {
    what: "assigning to a const",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const n = 1;",
      "  n += 1;",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:3: cannot assign to \"n\": it is a constant (declare it with let)",
      "      n += 1;",
      "      ^",
    ],
  },
  {
    what: "a computed key",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const name = \"h\";",
      "  return { next: { [name]: h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:20: dynamic keys are not supported: write the key itself (`h1: …`); for states and outputs made in a loop, call next(state, value) and output(name, value)",
      "      return { next: { [name]: h } };",
      "                       ^",
    ],
  },
  {
    what: "indexing an object with a variable",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const gates = { h };",
      "  const k = \"h\";",
      "  return { next: { h: gates[k] } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:6:29: dynamic keys are not supported: write the key itself (`h1: …`); for states and outputs made in a loop, call next(state, value) and output(name, value)",
      "      return { next: { h: gates[k] } };",
      "                                ^",
    ],
  },
  {
    what: "a while loop",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  let k = 0;",
      "  while (k < 2) k++;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:3: unsupported syntax: a while loop (use a for loop whose bounds are known when the file is read)",
      "      while (k < 2) k++;",
      "      ^",
    ],
  },
  {
    what: "a class",
    src: [
      "class Layer {}",
      "export default cell(\"e\", {}, () => {});",
    ],
    expected: [
      "cells/bad.cell.ts:2:1: unsupported syntax: class declaration (a cell file is evaluated statically, never run: see docs/dsl.md for what it may contain)",
      "    class Layer {}",
      "    ^",
    ],
  },
  {
    what: "new",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const seen = new Set();",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:16: unsupported syntax: new (a cell file makes objects and arrays only with literals)",
      "      const seen = new Set();",
      "                   ^",
    ],
  },
  {
    what: "a statement at the top level",
    src: [
      "let n = 0;",
      "n++;",
      "export default cell(\"e\", {}, () => {});",
    ],
    expected: [
      "cells/bad.cell.ts:3:1: unsupported syntax: a statement at the top level (only imports, declarations and `export default cell(...)` are allowed there)",
      "    n++;",
      "    ^",
    ],
  },
  {
    what: "an endless loop",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  for (let k = 0; k >= 0; k++) {}",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:3: this loop runs more than 10000 times",
      "      for (let k = 0; k >= 0; k++) {}",
      "      ^",
    ],
  },
  {
    what: "recursion",
    src: [
      "const deep = (n: number): number => deep(n + 1);",
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  deep(0);",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:2:37: calls are nested more than 100 deep (recursion?)",
      "    const deep = (n: number): number => deep(n + 1);",
      "                                        ^",
      "    in deep(), called from cells/bad.cell.ts:2:37 (99 times)",
      "    in deep(), called from cells/bad.cell.ts:4:3",
    ],
  },
  {
    what: "a tensor as a condition",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h: h ? h : h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:23: a tensor has no truth value here: conditions are decided when the file is read, before there is any data",
      "      return { next: { h: h ? h : h } };",
      "                          ^",
    ],
  },
  {
    what: "a tensor in a name",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  param(`W_${h}`, [H]);",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:14: only numbers and strings can go into a template literal, found a tensor",
      "      param(`W_${h}`, [H]);",
      "                 ^",
    ],
  },
  {
    what: "used before it is defined",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const a = b;",
      "  const b = 1;",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:13: \"b\" is used before it is defined",
      "      const a = b;",
      "                ^",
    ],
  },
  {
    what: "a shape mismatch inside a helper",
    src: [
      "export default cell(\"e\", { I: 4, H: 8 }, ({ I, H }) => {",
      "  const x = input(\"x\", [I]);",
      "  const h = state(\"h\", [H]);",
      "  const gate = (n: string, f: typeof tanh) =>",
      "    eq(n, f(add(matmul(param(`W${n}x`, [H, I]), x), matmul(param(`W${n}h`, [H, H]), x))));",
      "  const g = gate(\"g\", tanh);",
      "  return { next: { h: g } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:6:53: matmul of Wgh [H=8, H=8] with x [I=4]: the matrix has 8 columns but the vector has 4 elements",
      "        eq(n, f(add(matmul(param(`W${n}x`, [H, I]), x), matmul(param(`W${n}h`, [H, H]), x))));",
      "                                                        ^",
      "    in gate(), called from cells/bad.cell.ts:7:13",
    ],
  },
  {
    what: "a shape mismatch that only --dims reveals",
    src: [
      "export default cell(\"e\", { I: 4, H: 4 }, ({ I, H }) => {",
      "  const x = input(\"x\", [I]);",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h: add(x, h) } };",
      "}, { doc: \"x and h only broadcast while I = H\" });",
    ],
    dims: {H: 5},
    expected: [
      "cells/bad.cell.ts:5:23: add of x [I=4] and h [H=5]: shapes do not broadcast",
      "      return { next: { h: add(x, h) } };",
      "                          ^",
    ],
  },
  {
    what: "an unknown size in a shape",
    src: [
      "export default cell(\"e\", { I: 4, H: 8 }, ({ I, H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const W = param(\"W\", [H, \"J\"]);",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:13: param: shape[1]: unknown size \"J\" (sizes: I, H)",
      "      const W = param(\"W\", [H, \"J\"]);",
      "                ^",
    ],
  },
  {
    what: "a name defined twice",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const W = param(\"h\", [H]);",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:13: \"h\" is already defined as a state",
      "      const W = param(\"h\", [H]);",
      "                ^",
    ],
  },
  {
    what: "an invalid name",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h'\", [H]);",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:3:13: state: \"h'\" is not a valid name (letters, digits and _, not starting with a digit)",
      "      const h = state(\"h'\", [H]);",
      "                ^",
    ],
  },
  {
    what: "an unknown option",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const W = param(\"W\", [H, H], { inits: \"orthogonal\" } as {});",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:13: param: unknown option \"inits\" (did you mean \"init\"?) (options: init, doc)",
      "      const W = param(\"W\", [H, H], { inits: \"orthogonal\" } as {});",
      "                ^",
    ],
  },
  {
    what: "an invalid initializer (from buildCell)",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const W = param(\"W\", [H, H], { init: \"orthogonl\" as \"orthogonal\" });",
      "  return { next: { h: W.matmul(h) } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:13: params.W.init: expected an initializer name (zeros, ones, uniform, normal, glorot_uniform, glorot_normal, orthogonal) or an object {kind, ...}, found \"orthogonl\"",
      "      const W = param(\"W\", [H, H], { init: \"orthogonl\" as \"orthogonal\" });",
      "                ^",
    ],
  },
  {
    what: "a wrong argument",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h: tanh(\"h\" as never) } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:23: tanh: argument 1 must be a tensor or a number, found the string \"h\"",
      "      return { next: { h: tanh(\"h\" as never) } };",
      "                          ^",
    ],
  },
  {
    what: "a next value of the wrong shape",
    src: [
      "export default cell(\"e\", { I: 3, H: 2 }, ({ I, H }) => {",
      "  const x = input(\"x\", [I]);",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h: x } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:20: the next value of state h must be [H=2], got x [I=3]",
      "      return { next: { h: x } };",
      "                       ^",
    ],
  },
  {
    what: "a state without a next value",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const s = state(\"s\", [H]);",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:13: state s has no next value: return { next: { s: … } } or call next(s, …)",
      "      const s = state(\"s\", [H]);",
      "                ^",
    ],
  },
  {
    what: "next of something that is not a state",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h, hh: h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:23: \"hh\" is not a state (states: h)",
      "      return { next: { h, hh: h } };",
      "                          ^",
    ],
  },
  {
    what: "next given twice",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  next(h, tanh(h));",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:20: the next value of state h is given twice",
      "      return { next: { h } };",
      "                       ^",
    ],
  },
  {
    what: "an output that does not depend on the example",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  const b = param(\"b\", [H]);",
      "  output(\"b\", b);",
      "  return { next: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:5:3: a per-step output must depend on the example (got a value of shape [2])",
      "      output(\"b\", b);",
      "      ^",
    ],
  },
  {
    what: "an unknown key in the result",
    src: [
      "export default cell(\"e\", { H: 2 }, ({ H }) => {",
      "  const h = state(\"h\", [H]);",
      "  return { next: { h }, output: { h } };",
      "});",
    ],
    expected: [
      "cells/bad.cell.ts:4:25: the cell body returned an unknown key \"output\" (did you mean \"outputs\"?) (it may return next and outputs)",
      "      return { next: { h }, output: { h } };",
      "                            ^",
    ],
  },
  {
    what: "a DSL call outside a cell",
    src: [
      "const W = param(\"W\", [3]);",
      "export default cell(\"e\", {}, () => {});",
    ],
    expected: [
      "cells/bad.cell.ts:2:11: param() can only be called inside the body of cell(...)",
      "    const W = param(\"W\", [3]);",
      "              ^",
    ],
  },
  {
    what: "a bad size",
    src: [
      "export default cell(\"e\", { H: 0 }, ({ H }) => {});",
    ],
    expected: [
      "cells/bad.cell.ts:2:28: cell: size H must be a positive integer (at most 1000000000), found the number 0",
      "    export default cell(\"e\", { H: 0 }, ({ H }) => {});",
      "                               ^",
    ],
  },
  {
    what: "no default export",
    src: [
      "const n = 1;",
    ],
    expected: [
      "cells/bad.cell.ts:1:1: no cell: a cell file must `export default cell(...)` (see docs/dsl.md)",
    ],
  },
  {
    what: "a default export that is not a cell",
    src: [
      "export default { name: \"e\" };",
    ],
    expected: [
      "cells/bad.cell.ts:2:16: the default export must be a cell: `export default cell(...)`, found an object",
      "    export default { name: \"e\" };",
      "                   ^",
    ],
  },
];

for (const c of CASES) {
  t.test(c.what, async (t) => {
    throwsExactly(t, () => evaluateCellSource(HEAD + c.src.join("\n"), FILE, c.dims).build(), c.expected, c.what);
  });
}

