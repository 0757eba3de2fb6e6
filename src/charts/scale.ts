/**
 * Position scales for sweep axes. An axis is drawn on a log scale when its
 * values are all numbers > 0, at least three, increasing, with a constant
 * ratio between neighbours (as `logRange` makes them) and not a constant
 * difference (as `range` makes them). Text values (flush, tableFree) are
 * categories; everything else is linear.
 */
import type { Axis, AxisValue } from "../analysis/grid.js";
import { paramSpec } from "../model/params.js";
import type { JsonObject } from "./figure.js";

export type ScaleType = "log" | "linear" | "category";

const TOLERANCE = 1e-6;

export function scaleType(values: readonly AxisValue[]): ScaleType {
  if (!values.every((v): v is number => typeof v === "number")) return "category";
  return isLogSpaced(values) ? "log" : "linear";
}

export function isLogSpaced(values: readonly number[]): boolean {
  if (values.length < 3 || !values.every((v) => v > 0 && Number.isFinite(v))) return false;
  const ratio = values[1]! / values[0]!;
  const step = values[1]! - values[0]!;
  if (ratio === 1 || !Number.isFinite(ratio)) return false;
  const sameRatio = values.every((v, i) => i === 0 || Math.abs(v / values[i - 1]! / ratio - 1) < TOLERANCE);
  const sameStep = values.every((v, i) => i === 0 || Math.abs((v - values[i - 1]!) / step - 1) < TOLERANCE);
  return sameRatio && !sameStep;
}

/** The axis title: the parameter's name and its unit. */
export function axisTitle(name: string): string {
  const unit = paramSpec(name).unit;
  return unit ? `${name} (${unit})` : name;
}

/** A Plotly axis for a sweep axis. */
export function axisLayout(axis: Axis): JsonObject {
  const type = scaleType(axis.values);
  const layout: JsonObject = { title: { text: axisTitle(axis.name) }, type };
  // Powers of ten, not SI prefixes: Plotly would write memoryPressure 1e-4 as "100µ".
  if (type !== "category") layout.exponentformat = "power";
  // Every value as a tick keeps the sweep's grid visible; ten or so fit.
  if (type !== "category" && axis.values.length <= 12) {
    layout.tickvals = [...axis.values];
    layout.ticktext = axis.values.map((v) => tickLabel(v as number));
  } else if (type === "log") {
    layout.dtick = logDtick(axis.values as number[]);
  }
  return layout;
}

/**
 * Ticks of a log axis over `values`: decades only when they span three or
 * more (the 2 and 5 between them crowd the labels), else 1, 2, 5 per decade.
 */
export function logDtick(values: readonly number[]): number | string {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return "D2";
  return Math.log10(Math.max(...positive) / Math.min(...positive)) >= 3 ? 1 : "D2";
}

/** Short tick labels: 0.01, 0.0251 -> "0.025", 100. */
export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
  return String(Number(v.toPrecision(2)));
}
