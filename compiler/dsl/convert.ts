/**
 * Conversion between the two forms of a cell: a JSON cell document → a `*.cell.ts` file
 * (generated through ts-morph and formatted), and a `*.cell.ts` file → its JSON document.
 * Converting there and back gives the same IR: the generated TypeScript calls the DSL functions
 * that build exactly the equations of the JSON file (same names, same expression trees, same order).
 */
import { RnncError } from "../diagnostics.ts";
import type { Equation } from "../frontend/equations.ts";
import { nodeToExpr, orderEquations, referencedNames } from "../frontend/equations.ts";
import type { Expr } from "../frontend/expr.ts";
import { parseExpression } from "../frontend/expr.ts";
import { buildCell } from "../frontend/program.ts";
import { readJsonFile } from "../frontend/schema.ts";
import { getOp } from "../ops/registry.ts";
import type { CellDocument, TensorDecl } from "./index.ts";
import { OP_FUNCTIONS } from "./index.ts";
import { readCellFile, sharedProject, tsMorph } from "./static.ts";

/** Is this file a TypeScript cell (by its name)? */
export function isTsCellFile(file: string): boolean {
  return /\.(m|c)?ts$/.test(file);
}

/** Reads a cell in either form and returns its document, validated (errors name the file). */
export function readCellDocument(file: string): CellDocument {
  if (isTsCellFile(file)) {
    const c = readCellFile(file);
    c.build();
    return c.doc;
  }
  const doc = readJsonFile(file);
  const kind = typeof doc === "object" && doc !== null ? (doc as { rnnc?: unknown }).rnnc : undefined;
  if (kind === "model") throw new RnncError(`${file}: only cell files can be converted (this is a model: its cells can be converted one by one)`);
  buildCell(doc, file);
  return doc as CellDocument;
}

// ---- JSON → TypeScript ---------------------------------------------------------------------------

const RESERVED = new Set(("break case catch class const continue debugger default delete do else enum export extends false finally for " +
  "function if import in instanceof new null return super switch this throw true try typeof var void while with as implements " +
  "interface let package private protected public static yield any boolean constructor declare get module require number set " +
  "string symbol type from of async await undefined NaN Infinity eval arguments").split(" "));

/** Picks readable, unique TypeScript identifiers for the names of a cell. */
class Names {
  private readonly used = new Set<string>();
  private readonly map = new Map<string, string>();

  constructor(avoid: Iterable<string>) {
    for (const a of avoid) this.used.add(a);
  }

  add(name: string): string {
    const primes = /'*$/.exec(name)![0].length;
    const base = name.slice(0, name.length - primes);
    let id = primes === 0 ? base : `${base}_new${primes > 1 ? primes : ""}`;
    if (RESERVED.has(id)) id = `${id}_`;
    while (this.used.has(id)) id = `${id}_`;
    this.used.add(id);
    this.map.set(name, id);
    return id;
  }

  get(name: string): string {
    const id = this.map.get(name);
    if (id === undefined) throw new Error(`internal: no identifier for ${name}`);
    return id;
  }
}

/** A printable tree: text, or a call whose arguments break onto lines when too long. */
type Doc = string | { open: string; items: Doc[]; close: string };

function flat(d: Doc): string {
  return typeof d === "string" ? d : `${d.open}${d.items.map(flat).join(", ")}${d.close}`;
}

const WIDTH = 100;

function layout(d: Doc, indent: number, col = indent): string {
  const one = flat(d);
  if (typeof d === "string" || col + one.length <= WIDTH || d.items.length === 0) return one;
  // keep the leading arguments on the line and break inside the last one: eq("g", tanh(add(
  const last = d.items[d.items.length - 1]!;
  const head = `${d.open}${d.items.slice(0, -1).map((i) => `${flat(i)}, `).join("")}`;
  if (typeof last !== "string" && col + head.length + last.open.length <= WIDTH && d.items.slice(0, -1).every((i) => flat(i).length <= 30)) {
    return `${head}${layout(last, indent, col + head.length)}${d.close}`;
  }
  const pad = " ".repeat(indent + 2);
  return `${d.open}\n${d.items.map((it) => `${pad}${layout(it, indent + 2)},`).join("\n")}\n${" ".repeat(indent)}${d.close}`;
}

const BINARY_FN = { "+": "add", "-": "sub", "*": "mul", "/": "div", "@": "matmul" } as const;

class TsWriter {
  readonly imports = new Set<string>(["cell"]);

  constructor(readonly names: Names) {}

  use(fn: string): string {
    this.imports.add(fn);
    return fn;
  }

  call(fn: string, items: Doc[]): Doc {
    return { open: `${this.use(fn)}(`, items, close: ")" };
  }

  expr(e: Expr): Doc {
    switch (e.kind) {
      case "num": return Object.is(e.value, -0) ? "-0" : String(e.value);
      case "name": return this.names.get(e.name);
      case "unary": return e.op === "-" ? this.call("neg", [this.expr(e.arg)]) : this.expr(e.arg);
      case "binary": {
        const fn = BINARY_FN[e.op];
        // a + b + c (left-nested) → add(a, b, c)
        if (fn === "add" || fn === "mul") {
          const items: Expr[] = [e.right];
          let l = e.left;
          while (l.kind === "binary" && l.op === e.op) {
            items.unshift(l.right);
            l = l.left;
          }
          items.unshift(l);
          return this.call(fn, items.map((x) => this.expr(x)));
        }
        return this.call(fn, [this.expr(e.left), this.expr(e.right)]);
      }
      case "call": {
        if (!(e.fn in OP_FUNCTIONS)) throw new RnncError(`convert: the function ${e.fn} has no counterpart in rnnc/dsl`);
        const kinds = getOp(e.fn).attrs ?? {};
        const opts = e.kwargs.map((k) => `${k.name}: ${this.kwarg(kinds[k.name], k.value)}`);
        const options: Doc[] = opts.length ? [`{ ${opts.join(", ")} }`] : [];
        const args = e.args.map((a) => this.expr(a));
        if (e.fn === "concat") return this.call("concat", [{ open: "[", items: args, close: "]" }, ...options]);
        return this.call(e.fn, [...args, ...options]);
      }
      case "list": throw new RnncError(`convert: a list can only be a keyword argument`);
    }
  }

  private kwarg(kind: string | undefined, v: Expr): string {
    if (v.kind === "list") return `[${v.items.map((i) => (i.kind === "num" ? String(i.value) : "0")).join(", ")}]`;
    if (kind === "bool") {
      if (v.kind === "name") return v.name === "true" ? "true" : "false";
      if (v.kind === "num") return v.value === 1 ? "true" : "false";
    }
    if (v.kind === "name") return JSON.stringify(v.name);
    if (v.kind === "num") return String(v.value);
    throw new RnncError(`convert: unsupported keyword argument value`);
  }

  equation(eq: Equation, where: string): Doc {
    if (typeof eq === "number") return String(eq);
    return this.expr(typeof eq === "string" ? parseExpression(eq) : nodeToExpr(eq, where));
  }
}

function exprOf(eq: Equation, where: string): Expr {
  if (typeof eq === "number") return { kind: "num", value: eq, pos: 0 };
  return typeof eq === "string" ? parseExpression(eq) : nodeToExpr(eq, where);
}

/** A JSON value as a TypeScript literal (object keys unquoted when they are identifiers). */
function tsLiteral(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(tsLiteral).join(", ")}]`;
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v).map(([k, x]) => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k)}: ${tsLiteral(x)}`);
    return entries.length ? `{ ${entries.join(", ")} }` : "{}";
  }
  return JSON.stringify(v);
}

let converted = 0;

/**
 * A JSON cell document as the text of a `*.cell.ts` file. The document must be valid (run it
 * through buildCell first: readCellDocument does).
 */
export function cellToTypeScript(doc: CellDocument): string {
  const sizes = Object.keys(doc.sizes ?? {});
  const names = new Names([...Object.keys(OP_FUNCTIONS), "cell", "param", "input", "state", "eq", "next", "output"]);
  const sizeIds = new Map(sizes.map((s) => [s, names.add(s)]));
  const sections = [["inputs", "input"], ["state", "state"], ["params", "param"]] as const;
  for (const [section] of sections) for (const n of Object.keys(doc[section])) names.add(n);
  const eqNames = Object.keys(doc.equations);
  for (const n of eqNames) names.add(n);
  const w = new TsWriter(names);

  // which names are read (to declare only those as consts)
  const exprs = new Map<string, Expr>(eqNames.map((n) => [n, exprOf(doc.equations[n]!, `equations.${n}`)]));
  const read = new Set<string>();
  for (const e of exprs.values()) referencedNames(e, read);
  for (const sec of ["next", "outputs"] as const) for (const [k, eq] of Object.entries(doc[sec])) referencedNames(exprOf(eq, `${sec}.${k}`), read);

  const lines: string[] = [];
  const shape = (dims: (string | number)[]) => `[${dims.map((d) => (typeof d === "number" ? String(d) : sizeIds.get(d) ?? JSON.stringify(d))).join(", ")}]`;
  for (const [section, fn] of sections) {
    const entries = Object.entries(doc[section]) as [string, TensorDecl][];
    for (const [n, decl] of entries) {
      const opts: Record<string, unknown> = {};
      if (decl.dtype !== undefined && (section === "inputs" || decl.dtype !== "f32")) opts.dtype = decl.dtype;
      if (decl.init !== undefined) opts.init = decl.init;
      if (decl.doc !== undefined) opts.doc = decl.doc;
      const call = `${w.use(fn)}(${JSON.stringify(n)}, ${shape(decl.shape)}${Object.keys(opts).length ? `, ${tsLiteral(opts)}` : ""});`;
      lines.push(read.has(n) ? `const ${names.get(n)} = ${call}` : call);
    }
    if (section !== "inputs" && lines.length && lines[lines.length - 1] !== "") lines.push("");
  }

  const deps = new Map<string, Set<string>>([...exprs].map(([n, e]) => [n, referencedNames(e)]));
  for (const n of orderEquations(deps, (r) => (exprs.has(r) ? r : undefined), "convert", "equations")) {
    const prefix = read.has(n) ? `const ${names.get(n)} = ` : "";
    const d = w.call("eq", [JSON.stringify(n), w.equation(doc.equations[n]!, `equations.${n}`)]);
    lines.push(`${prefix}${layout(d, 0, prefix.length + 2)};`);
  }

  const section = (sec: "next" | "outputs") => {
    const entries = Object.entries(doc[sec]).map(([k, eq]) => {
      const v = flat(w.equation(eq, `${sec}.${k}`));
      return v === k ? k : `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : JSON.stringify(k)}: ${v}`;
    });
    return entries.length ? `${sec}: { ${entries.join(", ")} }` : undefined;
  };
  const ret = [section("next"), section("outputs")].filter((x) => x !== undefined);
  if (ret.length) lines.push(`return { ${ret.join(", ")} };`);
  while (lines[lines.length - 1] === "") lines.pop();

  const sizeParam = sizes.map((s) => (sizeIds.get(s) === s ? s : `${s}: ${sizeIds.get(s)}`)).join(", ");
  const head = `cell(${JSON.stringify(doc.name)}, ${tsLiteral(doc.sizes ?? {})}, (${sizes.length ? `{ ${sizeParam} }` : ""}) => {`;
  const tail = `}${doc.doc !== undefined ? `, { doc: ${JSON.stringify(doc.doc)} }` : ""})`;
  const body = lines.map((l) => (l === "" ? "" : `  ${l.replace(/\n/g, "\n  ")}`)).join("\n");

  const m = tsMorph();
  const project = sharedProject();
  // a fresh path each time: the formatter caches what it saw at a path
  const sf = project.createSourceFile(`/rnnc-convert-${++converted}.ts`, "");
  try {
    sf.addImportDeclaration({ moduleSpecifier: "rnnc/dsl", namedImports: [...w.imports].sort() });
    sf.addExportAssignment({ isExportEquals: false, expression: (cw) => cw.write(`${head}\n${body}\n${tail}`) });
    sf.formatText({ indentSize: 2, tabSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true, semicolons: m.ts.SemicolonPreference.Insert });
    return sf.getFullText();
  } finally {
    project.removeSourceFile(sf);
  }
}

// ---- TypeScript → JSON ---------------------------------------------------------------------------

/** A document as JSON text in the style of examples/cells: short objects and arrays on one line. */
export function formatJson(v: unknown, indent = 0, col = indent): string {
  const one = inline(v);
  if (indent > 0 && col + one.length <= WIDTH) return one;
  const pad = " ".repeat(indent + 2);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[\n${v.map((x) => `${pad}${formatJson(x, indent + 2)}`).join(",\n")}\n${" ".repeat(indent)}]`;
  }
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${formatJson(x, indent + 2, indent + 4 + JSON.stringify(k).length)}`);
    return `{\n${lines.join(",\n")}\n${" ".repeat(indent)}}`;
  }
  return one;
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(", ")}]`;
  if (typeof v === "object" && v !== null) {
    const e = Object.entries(v);
    return e.length ? `{ ${e.map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(", ")} }` : "{}";
  }
  return JSON.stringify(v);
}

/** Converts a cell file to the other form (or re-emits it): `to` is "ts" or "json". */
export function convertCell(file: string, to: "ts" | "json"): string {
  const doc = readCellDocument(file);
  if (to === "ts") return cellToTypeScript(doc);
  const { $schema: _, ...rest } = doc as CellDocument & { $schema?: string };
  return formatJson(rest) + "\n";
}
