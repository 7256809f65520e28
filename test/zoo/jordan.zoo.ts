// Jordan network on running parity (examples/zoo/jordan): the fed-back softmax is its only memory.
import t from "tap";
import { run } from "../../examples/zoo/jordan/task.ts";

t.test("jordan: synced running parity, trained on T = 10, tested on T = 50 and 100", async (t) => {
  const r = await run({ steps: 400 });
  t.ok(r.before < 0.6, `untrained: ${r.before.toFixed(3)}, about chance (0.5)`);
  t.ok(r.perStep > 0.95, `per-step accuracy on T = 50: ${r.perStep.toFixed(3)} > 0.95 (chance 0.5)`);
  t.ok(r.lastOf100 > 0.9, `last step of T = 100 (100 chained answers): ${r.lastOf100.toFixed(3)} > 0.9`);
});
