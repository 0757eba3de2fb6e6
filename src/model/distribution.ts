import { InputError } from "./errors.js";
import type { Microseconds } from "./units.js";

/**
 * A delay distribution, as plain data. Every delay of the model (walk time,
 * preemption length, flush time, ...) is one of these, in µs.
 */
export type Distribution =
  | { readonly kind: "fixed"; readonly value: Microseconds }
  | { readonly kind: "exponential"; readonly mean: Microseconds }
  | { readonly kind: "uniform"; readonly min: Microseconds; readonly max: Microseconds }
  | { readonly kind: "lognormal"; readonly median: Microseconds; readonly sigma: number }
  | { readonly kind: "empirical"; readonly samples: readonly Microseconds[]; readonly source?: string };

/** What users may write for a delay: a number (fixed), a short string, or the object. */
export type DistributionInput = number | string | Distribution;

/** Every form a delay may take; csv:PATH:COLUMN is read by parseParam (src/model/empirical.ts). */
export const DISTRIBUTION_FORMS =
  "a number >= 0 (fixed), exp:MEAN, uniform:MIN:MAX, lognormal:MEDIAN:SIGMA, csv:PATH:COLUMN, or {kind: 'empirical', samples: [...]}";

export const fixed = (value: Microseconds): Distribution => ({ kind: "fixed", value });
export const exponential = (mean: Microseconds): Distribution => ({ kind: "exponential", mean });
export const uniform = (min: Microseconds, max: Microseconds): Distribution => ({ kind: "uniform", min, max });
export const lognormal = (median: Microseconds, sigma: number): Distribution => ({ kind: "lognormal", median, sigma });
export const empirical = (samples: readonly Microseconds[], source?: string): Distribution =>
  source === undefined ? { kind: "empirical", samples } : { kind: "empirical", samples, source };

/** Parses and validates a delay; throws InputError naming `field`. */
export function parseDistribution(field: string, input: unknown): Distribution {
  const bad = () => new InputError(field, input, DISTRIBUTION_FORMS);
  if (typeof input === "number") return checked(field, input, fixed(input));
  if (typeof input === "string") {
    const parts = input.trim().split(":");
    const nums = parts.slice(1).map(numberOrNaN);
    const head = parts[0]!.toLowerCase();
    if (parts.length === 1 && input.trim() !== "") return checked(field, input, fixed(numberOrNaN(head)));
    if ((head === "exp" || head === "exponential") && nums.length === 1) return checked(field, input, exponential(nums[0]!));
    if (head === "uniform" && nums.length === 2) return checked(field, input, uniform(nums[0]!, nums[1]!));
    if (head === "lognormal" && nums.length === 2) return checked(field, input, lognormal(nums[0]!, nums[1]!));
    throw bad();
  }
  if (typeof input === "object" && input !== null && "kind" in input) {
    const d = input as Record<string, unknown>;
    switch (d.kind) {
      case "fixed": return checked(field, input, fixed(d.value as number));
      case "exponential": return checked(field, input, exponential(d.mean as number));
      case "uniform": return checked(field, input, uniform(d.min as number, d.max as number));
      case "lognormal": return checked(field, input, lognormal(d.median as number, d.sigma as number));
      case "empirical": {
        if (!Array.isArray(d.samples)) throw bad();
        const source = typeof d.source === "string" ? d.source : undefined;
        // A frozen list (a CSV column as read, shared by every reference to it) needs no copy of its own.
        return checked(field, input, empirical(Object.isFrozen(d.samples) ? d.samples : d.samples.slice() as number[], source));
      }
    }
  }
  throw bad();
}

function numberOrNaN(s: string): number {
  return s.trim() === "" ? NaN : Number(s);
}

const finiteNonNegative = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x >= 0;

function checked(field: string, input: unknown, d: Distribution): Distribution {
  const fail = (allowed: string) => new InputError(field, input, allowed);
  switch (d.kind) {
    case "fixed":
      if (!finiteNonNegative(d.value)) throw fail("a fixed time: a finite number of µs >= 0");
      return d;
    case "exponential":
      if (!finiteNonNegative(d.mean) || d.mean === 0) throw fail("exp:MEAN with a finite MEAN > 0 µs");
      return d;
    case "uniform":
      if (!finiteNonNegative(d.min) || !finiteNonNegative(d.max) || d.min > d.max)
        throw fail("uniform:MIN:MAX with finite 0 <= MIN <= MAX µs");
      return d;
    case "lognormal":
      if (!finiteNonNegative(d.median) || d.median === 0 || !finiteNonNegative(d.sigma))
        throw fail("lognormal:MEDIAN:SIGMA with MEDIAN > 0 µs and SIGMA >= 0, both finite");
      return d;
    case "empirical":
      if (d.samples.length === 0 || !d.samples.every(finiteNonNegative))
        throw fail("an empirical distribution: a non-empty list of finite times >= 0 µs");
      return d;
  }
}

/** The mean, in µs. */
export function mean(d: Distribution): Microseconds {
  switch (d.kind) {
    case "fixed": return d.value;
    case "exponential": return d.mean;
    case "uniform": return (d.min + d.max) / 2;
    case "lognormal": return d.median * Math.exp((d.sigma * d.sigma) / 2);
    case "empirical": return d.samples.reduce((a, b) => a + b, 0) / d.samples.length;
  }
}

/** The short form users type (`exp:5`), or a summary for empirical data. */
export function formatDistribution(d: Distribution): string {
  switch (d.kind) {
    case "fixed": return String(d.value);
    case "exponential": return `exp:${d.mean}`;
    case "uniform": return `uniform:${d.min}:${d.max}`;
    case "lognormal": return `lognormal:${d.median}:${d.sigma}`;
    case "empirical": return `empirical(n=${d.samples.length}${d.source ? `, ${d.source}` : ""})`;
  }
}
