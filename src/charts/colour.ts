/**
 * Colour for probabilities. Race probabilities span decades, and "never seen"
 * is a different statement from "seen once in a million", so colour follows
 * log10(p) and a cell with p = 0 is not on the scale at all: the heatmap
 * draws it in its own grey. Charts meant to be compared share one range of
 * decades (`decadeRange` over all their values), so one colour means one
 * probability in each.
 */
import { InputError } from "../model/errors.js";
import type { JsonObject } from "./figure.js";

/** Columns holding probabilities: drawn with the log colour scale. */
export const PROBABILITY_COLUMNS: readonly string[] = ["pRace", "pRaceLo", "pRaceHi", "pCorrupt"];

export const COLOURS = "Viridis";
/** Not in Viridis (dark purple .. yellow): a zero cell cannot be read as a small one. */
export const ZERO_COLOUR = "#e6e6e6";
export const ZERO_TEXT_COLOUR = "#555555";

/** A range of whole decades, log10 of the colour scale's ends. */
export type Decades = readonly [number, number];

/**
 * The whole decades that hold every positive value; where none is positive,
 * from the decade of `floor` (the smallest probability the sampling could
 * have seen: the 95% bound after no race) to 1.
 */
export function decadeRange(values: readonly number[], floor: number): Decades {
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  // `+ 0` turns -0 (ceil of -0.3) into 0: JSON has no -0.
  if (logs.length === 0) return [Math.min(-1, Math.floor(Math.log10(floor))) + 0, 0];
  // At least one decade, and never above 1: a sweep where every cell raced still has its decade below.
  const hi = Math.ceil(Math.max(...logs));
  return [Math.min(Math.floor(Math.min(...logs)), hi - 1) + 0, hi + 0];
}

/**
 * A range given by the user as probabilities, [lo, hi] with 0 < lo < hi <= 1:
 * its decades, widened to whole ones. Values outside it are refused rather
 * than drawn in the end colours, which would say they are the end values.
 */
export function givenDecades(field: string, range: unknown, values: readonly number[]): Decades {
  const ok = Array.isArray(range) && range.length === 2 && range.every((v) => typeof v === "number" && Number.isFinite(v)) &&
    range[0] > 0 && range[0] < range[1] && range[1] <= 1;
  if (!ok) throw new InputError(field, range, "[lo, hi]: two probabilities with 0 < lo < hi <= 1");
  const [lo, hi] = range as [number, number];
  const outside = values.filter((v) => v > 0 && (v < lo || v > hi));
  if (outside.length > 0) {
    const all = values.filter((v) => v > 0);
    throw new InputError(field, range, `a range holding every value drawn (${Math.min(...all)} to ${Math.max(...all)})`);
  }
  return [Math.floor(Math.log10(lo)) + 0, Math.ceil(Math.log10(hi)) + 0];
}

/** log10 of each value, null where the value is 0 (drawn as a zero cell). */
export function logValues(values: readonly (readonly number[])[]): (number | null)[][] {
  return values.map((row) => row.map((p) => (p > 0 ? Math.log10(p) : null)));
}

/** A Plotly colour axis (or a trace's own colour attributes) over `decades`. */
export function logColourAxis([lo, hi]: Decades, title: string): JsonObject {
  const decades = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  return {
    cmin: lo,
    cmax: hi,
    colorscale: COLOURS,
    colorbar: { title: { text: title }, tickvals: decades, ticktext: decadeLabels(decades) },
  };
}

/** 10^k as people write it: 1, 0.1, 0.01, 1e-3, 1e-4 ... */
export function decadeLabel(k: number): string {
  return k >= -2 && k <= 3 ? String(10 ** k) : `1e${k}`;
}

/** One form for a whole colour bar: plain numbers when every decade reads well so, else all as 1e-k ("1e0, 1e-1, 1e-2, 1e-3", not "1, 0.1, 0.01, 1e-3"). */
export function decadeLabels(decades: readonly number[]): string[] {
  return decades.every((k) => k >= -2 && k <= 3) ? decades.map(decadeLabel) : decades.map((k) => `1e${k}`);
}
