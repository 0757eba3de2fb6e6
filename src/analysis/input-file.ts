/** Files a user named, read whole; an unreadable one is bad input, named with the reason. */
import { readFileSync } from "node:fs";
import { InputError } from "../model/errors.js";

export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError("file", path, `a readable file (${(e as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
}

/** `text` parsed as JSON; `where` names the file (and the part of it) when it does not parse. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError("file", where, "JSON as tlbrace writes it; it does not parse (damaged, cut short, or not JSON)");
  }
}
