/**
 * Parser for the equation expression language of cell files, e.g.
 *
 *     "sigmoid(Wix @ x + Wih @ h + bi)"     "tanh(s')*o"
 *     "slice(x, start=0, size=4)"           "enc.final.h"
 *
 * Grammar (Python-like precedence, every binary operator left-associative):
 *
 *     expr           := additive
 *     additive       := multiplicative (('+' | '-') multiplicative)*
 *     multiplicative := unary (('*' | '/' | '@') unary)*
 *     unary          := ('-' | '+') unary | primary
 *     primary        := number | name | call | '(' expr ')'
 *     call           := name '(' [arg (',' arg)*] ')'
 *     arg            := expr | ident '=' (expr | list)      keyword args come last
 *     list           := '[' [signed-number (',' signed-number)*] ']'
 *
 * Lexical rules: numbers are `1`, `1.`, `1.5`, `.5`, `1e-3`, `2.5E+4`; a name is an
 * identifier `[A-Za-z_][A-Za-z0-9_]*`, optionally followed by dotted identifier
 * segments (`enc.final.h`, kept as one name string) and then by primes (`s'`).
 * Whitespace between tokens is insignificant.
 *
 * A unary minus whose operand is a number literal is folded into a negative number
 * literal (`-2` is `{ kind: "num", value: -2 }`; so are `- 2` and `-(2)`); any other
 * unary, including unary plus, stays a node.
 *
 * Errors are thrown as ExprSyntaxError (an RnncError) with one message of the form
 * `column N: expected <what>, found <what>` (N is 1-based). The message never
 * repeats the source; callers prefix the location and may show caretLine().
 */
import { RnncError } from "../diagnostics.ts";

export type Expr =
  | { kind: "num"; value: number; pos: number }
  | { kind: "name"; name: string; pos: number }
  | { kind: "list"; items: Expr[]; pos: number }
  | { kind: "unary"; op: "-" | "+"; arg: Expr; pos: number }
  | { kind: "binary"; op: "+" | "-" | "*" | "/" | "@"; left: Expr; right: Expr; pos: number }
  | { kind: "call"; fn: string; args: Expr[]; kwargs: { name: string; value: Expr; pos: number }[]; pos: number };

/** One keyword argument of a call node. */
export type Kwarg = Extract<Expr, { kind: "call" }>["kwargs"][number];

/** A syntax error in an expression; `pos` is the 0-based offset it points at. */
export class ExprSyntaxError extends RnncError {
  readonly pos: number;
  constructor(pos: number, message: string) {
    super(`column ${pos + 1}: ${message}`);
    this.pos = pos;
  }
}

/** Parse one equation expression. Throws ExprSyntaxError (an RnncError). */
export function parseExpression(src: string): Expr {
  return new Parser(src).parseAll();
}

/** Fully parenthesised canonical form, e.g. "((W @ x) + b)". Re-parses to the same tree. */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case "num":
      return Object.is(e.value, -0) ? "-0" : String(e.value);
    case "name":
      return e.name;
    case "list":
      return `[${e.items.map(formatExpr).join(", ")}]`;
    case "unary":
      return `(${e.op}${formatExpr(e.arg)})`;
    case "binary":
      return `(${formatExpr(e.left)} ${e.op} ${formatExpr(e.right)})`;
    case "call": {
      const args = e.args.map(formatExpr);
      const kwargs = e.kwargs.map((k) => `${k.name}=${formatExpr(k.value)}`);
      return `${e.fn}(${[...args, ...kwargs].join(", ")})`;
    }
  }
}

/**
 * Two lines for CLI display: the source (whitespace shown as spaces so the caret
 * lines up) and a caret under the character at 0-based offset `pos`.
 */
export function caretLine(src: string, pos: number): string {
  const shown = src.replace(/\s/g, " ");
  const col = Math.max(0, Math.min(Math.trunc(pos) || 0, src.length));
  return `${shown}\n${" ".repeat(col)}^`;
}

// ---------------------------------------------------------------------------
// Lexer

type Token =
  | { kind: "num"; text: string; value: number; pos: number }
  | { kind: "name"; text: string; pos: number }
  | { kind: "punct"; text: string; pos: number }
  | { kind: "eof"; text: ""; pos: number };

const PUNCT = "+-*/@(),=[]";

/** Deeper nesting than this is almost certainly a mistake, and would overflow the JS stack. */
const MAX_DEPTH = 200;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isIdentStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

function fail(pos: number, message: string): never {
  throw new ExprSyntaxError(pos, message);
}

/** Turns source text into tokens on demand, so the first error in reading order wins. */
class Lexer {
  private i = 0;
  private readonly ahead: Token[] = [];

  constructor(private readonly src: string) {}

  /** The token k places ahead (0 = the next one) without consuming it. */
  peek(k = 0): Token {
    while (this.ahead.length <= k) this.ahead.push(this.scan());
    return this.ahead[k];
  }

  next(): Token {
    const t = this.peek();
    this.ahead.shift();
    return t;
  }

  /** Describe the character at an offset, for lexical errors. */
  private charAt(pos: number): string {
    if (pos >= this.src.length) return "end of input";
    const ch = String.fromCodePoint(this.src.codePointAt(pos)!);
    if (isSpace(ch)) return "whitespace";
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
    return ch === "'" ? `"'"` : `'${ch}'`;
  }

  private scan(): Token {
    const src = this.src;
    while (isSpace(src[this.i])) this.i++;
    const start = this.i;
    const c = src[start];
    if (c === undefined) return { kind: "eof", text: "", pos: src.length };
    if (isDigit(c) || (c === "." && isDigit(src[start + 1]))) return this.scanNumber();
    if (isIdentStart(c)) return this.scanName();
    if (PUNCT.includes(c)) {
      this.i++;
      return { kind: "punct", text: c, pos: start };
    }
    fail(start, `unexpected character ${this.charAt(start)}`);
  }

  private skipDigits(): void {
    while (isDigit(this.src[this.i])) this.i++;
  }

  private scanNumber(): Token {
    const src = this.src;
    const start = this.i;
    this.skipDigits();
    if (src[this.i] === ".") {
      this.i++;
      this.skipDigits();
    }
    if (src[this.i] === "e" || src[this.i] === "E") {
      let j = this.i + 1;
      if (src[j] === "+" || src[j] === "-") j++;
      if (!isDigit(src[j])) fail(j, `expected digits in the exponent of a number, found ${this.charAt(j)}`);
      this.i = j;
      this.skipDigits();
    }
    const text = src.slice(start, this.i);
    const value = Number(text);
    if (!Number.isFinite(value)) fail(start, "number is too large");
    return { kind: "num", text, value, pos: start };
  }

  private scanName(): Token {
    const src = this.src;
    const start = this.i;
    const skipIdent = () => {
      while (isIdentChar(src[this.i])) this.i++;
    };
    skipIdent();
    while (src[this.i] === ".") {
      if (!isIdentStart(src[this.i + 1])) fail(this.i + 1, `expected a name after '.', found ${this.charAt(this.i + 1)}`);
      this.i++;
      skipIdent();
    }
    while (src[this.i] === "'") this.i++;
    return { kind: "name", text: src.slice(start, this.i), pos: start };
  }
}

// ---------------------------------------------------------------------------
// Parser

function describe(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "end of input";
    case "name":
      return `name '${t.text}'`;
    case "num":
      return `number ${t.text}`;
    case "punct":
      return `'${t.text}'`;
  }
}

const isPunct = (t: Token, text: string): boolean => t.kind === "punct" && t.text === text;

/** Can this token begin an expression? (Used to word errors about missing arguments.) */
const startsExpr = (t: Token): boolean =>
  t.kind === "num" || t.kind === "name" || (t.kind === "punct" && "-+(".includes(t.text));

class Parser {
  private readonly lex: Lexer;
  private depth = 0;

  constructor(src: string) {
    this.lex = new Lexer(src);
  }

  parseAll(): Expr {
    const e = this.parseExpr();
    const t = this.lex.peek();
    if (t.kind !== "eof") fail(t.pos, `expected an operator or end of input, found ${describe(t)}`);
    return e;
  }

  private parseExpr(): Expr {
    return this.parseAdditive();
  }

  /** Consume the next token if it is one of `ops`, returning it. */
  private eatOp<Op extends string>(ops: readonly Op[]): { op: Op; pos: number } | undefined {
    const t = this.lex.peek();
    if (t.kind !== "punct") return undefined;
    const op = ops.find((o) => o === t.text);
    if (op === undefined) return undefined;
    this.lex.next();
    return { op, pos: t.pos };
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (let m; (m = this.eatOp(["+", "-"] as const)); ) {
      const right = this.parseMultiplicative();
      left = { kind: "binary", op: m.op, left, right, pos: m.pos };
    }
    return left;
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (let m; (m = this.eatOp(["*", "/", "@"] as const)); ) {
      const right = this.parseUnary();
      left = { kind: "binary", op: m.op, left, right, pos: m.pos };
    }
    return left;
  }

  /** Every nested construct (sign, parentheses, call) recurses through here. */
  private parseUnary(): Expr {
    const t = this.lex.peek();
    // No try/finally needed: an error abandons the whole parser.
    if (++this.depth > MAX_DEPTH) fail(t.pos, `expression is nested too deeply (more than ${MAX_DEPTH} levels)`);
    let result: Expr;
    const sign = this.eatOp(["-", "+"] as const);
    if (sign) {
      const arg = this.parseUnary();
      result =
        sign.op === "-" && arg.kind === "num"
          ? { kind: "num", value: -arg.value, pos: sign.pos }
          : { kind: "unary", op: sign.op, arg, pos: sign.pos };
    } else {
      result = this.parsePrimary();
    }
    this.depth--;
    return result;
  }

  private parsePrimary(): Expr {
    const t = this.lex.peek();
    if (t.kind === "num") {
      this.lex.next();
      return { kind: "num", value: t.value, pos: t.pos };
    }
    if (t.kind === "name") {
      this.lex.next();
      if (isPunct(this.lex.peek(), "(")) return this.parseCall(t);
      return { kind: "name", name: t.text, pos: t.pos };
    }
    if (isPunct(t, "(")) {
      this.lex.next();
      const inner = this.parseExpr();
      this.expectClose(t, ")", "')'");
      return inner;
    }
    fail(t.pos, `expected an expression, found ${describe(t)}`);
  }

  /** Consume `close`, or explain which opening bracket it was supposed to match. */
  private expectClose(open: Token, close: string, expected: string): void {
    const t = this.lex.peek();
    if (isPunct(t, close)) {
      this.lex.next();
      return;
    }
    fail(t.pos, `expected ${expected} to close '${open.text}' opened at column ${open.pos + 1}, found ${describe(t)}`);
  }

  /** Fail unless the next token can begin an expression; `what` names the thing expected. */
  private requireExprStart(what: string): void {
    const t = this.lex.peek();
    if (!startsExpr(t)) fail(t.pos, `expected ${what}, found ${describe(t)}`);
  }

  private parseCall(callee: Token): Expr {
    const open = this.lex.next(); // '('
    const args: Expr[] = [];
    const kwargs: Kwarg[] = [];
    if (!isPunct(this.lex.peek(), ")")) {
      let first = true;
      do {
        this.requireExprStart(first ? "an argument or ')'" : "an argument");
        first = false;
        const t = this.lex.peek();
        if (t.kind === "name" && isPunct(this.lex.peek(1), "=")) {
          kwargs.push(this.parseKwarg(kwargs));
        } else {
          if (kwargs.length > 0) fail(t.pos, "positional argument after keyword argument");
          args.push(this.parseExpr());
        }
      } while (this.eatOp([","] as const));
    }
    this.expectClose(open, ")", "',' or ')'");
    return { kind: "call", fn: callee.text, args, kwargs, pos: callee.pos };
  }

  private parseKwarg(seen: readonly Kwarg[]): Kwarg {
    const nameTok = this.lex.next();
    this.lex.next(); // '='
    const name = nameTok.text;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      fail(nameTok.pos, `expected a plain identifier as keyword argument name, found name '${name}'`);
    }
    if (seen.some((k) => k.name === name)) fail(nameTok.pos, `duplicate keyword argument '${name}'`);
    let value: Expr;
    if (isPunct(this.lex.peek(), "[")) {
      value = this.parseList();
    } else {
      this.requireExprStart(`a value for keyword argument '${name}'`);
      value = this.parseExpr();
    }
    return { name, value, pos: nameTok.pos };
  }

  /** A list literal of (optionally signed) number literals: `[1, -2, 3.5]`. */
  private parseList(): Expr {
    const open = this.lex.next(); // '['
    const items: Expr[] = [];
    if (!isPunct(this.lex.peek(), "]")) {
      let first = true;
      do {
        items.push(this.parseSignedNumber(first ? "a number or ']'" : "a number"));
        first = false;
      } while (this.eatOp([","] as const));
    }
    this.expectClose(open, "]", "',' or ']'");
    return { kind: "list", items, pos: open.pos };
  }

  private parseSignedNumber(what: string): Expr {
    const sign = this.eatOp(["-", "+"] as const);
    const t = this.lex.peek();
    if (t.kind !== "num") fail(t.pos, `expected ${sign ? "a number" : what}, found ${describe(t)}`);
    this.lex.next();
    const value = sign?.op === "-" ? -t.value : t.value;
    return { kind: "num", value, pos: sign ? sign.pos : t.pos };
  }
}
