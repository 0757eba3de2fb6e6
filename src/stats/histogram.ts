/**
 * A cost's distribution in constant memory: log-spaced bins, 64 per octave,
 * so a quantile is within ±0.55% of the true one; mean, min and max are exact,
 * and so is any quantile falling in a bin that only ever saw one value (the
 * costs of fixed delays, IPI counts). Histograms merge by adding, in a fixed
 * order, so results do not depend on which worker filled which block.
 */

const PER_OCTAVE = 64;
const MIN_EXP = -30; // 2^-30 µs, about 1e-9 µs
const MAX_EXP = 50; // 2^50 µs, about 36 years
const BINS = (MAX_EXP - MIN_EXP) * PER_OCTAVE + 2; // + zero bin + overflow bin

export interface Histogram {
  readonly counts: Float64Array;
  /** The value every sample in a bin had, or NaN once two differed. */
  readonly only: Float64Array;
  n: number;
  sum: number;
  min: number;
  max: number;
}

export function histogram(): Histogram {
  return { counts: new Float64Array(BINS), only: new Float64Array(BINS), n: 0, sum: 0, min: Infinity, max: -Infinity };
}

function bin(v: number): number {
  if (v <= 0) return 0;
  const b = Math.floor((Math.log2(v) - MIN_EXP) * PER_OCTAVE) + 1;
  return b < 1 ? 1 : b > BINS - 1 ? BINS - 1 : b;
}

/** Bin b's geometric midpoint. */
function midpoint(b: number): number {
  return b === 0 ? 0 : 2 ** (MIN_EXP + (b - 0.5) / PER_OCTAVE);
}

/** Records a value >= 0. */
export function record(h: Histogram, v: number): void {
  const b = bin(v);
  const c = h.counts[b]!;
  if (c === 0) h.only[b] = v;
  else if (h.only[b] !== v) h.only[b] = NaN;
  h.counts[b] = c + 1;
  h.n++;
  h.sum += v;
  if (v < h.min) h.min = v;
  if (v > h.max) h.max = v;
}

/** Adds `from` into `into`. */
export function merge(into: Histogram, from: Histogram): void {
  for (let b = 0; b < BINS; b++) {
    const c = from.counts[b]!;
    if (c === 0) continue;
    const mine = into.counts[b]!;
    if (mine === 0) into.only[b] = from.only[b]!;
    else if (into.only[b] !== from.only[b]) into.only[b] = NaN;
    into.counts[b] = mine + c;
  }
  into.n += from.n;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
}

/** The nearest-rank q-quantile. */
export function quantile(h: Histogram, q: number): number {
  if (h.n === 0) return NaN;
  const rank = Math.max(1, Math.ceil(q * h.n));
  let seen = 0;
  for (let b = 0; b < BINS; b++) {
    seen += h.counts[b]!;
    if (seen >= rank) {
      const only = h.only[b]!;
      return only === only ? only : Math.min(h.max, Math.max(h.min, midpoint(b)));
    }
  }
  return h.max;
}

/** The non-empty bins only: what a worker sends back for a block of episodes. */
export interface SparseHistogram {
  readonly bins: Int32Array;
  readonly counts: Float64Array;
  readonly only: Float64Array;
  readonly n: number;
  readonly min: number;
  readonly max: number;
}

export function toSparse(h: Histogram): SparseHistogram {
  const bins: number[] = [];
  for (let b = 0; b < BINS; b++) if (h.counts[b]! > 0) bins.push(b);
  return {
    bins: Int32Array.from(bins),
    counts: Float64Array.from(bins, (b) => h.counts[b]!),
    only: Float64Array.from(bins, (b) => h.only[b]!),
    n: h.n, min: h.min, max: h.max,
  };
}

/** Empties `h` for use again. */
export function clear(h: Histogram): Histogram {
  h.counts.fill(0);
  h.only.fill(0);
  h.n = 0;
  h.sum = 0;
  h.min = Infinity;
  h.max = -Infinity;
  return h;
}

/** `toSparse(h)`, leaving `h` empty again: one dense histogram serves block after block without a new allocation. */
export function drain(h: Histogram): SparseHistogram {
  const sparse = toSparse(h);
  for (const b of sparse.bins) {
    h.counts[b] = 0;
    h.only[b] = 0;
  }
  h.n = 0;
  h.sum = 0;
  h.min = Infinity;
  h.max = -Infinity;
  return sparse;
}

/** Adds a sparse histogram into a dense one; the same result as `merge`. Sums are kept by the caller. */
export function mergeSparse(into: Histogram, from: SparseHistogram): void {
  for (let k = 0; k < from.bins.length; k++) {
    const b = from.bins[k]!, c = from.counts[k]!, mine = into.counts[b]!;
    if (mine === 0) into.only[b] = from.only[k]!;
    else if (into.only[b] !== from.only[k]) into.only[b] = NaN;
    into.counts[b] = mine + c;
  }
  into.n += from.n;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
}
