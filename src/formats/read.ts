/**
 * Reading a file through its schema: the first problem becomes bad input
 * naming the file, the path inside it (`rows[3].pRace`) and what was expected.
 */
import type { z } from "zod";
import { InputError } from "../model/errors.js";

type Issue = z.core.$ZodIssue;

/** A path as written in JavaScript: rows[3].pRace, manifest.params.walkUs. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === "number" ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(String(k)) ? `${i ? "." : ""}${String(k)}` : `[${JSON.stringify(String(k))}]`)).join("");
}

const A: Record<string, string> = { number: "a number", int: "a whole number", string: "a string", boolean: "true or false", object: "an object", array: "a list", tuple: "a list [low, high]", null: "null" };

/** What an issue says was expected, in the words of the project's errors. */
function expected(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type": return A[issue.expected] ?? issue.expected;
    case "too_small": return issue.origin === "array" ? `a list of at least ${issue.minimum} item(s)`
      : issue.origin === "string" ? "a non-empty string" : `a number >= ${issue.minimum}`;
    case "too_big": return issue.origin === "array" ? `a list of at most ${issue.maximum} items` : `a number <= ${issue.maximum}`;
    case "invalid_value": return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "unrecognized_keys": return `no field ${issue.keys.map((k) => JSON.stringify(k)).join(", ")} here`;
    case "invalid_union": return "one of the forms tlbrace writes";
    default: return issue.message;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) v = typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** The issue zod reports first, descending into the union member that matched the most. */
function firstIssue(issues: readonly Issue[]): Issue {
  const issue = issues[0]!;
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  const deepest = [...issue.errors].sort((a, b) => (b[0]?.path.length ?? 0) - (a[0]?.path.length ?? 0))[0]!;
  const inner = firstIssue(deepest);
  return { ...inner, path: [...issue.path, ...inner.path] } as Issue;
}

/** `file, at.path`: a file and a path inside it, as errors name them (`at` may be a line: `line 3, pRace`). */
export function place(file: string, at: string, path: readonly PropertyKey[] = []): string {
  const sep = !at || !path.length ? "" : at.includes(" ") ? ", " : typeof path[0] === "number" ? "" : ".";
  const inner = [at, pathText(path)].filter(Boolean).join(sep);
  return !file ? inner : inner ? `${file}, ${inner}` : file;
}

/**
 * `value` checked against `schema` and returned as it is; throws InputError naming `file`, the
 * path inside it (`at`, where `value` sits, then the path within `value`)
 * and what was expected.
 */
export function parseFormat<S extends z.ZodType>(schema: S, value: unknown, file: string, at = ""): z.output<S> {
  const r = schema.safeParse(value);
  // The value as read, not zod's copy: the schemas transform nothing, and a copy would reorder keys.
  if (r.success) return value as z.output<S>;
  const issue = firstIssue(r.error.issues);
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  const v = valueAt(value, path);
  const missing = v === undefined && issue.code === "invalid_type";
  throw new InputError(place(file, at, path), v, `${expected(issue)}${missing ? "; the field is missing" : ""}`);
}
