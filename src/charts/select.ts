/**
 * Picking what a chart draws from a sweep: which axes, which column, which
 * cells. Options are checked here once, at the edge, so the chart builders
 * see clean values; errors name the field and what is allowed.
 */
import type { Axis, AxisValue } from "../analysis/grid.js";
import type { SweepData, SweepRow } from "../analysis/sweep.js";
import { InputError } from "../model/errors.js";
import { fmtNumber } from "../text/format.js";

/** Values for axes that the chart does not draw: the cells to keep. */
export type Fixed = Readonly<Record<string, AxisValue>>;

/** The sweep's axis called `name`; `field` is the option that named it. */
export function pickAxis(sweep: SweepData, field: string, name: unknown): Axis {
  const axis = sweep.axes.find((a) => a.name === name);
  if (!axis) throw new InputError(field, name, `an axis of the sweep: one of ${axisNames(sweep)}`);
  return axis;
}

/**
 * A numeric column of the rows that is not an axis (pRace, races, costs...).
 * `cell` is left out: a cell's number is an index, not a result.
 */
export function pickColumn(sweep: SweepData, field: string, name: unknown): string {
  const columns = numericColumns(sweep);
  if (typeof name !== "string" || !columns.includes(name)) throw new InputError(field, name, `a column of the sweep: one of ${columns.join(", ")}`);
  return name;
}

export function numericColumns(sweep: SweepData): string[] {
  const first = sweep.rows[0];
  if (!first) return [];
  const axes = new Set(sweep.axes.map((a) => a.name as string));
  return Object.keys(first).filter((k) => k !== "cell" && !axes.has(k) && typeof first[k] === "number");
}

/**
 * The rows where every axis the chart does not draw has one value: the one
 * in `at`, or the axis's only value. A chart over two axes of a three-axis
 * sweep would otherwise stack several cells on one point.
 */
export function cellsAt(sweep: SweepData, drawn: readonly Axis[], at: Fixed = {}): SweepRow[] {
  const fixed = fixedAxes(sweep, drawn, at);
  return sweep.rows.filter((r) => fixed.every(([name, value]) => r[name] === value));
}

/**
 * The axes the chart does not draw, each with the value its cells have:
 * the one in `at`, or the axis's only value. Checked here: every axis named
 * in `at` exists, is not drawn, and has that value.
 */
export function fixedAxes(sweep: SweepData, drawn: readonly Axis[], at: Fixed = {}): [string, AxisValue][] {
  if (typeof at !== "object" || at === null) throw new InputError("at", at, "an object of axis names to values");
  const drawnNames = new Set(drawn.map((a) => a.name as string));
  for (const name of Object.keys(at)) {
    const axis = pickAxis(sweep, `at.${name}`, name);
    if (drawnNames.has(name)) throw new InputError(`at.${name}`, at[name], "nothing: the chart draws this axis");
    if (!axis.values.includes(at[name]!)) throw new InputError(`at.${name}`, at[name], `one of ${axis.values.join(", ")}`);
  }
  const fixed: [string, AxisValue][] = [];
  for (const axis of sweep.axes) {
    if (drawnNames.has(axis.name)) continue;
    const value = at[axis.name] ?? (axis.values.length === 1 ? axis.values[0] : undefined);
    if (value === undefined)
      throw new InputError(`at.${axis.name}`, undefined, `one of ${axis.values.join(", ")} (the sweep varies ${axis.name}; choose the cells to draw)`);
    fixed.push([axis.name, value]);
  }
  return fixed;
}

/** " at memoryPressure 0.5": the slice a chart draws of a sweep with more axes, for its title. */
export function sliceText(sweep: SweepData, drawn: readonly Axis[], at: Fixed = {}): string {
  const varied = new Set(sweep.axes.filter((a) => a.values.length > 1).map((a) => a.name as string));
  const parts = fixedAxes(sweep, drawn, at).filter(([name]) => varied.has(name))
    .map(([name, v]) => `${name} ${typeof v === "number" ? fmtNumber(v) : v}`);
  return parts.length ? ` at ${parts.join(", ")}` : "";
}

/** "2000 episodes per cell, random seed 1": what every cell of a sweep was sampled with. */
export function samplingText(sweep: SweepData): string {
  if (sweep.manifest.engine === "rare")
    return `each cell to ${100 * (sweep.manifest.options?.relError ?? 0.1)}% relative error or settled exactly, random seed ${sweep.manifest.seed}`;
  return `${sweep.manifest.episodes} episodes per cell, random seed ${sweep.manifest.seed}`;
}

/** A key for a cell by its values on the drawn axes. */
export function cellKey(row: SweepRow, axes: readonly Axis[]): string {
  return JSON.stringify(axes.map((a) => row[a.name]));
}

function axisNames(sweep: SweepData): string {
  return sweep.axes.map((a) => a.name).join(", ") || "(none)";
}
