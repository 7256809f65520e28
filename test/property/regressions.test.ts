/**
 * Replays every regression fixture in test/fixtures/regressions/: a shrunk failing case of one
 * property, written by `npm run fuzz` (scripts/fuzz.ts) when it found it. A fixture with `todo`
 * is a bug still open (reported as a tap todo, so it neither fails the suite nor is forgotten).
 */
import t from "tap";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROPERTIES } from "./_props.ts";
import type { Regression } from "./_props.ts";

const DIR = fileURLToPath(new URL("../fixtures/regressions/", import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith(".json")).sort();

t.ok(files.length > 0, `${files.length} regression fixtures`);
for (const file of files) {
  const fx = JSON.parse(readFileSync(join(DIR, file), "utf8")) as Regression;
  t.test(`${file} (${fx.property})`, { ...(fx.todo ? { todo: fx.todo } : {}) }, async (t) => {
    const p = PROPERTIES[fx.property];
    t.ok(p, `"${fx.property}" is a property`);
    const check = p.check as (r: unknown) => void | Promise<void>;
    let error: unknown = null;
    try {
      await check(fx.recipe);
    } catch (e) {
      error = e;
    }
    t.equal(error === null ? null : String((error as Error).message ?? error), null, `${p.summary}${fx.note ? ` — ${fx.note}` : ""}`);
  });
}
