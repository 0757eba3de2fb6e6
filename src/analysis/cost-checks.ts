/**
 * What the cost figures of a result read back must satisfy, whatever the
 * protocol: they summarise one non-negative value per episode over n
 * episodes (IPIs: a whole number each). So the figures are finite, the
 * quantiles rise up to the max, the mean lies between max / n and the max,
 * a q-quantile v has n - ceil(q n) + 1 values at or above it (so the mean is
 * at least v (n - ceil(q n) + 1) / n), and the IPIs' mean times n is whole.
 * A figure that breaks one of these is damage. Relations between costs are
 * not checked: a protocol of the user's may wait after it returns, or free
 * before.
 */
import { InputError } from "../model/errors.js";

export interface CostFigures {
  readonly mean: number;
  readonly p50?: number;
  readonly p90?: number;
  readonly p99?: number;
  readonly max?: number;
}
type Stat = keyof CostFigures;

/** Costs counted in whole numbers per episode. */
const WHOLE = new Set(["ipis"]);
const QUANTILES = [["p50", 0.5], ["p90", 0.9], ["p99", 0.99]] as const;
/** A quantile is given within its histogram bin (64 per octave, src/stats/histogram.ts): room for two bins. */
const BIN = 2 ** (2 / 64);
/** Quantiles in the histogram's first or overflow bin (below 2^-29 µs, from 2^50 µs) are clamped to a side, so they bound nothing. */
const UNDERFLOW = 2 ** -29;
const OVERFLOW = 2 ** 50;
/** Means are sums over a count in floating point. */
const ROUNDING = 1e-9;

const damaged = "(the file is damaged)";

/**
 * Throws InputError at the first figure of cost `cost` over `n` episodes
 * that no run gives; `name(stat)` is the figure's column (`waitUsP99`,
 * `costs.waitUs.p99`) and `at(column)` places it in the file.
 */
export function checkCost(cost: string, c: CostFigures, n: number, name: (stat: Stat) => string, at: (column: string) => string): void {
  const field = (s: Stat) => at(name(s));
  const given = (["mean", "p50", "p90", "p99", "max"] as const).filter((s) => c[s] !== undefined);
  for (const s of given)
    if (!(Number.isFinite(c[s]) && c[s]! >= 0)) throw new InputError(field(s), c[s], `a finite number >= 0 ${damaged}`);
  const rising = given.filter((s) => s !== "mean");
  for (let i = 1; i < rising.length; i++)
    if (c[rising[i]!]! < c[rising[i - 1]!]!)
      throw new InputError(field(rising[i]!), c[rising[i]!], `at least ${name(rising[i - 1]!)} ${c[rising[i - 1]!]}: quantiles rise to the max ${damaged}`);
  const { mean, max } = c;
  if (max !== undefined) {
    if (mean > max * (1 + ROUNDING)) throw new InputError(field("mean"), mean, `at most the max ${max} ${damaged}`);
    if (mean < (max / n) * (1 - ROUNDING)) throw new InputError(field("mean"), mean, `at least max / episodes = ${max / n}: the max is one of ${n} values none below 0 ${damaged}`);
  }
  for (const [s, q] of QUANTILES) {
    const v = c[s];
    if (v === undefined || v < UNDERFLOW || v >= OVERFLOW) continue;
    const above = n - Math.max(1, Math.ceil(q * n)) + 1;
    const least = ((v / BIN) * above) / n;
    if (mean < least * (1 - ROUNDING))
      throw new InputError(field("mean"), mean, `at least ${least}: ${name(s)} is ${v}, so ${above} of the ${n} episodes cost about that or more ${damaged}`);
  }
  if (WHOLE.has(cost)) {
    const total = mean * n;
    if (Math.abs(total - Math.round(total)) > ROUNDING * Math.max(1, total))
      throw new InputError(field("mean"), mean, `a whole number over ${n} episodes (each counts whole ${cost}); mean x episodes is ${total} ${damaged}`);
    if (max !== undefined && !Number.isInteger(max)) throw new InputError(field("max"), max, `a whole number of ${cost} ${damaged}`);
  }
}
