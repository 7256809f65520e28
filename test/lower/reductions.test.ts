/**
 * The SIMD reductions of compiler/lower/kernels.ts held to the f64 interpreter on poisoned memory
 * (0xFF bytes, NaN as f32, everywhere but the inputs): `sum_to` over leading axes (a bias
 * gradient, [T, B, W] → [W]: f32x4 columns and a scalar tail, bit-identical to the scalar loop's
 * order) and the full `sum` / `mean` (eight partial sums, then the count mod 8 in order), at widths
 * and counts around the vector width and the 8-element chunk, including empty inputs.
 */
import t, { type Test } from "tap";
import "../../compiler/ops/index.ts";
import { Builder } from "../../compiler/ir/builder.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Graph, Shape } from "../../compiler/ir/types.ts";
import { compileGraph } from "../../compiler/lower/compile.ts";
import { evalPoly } from "../../compiler/lower/memory.ts";
import { poisonMemory } from "./_wasm.ts";
import { rng } from "../../compiler/autodiff/gradcheck.ts";

const rand = rng(7);

async function check(t: Test, g: Graph, cases: [T: number, B: number][], label: string): Promise<void> {
  const gm = await compileGraph(g);
  const inst = await WebAssembly.instantiate(await WebAssembly.compile(gm.wasm as Uint8Array<ArrayBuffer>), {});
  const mem = inst.exports.memory as WebAssembly.Memory;
  for (const [T, B] of cases) {
    const dims = (s: Shape) => s.map((d) => (d === "T" ? T : d === "B" ? B : d));
    const need = evalPoly(gm.memoryBytes, B, T);
    if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
    poisonMemory(mem); // all but the module's constant table
    const inputs = gm.inputs.map((spec) => {
      const shape = dims(spec.type.shape);
      const data = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.fround(2 * rand() - 1));
      new Float32Array(mem.buffer, evalPoly(spec.offset, B, T), data.length).set(data);
      return tensor(shape, data);
    });
    (inst.exports.run as (B: number, T: number) => void)(B, T);
    const out = gm.outputs[0]!;
    const want = runGraph(g, inputs)[0]!;
    const got = new Float32Array(mem.buffer, evalPoly(out.offset, B, T), want.data.length);
    const n = inputs[0]!.data.length;
    // f32 sums of n terms of magnitude ≤ 1, in any order: off by ≤ n·2^-24·n
    const tol = 1e-6 + n * n * 6e-8;
    let worst = 0;
    for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want.data[i]!));
    t.ok(worst <= tol, `${label} T=${T} B=${B}: ${want.data.length} values, max |Δ| ${worst.toExponential(1)} (≤ ${tol.toExponential(1)})`);
  }
}

const RC: [number, number][] = [[0, 1], [1, 1], [1, 3], [2, 5], [7, 3]];

t.test("sum_to over leading axes", async (t) => {
  for (const W of [1, 3, 4, 5, 7, 8, 16, 17, 1027]) {
    const b = new Builder();
    b.input("g", { dtype: "f32", shape: ["T", "B", W] });
    b.input("like", { dtype: "f32", shape: [W] });
    b.graph.outputs = [b.op("sum_to", ["g", "like"])];
    await check(t, b.graph, RC, `[T, B, ${W}] → [${W}]`);
  }
  // leading 1s in the target, and a [B, 2, 3] → [2, 3] tail of two axes
  const b = new Builder();
  b.input("g", { dtype: "f32", shape: ["T", "B", 2, 6] });
  b.input("like", { dtype: "f32", shape: [1, 2, 6] });
  b.graph.outputs = [b.op("sum_to", ["g", "like"])];
  await check(t, b.graph, RC, "[T, B, 2, 6] → [1, 2, 6]");
});

t.test("sum and mean of every element", async (t) => {
  for (const op of ["sum", "mean"]) {
    for (const W of [1, 3, 4, 7, 8, 9, 15, 16, 33]) {
      const b = new Builder();
      b.input("x", { dtype: "f32", shape: ["T", "B", W] });
      b.graph.outputs = [b.op(op, ["x"])];
      await check(t, b.graph, RC, `${op} [T, B, ${W}]`);
    }
  }
});
