/**
 * A sweep column against one axis, one line per value of a second axis, with
 * the 95% interval (pRaceLo..pRaceHi) as a shaded band: with rare events the
 * interval is the result as much as the point is. Only columns with an
 * interval in the rows (pRace) get a band.
 */
import type { Axis } from "../analysis/grid.js";
import type { SweepData, SweepRow } from "../analysis/sweep.js";
import { InputError } from "../model/errors.js";
import { type Figure, jsonNumber, type JsonObject, type Trace } from "./figure.js";
import { cellHover } from "./hover.js";
import { axisLayout, axisTitle } from "./scale.js";
import { cellsAt, type Fixed, pickAxis, pickColumn } from "./select.js";

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
  const interval = band ? INTERVALS[y] : undefined;

  const data: Trace[] = [];
  groups.forEach((g, i) => {
    const colour = LINE_COLOURS[i % LINE_COLOURS.length]!;
    const ordered = inAxisOrder(g.rows, xAxis);
    const xs = ordered.map((r) => r[xAxis.name]!);
    if (interval) data.push(bandTrace(g.name, xs, ordered, interval, colour));
    data.push({
      type: "scatter",
      mode: "lines+markers",
      name: g.name,
      legendgroup: g.name,
      x: xs,
      y: ordered.map((r) => jsonNumber(r[y] as number)),
      line: { color: colour },
      text: ordered.map((r) => cellHover(r, drawn, y)),
      hovertemplate: "%{text}<extra></extra>",
    });
  });

  const m = sweep.manifest;
  const layout: JsonObject = {
    title: { text: options.title ?? `${y}: ${m.scenario}, ${m.episodes} episodes per cell, seed ${m.seed}` },
    xaxis: axisLayout(xAxis),
    yaxis: { title: { text: interval ? `${y} (band: 95% CI)` : y }, rangemode: "tozero" },
    showlegend: series !== undefined,
    margin: { t: 60, r: 20, b: 60, l: 80 },
  };
  if (series) layout.legend = { title: { text: axisTitle(series.name) } };
  return { data, layout };
}

/** A closed polygon: along the upper bound, back along the lower. */
function bandTrace(name: string, xs: (number | string)[], rows: SweepRow[], [lo, hi]: readonly [string, string], colour: string): Trace {
  return {
    type: "scatter",
    mode: "lines",
    name: `${name} 95% CI`,
    legendgroup: name,
    showlegend: false,
    x: [...xs, ...[...xs].reverse()],
    y: [...rows.map((r) => jsonNumber(r[hi] as number)), ...[...rows].reverse().map((r) => jsonNumber(r[lo] as number))],
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
