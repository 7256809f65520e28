import { RnncError } from "./diagnostics.ts";
import { vjpGraph } from "./autodiff/vjp.ts";
import type { Program } from "./frontend/program.ts";
import { runGraph } from "./interp/interpreter.ts";
import { tensor } from "./interp/tensor.ts";
import type { Tensor } from "./interp/tensor.ts";
import type { Graph } from "./ir/types.ts";
import { formatShape } from "./ir/types.ts";
import { idRanges } from "./ir/id-ranges.ts";

/** Runs a graph on concrete tensors: the interpreter, or a compiled WebAssembly module. */
export interface Backend {
  name: string;
  run(g: Graph, inputs: Tensor[]): Tensor[] | Promise<Tensor[]>;
}

export const interpreterBackend: Backend = { name: "interp", run: runGraph };

export interface Cotangents {
  outputs: Map<string, Tensor>;
  final: Map<string, Tensor>;
  loss?: number;
  /** The file they were read from, for error messages (default: opts.file). */
  file?: string;
}

export interface EvalResult {
  outputs: Record<string, Tensor>;
  final: Record<string, Tensor>;
  loss?: number;
  grads?: Record<string, Tensor>;
}

/**
 * Binds named tensors to a program's graph inputs: parameters and inputs are required, initial
 * states default to zeros. Every name and shape is checked; errors say which and what was expected.
 */
export function bindInputs(p: Program, given: Map<string, Tensor>, file: string): Tensor[] {
  const g = p.graph;
  const known = new Set(g.inputs);
  for (const name of given.keys()) {
    if (!known.has(name)) {
      throw new RnncError(`${file}: unknown tensor "${name}" (${p.name} takes: ${g.inputs.join(", ")})`);
    }
  }
  const dims: { B?: number; T?: number } = {};
  const optional = new Set(p.states.flatMap((s) => (s.input ? [s.input] : [])));
  const ranges = idRanges(g); // ids out of range: refused here, not mid-run (a wasm module traps)
  // bind B and T from the tensors that are given, then build zeros for absent states
  for (const name of g.inputs) {
    const t = given.get(name);
    const want = g.types.get(name)!;
    if (!t) {
      if (optional.has(name)) continue;
      throw new RnncError(`${file}: missing tensor "${name}" (${want.dtype} ${formatShape(want.shape)})`);
    }
    const bad = () => {
      const bound = Object.entries(dims).map(([k, v]) => `${k}=${v}`).join(", ");
      return new RnncError(`${file}: ${name}: expected shape ${formatShape(want.shape)}${bound ? ` with ${bound}` : ""}, got ${formatShape(t.shape)}`);
    };
    if (t.shape.length !== want.shape.length) throw bad();
    want.shape.forEach((d, k) => {
      const n = t.shape[k]!;
      if (typeof d === "number") { if (d !== n) throw bad(); }
      else if (dims[d] === undefined) dims[d] = n;
      else if (dims[d] !== n) throw bad();
    });
    if (want.dtype === "i32" && t.data.some((x) => !Number.isInteger(x))) throw new RnncError(`${file}: ${name}: expected integers (i32)`);
    const range = ranges.get(name);
    const out = range ? t.data.findIndex((x) => x < range[0] || x >= range[1]) : -1;
    if (range && out >= 0) throw new RnncError(`${file}: ${name}: value ${t.data[out]} at index ${out} is outside its range [${range[0]}, ${range[1]})`);
  }
  return g.inputs.map((name) => {
    const t = given.get(name);
    if (t) return { ...t, dtype: g.types.get(name)!.dtype };
    const want = g.types.get(name)!;
    const shape = want.shape.map((d) => {
      if (typeof d === "number") return d;
      const v = dims[d];
      if (v === undefined) throw new RnncError(`${file}: cannot tell the batch size for the zero initial state "${name}": give it, or a batched input`);
      return v;
    });
    return tensor(shape);
  });
}

/** Forward pass, and gradients when cotangents are given or the program has a loss. */
export async function evaluate(
  p: Program,
  given: Map<string, Tensor>,
  opts: { file: string; cotangents?: Cotangents; backend?: Backend },
): Promise<EvalResult> {
  const backend = opts.backend ?? interpreterBackend;
  const inputs = bindInputs(p, given, opts.file);
  const g = p.graph;
  const wantGrads = opts.cotangents !== undefined || p.loss !== null;
  const result: EvalResult = { outputs: {}, final: {} };
  const collect = (outs: Tensor[]) => {
    p.outputs.forEach((o, i) => (result.outputs[o.name] = outs[i]!));
    p.states.forEach((s, i) => (result.final[s.name] = outs[p.outputs.length + i]!));
    if (p.loss) result.loss = outs[p.outputs.length + p.states.length]!.data[0]!;
  };
  if (!wantGrads) {
    collect(await backend.run(g, inputs));
    return result;
  }
  const wrt = g.inputs.filter((n) => g.types.get(n)!.dtype === "f32");
  const v = vjpGraph(g, wrt);
  const cts: Cotangents = opts.cotangents ?? { outputs: new Map(), final: new Map(), loss: 1 };
  const ctInputs: Tensor[] = [];
  const fwd = await backend.run(g, inputs); // shapes of the outputs, for zero cotangents
  const ctFile = cts.file ?? opts.file;
  const checkCt = (section: string, name: string, t: Tensor, like: Tensor) => {
    if (t.shape.length !== like.shape.length || t.shape.some((d, i) => d !== like.shape[i])) {
      throw new RnncError(`${ctFile}: ${section}.${name}: expected shape ${formatShape(like.shape)}, got ${formatShape(t.shape)}`);
    }
    return t;
  };
  for (const [name] of cts.outputs) if (!p.outputs.some((o) => o.name === name)) throw new RnncError(`${ctFile}: outputs.${name}: ${p.name} has no output "${name}" (outputs: ${p.outputs.map((o) => o.name).join(", ") || "none"})`);
  for (const [name] of cts.final) if (!p.states.some((s) => s.name === name)) throw new RnncError(`${ctFile}: final.${name}: ${p.name} has no state "${name}" (states: ${p.states.map((s) => s.name).join(", ") || "none"})`);
  g.outputs.forEach((_, i) => {
    if (v.cotangents[i] === null) return;
    const like = fwd[i]!;
    let ct: Tensor | undefined;
    if (i < p.outputs.length) {
      const t = cts.outputs.get(p.outputs[i]!.name);
      ct = t && checkCt("outputs", p.outputs[i]!.name, t, like);
    } else if (i < p.outputs.length + p.states.length) {
      const s = p.states[i - p.outputs.length]!;
      const t = cts.final.get(s.name);
      ct = t && checkCt("final", s.name, t, like);
    } else if (cts.loss !== undefined) ct = tensor([], [cts.loss]);
    ctInputs.push(ct ?? tensor(like.shape));
  });
  const outs = await backend.run(v.graph, [...inputs, ...ctInputs]);
  collect(outs);
  result.grads = {};
  wrt.forEach((name, i) => (result.grads![name] = outs[g.outputs.length + i]!));
  return result;
}
