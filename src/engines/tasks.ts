/**
 * The work the pool (montecarlo/pool.ts) runs, in this thread or on workers:
 * Monte Carlo blocks and the rare-event estimator's blocks. Each is a pure
 * function of its plain-data task.
 */
import { type BlockTally, type BlockTask, simulateBlocks, tallyBuffers } from "./montecarlo/blocks.js";
import { rareBuffers, type RareTally, type RareTask, simulateRare } from "./rare/task.js";

export type Task = BlockTask | RareTask;
export type TaskResult = BlockTally | RareTally;
/** The result a task gives. */
export type ResultOf<T extends Task> = T extends RareTask ? RareTally : BlockTally;

const isRare = (t: Task): t is RareTask => "kind" in t && t.kind === "rare";

export function perform<T extends Task>(t: T): ResultOf<T> {
  return (isRare(t) ? simulateRare(t) : simulateBlocks(t)) as ResultOf<T>;
}

/** The buffers a result can hand over to the main thread instead of copying. */
export function transferables(r: TaskResult): ArrayBuffer[] {
  return "kind" in r && r.kind === "rare" ? rareBuffers(r) : tallyBuffers(r as BlockTally);
}
