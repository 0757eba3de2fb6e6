/**
 * Rows as a plain HTML table. Numbers are shown for reading, not for
 * re-entry (the CSV beside the report has them in full): whole numbers as
 * they are, others with 3 significant digits, 0 as 0.
 */
import { escapeHtml } from "./escape.js";

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
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** 0 -> "0", 12 -> "12", 0.5 -> "0.5", 0.0023182 -> "0.00232", 0.0000123 -> "1.23e-5". */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return Number(x.toPrecision(3)).toExponential().replace("e+", "e");
  return String(Number(x.toPrecision(3)));
}
