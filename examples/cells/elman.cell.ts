import { add, cell, eq, input, matmul, param, state, tanh } from "rnnc/dsl";

export default cell("elman", { I: 4, H: 8 }, ({ I, H }) => {
  const x = input("x", [I]);
  const h = state("h", [H]);
  const Whx = param("Whx", [H, I], { init: "glorot_uniform" });
  const Whh = param("Whh", [H, H], { init: "orthogonal" });
  const bh = param("bh", [H], { init: "zeros" });
  const h2 = eq("h'", tanh(add(matmul(Whx, x), matmul(Whh, h), bh)));
  return { next: { h: h2 }, outputs: { h: h2 } };
}, { doc: "Elman (1990): the hidden state is fed back. h' = tanh(Whx x + Whh h + bh)." });
