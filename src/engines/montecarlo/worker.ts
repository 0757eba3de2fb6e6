/** A worker thread: simulates the block tasks it is sent. */
import { parentPort } from "node:worker_threads";
import { type BlockTask, simulateBlocks, tallyBuffers } from "./blocks.js";

parentPort!.on("message", (task: BlockTask) => {
  try {
    const tally = simulateBlocks(task);
    parentPort!.postMessage({ tally }, tallyBuffers(tally));
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
