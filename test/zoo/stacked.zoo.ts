// Two stacked GRU layers (examples/zoo/stacked) learn a synced tag that depends on two steps.
import t from "tap";
import { run } from "../../examples/zoo/stacked/task.ts";

t.test("stacked: (x[t] + x[t-1]) mod 5 at every step", async (t) => {
  const r = await run({ steps: 300, H: 16 });
  t.ok(r.before < 0.35, `untrained: ${r.before.toFixed(3)}, about chance (0.2)`);
  t.ok(r.accuracy > 0.9, `per-step accuracy ${r.accuracy.toFixed(3)} > 0.9 (chance 0.2)`);
});
