/**
 * Rows as a plain HTML table. Numbers are shown for reading, not for
 * re-entry (the CSV beside the report has them in full): whole numbers as
 * they are, others with 3 significant digits, 0 as 0. Text is aligned left
 * and numbers right by inline style, so the table reads the same in a
 * report and in a notebook, whose style sheets align every cell right.
 */
import { fmtNumber } from "../text/format.js";
import { escapeHtml } from "../text/html.js";

export type TableRow = Readonly<Record<string, unknown>>;

export function htmlTable(rows: readonly TableRow[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const numeric = new Set(columns.filter((c) => rows.some((r) => typeof r[c] === "number") && rows.every((r) => r[c] == null || typeof r[c] === "number")));
  const head = columns.map((c) => `<th style="text-align:${numeric.has(c) ? "right" : "left"}">${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${columns.map((c) => cell(r[c], numeric.has(c))).join("")}</tr>`)
    .join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

export const TEXT_CELL = "text-align:left;vertical-align:top";
export const NUMBER_CELL = "text-align:right;vertical-align:top;font-variant-numeric:tabular-nums;white-space:nowrap";

/** A column is numbers (right) only if every value in it is one: a parameter column of "exp:5" and 0.1 stays text. */
function cell(v: unknown, numeric: boolean): string {
  return numeric
    ? `<td class="num" style="${NUMBER_CELL}">${escapeHtml(formatCell(v))}</td>`
    : `<td style="${TEXT_CELL}">${escapeHtml(formatCell(v))}</td>`;
}

export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return fmtNumber(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

