// Grumpy bear (examples/zoo/grumpy-bear), small: the LSTM tracks the bear's mood across gaps.
// (Elman against LSTM over growing gaps is the full run in the README.)
import t from "tap";
import { run } from "../../examples/zoo/grumpy-bear/task.ts";

t.test("grumpy bear: LSTM, gaps of about 10 events", async (t) => {
  const r = await run("lstm", { gap: 10, steps: 300 });
  t.ok(r.accuracy > 0.95, `per-step mood accuracy ${r.accuracy.toFixed(3)} > 0.95 (always sleepy: ${r.baseline.toFixed(3)})`);
  t.ok(r.baseline < 0.6, "the moods are mixed");
});
