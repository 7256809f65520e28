// A custom cell written only in JSON — the minimal gated unit (examples/zoo/mgu) — learns the
// adding problem like any built-in.
import t from "tap";
import { run } from "../../examples/zoo/mgu/task.ts";
import { BASELINE_MSE } from "../../examples/zoo/adding/task.ts";

t.test("mgu: adding problem, T = 20", async (t) => {
  const r = await run({ T: 20, steps: 500, H: 16, lr: 0.01 });
  t.ok(r.mse < 0.05, `held-out MSE ${r.mse.toFixed(4)} < 0.05 (always 1: ${BASELINE_MSE.toFixed(3)})`);
});
