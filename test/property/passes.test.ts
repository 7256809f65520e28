/**
 * Every pass preserves semantics on random cells and models: each named stage of
 * compiler/passes/index.ts alone, and optimizeGraph at levels 1 and 2, on the forward graph and on
 * its VJP graph, against the unoptimized graph on the f64 interpreter (well formed: verifyGraph).
 */
import t from "tap";
import { runProperty } from "./_run.ts";

t.test("passes", (t) => runProperty(t, "passes"));
