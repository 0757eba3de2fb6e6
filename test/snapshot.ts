/**
 * Snapshot testing of JSON specs and text: a change shows up as a diff of a
 * committed file. UPDATE_SNAPSHOTS=1 rewrites the files instead of comparing.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import assert from "node:assert/strict";

const DIR = new URL("./snapshots/", import.meta.url);

export function matchSnapshot(name: string, value: unknown): void {
  matchFile(`${name}.json`, pretty(value) + "\n");
}

/** The same for plain text (a reply): a committed .txt file, compared line by line. */
export function matchTextSnapshot(name: string, text: string): void {
  matchFile(`${name}.txt`, text);
}

function matchFile(name: string, actual: string): void {
  const file = new URL(name, DIR);
  if (process.env.UPDATE_SNAPSHOTS === "1") {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `no snapshot test/snapshots/${name}; run with UPDATE_SNAPSHOTS=1 to write it`);
  const expected = readFileSync(file, "utf8");
  if (actual !== expected) assert.fail(`snapshot ${name} differs (UPDATE_SNAPSHOTS=1 to accept):\n${lineDiff(expected, actual)}`);
}

/** The first differing lines, numbered, with a line of context either side. */
function lineDiff(expected: string, actual: string, max = 12): string {
  const e = expected.split("\n"), a = actual.split("\n");
  const out: string[] = [];
  for (let i = 0; i < Math.max(e.length, a.length) && out.length < max * 3; i++) {
    if (e[i] === a[i]) continue;
    if (i > 0 && e[i - 1] === a[i - 1]) out.push(`  ${i}: ${e[i - 1]}`);
    if (e[i] !== undefined) out.push(`- ${i + 1}: ${e[i]}`);
    if (a[i] !== undefined) out.push(`+ ${i + 1}: ${a[i]}`);
  }
  if (e.length !== a.length) out.push(`(${e.length} lines expected, ${a.length} got)`);
  return out.join("\n");
}

/** JSON with two-space indents, but a list of plain values on one line: a changed number is a one-line diff. */
export function pretty(value: unknown, indent = ""): string {
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) return JSON.stringify(value).replace(/,/g, ", ");
    return `[\n${value.map((v) => inner + pretty(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pretty(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
