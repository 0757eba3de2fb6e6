/**
 * One protocol file's text read into a checked shape: a whole protocol or a
 * patch, with the place of every value kept (places.ts). What the text
 * means is checked later, once patches are applied (build.ts).
 */
import type { z } from "zod";
import { isPatch, type PatchDoc, patchSchema, type ProtocolDoc, protocolSchema } from "./format.js";
import { mark } from "./places.js";
import { ProtocolError, readSource, type Source } from "./source.js";

export type ReadDoc =
  | { readonly kind: "protocol"; readonly doc: ProtocolDoc; readonly src: Source }
  | { readonly kind: "patch"; readonly patch: PatchDoc; readonly src: Source };

export function readDoc(text: string, file: string): ReadDoc {
  const src = readSource(text, file);
  const value = src.value;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new ProtocolError(src.where([]), "the file", JSON.stringify(value)?.slice(0, 40) ?? "nothing", "an object: a protocol (state, steps, window, settled) or a patch (base, replace, insert, remove)");
  if (!isPatch(value)) {
    const doc = shaped(protocolSchema, src, value) as ProtocolDoc;
    mark(doc, src, []);
    return { kind: "protocol", doc, src };
  }
  const patch = shaped(patchSchema, src, value) as PatchDoc;
  mark(patch, src, []);
  return { kind: "patch", patch, src };
}

/** Protocol files are a few kB; a larger one is not one. */
export const MAX_BYTES = 1 << 20;

function shaped<T>(schema: z.ZodType<T>, src: Source, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path as (string | number)[];
  const field = path.length ? path.join(".") : "the file";
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as unknown as { keys: string[] }).keys;
    throw new ProtocolError(src.where([...path, keys[0]!]), field, `field "${keys[0]}"`, `${allowedFields(schema, path)}`);
  }
  let found = "a missing value";
  let v: unknown = value;
  for (const k of path) v = v === null || typeof v !== "object" ? undefined : (v as Record<string | number, unknown>)[k];
  if (v !== undefined) found = JSON.stringify(v)?.slice(0, 60) ?? String(v);
  throw new ProtocolError(src.where(path), field, found, issue.message.replace(/^Invalid (input|option): (expected )?/, ""));
}

function allowedFields(schema: z.ZodType, path: readonly (string | number)[]): string {
  const fields = (s: z.ZodType): string[] | undefined => {
    const shape = (s as unknown as { shape?: Record<string, unknown> }).shape;
    return shape ? Object.keys(shape) : undefined;
  };
  // Walk the schema along the path to the object that has the unknown field.
  let s: unknown = schema;
  for (const k of path) {
    while ((s as { def?: { type?: string } }).def?.type === "optional") s = (s as { def: { innerType: unknown } }).def.innerType;
    const d = (s as { def?: { type?: string; element?: unknown; valueType?: unknown } }).def;
    if (d?.type === "array") s = d.element;
    else if (d?.type === "record") s = d.valueType;
    else s = (s as { shape?: Record<string, unknown> }).shape?.[k as string];
  }
  while ((s as { def?: { type?: string } })?.def?.type === "optional") s = (s as { def: { innerType: unknown } }).def.innerType;
  const f = s ? fields(s as z.ZodType) : undefined;
  return f ? `one of the fields ${f.join(", ")}` : "the fields of the format (README: Protocol files)";
}

