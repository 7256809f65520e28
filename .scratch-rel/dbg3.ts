import { programOf } from "../test/property/_gen.ts";
import { compileProgram } from "../compiler/lower/compile.ts";
const m = {"cell":{"H":1,"nC":1,"xw":[1],"steps":[],"next":[0,0],"ys":[0]},"reverse":false,"truncate":0,"lengths":false,"init":false,"V":1,"loss":"none","B":1,"T":1,"seed":0} as any;
import { modelDoc } from "../test/property/_gen.ts";
import { writeFileSync } from "node:fs";
writeFileSync(".scratch-rel/m.json", JSON.stringify(modelDoc(m), null, 1));
try { const r = await compileProgram(programOf(m)); console.log("ok", r.wasm.length); } catch (e) { console.log("ERR", (e as Error).message); }
