/**
 * Monte Carlo runs: episodes in fixed blocks, block b of stream (seed, key)
 * drawing from its own random stream, so results do not depend on how blocks
 * are scheduled.
 */
import { InputError } from "../../model/errors.js";
import type { Params } from "../../model/params.js";
import { protocol } from "../../model/protocol.js";
import type { Scenario } from "../../model/scenario.js";
import type { Count, Probability } from "../../model/units.js";
import { stream } from "../../random/stream.js";
import { clopperPearson, type Interval } from "../../stats/proportion.js";
import { type Histogram, histogram, record } from "../../stats/histogram.js";
import { type CostSummary, summarize } from "../../stats/summary.js";
import { type Manifest, manifest } from "../manifest.js";
import { type EpisodeOutcome, episodeRunner } from "./episode.js";

/** Episodes per block: the unit of random-stream splitting. Changing it changes the numbers. */
export const BLOCK = 4096;
export const MAX_EPISODES = 1e10;

export const COSTS = ["unmapLatencyUs", "freeDelayUs", "ipis", "waitUs"] as const;
export type CostName = (typeof COSTS)[number];

export interface MonteCarloOptions {
  /** Episodes to sample: a whole number from 1 to 1e10. */
  readonly episodes: number;
  /** Seed of the random streams: a whole number from 0 to 2^53 - 1. */
  readonly seed: number;
}

export interface Progress {
  /** Called with episodes done and total, at most every ~100 ms. */
  readonly onProgress?: (done: Count, total: Count) => void;
  /** Stops the run between blocks; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface RunData {
  readonly manifest: Manifest;
  readonly episodes: Count;
  readonly races: Count;
  readonly corrupts: Count;
  readonly pRace: Probability;
  readonly ci95: Interval;
  readonly pCorrupt: Probability;
  readonly corruptCi95: Interval;
  readonly costs: Readonly<Record<CostName, CostSummary>>;
}

export function checkRunOptions(o: unknown): MonteCarloOptions {
  if (typeof o !== "object" || o === null) throw new InputError("options", o, "{episodes, seed}");
  const { episodes, seed } = o as Record<string, unknown>;
  if (typeof episodes !== "number" || !Number.isInteger(episodes) || episodes < 1 || episodes > MAX_EPISODES)
    throw new InputError("episodes", episodes, "a whole number from 1 to 1e10");
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0)
    throw new InputError("seed", seed, "a whole number from 0 to 2^53 - 1");
  return { episodes, seed };
}

interface Tally {
  races: number;
  corrupts: number;
  costs: Record<CostName, Histogram>;
}

/** Simulates blocks [from, to) of stream (seed, key) into `t`, from episode offset `from * BLOCK`. */
function simulateBlocks(params: Params, seed: number, key: number, episodes: number, from: number, to: number, t: Tally): void {
  const proto = protocol(params.flush, params.tableFree);
  const out: EpisodeOutcome = { race: false, corrupt: false, unmapLatencyUs: 0, freeDelayUs: 0, ipis: 0, waitUs: 0 };
  for (let b = from; b < to; b++) {
    const runner = episodeRunner(proto, params, stream(seed, key, b));
    const end = Math.min(episodes, (b + 1) * BLOCK);
    for (let i = b * BLOCK; i < end; i++) {
      runner.run(out);
      if (out.race) t.races++;
      if (out.corrupt) t.corrupts++;
      record(t.costs.unmapLatencyUs, out.unmapLatencyUs);
      record(t.costs.freeDelayUs, out.freeDelayUs);
      record(t.costs.ipis, out.ipis);
      record(t.costs.waitUs, out.waitUs);
    }
  }
}

const now = () => performance.now();
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `episodes` episodes of `params` on stream (seed, key). Yields to the
 * event loop between blocks so progress shows and an abort is seen.
 */
export async function simulate(
  scenario: Scenario, opts: MonteCarloOptions, key = 0, progress: Progress = {},
): Promise<RunData> {
  const { episodes, seed } = checkRunOptions(opts);
  const blocks = Math.ceil(episodes / BLOCK);
  const t: Tally = {
    races: 0, corrupts: 0,
    costs: Object.fromEntries(COSTS.map((c) => [c, histogram()])) as Record<CostName, Histogram>,
  };
  let last = now();
  for (let b = 0; b < blocks; ) {
    progress.signal?.throwIfAborted();
    const start = now();
    let next = b + 1;
    simulateBlocks(scenario.params, seed, key, episodes, b, next, t);
    // Batch blocks up to ~50 ms between yields.
    const perBlock = Math.max(now() - start, 1e-3);
    const more = Math.min(blocks - next, Math.floor(50 / perBlock));
    if (more > 0) { simulateBlocks(scenario.params, seed, key, episodes, next, next + more, t); next += more; }
    b = next;
    if (progress.onProgress && (now() - last > 100 || b === blocks)) {
      progress.onProgress(Math.min(episodes, b * BLOCK), episodes);
      last = now();
    }
    if (b < blocks) await yieldToEventLoop();
  }
  return {
    manifest: manifest({ engine: "montecarlo", scenario: scenario.name, params: scenario.params, seed, episodes, stream: [key] }),
    episodes,
    races: t.races,
    corrupts: t.corrupts,
    pRace: t.races / episodes,
    ci95: clopperPearson(t.races, episodes),
    pCorrupt: t.corrupts / episodes,
    corruptCi95: clopperPearson(t.corrupts, episodes),
    costs: Object.fromEntries(COSTS.map((c) => [c, summarize(t.costs[c])])) as Record<CostName, CostSummary>,
  };
}
