/**
 * Bounded fused loops (compiler/passes/fuse-elementwise.ts): a group of elementwise ops deeper
 * than MAX_FUSED_DEPTH is cut into bands (`depthBands`), a band with more than MAX_FUSED_OPS ops
 * into runs, so that Binaryen, which nests a fused loop's whole dependency chain into one
 * expression, never recurses deep enough to overflow the stack (test/reliability/
 * compile-scaling.test.ts compiles the chains this is for). IR only: no WebAssembly here.
 */
import t from "tap";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { buildCell, programFromCell } from "../../compiler/frontend/program.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import type { Graph, Node } from "../../compiler/ir/types.ts";
import { fusedExpr } from "../../compiler/ops/fused.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { depthBands, fuseElementwise, laneDepth, MAX_FUSED_DEPTH, MAX_FUSED_OPS, topologicalOrder } from "../../compiler/passes/fuse-elementwise.ts";
import { optimizeGraph } from "../../compiler/passes/index.ts";
import { verifyGraph } from "../../compiler/passes/verify.ts";
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { Case } from "../ops/_helpers.ts";
import { chainCell } from "./_chain.ts";

/** The heaviest dependency path of a fused node's expression, in laneDepth units. */
function fusedDepth(n: Node): number {
  const e = fusedExpr(n.attrs);
  const depth = new Map<string, number>();
  let max = 0;
  for (const x of e.nodes) {
    const below = Math.max(0, ...x.inputs.map((v) => depth.get(v) ?? 0));
    const d = x.op === "constant" || x.op === "slice" ? 0 : x.op === "concat" ? below : below + laneDepth(x.op);
    x.outputs.forEach((o) => depth.set(o, d));
    max = Math.max(max, d);
  }
  return max;
}
const fusedOps = (n: Node) => fusedExpr(n.attrs).nodes.filter((x) => !["constant", "slice", "concat"].includes(x.op)).length;

/** Every fused node of g and of its scan bodies. */
function fusedNodes(g: Graph): Node[] {
  return g.nodes.flatMap((n) => (n.op === "fused" ? [n] : n.op === "scan" ? fusedNodes(scanAttrs(n.attrs).body) : []));
}

/** Bitwise equality of two runs. */
function identical(a: Tensor[], b: Tensor[]): boolean {
  return a.length === b.length && a.every((x, i) => x.data.length === b[i]!.data.length && x.data.every((v, k) => Object.is(v, b[i]!.data[k])));
}

/** A random DAG: node i reads 1–3 earlier nodes; weights 1–4. */
function randomDag(n: number, seed: number): { succ: number[][]; weight: number[] } {
  const r = rng(seed);
  const succ: number[][] = Array.from({ length: n }, () => []);
  const weight = Array.from({ length: n }, () => 1 + Math.floor(r() * 4));
  for (let i = 1; i < n; i++) {
    const k = 1 + Math.floor(r() * 3);
    for (let j = 0; j < k; j++) {
      const p = Math.max(0, i - 1 - Math.floor(r() * Math.min(i, 12)));
      if (!succ[p]!.includes(i)) succ[p]!.push(i);
    }
  }
  return { succ, weight };
}

t.test("depthBands: a chain cut every maxDepth levels; a shallow group stays whole", async (t) => {
  const chain = Array.from({ length: 10 }, (_, i) => i);
  const succ = (i: number) => (i < 9 ? [i + 1] : []);
  t.same(depthBands(chain, () => 1, succ, () => true, 4), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2], "10 ops, 4 levels per band");
  t.same(depthBands(chain, () => 1, succ, () => true, 10), Array(10).fill(0), "10 levels fit");
  t.same(depthBands(chain, () => 1, succ, (s) => s !== 5, 5), Array(10).fill(0), "only edges inside the group count: two chains of 5");
  // a value read only at the end is computed late, next to its reader, not in the first band
  const diamond = [0, 1, 2, 3, 4, 5];
  const dsucc = [[5], [2], [3], [4], [5], []];
  const b = depthBands(diamond, () => 1, (i) => dsucc[i]!, () => true, 2);
  t.same(b, [1, 0, 0, 1, 1, 2]);
});

t.test("depthBands on random DAGs: bands never go back along an edge, and each is shallow", async (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const n = 60 + seed * 7;
    const { succ, weight } = randomDag(n, seed);
    const maxDepth = 4 + (seed % 9) * 3;
    const members = Array.from({ length: n }, (_, i) => i);
    const band = depthBands(members, (i) => weight[i]!, (i) => succ[i]!, () => true, maxDepth);
    let monotone = true;
    members.forEach((p) => succ[p]!.forEach((s) => { if (band[s]! < band[p]!) monotone = false; }));
    // heaviest path inside each band (edges within the band only)
    const heavy = new Array<number>(n).fill(0);
    let deepest = 0;
    for (let i = n - 1; i >= 0; i--) {
      heavy[i] = weight[i]! + Math.max(0, ...succ[i]!.filter((s) => band[s] === band[i]).map((s) => heavy[s]!));
      deepest = Math.max(deepest, heavy[i]!);
    }
    t.ok(monotone, `seed ${seed}: no edge goes to an earlier band`);
    t.ok(deepest < maxDepth + 4, `seed ${seed}: the deepest band weighs ${deepest} (maxDepth ${maxDepth}, ops weigh ≤ 4)`);
  }
});

t.test("laneDepth: the ops whose lane code nests deeper count more", async (t) => {
  t.equal(laneDepth("add"), 1);
  t.equal(laneDepth("tanh"), 1);
  t.equal(laneDepth("where"), 2);
  t.equal(laneDepth("sign"), 4);
});

/** x, then e = tanh(e) * 0.5 + x repeated `n` times: a chain of 3n elementwise ops. */
function chainCase(n: number): Case {
  const c = new Case({ B: 2, T: 3 });
  const x = c.f32("x", ["B", 5]);
  let e = x;
  const half = c.b.scalar(0.5);
  for (let k = 0; k < n; k++) e = c.b.add(c.b.mul(c.b.op("tanh", [e]), half), x);
  c.out(e);
  return c;
}

t.test("a deep chain becomes several fused loops, each at most maxDepth deep, with the same bits", async (t) => {
  const c = chainCase(40); // 120 ops
  const whole = fuseElementwise(c.graph);
  t.equal(fusedNodes(whole).length, 1, "by default (MAX_FUSED_DEPTH), 120 levels are one loop");
  const cut = fuseElementwise(c.graph, { maxDepth: 16 });
  verifyGraph(cut);
  const fused = fusedNodes(cut);
  t.ok(fused.length >= 120 / 16, `${fused.length} fused nodes`);
  t.ok(fused.every((n) => fusedDepth(n) <= 16), `depths ${fused.map(fusedDepth).join(", ")}`);
  t.equal(fused.reduce((s, n) => s + fusedOps(n), 0), 120, "every op is in exactly one of them");
  t.ok(fused.slice(0, -1).every((n) => n.outputs.length === 1), "each hands one value (the chain's) to the next");
  t.ok(identical(runGraph(cut, c.values), runGraph(c.graph, c.values)), "the same bits as unfused");
  t.ok(identical(runGraph(cut, c.values), runGraph(whole, c.values)), "and as one loop");
});

t.test("a wide band is cut into runs of at most maxOps ops", async (t) => {
  const c = new Case({ B: 2, T: 3 });
  const x = c.f32("x", ["B", 4]);
  const terms = Array.from({ length: 40 }, (_, k) => c.b.op("tanh", [c.b.mul(x, c.b.scalar(k + 1))]));
  const sum = terms.reduce((a, b) => c.b.add(a, b));
  c.out(c.b.op("sign", [sum]));
  const cut = fuseElementwise(c.graph, { maxOps: 16 });
  verifyGraph(cut);
  const fused = fusedNodes(cut);
  t.ok(fused.every((n) => fusedOps(n) <= 16), `ops per fused node: ${fused.map(fusedOps).join(", ")}`);
  t.equal(fused.reduce((s, n) => s + fusedOps(n), 0), 40 + 40 + 39 + 1, "all 120 ops fused");
  t.ok(identical(runGraph(cut, c.values), runGraph(c.graph, c.values)), "the same bits");
  const both = fuseElementwise(c.graph, { maxOps: 16, maxDepth: 8 });
  verifyGraph(both);
  t.ok(fusedNodes(both).every((n) => fusedOps(n) <= 16 && fusedDepth(n) < 8 + 4), "both bounds at once");
  t.ok(identical(runGraph(both, c.values), runGraph(c.graph, c.values)), "the same bits");
});


t.test("the pipeline on a 400-equation chain: every fused loop within the bounds", async (t) => {
  const g = programFromCell(buildCell(chainCell(400), "chain400.json")).graph;
  const v = vjpGraph(g, g.inputs.filter((x) => g.types.get(x)!.dtype === "f32")).graph;
  for (const [what, graph] of [["forward", g], ["with BPTT", v]] as const) {
    const fused = fusedNodes(optimizeGraph(graph));
    t.ok(fused.length > 1, `${what}: ${fused.length} fused loops`);
    const depth = Math.max(...fused.map(fusedDepth)), ops = Math.max(...fused.map(fusedOps));
    t.ok(depth < MAX_FUSED_DEPTH + 4 && ops <= MAX_FUSED_OPS, `${what}: deepest ${depth}, largest ${ops} ops`);
  }
});

t.test("topologicalOrder: each node as early as its inputs allow; null on a cycle", async (t) => {
  const node = (op: string, inputs: string[], out: string): Node => ({ op, inputs, outputs: [out], attrs: {} });
  const a = node("tanh", ["x"], "a"), b = node("exp", ["a"], "b"), c = node("neg", ["x"], "c"), d = node("add", ["b", "c"], "d");
  t.same(topologicalOrder(["x"], [d, b, c, a])!.map((n) => n.outputs[0]), ["c", "a", "b", "d"]);
  t.same(topologicalOrder(["x"], [a, b, c, d])!.map((n) => n.outputs[0]), ["a", "b", "c", "d"], "an order that is already topological is kept");
  t.equal(topologicalOrder(["x"], [node("add", ["x", "q"], "p"), node("neg", ["p"], "q")]), null, "a cycle");
  t.equal(topologicalOrder(["x"], [node("neg", ["nowhere"], "p")]), null, "a value nobody defines");
  // against the obvious quadratic version, on shuffled random DAGs
  for (let seed = 1; seed <= 20; seed++) {
    const r = rng(seed);
    const nodes: Node[] = [];
    for (let i = 0; i < 80; i++) {
      const ins = Array.from({ length: 1 + Math.floor(r() * 3) }, () => (i === 0 || r() < 0.2 ? "x" : `v${Math.floor(r() * i)}`));
      nodes.push(node("add", ins, `v${i}`));
    }
    for (let i = nodes.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
    }
    const naive: Node[] = [];
    const ready = new Set(["x"]), pending = [...nodes];
    while (pending.length) {
      const k = pending.findIndex((n) => n.inputs.every((v) => ready.has(v)));
      const [n] = pending.splice(k, 1);
      naive.push(n!);
      ready.add(n!.outputs[0]!);
    }
    t.same(topologicalOrder(["x"], nodes), naive, `seed ${seed}`);
  }
});
