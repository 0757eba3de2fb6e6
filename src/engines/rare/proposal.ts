/**
 * The importance-sampling proposal: for every place an episode draws a
 * uniform (a "site": the unmap instant's coin, each step's clock, each
 * branch), a density on [0, 1) that is constant on bins. The bins are fine
 * near both ends, in half-decades of the distance from 0 or from 1 down to
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

const tailEdges = (): number[] => {
  // 0, 1e-15, 10^-14.5, ..., 10^-1.5, 0.1: half-decades.
  const e = [0];
  for (let k = 30; k >= 2; k--) e.push(10 ** (-k / 2));
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

/** Per site, the probability of each bin: `q[s * NBINS + k]`. */
export type Proposal = Float64Array;

/** No tilt: each bin's probability is its width (the plain uniform). */
export const uniformRow = (): Float64Array => Float64Array.from(BINS, (b) => b.width);

/**
 * The start of the adaptation: half of the draws plain, half spread evenly
 * over the bins, so that each end's smallest bins are reached about once in
 * 150 draws instead of once in 1e15.
 */
export function initialProposal(sites: number): Proposal {
  const q = new Float64Array(sites * NBINS);
  BINS.forEach((b, k) => {
    for (let s = 0; s < sites; s++) q[s * NBINS + k] = 0.5 * b.width + 0.5 / NBINS;
  });
  return q;
}

/** Share of every site's draws kept plain, so no draw weighs more than 1 / DEFENSIVE (Hesterberg's defensive mixture). */
export const DEFENSIVE = 0.1;
/** How much of an update is the new estimate; the rest is the proposal before it. */
export const SMOOTHING = 0.7;

/**
 * The cross-entropy update (Rubinstein and Kroese): each site's bins get
 * probabilities in proportion to the weighted draws that fell in them in
 * episodes that raced, `mass[s * NBINS + k]`; smoothed with the previous
 * proposal, and mixed with the plain uniform. A site no racing episode drew
 * does not make races: it goes back to plain sampling.
 */
export function updateProposal(q: Proposal, mass: Float64Array, sites: number): Proposal {
  const next = new Float64Array(q.length);
  for (let s = 0; s < sites; s++) {
    let total = 0;
    for (let k = 0; k < NBINS; k++) total += mass[s * NBINS + k]!;
    for (let k = 0; k < NBINS; k++) {
      const i = s * NBINS + k;
      const learned = total > 0 ? SMOOTHING * (mass[i]! / total) + (1 - SMOOTHING) * q[i]! : BINS[k]!.width;
      next[i] = (1 - DEFENSIVE) * learned + DEFENSIVE * BINS[k]!.width;
    }
  }
  return next;
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
