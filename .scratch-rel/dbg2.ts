import { forwardAndVjp } from "../test/property/_props.ts";
import { optimizeGraph, stages } from "../compiler/passes/index.ts";
const m = {"cell":{"H":1,"nC":1,"xw":[1],"steps":[],"next":[0,0],"ys":[0]},"reverse":false,"truncate":0,"lengths":false,"init":false,"V":1,"loss":"none","B":1,"T":1,"seed":0} as any;
const [, v] = forwardAndVjp(m);
let g = v.graph;
console.log(g.inputs, g.outputs);
optimizeGraph(g, 2, (name, after) => console.log(name, JSON.stringify(after.inputs) === JSON.stringify(g.inputs), JSON.stringify(after.outputs)));
