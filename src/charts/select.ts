/**
 * Picking what a chart draws from a sweep: which axes, which column, which
 * cells. Options are checked here once, at the edge, so the chart builders
 * see clean values; errors name the field and what is allowed.
 */
import type { Axis, AxisValue } from "../analysis/grid.js";
import type { SweepData, SweepRow } from "../analysis/sweep.js";
import { InputError } from "../model/errors.js";

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
  return sweep.rows.filter((r) => fixed.every(([name, value]) => r[name] === value));
}

/** A key for a cell by its values on the drawn axes. */
export function cellKey(row: SweepRow, axes: readonly Axis[]): string {
  return JSON.stringify(axes.map((a) => row[a.name]));
}

function axisNames(sweep: SweepData): string {
  return sweep.axes.map((a) => a.name).join(", ") || "(none)";
}
