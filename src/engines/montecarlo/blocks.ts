/**
 * The unit of Monte Carlo work: blocks [from, to) of random stream
 * (seed, key). Plain data in, plain data out, so it runs the same in this
 * thread or a worker. Cost sums are kept per block and added up later in
 * block order: floating-point addition is not associative, and the mean must
 * not depend on which worker ran which block.
 */
import type { Params } from "../../model/params.js";
import { protocol } from "../../model/protocol.js";
import { canTear, pteProtocol } from "../../model/torn-pte.js";
import { stream } from "../../random/stream.js";
import { histogram, record, type SparseHistogram, toSparse } from "../../stats/histogram.js";
import { type EpisodeOutcome, episodeRunner } from "./episode.js";

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

export interface BlockTask {
  readonly params: Params;
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

export function simulateBlocks(task: BlockTask): BlockTally {
  const { params, seed, key, episodes, from, to } = task;
  const proto = protocol(params.flush, params.tableFree);
  const pte = canTear(params) ? pteProtocol(params) : undefined;
  const out: EpisodeOutcome = { race: false, corrupt: false, torn: false, unmapLatencyUs: 0, freeDelayUs: 0, ipis: 0, waitUs: 0 };
  const h = { unmapLatencyUs: histogram(), freeDelayUs: histogram(), ipis: histogram(), waitUs: histogram() };
  const sums = Object.fromEntries(COSTS.map((c) => [c, new Float64Array(to - from)])) as Record<CostName, Float64Array>;
  let races = 0, corrupts = 0, torns = 0;
  for (let b = from; b < to; b++) {
    const runner = episodeRunner(proto, params, stream(seed, key, b));
    const end = Math.min(episodes, (b + 1) * BLOCK);
    let latency = 0, free = 0, ipis = 0, wait = 0;
    for (let i = b * BLOCK; i < end; i++) {
      runner.run(out);
      if (out.race) races++;
      if (out.corrupt) corrupts++;
      record(h.unmapLatencyUs, out.unmapLatencyUs);
      record(h.freeDelayUs, out.freeDelayUs);
      record(h.ipis, out.ipis);
      record(h.waitUs, out.waitUs);
      latency += out.unmapLatencyUs;
      free += out.freeDelayUs;
      ipis += out.ipis;
      wait += out.waitUs;
    }
    if (pte) {
      const tornRunner = episodeRunner(pte, params, stream(seed, key, b, TORN_STREAM));
      for (let i = b * BLOCK; i < end; i++) if (tornRunner.run(out).torn) torns++;
    }
    const k = b - from;
    sums.unmapLatencyUs[k] = latency;
    sums.freeDelayUs[k] = free;
    sums.ipis[k] = ipis;
    sums.waitUs[k] = wait;
  }
  const hist = Object.fromEntries(COSTS.map((c) => [c, toSparse(h[c])])) as Record<CostName, SparseHistogram>;
  return { key, from, to, races, corrupts, ...(pte ? { torns } : {}), hist, sums };
}

/** The transferable buffers of a tally, for postMessage. */
export function tallyBuffers(t: BlockTally): ArrayBuffer[] {
  return COSTS.flatMap((c) => [t.hist[c].bins.buffer, t.hist[c].counts.buffer, t.hist[c].only.buffer, t.sums[c].buffer]) as ArrayBuffer[];
}
