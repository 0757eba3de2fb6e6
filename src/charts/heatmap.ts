/**
 * A heatmap of one sweep column over two of its axes.
 *
 * Axes: an axis whose values are positive and evenly spaced on a log scale
 * (as `logRange` makes them) is drawn on a log axis; see `scale.ts`.
 * Colour: probability columns (pRace, pCorrupt, ...) are coloured by log10
 * over whole decades, with a colour bar always; cells where the value is
 * exactly 0 are drawn by a second trace in grey, outside the colour scale,
 * and a note says what grey means (no race seen, pRace below the 95% bound).
 * Other columns use a linear scale. Hover shows each cell's pRace, its 95%
 * interval and races/episodes. `heatmaps.ts` puts several side by side on
 * one colour scale.
 */
import type { Axis } from "../analysis/grid.js";
import type { SweepData, SweepRow } from "../analysis/sweep.js";
import { InputError } from "../model/errors.js";
import { fmtP } from "../text/format.js";
import { fmtCount } from "../text/wording.js";
import { COLOURS, type Decades, decadeRange, givenDecades, logColourAxis, logValues, PROBABILITY_COLUMNS, ZERO_COLOUR, ZERO_TEXT_COLOUR } from "./colour.js";
import { type Figure, jsonNumber, type JsonObject, type Trace } from "./figure.js";
import { cellHover } from "./hover.js";
import { axisLayout } from "./scale.js";
import { cellKey, cellsAt, type Fixed, pickAxis, pickColumn, samplingText, sliceText } from "./select.js";

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
  /**
   * The colour scale's ends, [lo, hi]: probabilities (0 < lo < hi <= 1,
   * widened to whole decades) for probability columns, else values. Give
   * charts that are to be compared the same range; every value must lie in it.
   * Default: the decades of this chart's own values.
   */
  readonly zRange?: readonly [number, number];
}

/** One sweep's cells as heatmap traces, before a colour scale is chosen. */
export interface HeatmapPanel {
  readonly sweep: SweepData;
  readonly z: string;
  readonly xAxis: Axis;
  readonly yAxis: Axis;
  /** z[i][j] is the value at (x_j, y_i); NaN where the sweep has no such cell. */
  readonly values: number[][];
  readonly hover: string[][];
  /** " at memoryPressure 0.5" when the sweep has more axes than the two drawn. */
  readonly slice: string;
  readonly probability: boolean;
  /** The 95% upper bound of pRace in the cells that saw no race (0 if none). */
  readonly zeroBound: number;
  /** A rare-event sweep's cells whose estimate is not reliable, as [x, y]. */
  readonly unreliable: readonly (readonly [number | string, number | string])[];
  /** A rare-event sweep whose zero cells are all settled (0 by exhaustive search, or exactly). */
  readonly settledZero: boolean;
}

export function checkHeatmapOptions(options: unknown): asserts options is HeatmapOptions {
  if (typeof options !== "object" || options === null) throw new InputError("heatmap options", options, "{x, y, z?, title?, at?, zRange?}");
  const o = options as HeatmapOptions;
  if (o.title !== undefined && typeof o.title !== "string") throw new InputError("title", o.title, "a string");
}

export function heatmapPanel(sweep: SweepData, options: HeatmapOptions): HeatmapPanel {
  const xAxis = pickAxis(sweep, "x", options.x);
  const yAxis = pickAxis(sweep, "y", options.y);
  if (xAxis === yAxis) throw new InputError("y", options.y, `an axis other than x (${options.x})`);
  const z = pickColumn(sweep, "z", options.z ?? "pRace");
  const rows = cellsAt(sweep, [xAxis, yAxis], options.at);
  const byCell = new Map(rows.map((r) => [cellKey(r, [xAxis, yAxis]), r]));
  // Plotly's z is row-major with rows along y: z[i][j] is (x_j, y_i).
  const grid: (SweepRow | undefined)[][] = yAxis.values.map((yv) =>
    xAxis.values.map((xv) => byCell.get(JSON.stringify([xv, yv]))));
  const zeroRows = rows.filter((r) => r[z] === 0);
  return {
    sweep, z, xAxis, yAxis,
    values: grid.map((row) => row.map((r) => (r ? (r[z] as number) : Number.NaN))),
    hover: grid.map((row) => row.map((r) => (r ? cellHover(r, [xAxis, yAxis], z) : ""))),
    slice: sliceText(sweep, [xAxis, yAxis], options.at),
    probability: PROBABILITY_COLUMNS.includes(z),
    zeroBound: Math.max(0, ...zeroRows.map((r) => r.pRaceHi)),
    unreliable: rows.filter((r) => (r as { reliable?: unknown }).reliable === false).map((r) => [r[xAxis.name] as number | string, r[yAxis.name] as number | string] as const),
    settledZero: sweep.manifest.engine === "rare" && zeroRows.every((r) => r.method === "explorer" || r.method === "exact"),
  };
}

/** The colour range of panels drawn together: the given one, or the decades of all their values. */
export function sharedDecades(panels: readonly HeatmapPanel[], zRange: unknown): Decades {
  const all = panels.flatMap((p) => p.values.flat());
  if (zRange !== undefined) return givenDecades("zRange", zRange, all);
  const floor = Math.min(...panels.map((p) => 3.7 / p.sweep.manifest.episodes));
  return decadeRange(all, floor);
}

/**
 * The panel's traces on axes `xref`/`yref` ("x", "x2", ...), coloured through
 * the figure's colour axis: the coloured cells, and the zero cells in grey.
 * `zeroBar`: the figure colours nothing, so the grey trace gets the colour
 * bar, saying what grey is (and the plot keeps the width of its neighbours).
 */
export function panelTraces(p: HeatmapPanel, xref = "x", yref = "y", zeroBar = false): Trace[] {
  const base: Trace = {
    type: "heatmap",
    x: [...p.xAxis.values],
    y: [...p.yAxis.values],
    xaxis: xref,
    yaxis: yref,
    hovertemplate: "%{text}<extra></extra>",
    // Each cell is drawn by one trace; the other has a gap there and stays quiet.
    hoverongaps: false,
  };
  if (!p.probability) {
    return [{ ...base, name: p.z, z: p.values.map((row) => row.map(jsonNumber)), text: p.hover, coloraxis: "coloraxis" }];
  }
  const isZero = (v: number) => v === 0;
  const colour: Trace = {
    ...base,
    name: p.z,
    z: logValues(p.values),
    text: p.hover.map((row, i) => row.map((h, j) => (isZero(p.values[i]![j]!) ? "" : h))),
    // The column's own values, so a reader of the spec need not undo log10.
    customdata: p.values.map((row) => row.map(jsonNumber)),
    coloraxis: "coloraxis",
  };
  if (!p.values.some((row) => row.some(isZero))) return [colour, ...unreliableTrace(p, xref, yref)];
  const nothingSeen = !p.values.some((row) => row.some((v) => v > 0));
  const zero: Trace = {
    ...base,
    name: `${p.z} = 0`,
    z: p.values.map((row) => row.map((v) => (isZero(v) ? 0 : null))),
    text: p.hover.map((row, i) => row.map((h, j) => (isZero(p.values[i]![j]!) ? h : ""))),
    colorscale: [[0, ZERO_COLOUR], [1, ZERO_COLOUR]],
    zmin: 0,
    zmax: 1,
    showscale: zeroBar,
    ...(zeroBar ? { colorbar: { title: { text: p.z }, tickvals: [0.5], ticktext: ["none seen"], len: 0.3 } } : {}),
  };
  return [...(nothingSeen ? [zero] : [colour, zero]), ...unreliableTrace(p, xref, yref)];
}

/** A rare-event sweep's unreliable cells, crossed out over their colour. */
function unreliableTrace(p: HeatmapPanel, xaxis: string, yaxis: string): Trace[] {
  if (p.unreliable.length === 0) return [];
  return [{
    type: "scatter", mode: "markers", name: "not reliable", xaxis, yaxis, showlegend: false, hoverinfo: "skip",
    x: p.unreliable.map(([x]) => x), y: p.unreliable.map(([, y]) => y),
    marker: { symbol: "x-thin-open", size: 12, color: "black", line: { width: 2 } },
  }];
}

/** The figure's colour axis: log decades with a colour bar for probabilities, else linear. */
export function colourAxis(panels: readonly HeatmapPanel[], zRange: unknown): JsonObject {
  const z = panels[0]!.z;
  if (panels[0]!.probability) return logColourAxis(sharedDecades(panels, zRange), `${z} (log scale)`);
  const axis: JsonObject = { colorscale: COLOURS, colorbar: { title: { text: z } } };
  if (zRange !== undefined) {
    const ok = Array.isArray(zRange) && zRange.length === 2 && zRange.every((v) => typeof v === "number" && Number.isFinite(v)) && zRange[0] < zRange[1];
    if (!ok) throw new InputError("zRange", zRange, "[lo, hi]: two numbers with lo < hi");
    const [lo, hi] = zRange as [number, number];
    const outside = panels.flatMap((p) => p.values.flat()).filter((v) => Number.isFinite(v) && (v < lo || v > hi));
    if (outside.length) throw new InputError("zRange", zRange, `a range holding every value drawn (${outside[0]} is outside)`);
    Object.assign(axis, { cmin: lo, cmax: hi });
  }
  return axis;
}

/** What a grey cell means, for the panels that have one. */
export function zeroNote(panels: readonly HeatmapPanel[]): string | undefined {
  const crossed = panels.some((p) => p.unreliable.length > 0) ? "; x: not reliable (its row says why)" : "";
  const withZeros = panels.filter((p) => p.probability && p.values.some((row) => row.some((v) => v === 0)));
  if (withZeros.length === 0) return crossed ? crossed.slice(2) : undefined;
  const z = withZeros[0]!.z;
  if (withZeros.every((p) => p.settledZero)) return `grey: ${z} = 0 by exhaustive search or the exact solver${crossed}`;
  if (withZeros.every((p) => p.sweep.manifest.engine === "rare")) {
    const bound = Math.max(...withZeros.map((p) => p.zeroBound));
    return `grey: ${z} = 0 by exhaustive search, or no race reached: pRace < ${fmtP(bound)} (95%)${crossed}`;
  }
  const episodes = [...new Set(withZeros.map((p) => p.sweep.manifest.episodes))].map(fmtCount).join(" or ");
  if (z !== "pRace") return `grey: ${z} = 0, none seen in ${episodes} episodes`;
  const bound = Math.max(...withZeros.map((p) => p.zeroBound));
  return `grey: no race in ${episodes} episodes: pRace < ${fmtP(bound)} (95%)${crossed}`;
}

export function noteAnnotation(text: string): JsonObject {
  return {
    text, xref: "paper", yref: "paper", x: 1, y: 1.02, xanchor: "right", yanchor: "bottom",
    showarrow: false, font: { size: 11, color: ZERO_TEXT_COLOUR },
  };
}

export function heatmap(sweep: SweepData, options: HeatmapOptions): Figure {
  checkHeatmapOptions(options);
  const p = heatmapPanel(sweep, options);
  const layout: JsonObject = {
    title: { text: options.title ?? `${p.z} of ${sweep.manifest.scenario}${p.slice}; ${samplingText(sweep)}` },
    xaxis: axisLayout(p.xAxis),
    yaxis: axisLayout(p.yAxis),
    ...(p.probability && !p.values.some((row) => row.some((v) => v > 0)) ? {} : { coloraxis: colourAxis([p], options.zRange) }),
    margin: { t: 70, r: 20, b: 60, l: 80 },
  };
  const note = zeroNote([p]);
  if (note) layout.annotations = [noteAnnotation(note)];
  return { data: panelTraces(p, "x", "y", p.probability && !("coloraxis" in layout)), layout };
}
