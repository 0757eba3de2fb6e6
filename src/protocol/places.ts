/**
 * Where each field of a protocol's objects was written: file, line and
 * column, kept across patches (a replaced field points into the patch, the
 * others into the base), so an error in a composed protocol names the file
 * the bad text is in.
 */
import type { Path, Source } from "./source.js";

type Place = { readonly src: Source; readonly path: Path };

const places = new WeakMap<object, Map<string, Place>>();

/** Records that `obj`'s fields were written at `path` of `src`, and so on down its arrays and objects. */
export function mark(obj: unknown, src: Source, path: Path): void {
  if (typeof obj !== "object" || obj === null) return;
  const m = new Map<string, Place>();
  const entries = Array.isArray(obj) ? obj.map((v, i) => [String(i), v] as const) : Object.entries(obj);
  for (const [k, v] of entries) {
    const at = [...path, Array.isArray(obj) ? Number(k) : k];
    m.set(k, { src, path: at });
    mark(v, src, at);
  }
  places.set(obj, m);
}

/** Copies the places of `from`'s fields to `to` (the same fields, a new object). */
export function carry(from: object, to: object, fields?: readonly string[]): void {
  const m = places.get(from);
  if (!m) return;
  const into = places.get(to) ?? new Map<string, Place>();
  for (const [k, p] of m) if (!fields || fields.includes(k)) into.set(k, p);
  places.set(to, into);
}

/** `to[field]` is said to be where `from[fromField]` was written. */
export function alias(to: object, field: string, from: object, fromField: string): void {
  const p = places.get(from)?.get(fromField);
  if (!p) return;
  const into = places.get(to) ?? new Map<string, Place>();
  into.set(field, p);
  places.set(to, into);
}

/** "file:line:col" of `obj[field]`, `offset` characters into it; the protocol's name where nothing is known. */
export function where(obj: object, field: string, offset = 0, fallback = "protocol"): string {
  const p = places.get(obj)?.get(field);
  return p ? p.src.where(p.path, offset) : fallback;
}
