/** Summaries of a cost's distribution over episodes. */

export interface CostSummary {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Mean and nearest-rank quantiles. Sorts `values` in place. */
export function summarize(values: Float64Array): CostSummary {
  const n = values.length;
  if (n === 0) return { mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  values.sort();
  const rank = (q: number) => values[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  return { mean: sum / n, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: values[n - 1]! };
}
