/**
 * Draws for the rare-event estimator: every delay by its inverse CDF from one
 * uniform, each uniform from its site's proposal (src/engines/rare/draws.ts),
 * so that tilting the uniforms tilts any distribution kind. Where u is near 1
 * the samplers read v = 1 - u, which the proposal keeps exact, so a walk in
 * the 1e-12 upper tail of a lognormal is drawn as precisely as one in the
 * lower. The same laws as ./samplers.ts, by another route: the numbers agree
 * in distribution, not draw for draw.
 */
import { type Distribution, mean } from "../../../model/distribution.js";
import { Constants, type Draws, type SamplerCode } from "./samplers.js";

const stateless = (draw: (target: string) => string): SamplerCode => ({ locals: [], draw });

/** Sorted copies: the inverse CDF of an empirical law reads its order statistics. */
const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);

export function tiltedDraws(k: Constants, sites: string[]): Draws {
  const site = (name: string): number => {
    let i = sites.indexOf(name);
    if (i < 0) i = sites.push(name) - 1;
    return i;
  };
  const uniform = (name: string) => `u = draw(${site(name)}); v = V[0];`;

  /** The inverse CDF of `d` at (u, v) into `target`. */
  const quantile = (id: string, d: Distribution, name: string): SamplerCode => {
    switch (d.kind) {
      case "fixed": {
        const x = k.number(`${id}v`, d.value);
        return stateless((target) => `${target} = ${x};`);
      }
      case "exponential": {
        const lam = k.number(`${id}lam`, 1 / d.mean);
        return stateless((target) => `${uniform(name)} ${target} = (u < 0.5 ? -Math.log1p(-u) : -Math.log(v)) / ${lam};`);
      }
      case "uniform": {
        const min = k.number(`${id}min`, d.min), max = k.number(`${id}max`, d.max), span = k.number(`${id}span`, d.max - d.min);
        return stateless((target) => `${uniform(name)} ${target} = u < 0.5 ? ${min} + u * ${span} : ${max} - v * ${span};`);
      }
      case "lognormal": {
        const mu = k.number(`${id}mu`, Math.log(d.median)), sigma = k.number(`${id}sigma`, d.sigma);
        return stateless((target) => `${uniform(name)} ${target} = Math.exp(${mu} + ${sigma} * (u < 0.5 ? nq(u) : -nq(v)));`);
      }
      case "empirical": {
        const xs = k.array(`${id}xs`, sorted(d.samples)), n = k.number(`${id}n`, d.samples.length);
        return stateless((target) => `${uniform(name)} ${target} = ${xs}[Math.min(${n} - 1, Math.floor(u * ${n}))];`);
      }
    }
  };

  /** The size-biased law's inverse CDF (density x f(x) / mean). */
  const sizeBiased = (id: string, d: Distribution, name: string): SamplerCode => {
    switch (d.kind) {
      case "fixed": return quantile(id, d, name);
      case "exponential": throw new Error("compile: the exponential's equilibrium law is its own");
      case "uniform": {
        const a2 = k.number(`${id}a2`, d.min * d.min), b2 = k.number(`${id}b2`, d.max * d.max);
        const span = k.number(`${id}span`, d.max * d.max - d.min * d.min);
        return stateless((target) => `${uniform(name)} ${target} = Math.sqrt(u < 0.5 ? ${a2} + u * ${span} : ${b2} - v * ${span});`);
      }
      case "lognormal": return quantile(id, { ...d, median: d.median * Math.exp(d.sigma * d.sigma) }, name);
      case "empirical": {
        const xs = sorted(d.samples), cum: number[] = [];
        let total = 0;
        for (const x of xs) cum.push((total += x));
        const s = k.array(`${id}xs`, xs), c = k.array(`${id}cum`, cum), tot = k.number(`${id}total`, total);
        return stateless((target) =>
          `${uniform(name)} w = u < 0.5 ? u * ${tot} : ${tot} - v * ${tot}; lo = 0; hi = ${c}.length - 1; ` +
          `while (lo < hi) { mid = (lo + hi) >> 1; if (${c}[mid] > w) hi = mid; else lo = mid + 1; } ` +
          `${target} = ${s}[lo];`);
      }
    }
  };

  return {
    kind: "tilted",
    uniform,
    clock: (id, d, name) => quantile(id, d, name),
    rate: (id, perMs, name) => {
      const perUs = perMs / 1000;
      return perUs > 0 ? quantile(id, { kind: "exponential", mean: 1 / perUs }, name) : stateless((target) => `${target} = Infinity;`);
    },
    equilibrium: (id, d, name) => {
      if (d.kind === "exponential") return quantile(id, d, name);
      if (mean(d) === 0) return stateless((target) => `${target} = 0;`);
      const size = sizeBiased(`${id}b`, d, `${name}: size-biased length`);
      return { locals: [], draw: (target) => `${uniform(`${name}: point in it`)} y = u; ${size.draw("b")} ${target} = y * b;` };
    },
  };
}
