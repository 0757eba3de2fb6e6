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

/**
 * Ticks for a log axis whose values span less than a decade, where Plotly's
 * 1-2-5 ticks leave one label or none (0.64 to 0.999 shows only "1"): evenly
 * spaced round values, at least two, inside the values' range.
 */
export function narrowLogTicks(values: readonly number[]): { tickvals: number[]; ticktext: string[] } | undefined {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return undefined;
  const lo = Math.min(...positive), hi = Math.max(...positive);
  if (hi / lo >= 10) return undefined;
  const span = hi > lo ? hi - lo : lo;
  const magnitude = 10 ** Math.floor(Math.log10(span));
  for (const f of [2, 1, 0.5, 0.2, 0.1]) {
    const step = f * magnitude;
    const first = Math.ceil(lo / step - 1e-9), last = Math.floor(hi / step + 1e-9);
    if (last - first + 1 >= 2) {
      const tickvals = Array.from({ length: last - first + 1 }, (_, k) => Number(((first + k) * step).toPrecision(12))).filter((v) => v > 0);
      if (tickvals.length >= 2) return { tickvals, ticktext: tickvals.map(tickLabel) };
    }
  }
  // One value, or values too close for round ticks: the ends themselves.
  const ends = hi > lo ? [lo, hi] : [lo / 1.5, lo * 1.5];
  return { tickvals: ends, ticktext: ends.map(tickLabel) };
}

/** Short tick labels: 0.01, 0.0251 -> "0.025", 100. */
export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
  return String(Number(v.toPrecision(2)));
}
