/**
 * A histogram of measured samples of a delay against the distribution the
 * model would use otherwise: both as the share of their mass in each bin,
 * on the same bins, so the two shapes compare directly. The bins span the
 * samples and the default's middle 99%, spaced on a log scale when that
 * spreads over more than two decades.
 */
import cdfNormal from "@stdlib/stats-base-dists-normal-cdf";
import { type Distribution, formatDistribution } from "../model/distribution.js";
import { InputError } from "../model/errors.js";
import type { Figure, Trace } from "./figure.js";

export interface SamplesChartOptions {
  /** The delay's name, for the title and axis. */
  readonly name: string;
  /** What the samples are drawn against (the model's default); none: the samples alone. */
  readonly against?: Distribution;
  /** Bins (default 40). */
  readonly bins?: number;
  /** Log x (default: when the bins span more than two decades). */
  readonly logX?: boolean;
  readonly title?: string;
}

/** P(X <= x) for a delay distribution. */
export function cdf(d: Distribution, x: number): number {
  switch (d.kind) {
    case "fixed": return x >= d.value ? 1 : 0;
    case "exponential": return x <= 0 ? 0 : 1 - Math.exp(-x / d.mean);
    case "uniform": return d.max === d.min ? (x >= d.min ? 1 : 0) : Math.min(1, Math.max(0, (x - d.min) / (d.max - d.min)));
    case "lognormal": return x <= 0 ? 0 : d.sigma === 0 ? (x >= d.median ? 1 : 0) : cdfNormal(Math.log(x), Math.log(d.median), d.sigma);
    case "empirical": return d.samples.filter((s) => s <= x).length / d.samples.length;
  }
}

/** P(a < X <= b). */
export function probabilityIn(d: Distribution, a: number, b: number): number {
  return cdf(d, b) - cdf(d, a);
}

/** The least x with P(X <= x) >= q, to a part in 1e9 (bisection: every form has a cdf, not all a quantile). */
export function quantileOf(d: Distribution, q: number): number {
  let lo = 0, hi = 1;
  while (cdf(d, hi) < q) hi *= 2;
  for (let i = 0; i < 100 && hi - lo > hi * 1e-9; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(d, mid) >= q) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Bin edges over [lo, hi]: `n` bins, even on a log scale when `log`. */
export function binEdges(lo: number, hi: number, n: number, log: boolean): number[] {
  if (hi <= lo) hi = lo + (lo > 0 ? lo * 1e-6 : 1e-6);
  return Array.from({ length: n + 1 }, (_, i) =>
    i === n ? hi : log ? Math.exp(Math.log(lo) + ((Math.log(hi) - Math.log(lo)) * i) / n) : lo + ((hi - lo) * i) / n);
}

export function samplesChart(samples: readonly number[], o: SamplesChartOptions): Figure {
  if (!Array.isArray(samples) || samples.length === 0) throw new InputError("samples", samples, "a non-empty list of times in us");
  const n = o.bins ?? 40;
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InputError("bins", o.bins, "a whole number from 1 to 1000");
  const sorted = [...samples].sort((a, b) => a - b);
  // The bins cover the samples and the bulk of the default, so each shape shows beside the other.
  const lo = Math.min(sorted[0]!, o.against ? quantileOf(o.against, 0.005) : Infinity);
  const hi = Math.max(sorted[sorted.length - 1]!, o.against ? quantileOf(o.against, 0.995) : -Infinity);
  const log = o.logX ?? (lo > 0 && hi / lo > 100);
  if (log && lo <= 0) throw new InputError("logX", true, "false: a sample is 0, which a log axis cannot show");
  const edges = binEdges(lo, hi, n, log);
  const counts = new Array<number>(n).fill(0);
  let j = 0;
  for (const x of sorted) {
    while (j < n - 1 && x > edges[j + 1]!) j++;
    counts[j]!++;
  }
  // Steps over the bin edges ("hv": each value holds to the next edge), so bins keep their edges on a log axis too.
  const steps = (shares: readonly number[]) => [...shares, shares[shares.length - 1]!];
  const data: Trace[] = [{
    type: "scatter", mode: "lines", name: `measured (n=${samples.length})`, x: edges, y: steps(counts.map((c) => c / samples.length)),
    line: { color: "#1f77b4", shape: "hv", width: 1 }, fill: "tozeroy", fillcolor: "rgba(31,119,180,0.35)",
    hovertemplate: "from %{x:.3g} us: %{y:.3f} of the samples<extra></extra>",
  }];
  if (o.against) {
    // The first bin takes everything below it, the last everything above: the default's tails are not lost.
    const mass = edges.slice(0, -1).map((a, i) => probabilityIn(o.against!, i === 0 ? -Infinity : a, i === n - 1 ? Infinity : edges[i + 1]!));
    data.push({
      type: "scatter", mode: "lines", name: `default ${formatDistribution(o.against)}`, x: edges, y: steps(mass),
      line: { color: "#d62728", shape: "hv", width: 2 },
      hovertemplate: "from %{x:.3g} us: %{y:.3f} of the default's mass<extra></extra>",
    });
  }
  return {
    data,
    layout: {
      title: { text: o.title ?? `${o.name}: measured against ${o.against ? `the default ${formatDistribution(o.against)}` : "nothing"}` },
      xaxis: { title: { text: `${o.name} (us)` }, type: log ? "log" : "linear", exponentformat: "power" },
      yaxis: { title: { text: "share per bin" }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.2 },
    },
  };
}
