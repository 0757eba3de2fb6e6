/**
 * A binomial proportion with its exact (Clopper-Pearson) interval. Exact, not
 * Wilson: rare events are the point, and with 0 races in n episodes the upper
 * bound must still be the honest 1 - (alpha/2)^(1/n), about 3.7/n.
 */
import betaQuantile from "@stdlib/stats-base-dists-beta-quantile";
import type { Count, Probability } from "../model/units.js";

export type Interval = readonly [lo: Probability, hi: Probability];

export function clopperPearson(successes: Count, trials: Count, confidence = 0.95): Interval {
  if (trials === 0) return [0, 1];
  const a = (1 - confidence) / 2;
  const lo = successes === 0 ? 0 : betaQuantile(a, successes, trials - successes + 1);
  const hi = successes === trials ? 1 : betaQuantile(1 - a, successes + 1, trials - successes);
  return [lo, hi];
}
