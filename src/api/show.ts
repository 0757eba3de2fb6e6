/**
 * Rich display: every result has a compact text form (what tslab prints for
 * a cell's last value, through util.inspect) and `show()`, which emits one
 * display bundle. Outside a kernel `show()` prints the text form.
 */
import { inspect } from "node:util";
import * as aq from "arquero";
import { displayBundle, displayFigure, inKernel } from "../notebook/display.js";
import { staticPng } from "../notebook/static-image.js";
import type { Figure } from "../charts/figure.js";
import { checkTraceTypes } from "../charts/plotlyjs.js";
import { ascii, type Cell, fmtNumber, textTable, WIDTH, wrap } from "../text/format.js";

export type Table = ReturnType<typeof aq.from>;

/** Something that shows itself: a text form and a display bundle. */
export interface Showable {
  text(): string;
  show(): void;
}

export function showBundle(text: string, html?: string): void {
  const bundle: Record<string, string> = { "text/plain": text };
  if (html) bundle["text/html"] = html;
  if (!displayBundle(bundle)) console.log(text);
}

/** A figure: live Plotly, with a static PNG beside it for renderers that run no JavaScript. */
export function showFigure(figure: Figure, text: string): void {
  checkTraceTypes(figure);
  if (!inKernel()) return void console.log(text);
  const png = staticPng(figure);
  if (!displayFigure(figure, png === undefined ? {} : { image: { png } })) console.log(text);
}

/** The first rows and as many columns as fit in 72, naming what was left out. */
export function tableText(t: Table, maxRows = 12): string {
  const names = t.columnNames();
  const rows = t.objects({ limit: maxRows }).map((o) => names.map((n) => cell((o as Record<string, unknown>)[n])));
  let k = names.length, text = textTable(names, rows);
  while (k > 1 && text.split("\n").some((l) => l.length > WIDTH)) {
    k--;
    text = textTable(names.slice(0, k), rows.map((r) => r.slice(0, k)));
  }
  const notes: string[] = [];
  if (t.numRows() > maxRows) notes.push(`${t.numRows() - maxRows} more rows`);
  if (k < names.length) notes.push(`columns not shown: ${names.slice(k).join(", ")}`);
  // The text form is email-safe ("us"); the HTML keeps "µs".
  return ascii([text, ...(notes.length ? wrap(`(${notes.join("; ")}; .show() for all)`) : [])].join("\n"));
}

const cell = (v: unknown): Cell => (typeof v === "number" ? v : v === null || v === undefined ? "" : String(v));

/** HTML for a table: numbers as in the text form, empty cells for missing values. */
export function tableHtml(t: Table, limit = 500): string {
  const numeric = t.columnNames().filter((n) => t.array(n).some((v: unknown) => typeof v === "number"));
  const format = Object.fromEntries(numeric.map((n) => [n, (v: unknown) => (typeof v === "number" ? fmtNumber(v) : v == null ? "" : String(v))]));
  return t.toHTML({ limit, format, null: () => "" });
}

/**
 * An Arquero table that prints as aligned text and has `show()` for HTML.
 * Verbs on it return plain Arquero tables.
 */
export function showableTable(t: Table, maxRows = 12): Table & Showable {
  const text = () => tableText(t, maxRows);
  return Object.assign(t, {
    text,
    show: () => showBundle(text(), tableHtml(t)),
    [inspect.custom]: text,
  });
}
