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
 * Steps 2 to 4 run for the race on the page-table-free protocol and, where
 * the PTE is read in halves, again for the torn read on the PTE model
 * (./adapt.ts).
 */
import { oneWalkerOnly } from "../../model/params.js";
import { InputError } from "../../model/errors.js";
import type { Scenario } from "../../model/scenario.js";
import { canTear } from "../../model/torn-pte.js";
import type { Probability } from "../../model/units.js";
import type { Interval } from "../../stats/proportion.js";
import type { CostSummary } from "../../stats/summary.js";
import { paramsApply } from "../exact/applies.js";
import { solveExact } from "../exact/index.js";
import { explore } from "../explore/index.js";
import { type Manifest, manifest } from "../manifest.js";
import { checkWorkers, type Execution } from "../montecarlo/pool.js";
import { BLOCK, type CostName, type RunData, simulate, throttle } from "../montecarlo/run.js";
import { adapt, type Adapted, type Estimate, MAX_ADAPTATION_EPISODES, MIN_HITS, ROUND_BLOCKS } from "./adapt.js";
import type { Tilt } from "./proposal.js";

export type { Estimate } from "./adapt.js";

export interface RareOptions {
  /** The 95% interval's half-width over pRace to reach (default 0.1). */
  readonly relError: number;
  readonly seed: number;
  /** The most episodes each estimation may take (default 3e7). */
  readonly maxEpisodes: number;
}

export const RARE_DEFAULTS = { relError: 0.1, seed: 1, maxEpisodes: 30_000_000 } as const;
/** Plain episodes of the pilot: the costs, and a check where races are common enough to see. */
export const PILOT_EPISODES = 100_000;
/** The explorer's bound on preemptions when it is asked whether any interleaving reaches the outcome. */
export const SAFE_CHECK_PREEMPTIONS = 4;
/** Above this share of the weight in one episode, or below this effective sample size, the estimate is not trusted. */
export const MAX_WEIGHT_SHARE = 0.05, MIN_ESS = 50;

export interface RareDiagnostics {
  readonly reliable: boolean;
  /** Why the estimate is not trusted; empty when it is. */
  readonly problems: readonly string[];
  readonly adaptationStages: number;
  readonly adaptationEpisodes: number;
  /** The draws the final proposal moves most (shift >= 0.2), most first: where the outcome is made. */
  readonly tilted: readonly ({ readonly site: string } & Tilt)[];
}

/** The torn PTE read's estimate, on the PTE model, where the PTE is read in halves. */
export interface TornEstimate {
  readonly method: string;
  readonly estimate: Estimate;
  readonly pTorn: Probability;
  readonly ci95: Interval;
  readonly reliable: boolean;
  readonly diagnostics: RareDiagnostics;
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
  readonly torn?: TornEstimate;
  /** From the plain pilot. */
  readonly costs: Readonly<Record<CostName, CostSummary>>;
  readonly pilot: {
    readonly episodes: number; readonly races: number; readonly pRace: Probability; readonly ci95: Interval;
    readonly torns?: number; readonly pTorn?: Probability; readonly tornCi95?: Interval;
  };
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

const NONE: Estimate = { episodes: 0, hits: 0, p: 0, ci95: [0, 0], relativeError: 0, ess: 0, maxWeightShare: 0 };
const METHOD = "importance sampling over the model's uniforms, proposal adapted by the cross-entropy method";
const safeMethod = (what: string) =>
  `the explorer: no interleaving of the steps reaches ${what}, with up to ${SAFE_CHECK_PREEMPTIONS} preemptions of W; it is 0 by exhaustive search`;

export async function estimateRare(s: Scenario, options: Partial<RareOptions>, exec: Execution = {}): Promise<RareData> {
  const opts = checkRareOptions(options);
  oneWalkerOnly(s.params, "the rare-event estimator");
  const workers = checkWorkers(exec.workers);
  const tear = canTear(s.params);
  const progress = throttle(exec.onProgress);
  const budget = PILOT_EPISODES + (tear ? 2 : 1) * (MAX_ADAPTATION_EPISODES + opts.maxEpisodes);
  let done = 0;
  const advance = (blocks: number) => { done += blocks * BLOCK; progress(Math.min(done, budget), budget); };

  const pilot = await simulate(s, { episodes: PILOT_EPISODES, seed: opts.seed }, 0, { ...exec, onProgress: undefined });
  advance(PILOT_EPISODES / BLOCK);
  const verdicts = explore(s, { maxPreemptions: SAFE_CHECK_PREEMPTIONS }).outcomes;
  const run = { ...opts, workers };
  const race = verdicts.race.verdict === "SAFE" ? undefined : await adapt(s, "protocol", run, exec, advance);
  const torn = !tear ? undefined : verdicts.torn.verdict === "SAFE" ? null : await adapt(s, "pte", run, exec, advance);
  // The budget was an upper bound; the end shows what was done.
  progress(done, done);

  const raceEstimate = race?.estimate ?? NONE, corrupt = race?.companion ?? NONE;
  const problems = race ? judge(race, "race", opts, { hits: pilot.races, episodes: pilot.episodes, ci95: pilot.ci95 }) : [];
  // Where every delay is memoryless the exact solver knows the answer: a check no estimate should fail.
  const exact = paramsApply(s.params).ok ? solveExact(s) : undefined;
  if (race && exact && raceEstimate.hits > 0 && (exact.pRace < raceEstimate.ci95[0] || exact.pRace > raceEstimate.ci95[1]))
    problems.push(`disagrees with the exact solver, which gives ${exact.pRace.toExponential(3)} (every delay here is memoryless)`);
  const ci95: Interval = race && raceEstimate.hits === 0 ? [0, pilot.ci95[1]] : raceEstimate.ci95;
  const m = manifest({ engine: "rare", scenario: s.name, preset: s.preset, measured: s.measured, params: s.params, seed: opts.seed, episodes: raceEstimate.episodes, stream: [0],
    options: { relError: opts.relError, maxEpisodes: opts.maxEpisodes } });
  return {
    manifest: m,
    method: race ? `${METHOD} (${race.stages} stages), compiled engine` : safeMethod("a race"),
    episodes: raceEstimate.episodes,
    races: raceEstimate.hits,
    pRace: raceEstimate.p,
    ci95,
    relativeError: raceEstimate.relativeError,
    reliable: problems.length === 0,
    race: raceEstimate,
    corrupt,
    pCorrupt: corrupt.p,
    corruptCi95: race && corrupt.hits === 0 ? [0, ci95[1]] : corrupt.ci95,
    diagnostics: diagnostics(race, problems),
    ...(torn === undefined ? {} : { torn: tornEstimate(torn, opts, pilot, exact?.pTorn) }),
    costs: pilot.costs,
    pilot: {
      episodes: pilot.episodes, races: pilot.races, pRace: pilot.pRace, ci95: pilot.ci95,
      ...(pilot.torns === undefined ? {} : { torns: pilot.torns, pTorn: pilot.pTorn, tornCi95: pilot.tornCi95 }),
    },
  };
}

function diagnostics(a: Adapted | undefined | null, problems: readonly string[]): RareDiagnostics {
  return { reliable: problems.length === 0, problems, adaptationStages: a?.stages ?? 0, adaptationEpisodes: a?.adaptationEpisodes ?? 0, tilted: a?.tilted ?? [] };
}

/** The torn read's estimate; null: the explorer found no torn interleaving. */
function tornEstimate(a: Adapted | null, opts: RareOptions, pilot: RunData, exact: number | undefined): TornEstimate {
  if (a === null) return { method: safeMethod("a torn read"), estimate: NONE, pTorn: 0, ci95: [0, 0], reliable: true, diagnostics: diagnostics(null, []) };
  const problems = judge(a, "torn read", opts, { hits: pilot.torns ?? 0, episodes: pilot.episodes, ci95: pilot.tornCi95 ?? [0, 1] });
  const e = a.estimate;
  if (exact !== undefined && e.hits > 0 && (exact < e.ci95[0] || exact > e.ci95[1]))
    problems.push(`disagrees with the exact solver, which gives ${exact.toExponential(3)} (every delay here is memoryless)`);
  return {
    method: `${METHOD} (${a.stages} stages) on the PTE model, compiled engine`,
    estimate: e, pTorn: e.p,
    ci95: e.hits === 0 ? [0, (pilot.tornCi95 ?? [0, 1])[1]] : e.ci95,
    reliable: problems.length === 0,
    diagnostics: diagnostics(a, problems),
  };
}

/** What makes an estimate untrustworthy, in words for the reply. */
export function judge(a: Adapted, what: string, opts: RareOptions, pilot: { hits: number; episodes: number; ci95: Interval }): string[] {
  const e = a.estimate;
  const problems: string[] = [];
  if (!a.reached) problems.push(`the estimator never reached a ${what}: it cannot steer towards this one (the explorer says one is possible)`);
  else if (!a.settled) problems.push(`the proposal did not settle in ${a.stages} stages of adaptation: the weights stay too uneven to learn from`);
  if (a.reached && e.hits < MIN_HITS) problems.push(`only ${e.hits} episodes with a ${what} in the estimate (at least ${MIN_HITS} wanted)`);
  if (e.hits > 0 && e.ess < MIN_ESS) problems.push(`effective sample size ${e.ess.toFixed(1)} (at least ${MIN_ESS} wanted)`);
  if (e.hits > 0 && e.maxWeightShare > MAX_WEIGHT_SHARE)
    problems.push(`one episode carries ${(100 * e.maxWeightShare).toFixed(0)}% of the weight (at most ${100 * MAX_WEIGHT_SHARE}% wanted)`);
  if (e.hits > 0 && e.relativeError > opts.relError)
    problems.push(`relative error ${(100 * e.relativeError).toFixed(0)}% after ${e.episodes} episodes, the budget (${(100 * opts.relError).toFixed(0)}% wanted)`);
  // Where plain sampling sees the outcome, the two must agree.
  if (pilot.hits >= 10 && e.hits > 0 && (e.ci95[1] < pilot.ci95[0] || e.ci95[0] > pilot.ci95[1]))
    problems.push(`disagrees with plain sampling: ${pilot.hits} in ${pilot.episodes} episodes give [${pilot.ci95[0].toExponential(2)}, ${pilot.ci95[1].toExponential(2)}]`);
  return problems;
}
