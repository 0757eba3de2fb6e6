/** Adds up the block tallies of one run (or one sweep cell) into its result. */
import { clopperPearson } from "../../stats/proportion.js";
import { clear, type Histogram, histogram, mergeSparse } from "../../stats/histogram.js";
import { summarize } from "../../stats/summary.js";
import type { Manifest } from "../manifest.js";
import { BLOCK, type BlockTally, type BlockTask, COSTS, type CostName, type EngineKind } from "./blocks.js";
import type { Params } from "../../model/params.js";
import type { RunData } from "./run.js";

/** Blocks per task: ~30 ms of work, small enough to spread a run over workers. */
export const TASK_BLOCKS = 8;

export interface RunTally {
  readonly episodes: number;
  readonly blocks: number;
  blocksDone: number;
  races: number;
  corrupts: number;
  /** Absent unless the blocks sampled the PTE model. */
  torns?: number;
  readonly hist: Record<CostName, Histogram>;
  readonly sums: Record<CostName, Float64Array>;
}

/**
 * An empty tally. `spare`: a finished tally whose histograms are emptied and
 * used again (a sweep opens one tally per cell, and dense histograms are
 * the most of its memory).
 */
export function runTally(episodes: number, spare?: RunTally): RunTally {
  const blocks = Math.ceil(episodes / BLOCK);
  const hist = spare
    ? Object.fromEntries(COSTS.map((c) => [c, clear(spare.hist[c])])) as Record<CostName, Histogram>
    : Object.fromEntries(COSTS.map((c) => [c, histogram()])) as Record<CostName, Histogram>;
  return {
    episodes, blocks, blocksDone: 0, races: 0, corrupts: 0, hist,
    sums: Object.fromEntries(COSTS.map((c) => [c, new Float64Array(blocks)])) as Record<CostName, Float64Array>,
  };
}

export function addBlocks(t: RunTally, b: BlockTally): void {
  t.races += b.races;
  t.corrupts += b.corrupts;
  if (b.torns !== undefined) t.torns = (t.torns ?? 0) + b.torns;
  for (const c of COSTS) {
    mergeSparse(t.hist[c], b.hist[c]);
    t.sums[c].set(b.sums[c], b.from);
  }
  t.blocksDone += b.to - b.from;
}

export const complete = (t: RunTally) => t.blocksDone === t.blocks;

/** The tasks of one run: its blocks in groups of TASK_BLOCKS. */
export function* runTasksOf(params: Params, seed: number, key: number, episodes: number, engine: EngineKind): Generator<BlockTask> {
  const blocks = Math.ceil(episodes / BLOCK);
  for (let from = 0; from < blocks; from += TASK_BLOCKS)
    yield { params, engine, seed, key, episodes, from, to: Math.min(blocks, from + TASK_BLOCKS) };
}

export function runData(t: RunTally, manifest: Manifest): RunData {
  const costs = Object.fromEntries(COSTS.map((c) => {
    let sum = 0;
    for (const s of t.sums[c]) sum += s; // block order, whoever ran the blocks
    return [c, { ...summarize(t.hist[c]), mean: sum / t.episodes }];
  })) as RunData["costs"];
  return {
    manifest,
    episodes: t.episodes,
    races: t.races,
    corrupts: t.corrupts,
    pRace: t.races / t.episodes,
    ci95: clopperPearson(t.races, t.episodes),
    pCorrupt: t.corrupts / t.episodes,
    corruptCi95: clopperPearson(t.corrupts, t.episodes),
    ...(t.torns === undefined ? {} : { torns: t.torns, pTorn: t.torns / t.episodes, tornCi95: clopperPearson(t.torns, t.episodes) }),
    costs,
  };
}
