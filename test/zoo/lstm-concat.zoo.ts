// LSTM in the concatenated W·[h, x] form (examples/zoo/lstm-concat), many-to-one over sequences of
// different lengths: it classifies waveforms; and it is the same function as the split form.
import t from "tap";
import { run } from "../../examples/zoo/lstm-concat/task.ts";

t.test("lstm-concat: waveform classification from the state at each sequence's own end", async (t) => {
  const r = await run({ steps: 300, H: 16 });
  t.ok(r.before < 0.4, `untrained: ${r.before.toFixed(3)}, about chance (0.25)`);
  t.ok(r.accuracy > 0.6, `held-out accuracy ${r.accuracy.toFixed(3)} > 0.6 (chance and majority baseline 0.25)`);
});

t.test("lstm-concat computes what the split LSTM (examples/cells/lstm.json) does with the same weights", async (t) => {
  const { buildModel } = await import("../../compiler/train/fit.ts");
  const { Rng } = await import("../../runtime/random.ts");
  const { cellFile } = await import("../../examples/zoo/lstm-concat/task.ts");
  const I = 3, H = 4, T = 6, B = 2;
  const cat = await buildModel(cellFile, { sizes: { I, H, Z: H + I }, seed: 2 });
  const split = await buildModel(new URL("../../examples/cells/lstm.json", import.meta.url).pathname, { sizes: { I, H }, seed: 3 });
  // W·[h, x] = W[:, :H]·h + W[:, H:]·x
  const gates: [string, string][] = [["f", "f"], ["i", "i"], ["c", "g"], ["o", "o"]];
  for (const [c, s] of gates) {
    const W = cat.param(`W${c}`), Wh = new Float32Array(H * H), Wx = new Float32Array(H * I);
    for (let r = 0; r < H; r++) {
      for (let k = 0; k < H; k++) Wh[r * H + k] = W[r * (H + I) + k]!;
      for (let k = 0; k < I; k++) Wx[r * I + k] = W[r * (H + I) + H + k]!;
    }
    split.setParam(`W${s}h`, Wh);
    split.setParam(`W${s}x`, Wx);
    const bias = cat.param(`b${c}`).map((_, j) => 0.1 * (j + 1));
    cat.setParam(`b${c}`, bias);
    split.setParam(`b${s}`, bias);
  }
  const rng = new Rng(4);
  const x = Float32Array.from({ length: T * B * I }, () => rng.normal());
  const a = cat.forward({ x: { data: x, shape: [T, B, I] } }), b = split.forward({ x: { data: x, shape: [T, B, I] } });
  const maxDiff = (p: ArrayLike<number>, q: ArrayLike<number>) => Array.from(p).reduce((m, v, i) => Math.max(m, Math.abs(v - q[i]!)), 0);
  t.ok(maxDiff(a.outputs.h!, b.outputs.h!) < 1e-5, `h over all steps agrees (max diff ${maxDiff(a.outputs.h!, b.outputs.h!).toExponential(1)})`);
  t.ok(maxDiff(a.final.c!, b.final.s!) < 1e-5, "the final cell state agrees");
});
