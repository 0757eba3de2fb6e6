/**
 * Files tlbrace writes: checked writable before any work starts, then
 * written whole under a temporary name in the same folder and renamed, so a
 * failure (a full device, a vanished folder) leaves no half-written file
 * under the final name. Only a new name or a regular file is written: a
 * symbolic link, a device, a FIFO or a folder under the name is refused and
 * left as it is (as root, writing through a link would replace files
 * anywhere). Every failure is bad input naming the path and the reason.
 */
import { closeSync, constants, existsSync, fchmodSync, fchownSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync,
  openSync, renameSync, statSync, type Stats, unlinkSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { InputError } from "../model/errors.js";
import { kindOf } from "../model/read-file.js";

/** Why a file operation failed, in words; the code too, for searching. */
export function failure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOSPC: "no space left on the device",
    EDQUOT: "no space left: the disk quota is used up",
    EROFS: "a read-only file system",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    ENOTDIR: "a part of the path is not a folder",
    ENAMETOOLONG: "a name in the path is too long",
    ENOENT: "a folder of the path is missing",
    ELOOP: "too many symbolic links in the path",
    EISDIR: "it is a folder",
    EFBIG: "the file would be too large",
    EIO: "an input/output error",
  };
  if (code === undefined) return e instanceof Error ? e.message : String(e);
  return words[code] ? `${words[code]}, ${code}` : code;
}

/** What is at `path` itself (a link is not followed); undefined when nothing is. */
function entryAt(path: string, field: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw new InputError(field, path, `a file that can be written (${failure(e)})`);
  }
}

/** Throws unless `path` is free or a regular file: the only things tlbrace writes over. */
function checkTarget(path: string, field: string): void {
  const s = entryAt(path, field);
  if (s?.isDirectory()) throw new InputError(field, path, "a file name, not a folder");
  if (s && !s.isFile())
    throw new InputError(field, path, `a new file or a regular file to replace; it is ${kindOf(s)}, which is left as it is`);
}

let temps = 0;
/** A temporary name in `dir`, short so that it fits wherever the final name does. */
const tempName = (dir: string) => join(dir, `.tlbrace-${process.pid}-${temps++}.tmp`);

/** Throws unless a file can be created or replaced at `path`; returns `path`. */
export function checkWritable(path: string, field = "out"): string {
  if (typeof path !== "string" || path.trim() === "") throw new InputError(field, path, "a file name");
  if (path.includes("\0")) throw new InputError(field, path, "a file name without NUL characters");
  checkTarget(path, field);
  const dir = dirname(path);
  let folder: Stats | undefined;
  try {
    folder = statSync(dir, { throwIfNoEntry: false });
  } catch (e) {
    throw new InputError(field, path, `a file in an existing folder (${failure(e)})`);
  }
  if (!folder?.isDirectory()) throw new InputError(field, path, `a file in an existing folder (${dir} is ${folder ? "not a folder" : "missing"})`);
  // Creating a file is the one check that covers permissions, read-only mounts and the like.
  const probe = tempName(dir);
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600));
    unlinkSync(probe);
  } catch (e) {
    throw new InputError(field, path, `a file that can be written (${failure(e)})`);
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
    throw new InputError(field, path, `a folder that exists or can be made (${failure(e)})`);
  }
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s?.isDirectory()) throw new InputError(field, path, `a folder; it is ${s ? kindOf(s) : "missing"}`);
  checkWritable(join(path, "manifest.json"), field);
  return path;
}

/** Writes all of `bytes` to `fd`; a short write is continued, a failure thrown. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

const bytesOf = (content: string | Uint8Array) => (typeof content === "string" ? Buffer.from(content, "utf8") : content);

/**
 * Writes `content` to `path` whole (temporary name in the same folder, then
 * rename); a failure is bad input naming the path, and leaves nothing new
 * under either name. A regular file replaced keeps its mode (and owner, as root).
 */
export function writeOutput(path: string, content: string | Uint8Array, field = "out"): void {
  checkTarget(path, field);
  const old = entryAt(path, field);
  const temp = tempName(dirname(path));
  let fd: number | undefined;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    if (old) {
      fchmodSync(fd, old.mode & 0o7777);
      if (process.getuid?.() === 0) fchownSync(fd, old.uid, old.gid);
    }
    writeAll(fd, bytesOf(content));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    // Checked again just before: something put under the name meanwhile is not replaced.
    checkTarget(path, field);
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch { /* never made, or already renamed */ }
    if (e instanceof InputError) throw e;
    throw new InputError(field, path, `a file that can be written; writing it failed (${failure(e)}), and nothing was left under that name`);
  }
}

/** A file written line by line (a checkpoint): each append whole or not at all. */
export interface AppendFile {
  readonly append: (text: string) => void;
  readonly close: () => void;
}

/** Opens the regular file `path` for appending, never through a link. */
export function openAppend(path: string, field = "out"): AppendFile {
  checkTarget(path, field);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
  } catch (e) {
    throw new InputError(field, path, `a file that can be written (${failure(e)})`);
  }
  const s = fstatSync(fd);
  if (!s.isFile()) {
    closeSync(fd);
    throw new InputError(field, path, `a new file or a regular file; it is ${kindOf(s)}, which is left as it is`);
  }
  let open = true;
  return {
    append: (text) => {
      const size = fstatSync(fd).size;
      try {
        writeAll(fd, bytesOf(text));
      } catch (e) {
        // A line cut short by a full disk is taken back, so the file stays whole lines.
        try {
          ftruncateSync(fd, size);
        } catch { /* a torn last line is dropped when the file is read */ }
        throw new InputError(field, path, `a file that can be written; appending to it failed (${failure(e)}); what was there before is kept`);
      }
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Whether process `pid` runs on this machine: the owner of a lock or of a temporary folder. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
