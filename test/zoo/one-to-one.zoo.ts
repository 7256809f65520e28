// One-to-one (examples/zoo/one-to-one): a single step of an Elman cell is a one-hidden-layer
// network; it separates the inside of a circle from the outside, which no linear model does.
import t from "tap";
import { run } from "../../examples/zoo/one-to-one/task.ts";

t.test("one-to-one: inside or outside a circle", async (t) => {
  const r = await run({ steps: 600 });
  t.ok(r.accuracy > 0.9, `held-out accuracy ${r.accuracy.toFixed(3)} > 0.9 (majority baseline ${r.majority.toFixed(3)})`);
  t.ok(r.majority < 0.6, "the classes are balanced");
});
