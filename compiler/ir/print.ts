/**
 * A readable, stable text form of the IR, for `rnnc inspect`, tests and docs.
 *
 *     graph(Wx: f32[8, 4], h0: f32[B, 8], xs: f32[T, B, 4]) {
 *       %scan, %scan.1 = scan(Wx, h0, xs) {n_consts=1, n_carry=1, n_xs=1, reverse=false, has_lengths=false} : f32[B, 8], f32[T, B, 8]
 *         body(consts: Wx: f32[8, 4]; carries: h: f32[B, 8]; xs: x: f32[B, 4]) {
 *           %v = matmul(Wx, x) : f32[B, 8]
 *           ...
 *           return carries: %h2; ys: %h2
 *         }
 *       return %scan.1, %scan
 *     }
 *
 * One line per node, attributes in a fixed order (scan's own, then alphabetical), bodies
 * indented under their scan. The text depends only on the graph, never on object identity.
 */
import type { AttrValue, Graph, Node, TensorType } from "./types.ts";
import { formatType } from "./types.ts";

const SCAN_ORDER = ["n_consts", "n_carry", "n_xs", "reverse", "has_lengths", "steps", "truncate", "cut_every", "cut_carries"];

function isGraph(v: AttrValue): v is Graph {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function formatAttr(v: AttrValue): string {
  if (Array.isArray(v)) return `[${v.join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

function attrText(n: Node): string {
  const keys = Object.keys(n.attrs).filter((k) => n.attrs[k] !== undefined && !isGraph(n.attrs[k]!));
  const order = (k: string) => {
    const i = n.op === "scan" ? SCAN_ORDER.indexOf(k) : -1;
    return i < 0 ? SCAN_ORDER.length : i;
  };
  keys.sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  return keys.length ? ` {${keys.map((k) => `${k}=${formatAttr(n.attrs[k]!)}`).join(", ")}}` : "";
}

function typeOf(g: Graph, v: string): string {
  const t: TensorType | undefined = g.types.get(v);
  return t ? formatType(t) : "?";
}

function typedList(g: Graph, names: string[]): string {
  return names.map((v) => `${v}: ${typeOf(g, v)}`).join(", ");
}

function printBody(body: Graph, node: Node, indent: string, out: string[]): void {
  const nC = node.attrs.n_consts as number, nK = node.attrs.n_carry as number;
  const ins = body.inputs;
  const groups = [
    ["consts", ins.slice(0, nC)],
    ["carries", ins.slice(nC, nC + nK)],
    ["xs", ins.slice(nC + nK)],
  ] as const;
  const head = groups.filter(([, v]) => v.length).map(([k, v]) => `${k}: ${typedList(body, v)}`).join("; ");
  out.push(`${indent}body(${head}) {`);
  printNodes(body, indent + "  ", out);
  const carries = body.outputs.slice(0, nK), ys = body.outputs.slice(nK);
  const ret = [carries.length ? `carries: ${carries.join(", ")}` : "", ys.length ? `ys: ${ys.join(", ")}` : ""].filter(Boolean);
  out.push(`${indent}  return ${ret.join("; ")}`);
  out.push(`${indent}}`);
}

function printNodes(g: Graph, indent: string, out: string[]): void {
  for (const n of g.nodes) {
    const types = n.outputs.map((v) => typeOf(g, v)).join(", ");
    out.push(`${indent}${n.outputs.join(", ")} = ${n.op}(${n.inputs.join(", ")})${attrText(n)} : ${types}`);
    for (const v of Object.values(n.attrs)) {
      if (v !== undefined && isGraph(v)) {
        if (n.op === "scan") printBody(v, n, indent + "  ", out);
        else {
          out.push(`${indent}  graph(${typedList(v, v.inputs)}) {`);
          printNodes(v, indent + "    ", out);
          out.push(`${indent}    return ${v.outputs.join(", ")}`);
          out.push(`${indent}  }`);
        }
      }
    }
  }
}

/** The whole graph as text, one node per line, ending with a newline. */
export function printGraph(g: Graph): string {
  const out: string[] = [`graph(${typedList(g, g.inputs)}) {`];
  printNodes(g, "  ", out);
  out.push(`  return ${g.outputs.join(", ")}`);
  out.push("}");
  return out.join("\n") + "\n";
}
