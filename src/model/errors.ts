/**
 * Bad input from a user: names the field, the value given and what is allowed.
 * The CLI prints `message` and exits 2; notebooks show it as a plain error.
 */
import { inspect } from "node:util";
import { closest } from "../text/suggest.js";

/** A misspelled name among "one of a, b, c": "; did you mean b?". */
function didYouMean(value: unknown, allowed: string): string {
  const list = /^one of ([\w\-.:, ]+?)(?: \(|$)/.exec(allowed)?.[1];
  if (typeof value !== "string" || !list) return "";
  const near = closest(value, list.split(/, /));
  return near ? `; did you mean ${near}?` : "";
}

export class InputError extends Error {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
  constructor(field: string, value: unknown, allowed: string) {
    super(`${cut(field, MAX_FIELD)}: ${show(value)} is not allowed; expected ${allowed}${didYouMean(value, allowed)}`);
    this.name = "InputError";
    this.field = field;
    this.value = value;
    this.allowed = allowed;
  }
  /**
   * One line wherever it is printed (a tslab kernel prints a failed cell's
   * error with console.error): the message says all there is; the stack
   * only points into the library and the kernel.
   */
  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}

/** Echoed values and field names are cut to a prefix: a 100 kB argument must not come back as a 100 kB error. */
const MAX_VALUE = 80;
const MAX_FIELD = 120;

/** `text` cut to `max` characters, saying how long it was. */
export function cut(text: string, max = MAX_VALUE): string {
  return text.length <= max ? text : `${text.slice(0, max - 20)}... (${text.length} characters)`;
}

function show(value: unknown): string {
  if (typeof value === "string") return value.length <= MAX_VALUE ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, MAX_VALUE - 20))}... (${value.length} characters)`;
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > MAX_VALUE ? s.slice(0, MAX_VALUE - 3) + "..." : s;
  } catch {
    return cut(String(value));
  }
}
