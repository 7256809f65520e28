import t, { type Test } from "tap";
import { RnncError } from "../../compiler/diagnostics.ts";
import { caretLine, ExprSyntaxError, formatExpr, parseExpression, type Expr } from "../../compiler/frontend/expr.ts";

/** Parse and print canonically. */
const fmt = (src: string): string => formatExpr(parseExpression(src));

/** Assert that parsing `src` fails with exactly `message`. */
function rejects(tt: Test, src: string, message: string): void {
  const label = JSON.stringify(src.length > 40 ? `${src.slice(0, 20)}...${src.slice(-10)}` : src);
  tt.throws(() => parseExpression(src), { name: "RnncError", message }, label);
}

t.test("precedence and associativity", async (t) => {
  t.equal(fmt("a + b * c"), "(a + (b * c))");
  t.equal(fmt("a * b + c"), "((a * b) + c)");
  t.equal(fmt("W @ x + b"), "((W @ x) + b)");
  t.equal(fmt("b + W @ x"), "(b + (W @ x))");
  t.equal(fmt("a - b - c"), "((a - b) - c)");
  t.equal(fmt("a / b * c"), "((a / b) * c)");
  t.equal(fmt("a @ b * c"), "((a @ b) * c)", "@ has the same precedence as *");
  t.equal(fmt("a * b @ c"), "((a * b) @ c)");
  t.equal(fmt("a + b - c + d"), "(((a + b) - c) + d)");
  t.equal(fmt("a - (b - c)"), "(a - (b - c))");
});

t.test("binary node positions are the operator's offset", async (t) => {
  const e = parseExpression("a + b * c");
  t.match(e, { kind: "binary", op: "+", pos: 2, left: { kind: "name", name: "a", pos: 0 } });
  t.match(e, { right: { kind: "binary", op: "*", pos: 6, left: { pos: 4 }, right: { pos: 8 } } });
});

t.test("unary operators", async (t) => {
  t.equal(fmt("-x * y"), "((-x) * y)");
  t.equal(fmt("a - -b"), "(a - (-b))");
  t.equal(fmt("+x"), "(+x)");
  t.equal(fmt("- -x"), "(-(-x))");
  t.equal(fmt("-f(x)"), "(-f(x))");
  t.equal(fmt("-(a + b)"), "(-(a + b))");
  t.equal(fmt("a * -b"), "(a * (-b))");
  t.strictSame(parseExpression("-x"), { kind: "unary", op: "-", arg: { kind: "name", name: "x", pos: 1 }, pos: 0 });
});

t.test("unary minus on a number literal folds into a negative literal", async (t) => {
  t.strictSame(parseExpression("-2"), { kind: "num", value: -2, pos: 0 });
  t.strictSame(parseExpression(" - 2.5"), { kind: "num", value: -2.5, pos: 1 });
  t.strictSame(parseExpression("-(2)"), { kind: "num", value: -2, pos: 0 });
  t.equal(fmt("1 - -2"), "(1 - -2)");
  t.equal(fmt("-2 * x"), "(-2 * x)");
  t.strictSame(parseExpression("+2"), { kind: "unary", op: "+", arg: { kind: "num", value: 2, pos: 1 }, pos: 0 });
});

t.test("numbers in all forms", async (t) => {
  const value = (src: string) => {
    const e = parseExpression(src);
    if (e.kind !== "num") throw new Error(`expected a number node for ${src}, got ${e.kind}`);
    return e.value;
  };
  t.equal(value("1"), 1);
  t.equal(value("42"), 42);
  t.equal(value("1.5"), 1.5);
  t.equal(value(".5"), 0.5);
  t.equal(value("1."), 1);
  t.equal(value("1e-3"), 0.001);
  t.equal(value("2.5E+4"), 25000);
  t.equal(value("3e2"), 300);
  t.equal(value(".5e1"), 5);
  t.equal(value("007"), 7);
  t.equal(fmt("1e-3*x"), "(0.001 * x)", "the exponent sign is part of the number");
  t.equal(fmt("x-1e-3"), "(x - 0.001)");
});

t.test("primed and dotted names", async (t) => {
  t.strictSame(parseExpression("s'"), { kind: "name", name: "s'", pos: 0 });
  t.strictSame(parseExpression("h''"), { kind: "name", name: "h''", pos: 0 });
  t.strictSame(parseExpression("enc.final.h"), { kind: "name", name: "enc.final.h", pos: 0 });
  t.strictSame(parseExpression("  _x9"), { kind: "name", name: "_x9", pos: 2 });
  t.strictSame(parseExpression("enc.h'"), { kind: "name", name: "enc.h'", pos: 0 });
  t.equal(fmt("tanh(s')*o"), "(tanh(s') * o)");
  t.equal(fmt("enc.final.h @ W"), "(enc.final.h @ W)");
});

t.test("calls", async (t) => {
  t.strictSame(parseExpression("f()"), { kind: "call", fn: "f", args: [], kwargs: [], pos: 0 });
  t.strictSame(parseExpression("tanh(x)"), {
    kind: "call",
    fn: "tanh",
    args: [{ kind: "name", name: "x", pos: 5 }],
    kwargs: [],
    pos: 0,
  });
  t.equal(fmt("concat(a, b, c + d)"), "concat(a, b, (c + d))");
  t.equal(fmt("f ( x )"), "f(x)", "whitespace before '(' is allowed");
  t.equal(fmt("f(g(h(x)))"), "f(g(h(x)))");
  t.equal(fmt("nn.tanh(x)"), "nn.tanh(x)", "dotted callee");
  t.equal(fmt("f(x) * g(y)"), "(f(x) * g(y))");
});

t.test("keyword arguments and list values", async (t) => {
  const e = parseExpression("slice(x, start=0, size=4)");
  t.strictSame(e, {
    kind: "call",
    fn: "slice",
    args: [{ kind: "name", name: "x", pos: 6 }],
    kwargs: [
      { name: "start", value: { kind: "num", value: 0, pos: 15 }, pos: 9 },
      { name: "size", value: { kind: "num", value: 4, pos: 23 }, pos: 18 },
    ],
    pos: 0,
  });
  t.strictSame(parseExpression("sum(x, axis=-1)"), {
    kind: "call",
    fn: "sum",
    args: [{ kind: "name", name: "x", pos: 4 }],
    kwargs: [{ name: "axis", value: { kind: "num", value: -1, pos: 12 }, pos: 7 }],
    pos: 0,
  });
  t.strictSame(parseExpression("reshape(x, shape=[1, -2, +3])"), {
    kind: "call",
    fn: "reshape",
    args: [{ kind: "name", name: "x", pos: 8 }],
    kwargs: [
      {
        name: "shape",
        value: {
          kind: "list",
          items: [
            { kind: "num", value: 1, pos: 18 },
            { kind: "num", value: -2, pos: 21 },
            { kind: "num", value: 3, pos: 25 },
          ],
          pos: 17,
        },
        pos: 11,
      },
    ],
    pos: 0,
  });
  t.equal(fmt("f(axes=[])"), "f(axes=[])", "empty list");
  t.equal(fmt("f(k=a + b)"), "f(k=(a + b))", "keyword value is a full expression");
  t.equal(fmt("f(a=1, b=[2.5])"), "f(a=1, b=[2.5])", "keyword arguments only");
  t.equal(fmt("f(x, y, k = 1)"), "f(x, y, k=1)");
});

t.test("nested parentheses", async (t) => {
  t.equal(fmt("((a))"), "a");
  t.equal(fmt("((a + b) * (c - d))"), "((a + b) * (c - d))");
  t.equal(fmt("a * (b + (c - (d / e)))"), "(a * (b + (c - (d / e))))");
  t.strictSame(parseExpression("(x)"), { kind: "name", name: "x", pos: 1 }, "parentheses leave no node");
});

t.test("LSTM and GRU equations", async (t) => {
  t.equal(fmt("sigmoid(Wix @ x + Wih @ h + bi)"), "sigmoid((((Wix @ x) + (Wih @ h)) + bi))");
  t.equal(fmt("g*i + s*f"), "((g * i) + (s * f))");
  t.equal(fmt("tanh(s')*o"), "(tanh(s') * o)");
  t.equal(fmt("(1 - z) * n + z * h"), "(((1 - z) * n) + (z * h))");
  t.equal(fmt("tanh(Wnx @ x + bn + r * (Wnh @ h + bnh))"), "tanh((((Wnx @ x) + bn) + (r * ((Wnh @ h) + bnh))))");
});

t.test("formatExpr output re-parses to the same tree", async (t) => {
  const sources = [
    "sigmoid(Wix @ x + Wih @ h + bi)",
    "(1 - z) * n + z * h",
    "slice(x, start=0, size=4)",
    "reshape(x, shape=[1, -2])",
    "-x * y",
    "a - -2",
    "-(-x)",
    "+-x",
    "1e-7 * x",
    "-0",
  ];
  const strip = (e: Expr): unknown => JSON.parse(JSON.stringify(e, (k, v) => (k === "pos" ? undefined : v)));
  for (const src of sources) {
    const once = parseExpression(src);
    const twice = parseExpression(formatExpr(once));
    t.strictSame(strip(twice), strip(once), src);
    t.equal(formatExpr(twice), formatExpr(once), src);
  }
});

t.test("syntax errors: exact messages and columns", async (t) => {
  rejects(t, "", "column 1: expected an expression, found end of input");
  rejects(t, "   ", "column 4: expected an expression, found end of input");
  rejects(t, "a + b * ", "column 9: expected an expression, found end of input");
  rejects(t, "a + $b", "column 5: unexpected character '$'");
  rejects(t, "ab*(c + d*e", "column 12: expected ')' to close '(' opened at column 4, found end of input");
  rejects(t, "(a b)", "column 4: expected ')' to close '(' opened at column 1, found name 'b'");
  rejects(t, "a b", "column 3: expected an operator or end of input, found name 'b'");
  rejects(t, "a)", "column 2: expected an operator or end of input, found ')'");
  rejects(t, "a = b", "column 3: expected an operator or end of input, found '='");
  rejects(t, "2x", "column 2: expected an operator or end of input, found name 'x'");
  rejects(t, "f(x)(y)", "column 5: expected an operator or end of input, found '('");
  rejects(t, "a * * b", "column 5: expected an expression, found '*'");
  rejects(t, "[1, 2]", "column 1: expected an expression, found '['");
  rejects(t, "()", "column 2: expected an expression, found ')'");
});

t.test("syntax errors in calls", async (t) => {
  rejects(t, "f(k=1,b)", "column 7: positional argument after keyword argument");
  rejects(t, "f(", "column 3: expected an argument or ')', found end of input");
  rejects(t, "f(a,)", "column 5: expected an argument, found ')'");
  rejects(t, "f(a b)", "column 5: expected ',' or ')' to close '(' opened at column 2, found name 'b'");
  rejects(t, "sigmoid(x", "column 10: expected ',' or ')' to close '(' opened at column 8, found end of input");
  rejects(t, "f(a=)", "column 5: expected a value for keyword argument 'a', found ')'");
  rejects(t, "f(a.b=1)", "column 3: expected a plain identifier as keyword argument name, found name 'a.b'");
  rejects(t, "f(s'=1)", "column 3: expected a plain identifier as keyword argument name, found name 's''");
  rejects(t, "f(a=1, a=2)", "column 8: duplicate keyword argument 'a'");
  rejects(t, "f([1])", "column 3: expected an argument or ')', found '['");
});

t.test("syntax errors in list literals", async (t) => {
  rejects(t, "f(a=[x])", "column 6: expected a number or ']', found name 'x'");
  rejects(t, "f(a=[1,])", "column 8: expected a number, found ']'");
  rejects(t, "f(a=[-])", "column 7: expected a number, found ']'");
  rejects(t, "f(a=[1 2])", "column 8: expected ',' or ']' to close '[' opened at column 5, found number 2");
  rejects(t, "f(a=[1,", "column 8: expected a number, found end of input");
});

t.test("lexical errors", async (t) => {
  rejects(t, "1e", "column 3: expected digits in the exponent of a number, found end of input");
  rejects(t, "1e+x", "column 4: expected digits in the exponent of a number, found 'x'");
  rejects(t, "enc.", "column 5: expected a name after '.', found end of input");
  rejects(t, "enc.1", "column 5: expected a name after '.', found '1'");
  rejects(t, "enc. h", "column 5: expected a name after '.', found whitespace");
  rejects(t, "s'.x", "column 3: unexpected character '.'");
  rejects(t, "'x", "column 1: unexpected character \"'\"");
  rejects(t, "a\u0001", "column 2: unexpected character U+0001");
  rejects(t, "a\u007f", "column 2: unexpected character U+007F");
  rejects(t, "a + \u{1F600}", "column 5: unexpected character '\u{1F600}'");
  rejects(t, "a ^ b", "column 3: unexpected character '^'");
  rejects(t, "1e999", "column 1: number is too large");
});

t.test("absurd nesting is a clean error, not a stack overflow", async (t) => {
  rejects(t, "(".repeat(1000) + "a" + ")".repeat(1000), "column 201: expression is nested too deeply (more than 200 levels)");
  rejects(t, "-".repeat(1000) + "a", "column 201: expression is nested too deeply (more than 200 levels)");
  t.equal(fmt("(".repeat(150) + "a" + ")".repeat(150)), "a", "reasonable nesting is fine");
});

t.test("errors are RnncErrors carrying the offset, and never quote the whole source", async (t) => {
  const src = "sigmoid(Wix @ x + Wih @ h + $)";
  let caught: unknown;
  try {
    parseExpression(src);
  } catch (err) {
    caught = err;
  }
  t.ok(caught instanceof RnncError, "is an RnncError");
  t.ok(caught instanceof ExprSyntaxError, "is an ExprSyntaxError");
  const err = caught as ExprSyntaxError;
  t.equal(err.pos, 28);
  t.equal(err.message, "column 29: unexpected character '$'");
  t.strictSame(err.problems, ["column 29: unexpected character '$'"]);
  t.notMatch(err.message, "sigmoid");
});

t.test("caretLine", async (t) => {
  t.equal(caretLine("a + $b", 4), "a + $b\n    ^");
  t.equal(caretLine("a b", 0), "a b\n^");
  t.equal(caretLine("a +", 3), "a +\n   ^", "end of input");
  t.equal(caretLine("a\t+\nb", 4), "a + b\n    ^", "whitespace is shown as spaces so the caret lines up");
  t.equal(caretLine("ab", 99), "ab\n  ^", "clamped to the end");
  t.equal(caretLine("ab", -3), "ab\n^", "clamped to the start");
});
