/**
 * Grids of parameter values: a base scenario and one or more axes. Cells are
 * numbered row-major in the order the axes are given (the first axis changes
 * slowest); a cell's number keys its random stream.
 */
import { InputError } from "../model/errors.js";
import { highQuantile } from "../model/limits.js";
import { DELAY_PARAMS, type ParamName, paramSpec, parseParam, resolveParams } from "../model/params.js";
import { type Scenario, withParams } from "../model/scenario.js";

export type AxisValue = number | string;
export interface Axis {
  readonly name: ParamName;
  readonly values: readonly AxisValue[];
}
export interface Grid {
  readonly scenario: Scenario;
  readonly axes: readonly Axis[];
}

export const MAX_CELLS = 1_000_000;

/** `n` evenly spaced values from `from` to `to`, both included. */
export function range(from: number, to: number, n: number): number[] {
  checkCount("range n", n);
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new InputError("range", [from, to], "finite bounds");
  if (n === 1) return [from];
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? to : from + ((to - from) * i) / (n - 1)));
}

/** `n` values from `from` to `to` evenly spaced on a log scale, both included. */
export function logRange(from: number, to: number, n: number): number[] {
  checkCount("logRange n", n);
  if (!(from > 0 && to > 0 && Number.isFinite(from) && Number.isFinite(to)))
    throw new InputError("logRange", [from, to], "finite bounds > 0");
  if (n === 1) return [from];
  const a = Math.log10(from), b = Math.log10(to);
  return Array.from({ length: n }, (_, i) =>
    i === 0 ? from : i === n - 1 ? to : Number((10 ** (a + ((b - a) * i) / (n - 1))).toPrecision(12)));
}

function checkCount(field: string, n: number) {
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InputError(field, n, "a whole number from 1 to 10000");
}

/** Builds and validates a grid: every value of every axis must be a valid value of its parameter in the scenario. */
export function grid(scenario: Scenario, axes: Readonly<Record<string, readonly AxisValue[]>>): Grid {
  if (typeof axes !== "object" || axes === null) throw new InputError("vary", axes, "an object of parameter names to lists of values");
  const list: Axis[] = Object.entries(axes).map(([name, values]) => {
    paramSpec(name);
    if (!Array.isArray(values) || values.length === 0) throw new InputError(`vary.${name}`, values, "a non-empty list of values");
    // Each value in the scenario, so a check across parameters (a walk of mean 0) fails here, before any work;
    // walkers against the most vCPUs the sweep has (checkWorstCell takes the fewest).
    const base = name === "walkers" && Array.isArray(axes.cpus) && axes.cpus.length > 0
      ? resolveParams({ cpus: Math.max(...axes.cpus.map((c) => resolveParams({ cpus: c }, { ...scenario.params, walkers: 1 }).cpus)) }, { ...scenario.params, walkers: 1 })
      : name === "cpus" && Array.isArray(axes.walkers) ? { ...scenario.params, walkers: 1 } : scenario.params;
    for (const v of values) resolveParams({ [name]: v }, base);
    return { name: name as ParamName, values: [...values] };
  });
  if (list.length === 0) throw new InputError("vary", axes, "at least one axis");
  if (list.length > 1) checkWorstCell(scenario, list);
  const cells = list.reduce((n, a) => n * a.values.length, 1);
  if (cells > MAX_CELLS) throw new InputError("vary", `${cells} cells`, `at most ${MAX_CELLS} cells`);
  return { scenario, axes: list };
}

/**
 * The limits (model/limits.ts) hold in every cell when they hold in the
 * cell that takes each axis at its worst: they grow with each delay's high
 * quantile and with preemptRate, and every value was checked on its own.
 */
function checkWorstCell(scenario: Scenario, list: readonly Axis[]): void {
  const worst: Record<string, AxisValue> = {};
  for (const a of list) {
    // walkers <= cpus - 1 in every cell: the fewest vCPUs against the most walkers.
    if (a.name === "cpus" || a.name === "walkers") {
      const xs = a.values.map((v) => parseParam(a.name, v) as number);
      worst[a.name] = a.values[xs.indexOf(a.name === "cpus" ? Math.min(...xs) : Math.max(...xs))]!;
      continue;
    }
    if (a.name !== "preemptRate" && !(DELAY_PARAMS as readonly string[]).includes(a.name)) continue;
    const size = (v: AxisValue) => {
      const p = resolveParams({ [a.name]: v }, scenario.params)[a.name];
      return typeof p === "number" ? p : typeof p === "object" ? highQuantile(p) : 0;
    };
    worst[a.name] = a.values.reduce((w, v) => (size(v) > size(w) ? v : w));
  }
  try {
    resolveParams(worst, scenario.params);
  } catch (e) {
    if (e instanceof InputError)
      throw new InputError(`vary (the cell ${Object.entries(worst).map(([k, v]) => `${k}=${v}`).join(", ")})`, e.value, `${e.field}: ${e.allowed}`);
    throw e;
  }
}

export function cellCount(g: Pick<Grid, "axes">): number {
  return g.axes.reduce((n, a) => n * a.values.length, 1);
}

/** The axis values of cell `index`. */
export function cellValues(g: Grid, index: number): Record<string, AxisValue> {
  const out: Record<string, AxisValue> = {};
  let rest = index;
  for (let k = g.axes.length - 1; k >= 0; k--) {
    const a = g.axes[k]!;
    out[a.name] = a.values[rest % a.values.length]!;
    rest = Math.floor(rest / a.values.length);
  }
  return out;
}

/** The scenario of cell `index`. */
export function cellScenario(g: Grid, index: number): Scenario {
  return withParams(g.scenario, cellValues(g, index));
}
