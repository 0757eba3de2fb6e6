/**
 * Empirical delays from measurements: one column of a CSV file becomes the
 * list of samples of an empirical distribution (for example walk times
 * traced with GUP-fast instrumented). Every cell is checked at load time,
 * before any work, and a bad one is named by file, column, row and value.
 */
import { statSync } from "node:fs";
import * as aq from "arquero";
import type { Distribution } from "./distribution.js";
import { InputError } from "./errors.js";
import { readRegularFile } from "./read-file.js";
import type { Microseconds } from "./units.js";

/** A plain decimal number, as measurements are written: 5, 0.25, 1e3, 4.5E-1. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The samples in `column` of the CSV file at `path` (relative paths are
 * from the current directory). The first line names the columns; every
 * other line is a row. Times are in µs.
 */
export function readColumn(path: string, column: string): readonly Microseconds[] {
  if (typeof path !== "string" || path.trim() === "") throw new InputError("csv file", path, "the path of a CSV file");
  if (typeof column !== "string" || column.trim() === "") throw new InputError(`column of ${path}`, column, "a column name");
  // A file named many times (`--vary walkUs=csv:a:x,csv:a:x,...`) is read and checked once while it is unchanged.
  // A path that cannot be looked at (ENOTDIR, ENAMETOOLONG) is named by the read below.
  let s: ReturnType<typeof statSync> | undefined;
  try {
    s = statSync(path, { throwIfNoEntry: false });
  } catch { /* reported when read */ }
  const key = s?.isFile() ? `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${column}` : undefined;
  const known = key === undefined ? undefined : loaded.get(key);
  if (known) return known;
  const samples = Object.freeze(readSamples(path, column));
  if (key !== undefined) {
    if (loaded.size >= MAX_LOADED) loaded.delete(loaded.keys().next().value!);
    loaded.set(key, samples);
  }
  return samples;
}

/** Columns already read, by file identity and column; a few, so memory stays bounded. */
const loaded = new Map<string, readonly Microseconds[]>();
const MAX_LOADED = 16;

function readSamples(path: string, column: string): Microseconds[] {
  const text = readRegularFile(path, "csv file", "a readable CSV file").toString("utf8");
  if (text.trim() === "") throw new InputError("csv file", path, "a CSV file with a header line and rows; it is empty");
  // Errors never quote a cell or a column name: the path may name any file (/etc/shadow through a symlink).
  const unquoted = "file content is never quoted";
  // Cells stay text so that every one is checked here, not guessed at.
  let table: ReturnType<typeof aq.fromCSV>;
  try {
    table = aq.fromCSV(text, { autoType: false });
  } catch {
    throw new InputError("csv file", path, "a CSV file: a header line, then one line per row, cells separated by commas");
  }
  const names = table.columnNames();
  if (!names.includes(column))
    throw new InputError(`column of ${path}`, column, `a column of that name in the header line; the file has ${names.length} column${names.length === 1 ? "" : "s"} (${unquoted})`);
  const cells = table.array(column) as ArrayLike<string | null | undefined>;
  const samples: Microseconds[] = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = (cells[i] ?? "").trim();
    // Row 1 is the first line after the header: line i + 2 of the file.
    const where = `${path}, column ${column}, row ${i + 1}`;
    const bad = (allowed: string) => new InputError(where, `a cell of ${cell.length} character${cell.length === 1 ? "" : "s"}`, `${allowed} (${unquoted})`);
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
