/**
 * Files a user named, read whole, safely: only a regular file (a FIFO, a
 * device or a folder is refused before any byte is read: /dev/zero would
 * never end and a FIFO could block forever), and at most MAX_FILE_BYTES of
 * it. Opened without blocking, so naming a FIFO fails at once. Errors name
 * the file and the reason, never its content.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { InputError } from "./errors.js";

/** The most a file read whole may hold: what fits in one JavaScript string. */
export const MAX_FILE_BYTES = 500 * 2 ** 20;

/** What a file is, in words, when it is not a regular file. */
export function kindOf(s: Stats): string {
  return s.isDirectory() ? "a folder" : s.isFIFO() ? "a FIFO" : s.isCharacterDevice() ? "a character device"
    : s.isBlockDevice() ? "a block device" : s.isSocket() ? "a socket" : s.isSymbolicLink() ? "a symbolic link" : "not a regular file";
}

const reason = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code ?? "unreadable";
};

/**
 * The bytes of the regular file at `path`; `field` and `what` ("a readable
 * CSV file") name it in an error. Refuses non-regular files and files over
 * `max` bytes.
 */
export function readRegularFile(path: string, field: string, what: string, max = MAX_FILE_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new InputError(field, path, `${what} (${reason(e)})`);
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw new InputError(field, path, `${what}; it is ${kindOf(s)}, and only a regular file is read`);
    if (s.size > max) throw new InputError(field, path, `${what} of at most ${max} bytes; it has ${s.size}`);
    // Files in /proc say size 0 and have more: read to the end, but never past `max`.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(s.size - total, 0) + 65536, max + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw new InputError(field, path, `${what} (reading it failed: ${reason(e)})`);
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > max) throw new InputError(field, path, `${what} of at most ${max} bytes; it has more`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
