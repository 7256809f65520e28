/**
 * JSON → IR → JSON round-trips on random cells: JSON → TypeScript (`rnnc convert`) → JSON
 * builds the same IR and is a fixed point; every equation prints and parses back to itself; a
 * model's JSON text builds the same IR.
 */
import t from "tap";
import { runProperty } from "./_run.ts";

t.test("roundtrip", (t) => runProperty(t, "roundtrip"));
