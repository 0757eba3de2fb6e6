/**
 * The rare-event estimator's unit of work, like a Monte Carlo block task:
 * blocks [from, to) of the random stream (seed, key, stage), each 4096
 * episodes of the tilted program under one proposal. Plain data in, plain
 * data out, the sums kept per block so that adding them up in block order
 * gives the same numbers on any number of workers.
 */
import erfcinv from "@stdlib/math-base-special-erfcinv";
import type { Params } from "../../model/params.js";
import { streamState } from "../../random/stream.js";
import { instantiate, type ModelKind, programOf } from "../montecarlo/compile/index.js";
import { BLOCK, TORN_STREAM } from "../montecarlo/blocks.js";
import { begin, type BlockSums, draw, end, endBlock, startBlock, useProposal, V } from "./draws.js";
import type { Proposal } from "./proposal.js";

export interface RareTask {
  readonly kind: "rare";
  /** The page-table-free protocol (the race) or the PTE model (the torn read). */
  readonly model: ModelKind;
  readonly params: Params;
  readonly seed: number;
  readonly key: number;
  /** The stage of the estimator: 1, 2, ... adapt the proposal; the last estimates with it. */
  readonly stage: number;
  readonly from: number;
  readonly to: number;
  readonly proposal: Proposal;
  readonly sites: number;
  /** Keep the cross-entropy input (the stages that adapt the proposal). */
  readonly collect: boolean;
}

export interface RareTally {
  readonly kind: "rare";
  readonly stage: number;
  readonly from: number;
  readonly to: number;
  /** Block `from + i` at index i. */
  readonly blocks: readonly BlockSums[];
}

const SQRT2 = Math.SQRT2;
/** The standard normal's quantile at p <= 0.5, accurate however small p is. */
const nq = (p: number): number => -SQRT2 * erfcinv(2 * p);

/**
 * The stream of stage `stage`, block b: keys apart from any plain run's or
 * sweep cell's; the PTE model's on streams of their own, as in plain runs.
 */
export const rareStream = (seed: number, key: number, stage: number, b: number, model: ModelKind) =>
  model === "pte" ? streamState(seed, key, stage, b, TORN_STREAM) : streamState(seed, key, stage, b);

/** Tilted runners by parameters: the stages of one estimate (a sweep cell's short ones above all) write the program once. */
const runners = new Map<string, (episodes: number) => void>();

function runnerOf(params: RareTask["params"], model: ModelKind): (episodes: number) => void {
  const key = `${model} ${JSON.stringify(params)}`;
  let run = runners.get(key);
  if (!run) {
    run = instantiate<(episodes: number) => void>(programOf(params, "tilted", model), { draw, V, begin, end, nq });
    if (runners.size >= 16) runners.delete(runners.keys().next().value!);
    runners.set(key, run);
  }
  return run;
}

export function simulateRare(task: RareTask): RareTally {
  const run = runnerOf(task.params, task.model);
  useProposal(task.proposal, task.sites);
  const blocks: BlockSums[] = [];
  for (let b = task.from; b < task.to; b++) {
    startBlock(rareStream(task.seed, task.key, task.stage, b, task.model), task.collect);
    run(BLOCK);
    blocks.push(endBlock());
  }
  return { kind: "rare", stage: task.stage, from: task.from, to: task.to, blocks };
}

/** The transferable buffers of a tally, for postMessage. */
export const rareBuffers = (t: RareTally): ArrayBuffer[] =>
  t.blocks.flatMap((b) => (b.log ? [b.log.weight.buffer, b.log.end.buffer, b.log.draws.buffer] as ArrayBuffer[] : []));
