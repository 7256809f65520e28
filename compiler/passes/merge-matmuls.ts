import type { Graph, Node, TensorType } from "../ir/types.ts";
import { sameShape } from "../ir/types.ts";
import { eliminateDeadCode } from "./dce.ts";
import { assembleScan, bodyNamer, definedNames, mapBodies, mapGraph, namer, scanParts, typedNode, useCounts } from "./graph.ts";
import type { Rewriter } from "./graph.ts";

/**
 * The weight concatenation a merge needs, as a value usable at node index `at` of the graph being
 * edited (plus the nodes that compute it there), or null when the weights cannot be concatenated
 * there. In a scan body the concatenation is loop-invariant: it is computed once before the scan
 * and passed in as a new const.
 */
type WeightCat = (weights: string[], axis: number, at: number) => { name: string; nodes: Node[] } | null;

interface Edit {
  removed: Set<Node>;
  before: Map<Node, Node[]>;
}

/**
 * Where a value is defined, as a sortable number (graph inputs first, then node outputs in
 * order): operands of a merge are concatenated in this order, so that merges of the same
 * values (dx's Σ W?ᵀ g? and the outers of the g?) build the same concatenation, which CSE shares.
 */
function positions(nodes: Node[]): (v: string) => number {
  const pos = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o, j) => pos.set(o, i * 4096 + j)));
  return (v) => pos.get(v) ?? -1;
}

function applyEdit(nodes: Node[], e: Edit): Node[] {
  return nodes.flatMap((n) => [...(e.before.get(n) ?? []), ...(e.removed.has(n) ? [] : [n])]);
}

/**
 * mergeSharedOperandMatmuls: matmuls that read the same vector become one matmul by the weights
 * stacked along their output dim, followed by slices — the LSTM's four `W?h @ h` become
 * `concat(Wgh, Wih, Wfh, Woh, axis=0) @ h` (one [4H, H] GEMM per step instead of four [H, H]),
 * and likewise its four `W?x @ x`. For `transpose_a` matmuls the weights are stacked along their
 * columns. In a body the weight concatenation is loop-invariant and happens before the scan
 * (a new const); at the top level it is computed where the first of the matmuls was.
 *
 * Weight-gradient `outer`s sharing an operand merge the same way: `outer(g_k, xs)` for k = 1..4
 * becomes one `outer(concat(g_1..g_4), xs)` (one GEMM after the loop) sliced by rows.
 */
export function mergeSharedOperandMatmuls(g: Graph): Graph {
  return mergeAt(g, false, mergeShared);
}

/**
 * mergeSummedMatmuls: a sum of matmuls of different weights and different vectors is one matmul
 * of the concatenations: Σ_k W_k u_k = [W_1 | … | W_n] · [u_1; …; u_n], and for `transpose_a`
 * Σ_k W_kᵀ u_k = [W_1; …; W_n]ᵀ · [u_1; …; u_n]. This is the backward LSTM's state cotangent
 * `dh = Σ_k W_khᵀ g_k`: four GEMVs per step become one (the u_k are concatenated in the body,
 * the weights once before the loop).
 */
export function mergeSummedMatmuls(g: Graph): Graph {
  return mergeAt(g, false, mergeSummed);
}

type Merger = (nodes: Node[], outputs: string[], types: Map<string, TensorType>, fresh: (h: string) => string, cat: WeightCat | null) => Node[] | null;

function mergeAt(g: Graph, isBody: boolean, merge: Merger): Graph {
  g = mapBodies(g, (b) => mergeAt(b, true, merge));
  // in this graph: weights may be concatenated in place only outside any loop
  const types = new Map(g.types);
  const fresh = namer(new Set([...definedNames(g), ...types.keys()]));
  const defAt = new Map<string, number>();
  g.inputs.forEach((v) => defAt.set(v, -1));
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => defAt.set(o, i)));
  const inPlace: WeightCat = (ws, axis, at) => {
    if (!ws.every((w) => (defAt.get(w) ?? Infinity) < at)) return null;
    const name = fresh(`${ws[0]!.replace(/^%/, "")}.cat`);
    return { name, nodes: [typedNode(types, "concat", ws, { axis }, [name])] };
  };
  const nodes = merge(g.nodes, g.outputs, types, fresh, isBody ? null : inPlace);
  if (nodes) g = { inputs: g.inputs, outputs: g.outputs, nodes, types };
  // in each scan body: weights that are consts are concatenated before the loop
  // what the rewrite left unread (the old xs, consts, ...) goes
  return eliminateDeadCode(mapGraph(g, (rw, node) => (node.op === "scan" ? mergeInScan(rw, node, merge) : null)));
}

function mergeInScan(rw: Rewriter, node: Node, merge: Merger): string[] | null {
  const p = scanParts(node);
  const outerOf = new Map(p.consts.map((c) => [c.inner, c.outer]));
  const fresh = bodyNamer(p);
  const memo = new Map<string, string>();
  const cat: WeightCat = (ws, axis) => {
    if (!ws.every((w) => outerOf.has(w))) return null;
    const key = `${axis}:${ws.join(",")}`;
    let inner = memo.get(key);
    if (!inner) {
      const outer = rw.op("concat", ws.map((w) => outerOf.get(w)!), { axis }, `${ws[0]!.replace(/^%/, "")}.cat`);
      inner = fresh(outer);
      p.types.set(inner, rw.type(outer));
      p.consts.push({ outer, inner });
      memo.set(key, inner);
    }
    return { name: inner, nodes: [] };
  };
  const outputs = [...p.carries.map((c) => c.next), ...p.ys.map((y) => y.inner)];
  const nodes = merge(p.nodes, outputs, p.types, fresh, cat);
  if (!nodes) return null;
  p.nodes = nodes;
  rw.copy(assembleScan(p));
  return node.outputs;
}

// ---- shared operand ----------------------------------------------------------------------------

const mergeShared: Merger = (nodes, outputs, types, fresh, cat) => {
  const type = (v: string) => types.get(v)!;
  const uses = useCounts({ inputs: [], outputs, nodes, types });
  const userOf = new Map<string, Node>();
  nodes.forEach((n) => n.inputs.forEach((v) => userOf.set(v, n)));
  /** The only reader of m's result, if it adds a bias vector of the result's width to it. */
  const biasAdd = (m: Node): { node: Node; bias: string } | null => {
    const o = m.outputs[0]!;
    const u = userOf.get(o);
    if (uses.get(o) !== 1 || !u || u.op !== "add") return null;
    const bias = u.inputs[0] === o ? u.inputs[1]! : u.inputs[0]!;
    const bt = type(bias).shape, ot = type(o).shape;
    return bias !== o && bt.length === 1 && bt[0] === ot[ot.length - 1] ? { node: u, bias } : null;
  };
  const defAt = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => defAt.set(o, i)));
  const index = new Map(nodes.map((n, i) => [n, i]));
  const e: Edit = { removed: new Set(), before: new Map() };
  const last = (s: { shape: unknown[] }) => s.shape[s.shape.length - 1] as number;
  const pos = positions(nodes);

  // matmuls by (vector, transpose_a)
  if (cat) {
    const groups = new Map<string, Node[]>();
    for (const n of nodes) {
      if (n.op !== "matmul") continue;
      const key = `${n.inputs[1]}|${n.attrs.transpose_a === true}`;
      const list = groups.get(key) ?? [];
      if (!list.some((m) => m.inputs[0] === n.inputs[0])) list.push(n);
      groups.set(key, list);
    }
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      const t = members[0]!.attrs.transpose_a === true;
      const first = index.get(members[0]!)!;
      const w = cat(members.map((m) => m.inputs[0]!), t ? 1 : 0, first);
      if (!w) continue;
      const merged = fresh(`${members[0]!.outputs[0]!.replace(/^%/, "")}.merged`);
      const out: Node[] = [...w.nodes, typedNode(types, "matmul", [w.name, members[0]!.inputs[1]!], members[0]!.attrs, [merged])];
      // each result + its own bias (W?x @ x + b?): one add of the stacked biases instead
      const adds = members.map((m) => biasAdd(m));
      const biases = adds.every(Boolean) ? cat(adds.map((a) => a!.bias), 0, first) : null;
      let sliced = merged;
      if (biases) {
        sliced = fresh(`${merged.replace(/^%/, "")}.biased`);
        out.push(...biases.nodes, typedNode(types, "add", [merged, biases.name], {}, [sliced]));
        adds.forEach((a) => e.removed.add(a!.node));
      }
      let start = 0;
      members.forEach((m, k) => {
        const size = last(type(m.outputs[0]!));
        out.push(typedNode(types, "slice", [sliced], { axis: -1, start, size }, biases ? adds[k]!.node.outputs : m.outputs));
        start += size;
        e.removed.add(m);
      });
      e.before.set(members[0]!, out);
    }
  }

  // outers by shared operand, biggest groups first
  const outers = nodes.filter((n) => n.op === "outer" && !e.removed.has(n));
  const byOperand = new Map<string, { side: 0 | 1; shared: string; members: Node[] }>();
  for (const n of outers) {
    for (const side of [1, 0] as const) {
      const key = `${side}|${n.inputs[side]}`;
      const gr = byOperand.get(key) ?? { side, shared: n.inputs[side]!, members: [] };
      gr.members.push(n);
      byOperand.set(key, gr);
    }
  }
  const taken = new Set<Node>();
  for (const gr of [...byOperand.values()].sort((a, b) => b.members.length - a.members.length)) {
    const other = 1 - gr.side;
    const members = gr.members.filter((m) => !taken.has(m)).sort((a, b) => pos(a.inputs[other]!) - pos(b.inputs[other]!));
    if (members.length < 2) continue;
    const parts = members.map((m) => m.inputs[other]!);
    if (new Set(parts).size !== parts.length) continue;
    const firstNode = members.reduce((a, b) => (index.get(a)! <= index.get(b)! ? a : b));
    const first = index.get(firstNode)!;
    if (!parts.every((v) => (defAt.get(v) ?? -1) < first)) continue;
    const rank = type(parts[0]!).shape.length;
    if (!parts.every((v) => type(v).shape.length === rank && sameShape(type(v).shape.slice(0, -1), type(parts[0]!).shape.slice(0, -1)))) continue;
    const c = fresh(`${parts[0]!.replace(/^%/, "")}.cat`);
    const merged = fresh(`${members[0]!.outputs[0]!.replace(/^%/, "")}.merged`);
    const out: Node[] = [typedNode(types, "concat", parts, { axis: -1 }, [c])];
    out.push(typedNode(types, "outer", gr.side === 1 ? [c, gr.shared] : [gr.shared, c], {}, [merged]));
    let start = 0;
    for (const m of members) {
      const size = type(m.outputs[0]!).shape[other] as number;
      out.push(typedNode(types, "slice", [merged], { axis: other, start, size }, m.outputs));
      start += size;
      e.removed.add(m);
      taken.add(m);
    }
    e.before.set(firstNode, out);
  }
  return e.removed.size ? applyEdit(nodes, e) : null;
};

// ---- summed ------------------------------------------------------------------------------------

const mergeSummed: Merger = (nodes, outputs, types, fresh, cat) => {
  if (!cat) return null;
  const type = (v: string) => types.get(v)!;
  const uses = useCounts({ inputs: [], outputs, nodes, types });
  const prod = new Map<string, Node>();
  nodes.forEach((n) => n.outputs.forEach((o) => prod.set(o, n)));
  const index = new Map(nodes.map((n, i) => [n, i]));
  const pos = positions(nodes);
  const e: Edit = { removed: new Set(), before: new Map() };
  const interior = new Set<Node>();

  for (let i = nodes.length - 1; i >= 0; i--) {
    const root = nodes[i]!;
    if (root.op !== "add" || interior.has(root)) continue;
    const shape = type(root.outputs[0]!).shape;
    const tree: Node[] = [];
    const leaves: string[] = [];
    const collect = (v: string, isRoot: boolean) => {
      const n = prod.get(v);
      const ok = n && n.op === "add" && !e.removed.has(n) && (isRoot || uses.get(v) === 1)
        && n.inputs.every((x) => sameShape(type(x).shape, shape));
      if (ok) { tree.push(n); n.inputs.forEach((x) => collect(x, false)); } else leaves.push(v);
    };
    collect(root.outputs[0]!, true);
    tree.forEach((n) => interior.add(n));
    const isMatmul = (v: string) => prod.get(v)?.op === "matmul" && uses.get(v) === 1;
    for (const t of [false, true]) {
      const mms = leaves.filter((v) => isMatmul(v) && (prod.get(v)!.attrs.transpose_a === true) === t).map((v) => prod.get(v)!)
        .sort((a, b) => pos(a.inputs[1]!) - pos(b.inputs[1]!));
      if (mms.length < 2) continue;
      const us = mms.map((m) => m.inputs[1]!);
      const lead = type(us[0]!).shape.slice(0, -1);
      if (!us.every((u) => sameShape(type(u).shape.slice(0, -1), lead))) continue;
      const w = cat(mms.map((m) => m.inputs[0]!), t ? 0 : 1, index.get(root)!);
      if (!w) continue;
      const base = root.outputs[0]!.replace(/^%/, "");
      const rest = leaves.filter((v) => !mms.some((m) => m.outputs[0] === v));
      const u = fresh(`${base}.operands`);
      // the sum keeps its name: on the merged matmul, or on the last add of what remains
      const mm = rest.length === 0 ? root.outputs[0]! : fresh(`${base}.merged`);
      const out: Node[] = [...w.nodes, typedNode(types, "concat", us, { axis: -1 }, [u]), typedNode(types, "matmul", [w.name, u], t ? { transpose_a: true } : {}, [mm])];
      let acc = mm;
      rest.forEach((v, k) => {
        const name = k === rest.length - 1 ? root.outputs[0]! : fresh(`${base}.part`);
        out.push(typedNode(types, "add", [acc, v], {}, [name]));
        acc = name;
      });
      mms.forEach((m) => e.removed.add(m));
      tree.forEach((n) => e.removed.add(n));
      e.before.set(root, out);
      break;
    }
  }
  return e.removed.size ? applyEdit(nodes, e) : null;
};
