/**
 * A heatmap of one sweep column over two of its axes.
 *
 * Axes: an axis whose values are positive and evenly spaced on a log scale
 * (as `logRange` makes them) is drawn on a log axis; see `scale.ts`.
 * Colour: probability columns (pRace, pCorrupt, ...) are coloured by log10,
 * and cells where the value is exactly 0 are drawn by a second trace in grey
 * with a "0" on them, outside the colour scale; other columns use a linear
 * scale. Hover shows each cell's pRace, its 95% interval and races/episodes.
 */
import type { SweepData, SweepRow } from "../analysis/sweep.js";
import { InputError } from "../model/errors.js";
import { COLOURS, logColour, PROBABILITY_COLUMNS, ZERO_COLOUR, ZERO_TEXT_COLOUR } from "./colour.js";
import { type Figure, jsonNumber, type JsonObject, type Trace } from "./figure.js";
import { cellHover } from "./hover.js";
import { axisLayout } from "./scale.js";
import { cellKey, cellsAt, type Fixed, pickAxis, pickColumn } from "./select.js";

export interface HeatmapOptions {
  /** Axis drawn across. */
  readonly x: string;
  /** Axis drawn up. */
  readonly y: string;
  /** Column coloured (default "pRace"). */
  readonly z?: string;
  readonly title?: string;
  /** Values of the sweep's other axes, if it has more than x and y. */
  readonly at?: Fixed;
}

export function heatmap(sweep: SweepData, options: HeatmapOptions): Figure {
  if (typeof options !== "object" || options === null) throw new InputError("heatmap options", options, "{x, y, z?, title?}");
  const xAxis = pickAxis(sweep, "x", options.x);
  const yAxis = pickAxis(sweep, "y", options.y);
  if (xAxis === yAxis) throw new InputError("y", options.y, `an axis other than x (${options.x})`);
  const z = pickColumn(sweep, "z", options.z ?? "pRace");
  if (options.title !== undefined && typeof options.title !== "string") throw new InputError("title", options.title, "a string");

  const byCell = new Map(cellsAt(sweep, [xAxis, yAxis], options.at).map((r) => [cellKey(r, [xAxis, yAxis]), r]));
  // Plotly's z is row-major with rows along y: z[i][j] is (x_j, y_i).
  const grid: (SweepRow | undefined)[][] = yAxis.values.map((yv) =>
    xAxis.values.map((xv) => byCell.get(JSON.stringify([xv, yv]))));
  const values = grid.map((row) => row.map((r) => (r ? (r[z] as number) : Number.NaN)));
  const text = grid.map((row) => row.map((r) => (r ? cellHover(r, [xAxis, yAxis], z) : "")));

  const base: Trace = {
    type: "heatmap",
    x: [...xAxis.values],
    y: [...yAxis.values],
    text,
    hovertemplate: "%{text}<extra></extra>",
    // Each cell is drawn by one trace; the other has a gap there and stays quiet.
    hoverongaps: false,
    // The column's own values, so a reader of the spec need not undo log10.
    customdata: values.map((row) => row.map(jsonNumber)),
  };
  const data = PROBABILITY_COLUMNS.includes(z) ? probabilityTraces(base, values, z) : [linearTrace(base, values, z)];
  const layout: JsonObject = {
    title: { text: options.title ?? defaultTitle(sweep, z) },
    xaxis: axisLayout(xAxis),
    yaxis: axisLayout(yAxis),
    margin: { t: 60, r: 20, b: 60, l: 80 },
  };
  const zeros = values.flat().filter((v) => v === 0).length;
  if (data.length > 1 && zeros > 0) layout.annotations = [zeroNote(sweep, z)];
  return { data, layout };
}

function probabilityTraces(base: Trace, values: number[][], z: string): Trace[] {
  const { z: logs, range } = logColour(values, `${z} (log)`);
  const colour: Trace = { ...base, name: z, z: logs, ...range };
  const zeroCells = values.map((row) => row.map((v) => (v === 0 ? 0 : null)));
  const { customdata: _values, ...rest } = base;
  const zero: Trace = {
    ...rest,
    name: `${z} = 0`,
    z: zeroCells,
    colorscale: [[0, ZERO_COLOUR], [1, ZERO_COLOUR]],
    showscale: false,
    zmin: 0,
    zmax: 1,
    texttemplate: "%{z}",
    textfont: { color: ZERO_TEXT_COLOUR },
  };
  return [colour, zero];
}

function linearTrace(base: Trace, values: number[][], z: string): Trace {
  return { ...base, name: z, z: values.map((row) => row.map(jsonNumber)), colorscale: COLOURS, colorbar: { title: { text: z } } };
}

function defaultTitle(sweep: SweepData, z: string): string {
  const m = sweep.manifest;
  return `${z}: ${m.scenario}, ${m.episodes} episodes per cell, seed ${m.seed}`;
}

function zeroNote(sweep: SweepData, z: string): JsonObject {
  return {
    text: `grey 0: ${z} = 0, none seen in ${sweep.manifest.episodes} episodes`,
    xref: "paper", yref: "paper", x: 1, y: 1.02, xanchor: "right", yanchor: "bottom",
    showarrow: false, font: { size: 11, color: ZERO_TEXT_COLOUR },
  };
}

