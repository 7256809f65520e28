// The gradient-flow probe: ∂L/∂h_t through a zero probe added to the state, checked against
// finite differences and between the WebAssembly probe and the interpreter.
import t from "tap";
import { join } from "node:path";
import { loadProgram } from "../../compiler/frontend/program.ts";
import { withStateProbes, GradientFlowProbe, gradientHeatmap } from "../../compiler/train/gradflow.ts";
import { gradCheck, rng } from "../../compiler/autodiff/gradcheck.ts";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { runGraph } from "../../compiler/interp/interpreter.ts";
import { tensor } from "../../compiler/interp/tensor.ts";
import type { Tensor } from "../../compiler/interp/tensor.ts";

const root = new URL("../..", import.meta.url).pathname;
const B = 2, T = 6;

function inputsFor(g: import("../../compiler/ir/types.ts").Graph, seed: number, ints: Record<string, number> = {}): Tensor[] {
  const r = rng(seed);
  return g.inputs.map((n) => {
    const ty = g.types.get(n)!;
    const shape = ty.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
    const len = shape.reduce((a, b) => a * b, 1);
    if (ty.dtype === "i32") return tensor(shape, Array.from({ length: len }, () => Math.floor(r() * (ints[n] ?? 2))), "i32");
    return tensor(shape, Array.from({ length: len }, () => (n.startsWith("probe.") ? 0 : r() - 0.5)));
  });
}

t.test("the probe graph computes ∂L/∂h_t: finite differences agree", async (t) => {
  for (const cell of ["elman", "lstm"]) {
    const p = loadProgram(join(root, `examples/cells/${cell}.json`), { I: 3, H: 4 });
    const { graph, probes } = withStateProbes(p.graph);
    t.equal(probes.length, p.states.length, `${cell}: one probe per state`);
    const ins = inputsFor(graph, 3);
    const res = gradCheck(graph, ins, probes.map((x) => x.input));
    t.ok(res.maxRelError < 1e-6, `${cell}: probe gradients match finite differences (${res.maxRelError.toExponential(2)})`);
    // the probe does not change the forward pass
    const plain = runGraph(p.graph, ins.slice(0, p.graph.inputs.length));
    const probed = runGraph(graph, ins);
    t.same(probed.map((x) => Array.from(x.data)), plain.map((x) => Array.from(x.data)), `${cell}: zero probes leave the outputs unchanged`);
  }
});

t.test("the last step's ∂L/∂h equals the cotangent of its output (Elman, y = h)", async (t) => {
  const p = loadProgram(join(root, "examples/cells/elman.json"), { I: 3, H: 4 });
  const { graph, probes } = withStateProbes(p.graph);
  const v = vjpGraph(graph, probes.map((x) => x.input));
  const ins = inputsFor(graph, 5);
  const ctY = tensor([T, B, 4], Array.from({ length: T * B * 4 }, (_, i) => Math.sin(i)));
  const ctFinal = tensor([B, 4]);
  const out = runGraph(v.graph, [...ins, ctY, ctFinal]);
  const g = out[out.length - 1]!;
  const last = Array.from(g.data.subarray((T - 1) * B * 4));
  const want = Array.from(ctY.data.subarray((T - 1) * B * 4));
  t.ok(last.every((x, i) => Math.abs(x - want[i]!) < 1e-12), "∂L/∂h_{T-1} = ∂L/∂y_{T-1}");
});

t.test("the compiled probe agrees with the interpreter on a model with a loss", async (t) => {
  const p = loadProgram(join(root, "examples/char-rnn/model.json"), { V: 5, E: 3, H: 4 });
  const probe = await GradientFlowProbe.compile(p);
  t.same(probe.names, ["rnn.h", "rnn.s"], "probes are named scan.state");
  const ins = inputsFor(p.graph, 7, { tokens: 5, targets: 5 });
  const values = new Map(p.graph.inputs.map((n, i) => [n, ins[i]!]));
  const norms = probe.run(values, B, T);
  // reference: the interpreter on the same probe VJP
  const { graph, probes } = withStateProbes(p.graph);
  const v = vjpGraph(graph, probes.map((x) => x.input));
  const zeros = probes.map((x) => tensor([T, B, 4]));
  const cts = p.graph.outputs.map((o) => {
    const ty = p.graph.types.get(o)!;
    const shape = ty.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
    const c = tensor(shape);
    if (o === p.loss) c.data[0] = 1;
    return c;
  }).filter((_, i) => p.graph.types.get(p.graph.outputs[i]!)!.dtype === "f32");
  const out = runGraph(v.graph, [...ins, ...zeros, ...cts]);
  const grads = out.slice(out.length - probes.length);
  grads.forEach((gr, k) => {
    const per = gr.data.length / T;
    const ref = Array.from({ length: T }, (_, s) => Math.sqrt(Array.from(gr.data.subarray(s * per, (s + 1) * per)).reduce((a, x) => a + x * x, 0)));
    const ok = ref.every((x, s) => Math.abs(x - norms[k]![s]!) <= 1e-4 * (x + 1e-6));
    t.ok(ok, `${probe.names[k]}: ‖∂L/∂h_t‖ per step matches (${ref.map((x) => x.toExponential(2)).join(" ")})`);
  });
  const svg = gradientHeatmap("test", [{ step: 1, norms: norms[0]! }, { step: 2, norms: norms[1]! }]);
  t.match(svg, /^<svg[\s\S]*<rect[\s\S]*<\/svg>\n$/, "the heatmap is an SVG with cells");
  t.equal((svg.match(/<rect x="\d+" y="\d+" width/g) ?? []).length, 2 * T + 2, "one cell per time step and row (plus the legend)");
});
