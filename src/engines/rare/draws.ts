/**
 * The runtime of a tilted program (../montecarlo/compile/tilted.ts): the
 * draws from the proposal and the bookkeeping of each episode's likelihood
 * ratio. Module state, one block at a time: a program calls `draw(site)` for
 * every uniform, `begin()` before an episode and `end(race, corrupt)` after
 * it.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";
import { BINS, binOf, NBINS, type Proposal } from "./proposal.js";

/** The block's stream: the project's xoroshiro128+ and uniformFloat64, as the plain engines draw. */
let rng = xoroshiro128plusFromState([0, 0, 0, 1]);
const next = (): number => uniformFloat64(rng);

const START = Float64Array.from(BINS, (b) => b.start);
const WIDTH = Float64Array.from(BINS, (b) => b.width);
const UPPER = Uint8Array.from(BINS, (b) => +b.upper);

let cumulative = new Float64Array(0);
let ratio = new Float64Array(0);
/** Sites drawn with no tilt at all take the fast path: one plain uniform. */
let plain = new Uint8Array(0);

/** The v = 1 - u of the last draw, exact when u is near 1. */
export const V = new Float64Array(1);

/**
 * What an episode drew: its likelihood ratio and the (site, bin) of each
 * draw. In typed arrays: a module's `let` number would be boxed anew on
 * every write.
 */
const weight = new Float64Array(1);
const count = new Int32Array(1);
let touched = new Int32Array(1024);

/** Sums over the episodes of a block; the caller keeps them per block. */
export interface BlockSums {
  episodes: number;
  hits: number;
  sumW: number;
  sumW2: number;
  maxW: number;
  corrupts: number;
  sumWc: number;
  sumWc2: number;
  maxWc: number;
  /** Stages that adapt the proposal: each episode with the outcome, its weight and its draws. */
  log?: Hits;
}

/**
 * The episodes with the outcome, as the cross-entropy update reads them:
 * episode i has weight `weight[i]` and drew (site * NBINS + bin) values
 * `draws[end[i-1] .. end[i])`.
 */
export interface Hits {
  readonly weight: Float64Array;
  readonly end: Int32Array;
  readonly draws: Int32Array;
}

/** Growing lists of the hits of the block under way. */
class HitLog {
  weight = new Float64Array(256);
  end = new Int32Array(256);
  draws = new Int32Array(4096);
  n = 0;
  size = 0;

  add(w: number, from: Int32Array, count: number): void {
    if (this.n === this.weight.length) {
      this.weight = grow(this.weight, this.n * 2);
      this.end = grow(this.end, this.n * 2);
    }
    if (this.size + count > this.draws.length) this.draws = grow(this.draws, Math.max(this.draws.length * 2, this.size + count));
    this.draws.set(from.subarray(0, count), this.size);
    this.size += count;
    this.weight[this.n] = w;
    this.end[this.n++] = this.size;
  }

  done(): Hits {
    return { weight: this.weight.slice(0, this.n), end: this.end.slice(0, this.n), draws: this.draws.slice(0, this.size) };
  }
}

function grow<T extends Float64Array | Int32Array>(a: T, n: number): T {
  const b = new (a.constructor as { new (n: number): T })(n);
  b.set(a);
  return b;
}

let sums: BlockSums | undefined;
let log: HitLog | undefined;

/** Uses proposal q for the next blocks. */
export function useProposal(q: Proposal, sites: number): void {
  cumulative = new Float64Array(q.length);
  ratio = new Float64Array(q.length);
  plain = new Uint8Array(sites);
  for (let s = 0; s < sites; s++) {
    let c = 0, flat = true;
    for (let k = 0; k < NBINS; k++) {
      const i = s * NBINS + k;
      c += q[i]!;
      cumulative[i] = c;
      ratio[i] = WIDTH[k]! / q[i]!;
      if (Math.abs(q[i]! - WIDTH[k]!) > 1e-15) flat = false;
    }
    cumulative[s * NBINS + NBINS - 1] = Infinity; // the last bin takes whatever rounding leaves
    plain[s] = +flat;
  }
}

/** Starts a block: the stream's generator state, and fresh sums. */
export function startBlock(words: ArrayLike<number>, collect: boolean): BlockSums {
  rng = xoroshiro128plusFromState(Array.from(words));
  log = collect ? new HitLog() : undefined;
  sums = { episodes: 0, hits: 0, sumW: 0, sumW2: 0, maxW: 0, corrupts: 0, sumWc: 0, sumWc2: 0, maxWc: 0,
    };
  return sums;
}

export function begin(): void {
  weight[0] = 1;
  count[0] = 0;
}

/** A uniform for `site`, drawn from the proposal; sets V[0] = 1 - u. */
export function draw(site: number): number {
  const base = site * NBINS;
  if (plain[site]) {
    const u = next();
    V[0] = 1 - u;
    if (log) touch(base + binOf(u));
    return u;
  }
  const r = next();
  let lo = 0, hi = NBINS - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[base + mid]! > r) hi = mid; else lo = mid + 1;
  }
  const k = lo;
  const x = START[k]! + next() * WIDTH[k]!;
  weight[0]! *= ratio[base + k]!;
  touch(base + k);
  if (UPPER[k]) {
    V[0] = x;
    return 1 - x;
  }
  V[0] = 1 - x;
  return x;
}

function touch(i: number): void {
  const n = count[0]!;
  if (n === touched.length) {
    const grown = new Int32Array(n * 2);
    grown.set(touched);
    touched = grown;
  }
  touched[n] = i;
  count[0] = n + 1;
}

export function end(race: number, corrupt: number): void {
  const s = sums!, w = weight[0]!;
  s.episodes++;
  if (race) {
    s.hits++;
    s.sumW += w;
    s.sumW2 += w * w;
    if (w > s.maxW) s.maxW = w;
    if (log) log.add(w, touched, count[0]!);
  }
  if (corrupt) {
    s.corrupts++;
    s.sumWc += w;
    s.sumWc2 += w * w;
    if (w > s.maxWc) s.maxWc = w;
  }
}

/** Ends the block: its sums, with its hits when collecting. */
export function endBlock(): BlockSums {
  const s = sums!;
  if (log) s.log = log.done();
  return s;
}
