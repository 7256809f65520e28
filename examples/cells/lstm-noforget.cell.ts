import { add, cell, eq, input, matmul, mul, param, sigmoid, state, tanh } from "rnnc/dsl";

export default cell("lstm-noforget", { I: 4, H: 8 }, ({ I, H }) => {
  const x = input("x", [I]);
  const h = state("h", [H]);
  const s = state("s", [H]);

  // gate n: f(Wnx @ x + Wnh @ h + bn), with its own three parameters
  const gate = (n: string, f: typeof sigmoid) =>
    eq(n, f(add(
      matmul(param(`W${n}x`, [H, I], { init: "glorot_uniform" }), x),
      matmul(param(`W${n}h`, [H, H], { init: "orthogonal" }), h),
      param(`b${n}`, [H], { init: "zeros" }),
    )));

  const [g, i, o] = [gate("g", tanh), gate("i", sigmoid), gate("o", sigmoid)];
  const s2 = eq("s'", add(mul(g, i), s));
  const h2 = eq("h'", mul(tanh(s2), o));
  return { next: { h: h2, s: s2 }, outputs: { h: h2 } };
}, { doc: "The original LSTM (Hochreiter & Schmidhuber 1997) without a forget gate: the cell state only accumulates." });
