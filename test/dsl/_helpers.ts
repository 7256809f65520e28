/**
 * Shared by the DSL tests: example cells in both forms, and an exact-message assertion.
 */
import type { Cell } from "../../compiler/frontend/program.ts";
import { canonical } from "../frontend/_helpers.ts";

export { throwsExactly } from "../frontend/_helpers.ts";

export { EXAMPLES, ROOT } from "../frontend/_helpers.ts";

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
