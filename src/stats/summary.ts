/** Summaries of a cost's distribution over episodes. */
import { type Histogram, quantile } from "./histogram.js";

export interface CostSummary {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** Mean and max exact; quantiles as precise as the histogram (see histogram.ts). */
export function summarize(h: Histogram): CostSummary {
  if (h.n === 0) return { mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  return { mean: h.sum / h.n, p50: quantile(h, 0.5), p90: quantile(h, 0.9), p99: quantile(h, 0.99), max: h.max };
}
