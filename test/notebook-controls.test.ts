/**
 * Long work in a real tlbrace kernel: progress updates one display in place,
 * the notebook's interrupt stops the engine (not just the cell), and running
 * the cell again continues from the checkpoint to the uninterrupted result.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const PYTHON = process.env.TLBRACE_PYTHON ?? "/usr/bin/python3";
const script = new URL("./notebook_interrupt.py", import.meta.url).pathname;

interface Report {
  interruptedStatus: string;
  interruptedOutputs: [string, string][];
  rowsAtInterrupt: number;
  rowsAfterInterrupt: number;
  rowsASecondLater: number;
  resumedStatus: string;
  resumedOutputs: [string, string][];
  result: { same: boolean; cells: number } | null;
}

test("the interrupt button stops a sweep; running the cell again resumes it", () => {
  const checkpoint = join(mkdtempSync(join(tmpdir(), "tlbrace-nb-")), "sweep.jsonl");
  const r = spawnSync(PYTHON, [script, checkpoint], { encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout.trim().split("\n").pop()!) as Report;
  assert.equal(report.interruptedStatus, "error");
  assert.ok(report.interruptedOutputs.some(([t, text]) => t === "stream" && /Interrupted/.test(text)));
  // One progress display, then updates of it.
  const progress = report.interruptedOutputs.filter(([t]) => t.endsWith("display_data"));
  assert.equal(progress[0]![0], "display_data");
  assert.ok(progress.slice(1).every(([t]) => t === "update_display_data"));
  assert.match(progress[0]![1], /^sweep seed: \d+ of 1600000 episodes/);
  // The engine stopped with the cell: no row is added after the interrupt.
  assert.ok(report.rowsAtInterrupt >= 3 && report.rowsAtInterrupt < 40);
  assert.equal(report.rowsASecondLater, report.rowsAfterInterrupt);
  assert.equal(report.resumedStatus, "ok");
  assert.deepEqual(report.result, { same: true, cells: 40 });
});
