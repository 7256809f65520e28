import { RnncError } from "../diagnostics.ts";
import { Builder, emptyGraph } from "../ir/builder.ts";
import type { Graph, Node } from "../ir/types.ts";
import { getOp } from "../ops/registry.ts";
import { eliminateDeadCode } from "../passes/dce.ts";

export interface RawVjp {
  /** The forward computation (possibly augmented with residuals) followed by the backward one. */
  graph: Graph;
  builder: Builder;
  /** One cotangent input per forward output (null for integer outputs, which carry none). */
  cotangents: (string | null)[];
  /** The gradient for each `wrt` input; null means a symbolic zero (nothing flows there). */
  grads: (string | null)[];
}

/**
 * Reverse-mode AD as a graph transform. The result takes the forward inputs, then one cotangent
 * per forward output, and computes the forward outputs and the gradients w.r.t. `wrt`.
 * The forward graph's value names are preserved; new values get fresh `%` names.
 */
export function vjpRaw(g: Graph, wrt: string[]): RawVjp {
  const b = new Builder(emptyGraph());
  for (const name of g.inputs) b.input(name, g.types.get(name)!);

  const backward: { node: Node; rule: (cts: (string | null)[]) => (string | null)[] }[] = [];
  for (const node of g.nodes) {
    const def = getOp(node.op);
    if (def.linearize) {
      backward.push({ node, rule: def.linearize(b, node) });
      continue;
    }
    b.emit(node.op, node.inputs, node.attrs, node.outputs);
    if (def.nondiff) continue;
    if (!def.vjp) throw new RnncError(`op ${node.op} has no gradient rule`);
    const vjp = def.vjp;
    backward.push({ node, rule: (cts) => vjp(b, node, cts) });
  }

  const contributions = new Map<string, string[]>();
  const contribute = (v: string, ct: string) => {
    const list = contributions.get(v);
    if (list) list.push(ct);
    else contributions.set(v, [ct]);
  };
  const cotangents = g.outputs.map((out) => {
    const t = g.types.get(out)!;
    if (t.dtype !== "f32") return null;
    const ct = b.input(b.fresh(`ct.${out.replace(/^%/, "")}`), t);
    contribute(out, ct);
    return ct;
  });
  const total = (v: string): string | null => {
    const list = contributions.get(v);
    if (!list || list.length === 0) return null;
    let acc = list[0]!;
    for (let i = 1; i < list.length; i++) acc = b.add(acc, list[i]!);
    contributions.set(v, [acc]);
    return acc;
  };

  for (let k = backward.length - 1; k >= 0; k--) {
    const { node, rule } = backward[k]!;
    const cts = node.outputs.map(total);
    if (cts.every((c) => c === null)) continue;
    const gin = rule(cts);
    gin.forEach((ct, i) => {
      if (ct === null) return;
      const input = node.inputs[i]!;
      if (g.types.get(input)!.dtype !== "f32") return;
      const want = b.type(input).shape, got = b.type(ct).shape;
      if (want.length !== got.length || want.some((d, j) => d !== got[j])) {
        throw new Error(`internal: gradient of ${node.op} input ${i} has shape [${got}], expected [${want}]`);
      }
      contribute(input, ct);
    });
  }
  const grads = wrt.map(total);
  return { graph: b.graph, builder: b, cotangents, grads };
}

export interface VjpGraph {
  graph: Graph;
  /** Names of the cotangent inputs, one per forward output (null: integer output). */
  cotangents: (string | null)[];
  /** Names of the gradient outputs, one per `wrt` (zeros where nothing flows). */
  grads: string[];
}

/** The VJP as a closed graph: outputs = forward outputs ++ one gradient per `wrt`. */
export function vjpGraph(g: Graph, wrt: string[]): VjpGraph {
  for (const w of wrt) {
    if (!g.inputs.includes(w)) throw new Error(`internal: ${w} is not an input`);
  }
  const raw = vjpRaw(g, wrt);
  const b = raw.builder;
  const grads = raw.grads.map((gr, i) => gr ?? b.zerosLike(wrt[i]!));
  b.graph.outputs = [...g.outputs, ...grads];
  return { graph: eliminateDeadCode(b.graph), cotangents: raw.cotangents, grads };
}
