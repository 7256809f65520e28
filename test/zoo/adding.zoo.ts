// The adding problem (examples/zoo/adding), small: the LSTM beats the constant baseline by far.
// (The LSTM-against-Elman comparison at T = 50 and 200 is the full run in the README.)
import t from "tap";
import { BASELINE_MSE, modelFile, run } from "../../examples/zoo/adding/task.ts";

t.test("adding: LSTM, T = 20", async (t) => {
  const r = await run(modelFile("lstm"), { T: 20, steps: 500, H: 16, lr: 0.01 });
  t.ok(r.mse < 0.05, `held-out MSE ${r.mse.toFixed(4)} < 0.05 (always 1: ${BASELINE_MSE.toFixed(3)})`);
});
