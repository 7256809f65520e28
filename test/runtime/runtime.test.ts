/**
 * The runtime against small hand-built WebAssembly modules (made with binaryen) and hand-written
 * manifests: the compiler is not needed.
 */
import t, { type Test } from "tap";
import binaryen from "binaryen";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  RnncRuntimeError,
  loadModel,
  validateManifest,
  type Model,
} from "../../runtime/index.ts";
import { loadModelFromDir } from "../../runtime/node.ts";

// ---------------------------------------------------------------------------------------------
// The test model.
//
//   inputs  x: f32 [T, B, 2], tok: i32 [B] in [0, 10)
//   params  p: [2]
//   state   h: [B, 2]
//   outputs y: [T, B, 2]      y[t,b,j] = 2·x[t,b,j] + p[j]
//   final   h = h0 + Σ_t x[t]
//   loss    Σ y + Σ tok
//
// Layout (byte offsets as polynomials [c, ·B, ·T, ·B·T], all multiples of 16):

type P4 = [number, number, number, number];
const L: Record<string, P4> = {
  p: [16, 0, 0, 0],
  gp: [32, 0, 0, 0],
  loss: [48, 0, 0, 0],
  closs: [64, 0, 0, 0],
  hi: [128, 0, 0, 0],
  hf: [128, 16, 0, 0],
  gh: [128, 32, 0, 0],
  chf: [128, 48, 0, 0],
  x: [128, 64, 0, 0],
  y: [128, 64, 0, 16],
  gx: [128, 64, 0, 32],
  cy: [128, 64, 0, 48],
  tok: [128, 64, 0, 64],
};
const BYTES: P4 = [128, 80, 0, 64];

function manifest(): any {
  return {
    format: "rnnc-manifest",
    version: 1,
    name: "double",
    kind: "cell",
    sizes: { I: 2 },
    graphHash: "0".repeat(64),
    memory: { bytes: [...BYTES] },
    params: { p: { dtype: "f32", shape: ["I"], offset: L.p, init: "zeros" } },
    inputs: {
      x: { dtype: "f32", shape: ["T", "B", "I"], offset: L.x },
      tok: { dtype: "i32", shape: ["B"], offset: L.tok, range: [0, 10] },
    },
    states: { h: { dtype: "f32", shape: ["B", 2], init: { offset: L.hi }, final: { offset: L.hf } } },
    outputs: { y: { dtype: "f32", shape: ["T", "B", 2], offset: L.y } },
    loss: { dtype: "f32", shape: [], offset: L.loss },
    grads: {
      p: { dtype: "f32", shape: [2], offset: L.gp },
      x: { dtype: "f32", shape: ["T", "B", 2], offset: L.gx },
      h: { offset: L.gh },
    },
    cotangents: {
      outputs: { y: { dtype: "f32", shape: ["T", "B", 2], offset: L.cy } },
      final: { h: { offset: L.chf } },
      loss: { offset: L.closs },
    },
    entries: {
      forward: { export: "forward" },
      backward: { export: "backward" },
      step: { export: "step" },
    },
  };
}

interface BuildOptions {
  exports?: string[];
  exportMemory?: boolean;
  maxPages?: number;
  withImport?: boolean;
  /** Export a one-parameter function under this name. */
  badArity?: string;
  /** Export a function that traps as "trap". */
  trap?: boolean;
}

function build(o: BuildOptions = {}): Uint8Array {
  const m = new binaryen.Module();
  m.setMemory(1, o.maxPages ?? 65536, o.exportMemory === false ? null : "memory");
  const { i32, f32 } = binaryen;
  const B = 0, T = 1, I = 2, N = 3, M2 = 4, ACC = 5;
  const names = Object.keys(L);
  const ptr = (r: string) => 6 + names.indexOf(r);
  const vars = [i32, i32, i32, f32, ...names.map(() => i32)];
  const get = (i: number) => m.local.get(i, i32);
  const c = (v: number) => m.i32.const(v);
  const f = (v: number) => m.f32.const(v);
  const acc = () => m.local.get(ACC, f32);
  const addr = (r: string, idx: number) => m.i32.add(get(ptr(r)), m.i32.shl(idx, c(2)));
  const ld = (r: string, idx: number) => m.f32.load(0, 4, addr(r, idx));
  const ldi = (r: string, idx: number) => m.i32.load(0, 4, addr(r, idx));
  const st = (r: string, idx: number, v: number) => m.f32.store(0, 4, addr(r, idx), v);
  const i = () => get(I);
  const rem = () => m.i32.rem_u(get(I), get(M2));
  const odd = () => m.i32.and(get(I), c(1));
  let label = 0;
  const loop = (n: () => number, body: number[]) => {
    const id = label++;
    return m.block(null, [
      m.local.set(I, c(0)),
      m.block(`b${id}`, [
        m.loop(`l${id}`, m.block(null, [
          m.br(`b${id}`, m.i32.ge_u(get(I), n())),
          ...body,
          m.local.set(I, m.i32.add(get(I), c(1))),
          m.br(`l${id}`),
        ])),
      ]),
    ]);
  };
  const forward = () => [
    ...names.map((r) => {
      const [a, b, tt, bt] = L[r]!;
      return m.local.set(ptr(r), m.i32.add(
        m.i32.add(c(a), m.i32.mul(c(b), get(B))),
        m.i32.add(m.i32.mul(c(tt), get(T)), m.i32.mul(c(bt), m.i32.mul(get(B), get(T)))),
      ));
    }),
    m.local.set(N, m.i32.mul(m.i32.mul(get(T), get(B)), c(2))),
    m.local.set(M2, m.i32.mul(get(B), c(2))),
    loop(() => get(N), [st("y", i(), m.f32.add(m.f32.mul(f(2), ld("x", i())), ld("p", odd())))]),
    loop(() => get(M2), [st("hf", i(), ld("hi", i()))]),
    loop(() => get(N), [st("hf", rem(), m.f32.add(ld("hf", rem()), ld("x", i())))]),
    m.local.set(ACC, f(0)),
    loop(() => get(N), [m.local.set(ACC, m.f32.add(acc(), ld("y", i())))]),
    loop(() => get(B), [m.local.set(ACC, m.f32.add(acc(), m.f32.convert_s.i32(ldi("tok", i()))))]),
    st("loss", c(0), acc()),
  ];
  const backward = () => [
    ...forward(),
    st("gp", c(0), f(0)),
    st("gp", c(1), f(0)),
    loop(() => get(N), [
      m.local.set(ACC, m.f32.add(ld("cy", i()), ld("closs", c(0)))),
      st("gx", i(), m.f32.add(m.f32.mul(f(2), acc()), ld("chf", rem()))),
      st("gp", odd(), m.f32.add(ld("gp", odd()), acc())),
    ]),
    loop(() => get(M2), [st("gh", i(), ld("chf", i()))]),
  ];
  const step = () => [...forward(), loop(() => get(M2), [st("hi", i(), ld("hf", i()))])];
  const params = binaryen.createType([i32, i32]);
  const bodies: Record<string, () => number[]> = { forward, backward, step };
  for (const name of o.exports ?? ["forward", "backward", "step"]) {
    m.addFunction(name, params, binaryen.none, vars, m.block(null, bodies[name]!()));
    m.addFunctionExport(name, name);
  }
  if (o.badArity) {
    m.addFunction("bad", binaryen.createType([i32]), binaryen.none, [], m.nop());
    m.addFunctionExport("bad", o.badArity);
  }
  if (o.trap) {
    m.addFunction("trap", params, binaryen.none, [], m.unreachable());
    m.addFunctionExport("trap", "trap");
  }
  if (o.withImport) {
    m.addFunctionImport("log", "env", "log", binaryen.createType([i32]), binaryen.none);
  }
  if (!m.validate()) throw new Error("invalid test module");
  const bytes = m.emitBinary();
  m.dispose();
  return bytes;
}

const WASM = build();

/** The reference computation. */
function reference(x: number[], tok: number[], B: number, T: number, p: number[], h0?: number[]) {
  const y = x.map((v, i) => 2 * v + p[i & 1]!);
  const h = h0 ? [...h0] : new Array(2 * B).fill(0);
  x.forEach((v, i) => (h[i % (2 * B)] += v));
  const loss = y.reduce((a, b) => a + b, 0) + tok.reduce((a, b) => a + b, 0);
  return { y, h, loss, T };
}

function throwsMsg(t: Test, fn: () => unknown, message: string): void {
  try {
    fn();
    t.fail(`expected an error: ${message}`);
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError, `an RnncRuntimeError (${(e as Error).message})`);
    t.equal((e as Error).message, message);
  }
}

async function rejectsMsg(t: Test, p: Promise<unknown>, message: string): Promise<void> {
  try {
    await p;
    t.fail(`expected an error: ${message}`);
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError, `an RnncRuntimeError (${(e as Error).message})`);
    t.equal((e as Error).message, message);
  }
}

const arr = (a: ArrayLike<number>) => Array.from(a);
const range = (n: number, f: (i: number) => number = (i) => i) => Array.from({ length: n }, (_, i) => f(i));

// ---------------------------------------------------------------------------------------------

t.test("validateManifest accepts and normalizes a manifest", async (t) => {
  const m = validateManifest(manifest());
  t.same(m.inputs.x!.shape, ["T", "B", 2], "size names are resolved");
  t.same(m.params.p!.shape, [2]);
  t.same(m.grads.h, { dtype: "f32", shape: ["B", 2], offset: L.gh }, "derived tensors get dtype and shape");
  t.same(m.cotangents.loss, { dtype: "f32", shape: [], offset: L.closs });
  t.same(m.inputs.tok!.range, [0, 10]);
  t.equal(m.states.h!.init!.offset[0], 128);
  t.equal(m.graphHash, "0".repeat(64));

  const bare = manifest();
  delete bare.grads;
  delete bare.cotangents;
  delete bare.loss;
  delete bare.sizes;
  delete bare.graphHash;
  bare.inputs.x.shape = ["T", "B", 2];
  bare.params.p.shape = [2];
  bare.states.h.init = null;
  const v = validateManifest(bare);
  t.same(v.grads, {});
  t.same(v.cotangents, { outputs: {}, final: {}, loss: null });
  t.equal(v.loss, null);
  t.equal(v.states.h!.init, null);
  t.notOk("graphHash" in v);
});

t.test("validateManifest error messages", async (t) => {
  const cases: [string, (m: any) => unknown, string][] = [
    ["not an object", () => [], "manifest: expected an object, got []"],
    ["format", (m) => (m.format = "rnnc"), 'manifest: format: expected "rnnc-manifest", got "rnnc"'],
    ["newer version", (m) => (m.version = 2), "manifest version 2 is newer than this runtime understands (1)"],
    ["bad version", (m) => (m.version = "1"), 'manifest: version: expected 1, got "1"'],
    ["zero version", (m) => (m.version = 0), "manifest: version: expected 1, got 0"],
    ["name", (m) => delete m.name, "manifest: name: expected a string, got nothing"],
    ["kind", (m) => (m.kind = 3), "manifest: kind: expected a string, got 3"],
    ["sizes", (m) => (m.sizes.I = 0), "manifest: sizes.I: expected a positive integer, got 0"],
    ["sizes B", (m) => (m.sizes.B = 3), 'manifest: sizes.B: "B" is reserved for the batch size'],
    ["graphHash", (m) => (m.graphHash = null), "manifest: graphHash: expected a string, got null"],
    ["memory", (m) => delete m.memory, "manifest: memory: expected an object, got nothing"],
    ["memory.bytes", (m) => (m.memory.bytes = [1, 2, 3]), "manifest: memory.bytes: expected 4 integers, got [1,2,3]"],
    ["params", (m) => (m.params = []), "manifest: params: expected an object, got []"],
    ["param offset", (m) => (m.params.p.offset = [16, 0, 0]), "manifest: params.p.offset: expected 4 integers, got [16,0,0]"],
    ["param offset float", (m) => (m.params.p.offset = [16.5, 0, 0, 0]), "manifest: params.p.offset: expected 4 integers, got [16.5,0,0,0]"],
    ["negative offset", (m) => (m.params.p.offset = [-16, 0, 0, 0]), "manifest: params.p.offset: expected 4 non-negative integers, got [-16,0,0,0]"],
    ["unaligned offset", (m) => (m.inputs.x.offset = [132, 64, 0, 0]), "manifest: inputs.x.offset: expected multiples of 16 (tensor offsets are 16-byte aligned for every B, T), got [132,64,0,0]"],
    ["param offset with B", (m) => (m.params.p.offset = [16, 16, 0, 0]), "manifest: params.p.offset: expected [16, 0, 0, 0] (a parameter's place cannot depend on B or T), got [16,16,0,0]"],
    ["param dtype", (m) => (m.params.p.dtype = "i32"), 'manifest: params.p.dtype: expected "f32" (parameters are always f32), got "i32"'],
    ["param shape B", (m) => (m.params.p.shape = ["B"]), "manifest: params.p.shape[0]: a parameter's shape cannot depend on B"],
    ["shape dim", (m) => (m.inputs.x.shape = ["T", "B", "K"]), 'manifest: inputs.x.shape[2]: expected a positive integer, "B", "T" or a size name from sizes, got "K"'],
    ["shape zero", (m) => (m.outputs.y.shape = ["T", "B", 0]), 'manifest: outputs.y.shape[2]: expected a positive integer, "B", "T" or a size name from sizes, got 0'],
    ["shape not array", (m) => (m.outputs.y.shape = "TB2"), 'manifest: outputs.y.shape: expected a shape (an array of positive integers, "B", "T" or size names), got "TB2"'],
    ["shape twice", (m) => (m.outputs.y.shape = ["B", "B"]), 'manifest: outputs.y.shape: "B" appears more than once'],
    ["input dtype", (m) => (m.inputs.x.dtype = "f64"), 'manifest: inputs.x.dtype: expected "f32" or "i32", got "f64"'],
    ["range", (m) => (m.inputs.tok.range = [10, 0]), "manifest: inputs.tok.range: expected [lo, hi): 2 integers with lo < hi, got [10,0]"],
    ["range on f32", (m) => (m.inputs.x.range = [0, 1]), "manifest: inputs.x.range: only i32 inputs can have a range"],
    ["state final", (m) => delete m.states.h.final, "manifest: states.h.final: expected an object, got nothing"],
    ["state init offset", (m) => (m.states.h.init = { offset: "0" }), 'manifest: states.h.init.offset: expected 4 integers, got "0"'],
    ["output", (m) => (m.outputs.y = 5), "manifest: outputs.y: expected an object, got 5"],
    ["odd name", (m) => (m.outputs["enc.h"] = { dtype: "f32", shape: [1], offset: 7 }), 'manifest: outputs["enc.h"].offset: expected 4 integers, got 7'],
    ["loss shape", (m) => (m.loss.shape = [1]), "manifest: loss.shape: expected [] (the shape of a scalar loss), got [1]"],
    ["loss dtype", (m) => (m.loss.dtype = "i32"), 'manifest: loss.dtype: expected "f32", got "i32"'],
    ["grad target", (m) => (m.grads.q = { offset: [0, 0, 0, 0] }), 'manifest: grads.q: "q" is not a parameter, an input or a state'],
    ["grad of i32", (m) => (m.grads.tok = { offset: [0, 0, 0, 0] }), 'manifest: grads.tok: input "tok" is i32 and has no gradient'],
    ["grad shape", (m) => (m.grads.p.shape = [3]), 'manifest: grads.p.shape: expected [2] (the shape of parameter "p"), got [3]'],
    ["grad ambiguous", (m) => (m.inputs.h = { dtype: "f32", shape: ["B", 2], offset: [0, 0, 0, 0] }), 'manifest: grads.h: "h" names an input and a state, so its gradient is ambiguous'],
    ["cotangent target", (m) => (m.cotangents.outputs.z = { offset: [0, 0, 0, 0] }), 'manifest: cotangents.outputs.z: "z" is not an output'],
    ["cotangent final target", (m) => (m.cotangents.final.z = { offset: [0, 0, 0, 0] }), 'manifest: cotangents.final.z: "z" is not a state'],
    ["cotangent shape", (m) => (m.cotangents.final.h.shape = ["B"]), 'manifest: cotangents.final.h.shape: expected ["B", 2] (the shape of state "h"), got ["B"]'],
    ["loss cotangent without loss", (m) => (m.loss = null), "manifest: cotangents.loss: the manifest has a loss cotangent but no loss"],
    ["entries", (m) => (m.entries = {}), 'manifest: entries: expected a "forward" entry'],
    ["entry export", (m) => (m.entries.step.export = 1), "manifest: entries.step.export: expected a string, got 1"],
  ];
  for (const [what, mutate, message] of cases) {
    const m = manifest();
    const replaced = mutate(m);
    const doc = what === "not an object" ? replaced : m;
    t.test(what, async (t) => throwsMsg(t, () => validateManifest(doc), message));
  }
});

t.test("loadModel", async (t) => {
  const model = await loadModel(WASM, manifest());
  t.same(model.paramNames, ["p"]);
  t.same(model.inputNames, ["x", "tok"]);
  t.same(model.stateNames, ["h"]);
  t.same(model.outputNames, ["y"]);
  t.same(model.gradNames, ["p", "x", "h"]);
  t.equal(model.manifest.name, "double");
  t.equal(model.requiredBytes(2, 3), 128 + 160 + 384);

  const compiled = await (globalThis as any).WebAssembly.compile(WASM);
  const again = await loadModel(compiled, manifest());
  t.same(again.inputNames, ["x", "tok"], "accepts a compiled WebAssembly.Module");
  const ab = WASM.buffer.slice(WASM.byteOffset, WASM.byteOffset + WASM.byteLength) as ArrayBuffer;
  t.ok(await loadModel(ab, manifest()), "accepts an ArrayBuffer");
});

t.test("manifest/module mismatches", async (t) => {
  const m = manifest();
  await rejectsMsg(t, loadModel(build({ exports: ["forward", "step"] }), m),
    'manifest names entry "backward" (export "backward"), but the module does not export it');
  const renamed = manifest();
  renamed.entries.forward.export = "run";
  await rejectsMsg(t, loadModel(WASM, renamed), 'manifest names entry "forward" (export "run"), but the module does not export it');
  const memEntry = manifest();
  memEntry.entries.forward.export = "memory";
  await rejectsMsg(t, loadModel(WASM, memEntry), `manifest names entry "forward" (export "memory"), but the module's export "memory" is not a function`);
  const arity = manifest();
  arity.entries.extra = { export: "extra" };
  await rejectsMsg(t, loadModel(build({ badArity: "extra" }), arity),
    `manifest names entry "extra" (export "extra"), but the module's export "extra" takes 1 parameters, not (B, T)`);
  await rejectsMsg(t, loadModel(build({ exportMemory: false }), manifest()),
    'manifest does not match its module: the module does not export its memory as "memory"');
  await rejectsMsg(t, loadModel(build({ withImport: true }), manifest()),
    "the module imports env.log (function), but rnnc modules import nothing");
  try {
    await loadModel(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]), manifest());
    t.fail("expected an error");
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError);
    t.match((e as Error).message, /^the model's wasm is not a valid WebAssembly module: /);
  }
  await rejectsMsg(t, loadModel("model.wasm" as unknown as Uint8Array, manifest()),
    'loadModel: expected the module\'s bytes (an ArrayBuffer or typed array) or a WebAssembly.Module, got "model.wasm"');
  await rejectsMsg(t, loadModel(WASM, { format: "x" }), 'manifest: format: expected "rnnc-manifest", got "x"');

  const small = manifest();
  small.memory.bytes = [128, 80, 0, 48];
  await rejectsMsg(t, loadModel(WASM, small),
    "manifest does not match its module: tensor inputs.tok lies outside the planned memory (bytes 256..260 at B=1, T=1, but memory.bytes is 256)");
  const farParam = manifest();
  farParam.params.p.offset = [1 << 20, 0, 0, 0];
  await rejectsMsg(t, loadModel(WASM, farParam),
    "manifest does not match its module: tensor params.p lies outside the planned memory (bytes 1048576..1048584 at B=1, T=1, but memory.bytes is 272)");
  // Fits at B=1, T=1 but not at B=7, T=5.
  const growing = manifest();
  growing.memory.bytes = [300, 0, 0, 0];
  await rejectsMsg(t, loadModel(WASM, growing),
    "manifest does not match its module: tensor inputs.x lies outside the planned memory (bytes 576..856 at B=7, T=5, but memory.bytes is 300)");
});

t.test("params: live views, copies, checks", async (t) => {
  const model = await loadModel(WASM, manifest());
  const v = model.param("p");
  t.same(arr(v), [0, 0]);
  model.setParam("p", [1.5, -2]);
  t.same(arr(v), [1.5, -2], "the view is live");
  t.equal(model.param("p"), v, "the same view until the memory grows");
  v[0] = 3;
  const copies = model.getParams();
  t.same(arr(copies.p!), [3, -2]);
  copies.p![0] = 100;
  t.equal(model.param("p")[0], 3, "getParams returns copies");
  model.setParams({ p: new Float64Array([0.25, 0.5]) });
  t.same(arr(model.param("p")), [0.25, 0.5]);
  throwsMsg(t, () => model.param("q"), 'unknown param "q" (params: p)');
  throwsMsg(t, () => model.setParam("p", [1, 2, 3]), "param p: expected 2 values ([2]), got 3");
  throwsMsg(t, () => model.setParams({ p: [1, 2], q: [1] }), 'unknown param "q" (params: p)');
  t.same(arr(model.param("p")), [0.25, 0.5], "setParams checks everything before writing");
  throwsMsg(t, () => model.setParam("p", [1, "2" as unknown as number]), 'param p: value "2" at index 1 is not a number');
  throwsMsg(t, () => model.setParam("p", 5 as unknown as number[]), "param p: expected an array of numbers or a typed array, got 5");
});

t.test("forward", async (t) => {
  const model = await loadModel(WASM, manifest());
  const p = [0.5, -1];
  model.setParams({ p });
  const B = 2, T = 3;
  const x = range(T * B * 2, (i) => i - 4);
  const tok = [3, 7];
  const ref = reference(x, tok, B, T, p);

  const r = model.forward({ x, tok });
  t.same(arr(r.outputs.y!), ref.y, "B from tok, then T from x");
  t.ok(r.outputs.y instanceof Float32Array);
  t.same(arr(r.final.h!), ref.h);
  t.equal(r.loss, ref.loss);

  const shaped = model.forward({ x: { data: new Float32Array(x), shape: [T, B, 2] }, tok: new Int32Array(tok) });
  t.same(arr(shaped.outputs.y!), ref.y, "{data, shape} inputs");

  const h0 = [1, 2, 3, 4];
  const withState = model.forward({ x, tok }, { states: { h: h0 } });
  t.same(arr(withState.final.h!), reference(x, tok, B, T, p, h0).h, "states from opts");
  t.same(arr(model.forward({ x, tok }).final.h!), ref.h, "state inits are zeroed on every call");

  t.same(arr(model.forward({ x, tok }, { B: 2, T: 3 }).outputs.y!), ref.y, "explicit B, T");

  // Errors.
  throwsMsg(t, () => model.forward({ x }), 'missing input "tok"');
  throwsMsg(t, () => model.forward({ x, tok, z: [1] }), 'unknown input "z" (inputs: x, tok)');
  throwsMsg(t, () => model.forward({ x: x.slice(1), tok }), "input x: expected a multiple of 4 values ([T, B=2, 2]), got 11");
  throwsMsg(t, () => model.forward({ x: x.slice(1), tok }, { T: 3 }), "input x: expected 12 values ([T=3, B=2, 2]), got 11");
  throwsMsg(t, () => model.forward({ x: [], tok }), "input x: expected a non-zero multiple of 4 values ([T, B=2, 2]), got 0");
  throwsMsg(t, () => model.forward({ x, tok: [1, 2, 3] }, { B: 2 }), "input tok: expected 2 values ([B=2]), got 3");
  throwsMsg(t, () => model.forward({ x: { data: x, shape: [T, B, 3] }, tok }), "input x: shape [3, 2, 3] does not match [T, B, 2]");
  throwsMsg(t, () => model.forward({ x: { data: x, shape: [T, B] }, tok }), "input x: shape [3, 2] does not match [T, B, 2]");
  throwsMsg(t, () => model.forward({ x: { data: x, shape: [2, 3, 2] }, tok }), "input tok: expected 3 values ([B=3]), got 2");
  throwsMsg(t, () => model.forward({ x: { data: x, shape: [6, 1, 2] }, tok: { data: tok, shape: [2] } }),
    "input tok: shape [2] gives B=2, but B=1 (from input x)");
  throwsMsg(t, () => model.forward({ x: { data: x, shape: [3, 2, 2] }, tok }, { B: 3 }), "input x: shape [3, 2, 2] gives B=2, but B=3 (from opts.B)");
  throwsMsg(t, () => model.forward({ x: { data: x, shape: [2, 2, 2] }, tok }), "input x: shape [2, 2, 2] has 8 elements, but the data has 12 values");
  throwsMsg(t, () => model.forward({ x: { data: x, shape: [0, 2, 2] }, tok }), "input x: shape [0, 2, 2] gives T=0; T must be at least 1");
  throwsMsg(t, () => model.forward({ x: { data: x, shape: "3x2x2" } as never, tok }), 'input x: shape: expected an array of non-negative integers, got "3x2x2"');
  throwsMsg(t, () => model.forward({ x: { data: 7 } as never, tok }), "input x: data: expected an array of numbers or a typed array, got 7");
  throwsMsg(t, () => model.forward({ x: "abc" as never, tok }), 'input x: expected an array of numbers, a typed array or {data, shape}, got "abc"');
  throwsMsg(t, () => model.forward({ x: [1, 2, "3", 4] as never, tok: [1] }), 'input x: value "3" at index 2 is not a number');
  throwsMsg(t, () => model.forward({ x, tok }, { B: 0 }), "opts.B: expected a positive integer, got 0");
  throwsMsg(t, () => model.forward({ x, tok }, { T: 1.5 }), "opts.T: expected a positive integer, got 1.5");
  throwsMsg(t, () => model.forward([] as never), "inputs: expected an object mapping input names to values, got object");
  throwsMsg(t, () => model.forward({ x, tok }, { states: { s: [1] } }), 'unknown state "s" (states: h)');
  throwsMsg(t, () => model.forward({ x, tok }, { states: { h: [1, 2, 3] } }), "state h: expected 4 values ([B=2, 2]), got 3");
  throwsMsg(t, () => model.forward({ x, tok }, { states: { h: 1 as never } }), "state h: expected an array of numbers or a typed array, got 1");

  // B and T both unknown: x alone cannot tell them apart.
  const noTok = manifest();
  delete noTok.inputs.tok;
  const m2 = await loadModel(WASM, noTok);
  throwsMsg(t, () => m2.forward({ x }), "input x: cannot infer both B and T from 12 values ([T, B, 2]); pass opts.B or opts.T, or give {data, shape}");
  t.same(arr(m2.forward({ x }, { T: 3 }).outputs.y!), reference(x, [], B, T, [0, 0]).y, "T given, B inferred");
  t.same(arr(m2.forward({ x }, { B: 2 }).final.h!), reference(x, [], B, T, [0, 0]).h, "B given, T inferred");
  t.same(arr(m2.forward({ x }, { states: { h: [0, 0, 0, 0] } }).final.h!), reference(x, [], B, T, [0, 0]).h, "B from a given state");
  t.same(arr(m2.forward({ x: { data: x, shape: [T, B, 2] } }).outputs.y!), reference(x, [], B, T, [0, 0]).y);
});

t.test("i32 ranges", async (t) => {
  const model = await loadModel(WASM, manifest());
  const x = [1, 2, 3, 4];
  throwsMsg(t, () => model.forward({ x, tok: [3, 10] }), "input tok: value 10 at index 1 is outside its range [0, 10)");
  throwsMsg(t, () => model.forward({ x, tok: new Int32Array([-1, 0]) }), "input tok: value -1 at index 0 is outside its range [0, 10)");
  throwsMsg(t, () => model.forward({ x, tok: [1.5, 0] }), "input tok: value 1.5 at index 0 is not an integer");
  throwsMsg(t, () => model.forward({ x, tok: [NaN, 0] }), "input tok: value NaN at index 0 is not an integer");
  t.equal(model.forward({ x, tok: [9, 0] }).loss, 2 * 10 + 9);

  const noRange = manifest();
  delete noRange.inputs.tok.range;
  const m2 = await loadModel(WASM, noRange);
  throwsMsg(t, () => m2.forward({ x, tok: [2 ** 31, 0] }), "input tok: value 2147483648 at index 0 is outside the i32 range [-2147483648, 2147483648)");
  t.equal(m2.forward({ x, tok: [-5, 100] }).loss, 2 * 10 + 95);
});

t.test("backward and gradients", async (t) => {
  const model = await loadModel(WASM, manifest());
  const p = [0.5, -1];
  model.setParams({ p });
  const B = 2, T = 3;
  const x = range(T * B * 2, (i) => i / 4);
  const tok = [1, 2];
  const ref = reference(x, tok, B, T, p);
  const cy = range(T * B * 2, (i) => (i % 3) - 1);
  const ch = [1, -1, 0.5, 2];

  const r = model.backward({ x, tok }, { outputs: { y: cy }, final: { h: ch }, loss: 0.5 });
  t.same(arr(r.outputs.y!), ref.y);
  t.same(arr(r.final.h!), ref.h);
  t.equal(r.loss, ref.loss);
  const gy = cy.map((v) => v + 0.5);
  t.same(arr(r.grads.x!), gy.map((g, i) => 2 * g + ch[i % 4]!));
  t.same(arr(r.grads.p!), [0, 1].map((j) => gy.filter((_, i) => (i & 1) === j).reduce((a, b) => a + b, 0)));
  t.same(arr(r.grads.h!), ch);
  t.same(arr(model.grad("x")), arr(r.grads.x!), "grad() views the last backward's gradients");

  const fromLoss = model.backwardFromLoss({ x, tok });
  t.same(arr(fromLoss.grads.p!), [6, 6]);
  t.same(arr(fromLoss.grads.x!), new Array(12).fill(2));
  t.same(arr(fromLoss.grads.h!), [0, 0, 0, 0], "other cotangents are zeroed");
  t.same(arr(model.grad("p")), [6, 6]);

  const g = model.grad("p");
  model.forward({ x, tok });
  throwsMsg(t, () => model.grad("p"), 'grad "p": no gradients in memory; call backward() first (any other call overwrites them)');
  t.equal(g.length, 2, "an old view stays attached while the memory does not grow");
  throwsMsg(t, () => model.grad("q"), 'unknown grad "q" (grads: p, x, h)');

  throwsMsg(t, () => model.backward({ x, tok }, { outputs: { z: [1] } }), 'unknown output cotangent "z" (cotangents.outputs: y)');
  throwsMsg(t, () => model.backward({ x, tok }, { final: { y: [1] } }), 'unknown final state cotangent "y" (cotangents.final: h)');
  throwsMsg(t, () => model.backward({ x, tok }, { outputs: { y: [1, 2] } }), "cotangent of output y: expected 12 values ([T=3, B=2, 2]), got 2");
  throwsMsg(t, () => model.backward({ x, tok }, { final: { h: [1, 2] } }), "cotangent of final state h: expected 4 values ([B=2, 2]), got 2");
  throwsMsg(t, () => model.backward({ x, tok }, { loss: "1" as never }), 'cotangent of the loss: expected a number, got "1"');
  throwsMsg(t, () => model.backward({ x, tok }, { outputs: 3 as never }), "cotangents.outputs: expected an object mapping names to values, got 3");
  throwsMsg(t, () => model.backward({ x, tok }, { outputs: { y: 3 as never } }), "cotangent of output y: expected an array of numbers or a typed array, got 3");

  const noLoss = manifest();
  noLoss.loss = null;
  noLoss.cotangents.loss = null;
  const m2 = await loadModel(WASM, noLoss);
  throwsMsg(t, () => m2.backwardFromLoss({ x, tok }), "backwardFromLoss: the model has no loss");
  throwsMsg(t, () => m2.backward({ x, tok }, { loss: 1 }), "cotangent of the loss: the model has no loss");
  t.equal(m2.forward({ x, tok }).loss, undefined);
  const noLossCot = manifest();
  noLossCot.cotangents.loss = null;
  const m3 = await loadModel(WASM, noLossCot);
  throwsMsg(t, () => m3.backwardFromLoss({ x, tok }), "backwardFromLoss: the model has no loss cotangent (cotangents.loss is null)");

  const fwdOnly = manifest();
  delete fwdOnly.entries.backward;
  delete fwdOnly.entries.step;
  const m4 = await loadModel(build({ exports: ["forward"] }), fwdOnly);
  throwsMsg(t, () => m4.backward({ x, tok }), 'the model has no "backward" entry (entries: forward)');
  throwsMsg(t, () => m4.step({ x: [1, 2], tok: [1] }), 'the model has no "step" entry (entries: forward)');
  throwsMsg(t, () => m4.resetState(), 'the model has no "step" entry (entries: forward)');
});

t.test("streaming: state carries across steps", async (t) => {
  const model = await loadModel(WASM, manifest());
  model.setParams({ p: [1, 0] });
  throwsMsg(t, () => model.getState("h"), "state h: no stream yet; call resetState(B) or step() first");

  model.resetState(2);
  t.same(arr(model.getState("h")), [0, 0, 0, 0]);
  const steps = [[1, 2, 3, 4], [10, 20, 30, 40], [-1, -1, -1, -1]];
  let h = [0, 0, 0, 0];
  for (const x of steps) {
    const r = model.step({ x, tok: [0, 0] });
    h = h.map((v, i) => v + x[i]!);
    t.same(arr(r.outputs.y!), x.map((v, i) => 2 * v + (i & 1 ? 0 : 1)));
    t.same(arr(r.final.h!), h);
    t.same(arr(model.getState("h")), h, "the step entry copied final into init");
  }

  // A forward call in the middle does not disturb the stream.
  model.forward({ x: range(40), tok: [1, 2] }, { states: { h: [5, 5, 5, 5] } });
  t.same(arr(model.getState("h")), h, "the stream's state survives forward");
  model.setState("h", [100, 100, 100, 100]);
  t.same(arr(model.step({ x: [1, 1, 1, 1], tok: [0, 0] }).final.h!), [101, 101, 101, 101]);
  model.backward({ x: [1, 2, 3, 4], tok: [0, 0] });
  t.same(arr(model.step({ x: { data: [1, 1, 1, 1], shape: [2, 2] }, tok: [0, 0] }).final.h!), [102, 102, 102, 102], "and backward");
  t.same(arr(model.step({ x: { data: [1, 1, 1, 1], shape: [1, 2, 2] }, tok: [0, 0] }).final.h!), [103, 103, 103, 103], "[1, B, ...] shapes too");
  model.setState("h", [0, 1, 2, 3]);
  t.same(arr(model.getState("h")), [0, 1, 2, 3], "setState on a live stream");

  throwsMsg(t, () => model.step({ x: [1, 2], tok: [0] }), "step: these inputs have B=1, but the stream has B=2; call resetState(1) to start a new stream");
  throwsMsg(t, () => model.step({ x: [1, 2, 3, 4, 5, 6, 7, 8], tok: [0, 0] }), "input x: expected 4 values ([T=1, B=2, 2]), got 8");
  throwsMsg(t, () => model.step({ x: { data: range(8), shape: [2, 2, 2] }, tok: [0, 0] }), "input x: shape [2, 2, 2] gives T=2, but T=1 (from a step call)");
  throwsMsg(t, () => model.setState("h", [1]), "state h: expected 4 values ([B=2, 2]), got 1");
  throwsMsg(t, () => model.setState("g", [1]), 'unknown state "g" (states: h)');
  throwsMsg(t, () => model.resetState(0), "resetState: B: expected a positive integer, got 0");

  model.resetState(1);
  t.same(arr(model.getState("h")), [0, 0]);
  t.same(arr(model.step({ x: [3, 4], tok: [1] }).final.h!), [3, 4], "reset to zeros with a new B");
  t.same(arr(model.step({ x: [3, 4], tok: [1] }).final.h!), [6, 8]);

  // The first step starts a stream by itself.
  const fresh = await loadModel(WASM, manifest());
  t.same(arr(fresh.step({ x: [1, 2, 3, 4, 5, 6], tok: [0, 0, 0] }).final.h!), [1, 2, 3, 4, 5, 6]);
  t.same(arr(fresh.step({ x: [1, 2, 3, 4, 5, 6], tok: [0, 0, 0] }).final.h!), [2, 4, 6, 8, 10, 12]);

  // A state the model computes itself (no init) can be read but not set.
  const noInit = manifest();
  delete noInit.states.h.init;
  delete noInit.grads.h;
  const m2 = await loadModel(WASM, noInit);
  m2.resetState(1);
  throwsMsg(t, () => m2.setState("h", [1, 2]), "state h: the model computes this state itself (it has no init region), so it cannot be set");
  throwsMsg(t, () => m2.forward({ x: [1, 2], tok: [0] }, { states: { h: [1, 2] } }), "state h: the model computes this state itself (it has no init region), so it cannot be given");
  m2.step({ x: [1, 2], tok: [0] });
  t.same(arr(m2.getState("h")), [1, 2]);
});

t.test("memory growth", async (t) => {
  const model = await loadModel(WASM, manifest());
  model.setParams({ p: [0.5, 0.25] });
  const before = model.param("p");
  const bytesBefore = model.memory.buffer.byteLength;
  const B = 4, T = 5000;
  t.ok(model.requiredBytes(B, T) > bytesBefore, "this call needs more memory");
  const x = range(T * B * 2, (i) => (i % 7) - 3);
  const tok = [1, 2, 3, 4];
  const r = model.forward({ x, tok });
  t.ok(model.memory.buffer.byteLength >= model.requiredBytes(B, T), "the memory grew");
  t.equal(before.length, 0, "views made before growth are detached");
  const after = model.param("p");
  t.not(after, before, "param() makes a new view");
  t.same(arr(after), [0.5, 0.25], "params survive growth");
  const ref = reference(x, tok, B, T, [0.5, 0.25]);
  t.same(arr(r.outputs.y!), ref.y);
  t.same(arr(r.final.h!), ref.h);
  t.equal(r.loss, ref.loss);

  // Input data that is itself a view of the memory survives the growth it causes.
  const m2 = await loadModel(WASM, manifest());
  m2.setParams({ p: [1, 1] });
  const aliased = new Float32Array(m2.memory.buffer, 0, 16384);
  const copy = arr(aliased);
  const r2 = m2.forward({ x: aliased, tok: [0] });
  t.ok(m2.memory.buffer.byteLength > 65536, "the memory grew");
  t.same(arr(r2.outputs.y!), copy.map((v) => 2 * v + 1));

  // A module whose memory cannot grow.
  const capped = await loadModel(build({ maxPages: 1 }), manifest());
  try {
    capped.forward({ x: range(2 * 20000), tok: [0] });
    t.fail("expected an error");
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError);
    t.match((e as Error).message, /^B=1, T=20000 needs 1280208 bytes, but the module's memory could not grow from 65536 bytes: /);
  }
});

t.test("the 4 GiB limit", async (t) => {
  const model = await loadModel(WASM, manifest());
  t.equal(model.requiredBytes(100000, 100000), 128 + 80 * 100000 + 64 * 1e10);
  throwsMsg(t, () => model.call("forward", 100000, 100000), "B=100000, T=100000 needs 640008000128 bytes, beyond WebAssembly's 4 GiB limit");
  // Just below / just above: 128 + 80·B + 64·B·T with B = 1.
  const T = Math.floor((2 ** 32 - 208) / 64);
  t.ok(model.requiredBytes(1, T) <= 2 ** 32);
  throwsMsg(t, () => model.call("forward", 1, T + 1), `B=1, T=${T + 1} needs ${128 + 80 + 64 * (T + 1)} bytes, beyond WebAssembly's 4 GiB limit`);
  throwsMsg(t, () => model.requiredBytes(0, 1), "B: expected a positive integer, got 0");
  throwsMsg(t, () => model.call("nope", 1, 1), 'the model has no "nope" entry (entries: forward, backward, step)');
});

t.test("call() and traps", async (t) => {
  const m = manifest();
  m.entries.trap = { export: "trap" };
  const model = await loadModel(build({ trap: true }), m);
  try {
    model.call("trap", 2, 3);
    t.fail("expected an error");
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError);
    t.match((e as Error).message, /^entry "trap" trapped at B=2, T=3: /);
  }
  model.setParams({ p: [1, 2] });
  model.call("backward", 1, 1);
  t.same(arr(model.grad("p")), [0, 0], "call() runs an entry on whatever memory holds");
});

t.test("loadModelFromDir", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-runtime-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const manifestPath = join(dir, "model.manifest.json");
  await rejectsMsg(t, loadModelFromDir(dir), `cannot load model from ${dir}: ${manifestPath} does not exist`);
  writeFileSync(manifestPath, JSON.stringify(manifest()));
  await rejectsMsg(t, loadModelFromDir(dir), `cannot load model from ${dir}: ${join(dir, "model.wasm")} does not exist`);
  writeFileSync(join(dir, "model.wasm"), WASM);
  const model = await loadModelFromDir(dir);
  t.same(arr(model.forward({ x: [1, 2], tok: [3] }).outputs.y!), [2, 4]);

  writeFileSync(manifestPath, "{ \"format\": ");
  try {
    await loadModelFromDir(dir);
    t.fail("expected an error");
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError);
    t.match((e as Error).message, new RegExp(`^${manifestPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: malformed JSON: `));
  }
  const bad = manifest();
  bad.params.p.offset = [16, 0, 0];
  writeFileSync(manifestPath, JSON.stringify(bad));
  await rejectsMsg(t, loadModelFromDir(dir), `${manifestPath}: params.p.offset: expected 4 integers, got [16,0,0]`);
  bad.params.p.offset = [16, 0, 0, 0];
  bad.version = 2;
  writeFileSync(manifestPath, JSON.stringify(bad));
  await rejectsMsg(t, loadModelFromDir(dir), `${manifestPath}: manifest version 2 is newer than this runtime understands (1)`);
  writeFileSync(manifestPath, JSON.stringify(manifest()));
  writeFileSync(join(dir, "model.wasm"), build({ exports: ["forward"] }));
  await rejectsMsg(t, loadModelFromDir(dir),
    `cannot load model from ${dir}: manifest names entry "backward" (export "backward"), but the module does not export it`);
  // A directory where a file should be.
  rmSync(join(dir, "model.wasm"));
  const sub = join(dir, "model.wasm");
  mkdirSync(sub);
  try {
    await loadModelFromDir(dir);
    t.fail("expected an error");
  } catch (e) {
    t.ok(e instanceof RnncRuntimeError);
    t.match((e as Error).message, new RegExp(`^cannot read ${sub.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `));
  }
});

t.test("runtime/ is standalone: no compiler/ or npm imports", async (t) => {
  const dir = fileURLToPath(new URL("../../runtime/", import.meta.url));
  const files = readdirSync(dir).filter((f) => /\.(ts|js|mjs|cjs)$/.test(f));
  t.ok(files.includes("index.ts") && files.includes("model.ts"));
  const importsOf = (text: string): string[] => {
    const spec = /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/g;
    return [...text.matchAll(spec)].map((m) => (m[1] ?? m[2] ?? m[3])!);
  };
  t.same(
    importsOf('import b from "binaryen";\nimport {\n  a,\n} from "../compiler/x.ts";\nexport * from "./y.ts";\nimport "side";\nconst z = await import("fs");'),
    ["binaryen", "../compiler/x.ts", "./y.ts", "side", "fs"],
    "the scanner sees every kind of import",
  );
  for (const f of files) {
    const found = importsOf(readFileSync(join(dir, f), "utf8"));
    for (const s of found) {
      if (s.startsWith("./")) {
        t.notOk(s.includes(".."), `${f}: ${s} stays inside runtime/`);
        t.ok(s.endsWith(".ts"), `${f}: ${s} has an explicit .ts extension`);
      } else if (s.startsWith("node:")) {
        t.equal(f, "node.ts", `${f}: ${s} is allowed only in node.ts`);
      } else {
        t.fail(`${f} imports ${JSON.stringify(s)}: runtime/ may only import ./ files (and node: in node.ts)`);
      }
    }
    if (f === "index.ts") t.notOk(found.includes("./node.ts"), "index.ts does not pull in node.ts");
  }
});
