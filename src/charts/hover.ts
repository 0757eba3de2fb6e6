/**
 * Hover text for one cell of a sweep: where it is, what was measured, and how
 * sure: pRace with its 95% interval and the counts it comes from, so that a
 * 0 reads as "no race in n episodes: pRace < x (95%)" rather than "impossible".
 */
import type { Axis } from "../analysis/grid.js";
import type { SweepRow } from "../analysis/sweep.js";
import { fmtNumber, fmtP } from "../text/format.js";
import { fmtEstimate } from "../text/wording.js";
import { PROBABILITY_COLUMNS } from "./colour.js";

export function cellHover(row: SweepRow, axes: readonly Axis[], column: string): string {
  const lines = axes.map((a) => `${a.name} ${show(row[a.name])}`);
  lines.push(fmtEstimate("pRace", row.races, row.episodes, row.pRace, [row.pRaceLo, row.pRaceHi]));
  if (column !== "pRace") lines.push(`${column} ${formatValue(column, row[column])}`);
  return lines.join("<br>");
}

export function formatValue(column: string, v: unknown): string {
  if (typeof v !== "number") return String(v);
  return PROBABILITY_COLUMNS.includes(column) ? fmtP(v) : fmtNumber(v);
}

const show = (v: unknown) => (typeof v === "number" ? fmtNumber(v) : String(v));
