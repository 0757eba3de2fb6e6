/**
 * How a result is worded, in one place: every output (estimate(), show(),
 * sweep summaries, replies, HTML reports, ASCII maps) says what is known.
 * A count of 0 is never printed as a probability of 0: it is "no race in
 * 2,000,000 episodes: pRace < 1.84e-6 (95%)"; where the explorer searched
 * every interleaving it is "SAFE: ...", not a sampling bound.
 */
import { fmtInterval, fmtP } from "./format.js";

/** A count with thousands separators: 2000000 -> "2,000,000". */
export function fmtCount(n: number): string {
  if (!Number.isInteger(n)) return String(n);
  return String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",").replace(/^/, n < 0 ? "-" : "");
}

/** "1 race", "2 races", "1 torn read". */
const counted = (n: number, what: string) => `${fmtCount(n)} ${n === 1 ? what : plural(what)}`;
const plural = (what: string) => `${what}s`;

/** Nothing seen: "no race in 2,000,000 episodes: pRace < 1.84e-6 (95%)". */
export function noneSeen(name: string, n: number, upper: number, what = "race"): string {
  return `no ${what} in ${fmtCount(n)} episodes: ${name} < ${fmtP(upper)} (95%)`;
}

/**
 * A sampled proportion as it can be quoted: "pRace 0.231 [0.230, 0.232]
 * (115,405 races in 500,000 episodes)", or the bound alone when nothing was seen.
 */
export function fmtEstimate(name: string, count: number, n: number, p: number, ci: readonly [number, number], what = "race"): string {
  if (count === 0) return noneSeen(name, n, ci[1], what);
  return `${name} ${fmtP(p)} ${fmtInterval(ci)} (${counted(count, what)} in ${fmtCount(n)} episodes)`;
}

/**
 * The value column of a table row for a sampled proportion: "0.231" or,
 * for nothing seen, "< 1.84e-6" (a 0 there reads as "cannot happen").
 */
export function pValueCell(count: number, p: number, ci: readonly [number, number]): string {
  return count === 0 ? `< ${fmtP(ci[1])}` : fmtP(p);
}

/** The interval column beside pValueCell: "[0.230, 0.232]", or "none seen" where there is only a bound. */
export function pIntervalCell(count: number, ci: readonly [number, number]): string {
  return count === 0 ? "none seen (95% bound)" : fmtInterval(ci);
}

/** The explorer settled it: no interleaving within its bound reaches the outcome. */
export function safeWording(maxPreemptions: number, what = "race"): string {
  return `SAFE: no interleaving reaches a ${what} (exhaustive, up to ${maxPreemptions} preemption${maxPreemptions === 1 ? "" : "s"})`;
}

/** A sweep's range of pRace over its cells, without calling an unseen cell 0. */
export function sweepRange(rows: readonly { readonly races: number; readonly pRace: number; readonly pRaceHi: number; readonly episodes: number }[]): string {
  const seen = rows.filter((r) => r.races > 0);
  const unseen = rows.length - seen.length;
  const bound = unseen ? Math.max(...rows.filter((r) => r.races === 0).map((r) => r.pRaceHi)) : 0;
  const none = unseen === 0 ? "" : unseen === rows.length
    ? `no race in any of the ${fmtCount(rows.length)} cells: pRace < ${fmtP(bound)} (95%) in each`
    : `${fmtCount(unseen)} of ${fmtCount(rows.length)} cells saw no race: pRace < ${fmtP(bound)} (95%) there`;
  if (seen.length === 0) return none;
  const ps = seen.map((r) => r.pRace);
  const range = seen.length === 1 ? `pRace ${fmtP(ps[0]!)} in the one cell with races`
    : `pRace from ${fmtP(Math.min(...ps))} to ${fmtP(Math.max(...ps))} in the ${fmtCount(seen.length)} cells with races`;
  return none ? `${range}; ${none}` : range;
}

/** A cell of the rare-event path, as its row holds it. */
export interface RareCellWords {
  readonly method: "explorer" | "exact" | "importance";
  readonly pRace: number;
  readonly pRaceLo: number;
  readonly pRaceHi: number;
  readonly relativeError: number | null;
  readonly reliable: boolean;
  readonly problems: string;
  /** Importance-sampled episodes that raced. */
  readonly races: number;
  readonly pilotEpisodes: number;
}

/** The relative half-width of a 95% interval: "8.7%". */
export const fmtRelError = (x: number) => `${(100 * x).toPrecision(2)}%`;

/**
 * A rare-event cell's value as it can be quoted, with how it was reached:
 * "SAFE: ... (pRace = 0)", "pRace 3.20e-9 exactly (exact solver)", or
 * "pRace 1.23e-7 [1.11e-7, 1.35e-7] (95%, relative error 9.8%, importance
 * sampling)", followed by "NOT RELIABLE: why" when it is not to be quoted.
 */
export function rareCellWording(r: RareCellWords, maxPreemptions: number): string {
  const value = r.method === "explorer" ? `${safeWording(maxPreemptions)}: pRace = 0`
    : r.method === "exact" ? `pRace ${fmtP(r.pRace)} exactly (exact solver)`
    : r.races === 0 ? `importance sampling reached no race; ${noneSeen("pRace", r.pilotEpisodes, r.pRaceHi)}, plain pilot`
    : `pRace ${fmtP(r.pRace)} ${fmtInterval([r.pRaceLo, r.pRaceHi])} (95%${r.relativeError === null ? "" : `, relative error ${fmtRelError(r.relativeError)}`}, importance sampling)`;
  return r.reliable ? value : `${value}; NOT RELIABLE: ${r.problems}`;
}

/** The value column of a rare-event cell: "0", "3.20e-9", or "< 1.84e-4" where importance sampling reached no race. */
export function rareValueCell(r: Pick<RareCellWords, "method" | "pRace" | "pRaceHi" | "races">): string {
  return r.method === "importance" && r.races === 0 ? `< ${fmtP(r.pRaceHi)}` : fmtP(r.pRace);
}
