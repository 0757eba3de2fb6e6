/**
 * Rare race probabilities for any delay distribution, by importance sampling
 * with proposals adapted by the cross-entropy method (Rubinstein and Kroese,
 * "The Cross-Entropy Method", 2004; de Boer et al., "A tutorial on the
 * cross-entropy method", 2005), over the uniforms every draw of the model is
 * made from (./proposal.ts):
 *
 *  1. a plain Monte Carlo pilot (the costs, and a check on the estimate);
 *  2. the exhaustive explorer: when no interleaving races at all, pRace is 0
 *     and there is nothing to estimate;
 *  3. adaptation: stages of tilted episodes; the draws of the episodes that
 *     raced, weighted by their likelihood ratios, give each site's next
 *     proposal, mixed with the plain uniform so no draw weighs more than 10;
 *  4. estimation: rounds of episodes under the last proposal until the 95%
 *     interval's half-width is at most `relError` of pRace, or the budget is
 *     spent. pRace is the mean of the likelihood ratios of racing episodes;
 *     the interval is the normal one from their sample variance.
 *
 * Every stage runs fixed blocks of its own random streams and adds them up in
 * block order, so the same seed gives the same numbers on any number of
 * workers.
 */
import { InputError } from "../../model/errors.js";
import type { Scenario } from "../../model/scenario.js";
import type { Probability } from "../../model/units.js";
import type { Interval } from "../../stats/proportion.js";
import { explore } from "../explore/index.js";
import { type Manifest, manifest } from "../manifest.js";
import { programOf } from "../montecarlo/compile/index.js";
import { checkWorkers, type Execution, runTasks } from "../montecarlo/pool.js";
import { BLOCK, type CostName, type RunData, simulate, throttle } from "../montecarlo/run.js";
import type { CostSummary } from "../../stats/summary.js";
import type { BlockSums } from "./draws.js";
import { initialProposal, NBINS, type Proposal, type Tilt, tiltOf, updateProposal } from "./proposal.js";
import type { RareTally, RareTask } from "./task.js";

export interface RareOptions {
  /** The 95% interval's half-width over pRace to reach (default 0.1). */
  readonly relError: number;
  readonly seed: number;
  /** The most episodes the estimation may take (default 3e7). */
  readonly maxEpisodes: number;
}

export const RARE_DEFAULTS = { relError: 0.1, seed: 1, maxEpisodes: 30_000_000 } as const;
/** Plain episodes of the pilot: the costs, and a check where races are common enough to see. */
export const PILOT_EPISODES = 100_000;
/** The explorer's bound on preemptions when it is asked whether any interleaving races. */
export const SAFE_CHECK_PREEMPTIONS = 4;
const STAGE_BLOCKS = 16, MAX_STAGE_BLOCKS = 256, MAX_STAGES = 12;
/** Adaptation ends after this many stages that each saw at least MIN_HITS races. */
const GOOD_STAGES = 3;
/** Rounds of estimation before the interval is looked at: a heavy tail of weights needs samples to show in the variance. */
const ROUND_BLOCKS = 16, MIN_ROUNDS = 4, MIN_HITS = 100;
/** Above this share of the weight in one episode, or below this effective sample size, the estimate is not trusted. */
export const MAX_WEIGHT_SHARE = 0.05, MIN_ESS = 50;

export interface Estimate {
  readonly episodes: number;
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

export interface RareDiagnostics {
  readonly reliable: boolean;
  /** Why the estimate is not trusted; empty when it is. */
  readonly problems: readonly string[];
  readonly adaptationStages: number;
  readonly adaptationEpisodes: number;
  /** The draws the final proposal moves most (shift >= 0.2), most first: where the race is made. */
  readonly tilted: readonly ({ readonly site: string } & Tilt)[];
}

export interface RareData {
  readonly manifest: Manifest;
  /** What was used, in words. */
  readonly method: string;
  /** Episodes of the estimation stage. */
  readonly episodes: number;
  readonly races: number;
  readonly pRace: Probability;
  readonly ci95: Interval;
  readonly relativeError: number;
  readonly reliable: boolean;
  readonly race: Estimate;
  readonly corrupt: Estimate;
  readonly pCorrupt: Probability;
  readonly corruptCi95: Interval;
  readonly diagnostics: RareDiagnostics;
  /** From the plain pilot. */
  readonly costs: Readonly<Record<CostName, CostSummary>>;
  readonly pilot: { readonly episodes: number; readonly races: number; readonly pRace: Probability; readonly ci95: Interval };
}

const positive = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x) && x > 0;

export function checkRareOptions(o: unknown): RareOptions {
  if (typeof o !== "object" || o === null) throw new InputError("options", o, "{relError?, seed?, maxEpisodes?}");
  const { relError = RARE_DEFAULTS.relError, seed = RARE_DEFAULTS.seed, maxEpisodes = RARE_DEFAULTS.maxEpisodes } = o as Record<string, unknown>;
  if (!positive(relError) || relError >= 1) throw new InputError("relError", relError, "a number between 0 and 1, such as 0.1 for 10%");
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) throw new InputError("seed", seed, "a whole number from 0 to 2^53 - 1");
  if (typeof maxEpisodes !== "number" || !Number.isInteger(maxEpisodes) || maxEpisodes < ROUND_BLOCKS * BLOCK || maxEpisodes > 1e10)
    throw new InputError("maxEpisodes", maxEpisodes, `a whole number from ${ROUND_BLOCKS * BLOCK} to 1e10`);
  return { relError, seed, maxEpisodes };
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

/** Runs the blocks [from, to) of one stage; the per-block sums in block order. */
async function stage(s: Scenario, q: Proposal, sites: number, opts: RareOptions, stageNo: number, from: number, to: number,
  collect: boolean, workers: number, exec: Execution, onBlocks: (n: number) => void): Promise<BlockSums[]> {
  const out: BlockSums[] = new Array(to - from);
  function* tasks(): Generator<RareTask> {
    // Four blocks a task: big enough to amortise a message, small enough to share among workers.
    for (let b = from; b < to; b += 4)
      yield { kind: "rare", params: s.params, seed: opts.seed, key: 0, stage: stageNo, from: b, to: Math.min(to, b + 4), proposal: q, sites, collect };
  }
  const n = Math.min(workers, Math.ceil((to - from) / 4));
  await runTasks(tasks(), n, (t: RareTally) => {
    t.blocks.forEach((b, i) => { out[t.from - from + i] = b; });
    onBlocks(t.blocks.length);
  }, exec.signal);
  return out;
}

export async function estimateRare(s: Scenario, options: Partial<RareOptions>, exec: Execution = {}): Promise<RareData> {
  const opts = checkRareOptions(options);
  const workers = checkWorkers(exec.workers);
  const sites = programOf(s.params, "tilted").sites;
  const progress = throttle(exec.onProgress);
  const budget = PILOT_EPISODES + MAX_STAGES * MAX_STAGE_BLOCKS * BLOCK + opts.maxEpisodes;
  let done = 0;
  const advance = (blocks: number) => { done += blocks * BLOCK; progress(Math.min(done, budget), budget); };

  const pilot = await simulate(s, { episodes: PILOT_EPISODES, seed: opts.seed }, 0, { ...exec, onProgress: undefined });
  advance(PILOT_EPISODES / BLOCK);
  const m = manifest({ engine: "rare", scenario: s.name, preset: s.preset, params: s.params, seed: opts.seed, episodes: 0, stream: [0],
    options: { relError: opts.relError, maxEpisodes: opts.maxEpisodes } });
  const safe = explore(s, { maxPreemptions: SAFE_CHECK_PREEMPTIONS }).outcomes.race.verdict === "SAFE";
  if (safe) return safeResult(s, m, pilot);

  // 3. Adaptation.
  let q = initialProposal(sites.length);
  let stageNo = 0, blocks = STAGE_BLOCKS, good = 0, adaptationEpisodes = 0, everHit = false;
  while (stageNo < MAX_STAGES && good < GOOD_STAGES) {
    stageNo++;
    const sums = await stage(s, q, sites.length, opts, stageNo, 0, blocks, true, workers, exec, advance);
    adaptationEpisodes += blocks * BLOCK;
    const t = total(sums);
    if (t.hits > 0) {
      everHit = true;
      const mass = new Float64Array(sites.length * NBINS), mass2 = new Float64Array(sites.length);
      for (const b of sums) {
        for (let i = 0; i < mass.length; i++) mass[i]! += b.mass[i]!;
        for (let i = 0; i < mass2.length; i++) mass2[i]! += b.mass2[i]!;
      }
      q = updateProposal(q, mass, mass2, sites.length);
    }
    if (t.hits >= MIN_HITS) good++;
    else blocks = Math.min(MAX_STAGE_BLOCKS, blocks * 2);
  }

  // 4. Estimation, round by round.
  const estimationStage = stageNo + 1;
  const all: BlockSums[] = [];
  let race: Estimate, corrupt: Estimate;
  for (;;) {
    const from = all.length;
    all.push(...await stage(s, q, sites.length, opts, estimationStage, from, from + ROUND_BLOCKS, false, workers, exec, advance));
    const t = total(all);
    race = estimateOf(t.episodes, t.hits, t.sumW, t.sumW2, t.maxW);
    corrupt = estimateOf(t.episodes, t.corrupts, t.sumWc, t.sumWc2, t.maxWc);
    const reached = all.length >= MIN_ROUNDS * ROUND_BLOCKS && race.hits >= MIN_HITS && race.relativeError <= opts.relError;
    if (reached || t.episodes + ROUND_BLOCKS * BLOCK > opts.maxEpisodes || (!everHit && t.episodes >= 4 * ROUND_BLOCKS * BLOCK)) break;
  }
  progress(budget, budget);

  const problems = judge(race, opts, everHit, pilot);
  const tilted = sites.map((site, i) => ({ site, ...tiltOf(q, i) })).filter((x) => x.shift >= 0.2).sort((a, b) => b.shift - a.shift);
  const zero = race.hits === 0;
  const ci95: Interval = zero ? [0, pilot.ci95[1]] : race.ci95;
  return {
    manifest: { ...m, episodes: race.episodes },
    method: `importance sampling over the model's uniforms, proposal adapted by the cross-entropy method (${stageNo} stages), compiled engine`,
    episodes: race.episodes,
    races: race.hits,
    pRace: race.p,
    ci95,
    relativeError: race.relativeError,
    reliable: problems.length === 0,
    race,
    corrupt,
    pCorrupt: corrupt.p,
    corruptCi95: corrupt.hits === 0 ? [0, ci95[1]] : corrupt.ci95,
    diagnostics: { reliable: problems.length === 0, problems, adaptationStages: stageNo, adaptationEpisodes, tilted },
    costs: pilot.costs,
    pilot: { episodes: pilot.episodes, races: pilot.races, pRace: pilot.pRace, ci95: pilot.ci95 },
  };
}

/** What makes an estimate untrustworthy, in words for the reply. */
function judge(race: Estimate, opts: RareOptions, everHit: boolean, pilot: RunData): string[] {
  const problems: string[] = [];
  if (!everHit) problems.push("the estimator never reached a race: it cannot steer towards this one (the explorer says one is possible)");
  else if (race.hits < MIN_HITS) problems.push(`only ${race.hits} racing episodes in the estimate (at least ${MIN_HITS} wanted)`);
  if (race.hits > 0 && race.ess < MIN_ESS) problems.push(`effective sample size ${race.ess.toFixed(1)} (at least ${MIN_ESS} wanted)`);
  if (race.hits > 0 && race.maxWeightShare > MAX_WEIGHT_SHARE)
    problems.push(`one episode carries ${(100 * race.maxWeightShare).toFixed(0)}% of the weight (at most ${100 * MAX_WEIGHT_SHARE}% wanted)`);
  if (race.hits > 0 && race.relativeError > opts.relError)
    problems.push(`relative error ${(100 * race.relativeError).toFixed(0)}% after ${race.episodes} episodes, the budget (${(100 * opts.relError).toFixed(0)}% wanted)`);
  // Where plain sampling sees races, the two must agree.
  if (pilot.races >= 10 && race.hits > 0 && (race.ci95[1] < pilot.ci95[0] || race.ci95[0] > pilot.ci95[1]))
    problems.push(`disagrees with plain sampling: ${pilot.races} races in ${pilot.episodes} episodes give [${pilot.ci95[0].toExponential(2)}, ${pilot.ci95[1].toExponential(2)}]`);
  return problems;
}

/** No interleaving races: pRace is 0, by exhaustive search. */
function safeResult(s: Scenario, m: Manifest, pilot: RunData): RareData {
  const none: Estimate = { episodes: 0, hits: 0, p: 0, ci95: [0, 0], relativeError: 0, ess: 0, maxWeightShare: 0 };
  return {
    manifest: m,
    method: `the explorer: no interleaving of the steps races, with up to ${SAFE_CHECK_PREEMPTIONS} preemptions of W; pRace is 0 by exhaustive search`,
    episodes: 0, races: 0, pRace: 0, ci95: [0, 0], relativeError: 0, reliable: true,
    race: none, corrupt: none, pCorrupt: 0, corruptCi95: [0, 0],
    diagnostics: { reliable: true, problems: [], adaptationStages: 0, adaptationEpisodes: 0, tilted: [] },
    costs: pilot.costs,
    pilot: { episodes: pilot.episodes, races: pilot.races, pRace: pilot.pRace, ci95: pilot.ci95 },
  };
}
