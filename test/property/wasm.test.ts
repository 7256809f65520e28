/**
 * The WebAssembly backend equals the interpreter on random cells and models, forward and
 * gradients: batches of up to 8 programs are compiled as one graph (its VJP: forward outputs and
 * every gradient) into one module at -O1 — binaryen's compile time dominates — and run on poisoned
 * memory (test/lower/_wasm.ts), which also checks that nothing outside the planned regions is written.
 */
import t from "tap";
import { runProperty } from "./_run.ts";

t.test("wasm", (t) => runProperty(t, "wasm"));
