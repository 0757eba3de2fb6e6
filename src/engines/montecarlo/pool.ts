/**
 * Runs block tasks in this thread or on worker threads. Either way each task
 * is the same pure function of its plain-data input, so results do not depend
 * on the number of workers or on the order tasks finish in.
 */
import { availableParallelism } from "node:os";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { InputError } from "../../model/errors.js";
import { type BlockTally, type BlockTask, simulateBlocks } from "./blocks.js";

export const MAX_WORKERS = 256;

/** How work is carried out; none of it changes a number. */
export interface Execution {
  /** Worker threads (default: the machine's available parallelism; 1 runs in this thread). */
  readonly workers?: number;
  /** Called with units done and total (episodes), at most every ~100 ms and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops the work between tasks; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export function checkWorkers(workers: unknown): number {
  if (workers === undefined) return availableParallelism();
  if (typeof workers !== "number" || !Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
    throw new InputError("workers", workers, `a whole number from 1 to ${MAX_WORKERS}`);
  return workers;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs every task, handing each tally to `onResult` as it arrives. */
export async function runTasks(
  tasks: Iterator<BlockTask>, workers: number, onResult: (t: BlockTally) => void, signal?: AbortSignal,
): Promise<void> {
  if (workers <= 1) {
    let last = performance.now();
    for (let r = tasks.next(); !r.done; r = tasks.next()) {
      signal?.throwIfAborted();
      onResult(simulateBlocks(r.value));
      // Let progress, output and Ctrl-C through every ~50 ms.
      if (performance.now() - last > 50) { await yieldToEventLoop(); last = performance.now(); }
    }
    return;
  }
  await runOnWorkers(tasks, workers, onResult, signal);
}

const ext = extname(fileURLToPath(import.meta.url));
/**
 * The worker's entry. Run from TypeScript sources (tests, benchmarks), the
 * worker registers tsx's loader first: `--import tsx` does not reach worker
 * threads on Node 20.
 */
const workerUrl = ext === ".ts"
  ? new URL("data:text/javascript," + encodeURIComponent(
    `const { register } = await import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}); register();\n` +
    `await import(${JSON.stringify(new URL("./worker.ts", import.meta.url).href)});`))
  : new URL("./worker.js", import.meta.url);

function runOnWorkers(tasks: Iterator<BlockTask>, n: number, onResult: (t: BlockTally) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    let running = 0, finished = false;
    const stop = (error?: unknown) => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      for (const w of pool) void w.terminate();
      if (error === undefined) resolve(); else reject(error);
    };
    const onAbort = () => stop(signal!.reason);
    const feed = (w: Worker) => {
      if (finished) return;
      // Building a task can fail (a cell's parameters); the workers must end with the error.
      let next: IteratorResult<BlockTask>;
      try { next = tasks.next(); } catch (e) { return stop(e); }
      if (next.done) {
        if (running === 0) stop();
        return;
      }
      running++;
      w.postMessage(next.value);
    };
    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener("abort", onAbort);
    for (let i = 0; i < n; i++) {
      const w = new Worker(workerUrl);
      w.on("message", (m: { tally?: BlockTally; error?: string }) => {
        if (finished) return; // a result that crossed an abort
        running--;
        if (m.error !== undefined) return stop(new Error(m.error));
        try { onResult(m.tally!); } catch (e) { return stop(e); }
        feed(w);
      });
      w.on("error", stop);
      w.on("exit", (code) => stop(new Error(`a worker thread exited (code ${code}) before its task was done`)));
      pool.push(w);
    }
    for (const w of pool) feed(w);
  });
}
