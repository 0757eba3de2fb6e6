/**
 * One importance-sampling estimate of one outcome (the race, or the torn
 * read on the PTE model): the cross-entropy adaptation of the proposal,
 * stage by stage, then rounds of estimation under the last proposal until
 * the 95% interval is narrow enough or the budget is spent.
 *
 * Every stage runs fixed blocks of its own random streams and adds them up in
 * block order, so the same seed gives the same numbers on any number of
 * workers.
 */
import type { Scenario } from "../../model/scenario.js";
import type { Probability } from "../../model/units.js";
import type { Interval } from "../../stats/proportion.js";
import { type ModelKind, programOf } from "../montecarlo/compile/index.js";
import { type Execution, runTasks } from "../montecarlo/pool.js";
import { BLOCK } from "../montecarlo/blocks.js";
import type { BlockSums } from "./draws.js";
import { initialProposal, massOf, type Proposal, temperOf, type Tilt, tiltOf, updateProposal } from "./proposal.js";
import type { RareTally, RareTask } from "./task.js";

const STAGE_BLOCKS = 16, MAX_STAGE_BLOCKS = 256, MAX_STAGES = 24;
/** Adaptation ends after this many stages that each saw at least MIN_HITS hits. */
const GOOD_STAGES = 5;
/** Rounds of estimation before the interval is looked at: a heavy tail of weights needs samples to show in the variance. */
export const ROUND_BLOCKS = 16, MIN_ROUNDS = 8, MIN_HITS = 100;
/** The most episodes the adaptation can take. */
export const MAX_ADAPTATION_EPISODES = MAX_STAGES * MAX_STAGE_BLOCKS * BLOCK;

export interface Estimate {
  readonly episodes: number;
  /** Episodes with the outcome. */
  readonly hits: number;
  readonly p: Probability;
  readonly ci95: Interval;
  /** Half-width of the 95% interval over p (Infinity when p is 0). */
  readonly relativeError: number;
  /** Kish's effective sample size of the hits' weights. */
  readonly ess: number;
  /** The largest weight's share of all the hits' weight. */
  readonly maxWeightShare: number;
}

export interface Adapted {
  /** The outcome targeted (the race, or the torn read). */
  readonly estimate: Estimate;
  /** The race's companion from the same episodes (corruption); absent for the torn read. */
  readonly companion?: Estimate;
  readonly stages: number;
  readonly adaptationEpisodes: number;
  /** Whether any stage reached the outcome at all. */
  readonly reached: boolean;
  /** Whether the adaptation ended with enough stages whose weights could be taken as they are. */
  readonly settled: boolean;
  /** The draws the final proposal moves most (shift >= 0.2), most first: where the outcome is made. */
  readonly tilted: readonly ({ readonly site: string } & Tilt)[];
}

export interface AdaptOptions {
  readonly seed: number;
  readonly relError: number;
  readonly maxEpisodes: number;
  readonly workers: number;
}

/** Sums over blocks, added in block order. */
function total(blocks: readonly BlockSums[]) {
  const t = { episodes: 0, hits: 0, sumW: 0, sumW2: 0, maxW: 0, corrupts: 0, sumWc: 0, sumWc2: 0, maxWc: 0 };
  for (const b of blocks) {
    t.episodes += b.episodes;
    t.hits += b.hits;
    t.sumW += b.sumW;
    t.sumW2 += b.sumW2;
    t.maxW = Math.max(t.maxW, b.maxW);
    t.corrupts += b.corrupts;
    t.sumWc += b.sumWc;
    t.sumWc2 += b.sumWc2;
    t.maxWc = Math.max(t.maxWc, b.maxWc);
  }
  return t;
}

/** The importance-sampling estimate from n episodes with weight sums s1 (hits) and s2 (squares). */
export function estimateOf(n: number, hits: number, s1: number, s2: number, maxW: number): Estimate {
  const p = s1 / n;
  const variance = n > 1 ? Math.max(0, (s2 - n * p * p) / (n - 1)) : Infinity;
  const half = 1.959963984540054 * Math.sqrt(variance / n);
  return {
    episodes: n, hits, p,
    ci95: [Math.max(0, p - half), Math.min(1, p + half)],
    relativeError: p > 0 ? half / p : Infinity,
    ess: s2 > 0 ? (s1 * s1) / s2 : 0,
    maxWeightShare: s1 > 0 ? maxW / s1 : 0,
  };
}

export async function adapt(s: Scenario, model: ModelKind, opts: AdaptOptions, exec: Execution, onBlocks: (n: number) => void): Promise<Adapted> {
  const sites = programOf(s.params, "tilted", model).sites;

  /** Runs the blocks [from, to) of one stage; the per-block sums in block order. */
  const stage = async (q: Proposal, stageNo: number, from: number, to: number, collect: boolean): Promise<BlockSums[]> => {
    const out: BlockSums[] = new Array(to - from);
    function* tasks(): Generator<RareTask> {
      // Four blocks a task: big enough to amortise a message, small enough to share among workers.
      for (let b = from; b < to; b += 4) {
        yield { kind: "rare", model, params: s.params, seed: opts.seed, key: 0, stage: stageNo, from: b, to: Math.min(to, b + 4),
          proposal: q, sites: sites.length, collect };
      }
    }
    await runTasks(tasks(), Math.min(opts.workers, Math.ceil((to - from) / 4)), (t: RareTally) => {
      t.blocks.forEach((b, i) => { out[t.from - from + i] = b; });
      onBlocks(t.blocks.length);
    }, exec.signal);
    return out;
  };

  let q = initialProposal(sites.length);
  let stageNo = 0, blocks = STAGE_BLOCKS, good = 0, adaptationEpisodes = 0, reached = false;
  while (stageNo < MAX_STAGES && good < GOOD_STAGES) {
    stageNo++;
    const sums = await stage(q, stageNo, 0, blocks, true);
    adaptationEpisodes += blocks * BLOCK;
    const t = total(sums);
    if (t.hits > 0) {
      reached = true;
      const hits = sums.map((b) => b.log!);
      const tau = temperOf(Float64Array.from(hits.flatMap((h) => [...h.weight])));
      const { mass, mass2 } = massOf(hits, tau, sites.length);
      q = updateProposal(q, mass, mass2, sites.length);
      // Only a stage whose weights could be taken as they are counts towards the end of the adaptation.
      if (tau === 1 && t.hits >= MIN_HITS) good++;
    }
    // Longer stages while hits are few; shorter again once they are many.
    if (t.hits < MIN_HITS) blocks = Math.min(MAX_STAGE_BLOCKS, blocks * 2);
    else if (t.hits > 10 * MIN_HITS) blocks = Math.max(STAGE_BLOCKS, blocks / 2);
  }

  const estimation = stageNo + 1;
  const all: BlockSums[] = [];
  let estimate: Estimate, companion: Estimate;
  for (;;) {
    const from = all.length;
    all.push(...await stage(q, estimation, from, from + ROUND_BLOCKS, false));
    const t = total(all);
    estimate = estimateOf(t.episodes, t.hits, t.sumW, t.sumW2, t.maxW);
    companion = estimateOf(t.episodes, t.corrupts, t.sumWc, t.sumWc2, t.maxWc);
    const done = all.length >= MIN_ROUNDS * ROUND_BLOCKS && estimate.hits >= MIN_HITS && estimate.relativeError <= opts.relError;
    // An adaptation that did not settle gets the least estimation, to say so soon.
    const short = good < GOOD_STAGES && all.length >= MIN_ROUNDS * ROUND_BLOCKS;
    if (done || short || t.episodes + ROUND_BLOCKS * BLOCK > opts.maxEpisodes) break;
  }
  const tilted = sites.map((site, i) => ({ site, ...tiltOf(q, i) })).filter((x) => x.shift >= 0.2).sort((a, b) => b.shift - a.shift);
  return { estimate, ...(model === "protocol" ? { companion } : {}), stages: stageNo, adaptationEpisodes, reached, settled: good >= GOOD_STAGES, tilted };
}
