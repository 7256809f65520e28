/**
 * Snapshots of the WebAssembly text of a tiny cell (Elman, I=2, H=3) at -O3: forward and VJP, with
 * their memory plans. A change to the lowering shows up here as a reviewable diff.
 * Regenerate with `npx tap --snapshot test/lower/wat.test.ts` (writes tap-snapshots/).
 *
 * compileGraph returns only the binary: the text is binaryen's disassembly of it. Each text is
 * also assembled back and run against the interpreter, so the snapshot is a working module.
 */
import t from "tap";
import { fileURLToPath } from "node:url";
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { loadProgram } from "../../compiler/frontend/program.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import { loadBinaryen } from "../../compiler/lower/binaryen.ts";
import { compileGraph } from "../../compiler/lower/compile.ts";
import type { GraphModule } from "../../compiler/lower/compile.ts";
import { Case, concrete, randomLike } from "../ops/_helpers.ts";
import type { Tensor } from "../ops/_helpers.ts";
import { ErrorStats, expectClose, runPoisoned } from "./_wasm.ts";

/** The features compile.ts turns on (its `features` is not exported). */
async function features(): Promise<number> {
  const F = (await loadBinaryen()).Features;
  return F.MutableGlobals | F.NontrappingFPToInt | F.SIMD128 | F.BulkMemory | F.BulkMemoryOpt | F.SignExt;
}

async function watOf(gm: GraphModule): Promise<string> {
  const bn = await loadBinaryen();
  const mod = bn.readBinary(gm.wasm);
  try {
    mod.setFeatures(await features());
    if (!mod.validate()) throw new Error("the compiled module does not validate");
    return mod.emitText();
  } finally {
    mod.dispose();
  }
}

async function assemble(wat: string): Promise<Uint8Array> {
  const bn = await loadBinaryen();
  const mod = bn.parseText(wat);
  try {
    mod.setFeatures(await features());
    if (!mod.validate()) throw new Error("the text does not assemble to a valid module");
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}

const p = loadProgram(fileURLToPath(new URL("../../examples/cells/elman.json", import.meta.url)), { I: 2, H: 3 });
const vjp = vjpGraph(p.graph, p.graph.inputs).graph;

/** Same as the other WebAssembly tests of a whole cell: backend.test.ts DEEP_TOL. */
const stats = new ErrorStats("wat round trip", { rtol: 1e-4, atol: 1e-5 });

for (const [what, g] of [["forward", p.graph], ["VJP", vjp]] as [string, Graph][]) {
  t.test(`elman (I=2, H=3) ${what} at -O3`, async (t) => {
    const gm = await compileGraph(g, { optimize: 3 });
    const wat = await watOf(gm);
    t.match(wat, /\(export "run" \(func /, "exports run");
    t.match(wat, /\(export "memory" \(memory /, "exports its memory");
    t.matchSnapshot(wat, "module text");
    t.matchSnapshot({
      wasmBytes: gm.wasm.length,
      memoryBytes: gm.memoryBytes,
      inputs: gm.inputs.map((s, i) => ({ name: g.inputs[i], ...s })),
      outputs: gm.outputs.map((s, i) => ({ name: g.outputs[i], ...s })),
    }, "memory plan: offsets as [c, ·B, ·T, ·B·T] bytes");

    // the snapshot text is the module: assembled back, it computes what the interpreter does
    const rebuilt: GraphModule = { ...gm, wasm: await assemble(wat) };
    const dims = { B: 3, T: 5 };
    const c = new Case(dims, 3);
    let values: Tensor[] = g.inputs.slice(0, p.graph.inputs.length).map((n) => c.draw(concrete(g.types.get(n)!.shape, dims)));
    if (g === vjp) {
      const rand = rng(4);
      values = [...values, ...runGraph(p.graph, values).map((o) => randomLike(o, rand))];
    }
    const got = await runPoisoned(rebuilt, values);
    t.same(got.violations, [], "memory outside the outputs and scratch is untouched");
    expectClose(t, got.outs, runGraph(g, values), g.outputs.map((o) => `output ${o}`), stats);
  });
}
