/**
 * Empirical delays from measurements: one column of a CSV file becomes the
 * list of samples of an empirical distribution (for example walk times
 * traced with GUP-fast instrumented). Every cell is checked at load time,
 * before any work, and a bad one is named by file, column, row and value.
 */
import { readFileSync } from "node:fs";
import * as aq from "arquero";
import type { Distribution } from "./distribution.js";
import { cut, InputError } from "./errors.js";
import type { Microseconds } from "./units.js";

/** A plain decimal number, as measurements are written: 5, 0.25, 1e3, 4.5E-1. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The samples in `column` of the CSV file at `path` (relative paths are
 * from the current directory). The first line names the columns; every
 * other line is a row. Times are in µs.
 */
export function readColumn(path: string, column: string): Microseconds[] {
  if (typeof path !== "string" || path.trim() === "") throw new InputError("csv file", path, "the path of a CSV file");
  if (typeof column !== "string" || column.trim() === "") throw new InputError(`column of ${path}`, column, "a column name");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw new InputError("csv file", path, `a readable CSV file (${why})`);
  }
  if (text.trim() === "") throw new InputError("csv file", path, "a CSV file with a header line and rows; it is empty");
  // Errors quote a file's cells and column names only when it is CSV by name and is text: naming
  // /etc/shadow must not print its first line.
  const echo = /\.csv$/i.test(path) && !/[\0\uFFFD]/.test(text);
  const quote = (allowed: string, withText: string) => (echo ? withText : `${allowed} (the file is not named *.csv or is not text, so it is not quoted)`);
  // Cells stay text so that every one is checked here, not guessed at.
  let table: ReturnType<typeof aq.fromCSV>;
  try {
    table = aq.fromCSV(text, { autoType: false });
  } catch {
    throw new InputError("csv file", path, "a CSV file: a header line, then one line per row, cells separated by commas");
  }
  const names = table.columnNames();
  if (!names.includes(column))
    throw new InputError(`column of ${path}`, column, quote("a column of that name in the header line",
      `one of ${names.slice(0, 12).map((n) => cut(n, 40)).join(", ")}${names.length > 12 ? `, ... (${names.length} columns)` : ""}`));
  const cells = table.array(column) as ArrayLike<string | null | undefined>;
  const samples: Microseconds[] = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = (cells[i] ?? "").trim();
    // Row 1 is the first line after the header: line i + 2 of the file.
    const where = `${path}, column ${column}, row ${i + 1}`;
    const bad = (allowed: string) => new InputError(where, echo ? cell : "(not quoted)", allowed);
    if (!NUMBER.test(cell)) throw bad("a number of µs (such as 4.2 or 1e3)");
    const x = Number(cell);
    if (!Number.isFinite(x)) throw bad("a finite number of µs");
    if (x < 0) throw bad("a time >= 0 µs");
    samples.push(x);
  }
  if (samples.length === 0) throw new InputError(`rows of ${path}, column ${column}`, 0, "at least one row with a time in µs");
  return samples;
}

/** An empirical distribution from one CSV column; its source says where the samples came from. */
export function empiricalFromCsv(path: string, column: string): Distribution {
  return { kind: "empirical", samples: readColumn(path, column), source: `${path}:${column}` };
}

/**
 * `csv:PATH:COLUMN` as written after `--set walkUs=`: PATH may itself hold
 * colons, so the column is what follows the last one.
 */
export function parseCsvSpec(field: string, spec: string): { path: string; column: string } {
  const body = spec.trim().slice("csv:".length);
  const cut = body.lastIndexOf(":");
  if (cut <= 0 || cut === body.length - 1) throw new InputError(field, spec, "csv:PATH:COLUMN, such as csv:data/examples/walk-times.csv:walkUs");
  return { path: body.slice(0, cut), column: body.slice(cut + 1) };
}

/** The delay `field` given as `csv:PATH:COLUMN`: the column's samples, checked. */
export function csvDelay(field: string, spec: string): Distribution {
  const { path, column } = parseCsvSpec(field, spec);
  return empiricalFromCsv(path, column);
}
