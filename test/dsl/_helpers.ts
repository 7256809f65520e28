/**
 * Shared by the DSL tests: example cells in both forms, and an exact-message assertion.
 */
import type { Test } from "tap";
import { RnncError } from "../../compiler/diagnostics.ts";
import type { Cell } from "../../compiler/frontend/program.ts";
import { canonical } from "../frontend/_helpers.ts";

export { EXAMPLES, ROOT } from "../frontend/_helpers.ts";

/** Asserts that `fn` throws an RnncError whose message is exactly `expected` (lines joined by \n). */
export function throwsExactly(t: Test, fn: () => unknown, expected: string | string[], what: string): void {
  const want = Array.isArray(expected) ? expected.join("\n") : expected;
  try {
    fn();
    t.fail(`${what}: expected an error`);
  } catch (e) {
    if (!(e instanceof RnncError)) {
      t.fail(`${what}: expected an RnncError, got ${String((e as Error)?.stack ?? e)}`);
      return;
    }
    t.equal(e.message, want, what);
    t.same(e.problems, want.split(/\n(?! )/), `${what}: one problem per line`);
  }
}

/** A cell's IR as text (independent of the file it came from). */
export function cellIR(c: Cell): string {
  return [
    `params ${c.params.map((p) => `${p.name}${JSON.stringify(p.shape)} ${JSON.stringify(p.init)}`).join(", ")}`,
    `state ${c.state.map((s) => `${s.name}${JSON.stringify(s.shape)}`).join(", ")}`,
    `inputs ${c.inputs.map((s) => `${s.name}${JSON.stringify(s.shape)} ${s.dtype}`).join(", ")}`,
    `outputs ${c.outputs.join(", ")}`,
    `sizes ${JSON.stringify(c.sizes)}`,
    canonical(c.body),
  ].join("\n");
}
