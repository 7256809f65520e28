/**
 * Interpreter gradients equal finite differences on random cells and models: BPTT (the VJP
 * graph of every scan, ragged lengths, reverse, a given initial state, readouts and losses) held to
 * central differences in f64 (compiler/autodiff/gradcheck.ts), w.r.t. every parameter, input and
 * initial state.
 */
import t from "tap";
import { runProperty } from "./_run.ts";

t.test("gradients", (t) => runProperty(t, "gradients"));
