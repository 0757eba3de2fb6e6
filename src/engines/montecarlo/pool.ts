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
import { perform, type ResultOf, type Task } from "../tasks.js";
import { ENGINES, type EngineKind } from "./blocks.js";

export const MAX_WORKERS = 256;

/** How work is carried out; none of it changes a number. */
export interface Execution {
  /** Worker threads (default: the machine's available parallelism; 1 runs in this thread). */
  readonly workers?: number;
  /** Called with units done and total (episodes), at most every ~100 ms and at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops the work between tasks; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** How episodes run (default: compiled); `interpret` is the reference it is checked against. */
  readonly engine?: EngineKind;
}

export function checkWorkers(workers: unknown): number {
  if (workers === undefined) return availableParallelism();
  if (typeof workers !== "number" || !Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
    throw new InputError("workers", workers, `a whole number from 1 to ${MAX_WORKERS}`);
  return workers;
}

export function checkEngine(engine: unknown): EngineKind {
  if (engine === undefined) return "compiled";
  if (typeof engine !== "string" || !(ENGINES as readonly string[]).includes(engine))
    throw new InputError("engine", engine, `one of ${ENGINES.join(", ")}`);
  return engine as EngineKind;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs every task, handing each result to `onResult` as it arrives. */
export async function runTasks<T extends Task>(
  tasks: Iterator<T>, workers: number, onResult: (r: ResultOf<T>) => void, signal?: AbortSignal,
): Promise<void> {
  if (workers <= 1) {
    let last = performance.now();
    for (let r = tasks.next(); !r.done; r = tasks.next()) {
      signal?.throwIfAborted();
      onResult(perform(r.value));
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

/** Tasks each worker holds at once: the next is already there when one finishes. */
const IN_FLIGHT = 2;

/**
 * Workers outlive a run, so a notebook's next run or sweep does not pay for
 * their start-up again; they are unref'd between runs so that they never keep
 * a process alive. A run that finds them busy (two at once) starts its own.
 */
let idle: Worker[] = [];

function spawn(): Worker {
  const w = new Worker(workerUrl);
  w.once("exit", () => { idle = idle.filter((x) => x !== w); });
  return w;
}

function take(n: number): Worker[] {
  const mine = idle.splice(0, n);
  while (mine.length < n) mine.push(spawn());
  for (const w of mine) w.ref();
  return mine;
}

function giveBack(pool: Worker[]): void {
  for (const w of pool) w.unref();
  idle = [...pool, ...idle];
}

interface WorkerReply<R> { result?: R; error?: string }

function runOnWorkers<T extends Task>(tasks: Iterator<T>, n: number, onResult: (r: ResultOf<T>) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const pool = take(n);
    const held = new Map<Worker, number>(pool.map((w) => [w, 0]));
    const listeners: [Worker, (m: WorkerReply<ResultOf<T>>) => void, (e: unknown) => void, (code: number) => void][] = [];
    let exhausted = false, finished = false;
    const stop = (error?: unknown) => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener("abort", onAbort);
      for (const [w, message, fail, exit] of listeners) w.off("message", message).off("error", fail).off("exit", exit);
      // Work still under way (an abort, an error) is not waited for: those workers go.
      if (error === undefined) giveBack(pool);
      else for (const w of pool) void w.terminate();
      if (error === undefined) resolve(); else reject(error);
    };
    const onAbort = () => stop(signal!.reason);
    /** Tops `w` up to IN_FLIGHT tasks; a task that cannot be made ends the run with its error. */
    const feed = (w: Worker) => {
      while (held.get(w)! < IN_FLIGHT && !exhausted && !finished) {
        let next: IteratorResult<T>;
        try { next = tasks.next(); } catch (e) { return stop(e); }
        if (next.done) { exhausted = true; break; }
        held.set(w, held.get(w)! + 1);
        w.postMessage(next.value);
      }
      if (exhausted && [...held.values()].every((h) => h === 0)) stop();
    };
    signal?.addEventListener("abort", onAbort);
    for (const w of pool) {
      const message = (m: WorkerReply<ResultOf<T>>) => {
        if (finished) return;
        held.set(w, held.get(w)! - 1);
        if (m.error !== undefined) return stop(new Error(m.error));
        try { onResult(m.result!); } catch (e) { return stop(e); }
        feed(w);
      };
      const fail = (e: unknown) => stop(e);
      const exit = (code: number) => stop(new Error(`a worker thread exited (code ${code}) before its work was done`));
      listeners.push([w, message, fail, exit]);
      w.on("message", message).on("error", fail).on("exit", exit);
    }
    for (const w of pool) feed(w);
  });
}
