/**
 * Running rnnc (or a script) as a subprocess from a test. Not a test file itself.
 *
 * Children run without coverage: the CLI loads TypeScript through tsx, whose source maps differ
 * from those of tap's own loader for the same files, and merging the two made tap's coverage
 * report drop nearly every file (seen in CI). Coverage is measured in the test processes.
 */
import { spawnSync } from "node:child_process";
import { ROOT } from "../frontend/_helpers.ts";

export { ROOT };

/** The test's environment without coverage collection, preloads or debug switches. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_V8_COVERAGE;
  delete env.NODE_OPTIONS;
  delete env.RNNC_DEBUG;
  env._TAPJS_PROCESSINFO_COVERAGE_ = "0"; // tap's processinfo re-injects itself into children
  return env;
}

export interface Run { status: number | null; stdout: string; stderr: string }

/** `node bin/rnnc.js ...args` from the repository root. */
export function rnnc(...args: string[]): Run {
  const r = spawnSync(process.execPath, ["bin/rnnc.js", ...args], { cwd: ROOT, encoding: "utf8", env: childEnv(), timeout: 200_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `node --import tsx ...args`: a TypeScript script in its own process. */
export function tsxScript(args: string[], timeout = 120_000): Run {
  const r = spawnSync(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, encoding: "utf8", env: childEnv(), timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
