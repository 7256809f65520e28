/**
 * The static frontend of `*.cell.ts` files: the file is parsed with ts-morph and a small, pure
 * subset of TypeScript is evaluated without running the file — const/let declarations, arrow and
 * function helpers, for and for…of loops, if, template literals, object and array literals,
 * destructuring, arithmetic on numbers and strings, and calls to rnnc/dsl functions and to the
 * file's own functions. The DSL calls are served by compiler/dsl/index.ts, so the cell document
 * is exactly the one tracing (importing and running the file) would build.
 *
 * Anything else (other imports, arbitrary calls, side effects on objects, dynamic keys, classes,
 * while loops…) is an error, as are unknown names and shape mismatches. Errors name
 * `file:line:col`, show the source line with a caret under the offending code, and, inside
 * helpers, the calls that led there.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";
import type { Node as TsNode, Project, SourceFile } from "ts-morph";
import { RnncError } from "../diagnostics.ts";
import { suggest } from "../frontend/equations.ts";
import { caretLine } from "../frontend/expr.ts";
import { buildCell, programFromCell } from "../frontend/program.ts";
import type { Cell, Program, SizeOverrides } from "../frontend/program.ts";
import * as dsl from "./index.ts";
import type { CellDef, CellDocument } from "./index.ts";

// ---- ts-morph, loaded on first use (rnnc commands on JSON files never pay for it) ------------------

const require = createRequire(import.meta.url);
let morph: typeof TsMorph | undefined;

export function tsMorph(): typeof TsMorph {
  return (morph ??= require("ts-morph") as typeof TsMorph);
}

let project: Project | undefined;

/** One in-memory ts-morph Project per process: a cold one costs time. */
export function sharedProject(): Project {
  return (project ??= new (tsMorph().Project)({ useInMemoryFileSystem: true, compilerOptions: { allowJs: false } }));
}

let counter = 0;

/** Parses TypeScript text without touching the disk. */
export function parseSource(text: string): SourceFile {
  return sharedProject().createSourceFile(`/rnnc-${++counter}.ts`, text, { overwrite: true });
}

// ---- what the file can use from rnnc/dsl ----------------------------------------------------------

/** The DSL module's callable exports, as a cell file sees them. */
export const DSL_FUNCTIONS: readonly string[] = ["cell", "param", "input", "state", "eq", "next", "output", ...Object.keys(dsl.OP_FUNCTIONS)];

/** Exports that are types (or classes used as types): importable, not usable as values. */
const DSL_TYPES = new Set(["Tensor", "State", "Dim", "Shape", "Operand", "Init", "InitName", "CellDef", "CellResult", "Dims",
  "ParamOptions", "InputOptions", "StateOptions", "CellOptions", "CellDocument", "TensorDecl", "DocumentHooks", "ToDocumentOptions", "DslError"]);

const ARRAY_METHODS = ["map"];

class Closure {
  constructor(readonly name: string, readonly node: TsNode, readonly env: Env) {}
}
class DslFunction {
  constructor(readonly name: string, readonly fn: (...args: unknown[]) => unknown) {}
}
class TypeOnly {
  constructor(readonly name: string, readonly reason: string) {}
}
class Namespace {}
class BoundMethod {
  constructor(readonly target: unknown, readonly name: string) {}
}

interface Binding { value: unknown; mutable: boolean; ready: boolean }

class Env {
  readonly vars = new Map<string, Binding>();
  constructor(readonly parent?: Env) {}

  find(name: string): Binding | undefined {
    for (let e: Env | undefined = this; e; e = e.parent) {
      const b = e.vars.get(name);
      if (b) return b;
    }
    return undefined;
  }

  names(): string[] {
    const out = new Set<string>();
    for (let e: Env | undefined = this; e; e = e.parent) for (const k of e.vars.keys()) out.add(k);
    return [...out];
  }

  /** A copy of this scope's own bindings (a for loop's per-iteration scope). */
  copy(): Env {
    const e = new Env(this.parent);
    for (const [k, b] of this.vars) e.vars.set(k, { ...b });
    return e;
  }
}

type Completion = { type: "normal" } | { type: "return"; value: unknown } | { type: "break" } | { type: "continue" };
const NORMAL: Completion = { type: "normal" };

/** An error that already names its place in the file. */
export class LocatedError extends RnncError {}

/** A call of one of the file's functions: its name and where it was called (an offset). */
interface Frame { name: string; pos: number }
/** Where something was written: an offset, and the calls that led there. */
interface Place { pos: number; frames: Frame[] }

const MAX_LOOP = 10_000;
const MAX_DEPTH = 100;
const MAX_STEPS = 2_000_000;

// ---- the evaluator -------------------------------------------------------------------------------

class Evaluator {
  private readonly K = tsMorph().SyntaxKind;
  private readonly lines: string[];
  private readonly lineStarts: number[] = [0];
  private readonly frames: Frame[] = [];
  private readonly dslSites: TsNode[] = [];
  /** Where each literal object's keys were written. */
  readonly propNodes = new WeakMap<object, Map<string, TsNode>>();
  /** Where each document entry (`params.W`, `next.h`, …) was made. */
  readonly places = new Map<string, Place>();
  private steps = 0;
  /** Where each cell(...) was called. */
  readonly cellSites = new WeakMap<object, TsNode>();

  constructor(readonly sf: SourceFile, readonly file: string) {
    const text = sf.getFullText();
    this.lines = text.split(/\r\n|\r|\n/);
    for (const m of text.matchAll(/\r\n|\r|\n/g)) this.lineStarts.push(m.index! + m[0].length);
  }

  /** 1-based line and column of an offset (the source file may be gone by then). */
  private lineCol(pos: number): { line: number; column: number } {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: pos - this.lineStarts[lo]! + 1 };
  }

  // ---- errors ----

  at(pos: number, message: string, frames: Frame[] = this.frames): LocatedError {
    const { line, column } = this.lineCol(pos);
    const src = this.lines[line - 1] ?? "";
    const caret = caretLine(src, column - 1).split("\n").map((l) => `    ${l}`.trimEnd() || "    ").join("\n");
    // innermost call first; repeats (recursion) folded into one line
    const calls: { text: string; n: number }[] = [];
    for (const f of [...frames].reverse()) {
      const p = this.lineCol(f.pos);
      const text = `    in ${f.name}(), called from ${this.file}:${p.line}:${p.column}`;
      const last = calls[calls.length - 1];
      if (last && last.text === text) last.n++;
      else calls.push({ text, n: 1 });
    }
    const trace = calls.slice(0, 6).map((c) => (c.n > 1 ? `${c.text} (${c.n} times)` : c.text));
    if (calls.length > 6) trace.push(`    … and ${calls.length - 6} more calls`);
    return new LocatedError([`${this.file}:${line}:${column}: ${message}\n${caret}${trace.length ? `\n${trace.join("\n")}` : ""}`]);
  }

  fail(node: TsNode, message: string, frames?: Frame[]): never {
    throw this.at(node.getStart(), message, frames);
  }

  /** Re-throws an error of a DSL call as located at `site` (or at the entry its path names). */
  private relocate(e: unknown, site: TsNode): never {
    if (e instanceof LocatedError) throw e;
    if (e instanceof dsl.DslError && e.path !== undefined) {
      const place = this.places.get(e.path);
      if (place) throw this.at(place.pos, e.message, place.frames);
    }
    if (e instanceof RnncError) {
      if (e.problems.length === 1) this.fail(site, e.problems[0]!);
      throw new LocatedError(e.problems.map((p) => this.at(site.getStart(), p).message));
    }
    throw e;
  }

  private unsupported(node: TsNode, what?: string, hint?: string): never {
    const name = what ?? describeKind(node.getKindName());
    this.fail(node, `unsupported syntax: ${name} (${hint ?? "a cell file is evaluated statically, never run: see docs/dsl.md for what it may contain"})`);
  }

  private tick(node: TsNode): void {
    if (++this.steps > MAX_STEPS) this.fail(node, `the file takes more than ${MAX_STEPS} evaluation steps (an endless loop?)`);
  }

  /** Records where a document entry comes from (the DSL's entry hook). */
  entry(path: string, site?: { object: object; key: string }): void {
    const fromObject = site ? this.propNodes.get(site.object)?.get(site.key) : undefined;
    const node = fromObject ?? this.dslSites[this.dslSites.length - 1];
    if (node) this.places.set(path, { pos: node.getStart(), frames: fromObject ? [] : [...this.frames] });
  }

  // ---- module ----

  /** Evaluates the file; returns its default export and where it was written. */
  run(): { value: unknown; node: TsNode } {
    const K = this.K;
    const diags = (this.sf.compilerNode as unknown as { parseDiagnostics?: { start?: number; messageText: unknown }[] }).parseDiagnostics ?? [];
    if (diags.length > 0) {
      const ts = tsMorph().ts;
      throw new LocatedError(diags.slice(0, 5).map((d) =>
        this.at(d.start ?? 0, `syntax error: ${ts.flattenDiagnosticMessageText(d.messageText as string, " ")}`).message));
    }
    const env = new Env();
    const statements = this.sf.getStatements();
    let result: { value: unknown; node: TsNode } | undefined;
    this.hoist(statements, env);
    for (const st of statements) {
      switch (st.getKind()) {
        case K.ImportDeclaration:
          this.importDecl(st.asKindOrThrow(K.ImportDeclaration), env);
          break;
        case K.ExportAssignment: {
          const ea = st.asKindOrThrow(K.ExportAssignment);
          if (ea.isExportEquals()) this.unsupported(st, "export =");
          result = { value: this.eval(ea.getExpression(), env), node: ea.getExpression() };
          break;
        }
        case K.ExportDeclaration: {
          const ed = st.asKindOrThrow(K.ExportDeclaration);
          if (ed.getModuleSpecifier()) this.fail(ed.getModuleSpecifier()!, `re-exports are not supported in a cell file`);
          if (ed.getNamedExports().some((s) => (s.getAliasNode()?.getText() ?? s.getName()) === "default")) {
            this.fail(st, `write the cell as \`export default cell(...)\``);
          }
          break;
        }
        default: {
          const c = this.exec(st, env, true);
          if (c.type !== "normal") this.unsupported(st);
        }
      }
    }
    if (!result) throw new LocatedError([`${this.file}:1:1: no cell: a cell file must \`export default cell(...)\` (see docs/dsl.md)`]);
    return result;
  }

  private importDecl(decl: TsMorph.ImportDeclaration, env: Env): void {
    if (decl.isTypeOnly()) return;
    const spec = decl.getModuleSpecifierValue();
    if (spec !== "rnnc/dsl") {
      this.fail(decl.getModuleSpecifier(), `only imports from "rnnc/dsl" are allowed: a cell file is evaluated statically, never run, so it cannot use other modules`);
    }
    const def = decl.getDefaultImport();
    if (def) this.fail(def, `"rnnc/dsl" has no default export: import { cell, ... } from "rnnc/dsl"`);
    const ns = decl.getNamespaceImport();
    if (ns) env.vars.set(ns.getText(), { value: new Namespace(), mutable: false, ready: true });
    for (const s of decl.getNamedImports()) {
      if (s.isTypeOnly()) continue;
      const local = s.getAliasNode()?.getText() ?? s.getName();
      env.vars.set(local, { value: this.dslExport(s.getName(), s.getNameNode()), mutable: false, ready: true });
    }
  }

  private dslExport(name: string, node: TsNode): unknown {
    if (DSL_FUNCTIONS.includes(name)) {
      const fn = (dsl as unknown as Record<string, (...args: unknown[]) => unknown>)[name]!;
      return new DslFunction(name, fn);
    }
    if (DSL_TYPES.has(name)) return new TypeOnly(name, "is a type: it cannot be used as a value here");
    if (name in dsl) return new TypeOnly(name, "cannot be used in a cell file");
    this.fail(node, `"rnnc/dsl" has no export "${name}"${suggest(name, [...DSL_FUNCTIONS, ...DSL_TYPES])}`);
  }

  // ---- statements ----

  /** Function declarations are defined before the statements of their block run; let/const are marked. */
  private hoist(statements: TsNode[], env: Env): void {
    const K = this.K;
    for (const st of statements) {
      if (st.getKind() === K.FunctionDeclaration) {
        const fd = st.asKindOrThrow(K.FunctionDeclaration);
        if (!fd.hasBody()) continue;
        const name = fd.getName();
        if (!name) continue;
        env.vars.set(name, { value: this.closure(fd, env, name), mutable: false, ready: true });
      } else if (st.getKind() === K.VariableStatement) {
        for (const d of st.asKindOrThrow(K.VariableStatement).getDeclarations()) {
          for (const name of this.bindingNames(d.getNameNode())) env.vars.set(name, { value: undefined, mutable: true, ready: false });
        }
      }
    }
  }

  /** The names a declaration binds (`x`, or every name of a destructuring pattern). */
  private bindingNames(name: TsNode): string[] {
    const K = this.K;
    if (name.getKind() === K.Identifier) return [name.getText()];
    if (name.getKind() === K.ObjectBindingPattern) {
      return name.asKindOrThrow(K.ObjectBindingPattern).getElements().flatMap((el) => this.bindingNames(el.getNameNode()));
    }
    if (name.getKind() === K.ArrayBindingPattern) {
      return name.asKindOrThrow(K.ArrayBindingPattern).getElements()
        .flatMap((el) => (el.getKind() === K.BindingElement ? this.bindingNames(el.asKindOrThrow(K.BindingElement).getNameNode()) : []));
    }
    return [];
  }

  private block(statements: TsNode[], env: Env): Completion {
    this.hoist(statements, env);
    for (const st of statements) {
      const c = this.exec(st, env, false);
      if (c.type !== "normal") return c;
    }
    return NORMAL;
  }

  private exec(st: TsNode, env: Env, topLevel: boolean): Completion {
    const K = this.K;
    this.tick(st);
    switch (st.getKind()) {
      case K.VariableStatement: {
        const vs = st.asKindOrThrow(K.VariableStatement);
        this.declarations(vs.getDeclarationList(), env);
        return NORMAL;
      }
      case K.FunctionDeclaration: {
        const fd = st.asKindOrThrow(K.FunctionDeclaration);
        if (fd.isAsync() || fd.isGenerator()) this.unsupported(st, fd.isAsync() ? "an async function" : "a generator function");
        if (!fd.getName() && fd.hasBody()) this.unsupported(st, "a function without a name");
        return NORMAL;
      }
      case K.TypeAliasDeclaration:
      case K.InterfaceDeclaration:
      case K.EmptyStatement:
        return NORMAL;
      case K.ExpressionStatement:
        if (topLevel) this.unsupported(st, "a statement at the top level", "only imports, declarations and `export default cell(...)` are allowed there");
        this.eval(st.asKindOrThrow(K.ExpressionStatement).getExpression(), env);
        return NORMAL;
      case K.ReturnStatement: {
        if (topLevel) this.unsupported(st);
        const e = st.asKindOrThrow(K.ReturnStatement).getExpression();
        return { type: "return", value: e ? this.eval(e, env) : undefined };
      }
      case K.IfStatement: {
        if (topLevel) this.unsupported(st, "an if statement at the top level");
        const s = st.asKindOrThrow(K.IfStatement);
        if (this.truthy(this.eval(s.getExpression(), env), s.getExpression())) return this.exec(s.getThenStatement(), env, false);
        const e = s.getElseStatement();
        return e ? this.exec(e, env, false) : NORMAL;
      }
      case K.Block:
        if (topLevel) this.unsupported(st, "a block at the top level");
        return this.block(st.asKindOrThrow(K.Block).getStatements(), new Env(env));
      case K.ForStatement:
        if (topLevel) this.unsupported(st, "a loop at the top level");
        return this.forLoop(st.asKindOrThrow(K.ForStatement), env);
      case K.ForOfStatement:
        if (topLevel) this.unsupported(st, "a loop at the top level");
        return this.forOf(st.asKindOrThrow(K.ForOfStatement), env);
      case K.BreakStatement:
      case K.ContinueStatement: {
        const s = st.asKindOrThrow(st.getKind() === K.BreakStatement ? K.BreakStatement : K.ContinueStatement);
        if (s.getLabel()) this.unsupported(st, "a labelled break or continue");
        return { type: st.getKind() === K.BreakStatement ? "break" : "continue" };
      }
      case K.WhileStatement:
      case K.DoStatement:
        this.unsupported(st, `a ${st.getKind() === K.WhileStatement ? "while" : "do-while"} loop`, "use a for loop whose bounds are known when the file is read");
      // falls through: unsupported() throws
      default:
        this.unsupported(st);
    }
  }

  private declarations(list: TsMorph.VariableDeclarationList, env: Env): void {
    const kind = list.getDeclarationKind();
    if (kind !== "const" && kind !== "let") this.unsupported(list, `${kind} declarations`, "use const or let");
    for (const d of list.getDeclarations()) {
      const init = d.getInitializer();
      const value = init ? this.eval(init, env) : undefined;
      this.bind(d.getNameNode(), value, env, kind === "let");
    }
  }

  /** Binds a name or a destructuring pattern. */
  private bind(name: TsNode, value: unknown, env: Env, mutable: boolean): void {
    const K = this.K;
    switch (name.getKind()) {
      case K.Identifier:
        env.vars.set(name.getText(), { value, mutable, ready: true });
        return;
      case K.ObjectBindingPattern: {
        for (const el of name.asKindOrThrow(K.ObjectBindingPattern).getElements()) {
          if (el.getDotDotDotToken()) this.unsupported(el, "a rest pattern");
          const keyNode = el.getPropertyNameNode() ?? el.getNameNode();
          if (keyNode.getKind() === K.ComputedPropertyName) this.dynamicKey(keyNode);
          const key = this.keyText(keyNode);
          let v = this.get(value, key, keyNode);
          const def = el.getInitializer();
          if (v === undefined && def) v = this.eval(def, env);
          this.bind(el.getNameNode(), v, env, mutable);
        }
        return;
      }
      case K.ArrayBindingPattern: {
        if (!Array.isArray(value)) this.fail(name, `cannot destructure ${describeValue(value)} as an array`);
        name.asKindOrThrow(K.ArrayBindingPattern).getElements().forEach((el, i) => {
          if (el.getKind() === K.OmittedExpression) return;
          const be = el.asKindOrThrow(K.BindingElement);
          if (be.getDotDotDotToken()) {
            this.bind(be.getNameNode(), value.slice(i), env, mutable);
            return;
          }
          let v = value[i];
          const def = be.getInitializer();
          if (v === undefined && def) v = this.eval(def, env);
          this.bind(be.getNameNode(), v, env, mutable);
        });
        return;
      }
      default:
        this.unsupported(name);
    }
  }

  private forLoop(st: TsMorph.ForStatement, outer: Env): Completion {
    const K = this.K;
    let env = new Env(outer);
    const init = st.getInitializer();
    if (init) {
      if (init.getKind() === K.VariableDeclarationList) this.declarations(init.asKindOrThrow(K.VariableDeclarationList), env);
      else this.eval(init, env);
    }
    const cond = st.getCondition(), inc = st.getIncrementor();
    for (let n = 0; ; n++) {
      if (n >= MAX_LOOP) this.fail(st.getFirstChild()!, `this loop runs more than ${MAX_LOOP} times`);
      if (cond && !this.truthy(this.eval(cond, env), cond)) break;
      const c = this.exec(st.getStatement(), new Env(env), false);
      if (c.type === "return") return c;
      if (c.type === "break") break;
      env = env.copy();
      if (inc) this.eval(inc, env);
    }
    return NORMAL;
  }

  private forOf(st: TsMorph.ForOfStatement, outer: Env): Completion {
    const K = this.K;
    if (st.isAwaited()) this.unsupported(st, "for await");
    const items = this.eval(st.getExpression(), outer);
    if (!Array.isArray(items)) this.fail(st.getExpression(), `for…of needs an array, found ${describeValue(items)}`);
    const init = st.getInitializer();
    if (init.getKind() !== K.VariableDeclarationList) this.unsupported(init, "a for…of loop without const or let");
    const list = init.asKindOrThrow(K.VariableDeclarationList);
    const kind = list.getDeclarationKind();
    if (kind !== "const" && kind !== "let") this.unsupported(list, `${kind} declarations`, "use const or let");
    const decl = list.getDeclarations()[0]!;
    for (const item of items) {
      const env = new Env(outer);
      this.bind(decl.getNameNode(), item, env, kind === "let");
      const c = this.exec(st.getStatement(), env, false);
      if (c.type === "return") return c;
      if (c.type === "break") break;
    }
    return NORMAL;
  }

  // ---- expressions ----

  eval(node: TsNode, env: Env): unknown {
    const K = this.K;
    this.tick(node);
    switch (node.getKind()) {
      case K.NumericLiteral:
        return node.asKindOrThrow(K.NumericLiteral).getLiteralValue();
      case K.StringLiteral:
        return node.asKindOrThrow(K.StringLiteral).getLiteralValue();
      case K.NoSubstitutionTemplateLiteral:
        return node.asKindOrThrow(K.NoSubstitutionTemplateLiteral).getLiteralValue();
      case K.TemplateExpression: {
        const te = node.asKindOrThrow(K.TemplateExpression);
        let s = te.getHead().getLiteralText();
        for (const span of te.getTemplateSpans()) {
          const v = this.eval(span.getExpression(), env);
          if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
            this.fail(span.getExpression(), `only numbers and strings can go into a template literal, found ${describeValue(v)}`);
          }
          s += String(v) + span.getLiteral().getLiteralText();
        }
        return s;
      }
      case K.TrueKeyword: return true;
      case K.FalseKeyword: return false;
      case K.NullKeyword: return null;
      case K.Identifier: return this.lookup(node, env);
      case K.ParenthesizedExpression:
        return this.eval(node.asKindOrThrow(K.ParenthesizedExpression).getExpression(), env);
      case K.AsExpression:
        return this.eval(node.asKindOrThrow(K.AsExpression).getExpression(), env);
      case K.SatisfiesExpression:
        return this.eval(node.asKindOrThrow(K.SatisfiesExpression).getExpression(), env);
      case K.NonNullExpression:
        return this.eval(node.asKindOrThrow(K.NonNullExpression).getExpression(), env);
      case K.TypeAssertionExpression:
        return this.eval(node.asKindOrThrow(K.TypeAssertionExpression).getExpression(), env);
      case K.ArrowFunction:
      case K.FunctionExpression: {
        const f = node.asKindOrThrow(node.getKind() === K.ArrowFunction ? K.ArrowFunction : K.FunctionExpression);
        if (f.isAsync()) this.unsupported(node, "an async function");
        if (node.getKind() === K.FunctionExpression && node.asKindOrThrow(K.FunctionExpression).isGenerator()) this.unsupported(node, "a generator function");
        return this.closure(f, env, this.functionName(node));
      }
      case K.PrefixUnaryExpression: return this.prefix(node.asKindOrThrow(K.PrefixUnaryExpression), env);
      case K.PostfixUnaryExpression: {
        const pe = node.asKindOrThrow(K.PostfixUnaryExpression);
        return this.increment(pe.getOperand(), pe.getOperatorToken() === K.PlusPlusToken ? 1 : -1, env, true);
      }
      case K.BinaryExpression: return this.binary(node.asKindOrThrow(K.BinaryExpression), env);
      case K.ConditionalExpression: {
        const c = node.asKindOrThrow(K.ConditionalExpression);
        return this.truthy(this.eval(c.getCondition(), env), c.getCondition()) ? this.eval(c.getWhenTrue(), env) : this.eval(c.getWhenFalse(), env);
      }
      case K.CallExpression: return this.call(node.asKindOrThrow(K.CallExpression), env);
      case K.PropertyAccessExpression: {
        const pa = node.asKindOrThrow(K.PropertyAccessExpression);
        if (pa.hasQuestionDotToken()) this.unsupported(node, "optional chaining (?.)");
        return this.get(this.eval(pa.getExpression(), env), pa.getName(), pa.getNameNode());
      }
      case K.ElementAccessExpression: return this.element(node.asKindOrThrow(K.ElementAccessExpression), env);
      case K.ObjectLiteralExpression: return this.object(node.asKindOrThrow(K.ObjectLiteralExpression), env);
      case K.ArrayLiteralExpression: {
        const out: unknown[] = [];
        for (const el of node.asKindOrThrow(K.ArrayLiteralExpression).getElements()) {
          if (el.getKind() === K.SpreadElement) {
            const v = this.eval(el.asKindOrThrow(K.SpreadElement).getExpression(), env);
            if (!Array.isArray(v)) this.fail(el, `only arrays can be spread into an array, found ${describeValue(v)}`);
            out.push(...v);
          } else if (el.getKind() === K.OmittedExpression) this.unsupported(el, "an array hole");
          else out.push(this.eval(el, env));
        }
        return out;
      }
      case K.NewExpression: this.unsupported(node, "new", "a cell file makes objects and arrays only with literals");
      // falls through: unsupported() throws
      case K.ThisKeyword: this.unsupported(node, "this");
      // falls through
      case K.AwaitExpression: this.unsupported(node, "await");
      // falls through
      case K.TypeOfExpression: this.unsupported(node, "typeof in an expression");
      // falls through
      case K.TaggedTemplateExpression: this.unsupported(node, "a tagged template");
      // falls through
      default: this.unsupported(node);
    }
  }

  private functionName(node: TsNode): string {
    const K = this.K;
    const p = node.getParent();
    if (node.getKind() === K.FunctionExpression) {
      const n = node.asKindOrThrow(K.FunctionExpression).getName();
      if (n) return n;
    }
    if (p?.getKind() === K.VariableDeclaration) return p.asKindOrThrow(K.VariableDeclaration).getName();
    if (p?.getKind() === K.PropertyAssignment) return p.asKindOrThrow(K.PropertyAssignment).getName();
    return "(anonymous function)";
  }

  private closure(node: TsNode, env: Env, name: string): Closure {
    return new Closure(name, node, env);
  }

  private lookup(node: TsNode, env: Env): unknown {
    const name = node.getText();
    const b = env.find(name);
    if (!b) {
      if (name === "undefined") return undefined;
      if (name in globalThis) {
        this.fail(node, `"${name}" is not available in a cell file: only rnnc/dsl and what the file itself defines can be used (the file is evaluated statically, never run)`);
      }
      this.fail(node, `unknown name "${name}"${suggest(name, env.names())}`);
    }
    if (!b.ready) this.fail(node, `"${name}" is used before it is defined`);
    if (b.value instanceof TypeOnly) this.fail(node, `"${name}" ${b.value.reason}`);
    return b.value;
  }

  private truthy(v: unknown, node: TsNode): boolean {
    if (dsl.isTensor(v)) this.fail(node, `a tensor has no truth value here: conditions are decided when the file is read, before there is any data`);
    return Boolean(v);
  }

  private prefix(pe: TsMorph.PrefixUnaryExpression, env: Env): unknown {
    const K = this.K;
    const op = pe.getOperatorToken();
    if (op === K.PlusPlusToken || op === K.MinusMinusToken) return this.increment(pe.getOperand(), op === K.PlusPlusToken ? 1 : -1, env, false);
    const v = this.eval(pe.getOperand(), env);
    if (op === K.ExclamationToken) return !this.truthy(v, pe.getOperand());
    if (op === K.MinusToken || op === K.PlusToken) {
      const sym = op === K.MinusToken ? "-" : "+";
      if (dsl.isTensor(v)) {
        this.fail(pe, `the operator "${sym}" does not apply to tensors (TypeScript has no operator overloading): write ${sym === "-" ? "neg(x) or x.neg()" : "x"}`);
      }
      if (typeof v !== "number") this.fail(pe, `the operator "${sym}" needs a number, found ${describeValue(v)}`);
      return sym === "-" ? -v : v;
    }
    this.unsupported(pe, `the operator "${pe.getText().trim()[0]}"`);
  }

  private assignable(target: TsNode, env: Env): Binding {
    const K = this.K;
    if (target.getKind() !== K.Identifier) {
      if (target.getKind() === K.PropertyAccessExpression || target.getKind() === K.ElementAccessExpression) {
        this.fail(target, `a cell file cannot change objects or arrays (assign to a let variable instead)`);
      }
      this.unsupported(target, "assignment to a pattern");
    }
    const name = target.getText();
    const b = env.find(name);
    if (!b) this.fail(target, `unknown name "${name}"${suggest(name, env.names())}`);
    if (!b.ready) this.fail(target, `"${name}" is used before it is defined`);
    if (!b.mutable) this.fail(target, `cannot assign to "${name}": it is a constant (declare it with let)`);
    return b;
  }

  private increment(target: TsNode, by: number, env: Env, postfix: boolean): number {
    const b = this.assignable(target, env);
    if (typeof b.value !== "number") this.fail(target, `++ and -- need a number, "${target.getText()}" is ${describeValue(b.value)}`);
    const old = b.value;
    b.value = old + by;
    return postfix ? old : old + by;
  }

  private binary(be: TsMorph.BinaryExpression, env: Env): unknown {
    const K = this.K;
    const opKind = be.getOperatorToken().getKind();
    const opText = be.getOperatorToken().getText();
    switch (opKind) {
      case K.EqualsToken: {
        const b = this.assignable(be.getLeft(), env);
        const v = this.eval(be.getRight(), env);
        b.value = v;
        return v;
      }
      case K.PlusEqualsToken: case K.MinusEqualsToken: case K.AsteriskEqualsToken: case K.SlashEqualsToken: {
        const b = this.assignable(be.getLeft(), env);
        const v = this.arith(opText.slice(0, 1), b.value, this.eval(be.getRight(), env), be);
        b.value = v;
        return v;
      }
      case K.AmpersandAmpersandToken: {
        const l = this.eval(be.getLeft(), env);
        return this.truthy(l, be.getLeft()) ? this.eval(be.getRight(), env) : l;
      }
      case K.BarBarToken: {
        const l = this.eval(be.getLeft(), env);
        return this.truthy(l, be.getLeft()) ? l : this.eval(be.getRight(), env);
      }
      case K.QuestionQuestionToken: {
        const l = this.eval(be.getLeft(), env);
        return l ?? this.eval(be.getRight(), env);
      }
      case K.EqualsEqualsEqualsToken: case K.EqualsEqualsToken:
        return this.eval(be.getLeft(), env) === this.eval(be.getRight(), env);
      case K.ExclamationEqualsEqualsToken: case K.ExclamationEqualsToken:
        return this.eval(be.getLeft(), env) !== this.eval(be.getRight(), env);
      case K.PlusToken: case K.MinusToken: case K.AsteriskToken: case K.SlashToken: case K.PercentToken: case K.AsteriskAsteriskToken:
      case K.LessThanToken: case K.LessThanEqualsToken: case K.GreaterThanToken: case K.GreaterThanEqualsToken:
        return this.arith(opText, this.eval(be.getLeft(), env), this.eval(be.getRight(), env), be);
      default:
        this.unsupported(be.getOperatorToken(), `the operator "${opText}"`);
    }
  }

  private arith(op: string, l: unknown, r: unknown, be: TsMorph.BinaryExpression): unknown {
    const fnName: Record<string, string> = { "+": "add", "-": "sub", "*": "mul", "/": "div" };
    if (dsl.isTensor(l) || dsl.isTensor(r)) {
      const f = fnName[op];
      this.fail(be.getOperatorToken(), `the operator "${op}" does not apply to tensors (TypeScript has no operator overloading): ${f ? `write ${f}(a, b) or a.${f}(b)` : "use the rnnc/dsl functions"}`);
    }
    if (op === "+" && (typeof l === "string" || typeof r === "string") && isPrimitive(l) && isPrimitive(r)) return String(l) + String(r);
    if (["<", "<=", ">", ">="].includes(op) && typeof l === "string" && typeof r === "string") {
      return op === "<" ? l < r : op === "<=" ? l <= r : op === ">" ? l > r : l >= r;
    }
    if (typeof l !== "number" || typeof r !== "number") {
      this.fail(be.getOperatorToken(), `the operator "${op}" needs numbers${op === "+" ? " or strings" : ""}, found ${describeValue(l)} and ${describeValue(r)}`);
    }
    switch (op) {
      case "+": return l + r;
      case "-": return l - r;
      case "*": return l * r;
      case "/": return l / r;
      case "%": return l % r;
      case "**": return l ** r;
      case "<": return l < r;
      case "<=": return l <= r;
      case ">": return l > r;
      default: return l >= r;
    }
  }

  private keyText(node: TsNode): string {
    const K = this.K;
    switch (node.getKind()) {
      case K.Identifier: return node.getText();
      case K.StringLiteral: return node.asKindOrThrow(K.StringLiteral).getLiteralValue();
      case K.NoSubstitutionTemplateLiteral: return node.asKindOrThrow(K.NoSubstitutionTemplateLiteral).getLiteralValue();
      case K.NumericLiteral: return String(node.asKindOrThrow(K.NumericLiteral).getLiteralValue());
      case K.ComputedPropertyName: this.dynamicKey(node);
      // falls through: dynamicKey() throws
      default: this.unsupported(node);
    }
  }

  private dynamicKey(node: TsNode): never {
    this.fail(node, `dynamic keys are not supported: write the key itself (\`h1: …\`); for states and outputs made in a loop, call next(state, value) and output(name, value)`);
  }

  private object(node: TsMorph.ObjectLiteralExpression, env: Env): Record<string, unknown> {
    const K = this.K;
    const out: Record<string, unknown> = {};
    const where = new Map<string, TsNode>();
    const set = (key: string, value: unknown, at: TsNode) => {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      where.set(key, at);
    };
    for (const p of node.getProperties()) {
      switch (p.getKind()) {
        case K.PropertyAssignment: {
          const pa = p.asKindOrThrow(K.PropertyAssignment);
          const nameNode = pa.getNameNode();
          if (nameNode.getKind() === K.ComputedPropertyName) this.dynamicKey(nameNode);
          set(this.keyText(nameNode), this.eval(pa.getInitializerOrThrow(), env), nameNode);
          break;
        }
        case K.ShorthandPropertyAssignment: {
          const sp = p.asKindOrThrow(K.ShorthandPropertyAssignment);
          set(sp.getName(), this.lookup(sp.getNameNode(), env), sp.getNameNode());
          break;
        }
        case K.SpreadAssignment: {
          const e = p.asKindOrThrow(K.SpreadAssignment).getExpression();
          const v = this.eval(e, env);
          if (!isPlainObject(v)) this.fail(e, `only objects written in this file can be spread into an object, found ${describeValue(v)}`);
          const from = this.propNodes.get(v);
          for (const [k, x] of Object.entries(v)) set(k, x, from?.get(k) ?? e);
          break;
        }
        default:
          if (p.getKind() === K.MethodDeclaration) this.unsupported(p, "a method", "write `name: (…) => …`");
          this.unsupported(p);
      }
    }
    this.propNodes.set(out, where);
    return out;
  }

  private element(ea: TsMorph.ElementAccessExpression, env: Env): unknown {
    const K = this.K;
    if (ea.hasQuestionDotToken()) this.unsupported(ea, "optional chaining (?.)");
    const obj = this.eval(ea.getExpression(), env);
    const arg = ea.getArgumentExpressionOrThrow();
    if (Array.isArray(obj)) {
      const i = this.eval(arg, env);
      if (typeof i !== "number" || !Number.isInteger(i)) this.fail(arg, `an array index must be an integer, found ${describeValue(i)}`);
      if (i < 0 || i >= obj.length) this.fail(arg, `index ${i} is out of range (the array has ${obj.length} element${obj.length === 1 ? "" : "s"})`);
      return obj[i];
    }
    const literal = [K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.NumericLiteral].includes(arg.getKind());
    if (!literal) this.dynamicKey(arg);
    return this.get(obj, this.keyText(arg), arg);
  }

  /** Reads a property (only own properties of objects, tensor methods, array length and map). */
  private get(obj: unknown, key: string, node: TsNode): unknown {
    if (obj instanceof Namespace) return this.dslExport(key, node);
    if (dsl.isTensor(obj)) {
      if ((dsl.TENSOR_METHODS as readonly string[]).includes(key)) return new BoundMethod(obj, key);
      this.fail(node, `a tensor has no property "${key}"${suggest(key, [...dsl.TENSOR_METHODS])} (its methods: ${dsl.TENSOR_METHODS.join(", ")})`);
    }
    if (Array.isArray(obj) || typeof obj === "string") {
      if (key === "length") return obj.length;
      if (Array.isArray(obj) && ARRAY_METHODS.includes(key)) return new BoundMethod(obj, key);
      this.fail(node, `${Array.isArray(obj) ? "an array" : "a string"} has no property "${key}" here (a cell file can use length${Array.isArray(obj) ? ", map and [index]" : ""})`);
    }
    if (isPlainObject(obj)) {
      if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
      if (dsl.isDims(obj)) {
        const sizes = Object.keys(obj);
        this.fail(node, `the cell has no size "${key}"${suggest(key, sizes)} (sizes: ${sizes.join(", ") || "none"}; add it to the sizes of cell(...))`);
      }
      // as in JavaScript (optional properties): a missing property reads as undefined
      return undefined;
    }
    this.fail(node, `cannot read property "${key}" of ${describeValue(obj)}`);
  }

  private args(nodes: TsNode[], env: Env): unknown[] {
    const K = this.K;
    const out: unknown[] = [];
    for (const a of nodes) {
      if (a.getKind() === K.SpreadElement) {
        const v = this.eval(a.asKindOrThrow(K.SpreadElement).getExpression(), env);
        if (!Array.isArray(v)) this.fail(a, `only arrays can be spread into arguments, found ${describeValue(v)}`);
        out.push(...v);
      } else out.push(this.eval(a, env));
    }
    return out;
  }

  private call(ce: TsMorph.CallExpression, env: Env): unknown {
    const K = this.K;
    if (ce.hasQuestionDotToken()) this.unsupported(ce, "optional chaining (?.)");
    const callee = ce.getExpression();
    let f: unknown;
    let site: TsNode = callee;
    if (callee.getKind() === K.PropertyAccessExpression) {
      const pa = callee.asKindOrThrow(K.PropertyAccessExpression);
      if (pa.hasQuestionDotToken()) this.unsupported(callee, "optional chaining (?.)");
      const obj = this.eval(pa.getExpression(), env);
      site = pa.getNameNode();
      f = this.get(obj, pa.getName(), site);
    } else {
      f = this.eval(callee, env);
    }
    const args = this.args(ce.getArguments(), env);
    return this.apply(f, args, site, callee.getText());
  }

  private apply(f: unknown, args: unknown[], site: TsNode, text: string): unknown {
    if (f instanceof Closure) return this.invoke(f, args, site);
    if (f instanceof DslFunction) {
      // errors about an entry of an object argument (cell's sizes) point at that entry
      const v = this.dslCall(site, () => f.fn(...args.map((a) => this.toJs(a))), args);
      if (f.name === "cell" && typeof v === "object" && v !== null) this.cellSites.set(v, site);
      return v;
    }
    if (f instanceof BoundMethod) {
      if (dsl.isTensor(f.target)) {
        const t = f.target as unknown as Record<string, (...a: unknown[]) => unknown>;
        return this.dslCall(site, () => t[f.name]!.call(f.target, ...args));
      }
      // array.map(fn)
      const arr = f.target as unknown[];
      const fn = args[0];
      if (!(fn instanceof Closure) && !(fn instanceof DslFunction)) this.fail(site, `map needs a function, found ${describeValue(fn)}`);
      return arr.map((v, i) => this.apply(fn, [v, i, arr], site, "map"));
    }
    this.fail(site, `${shortText(text)} is not a function that a cell file can call (${describeValue(f)}): only rnnc/dsl functions, functions defined in the file, tensor methods and array map can be called`);
  }

  /** A value handed to DSL code: the file's functions become JavaScript functions (the cell body). */
  private toJs(v: unknown): unknown {
    if (v instanceof Closure) return (...a: unknown[]) => this.invoke(v, a, null);
    if (v instanceof DslFunction) return v.fn;
    return v;
  }

  private dslCall<T>(site: TsNode, f: () => T, args: unknown[] = []): T {
    this.dslSites.push(site);
    try {
      return f();
    } catch (e) {
      if (e instanceof dsl.DslError && e.path?.startsWith("sizes.")) {
        const key = e.path.slice("sizes.".length);
        const at = args.map((a) => (typeof a === "object" && a !== null ? this.propNodes.get(a)?.get(key) : undefined)).find((n) => n);
        if (at) this.fail(at, e.message);
      }
      this.relocate(e, site);
    } finally {
      this.dslSites.pop();
    }
  }

  /** Runs toDocument as if called at `site` (the cell(...) call). */
  document(def: CellDef, site: TsNode, overrides: SizeOverrides): CellDocument {
    return this.dslCall(site, () => dsl.toDocument(def, { overrides, hooks: { entry: (p, s) => this.entry(p, s) } }));
  }

  private invoke(c: Closure, args: unknown[], site: TsNode | null): unknown {
    const K = this.K;
    if (this.frames.length >= MAX_DEPTH) this.fail(site ?? c.node, `calls are nested more than ${MAX_DEPTH} deep (recursion?)`);
    if (site) this.frames.push({ name: c.name, pos: site.getStart() });
    try {
      const env = new Env(c.env);
      // an arrow function, function expression or function declaration: the same accessors
      const fn = c.node as unknown as TsMorph.ArrowFunction;
      fn.getParameters().forEach((p, i) => {
        const name = p.getNameNode();
        if (p.isRestParameter()) {
          this.bind(name, args.slice(i), env, true);
          return;
        }
        let v = args[i];
        const def = p.getInitializer();
        if (v === undefined && def) v = this.eval(def, env);
        this.bind(name, v, env, true);
      });
      const body = fn.getBody();
      if (body.getKind() === K.Block) {
        const c2 = this.block(body.asKindOrThrow(K.Block).getStatements(), env);
        if (c2.type === "return") return c2.value;
        if (c2.type !== "normal") this.unsupported(body, "break or continue outside a loop");
        return undefined;
      }
      return this.eval(body, env);
    } finally {
      if (site) this.frames.pop();
    }
  }

  /** Location of a document entry (for errors found later, by buildCell). */
  place(path: string): Place | undefined {
    return this.places.get(path);
  }
}

// ---- helpers -------------------------------------------------------------------------------------

function isPrimitive(v: unknown): boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v) || dsl.isTensor(v) || dsl.isCellDef(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describeValue(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null) return "null";
  if (dsl.isTensor(v)) return "a tensor";
  if (dsl.isCellDef(v)) return "a cell";
  if (v instanceof Closure || v instanceof DslFunction || v instanceof BoundMethod || typeof v === "function") return "a function";
  if (v instanceof Namespace) return "the rnnc/dsl module";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  return `${typeof v === "number" ? "the number" : "the boolean"} ${String(v)}`;
}

/** `WhileStatement` → `while statement`. */
function describeKind(kind: string): string {
  return kind.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function shortText(s: string): string {
  const t = s.replace(/\s+/g, " ");
  return t.length > 30 ? `${t.slice(0, 27)}...` : t;
}

// ---- entry points --------------------------------------------------------------------------------

/** A cell file evaluated statically: its document, and errors of later stages mapped to the source. */
export interface StaticCell {
  file: string;
  doc: CellDocument;
  /** buildCell on the document; its errors are reported at the place in the file they are about. */
  build(): Cell;
}

/** Statically evaluates the text of a cell file (`file` names it in messages). */
export function evaluateCellSource(text: string, file: string, overrides: SizeOverrides = {}): StaticCell {
  const sf = parseSource(text);
  try {
    const ev: Evaluator = new Evaluator(sf, file);
    const { value, node } = ev.run();
    if (!dsl.isCellDef(value)) ev.fail(node, `the default export must be a cell: \`export default cell(...)\`, found ${describeValue(value)}`);
    const site = ev.cellSites.get(value) ?? node;
    const doc = ev.document(value, site, overrides);
    // positions as offsets: the source file is gone when build() runs
    const cellPlace: Place = { pos: site.getStart(), frames: [] };
    const sizes = new Map([...(ev.propNodes.get(value.sizes as object) ?? new Map<string, TsNode>())].map(([k, n]) => [k, n.getStart()]));
    return {
      file, doc,
      build(): Cell {
        try {
          return buildCell(doc, file, overrides);
        } catch (e) {
          if (!(e instanceof RnncError)) throw e;
          throw new RnncError(e.problems.map((p) => mapProblem(ev, p, file, cellPlace, sizes)));
        }
      },
    };
  } finally {
    sharedProject().removeSourceFile(sf);
  }
}

/** `<file>: equations.g: …` (from buildCell) → `<file>:line:col: equations.g: …` + the source line. */
function mapProblem(ev: Evaluator, problem: string, file: string, cell: Place, sizes: Map<string, number>): string {
  const prefix = `${file}: `;
  if (!problem.startsWith(prefix)) return problem;
  const rest = problem.slice(prefix.length);
  const m = /^(equations|next|outputs|params|inputs|state|sizes)\.([A-Za-z_][A-Za-z0-9_]*'*)/.exec(rest);
  if (m) {
    const place = m[1] === "sizes" ? (sizes.has(m[2]!) ? { pos: sizes.get(m[2]!)!, frames: [] } : undefined) : ev.place(`${m[1]}.${m[2]}`);
    if (place) return ev.at(place.pos, rest, place.frames).message;
  }
  if (/^(\(root\)|name|doc|sizes|inputs|state|params|equations|next|outputs)\b/.test(rest)) return ev.at(cell.pos, rest, []).message;
  return problem;
}

/** Reads and statically evaluates a cell file. */
export function readCellFile(file: string, overrides: SizeOverrides = {}): StaticCell {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new RnncError(`${file}: cannot read file (${(err as NodeJS.ErrnoException).code ?? "unknown error"})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return evaluateCellSource(text, file, overrides);
}

/** A `*.cell.ts` file as a Program (what `rnnc check|compile|eval` run). */
export function loadCellTs(file: string, overrides: SizeOverrides = {}): Program {
  return programFromCell(readCellFile(file, overrides).build());
}
