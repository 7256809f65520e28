/**
 * Binaryen's IR must stay a tree: a node used twice passes validation and -O0, then the optimizer
 * miscompiles it or aborts the process. Every compile checks this; these tests pin the check and
 * the shapes that once broke it.
 */
import t from "tap";
import { join } from "node:path";
import { findSharedExpression, loadBinaryen } from "../../compiler/lower/binaryen.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { loadProgram } from "../../compiler/frontend/program.ts";

const root = join(import.meta.dirname, "../..");

t.test("a node used twice is found and named", async (t) => {
  const bn = await loadBinaryen();
  const m = new bn.Module();
  const shared = m.i32.const(7);
  m.addFunction("twice", bn.none, bn.i32, [], m.i32.add(shared, shared));
  const fresh = m.i32.add(m.i32.const(7), m.i32.const(7));
  m.addFunction("tree", bn.none, bn.i32, [], fresh);
  const found = findSharedExpression(bn, m);
  t.match(found, /^twice: expression \(i32\.const 7\)/, "the function and the node are named");
  m.removeFunction("twice");
  t.equal(findSharedExpression(bn, m), null, "a tree passes");
  m.dispose();
});

// char-rnn at V=7, E=4, H=8 reached both GEMM passes with one reduction-length expression
// (an abort in binaryen's optimizer before the fix); the others cover the neighbouring tails.
for (const sizes of [{ V: 7, E: 4, H: 8 }, { V: 7, E: 4, H: 6 }, { V: 14, E: 4, H: 8 }, { V: 9, E: 5, H: 13 }]) {
  t.test(`char-rnn ${JSON.stringify(sizes)} compiles at -O3`, async (t) => {
    const r = await compileProgram(loadProgram(join(root, "examples/char-rnn/model.json"), sizes), { optimize: 3 });
    t.ok(WebAssembly.validate(r.wasm as Uint8Array<ArrayBuffer>), "the module validates in V8");
  });
}
