/** A file a user named, read whole; an unreadable one is bad input, named with the reason. */
import { readFileSync } from "node:fs";
import { InputError } from "../model/errors.js";

export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError("file", path, `a readable file (${(e as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
}
