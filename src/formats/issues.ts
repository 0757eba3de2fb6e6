/**
 * A file that fails its schema is bad input: the first problem becomes an
 * InputError naming the file, the path inside it, the value found and what
 * was expected.
 */
import type { z } from "zod";
import { InputError } from "../model/errors.js";

function at(raw: unknown, path: readonly PropertyKey[]): unknown {
  let x = raw;
  for (const k of path) x = typeof x === "object" && x !== null ? (x as Record<PropertyKey, unknown>)[k] : undefined;
  return x;
}

/** What the first issue expected, in the project's words. */
function expected(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type": return `a value of type ${issue.expected}`;
    case "invalid_value": return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union": return "one of the forms the format allows (see docs/formats)";
    case "unrecognized_keys": return `no field ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`;
    default: return issue.message.replace(/^Invalid input: /i, "");
  }
}

/** `raw` checked against `schema`; throws InputError for the first problem, naming `file`. */
export function parseFile<S extends z.ZodType>(schema: S, raw: unknown, file: string): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.length ? issue.path.map(String).join(".") : "(the whole file)";
  const value = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : at(raw, issue.path);
  throw new InputError(`${file}: ${path}`, value, expected(issue));
}
