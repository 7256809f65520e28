// Encoder–decoder (examples/zoo/seq2seq): trained with teacher forcing, decoded greedily one step at
// a time with the runtime's streaming step; it reverses digit strings.
import t from "tap";
import { run } from "../../examples/zoo/seq2seq/task.ts";

t.test("seq2seq: reverse 4 digits, greedy decoding", async (t) => {
  const r = await run({ T: 4, H: 32, steps: 600 });
  t.ok(r.perDigit > 0.8, `per-digit accuracy ${r.perDigit.toFixed(3)} > 0.8 (chance 0.1)`);
  t.ok(r.sequence > 0.4, `whole strings right: ${r.sequence.toFixed(3)} > 0.4 (chance 1e-4)`);
});
