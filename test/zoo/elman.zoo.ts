// Elman on the delayed echo (examples/zoo/elman): it learns to recall the symbol D steps back.
import t from "tap";
import { Trainer } from "../../runtime/train.ts";
import { buildModel, fit } from "../../compiler/train/fit.ts";
import { Rng } from "../../runtime/random.ts";
import { echoAccuracy, echoBatch, modelFile, V } from "../../examples/zoo/elman/task.ts";

t.test("elman: delayed echo, D = 2", async (t) => {
  const D = 2, B = 32, T = 20;
  const model = await buildModel(modelFile, { sizes: { H: 24 }, seed: 1 });
  const rng = new Rng(11);
  const before = echoAccuracy(model, new Rng(99), 256, T, D);
  const r = fit(new Trainer(model, { kind: "adam", lr: 0.01, clipNorm: 5 }), { steps: 300, batch: () => echoBatch(rng, B, T, D) });
  const after = echoAccuracy(model, new Rng(99), 256, T, D);
  t.ok(before < 0.5, `untrained: ${before.toFixed(3)}, about chance (${1 / V})`);
  t.ok(after > 0.95, `trained: held-out accuracy ${after.toFixed(3)} > 0.95 (chance ${1 / V})`);
  t.ok(r.losses.at(-1)! < 0.25 * r.losses[0]!, `loss ${r.losses[0]!.toFixed(3)} → ${r.losses.at(-1)!.toFixed(3)}`);
});
