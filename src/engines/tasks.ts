/**
 * The work the pool (montecarlo/pool.ts) runs, in this thread or on workers:
 * Monte Carlo blocks and the rare-event estimator's blocks. Each is a pure
 * function of its plain-data task.
 */
import { type BlockTally, type BlockTask, simulateBlocks, tallyBuffers } from "./montecarlo/blocks.js";
import { type RareCellResult, type RareCellTask, simulateRareCell } from "./rare/cell.js";
import { rareBuffers, type RareTally, type RareTask, simulateRare } from "./rare/task.js";

export type Task = BlockTask | RareTask | RareCellTask;
export type TaskResult = BlockTally | RareTally | RareCellResult;
/** The result a task gives. */
export type ResultOf<T extends Task> = T extends RareTask ? RareTally : T extends RareCellTask ? RareCellResult : BlockTally;

const kindOf = (t: Task | TaskResult): string | undefined => ("kind" in t ? t.kind : undefined);

export function perform<T extends Task>(t: T): ResultOf<T> {
  const kind = kindOf(t);
  return (kind === "rare" ? simulateRare(t as RareTask) : kind === "rare-cell" ? simulateRareCell(t as RareCellTask) : simulateBlocks(t as BlockTask)) as ResultOf<T>;
}

/** The buffers a result can hand over to the main thread instead of copying. */
export function transferables(r: TaskResult): ArrayBuffer[] {
  const kind = kindOf(r);
  if (kind === "rare-cell") return (r as RareCellResult).proposal ? [(r as RareCellResult).proposal!.buffer as ArrayBuffer] : [];
  return kind === "rare" ? rareBuffers(r as RareTally) : tallyBuffers(r as BlockTally);
}
