import { add, cell, eq, input, matmul, mul, param, sigmoid, state, sub, tanh } from "rnnc/dsl";

export default cell("gru", { I: 4, H: 8 }, ({ I, H }) => {
  const x = input("x", [I]);
  const h = state("h", [H]);

  // PyTorch's parameters of gate g: input and hidden weights, each with its own bias
  const weights = (g: string) => ({
    Wi: param(`W_i${g}`, [H, I], { init: "glorot_uniform" }),
    Wh: param(`W_h${g}`, [H, H], { init: "orthogonal" }),
    bi: param(`b_i${g}`, [H], { init: "zeros" }),
    bh: param(`b_h${g}`, [H], { init: "zeros" }),
  });
  const R = weights("r"), Z = weights("z"), N = weights("n");

  const r = eq("r", sigmoid(add(matmul(R.Wi, x), R.bi, matmul(R.Wh, h), R.bh)));
  const z = eq("z", sigmoid(add(matmul(Z.Wi, x), Z.bi, matmul(Z.Wh, h), Z.bh)));
  const n = eq("n", tanh(add(matmul(N.Wi, x), N.bi, mul(r, add(matmul(N.Wh, h), N.bh)))));
  const h2 = eq("h'", add(mul(sub(1, z), n), mul(z, h)));
  return { next: { h: h2 }, outputs: { h: h2 } };
}, { doc: "GRU (Cho et al. 2014) in PyTorch's formulation and parameter names." });
