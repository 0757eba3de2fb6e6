/** Tables as CSV text. */
import type { SweepData } from "../analysis/sweep.js";

/** RFC 4180 CSV: a header row, then one line per row; numbers in full precision. */
export function csv(columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[]): string {
  const cell = (v: unknown) => {
    const s = v === undefined || v === null ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map(cell).join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}

/** CSV with the axis columns first, then the results. */
export function sweepCsv(data: Pick<SweepData, "axes" | "rows">): string {
  const axisNames = data.axes.map((a) => a.name as string);
  const first = data.rows[0] ?? {};
  return csv([...axisNames, ...Object.keys(first).filter((k) => !axisNames.includes(k))], data.rows);
}
