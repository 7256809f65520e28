// Bidirectional RNN (examples/zoo/bidirectional): a tag that needs the next symbol is learned by
// the forward + backward pair and not by the forward RNN alone.
import t from "tap";
import { run } from "../../examples/zoo/bidirectional/task.ts";

t.test("bidirectional: max of both neighbours, against a forward-only RNN", async (t) => {
  const bi = await run("bidirectional", { steps: 400 });
  const fwd = await run("forward", { steps: 400 });
  t.ok(bi.accuracy > 0.95, `bidirectional: per-step accuracy ${bi.accuracy.toFixed(3)} > 0.95 (chance 0.25)`);
  t.ok(fwd.accuracy < 0.7, `forward only: ${fwd.accuracy.toFixed(3)} < 0.7 (its best possible is 0.625)`);
});
