import { add, cell, eq, input, matmul, mul, param, sigmoid, state, tanh } from "rnnc/dsl";
import type { Init } from "rnnc/dsl";

export default cell("lstm", { I: 4, H: 8 }, ({ I, H }) => {
  const x = input("x", [I]);
  const h = state("h", [H]);
  const s = state("s", [H]);

  // gate n: f(Wnx @ x + Wnh @ h + bn), with its own three parameters
  const gate = (n: string, f: typeof sigmoid, bias: Init = "zeros") =>
    eq(n, f(add(
      matmul(param(`W${n}x`, [H, I], { init: "glorot_uniform" }), x),
      matmul(param(`W${n}h`, [H, H], { init: "orthogonal" }), h),
      param(`b${n}`, [H], { init: bias }),
    )));

  const g = gate("g", tanh);
  const i = gate("i", sigmoid);
  const f = gate("f", sigmoid, "ones");
  const o = gate("o", sigmoid);
  const s2 = eq("s'", add(mul(g, i), mul(s, f)));
  const h2 = eq("h'", mul(tanh(s2), o));
  return { next: { h: h2, s: s2 }, outputs: { h: h2 } };
}, { doc: "LSTM with forget gate (Gers et al. 2000), in the g, i, f, o, s, h form." });
