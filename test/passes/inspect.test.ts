/** `rnnc inspect`: the IR after any stage, as a subprocess (exit codes, stdout, stderr). */
import t from "tap";
import { rnnc } from "../_shared/spawn.ts";
import { passNames } from "../../compiler/passes/index.ts";
import { ROOT } from "../frontend/_helpers.ts";


const LSTM = "examples/cells/lstm.json";

t.test("one stage", async (t) => {
  const fe = rnnc("inspect", LSTM, "--dims", "I=3,H=5");
  t.equal(fe.status, 0);
  t.equal(fe.stderr, "");
  t.match(fe.stdout, /^graph\(Wgx: f32\[5, 3\], /, "the frontend graph by default");
  t.match(fe.stdout, /\n {2}%scan, %scan\.1, %scan\.2 = scan\(/);
  t.match(fe.stdout, /\n {6}%matmul = matmul\(Wgx, x\) : f32\[B, 5\]\n/, "bodies indented");

  const merged = rnnc("inspect", LSTM, "--stage", "mergeSharedOperandMatmuls");
  t.equal(merged.status, 0);
  t.match(merged.stdout, /= concat\(Wgh, Wih, Wfh, Woh\) \{axis=0\} : f32\[32, 8\]/);
  t.notMatch(merged.stdout, /# stage/, "no headers for a single stage");
});

t.test("every stage, backward, with stats", async (t) => {
  const r = rnnc("inspect", LSTM, "--stage", "all", "--backward", "--stats", "--dims", "I=64,H=256");
  t.equal(r.status, 0, r.stderr);
  const stages = [...r.stdout.matchAll(/^# stage (\S+)$/gm)].map((m) => m[1]);
  t.same(stages, ["frontend", "autodiff", ...passNames]);
  t.match(r.stdout, /# stats\n {2}loop %scan: 8 matmul\/outer per step, 655\.4k GEMM/, "the frontend's forward loop: 8 matmuls");
  const last = r.stdout.slice(r.stdout.lastIndexOf("# stage cleanup"));
  t.match(last, /loop %scan: 1 matmul\/outer per step, 524\.3k GEMM/, "after: 1 in the forward loop");
  t.match(last, /loop %bptt \(reverse\): 1 matmul\/outer per step, 524\.3k GEMM/, "and 1 in the backward loop");
});

t.test("bad input: one line, exit 1", async (t) => {
  const r = rnnc("inspect", LSTM, "--stage", "hoist");
  t.equal(r.status, 1);
  t.equal(r.stdout, "");
  t.match(r.stderr, /^rnnc: inspect: --stage: unknown stage "hoist" \(stages: frontend, autodiff, simplifyAlgebra, .*, all\)\n$/);
  const help = rnnc("inspect", "--help");
  t.equal(help.status, 0);
  t.match(help.stdout, /usage: rnnc inspect FILE/);
  for (const name of passNames) t.match(help.stdout, new RegExp(`\\n  ${name}\\n`), `help lists ${name}`);
  const listed = rnnc("--help");
  t.match(listed.stdout, /\n {2}inspect +print the IR/);
});
