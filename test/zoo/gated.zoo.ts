// Four gated cells — LSTM, LSTM without forget gate, GRU, peephole LSTM — on the same
// many-to-one recall task (examples/zoo/gated): each learns it.
import t from "tap";
import { CELLS, run } from "../../examples/zoo/gated/task.ts";

t.test("gated cells: recall the first of 15 symbols from the final state", async (t) => {
  for (const cell of CELLS) {
    const r = await run(cell, { T: 15, steps: 400, H: 12 });
    t.ok(r.accuracy > 0.9, `${cell}: held-out accuracy ${r.accuracy.toFixed(3)} > 0.9 (chance 0.25)`);
  }
});
