/**
 * The importance-sampling proposal: for every place an episode draws a
 * uniform (a "site": the unmap instant's coin, each step's clock, each
 * branch), a density on [0, 1) that is constant on bins. The bins are fine
 * near both ends, in quarter-decades of the distance from 0 or from 1 down to
 * 1e-15, and 0.05 wide in between, so a proposal can put most of its draws
 * where a rare race needs them: a batch allocation that fails with
 * probability 1e-9 (u < 1e-9), a walk in the far tail of a lognormal
 * (u > 1 - 1e-12), a flush faster than almost all (u near 0). Because every
 * delay is drawn by its inverse CDF, tilting the uniforms tilts every
 * distribution kind the same way, empirical ones included.
 *
 * A draw from bin k of site s has density q[s][k] / width[k] against the
 * uniform's 1, so it carries the likelihood ratio width[k] / q[s][k].
 */

/** One bin of [0, 1): on the `upper` side the bin is given by v = 1 - u, so u near 1 keeps its precision. */
export interface Bin {
  readonly upper: boolean;
  /** Start of the bin, in u (lower side) or in v = 1 - u (upper side). */
  readonly start: number;
  readonly width: number;
}

/** How far into each tail the bins reach: a draw can be steered to within 1e-30 of 0 or of 1. */
export const DEEPEST = 30;

/** Bins per decade of the distance from an end: a threshold inside a bin wastes at most 1 - 10^(-1/4) of its draws. */
const PER_DECADE = 4;

const tailEdges = (): number[] => {
  // 0, 1e-30, 10^-29.75, ..., 10^-1.25, 0.1: quarter-decades.
  const e = [0];
  for (let k = PER_DECADE * DEEPEST; k >= PER_DECADE; k--) e.push(10 ** (-k / PER_DECADE));
  return e;
};

function makeBins(): Bin[] {
  const tail = tailEdges();
  const lower: Bin[] = tail.slice(0, -1).map((a, i) => ({ upper: false, start: a, width: tail[i + 1]! - a }));
  const middle: Bin[] = Array.from({ length: 16 }, (_, i) => ({ upper: false, start: 0.1 + 0.05 * i, width: 0.05 }));
  // The upper side mirrors the lower, bins in order of increasing u.
  const upper: Bin[] = lower.map((b) => ({ ...b, upper: true })).reverse();
  return [...lower, ...middle, ...upper];
}

export const BINS: readonly Bin[] = makeBins();
export const NBINS = BINS.length;

/** The bins' lower ends in u, for finding a given u's bin. */
export const BIN_U_START: Float64Array = Float64Array.from(BINS, (b) => (b.upper ? 1 - (b.start + b.width) : b.start));

/** The bin of u in [0, 1). */
export function binOf(u: number): number {
  let lo = 0, hi = NBINS - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (BIN_U_START[mid]! <= u) lo = mid; else hi = mid - 1;
  }
  return lo;
}

import type { Hits } from "./draws.js";

/** Per site, the probability of each bin: `q[s * NBINS + k]`. */
export type Proposal = Float64Array;

/**
 * The start of the adaptation: half of the draws plain, half spread evenly
 * over the bins, so that each end's smallest bins are reached about once in
 * 500 draws instead of once in 1e30.
 */
export function initialProposal(sites: number): Proposal {
  const q = new Float64Array(sites * NBINS);
  BINS.forEach((b, k) => {
    for (let s = 0; s < sites; s++) q[s * NBINS + k] = 0.5 * b.width + 0.5 / NBINS;
  });
  return q;
}

/**
 * Hesterberg's defensive mixture, per site: a share of the draws stays plain,
 * so that no draw weighs more than 1 / DEFENSIVE, and a share stays spread
 * over all bins as at the start, so that a part of the race the adaptation
 * under-weighted is still drawn often enough to be counted.
 */
export const DEFENSIVE = 0.1, SPREAD = 0.1;
/** How much of an update is the new estimate; the rest is the proposal before it. */
export const SMOOTHING = 0.7;
/**
 * Draws a site's estimate counts as, before its own: a site whose draws in
 * racing episodes are few, or whose weight sits on a few of them (an
 * effective sample size of a few), is not moved far on that little evidence.
 */
export const PRIOR_DRAWS = 20;

/**
 * The cross-entropy update (Rubinstein and Kroese): each site's bins get
 * probabilities in proportion to the weighted draws that fell in them in
 * the episodes with the outcome, `mass[s * NBINS + k]`. The step from the
 * previous proposal towards them is SMOOTHING, shrunk by PRIOR_DRAWS
 * against the effective number of those draws (Kish's, from `mass2[s]`,
 * their squared weights); then the plain uniform and the spread are mixed
 * in. A site no such episode drew does not make the outcome: it goes back
 * to plain sampling.
 */
export function updateProposal(q: Proposal, mass: Float64Array, mass2: Float64Array, sites: number): Proposal {
  const next = new Float64Array(q.length);
  for (let s = 0; s < sites; s++) {
    let total = 0;
    for (let k = 0; k < NBINS; k++) total += mass[s * NBINS + k]!;
    const ess = mass2[s]! > 0 ? (total * total) / mass2[s]! : 0;
    const trust = ess / (ess + PRIOR_DRAWS);
    const seen = neighbours(mass.subarray(s * NBINS, (s + 1) * NBINS));
    for (let k = 0; k < NBINS; k++) {
      const i = s * NBINS + k, width = BINS[k]!.width;
      // Little evidence moves the proposal little: the rest stays where it was.
      const learned = total > 0 ? q[i]! + SMOOTHING * trust * (seen[k]! / total - q[i]!) : width;
      next[i] = (1 - DEFENSIVE - (total > 0 ? SPREAD : 0)) * learned + DEFENSIVE * width + (total > 0 ? SPREAD / NBINS : 0);
    }
  }
  return next;
}

/** Kish's effective sample size of weights w^tau. */
function essOf(w: Float64Array, tau: number): number {
  let s1 = 0, s2 = 0;
  for (const x of w) {
    const y = x ** tau;
    s1 += y;
    s2 += y * y;
  }
  return s2 > 0 ? (s1 * s1) / s2 : 0;
}

/** The effective sample size a stage's hits should keep once tempered. */
export const TEMPERED_ESS = 0.05;

/**
 * The exponent tau for the hits' weights in an update: 1 (plain cross
 * entropy) when their effective sample size is at least TEMPERED_ESS of
 * their number; otherwise the largest tau that keeps it so. Early
 * proposals give a few episodes nearly all the weight; learning from
 * w^tau still moves the proposal to where the outcome happens, and later
 * stages, with better proposals, reach tau = 1 (adaptive tempering, as in
 * sequential Monte Carlo).
 */
export function temperOf(weights: Float64Array): number {
  const want = TEMPERED_ESS * weights.length;
  if (essOf(weights, 1) >= want) return 1;
  let lo = 0, hi = 1;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (essOf(weights, mid) >= want) lo = mid; else hi = mid;
  }
  return lo;
}

/** The update's input from the hits, their weights raised to tau: per (site, bin) the mass, per site the squared mass. */
export function massOf(hits: readonly Hits[], tau: number, sites: number): { mass: Float64Array; mass2: Float64Array } {
  const mass = new Float64Array(sites * NBINS), mass2 = new Float64Array(sites);
  for (const h of hits) {
    let from = 0;
    for (let i = 0; i < h.weight.length; i++) {
      const w = h.weight[i]! ** tau, to = h.end[i]!;
      for (let j = from; j < to; j++) {
        const d = h.draws[j]!;
        mass[d]! += w;
        mass2[(d / NBINS) | 0]! += w * w;
      }
      from = to;
    }
  }
  return { mass, mass2 };
}

/**
 * An eighth of each bin's mass to each neighbour: the density the race needs
 * is mostly smooth across neighbouring bins, and a sample seldom shows all
 * of its shoulders; more would blur the sharp edge of a threshold (u < p).
 */
function neighbours(m: Float64Array): Float64Array {
  const out = new Float64Array(m.length);
  for (let k = 0; k < m.length; k++) {
    const left = k > 0 ? k - 1 : k, right = k < m.length - 1 ? k + 1 : k;
    out[left]! += m[k]! / 8;
    out[k]! += (3 * m[k]!) / 4;
    out[right]! += m[k]! / 8;
  }
  return out;
}

/** How a site's proposal differs from plain sampling: in total variation, and the share of draws it puts in each far tail. */
export interface Tilt {
  /** Total variation distance from the uniform: 0 untilted, near 1 where almost every draw moved. */
  readonly shift: number;
  /** Probability of u < 1e-3 (1e-3 untilted). */
  readonly low: number;
  /** Probability of u > 1 - 1e-3 (1e-3 untilted). */
  readonly high: number;
}

export function tiltOf(q: Proposal, site: number): Tilt {
  let shift = 0, low = 0, high = 0;
  BINS.forEach((b, k) => {
    const p = q[site * NBINS + k]!;
    shift += Math.abs(p - b.width) / 2;
    if (b.start + b.width <= 1e-3 + 1e-18) (b.upper ? (high += p) : (low += p));
  });
  return { shift, low, high };
}
