/**
 * Rows as a plain HTML table. Numbers are shown for reading, not for
 * re-entry (the CSV beside the report has them in full): whole numbers as
 * they are, others with 3 significant digits, 0 as 0.
 */
import { fmtNumber } from "../text/format.js";
import { escapeHtml } from "../text/html.js";

export type TableRow = Readonly<Record<string, unknown>>;

export function htmlTable(rows: readonly TableRow[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${columns.map((c) => cell(r[c])).join("")}</tr>`)
    .join("\n");
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function cell(v: unknown): string {
  const numeric = typeof v === "number";
  return `<td${numeric ? ' class="num"' : ""}>${escapeHtml(formatCell(v))}</td>`;
}

export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return fmtNumber(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

