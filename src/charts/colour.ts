/**
 * Colour for probabilities. Race probabilities span decades, and "never seen"
 * is a different statement from "seen once in a million", so colour follows
 * log10(p) and a cell with p = 0 is not on the scale at all: the heatmap
 * draws it in its own grey with a "0" on it.
 */
import type { JsonObject } from "./figure.js";

/** Columns holding probabilities: drawn with the log colour scale. */
export const PROBABILITY_COLUMNS: readonly string[] = ["pRace", "pRaceLo", "pRaceHi", "pCorrupt"];

export const COLOURS = "Viridis";
/** Not in Viridis (dark purple .. yellow): a zero cell cannot be read as a small one. */
export const ZERO_COLOUR = "#e6e6e6";
export const ZERO_TEXT_COLOUR = "#555555";

export interface LogColour {
  /** log10 of each value, null where the value is 0 (drawn as a zero cell). */
  readonly z: (number | null)[][];
  /** The colour trace's range and colour bar, in whole decades. */
  readonly range: JsonObject;
}

export function logColour(values: readonly (readonly number[])[], title: string): LogColour {
  const z = values.map((row) => row.map((p) => (p > 0 ? Math.log10(p) : null)));
  const logs = z.flat().filter((v): v is number => v !== null);
  if (logs.length === 0) return { z, range: { showscale: false } };
  // `+ 0` turns -0 (ceil of -0.3) into 0: JSON has no -0.
  const lo = Math.floor(Math.min(...logs)) + 0;
  const hi = Math.max(lo + 1, Math.ceil(Math.max(...logs))) + 0;
  const decades = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  return {
    z,
    range: {
      zmin: lo,
      zmax: hi,
      colorscale: COLOURS,
      colorbar: { title: { text: title }, tickvals: decades, ticktext: decades.map(decadeLabel) },
    },
  };
}

/** 10^k as people write it: 1, 0.1, 0.01, 1e-3, 1e-4 ... */
export function decadeLabel(k: number): string {
  return k >= -2 && k <= 3 ? String(10 ** k) : `1e${k}`;
}
