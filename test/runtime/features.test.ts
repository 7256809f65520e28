/**
 * WebAssembly features beyond the baseline (runtime/features.ts): the manifest's `features`, the
 * engine check before a module is compiled, and `enableRelaxedSimd()`.
 *
 * An engine without relaxed SIMD is met two ways: in this process through loadModel's `supports`
 * option (the seam the loader consults; no global is patched), and for real in a child process
 * running Node 20 as it starts (relaxed SIMD off), which loads a module compiled with
 * `relaxedSimd` through runtime/node.ts — once as is (the clear error), once after
 * `enableRelaxedSimd()` (it loads and runs).
 */
import t from "tap";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAnyProgram } from "../../compiler/frontend/load.ts";
import { compileProgram } from "../../compiler/lower/compile.ts";
import { checkFeatures } from "../../runtime/features.ts";
import { enableRelaxedSimd, KNOWN_FEATURES, loadModel, relaxedSimdSupported, RnncRuntimeError, validateManifest } from "../../runtime/index.ts";
import { childEnv, ROOT } from "../_shared/spawn.ts";

const NEEDS_RELAXED = 'the module needs WebAssembly relaxed SIMD (manifest "features": ["relaxed-simd"], compiled with --relaxed-simd), which this engine does not run: recompile without --relaxed-simd, or on Node 20 call enableRelaxedSimd() before loading (Node ≥ 21 and browsers other than Safari have it)';

const p = loadAnyProgram(join(ROOT, "examples/cells/elman.json"), { I: 2, H: 3 });
const relaxed = await compileProgram(p, { relaxedSimd: true });
const plain = await compileProgram(p);

t.test("checkFeatures: known and supported passes; unsupported and unknown are one clear error each", async (t) => {
  t.same(KNOWN_FEATURES, ["relaxed-simd"]);
  t.doesNotThrow(() => checkFeatures([], () => false), "no features: nothing to check");
  t.doesNotThrow(() => checkFeatures(["relaxed-simd"], () => true), "supported");
  t.throws(() => checkFeatures(["relaxed-simd"], () => false), new RnncRuntimeError(NEEDS_RELAXED), "unsupported");
  t.throws(() => checkFeatures(["threads"], () => true),
    new RnncRuntimeError('the module needs the WebAssembly feature "threads", which this runtime does not know (it knows: relaxed-simd); use a newer runtime'), "unknown");
});

t.test("validateManifest: features is an optional array of names", async (t) => {
  const base = JSON.parse(JSON.stringify(plain.manifest)) as Record<string, unknown>;
  t.notOk("features" in validateManifest(base), "absent: absent");
  t.same(validateManifest({ ...base, features: ["relaxed-simd", "relaxed-simd"] }).features, ["relaxed-simd"], "duplicates collapse");
  t.notOk("features" in validateManifest({ ...base, features: [] }), "empty: absent");
  t.throws(() => validateManifest({ ...base, features: "relaxed-simd" }),
    new RnncRuntimeError('manifest: features: expected an array of feature names, got "relaxed-simd"'));
  t.throws(() => validateManifest({ ...base, features: [""] }), new RnncRuntimeError('manifest: features: expected an array of feature names, got [""]'));
});

t.test("loadModel refuses a relaxed-SIMD module on an engine without it, before compiling it", async (t) => {
  const none = () => false;
  await t.rejects(loadModel(relaxed.wasm, relaxed.manifest, { supports: none }), new RnncRuntimeError(NEEDS_RELAXED), "the clear error, not a CompileError");
  await t.rejects(loadModel(new Uint8Array([1, 2, 3]), relaxed.manifest, { supports: none }), new RnncRuntimeError(NEEDS_RELAXED),
    "checked before the bytes are compiled");
  t.ok(await loadModel(plain.wasm, plain.manifest, { supports: none }), "a module without features loads whatever the engine lacks");
  await t.rejects(loadModel(plain.wasm, { ...plain.manifest, features: ["threads"] }),
    new RnncRuntimeError('the module needs the WebAssembly feature "threads", which this runtime does not know (it knows: relaxed-simd); use a newer runtime'));
});

t.test("enableRelaxedSimd turns the feature on; the module then loads and runs", async (t) => {
  t.equal(await enableRelaxedSimd(), true, "enableRelaxedSimd() → true");
  t.equal(relaxedSimdSupported(), true, "relaxedSimdSupported() → true after it");
  t.equal(await enableRelaxedSimd(), true, "a second call: still true");
  const model = await loadModel(relaxed.wasm, relaxed.manifest);
  const out = model.forward({ x: { data: [0.1, -0.2, 0.3, 0.4], shape: [2, 1, 2] } });
  t.equal(out.outputs.h!.length, 6, "forward ran");
  t.ok([...out.outputs.h!].every(Number.isFinite));
});

const nodeMajor = Number(process.versions.node.split(".")[0]);

t.test("Node 20, relaxed SIMD off: the loader's error; after enableRelaxedSimd(): loads", { skip: nodeMajor !== 20 && "Node 20 only (later Node has relaxed SIMD on)" }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "rnnc-relaxed-"));
  writeFileSync(join(dir, "model.wasm"), relaxed.wasm);
  writeFileSync(join(dir, "model.manifest.json"), JSON.stringify(relaxed.manifest));
  const script = (enable: boolean) => `
    import { loadModelFromDir } from ${JSON.stringify(join(ROOT, "runtime/node.ts"))};
    import { enableRelaxedSimd, relaxedSimdSupported } from ${JSON.stringify(join(ROOT, "runtime/index.ts"))};
    if (relaxedSimdSupported()) { console.log("on from the start"); process.exit(3); }
    ${enable ? "await enableRelaxedSimd();" : ""}
    try {
      const m = await loadModelFromDir(${JSON.stringify(dir)});
      console.log("loaded " + m.forward({ x: [1, 2, 3, 4] }, { B: 1 }).outputs.h.length);
    } catch (e) { console.log(e.name + ": " + e.message); }
  `;
  const run = (enable: boolean) => spawnSync(process.execPath, ["--no-experimental-wasm-relaxed-simd", "--import", "tsx", "--input-type=module", "-e", script(enable)],
    { cwd: ROOT, encoding: "utf8", env: childEnv(), timeout: 60_000 });
  const off = run(false);
  t.equal(off.status, 0, off.stderr);
  t.equal(off.stdout, `RnncRuntimeError: cannot load model from ${dir}: ${NEEDS_RELAXED}\n`, "one line naming the feature and what to do");
  const on = run(true);
  t.equal(on.status, 0, on.stderr);
  t.equal(on.stdout, "loaded 6\n", "enableRelaxedSimd() first: the module loads and runs");
});
