import { RnncError } from "../diagnostics.ts";
import { tensor } from "../interp/tensor.ts";
import { numel } from "../ir/types.ts";
import { registerOp } from "./registry.ts";
import { f32, requireF32 } from "./shape-rules.ts";

/**
 * matmul(A, x): a matrix times a per-example vector, y[..., m] = Σ_k A[m, k] x[..., k].
 * A is an unbatched matrix [M, K] (a weight); x has any leading dims (B, or T and B).
 * With `transpose_a`, A is used as Aᵀ: y[..., k] = Σ_m A[m, k] x[..., m].
 */
registerOp({
  name: "matmul",
  arity: 2,
  attrs: { transpose_a: "bool" },
  shape(ins, attrs, d) {
    requireF32("matmul", ins, d);
    const [a, x] = ins as [typeof ins[0], typeof ins[0]];
    if (a!.shape.length !== 2 || a!.shape.some((s) => typeof s !== "number")) {
      throw new RnncError(`matmul of ${d(0)} with ${d(1)}: the left operand must be a weight matrix [rows, cols]`);
    }
    if (x!.shape.length < 1) throw new RnncError(`matmul of ${d(0)} with ${d(1)}: the right operand must be a vector`);
    const [m, k] = attrs.transpose_a ? [a!.shape[1]!, a!.shape[0]!] : [a!.shape[0]!, a!.shape[1]!];
    const last = x!.shape[x!.shape.length - 1]!;
    if (last !== k) {
      throw new RnncError(`matmul of ${d(0)} with ${d(1)}: the matrix has ${k} columns but the vector has ${last} elements`);
    }
    return [f32([...x!.shape.slice(0, -1), m])];
  },
  interp([a, x], attrs) {
    const t = attrs.transpose_a === true;
    const [r, c] = a!.shape as [number, number];
    const [m, k] = t ? [c, r] : [r, c];
    const rows = numel(x!.shape) / k;
    const out = tensor([...x!.shape.slice(0, -1), m]);
    for (let n = 0; n < rows; n++) {
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += (t ? a!.data[j * c + i]! : a!.data[i * c + j]!) * x!.data[n * k + j]!;
        out.data[n * m + i] = s;
      }
    }
    return [out];
  },
  vjp(b, n, [g]) {
    const [a, x] = n.inputs as [string, string];
    const t = n.attrs.transpose_a === true;
    const ga = t ? b.op("outer", [x, g!]) : b.op("outer", [g!, x]);
    const gx = b.op("matmul", [a, g!], { transpose_a: !t });
    return [ga, gx];
  },
});

/** outer(u, v): Σ over leading positions of u[..., m] ⊗ v[..., k] → [M, K]; the weight gradient of matmul. */
registerOp({
  name: "outer",
  arity: 2,
  shape(ins, _a, d) {
    requireF32("outer", ins, d);
    const [u, v] = ins as [typeof ins[0], typeof ins[0]];
    const lu = u!.shape.slice(0, -1), lv = v!.shape.slice(0, -1);
    if (u!.shape.length < 1 || v!.shape.length < 1 || lu.length !== lv.length || lu.some((s, i) => s !== lv[i])) {
      throw new RnncError(`outer of ${d(0)} with ${d(1)}: leading dims must agree`);
    }
    return [f32([u!.shape[u!.shape.length - 1]!, v!.shape[v!.shape.length - 1]!])];
  },
  interp([u, v]) {
    const m = u!.shape[u!.shape.length - 1]!, k = v!.shape[v!.shape.length - 1]!;
    const rows = m === 0 ? 0 : u!.data.length / m;
    const out = tensor([m, k]);
    for (let n = 0; n < rows; n++)
      for (let i = 0; i < m; i++) {
        const ui = u!.data[n * m + i]!;
        for (let j = 0; j < k; j++) out.data[i * k + j]! += ui * v!.data[n * k + j]!;
      }
    return [out];
  },
  vjp(b, n, [g]) {
    const [u, v] = n.inputs as [string, string];
    return [b.op("matmul", [g!, v]), b.op("matmul", [g!, u], { transpose_a: true })];
  },
});
