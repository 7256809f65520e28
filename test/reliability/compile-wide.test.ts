/**
 * Large cells at the default optimization (-O3) and pass level, checked against the f64
 * interpreter: a wide cell (800 independent equations summed), and scan bodies too large for one
 * WebAssembly function, which compile.ts emits as several functions ("parts", each within a budget
 * of locals and parameters: Binaryen slows down by orders of magnitude past 8,192 locals, V8
 * refuses more than 1,000 parameters), forward and backward, with and without ragged lengths.
 */
import t from "tap";
import { evaluate } from "../../compiler/eval.ts";
import { buildCell, loadProgram, programFromCell } from "../../compiler/frontend/program.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import { wasmBackend } from "../../compiler/lower/backend.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import type { Program } from "../../compiler/frontend/program.ts";
import { randomInputMap } from "../frontend/_helpers.ts";
import { loadModel } from "../../runtime/index.ts";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** max |a − b| / (1e-3 + |b|) */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1e-3 + Math.abs(b[i]!)));
  return m;
}

/** Random tensors for a program's inputs at B, T (i32 inputs: `ints`). */
function randomInputs(p: Program, B: number, T: number, seed: number, ints: number[] = []): Map<string, Tensor> {
  const i32 = p.graph.inputs.filter((v) => p.graph.types.get(v)!.dtype === "i32");
  return randomInputMap(p, { B, T }, seed, Object.fromEntries(i32.map((v) => [v, ints])));
}

/** A cell of `n` independent equations f_k = tanh(u · k) of one value u, summed into the next state. */
function wideCell(n: number) {
  const equations: Record<string, string> = { u: "tanh(W @ h + x)" };
  for (let k = 0; k < n; k++) equations[`f${k}`] = `tanh(u * ${k + 1})`;
  equations.s = Array.from({ length: n }, (_, k) => `f${k}`).join(" + ");
  return {
    rnnc: "cell", name: `wide${n}`, sizes: { H: 3 },
    inputs: { x: { shape: ["H"] } }, state: { h: { shape: ["H"] } }, params: { W: { shape: ["H", "H"] } },
    equations: { ...equations, hn: `tanh(s * ${1 / n})` }, next: { h: "hn" }, outputs: { y: "hn" },
  };
}

/**
 * A cell whose state update is a chain of `n` equations e_k = (tanh(e_{k-1}) + e_{k-1}) * 0.5,
 * whose gradients do not vanish along the chain (each step's derivative is close to 1), and
 * whose BPTT reads one residual per equation (tanh(e_k), for 1 − tanh²).
 */
function chainCell(n: number) {
  const equations: Record<string, string> = { e0: "tanh(W @ h + x)" };
  for (let k = 1; k < n; k++) equations[`e${k}`] = `tanh(e${k - 1}) * 0.5 + e${k - 1} * 0.5`;
  return {
    rnnc: "cell", name: `chain${n}`, sizes: { H: 3 },
    inputs: { x: { shape: ["H"] } }, state: { h: { shape: ["H"] } }, params: { W: { shape: ["H", "H"] } },
    equations, next: { h: `e${n - 1}` }, outputs: { y: `e${n - 1}` },
  };
}

t.test("a wide cell: 800 equations of one value, summed", async (t) => {
  const n = 800;
  const p = programFromCell(buildCell(wideCell(n), `wide${n}.json`));
  const t0 = cpuSeconds();
  const res = await compileProgram(p);
  const seconds = cpuSeconds() - t0;
  t.ok(seconds < 90, `compiles at the default levels in ${seconds.toFixed(1)} s CPU (${res.wasm.length} bytes)`);
  const B = 2, T = 3;
  const given = randomInputs(p, B, T, 7);
  const model = await loadModel(res.wasm, res.manifest);
  model.setParam("W", given.get("W")!.data);
  const got = model.forward({ x: { data: given.get("x")!.data, shape: [T, B, 3] } }, { states: { h: given.get("h")!.data } });
  const want = await evaluate(p, given, { file: "wide" });
  t.ok(relErr(got.outputs.y!, want.outputs.y!.data) < 1e-4, `outputs agree with the interpreter (${relErr(got.outputs.y!, want.outputs.y!.data).toExponential(1)})`);
});

t.test("a scan body split into parts: forward and BPTT agree with the interpreter", async (t) => {
  const n = 300;
  const p = programFromCell(buildCell(chainCell(n), `chain${n}.json`));
  const res = await compileProgram(p, { wat: true });
  const parts = new Set(res.wat!.match(/\(func \$body\d+\.part\d+/g) ?? []);
  t.ok(parts.size >= 3, `the backward body (one residual per equation: ${n} addresses) is split: ${parts.size} parts`);
  const B = 2, T = 4;
  const given = randomInputs(p, B, T, 9);
  const cot = randomInputs(p, B, T, 10).get("x")!; // a [T, B, 3] cotangent for y
  const model = await loadModel(res.wasm, res.manifest);
  model.setParam("W", given.get("W")!.data);
  const ins = { x: { data: given.get("x")!.data, shape: [T, B, 3] } };
  const back = model.backward(ins, { outputs: { y: cot.data } }, { states: { h: given.get("h")!.data } });
  const want = await evaluate(p, given, { file: "chain", cotangents: { outputs: new Map([["y", cot]]), final: new Map() } });
  t.ok(relErr(back.outputs.y!, want.outputs.y!.data) < 1e-4, "outputs");
  t.ok(relErr(back.final.h!, want.final.h!.data) < 1e-4, "final state");
  for (const g of ["W", "x", "h"]) {
    const e = relErr(back.grads[g]!, want.grads![g]!.data);
    t.ok(e < 1e-3, `gradient of ${g} (${e.toExponential(1)})`);
  }
});

t.test("split bodies with ragged lengths (masked carries and xs), through compileGraph", async (t) => {
  const n = 200;
  const model = {
    rnnc: "model", name: "ragged-chain", sizes: { H: 3 }, cells: { c: chainCell(n) },
    inputs: { xs: { shape: ["H"], sequence: true }, lengths: { shape: [], dtype: "i32" } }, params: {},
    equations: { r: { scan: "c", xs: { x: "xs" }, lengths: "lengths" } }, outputs: { y: "r.y", last: "r.final.h" },
  };
  const file = join(mkdtempSync(join(tmpdir(), "rnnc-wide-")), "ragged.json");
  writeFileSync(file, JSON.stringify(model));
  const p = loadProgram(file);
  const { wat } = await compileProgram(p, { optimize: 0, wat: true });
  t.ok(/\(func \$body\d+\.part\d+/.test(wat!), "its bodies are split into parts");
  const B = 3, T = 4;
  const given = randomInputs(p, B, T, 11, [4, 1, 3]);
  const cts = { outputs: new Map([["y", randomInputs(p, B, T, 12, [4, 1, 3]).get("xs")!]]), final: new Map() };
  const want = await evaluate(p, given, { file, cotangents: cts });
  const got = await evaluate(p, given, { file, cotangents: cts, backend: wasmBackend() });
  for (const k of ["y", "last"]) t.ok(relErr(got.outputs[k]!.data, want.outputs[k]!.data) < 1e-4, `output ${k}`);
  for (const [k, g] of Object.entries(want.grads!)) {
    const e = relErr(got.grads![k]!.data, g.data);
    t.ok(e < 1e-3, `gradient of ${k} (${e.toExponential(1)})`);
  }
});
