// Reads TAP from stdin, echoes it, and ends with the line `N passed, N failed` counting leaf
// assertions at every depth (a subtest counts through its own assertions, not as one more).
import { Parser } from "tap-parser";

let passed = 0, failed = 0, skipped = 0;
function watch(p) {
  const pending = [];
  p.on("child", (c) => pending.push(watch(c)));
  p.on("assert", (a) => {
    // an assert that closes a subtest is the subtest's summary: its children were counted
    if (a.name && pending.some((c) => c.name === a.name || c.fullname?.endsWith(a.name))) return;
    if (a.skip || a.todo) skipped++;
    else if (a.ok) passed++;
    else failed++;
  });
  return p;
}
const parser = watch(new Parser());
parser.on("complete", () => {
  process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
});
process.stdin.on("data", (d) => process.stdout.write(d));
process.stdin.pipe(parser);
