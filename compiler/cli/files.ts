import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RnncError } from "../diagnostics.ts";

/** Writes a file atomically: a temp file in the same folder, fsync, then rename over the target. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, "w");
  } catch (e) {
    throw new RnncError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw new RnncError(`${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
}
