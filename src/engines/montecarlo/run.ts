/**
 * Monte Carlo runs: episodes in fixed blocks, block b of stream (seed, key)
 * drawing from its own random stream, so results do not depend on how blocks
 * are scheduled: one thread or many, in any order.
 */
import { InputError } from "../../model/errors.js";
import type { Scenario } from "../../model/scenario.js";
import type { Count, Probability } from "../../model/units.js";
import type { Interval } from "../../stats/proportion.js";
import type { CostSummary } from "../../stats/summary.js";
import { type Manifest, manifest } from "../manifest.js";
import type { CostName } from "./blocks.js";
import { checkEngine, checkWorkers, type Execution, runTasks } from "./pool.js";
import { addBlocks, runData, runTally, runTasksOf } from "./tally.js";

export { BLOCK, COSTS, type CostName, ENGINES, type EngineKind } from "./blocks.js";
export type { Execution } from "./pool.js";

export const MAX_EPISODES = 1e10;

export interface MonteCarloOptions {
  /** Episodes to sample: a whole number from 1 to 1e10. */
  readonly episodes: number;
  /** Seed of the random streams: a whole number from 0 to 2^53 - 1. */
  readonly seed: number;
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
  /** The torn PTE read, sampled in the PTE model when the scenario reads the PTE in halves (pteRead low-high). */
  readonly torns?: Count;
  readonly pTorn?: Probability;
  readonly tornCi95?: Interval;
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

/** Reports progress at most every ~100 ms, and always at the end. */
export function throttle(onProgress?: (done: number, total: number) => void) {
  let last = 0;
  return (done: number, total: number) => {
    if (!onProgress) return;
    const t = performance.now();
    if (t - last > 100 || done === total) { last = t; onProgress(done, total); }
  };
}

/** Runs `episodes` episodes of the scenario on stream (seed, key). */
export async function simulate(scenario: Scenario, opts: MonteCarloOptions, key = 0, exec: Execution = {}): Promise<RunData> {
  const { episodes, seed } = checkRunOptions(opts);
  const workers = checkWorkers(exec.workers);
  const engine = checkEngine(exec.engine);
  const t = runTally(episodes);
  const progress = throttle(exec.onProgress);
  // Small runs are not worth a thread's start-up.
  const n = t.blocks < 4 ? 1 : Math.min(workers, Math.ceil(t.blocks / 8));
  await runTasks(runTasksOf(scenario.params, seed, key, episodes, engine), n, (b) => {
    addBlocks(t, b);
    progress(Math.min(episodes, t.blocksDone * 4096), episodes);
  }, exec.signal);
  return runData(t, manifest({ engine: "montecarlo", scenario: scenario.name, preset: scenario.preset, params: scenario.params, measured: scenario.measured, seed, episodes, stream: [key] }));
}
