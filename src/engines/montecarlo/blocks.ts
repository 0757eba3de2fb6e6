/**
 * The unit of Monte Carlo work: blocks [from, to) of random stream
 * (seed, key). Plain data in, plain data out, so it runs the same in this
 * thread or a worker. Cost sums are kept per block and added up later in
 * block order: floating-point addition is not associative, and the mean must
 * not depend on which worker ran which block.
 */
import { manyCpus, type Params } from "../../model/params.js";
import { manyModelOf, pteModel, tableFreeModel } from "../../model/protocol.js";
import { manyEpisodeRunner } from "./many.js";
import { canTear } from "../../model/torn-pte.js";
import { streamState, type Uniform, uniformFrom } from "../../random/stream.js";
import { drain, type Histogram, histogram, record, type SparseHistogram } from "../../stats/histogram.js";
import { type BlockAccumulator, type BlockRunner, compiledRunner, compiledTornRunner, type TornRunner } from "./compile/index.js";
import { type EpisodeOutcome, type EpisodeRunner, episodeRunner } from "./episode.js";

/** Episodes per block: the unit of random-stream splitting. Changing it changes the numbers. */
export const BLOCK = 4096;

export const COSTS = ["unmapLatencyUs", "freeDelayUs", "ipis", "waitUs"] as const;

/**
 * The torn PTE read is sampled in the PTE model, one episode per episode of
 * the page-table-free protocol, on a stream of its own: (seed, key, block,
 * TORN_STREAM). The race and corrupt numbers stay those of (seed, key, block).
 */
export const TORN_STREAM = 1;

export type CostName = (typeof COSTS)[number];

/**
 * How episodes are run: `compiled` (the default) turns the protocol into one
 * program per run (./compile/); `interpret` steps through the protocol's
 * guards and effects (./episode.ts), the reference the compiled engine is
 * tested against. Both give the same numbers, bit for bit.
 */
export const ENGINES = ["compiled", "interpret"] as const;
export type EngineKind = (typeof ENGINES)[number];

export interface BlockTask {
  readonly params: Params;
  /** Default: compiled. */
  readonly engine?: EngineKind;
  readonly seed: number;
  /** The stream key: a run's 0, a sweep's cell number. */
  readonly key: number;
  /** Episodes of the whole run; the last block may be partial. */
  readonly episodes: number;
  readonly from: number;
  readonly to: number;
}

export interface BlockTally {
  readonly key: number;
  readonly from: number;
  readonly to: number;
  readonly races: number;
  readonly corrupts: number;
  /** Torn PTE reads in the PTE model's episodes; absent when the PTE cannot tear and none are sampled (canTear). */
  readonly torns?: number;
  readonly hist: Record<CostName, SparseHistogram>;
  /** Per cost, the sum over each block, block `from + i` at index i. */
  readonly sums: Record<CostName, Float64Array>;
}

/**
 * An episode runner as a block runner: the interpreter (episodeRunner) on
 * the block's stream, or, with more than one walker or two vCPUs, the engine
 * of many vCPUs (many.ts), which the compiled engine does not cover.
 */
function interpretedRunner(params: Params): BlockRunner {
  const runnerOf: (u: Uniform) => EpisodeRunner = manyCpus(params)
    ? (u) => manyEpisodeRunner(manyModelOf(params), params, u)
    : (u) => episodeRunner(tableFreeModel(params), params, u);
  const out: EpisodeOutcome = { race: false, corrupt: false, torn: false, unmapLatencyUs: 0, freeDelayUs: 0, ipis: 0, waitUs: 0 };
  return (words, episodes, [hLatency, hFree, hIpis, hWait], acc) => {
    const runner = runnerOf(uniformFrom(words));
    let latency = 0, free = 0, ipis = 0, wait = 0;
    for (let i = 0; i < episodes; i++) {
      runner.run(out);
      if (out.race) acc.races++;
      if (out.corrupt) acc.corrupts++;
      record(hLatency!, out.unmapLatencyUs);
      record(hFree!, out.freeDelayUs);
      record(hIpis!, out.ipis);
      record(hWait!, out.waitUs);
      latency += out.unmapLatencyUs;
      free += out.freeDelayUs;
      ipis += out.ipis;
      wait += out.waitUs;
    }
    acc.latency = latency;
    acc.free = free;
    acc.ipis = ipis;
    acc.wait = wait;
  };
}

/** The interpreter on the PTE model: the torn reads of `episodes` episodes. */
function interpretedTornRunner(params: Params): TornRunner {
  const pte = pteModel(params);
  const out: EpisodeOutcome = { race: false, corrupt: false, torn: false, unmapLatencyUs: 0, freeDelayUs: 0, ipis: 0, waitUs: 0 };
  return (words, episodes) => {
    const runner = episodeRunner(pte, params, uniformFrom(words));
    let torns = 0;
    for (let i = 0; i < episodes; i++) if (runner.run(out).torn) torns++;
    return torns;
  };
}

/** The dense histograms a task fills, emptied as its sparse ones are taken: one set per thread. */
const scratch: readonly Histogram[] = COSTS.map(() => histogram());

export function simulateBlocks(task: BlockTask): BlockTally {
  const { params, seed, key, episodes, from, to } = task;
  const interpret = task.engine === "interpret" || manyCpus(params);
  const run = interpret ? interpretedRunner(params) : compiledRunner(params);
  const tear = !canTear(params) ? undefined : interpret ? interpretedTornRunner(params) : compiledTornRunner(params);
  const hists = scratch;
  const sums = Object.fromEntries(COSTS.map((c) => [c, new Float64Array(to - from)])) as Record<CostName, Float64Array>;
  const acc: BlockAccumulator = { races: 0, corrupts: 0, latency: 0, free: 0, ipis: 0, wait: 0 };
  let torns = 0;
  for (let b = from; b < to; b++) {
    const n = Math.min(episodes, (b + 1) * BLOCK) - b * BLOCK;
    run(streamState(seed, key, b), n, hists, acc);
    if (tear) torns += tear(streamState(seed, key, b, TORN_STREAM), n);
    const k = b - from;
    sums.unmapLatencyUs[k] = acc.latency;
    sums.freeDelayUs[k] = acc.free;
    sums.ipis[k] = acc.ipis;
    sums.waitUs[k] = acc.wait;
  }
  const hist = Object.fromEntries(COSTS.map((c, i) => [c, drain(hists[i]!)])) as Record<CostName, SparseHistogram>;
  return { key, from, to, races: acc.races, corrupts: acc.corrupts, ...(tear ? { torns } : {}), hist, sums };
}

/** The transferable buffers of a tally, for postMessage. */
export function tallyBuffers(t: BlockTally): ArrayBuffer[] {
  return COSTS.flatMap((c) => [t.hist[c].bins.buffer, t.hist[c].counts.buffer, t.hist[c].only.buffer, t.sums[c].buffer]) as ArrayBuffer[];
}
