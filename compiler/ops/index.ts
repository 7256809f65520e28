// Importing this module registers every op.
import "./elementwise.ts";
import "./linalg.ts";
import "./reduce.ts";
import "./nn.ts";
import "./structural.ts";
import "./scan.ts";
import "./fused.ts";
export { getOp, hasOp, allOps, registerOp } from "./registry.ts";
export type { OpDef } from "./registry.ts";
