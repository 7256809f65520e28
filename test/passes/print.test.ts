/** printGraph: one line per node, types after a colon, scan bodies indented; stable text. */
import t from "tap";
import { vjpGraph } from "../../compiler/autodiff/vjp.ts";
import { printGraph } from "../../compiler/ir/print.ts";
import { cellGraph } from "./_harness.ts";

t.test("an Elman scan", async (t) => {
  const g = cellGraph("elman", { lengths: [1, 2, 3], truncate: 2 }, { I: 2, H: 3 });
  t.equal(printGraph(g), `graph(Whx: f32[3, 2], Whh: f32[3, 3], bh: f32[3], xs: f32[T, B, 2], h0: f32[B, 3], lengths: i32[B]) {
  %scan, %scan.1 = scan(Whx, Whh, bh, h0, xs, lengths) {n_consts=3, n_carry=1, n_xs=1, reverse=false, has_lengths=true, truncate=2} : f32[B, 3], f32[T, B, 3]
    body(consts: Whx: f32[3, 2], Whh: f32[3, 3], bh: f32[3]; carries: h: f32[B, 3]; xs: x: f32[B, 2]) {
      %matmul = matmul(Whx, x) : f32[B, 3]
      %matmul.1 = matmul(Whh, h) : f32[B, 3]
      %add = add(%matmul, %matmul.1) : f32[B, 3]
      %add.2 = add(%add, bh) : f32[B, 3]
      %h' = tanh(%add.2) : f32[B, 3]
      return carries: %h'; ys: %h'
    }
  return %scan.1, %scan
}
`);
});

t.test("attributes: scan's in a fixed order, the others sorted; the text is stable", async (t) => {
  const g = cellGraph("lstm", { truncate: 3 });
  const v = vjpGraph(g, g.inputs.filter((x) => g.types.get(x)!.dtype === "f32")).graph;
  const text = printGraph(v);
  t.match(text, /scan\(.*\) \{n_consts=12, n_carry=14, n_xs=\d+, reverse=true, has_lengths=false, cut_every=3, cut_carries=2\} :/);
  t.match(text, /slice\(%\S+\) \{axis=-1, size=\d+, start=\d+\}|constant\(\) \{value=1\}/);
  t.equal(printGraph(v), text, "printing twice gives the same text");
  t.equal(printGraph(vjpGraph(g, g.inputs.filter((x) => g.types.get(x)!.dtype === "f32")).graph), text, "so does rebuilding the graph");
  const lines = text.split("\n");
  t.ok(lines.filter((l) => l.startsWith("      %")).length > 20, "body nodes are indented under their scan");
  t.ok(text.endsWith("}\n"));
});
