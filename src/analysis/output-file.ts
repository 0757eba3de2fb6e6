/**
 * Files tlbrace writes: checked writable before any work starts, then
 * written whole under a temporary name in the same folder and renamed, so a
 * failure (a full device, a vanished folder) leaves no half-written file
 * under the final name. Either failure is bad input naming the path.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync, unlinkSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { InputError } from "../model/errors.js";

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));

/** Throws unless a file can be created or replaced at `path`; returns `path`. */
export function checkWritable(path: string, field = "out"): string {
  if (typeof path !== "string" || path.trim() === "") throw new InputError(field, path, "a file name");
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(field, path, "a file name, not a folder");
  const dir = dirname(path);
  const folder = statSync(dir, { throwIfNoEntry: false });
  if (!folder?.isDirectory()) throw new InputError(field, path, `a file in an existing folder (${dir} is ${folder ? "not a folder" : "missing"})`);
  // Creating a file is the one check that covers permissions, read-only mounts and the like.
  const probe = join(dir, `.${basename(path)}.${process.pid}.check`);
  try {
    closeSync(openSync(probe, "wx"));
    unlinkSync(probe);
  } catch (e) {
    throw new InputError(field, path, `a file that can be written (${code(e)})`);
  }
  return path;
}

/** Makes the folder `path` if it is missing and throws unless files can be written in it; returns `path`. */
export function checkWritableFolder(path: string, field = "out"): string {
  if (typeof path !== "string" || path.trim() === "") throw new InputError(field, path, "a folder path");
  try {
    // Level by level: Node's recursive mkdir loops forever where a parent refuses children (/proc).
    const missing: string[] = [];
    for (let p = resolve(path); !existsSync(p) && p !== dirname(p); p = dirname(p)) missing.unshift(p);
    for (const p of missing) mkdirSync(p);
  } catch (e) {
    throw new InputError(field, path, `a folder that exists or can be made (${code(e)})`);
  }
  checkWritable(join(path, "manifest.json"), field);
  return path;
}

/** Writes `content` to `path` whole (temporary name, then rename); a failure is bad input naming the path. */
export function writeOutput(path: string, content: string | Uint8Array, field = "out"): void {
  try {
    writeFileAtomic.sync(path, typeof content === "string" ? content : Buffer.from(content.buffer, content.byteOffset, content.byteLength));
  } catch (e) {
    throw new InputError(field, path, `a file that can be written; writing it failed (${code(e)}), and nothing was left under that name`);
  }
}
