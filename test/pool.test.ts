/**
 * The worker pool ends on every error path: when a task cannot be built
 * (the first cell's parameters are bad) or when a later one fails, the
 * promise rejects and every worker thread is terminated, so the process
 * exits by itself.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const pool = fileURLToPath(new URL("../src/engines/montecarlo/pool.ts", import.meta.url));
const tally = fileURLToPath(new URL("../src/engines/montecarlo/tally.ts", import.meta.url));
const scenario = fileURLToPath(new URL("../src/model/scenario.ts", import.meta.url));

/** Runs `failAt` good cells then a failing one on 2 workers in a child process; resolves with its exit. */
function runChild(failAt: number): Promise<{ code: number | null; killed: boolean; stdout: string; stderr: string }> {
  const script = `
    import { runTasks } from ${JSON.stringify(pool)};
    import { runTasksOf } from ${JSON.stringify(tally)};
    import { defineScenario } from ${JSON.stringify(scenario)};
    const params = defineScenario("seed").params;
    function* tasks() {
      for (let cell = 0; ; cell++) {
        if (cell === ${failAt}) throw new Error("cell " + cell + " has bad parameters");
        yield* runTasksOf(params, 1, cell, 4096 * 16);
      }
    }
    let results = 0;
    await runTasks(tasks(), 2, () => { results++; }).then(
      () => console.log("resolved"),
      (e) => console.log("rejected: " + e.message + " after " + results + " results"));
  `;
  return new Promise((resolve) => {
    // The child's own time bound, so a hung pool cannot outlive the test.
    execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script],
      { timeout: 50_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number | null) ?? null : 0, killed: !!error?.killed, stdout, stderr }));
  });
}

test("a failing first cell on 2 workers rejects and the process exits", { timeout: 60_000 }, async () => {
  const r = await runChild(0);
  assert.equal(r.killed, false, "the pool kept the process alive");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^rejected: cell 0 has bad parameters after 0 results$/m);
});

test("a cell failing after others ran on 2 workers rejects and the process exits", { timeout: 60_000 }, async () => {
  const r = await runChild(2);
  assert.equal(r.killed, false, "the pool kept the process alive");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^rejected: cell 2 has bad parameters after \d+ results$/m);
});
