/** Files a user named, read whole; an unreadable one (or a device, a FIFO, a huge file) is bad input, named with the reason. */
import { InputError } from "../model/errors.js";
import { readRegularFile } from "../model/read-file.js";

export function readInputFile(path: string, field = "file"): Buffer {
  return readRegularFile(path, field, "a readable file");
}

/** `text` parsed as JSON; `where` names the file (and the part of it) when it does not parse. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError("file", where, "JSON as tlbrace writes it; it does not parse (damaged, cut short, or not JSON)");
  }
}
