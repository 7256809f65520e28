// One-to-many (examples/zoo/sine): from its phase alone, a generator that feeds back its own output
// continues a sine wave.
import t from "tap";
import { run } from "../../examples/zoo/sine/task.ts";

t.test("sine: generate 16 steps of sin(φ + ωt) from φ", async (t) => {
  const r = await run({ steps: 500, T: 16 });
  t.ok(r.mse < 0.05, `held-out MSE ${r.mse.toFixed(4)} < 0.05 (predicting 0: 0.5; untrained ${r.before.toFixed(3)})`);
});
