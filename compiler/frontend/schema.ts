/**
 * Structural validation of rnnc's JSON documents (cells, models, tensors) against the
 * JSON Schemas in `schemas/`, with human error messages.
 *
 * The schemas only check what a document looks like on its own; cross-field rules
 * (every state has a `next` equation, names resolve, shapes agree) belong to the frontend.
 *
 * Messages have the form `<path>: <problem>`, where the path is `(root)`, or dotted for
 * identifier keys, `[i]` for array indices and `["weird key"]` for other keys, e.g.
 *   params.Wix.shape[1]: expected a positive integer or a size name, found -3
 *   (root): missing required property "equations"
 *   (root): unknown property "equatons"
 *
 * Unions (`anyOf`) are reported as one message naming what was expected, unless the value
 * is an object or array that clearly picks one alternative (by type, or by an
 * `x-when-has` key such as `scan`); then the problems inside that alternative are reported.
 * Schemas word their expectations with the annotation `x-expected` (and `x-names` for
 * maps whose keys must match a pattern); plain JSON Schema tools ignore these keys.
 */
import { readFileSync } from "node:fs";
import { Validator, type Schema, type ValidationError, type ValidatorResult } from "jsonschema";
import { RnncError } from "../diagnostics.ts";

export type DocumentKind = "cell" | "model" | "tensors" | "tensorMap" | "train";

const SCHEMA_BASE = "https://rnnc.dev/schemas/";
const SCHEMA_FILES = ["cell.schema.json", "model.schema.json", "tensors.schema.json", "train.schema.json"] as const;

/** The schema each kind of document is validated against. */
const ROOTS: Record<DocumentKind, string> = {
  cell: `${SCHEMA_BASE}cell.schema.json`,
  model: `${SCHEMA_BASE}model.schema.json`,
  tensors: `${SCHEMA_BASE}tensors.schema.json`,
  tensorMap: `${SCHEMA_BASE}tensors.schema.json#/definitions/tensorMap`,
  train: `${SCHEMA_BASE}train.schema.json`,
};

type SchemaObject = Record<string, unknown>;
type Path = (string | number)[];

interface Schemas {
  validator: Validator;
  /** Absolute URI (`<$id>#<JSON pointer>`) of every object inside the loaded schemas. */
  uriOf: Map<object, string>;
}

let loaded: Schemas | undefined;

/** Reads and registers the schemas (once). */
function schemas(): Schemas {
  if (loaded) return loaded;
  const validator = new Validator();
  const uriOf = new Map<object, string>();
  for (const name of SCHEMA_FILES) {
    const url = new URL(`../../schemas/${name}`, import.meta.url);
    const schema = JSON.parse(readFileSync(url, "utf8")) as SchemaObject;
    if (schema.$id !== SCHEMA_BASE + name) throw new Error(`schemas/${name}: $id must be ${SCHEMA_BASE + name}`);
    validator.addSchema(schema as Schema);
    indexUris(schema, `${SCHEMA_BASE}${name}#`, uriOf);
  }
  if (validator.unresolvedRefs.length > 0) {
    throw new Error(`rnnc schemas: unresolved $ref ${validator.unresolvedRefs.join(", ")}`);
  }
  loaded = { validator, uriOf };
  return loaded;
}

function indexUris(node: unknown, uri: string, out: Map<object, string>): void {
  if (node === null || typeof node !== "object") return;
  out.set(node, uri);
  for (const [key, child] of Object.entries(node)) {
    indexUris(child, `${uri}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, out);
  }
}

/** The schema object at an absolute URI (following `$ref`s), and its URI. */
function resolveSchema(s: Schemas, schema: SchemaObject): { schema: SchemaObject; uri: string } {
  let uri = s.uriOf.get(schema) ?? "";
  for (let hops = 0; typeof schema.$ref === "string" && hops < 32; hops++) {
    uri = new URL(schema.$ref, uri).href;
    schema = lookup(s, uri);
  }
  return { schema, uri };
}

function lookup(s: Schemas, uri: string): SchemaObject {
  const direct = s.validator.schemas[uri];
  if (direct) return direct as SchemaObject;
  const hash = uri.indexOf("#");
  let node: unknown = s.validator.schemas[hash < 0 ? uri : uri.slice(0, hash)];
  const pointer = hash < 0 ? "" : uri.slice(hash + 1);
  for (const part of pointer.split("/").slice(1)) {
    const key = decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~");
    node = node !== null && typeof node === "object" ? (node as SchemaObject)[key] : undefined;
  }
  if (node === null || typeof node !== "object") throw new Error(`rnnc schemas: no schema at ${uri}`);
  return node as SchemaObject;
}

/** The schema object an error was raised in (jsonschema reports a schema with an $id by its id). */
function errorSchema(s: Schemas, e: ValidationError): SchemaObject {
  return typeof e.schema === "string" ? lookup(s, e.schema) : (e.schema as unknown as SchemaObject);
}

function check(s: Schemas, instance: unknown, uri: string): ValidatorResult {
  const base = uri.split("#")[0];
  return s.validator.validate(instance, { $ref: uri }, { base });
}

// ---------------------------------------------------------------------------------------
// Messages

const NAME_KEY = /^[A-Za-z_][A-Za-z0-9_]*'*$/;

/** `(root)`, `params.W.shape[1]`, `cells["my cell"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (NAME_KEY.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** A short rendering of a found value: numbers, strings and literals as JSON, containers by kind. */
function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  if (value !== null && typeof value === "object") return "an object";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  null: "null",
};

/** What a failed keyword wanted, when the schema gives no `x-expected`. */
function defaultExpectation(e: ValidationError, schema: SchemaObject): string {
  const arg: unknown = e.argument;
  switch (e.name) {
    case "type": {
      const types = Array.isArray(arg) ? arg : [arg];
      return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(" or ");
    }
    case "enum":
      return `one of ${(schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "const":
      return JSON.stringify(schema.const);
    case "minimum":
      return schema.exclusiveMinimum === true ? `a number greater than ${arg}` : `a number no less than ${arg}`;
    case "exclusiveMinimum":
      return `a number greater than ${arg}`;
    case "minLength":
      return Number(arg) === 1 ? "a non-empty string" : `a string of at least ${arg} characters`;
    case "pattern":
      return `a string matching ${String(schema.pattern)}`;
    case "minItems":
      return `an array of at least ${arg} items`;
    case "maxItems":
      return `an array of at most ${arg} items`;
    default:
      return "";
  }
}

function expectedOf(schema: SchemaObject): string | undefined {
  const x = schema["x-expected"];
  return typeof x === "string" ? x : undefined;
}

const OBJECT_OR_ARRAY = (v: unknown): boolean => v !== null && typeof v === "object";

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v; // "object" | "string" | "number" | "boolean"
}

function admits(schema: SchemaObject, value: unknown): boolean {
  const actual = jsonType(value);
  const t = schema.type;
  if (t === undefined) {
    // Judge enum/const alternatives by the types of their values.
    const values = Array.isArray(schema.enum) ? schema.enum : "const" in schema ? [schema.const] : undefined;
    return values === undefined || values.some((v) => jsonType(v) === actual);
  }
  const types = Array.isArray(t) ? t : [t];
  return types.some((x) => x === actual || (x === "integer" && actual === "number"));
}

/**
 * For a failed union, the one alternative an object or array value was evidently meant
 * to be: the only alternative of the right JSON type, else the one whose `x-when-has`
 * key the value has, else the only one without `x-when-has`. Undefined if unclear.
 */
function chooseAlternative(s: Schemas, alternatives: SchemaObject[], value: unknown): string | undefined {
  if (!OBJECT_OR_ARRAY(value)) return undefined;
  const candidates = alternatives.map((a) => resolveSchema(s, a)).filter((r) => admits(r.schema, value));
  if (candidates.length === 1) return candidates[0].uri;
  const keysOf = (r: { schema: SchemaObject }): string[] | undefined => {
    const k = r.schema["x-when-has"];
    return Array.isArray(k) ? (k as string[]) : typeof k === "string" ? [k] : undefined;
  };
  const keyed = candidates.filter((r) => keysOf(r)?.some((k) => Object.hasOwn(value as object, k)));
  if (keyed.length === 1) return keyed[0].uri;
  if (keyed.length > 1) return undefined;
  const plain = candidates.filter((r) => keysOf(r) === undefined);
  return plain.length === 1 ? plain[0].uri : undefined;
}

function describe(s: Schemas, errors: ValidationError[], prefix: Path, out: string[]): void {
  for (const e of errors) {
    const path = [...prefix, ...e.path];
    const where = formatPath(path);
    const schema = errorSchema(s, e);
    const expected = expectedOf(schema);
    switch (e.name) {
      case "anyOf":
      case "oneOf": {
        const alternatives = schema[e.name] as SchemaObject[];
        const chosen = chooseAlternative(s, alternatives, e.instance);
        if (chosen !== undefined) {
          const inner = check(s, e.instance, chosen);
          if (inner.errors.length > 0) {
            describe(s, inner.errors, path, out);
            break;
          }
        }
        out.push(`${where}: expected ${expected ?? "a different value"}, found ${show(e.instance)}`);
        break;
      }
      case "required":
        out.push(`${where}: missing required property ${JSON.stringify(e.argument)}`);
        break;
      case "additionalProperties": {
        const key = JSON.stringify(e.argument);
        if (schema.patternProperties !== undefined) {
          const names = typeof schema["x-names"] === "string" ? schema["x-names"] : "a valid name";
          out.push(`${where}: invalid name ${key}, expected ${names}`);
        } else {
          out.push(`${where}: unknown property ${key}`);
        }
        break;
      }
      case "maximum":
        out.push(`${where}: expected ${expected ?? "a number"} no greater than ${e.argument}, found ${show(e.instance)}`);
        break;
      default: {
        const want = expected ?? defaultExpectation(e, schema);
        out.push(want ? `${where}: expected ${want}, found ${show(e.instance)}` : `${where}: ${e.message}`);
      }
    }
  }
}

/** Returns one message per problem, each naming the JSON path and what was expected. Empty if valid. */
export function schemaProblems(doc: unknown, kind: DocumentKind): string[] {
  const s = schemas();
  if (doc === undefined) return ["(root): expected a JSON document, found nothing"];
  // A model given where a cell is expected (or the reverse) would otherwise produce a
  // cascade of unrelated complaints: report only the kind.
  if ((kind === "cell" || kind === "model") && OBJECT_OR_ARRAY(doc) && !Array.isArray(doc)) {
    const declared = (doc as Record<string, unknown>).rnnc;
    if ((declared === "cell" || declared === "model") && declared !== kind) {
      return [`rnnc: expected ${JSON.stringify(kind)}, found ${JSON.stringify(declared)}`];
    }
  }
  const out: string[] = [];
  describe(s, check(s, doc, ROOTS[kind]).errors, [], out);
  return [...new Set(out)];
}

/** Throws RnncError listing every problem, each prefixed with `${file}: `. */
export function validateDocument(doc: unknown, kind: DocumentKind, file: string): void {
  const problems = schemaProblems(doc, kind);
  if (problems.length > 0) throw new RnncError(problems.map((p) => `${file}: ${p}`));
}

// ---------------------------------------------------------------------------------------
// Reading JSON

/**
 * Reads and JSON-parses a file. Malformed JSON becomes
 * RnncError `${file}:${line}:${col}: malformed JSON: <reason>`; an unreadable file becomes
 * `${file}: cannot read file (<code>)`, e.g. `(ENOENT)`.
 */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "unknown error";
    throw new RnncError(`${file}: cannot read file (${code})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    const { line, col, reason } = explainSyntaxError(err.message, text);
    throw new RnncError(`${file}:${line}:${col}: malformed JSON: ${reason}`);
  }
}

/** Line, column (both 1-based) and reason of a JSON.parse SyntaxError. */
export function explainSyntaxError(message: string, text: string): { line: number; col: number; reason: string } {
  let reason = message;
  let pos: number | undefined;
  let lineCol: { line: number; col: number } | undefined;
  let m: RegExpExecArray | null;
  if ((m = /\s*\(line (\d+) column (\d+)\)/.exec(reason))) {
    lineCol = { line: Number(m[1]), col: Number(m[2]) };
    reason = reason.slice(0, m.index) + reason.slice(m.index + m[0].length);
  }
  if ((m = / in JSON at position (\d+)/.exec(reason))) {
    pos = Number(m[1]);
    reason = reason.slice(0, m.index) + reason.slice(m.index + m[0].length);
  }
  if ((m = /^(Unexpected token '[\s\S]+?'), "[\s\S]*" is not valid JSON$/.exec(reason))) {
    reason = m[1];
  }
  if (/^Unexpected end of JSON input/.test(reason)) pos ??= text.trimEnd().length;
  reason = reason.trim();
  reason = reason.charAt(0).toLowerCase() + reason.slice(1);
  if (lineCol) return { ...lineCol, reason };
  return { ...lineColAt(text, pos ?? locateJsonError(text)), reason };
}

function lineColAt(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, Math.max(0, Math.min(pos, text.length)));
  const lastBreak = before.lastIndexOf("\n");
  let line = 1;
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
  return { line, col: before.length - lastBreak };
}

/** Offset of the first syntax error in `s` (for V8 messages that carry no position). */
function locateJsonError(s: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = (): void => {
    while (i < s.length && (s[i] === " " || s[i] === "\t" || s[i] === "\n" || s[i] === "\r")) i++;
  };
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
  const str = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= s.length) fail();
      const c = s[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c < " ") fail();
      if (c === "\\") {
        i++;
        if (i < s.length && '"\\/bfnrt'.includes(s[i])) i++;
        else if (s[i] === "u" && /^[0-9a-fA-F]{4}$/.test(s.slice(i + 1, i + 5))) i += 5;
        else fail();
      } else i++;
    }
  };
  const num = (): void => {
    if (s[i] === "-") i++;
    if (s[i] === "0") i++;
    else if (isDigit(s[i])) while (isDigit(s[i])) i++;
    else fail();
    if (s[i] === ".") {
      i++;
      if (!isDigit(s[i])) fail();
      while (isDigit(s[i])) i++;
    }
    if (s[i] === "e" || s[i] === "E") {
      i++;
      if (s[i] === "+" || s[i] === "-") i++;
      if (!isDigit(s[i])) fail();
      while (isDigit(s[i])) i++;
    }
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === "{") {
      i++;
      ws();
      if (s[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (s[i] !== '"') fail();
        str();
        ws();
        if (s[i] !== ":") fail();
        i++;
        value();
        ws();
        if (s[i] === ",") i++;
        else if (s[i] === "}") {
          i++;
          return;
        } else fail();
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (s[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (s[i] === ",") i++;
        else if (s[i] === "]") {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return str();
    if (c === "-" || isDigit(c)) return num();
    for (const word of ["true", "false", "null"]) {
      if (c === word[0]) {
        for (const ch of word) {
          if (s[i] !== ch) fail();
          i++;
        }
        return;
      }
    }
    fail();
  };
  try {
    value();
    ws();
    return i;
  } catch (at) {
    if (typeof at === "number") return at;
    throw at;
  }
}
