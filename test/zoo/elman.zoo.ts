// Elman on the delayed echo (examples/zoo/elman): it learns to recall the symbol D steps back.
import t from "tap";
import { run, V } from "../../examples/zoo/elman/task.ts";

t.test("elman: synced delayed echo, D = 2", async (t) => {
  const r = await run({ D: 2, H: 24, steps: 200 });
  t.ok(r.before < 0.4, `untrained: ${r.before.toFixed(3)}, about chance (${1 / V})`);
  t.ok(r.accuracy > 0.95, `trained: held-out accuracy ${r.accuracy.toFixed(3)} > 0.95 (chance ${1 / V})`);
  t.ok(r.lastLoss < 0.25 * r.firstLoss, `loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`);
});
