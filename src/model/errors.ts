/**
 * Bad input from a user: names the field, the value given and what is allowed.
 * The CLI prints `message` and exits 2; notebooks show it as a plain error.
 */
import { inspect } from "node:util";

export class InputError extends Error {
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
  constructor(field: string, value: unknown, allowed: string) {
    super(`${field}: ${show(value)} is not allowed; expected ${allowed}`);
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

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) return String(value);
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? s.slice(0, 77) + "..." : s;
  } catch {
    return String(value);
  }
}
