/**
 * A tornado chart of pRace's sensitivity: one row per parameter, a bar from
 * pRace at the scenario's value to pRace with that parameter divided by the
 * factor, and one to pRace with it multiplied, on a log axis (pRace spans
 * decades). The widest row is on top; each row's label carries its
 * elasticity, d ln pRace / d ln θ. A pRace of 0 has no place on a log axis,
 * so a scenario whose race never happens has no bars, and says so.
 */
import type { SensitivityData, SensitivityRow } from "../engines/exact/sensitivity.js";
import { fmtNumber, fmtP } from "../text/format.js";
import type { Figure, JsonObject, Trace } from "./figure.js";
import { LINE_COLOURS } from "./line.js";

export interface TornadoOptions {
  readonly title?: string;
}

const [DOWN, UP] = [LINE_COLOURS[0]!, LINE_COLOURS[1]!];

/** log10 of how far pRace moves across the row's two ends: the sort key. */
const spread = (r: SensitivityRow, base: number) => {
  const ends = [r.pRaceLow, r.pRaceHigh, base].filter((p) => p > 0).map(Math.log10);
  return ends.length ? Math.max(...ends) - Math.min(...ends) : 0;
};

/** An elasticity to `digits` decimals, without a "-0.00" for a tiny negative; "n/a" for none. */
export function fmtElasticity(e: number | null, digits = 2): string {
  if (e === null) return "n/a";
  return (Math.abs(e) < 0.5 * 10 ** -digits ? 0 : e).toFixed(digits);
}

/** A row's label: the parameter and its elasticity, named as such (a bare "e 1.00" says nothing). */
export const rowLabel = (r: SensitivityRow): string => `${r.param} (elasticity ${fmtElasticity(r.elasticity)})`;

export function tornado(d: SensitivityData, options: TornadoOptions = {}): Figure {
  const base = d.pRace;
  // Plotly draws the first category at the bottom: the widest last puts it on top.
  const rows = [...d.rows].sort((a, b) => spread(a, base) - spread(b, base) || b.param.localeCompare(a.param));
  const drawn = base > 0;
  const bar = (name: string, colour: string, at: (r: SensitivityRow) => number, p: (r: SensitivityRow) => number): Trace => ({
    type: "bar",
    orientation: "h",
    name,
    y: rows.map(rowLabel),
    base: rows.map(() => base),
    x: rows.map((r) => p(r) - base),
    marker: { color: colour },
    text: rows.map((r) => `${r.param} ${fmtNumber(at(r))}${r.unit ? ` ${r.unit}` : ""}: pRace ${fmtP(p(r))}` +
      `<br>elasticity ${r.elasticity === null ? `n/a (${r.note})` : fmtNumber(r.elasticity)}` +
      `${r.note && r.elasticity !== null ? ` (${r.note})` : ""}`),
    textposition: "none",
    hovertemplate: "%{text}<extra></extra>",
  });
  const data: Trace[] = drawn
    ? [bar(`parameter / ${fmtNumber(d.factor)}`, DOWN, (r) => r.low, (r) => r.pRaceLow),
       bar(`parameter x ${fmtNumber(d.factor)}`, UP, (r) => r.high, (r) => r.pRaceHigh)]
    : [];
  const layout: JsonObject = {
    title: { text: options.title ?? `pRace sensitivity: ${d.scenario}, each parameter / ${fmtNumber(d.factor)} and x ${fmtNumber(d.factor)}` },
    barmode: "overlay",
    xaxis: { title: { text: "pRace (exact, log scale)" }, type: "log", exponentformat: "power" },
    yaxis: { title: { text: "" }, type: "category", automargin: true },
    legend: { orientation: "h", y: -0.2 },
    margin: { t: 60, r: 20, b: 80, l: 20 },
    height: 140 + 36 * rows.length,
  };
  if (drawn) {
    layout.shapes = [{ type: "line", xref: "x", yref: "paper", x0: base, x1: base, y0: 0, y1: 1, line: { color: "#333333", width: 1, dash: "dot" } }];
    layout.annotations = [{ text: `pRace ${fmtP(base)}`, xref: "x", yref: "paper", x: Math.log10(base), y: 1, yanchor: "bottom", showarrow: false, font: { size: 11 } }];
  } else {
    (layout.xaxis as JsonObject).visible = false;
    layout.annotations = [{ text: "pRace is 0 here: nothing to draw on a log scale", xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false }];
  }
  return { data, layout };
}
