/**
 * Samplers for the model's delay distributions, each bound to a uniform source
 * (d3-random's `.source()` pattern). Besides the plain law, the size-biased and
 * equilibrium laws that the unmap instant needs (see model/entry.ts).
 */
import { randomExponential, randomGamma, randomLogNormal, randomUniform } from "d3-random";
import type { Distribution } from "../model/distribution.js";
import { mean } from "../model/distribution.js";
import type { Uniform } from "./stream.js";

export type Sampler = () => number;

export function sampler(d: Distribution, u: Uniform): Sampler {
  switch (d.kind) {
    case "fixed": { const v = d.value; return () => v; }
    case "exponential": return randomExponential.source(u)(1 / d.mean);
    case "uniform": return randomUniform.source(u)(d.min, d.max);
    case "lognormal": return randomLogNormal.source(u)(Math.log(d.median), d.sigma);
    case "empirical": { const xs = d.samples, n = xs.length; return () => xs[Math.floor(u() * n)]!; }
  }
}

/** The length-biased law: density x f(x) / mean. */
export function sizeBiasedSampler(d: Distribution, u: Uniform): Sampler {
  switch (d.kind) {
    case "fixed": return sampler(d, u);
    // x e^{-x/m} / m^2: a Gamma(2, m).
    case "exponential": return randomGamma.source(u)(2, d.mean);
    case "uniform": {
      const a2 = d.min * d.min, span = d.max * d.max - a2;
      return () => Math.sqrt(a2 + u() * span);
    }
    // Tilting a log-normal by x moves its log-mean by sigma^2.
    case "lognormal": return randomLogNormal.source(u)(Math.log(d.median) + d.sigma * d.sigma, d.sigma);
    case "empirical": {
      const xs = d.samples, cum: number[] = [];
      let total = 0;
      for (const x of xs) cum.push((total += x));
      return () => {
        const target = u() * total;
        let lo = 0, hi = cum.length - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid]! > target) hi = mid; else lo = mid + 1; }
        return xs[lo]!;
      };
    }
  }
}

/** The equilibrium (stationary-excess) law: a uniform point of a size-biased draw. */
export function equilibriumSampler(d: Distribution, u: Uniform): Sampler {
  if (d.kind === "exponential") return sampler(d, u);
  if (mean(d) === 0) return () => 0;
  const biased = sizeBiasedSampler(d, u);
  return () => u() * biased();
}
