/**
 * A generator of random cells (not a test file itself): bodies built from matmuls (with shared
 * and reused weights, plain and transposed), biases, elementwise ops, slices and concatenations
 * over random carries and per-step inputs, as scans in random modes.
 */
import { rng } from "../../compiler/autodiff/gradcheck.ts";
import { Builder, emptyGraph } from "../../compiler/ir/builder.ts";
import type { Graph } from "../../compiler/ir/types.ts";
import type { Mode } from "./_harness.ts";

export interface Random { graph: Graph; mode: Mode; text: string }

export function randomCell(seed: number): Random {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const H = pick([2, 3]);
  const body = new Builder(emptyGraph());
  const consts: { name: string; shape: number[] }[] = [];
  const constOf = (shape: number[]) => {
    const same = consts.filter((c) => c.shape.join() === shape.join());
    if (same.length && r() < 0.4) return pick(same).name; // a weight used twice
    const name = `W${consts.length}`;
    consts.push({ name, shape });
    return name;
  };
  const nK = pick([1, 2]), nX = pick([1, 2]);
  const carries = Array.from({ length: nK }, (_, k) => `c${k}`);
  const xs = Array.from({ length: nX }, (_, k) => ({ name: `x${k}`, width: pick([2, 3, 4]) }));
  // body inputs must come in order consts, carries, xs: collect ops first, declare inputs at the end
  type Op = { op: string; inputs: string[]; attrs: Record<string, number | boolean>; out: string; width: number };
  const ops: Op[] = [];
  const vals: { name: string; width: number }[] = [...carries.map((name) => ({ name, width: H })), ...xs];
  let n = 0;
  const add = (op: string, inputs: string[], width: number, attrs: Record<string, number | boolean> = {}) => {
    const out = `%v${n++}`;
    ops.push({ op, inputs, attrs, out, width });
    vals.push({ name: out, width });
    return out;
  };
  const steps = 4 + Math.floor(r() * 8);
  for (let i = 0; i < steps; i++) {
    const a = pick(vals);
    switch (pick(["matmul", "matmul", "matmulT", "bias", "binary", "unary", "slice", "concat"])) {
      case "matmul": { const o = pick([2, 3, 4]); add("matmul", [constOf([o, a.width]), a.name], o); break; }
      case "matmulT": { const o = pick([2, 3]); add("matmul", [constOf([a.width, o]), a.name], o, { transpose_a: true }); break; }
      case "bias": add("add", [a.name, constOf([a.width])], a.width); break;
      case "binary": {
        const b = pick(vals.filter((v) => v.width === a.width));
        add(pick(["add", "sub", "mul"]), [a.name, b.name], a.width);
        break;
      }
      case "unary": add(pick(["tanh", "sigmoid", "neg"]), [a.name], a.width); break;
      case "slice":
        if (a.width >= 2) { const size = 1 + Math.floor(r() * (a.width - 1)); add("slice", [a.name], size, { axis: -1, start: a.width - size, size }); }
        break;
      case "concat": { const b = pick(vals); if (a.width + b.width <= 6) add("concat", [a.name, b.name], a.width + b.width, { axis: -1 }); break; }
    }
  }
  // next carries: tanh(W v + U c) keeps every carry in the recurrence and bounded
  const nexts = carries.map((c) => {
    const v = pick(vals);
    return add("tanh", [add("add", [add("matmul", [constOf([H, v.width]), v.name], H), add("matmul", [constOf([H, H]), c], H)], H)], H);
  });
  const ys = [pick(vals.filter((v) => !carries.includes(v.name))), pick(vals)].map((v) => v.name);

  for (const c of consts) body.input(c.name, { dtype: "f32", shape: c.shape });
  for (const c of carries) body.input(c, { dtype: "f32", shape: ["B", H] });
  for (const x of xs) body.input(x.name, { dtype: "f32", shape: ["B", x.width] });
  for (const o of ops) body.emit(o.op, o.inputs, o.attrs, [o.out]);
  body.graph.outputs = [...nexts, ...ys];

  const mode: Mode = {};
  if (r() < 0.4) mode.lengths = [5, 1 + Math.floor(r() * 5), Math.floor(r() * 6)];
  if (r() < 0.4) mode.reverse = true;
  if (r() < 0.3) mode.truncate = 2;
  const g = new Builder(emptyGraph());
  const cIn = consts.map((c) => g.input(c.name, { dtype: "f32", shape: c.shape }));
  const xIn = xs.map((x) => g.input(`${x.name}s`, { dtype: "f32", shape: ["T", "B", x.width] }));
  const kIn = carries.map((c) => g.input(`${c}0`, { dtype: "f32", shape: ["B", H] }));
  const len = mode.lengths ? [g.input("lengths", { dtype: "i32", shape: ["B"] })] : [];
  const outs = g.ops("scan", [...cIn, ...kIn, ...xIn, ...len], {
    body: body.graph, n_consts: cIn.length, n_carry: nK, n_xs: nX, reverse: mode.reverse ?? false, has_lengths: len.length > 0,
    ...(mode.truncate ? { truncate: mode.truncate } : {}),
  });
  g.graph.outputs = outs;
  return { graph: g.graph, mode, text: `seed ${seed} ${JSON.stringify(mode)}: ${ops.length} ops, ${consts.length} weights` };
}

