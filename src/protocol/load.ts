/**
 * Protocol files read: the text parsed with positions, its shape checked,
 * a patch applied over its base (a preset's protocol or another file), and
 * the result built and checked as a model. Nothing is run before all of it
 * has passed.
 */
import { readFileSync, statSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { InputError } from "../model/errors.js";
import { preset, presetNames } from "../model/scenario.js";
import type { ModelName } from "../model/state.js";
import { applyPatch } from "./compose.js";
import type { ProtocolDoc } from "./format.js";
import { builtinDoc } from "./library.js";
import { carry } from "./places.js";
import { MAX_BYTES, readDoc } from "./read.js";
import { ProtocolError, type Source } from "./source.js";

export interface LoadContext {
  /** The folder relative paths in `base` are read from. */
  readonly dir: string;
  /** Files being read, outermost first: a base that names one of them is a cycle. */
  readonly stack: readonly string[];
}

/** A protocol from its text: a whole protocol, or a patch over its base. */
export function protocolFromText(text: string, file: string, ctx: LoadContext = { dir: process.cwd(), stack: [] }): ProtocolDoc {
  const read = readDoc(text, file);
  if (read.kind === "protocol") return read.doc;
  const { patch, src } = read;
  if (patch.base === undefined)
    throw new ProtocolError(src.where([]), "base", "a patch without a base", `base: a preset (${presetNames().join(", ")}) or a protocol file; or, for a whole protocol, state, steps, window and settled`);
  const doc = applyPatch(baseOf(patch, src, ctx), patch);
  // A patch without a name is not its base: it is called after its file.
  if (patch.name !== undefined) return doc;
  const named = { ...doc, name: basename(file).replace(/\.(ya?ml|json)$/i, "") };
  carry(doc, named);
  return named;
}

function baseOf(patch: import("./format.js").PatchDoc, src: Source, ctx: LoadContext): ProtocolDoc {
  const base = patch.base!;
  const model: ModelName = patch.model ?? "table-free";
  if (!/[./]/.test(base)) {
    if (!presetNames().includes(base))
      throw new ProtocolError(src.where(["base"]), "base", JSON.stringify(base), `a preset (${presetNames().join(", ")}) or a file path ending in .yaml, .yml or .json`);
    return builtinDoc(preset(base).params, model);
  }
  return protocolFromFile(resolve(ctx.dir, base), ctx, src.where(["base"]));
}

/** A protocol file read from disk (a regular file of at most 1 MiB). */
export function protocolFromFile(path: string, ctx: LoadContext = { dir: process.cwd(), stack: [] }, from = "protocol"): ProtocolDoc {
  const full = resolve(ctx.dir, path);
  if (ctx.stack.includes(full)) throw new ProtocolError(from, "base", JSON.stringify(path), "a file that is not already being read (a cycle of bases)");
  let st;
  try {
    st = statSync(full);
  } catch {
    throw new InputError(from === "protocol" ? "protocol" : `${from}: base`, path, "a protocol file that exists");
  }
  if (!st.isFile()) throw new InputError("protocol", path, "a regular file");
  if (st.size > MAX_BYTES) throw new InputError("protocol", path, `a protocol file of at most ${MAX_BYTES} bytes`);
  const text = readFileSync(full, "utf8");
  return protocolFromText(text, path, { dir: dirname(full), stack: [...ctx.stack, full] });
}
