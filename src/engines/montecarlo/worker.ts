/** A worker thread: performs the tasks it is sent. */
import { parentPort } from "node:worker_threads";
import { perform, type Task, transferables } from "../tasks.js";

parentPort!.on("message", (task: Task) => {
  try {
    const result = perform(task);
    parentPort!.postMessage({ result }, transferables(result));
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
});
