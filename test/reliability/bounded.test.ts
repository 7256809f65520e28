/**
 * Bounded resources on pathological graphs, at sizes that would blow up an approach that unrolls
 * time or copies graphs per use: a 2,000-equation chain, a value read by 1,000 equations, and a
 * sequence of T = 100,000 steps. Assertions are on sizes and counts (nodes, module bytes, memory
 * bytes), which grow linearly in the graph and not at all in T; the only time bound is tap's timeout.
 */
import t from "tap";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { buildCell, programFromCell } from "../../compiler/frontend/program.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { evalPoly } from "../../compiler/lower/memory.ts";
import { optimizeGraph } from "../../compiler/passes/index.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import { scanAttrs } from "../../compiler/ops/scan.ts";
import { loadModel } from "../../runtime/index.ts";
import { chainCell } from "./_chain.ts";

/** Nodes of a graph and of its scan bodies. */
function nodeCount(g: Graph): number {
  return g.nodes.reduce((n, node) => n + 1 + (node.op === "scan" ? nodeCount(scanAttrs(node.attrs).body) : 0), 0);
}


/** A cell where one value is read by `n` equations, all summed into the next state. */
function fanOutCell(n: number) {
  const equations: Record<string, string> = { u: "tanh(W @ h + x)" };
  for (let k = 0; k < n; k++) equations[`f${k}`] = `u * ${(k % 7) + 1}`;
  equations.s = Array.from({ length: n }, (_, k) => `f${k}`).join(" + ");
  return {
    rnnc: "cell", name: `fan${n}`, sizes: { H: 3 },
    inputs: { x: { shape: ["H"] } }, state: { h: { shape: ["H"] } }, params: { W: { shape: ["H", "H"] } },
    equations: { ...equations, hn: "tanh(s)" }, next: { h: "hn" }, outputs: {},
  };
}

/**
 * Lowering runs at -O0 with the level-1 IR passes here, to keep the size assertions about the
 * emitter itself. The default settings (-O3, every pass) are compiled and timed at 500 and 2,000
 * equations in compile-scaling.test.ts (near-linear since the fixes recorded in docs/errors.md,
 * "Bounded resources").
 */
const LINEAR = { optimize: 0, passes: 1 } as const;

t.test("a chain of 2,000 equations: IR, gradients and module grow linearly", async (t) => {
  const sizes: Record<number, { fwd: number; vjp: number; opt: number }> = {};
  for (const n of [500, 2000]) {
    const p = programFromCell(buildCell(chainCell(n), `chain${n}.json`));
    const g = p.graph;
    const wrt = g.inputs.filter((v) => g.types.get(v)!.dtype === "f32");
    const v = vjpGraph(g, wrt).graph;
    sizes[n] = { fwd: nodeCount(g), vjp: nodeCount(v), opt: nodeCount(optimizeGraph(v, 1)) };
    t.ok(sizes[n]!.fwd <= 4 * n + 10, `chain of ${n}: ${sizes[n]!.fwd} forward nodes (≤ 4 per equation)`);
    t.ok(sizes[n]!.vjp <= 20 * n, `chain of ${n}: ${sizes[n]!.vjp} nodes with BPTT (≤ 20 per equation)`);
  }
  for (const k of ["fwd", "vjp", "opt"] as const) {
    const r = sizes[2000]![k] / sizes[500]![k];
    t.ok(r > 3 && r < 5, `4× the chain, about 4× the ${k} nodes: ${sizes[500]![k]} → ${sizes[2000]![k]} (×${r.toFixed(2)})`);
  }
  const res = await compileProgram(programFromCell(buildCell(chainCell(2000), "chain2000.json")), LINEAR);
  // -O0, and every elementwise op its own loop (no fusion yet): ~3 KB per equation, forward and backward
  t.ok(res.wasm.length < 2000 * 4000, `the module of the 2,000-equation chain (forward, BPTT, step): ${res.wasm.length} bytes, < 4,000 per equation`);
  t.ok(evalPoly(res.manifest.memory.bytes as [number, number, number, number], 1, 1) < 2000 * 1024, "its memory plan reuses buffers: < 1 KiB per equation at B=1, T=1");
});

t.test("one value read by 1,000 equations: linear, not quadratic", async (t) => {
  const n = 1000;
  const p = programFromCell(buildCell(fanOutCell(n), `fan${n}.json`));
  const g = p.graph;
  const v = vjpGraph(g, g.inputs.filter((x) => g.types.get(x)!.dtype === "f32")).graph;
  t.ok(nodeCount(g) <= 3 * n + 20, `fan-out ${n}: ${nodeCount(g)} forward nodes`);
  // the cotangent of u sums 1,000 contributions: one chain of adds, not a copy per reader
  t.ok(nodeCount(v) <= 12 * n, `fan-out ${n}: ${nodeCount(v)} nodes with BPTT`);
  const res = await compileProgram(p, LINEAR);
  t.ok(res.wasm.length < 2000 * n, `fan-out ${n}: ${res.wasm.length} bytes, < 2,000 per reader`);
});

t.test("T = 100,000 steps on a small cell: one module, memory linear in T, code independent of T", async (t) => {
  const cell = {
    rnnc: "cell", name: "tiny", sizes: { H: 2 },
    inputs: { x: { shape: [1] } }, state: { h: { shape: ["H"] } },
    params: { W: { shape: ["H", 1] }, U: { shape: ["H", "H"] } },
    equations: { hn: "tanh(W @ x + U @ h)" }, next: { h: "hn" }, outputs: { y: "hn" },
  };
  const p = programFromCell(buildCell(cell, "tiny.json"));
  const res = await compileProgram(p, { optimize: 1 });
  t.ok(res.wasm.length < 64 * 1024, `the module is ${res.wasm.length} bytes (an unrolled one would hold 100,000 steps)`);
  const bytes = res.manifest.memory.bytes as [number, number, number, number];
  const T = 100_000;
  const at = (T: number) => evalPoly(bytes, 1, T);
  t.ok(at(2 * T) - at(T) === at(T) - at(0), "memory is affine in T");
  t.ok(at(T) < 64 * T * 8, `${at(T)} bytes at B=1, T=${T}: a few dozen bytes per step`);
  const model = await loadModel(res.wasm, res.manifest);
  model.setParam("W", [0.5, -0.5]);
  model.setParam("U", [0.3, 0.1, -0.2, 0.4]);
  const xs = new Float32Array(T).map((_, i) => Math.sin(i / 10));
  const fwd = model.forward({ x: { data: xs, shape: [T, 1, 1] } });
  t.equal(fwd.outputs.y!.length, 2 * T, "every step's output");
  t.ok(fwd.final.h!.every(Number.isFinite), `final state ${Array.from(fwd.final.h!).map((v) => v.toFixed(4))}`);
  const back = model.backward({ x: { data: xs, shape: [T, 1, 1] } }, { final: { h: [1, 1] } });
  t.ok(back.grads.W!.every(Number.isFinite) && back.grads.U!.every(Number.isFinite), "BPTT through 100,000 steps: finite gradients");
  t.ok(model.memory.buffer.byteLength <= Math.ceil(at(T) / 65536) * 65536 + 65536, `memory grew to ${model.memory.buffer.byteLength} bytes, what the plan says`);
});
