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

/** How one estimate adapts and estimates: `run --rare` from scratch, a sweep's cell from a neighbour's proposal. */
export interface AdaptPlan {
  /** The proposal the adaptation starts from; null: the even spread of initialProposal. */
  readonly start: Proposal | null;
  /** Blocks of the first stage. */
  readonly stageBlocks: number;
  /** Adaptation ends after this many stages that each saw at least MIN_HITS hits at tau = 1. */
  readonly goodStages: number;
  /** Blocks of each estimation round, and the rounds before the interval is looked at. */
  readonly roundBlocks: number;
  readonly minRounds: number;
  /** The first stage's number: stages key their streams, so distinct uses of one cell's key take distinct ranges. */
  readonly firstStage: number;
  /** false: adapt only (the proposal is the result). */
  readonly estimate: boolean;
}

/** `run --rare`: an adaptation from the even spread, and at least eight rounds of 16 blocks. */
export const RUN_PLAN: AdaptPlan = { start: null, stageBlocks: STAGE_BLOCKS, goodStages: GOOD_STAGES, roundBlocks: ROUND_BLOCKS, minRounds: MIN_ROUNDS, firstStage: 1, estimate: true };

/** One stage's work: blocks [from, to) of stage `stage` under proposal `q`. */
export interface StageRequest {
  readonly q: Proposal;
  readonly stage: number;
  readonly from: number;
  readonly to: number;
  /** Keep the cross-entropy input (the stages that adapt the proposal). */
  readonly collect: boolean;
}

export interface AdaptedWith extends Adapted {
  /** The last proposal: the one the estimate used. */
  readonly proposal: Proposal;
}

/**
 * The adaptation and the estimate, as a generator of stage requests: each
 * `yield` asks for a stage's per-block sums, in block order. One loop for
 * the pool's asynchronous runs (adapt) and a worker's synchronous ones
 * (adaptHere), so both follow the same steps to the same numbers.
 */
export function* adaptation(sites: readonly string[], model: ModelKind, opts: Pick<AdaptOptions, "relError" | "maxEpisodes">, plan: AdaptPlan):
  Generator<StageRequest, AdaptedWith, BlockSums[]> {
  let q = plan.start ?? initialProposal(sites.length);
  let stageNo = plan.firstStage - 1, blocks = plan.stageBlocks, good = 0, adaptationEpisodes = 0, reached = false;
  while (stageNo - plan.firstStage + 1 < MAX_STAGES && good < plan.goodStages) {
    stageNo++;
    const sums = yield { q, stage: stageNo, from: 0, to: blocks, collect: true };
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
    else if (t.hits > 10 * MIN_HITS) blocks = Math.max(plan.stageBlocks, blocks / 2);
  }
  const stages = stageNo - plan.firstStage + 1;
  const tilted = () => sites.map((site, i) => ({ site, ...tiltOf(q, i) })).filter((x) => x.shift >= 0.2).sort((a, b) => b.shift - a.shift);
  const settled = good >= plan.goodStages;
  if (!plan.estimate) {
    const none = estimateOf(0, 0, 0, 0, 0);
    return { estimate: none, stages, adaptationEpisodes, reached, settled, tilted: tilted(), proposal: q };
  }

  const estimation = stageNo + 1;
  const all: BlockSums[] = [];
  let estimate: Estimate, companion: Estimate;
  for (;;) {
    const from = all.length;
    all.push(...yield { q, stage: estimation, from, to: from + plan.roundBlocks, collect: false });
    const t = total(all);
    estimate = estimateOf(t.episodes, t.hits, t.sumW, t.sumW2, t.maxW);
    companion = estimateOf(t.episodes, t.corrupts, t.sumWc, t.sumWc2, t.maxWc);
    const done = all.length >= plan.minRounds * plan.roundBlocks && estimate.hits >= MIN_HITS && estimate.relativeError <= opts.relError;
    // An adaptation that did not settle gets the least estimation, to say so soon.
    const short = !settled && all.length >= plan.minRounds * plan.roundBlocks;
    if (done || short || t.episodes + plan.roundBlocks * BLOCK > opts.maxEpisodes) break;
  }
  return { estimate, ...(model === "protocol" ? { companion } : {}), stages, adaptationEpisodes, reached, settled, tilted: tilted(), proposal: q };
}

export async function adapt(s: Scenario, model: ModelKind, opts: AdaptOptions, exec: Execution, onBlocks: (n: number) => void, plan: AdaptPlan = RUN_PLAN): Promise<AdaptedWith> {
  const sites = programOf(s.params, "tilted", model).sites;

  /** Runs the blocks [from, to) of one stage; the per-block sums in block order. */
  const stage = async ({ q, stage: stageNo, from, to, collect }: StageRequest): Promise<BlockSums[]> => {
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

  const steps = adaptation(sites, model, opts, plan);
  for (let r = steps.next(undefined as never); ; ) {
    if (r.done) return r.value;
    r = steps.next(await stage(r.value));
  }
}
