import { RnncError } from "../diagnostics.ts";
import { getOp } from "../ops/registry.ts";
import type { Attrs, AttrValue, Graph, Node, TensorType } from "./types.ts";
import { formatShape } from "./types.ts";

export function emptyGraph(): Graph {
  return { inputs: [], outputs: [], nodes: [], types: new Map() };
}

/** Describes value `name` of type `t` in an error message; the frontend supplies a richer one. */
export type Describer = (name: string, t: TensorType) => string;

const defaultDescriber: Describer = (name, t) => `${name} ${formatShape(t.shape)}`;

/**
 * Appends typed nodes to a graph. Every node is shape-checked as it is added, so a
 * mismatch is reported where it was written, not later in a pass.
 */
export class Builder {
  readonly graph: Graph;
  describe: Describer = defaultDescriber;
  private counter = 0;

  constructor(graph: Graph = emptyGraph()) {
    this.graph = graph;
  }

  has(name: string): boolean {
    return this.graph.types.has(name);
  }

  type(name: string): TensorType {
    const t = this.graph.types.get(name);
    if (!t) throw new Error(`internal: unknown value ${name}`);
    return t;
  }

  /** A name not yet used in this graph, based on `hint`. */
  fresh(hint = "v"): string {
    const base = hint.startsWith("%") ? hint : `%${hint}`;
    if (!this.has(base)) return base;
    for (;;) {
      const name = `${base}.${++this.counter}`;
      if (!this.has(name)) return name;
    }
  }

  input(name: string, type: TensorType): string {
    if (this.has(name)) throw new Error(`internal: duplicate value ${name}`);
    this.graph.inputs.push(name);
    this.graph.types.set(name, type);
    return name;
  }

  /** Adds a node with explicit output names; returns them. */
  emit(op: string, inputs: string[], attrs: Attrs, outputs: string[]): string[] {
    const def = getOp(op);
    const arity = typeof def.arity === "number" ? [def.arity, def.arity] : def.arity;
    if (inputs.length < arity[0] || inputs.length > arity[1]) {
      const want = arity[0] === arity[1] ? `${arity[0]}` : `${arity[0]} to ${arity[1]}`;
      throw new RnncError(`${op} takes ${want} argument${arity[1] === 1 ? "" : "s"}, got ${inputs.length}`);
    }
    attrs = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined));
    checkAttrs(op, def.attrs ?? {}, attrs);
    const inTypes = inputs.map((v) => this.type(v));
    const d = (i: number) => this.describe(inputs[i]!, inTypes[i]!);
    const outTypes = def.shape(inTypes, attrs, d);
    if (outTypes.length !== outputs.length) {
      throw new Error(`internal: ${op} produces ${outTypes.length} values, ${outputs.length} names given`);
    }
    outputs.forEach((name, i) => {
      if (this.has(name)) throw new Error(`internal: value ${name} defined twice`);
      this.graph.types.set(name, outTypes[i]!);
    });
    const node: Node = { op, inputs: [...inputs], outputs: [...outputs], attrs };
    this.graph.nodes.push(node);
    return outputs;
  }

  /** Adds a node and returns its outputs under fresh names. */
  ops(op: string, inputs: string[], attrs: Attrs = {}, hint?: string): string[] {
    const def = getOp(op);
    const n = def.outputs ? def.outputs(attrs) : 1;
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      let name = this.fresh(hint ?? op);
      while (names.includes(name)) name = `${name}.${++this.counter}`;
      names.push(name);
    }
    return this.emit(op, inputs, attrs, names);
  }

  /** Adds a single-output node. */
  op(op: string, inputs: string[], attrs: Attrs = {}, hint?: string): string {
    return this.ops(op, inputs, attrs, hint)[0]!;
  }

  // Shorthands used by the VJP rules.
  add(a: string, b: string) { return this.op("add", [a, b]); }
  sub(a: string, b: string) { return this.op("sub", [a, b]); }
  mul(a: string, b: string) { return this.op("mul", [a, b]); }
  div(a: string, b: string) { return this.op("div", [a, b]); }
  neg(a: string) { return this.op("neg", [a]); }
  scalar(value: number) { return this.op("constant", [], { value }); }
  zerosLike(a: string) { return this.op("zeros_like", [a]); }
  /** Reduces a broadcast cotangent `g` back to the shape of `like`. */
  sumTo(g: string, like: string): string {
    const gs = this.type(g).shape, ls = this.type(like).shape;
    if (gs.length === ls.length && gs.every((d, i) => d === ls[i])) return g;
    return this.op("sum_to", [g, like]);
  }
}

export type AttrKind = "number" | "int" | "bool" | "string" | "ints" | "graph" | "any";

function checkAttrs(op: string, spec: Record<string, AttrKind>, attrs: Attrs): void {
  for (const [key, value] of Object.entries(attrs)) {
    const kind = spec[key];
    if (!kind) {
      const known = Object.keys(spec);
      throw new RnncError(
        `${op} has no attribute "${key}"` + (known.length ? ` (it takes ${known.join(", ")})` : " (it takes none)"),
      );
    }
    if (!attrOk(kind, value)) throw new RnncError(`${op}: attribute "${key}" must be ${attrWord(kind)}, got ${JSON.stringify(value)}`);
  }
}

function attrOk(kind: AttrKind, v: AttrValue): boolean {
  switch (kind) {
    case "number": return typeof v === "number" && Number.isFinite(v);
    case "int": return typeof v === "number" && Number.isInteger(v);
    case "bool": return typeof v === "boolean";
    case "string": return typeof v === "string";
    case "ints": return Array.isArray(v) && v.every((x) => Number.isInteger(x));
    case "graph": return typeof v === "object" && v !== null && !Array.isArray(v);
    case "any": return true;
  }
}

function attrWord(kind: AttrKind): string {
  return { number: "a finite number", int: "an integer", bool: "true or false", string: "a string", ints: "a list of integers", graph: "a graph", any: "a value" }[kind];
}
