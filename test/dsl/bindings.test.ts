/**
 * Typed bindings (`rnnc compile --emit-ts`) for a model: dotted names, i32 inputs with a range,
 * a loss, a state the model computes itself; and their declarations (model.d.ts).
 */
import t from "tap";
import { bindingsDeclarations, bindingsSource, typeName } from "../../compiler/dsl/bindings.ts";
import type { ManifestLike } from "../../compiler/dsl/bindings.ts";

const MANIFEST: ManifestLike = {
  name: "char-lstm", kind: "model", sizes: { V: 65, H: 8 }, graphHash: "ab".repeat(32),
  params: { E: { dtype: "f32", shape: [65, 8], init: "normal" }, "enc.Wgx": { dtype: "f32", shape: [8, 8] } },
  inputs: { tokens: { dtype: "i32", shape: ["T", "B"], range: [0, 65] }, h0: { dtype: "f32", shape: ["B", 8] } },
  states: { "enc.h": { dtype: "f32", shape: ["B", 8], init: null }, "dec.h": { dtype: "f32", shape: ["B", 8], init: { offset: [0, 0, 0, 0] } } },
  outputs: { logits: { dtype: "f32", shape: ["T", "B", 65] } },
  loss: { dtype: "f32", shape: [] },
  grads: { E: { dtype: "f32", shape: [65, 8] } },
  entries: { forward: {}, backward: {} },
};

t.test("a model's bindings", async (t) => {
  const src = bindingsSource(MANIFEST, { source: "model.json", declared: { E: ["V", "H"], tokens: [] } });
  for (const s of [
    `// Typed bindings for the compiled model "char-lstm", from model.json.`,
    `export const sizes = { V: 65, H: 8 } as const;`,
    `export interface CharLstmParams {\n  /** f32 [V=65, H=8], init "normal" */\n  E: Float32Array;\n  /** f32 [8, 8] */\n  "enc.Wgx": Float32Array;\n}`,
    `  /** i32 [T, B], values in [0, 65) */\n  tokens: TensorInput;`,
    `  /** f32 [B, 8] (computed by the model: cannot be set) */\n  "enc.h": Float32Array;`,
    `export type CharLstmSettableStateName = "dec.h";`,
    `  /** The loss. */\n  loss: number;`,
    `  backwardFromLoss(inputs: CharLstmInputs, opts: CharLstmRunOptions = {}): CharLstmBackwardResult {`,
  ]) t.ok(src.includes(s), s.split("\n")[0]!);
  t.notOk(src.includes("step("), "no step entry, no step method");
  const dts = bindingsDeclarations(src);
  t.ok(dts.startsWith("// Typed bindings for the compiled model"), "the header comment");
  t.ok(dts.includes("export declare class CharLstmModel {"), "the class");
  t.ok(dts.includes(`export declare const GRAPH_HASH = "${"ab".repeat(32)}";`), "the graph hash");
  t.ok(dts.includes("    forward(inputs: CharLstmInputs, opts?: CharLstmRunOptions): CharLstmResult;"), "typed methods");
  t.notOk(/\{\s*\n\s*return/.test(dts), "no bodies");
});

t.test("type names", async (t) => {
  t.equal(typeName("lstm-noforget"), "LstmNoforget");
  t.equal(typeName("char.rnn_v2"), "CharRnnV2");
  t.equal(typeName("2layer"), "M2layer");
});
