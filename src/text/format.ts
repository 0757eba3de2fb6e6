/**
 * Plain-text formatting that survives email: ASCII only, no tabs, at most
 * 72 columns.
 */

export const WIDTH = 72;

/** Replaces what is not plain ASCII: mail clients and terminals mangle it. */
export function ascii(text: string): string {
  return text
    .replace(/µ/g, "u")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013\u2014]/g, "-")
    .replace(/\u2026/g, "...")
    .replace(/\t/g, "  ")
    .replace(/[^\x20-\x7e\n]/g, "?");
}

/** Greedy word wrap; words longer than the width are cut. */
export function wrap(text: string, width = WIDTH, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const prefix = lines.length === 0 ? "" : indent;
    if (line && (prefix + line + " " + word).length > width) {
      lines.push(prefix + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push((lines.length === 0 ? "" : indent) + line);
  return lines.flatMap((l) => (l.length <= width ? [l] : chunks(l, width)));
}

function chunks(s: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += width) out.push(s.slice(i, i + width));
  return out;
}

/** Cuts a cell to `width`, marking the cut. */
export function fit(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, width - 3) + "...";
}

/** Columns padded to their widest cell; `right` columns are right-aligned. Trailing spaces dropped. */
export function columns(rows: readonly (readonly string[])[], right: readonly boolean[] = []): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

/** A cost: 3 significant digits, whole numbers from 1000 up. */
export function fmtQuantity(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000) return Math.round(x).toString();
  return String(Number(x.toPrecision(3)));
}

/** A probability with 3 significant digits; exact 0 and 1 stay 0 and 1. */
export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  if (p === 0 || p === 1) return String(p);
  return p < 1e-3 ? p.toExponential(2) : p.toPrecision(3);
}

export function fmtInterval([lo, hi]: readonly [number, number]): string {
  return `[${fmtP(lo)}, ${fmtP(hi)}]`;
}

/** A duration in µs written as us (ASCII), with a unit that fits its size. */
export function fmtUs(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1e6) return `${(x / 1e6).toPrecision(3)} s`;
  if (x >= 1e3) return `${(x / 1e3).toPrecision(3)} ms`;
  return `${x < 10 ? x.toFixed(2) : x.toPrecision(3)} us`;
}

/** A number for reading (CSVs keep full precision): whole numbers as they are, others to 3 significant digits; 0.0000123 -> "1.23e-5". */
export function fmtNumber(x: number): string {
  if (!Number.isFinite(x) || Number.isInteger(x)) return String(x);
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return Number(x.toPrecision(3)).toExponential().replace("e+", "e");
  return String(Number(x.toPrecision(3)));
}

export type Cell = string | number;

/** A table with a header and a rule: numeric columns right-aligned, text left. */
export function textTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? fmtNumber(c) : c)));
  const right = header.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === "number"));
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((r) => r[j]!.length)));
  return columns([header, widths.map((w) => "-".repeat(w)), ...cells], right).join("\n");
}

