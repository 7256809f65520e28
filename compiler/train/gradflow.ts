/**
 * The vanishing/exploding gradient problem made visible: ‖∂L/∂h_t‖ for every time step t.
 *
 * The probe graph adds a zero "probe" sequence to each carried state: h_t ← h_t + p_t inside
 * every scan. Then ∂L/∂p_t = ∂L/∂h_t, the total gradient reaching the state at step t (from the
 * loss at t and from every later step) — read off an ordinary VJP, with no change to autodiff.
 */
import { vjpGraph } from "../autodiff/vjp.ts";
import type { Program } from "../frontend/program.ts";
import type { Graph, Node } from "../ir/types.ts";
import { scanAttrs } from "../ops/scan.ts";
import { compileGraph } from "../lower/compile.ts";
import type { GraphModule } from "../lower/compile.ts";
import { runInstance } from "../lower/backend.ts";
import { tensor } from "../interp/tensor.ts";
import type { Tensor } from "../interp/tensor.ts";

export interface Probe { scan: string; state: string; input: string }

/** The program's graph with a zero probe sequence added to every carried state of every top-level scan. */
export function withStateProbes(g: Graph): { graph: Graph; probes: Probe[] } {
  const types = new Map(g.types);
  const inputs = [...g.inputs];
  const probes: Probe[] = [];
  const nodes: Node[] = g.nodes.map((n) => {
    if (n.op !== "scan") return n;
    const a = scanAttrs(n.attrs);
    const body = a.body;
    const carryIns = body.inputs.slice(a.n_consts, a.n_consts + a.n_carry);
    const bTypes = new Map(body.types);
    const probeIns = carryIns.map((c) => {
      const name = `%probe.${c}`;
      bTypes.set(name, bTypes.get(c)!);
      return name;
    });
    // h_t ← h_t + p_t where the next state is produced, so every use of it (the next step and
    // this step's outputs alike) sees the probe
    const bNodes: Node[] = [];
    const subst = new Map<string, string>();
    const probeFor = new Map<string, string>();
    body.outputs.slice(0, a.n_carry).forEach((v, i) => { if (!probeFor.has(v)) probeFor.set(v, probeIns[i]!); });
    const addProbe = (v: string) => {
      const pr = probeFor.get(v);
      if (!pr || subst.has(v)) return;
      const sum = `%probed.${bNodes.length}.${v.replace(/^%/, "")}`;
      bNodes.push({ op: "add", inputs: [v, pr], outputs: [sum], attrs: {} });
      bTypes.set(sum, bTypes.get(v)!);
      subst.set(v, sum);
    };
    body.inputs.forEach(addProbe);
    for (const node of body.nodes) {
      bNodes.push({ ...node, inputs: node.inputs.map((x) => subst.get(x) ?? x) });
      node.outputs.forEach(addProbe);
    }
    const outs = body.outputs.map((v) => subst.get(v) ?? v);
    const newBody: Graph = {
      inputs: [...body.inputs, ...probeIns],
      outputs: outs,
      nodes: bNodes,
      types: bTypes,
    };
    const scanName = n.outputs[0]!.replace(/^%/, "").split(".")[0]!;
    const seqIns = carryIns.map((c) => {
      const name = `probe.${scanName}.${c}`;
      const t = bTypes.get(c)!;
      types.set(name, { dtype: "f32", shape: ["T", ...t.shape] });
      inputs.push(name);
      probes.push({ scan: scanName, state: c, input: name });
      return name;
    });
    const nIn = a.n_consts + a.n_carry + a.n_xs;
    return {
      ...n,
      inputs: [...n.inputs.slice(0, nIn), ...seqIns, ...n.inputs.slice(nIn)],
      attrs: { ...n.attrs, body: newBody, n_xs: a.n_xs + carryIns.length },
    };
  });
  return { graph: { inputs, outputs: [...g.outputs], nodes, types }, probes };
}

/** A compiled probe: call it with the training inputs to get ‖∂L/∂h_t‖ per step and state. */
export class GradientFlowProbe {
  private constructor(private readonly p: Program, private readonly g: Graph, private readonly probes: Probe[],
    private readonly gm: GraphModule, private readonly instance: WebAssembly.Instance, private readonly nGrads: number) {}

  static async compile(p: Program): Promise<GradientFlowProbe> {
    const { graph, probes } = withStateProbes(p.graph);
    const v = vjpGraph(graph, probes.map((x) => x.input));
    const gm = await compileGraph(v.graph);
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(gm.wasm as Uint8Array<ArrayBuffer>), {});
    return new GradientFlowProbe(p, v.graph, probes, gm, instance, probes.length);
  }

  get names(): string[] {
    return this.probes.map((x) => `${x.scan}.${x.state}`);
  }

  /**
   * Per probe, ‖∂L/∂h_t‖ (L2 norm over the batch and the state) for t = 0..T-1, with `values`
   * naming every graph input of the program (params, inputs, states). L is the loss, or — with
   * `cts` — whatever those output cotangents define (e.g. the loss at the last step only).
   */
  run(values: Map<string, Tensor>, B: number, T: number, cts?: { outputs?: Map<string, Tensor>; loss?: number }): number[][] {
    const fwdInputs = this.p.graph.inputs.length;
    const ins: Tensor[] = this.g.inputs.slice(0, fwdInputs).map((n) => values.get(n)!);
    for (const pr of this.probes) {
      const t = this.g.types.get(pr.input)!;
      ins.push(tensor(t.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[]));
    }
    // cotangents: 1 for the loss, zero elsewhere
    const outs = this.p.graph.outputs;
    outs.forEach((o, i) => {
      const t = this.p.graph.types.get(o)!;
      if (t.dtype !== "f32") return;
      const shape = t.shape.map((d) => (d === "B" ? B : d === "T" ? T : d)) as number[];
      const named = this.p.outputs.find((x) => x.value === o && i < this.p.outputs.length);
      const given = named ? cts?.outputs?.get(named.name) : undefined;
      const ct = given ?? tensor(shape);
      if (o === this.p.loss && i === outs.length - 1) ct.data[0] = cts?.loss ?? 1;
      ins.push(ct);
    });
    const res = runInstance(this.gm, this.instance, ins);
    const grads = res.slice(res.length - this.nGrads);
    return grads.map((gr) => {
      const per = gr.data.length / T;
      return Array.from({ length: T }, (_, t) => {
        let s = 0;
        for (let k = t * per; k < (t + 1) * per; k++) s += gr.data[k]! ** 2;
        return Math.sqrt(s);
      });
    });
  }
}

/** A heatmap (time step × training step) of log10 ‖∂L/∂h_t‖ as SVG. */
export function gradientHeatmap(title: string, rows: { step: number; norms: number[] }[]): string {
  const T = rows[0]?.norms.length ?? 1;
  const cw = Math.max(2, Math.min(24, Math.floor(640 / T))), ch = Math.max(2, Math.min(16, Math.floor(360 / Math.max(1, rows.length))));
  const L = 70, Tp = 40, W = L + cw * T + 120, H = Tp + ch * rows.length + 50;
  const logs = rows.flatMap((r) => r.norms.map((v) => Math.log10(Math.max(v, 1e-30))));
  const lo = Math.min(...logs, 0), hi = Math.max(...logs, lo + 1);
  const color = (v: number) => {
    const x = (Math.log10(Math.max(v, 1e-30)) - lo) / (hi - lo);
    const r = Math.round(255 * Math.min(1, 2 * x)), b = Math.round(255 * Math.min(1, 2 * (1 - x)));
    return `rgb(${r},${Math.round(80 + 100 * (1 - Math.abs(2 * x - 1)))},${b})`;
  };
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="20" font-size="14">${title.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</text>`];
  rows.forEach((r, i) => {
    r.norms.forEach((v, t) => out.push(`<rect x="${L + t * cw}" y="${Tp + i * ch}" width="${cw}" height="${ch}" fill="${color(v)}"/>`));
    if (i % Math.ceil(rows.length / 8) === 0) out.push(`<text x="${L - 4}" y="${Tp + i * ch + ch}" text-anchor="end">${r.step}</text>`);
  });
  out.push(`<text x="${L + (cw * T) / 2}" y="${H - 15}" text-anchor="middle">time step t (0 … ${T - 1}); rows: training step</text>`);
  out.push(`<text x="${L + cw * T + 10}" y="${Tp + 10}">log10 ‖∂L/∂h_t‖</text>`);
  out.push(`<rect x="${L + cw * T + 10}" y="${Tp + 16}" width="14" height="14" fill="${color(10 ** hi)}"/><text x="${L + cw * T + 30}" y="${Tp + 27}">${hi.toFixed(1)}</text>`);
  out.push(`<rect x="${L + cw * T + 10}" y="${Tp + 36}" width="14" height="14" fill="${color(10 ** lo)}"/><text x="${L + cw * T + 30}" y="${Tp + 47}">${lo.toFixed(1)}</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/**
 * Cotangent of `logits` [T, B, V] for the cross-entropy at the last time step only, averaged
 * over the batch: ∂L_{T-1}/∂logits. With it the probe shows how far back in time the last
 * step's error signal reaches — where Elman's vanishes and the LSTM's persists.
 */
export function lastStepCrossEntropyCotangent(logits: ArrayLike<number>, targets: ArrayLike<number>, T: number, B: number, V: number): Tensor {
  const ct = tensor([T, B, V]);
  for (let b = 0; b < B; b++) {
    const off = ((T - 1) * B + b) * V;
    let mx = -Infinity;
    for (let v = 0; v < V; v++) mx = Math.max(mx, logits[off + v]!);
    let z = 0;
    for (let v = 0; v < V; v++) z += Math.exp(logits[off + v]! - mx);
    for (let v = 0; v < V; v++) ct.data[off + v] = Math.exp(logits[off + v]! - mx) / z / B;
    ct.data[off + targets[(T - 1) * B + b]!]! -= 1 / B;
  }
  return ct;
}
