/**
 * Compile time grows linearly in a cell's size, at the default optimization (-O3) and pass level
 * (docs/errors.md, "Bounded resources"): a chain of 2,000 equations compiles (at -O3 the code as
 * it was overflowed the stack from ~800 on, after 30 s), its forward pass and BPTT agree with
 * the interpreter, and 4× the equations cost well under 8× the CPU time (quadratic growth would
 * be ~16×).
 * Times are CPU times (process.cpuUsage: this process's threads, Binaryen's JIT included) on a
 * shared machine, so the bounds are generous; the ratio is what would catch a regression.
 */
import t from "tap";
import { evaluate } from "../../compiler/eval.ts";
import { buildCell, programFromCell } from "../../compiler/frontend/program.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { loadBinaryen } from "../../compiler/lower/binaryen.ts";
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { loadModel } from "../../runtime/index.ts";
import { chainCell } from "./_chain.ts";


const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Compiles the n-equation chain with the default options; its module and CPU seconds. */
async function compileChain(n: number) {
  const p = programFromCell(buildCell(chainCell(n), `chain${n}.json`));
  const t0 = cpuSeconds();
  const res = await compileProgram(p);
  return { p, res, seconds: cpuSeconds() - t0 };
}

/** max |a − b| / (1e-3 + |b|) */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / (1e-3 + Math.abs(b[i]!)));
  return m;
}

t.test("a chain of 2,000 equations at the default levels: linear time, and it agrees with the interpreter", async (t) => {
  await loadBinaryen();
  await compileChain(50); // Binaryen's own code warms up (V8 tiers it up) on a small compile first
  const small = await compileChain(500);
  const big = await compileChain(2000);
  const ratio = big.seconds / small.seconds;
  t.ok(big.seconds < 120, `2,000 equations: ${big.seconds.toFixed(1)} s CPU (${big.res.wasm.length} bytes)`);
  t.ok(ratio < 8, `4× the equations, ${ratio.toFixed(1)}× the CPU time (500: ${small.seconds.toFixed(1)} s, 2,000: ${big.seconds.toFixed(1)} s)`);

  const { p, res } = big;
  const B = 2, T = 3, r = rng(3);
  const W = Array.from({ length: 9 }, () => r() - 0.5);
  const x = Array.from({ length: T * B * 3 }, () => r() - 0.5);
  const h = Array.from({ length: B * 3 }, () => r() - 0.5);
  const model = await loadModel(res.wasm, res.manifest);
  model.setParam("W", W);
  const got = model.forward({ x: { data: x, shape: [T, B, 3] } }, { states: { h } });
  const given = new Map<string, Tensor>([["W", tensor([3, 3], W)], ["x", tensor([T, B, 3], x)], ["h", tensor([B, 3], h)]]);
  const want = await evaluate(p, given, { file: "chain2000" });
  t.ok(relErr(got.outputs.y!, want.outputs.y!.data) < 1e-4, `outputs y agree with the f64 interpreter (${relErr(got.outputs.y!, want.outputs.y!.data).toExponential(1)})`);
  t.ok(relErr(got.final.h!, want.final.h!.data) < 1e-4, "so does the final state");
  // BPTT: its backward function and bodies are split into parts (compile.ts, LOCALS_BUDGET)
  const ct = Array.from({ length: T * B * 3 }, () => r() - 0.5);
  const back = model.backward({ x: { data: x, shape: [T, B, 3] } }, { outputs: { y: ct } }, { states: { h } });
  const wantBack = await evaluate(p, given, { file: "chain2000", cotangents: { outputs: new Map([["y", tensor([T, B, 3], ct)]]), final: new Map() } });
  for (const g of ["W", "x", "h"]) {
    const e = relErr(back.grads[g]!, wantBack.grads![g]!.data);
    t.ok(e < 1e-3, `the gradient of ${g} agrees (${e.toExponential(1)})`);
  }
});
