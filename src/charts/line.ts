/**
 * A sweep column against one axis, one line per value of a second axis, with
 * the 95% interval (pRaceLo..pRaceHi) as a shaded band: with rare events the
 * interval is the result as much as the point is. Only columns with an
 * interval in the rows (pRace) get a band.
 *
 * pRace is drawn on a log axis (powers of ten, never SI prefixes such as µ):
 * it spans decades, and a cell that saw no race is not a point at 0 but a
 * bound: it is drawn as an open down-pointing triangle at its 95% upper
 * bound, the most that cell can say, and the line and band break there.
 */
import type { Axis } from "../analysis/grid.js";
import type { SweepData, SweepRow } from "../analysis/sweep.js";
import { InputError } from "../model/errors.js";
import { fmtP } from "../text/format.js";
import { fmtCount } from "../text/wording.js";
import { PROBABILITY_COLUMNS, ZERO_TEXT_COLOUR } from "./colour.js";
import { type Figure, jsonNumber, type JsonObject, type Trace } from "./figure.js";
import { cellHover } from "./hover.js";
import { axisLayout, axisTitle, logDtick, narrowLogTicks } from "./scale.js";
import { cellsAt, type Fixed, pickAxis, pickColumn, samplingText, sliceText } from "./select.js";

export interface LineOptions {
  /** Axis drawn across. */
  readonly x: string;
  /** Column drawn up (default "pRace"). */
  readonly y?: string;
  /** Axis whose values get one line each. */
  readonly series?: string;
  /** Shade the 95% interval (default true; only for pRace). */
  readonly band?: boolean;
  readonly title?: string;
  /** Values of the sweep's other axes, if it has more than x and series. */
  readonly at?: Fixed;
}

/** Columns with their 95% interval in the rows. */
const INTERVALS: Readonly<Record<string, readonly [string, string]>> = { pRace: ["pRaceLo", "pRaceHi"] };

/** Plotly's default colour cycle, written out so a line and its band share a colour. */
export const LINE_COLOURS: readonly string[] = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];

export function lineChart(sweep: SweepData, options: LineOptions): Figure {
  if (typeof options !== "object" || options === null) throw new InputError("lineChart options", options, "{x, y?, series?, band?}");
  const xAxis = pickAxis(sweep, "x", options.x);
  const y = pickColumn(sweep, "y", options.y ?? "pRace");
  const series = options.series === undefined ? undefined : pickAxis(sweep, "series", options.series);
  if (series === xAxis) throw new InputError("series", options.series, `an axis other than x (${options.x})`);
  const band = options.band ?? true;
  if (typeof band !== "boolean") throw new InputError("band", band, "true or false");

  const drawn = series ? [xAxis, series] : [xAxis];
  const rows = cellsAt(sweep, drawn, options.at);
  const groups = series
    ? series.values.map((v) => ({ name: String(v), rows: rows.filter((r) => r[series.name] === v) }))
    : [{ name: y, rows }];
  const interval = INTERVALS[y];
  // A column with an interval is a probability bounded where it is 0: log scale, bounds as triangles.
  const bounded = interval !== undefined;

  const data: Trace[] = [];
  groups.forEach((g, i) => {
    const colour = LINE_COLOURS[i % LINE_COLOURS.length]!;
    const ordered = inAxisOrder(g.rows, xAxis);
    const xs = ordered.map((r) => r[xAxis.name]!);
    const seen = (r: SweepRow) => !bounded || (r[y] as number) > 0;
    if (band && interval && ordered.some(seen)) data.push(bandTrace(g.name, xs, ordered, interval, colour, seen));
    if (ordered.some(seen)) data.push({
      type: "scatter",
      mode: "lines+markers",
      name: g.name,
      legendgroup: g.name,
      x: xs,
      y: ordered.map((r) => (seen(r) ? jsonNumber(r[y] as number) : null)),
      line: { color: colour },
      text: ordered.map((r) => cellHover(r, drawn, y)),
      hovertemplate: "%{text}<extra></extra>",
    });
    // A rare sweep's cell settled at 0 (by exhaustive search) has no bound above 0 to draw on a log axis.
    const unseen = ordered.filter((r) => !seen(r) && interval !== undefined && (r[interval[1]] as number) > 0);
    if (interval && unseen.length) data.push({
      type: "scatter",
      mode: "markers",
      name: series ? `${g.name}: no race seen (95% upper bound)` : "no race seen (95% upper bound)",
      legendgroup: g.name,
      x: unseen.map((r) => r[xAxis.name]!),
      y: unseen.map((r) => jsonNumber(r[interval[1]] as number)),
      // Growing sizes: bounds of several series at one point nest instead of hiding each other.
      marker: { color: colour, symbol: "triangle-down-open", size: 10 + 4 * Math.min(i, 6), line: { width: 1.5 } },
      text: unseen.map((r) => cellHover(r, drawn, y)),
      hovertemplate: "%{text}<extra></extra>",
    });
  });

  const nothingSeen = bounded && rows.length > 0 && rows.every((r) => r[y] === 0);
  const layout: JsonObject = {
    title: { text: options.title ?? `${y} of ${sweep.manifest.scenario}${sliceText(sweep, drawn, options.at)}; ${samplingText(sweep)}` },
    xaxis: axisLayout(xAxis),
    yaxis: yAxisLayout(y, bounded, band && interval !== undefined, data.flatMap((t) => (t.y as (number | null)[]).filter((v): v is number => typeof v === "number"))),
    showlegend: series !== undefined || (bounded && rows.some((r) => r[y] === 0) && !nothingSeen),
    margin: { t: 60, r: 20, b: 60, l: 80 },
  };
  if (series) layout.legend = { title: { text: axisTitle(series.name) } };
  if (nothingSeen) {
    const bound = Math.max(...rows.map((r) => r[interval![1]] as number));
    layout.annotations = [{
      text: `no race in any cell (${fmtCount(sweep.manifest.episodes)} episodes each): pRace < ${fmtP(bound)} (95%), ▽ marks each bound`,
      xref: "paper", yref: "paper", x: 0.5, y: 1.0, xanchor: "center", yanchor: "bottom",
      showarrow: false, font: { size: 12, color: ZERO_TEXT_COLOUR },
    }];
  }
  return { data, layout };
}

/** Probabilities as powers of ten (Plotly's default would write 1e-4 as "100µ"). */
function yAxisLayout(y: string, log: boolean, band: boolean, drawn: readonly number[]): JsonObject {
  const probability = PROBABILITY_COLUMNS.includes(y);
  const text = `${y}${log ? " (log scale" + (band ? "; band: 95% CI)" : ")") : ""}`;
  const narrow = log ? narrowLogTicks(drawn) : undefined;
  if (narrow) return { title: { text }, type: "log", tickmode: "array", ...narrow };
  if (log) return { title: { text }, type: "log", exponentformat: "power", dtick: logDtick(drawn) };
  return { title: { text }, rangemode: "tozero", ...(probability ? { exponentformat: "power" } : {}) };
}

/**
 * Closed polygons along the upper bound and back along the lower, one per
 * run of cells where `seen` holds (on a log axis a zero has no place; Plotly
 * closes each run between nulls as its own shape).
 */
function bandTrace(name: string, xs: (number | string)[], rows: SweepRow[], [lo, hi]: readonly [string, string], colour: string,
  seen: (r: SweepRow) => boolean): Trace {
  const bx: (number | string | null)[] = [], by: (number | null)[] = [];
  let run: number[] = [];
  const close = () => {
    if (run.length === 0) return;
    if (bx.length) { bx.push(null); by.push(null); }
    for (const k of run) { bx.push(xs[k]!); by.push(jsonNumber(rows[k]![hi] as number)); }
    for (const k of [...run].reverse()) { bx.push(xs[k]!); by.push(jsonNumber(rows[k]![lo] as number)); }
    run = [];
  };
  rows.forEach((r, k) => (seen(r) ? run.push(k) : close()));
  close();
  return {
    type: "scatter",
    mode: "lines",
    name: `${name} 95% CI`,
    legendgroup: name,
    showlegend: false,
    x: bx,
    y: by,
    fill: "toself",
    fillcolor: translucent(colour),
    line: { width: 0, color: colour },
    hoverinfo: "skip",
  };
}

function inAxisOrder(rows: readonly SweepRow[], axis: Axis): SweepRow[] {
  return [...rows].sort((a, b) => axis.values.indexOf(a[axis.name]!) - axis.values.indexOf(b[axis.name]!));
}

function translucent(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},0.2)`;
}
