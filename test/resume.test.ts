/** Interrupting a sweep keeps its finished cells; resuming loses none and counts none twice. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { grid, range } from "../src/analysis/grid.js";
import { runSweep, type SweepRow } from "../src/analysis/sweep.js";
import { defineScenario } from "../src/model/scenario.js";

const s = defineScenario({ base: "seed", params: { tableFree: "rcu-skip-sync" } });
const g = grid(s, { memoryPressure: range(0, 1, 12) });
const opts = { episodes: 6000, seed: 8 };

test("a sweep aborted part-way resumes from its checkpoint to the uninterrupted result", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "tlbrace-ckpt-")), "sweep.jsonl");
  const whole = await runSweep(g, opts, { workers: 1 });
  const stop = new AbortController();
  const first: number[] = [];
  await assert.rejects(runSweep(g, opts, { workers: 2, checkpoint: file, signal: stop.signal, onRow: (r) => {
    first.push(r.cell);
    if (first.length === 4) stop.abort(new Error("stop"));
  } }), /stop/);
  const kept = readFileSync(file, "utf8").trim().split("\n").length - 1;
  assert.ok(kept >= 4 && kept < 12, `${kept} rows kept`);
  // A crash can leave half a line: it is dropped and that cell computed again.
  appendFileSync(file, '{"memoryPressure":0.9,"cell":');
  const second: number[] = [];
  const resumed = await runSweep(g, opts, { workers: 2, checkpoint: file, resume: true, onRow: (r) => second.push(r.cell) });
  assert.deepEqual(second, Array.from({ length: 12 - kept }, (_, i) => kept + i));
  assert.deepEqual(resumed, whole);
  // Rows read back keep their columns' order, so JSON and Arrow written from them are the same bytes.
  assert.equal(JSON.stringify(resumed), JSON.stringify(whole));
  const lines = readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => (JSON.parse(l) as SweepRow).cell);
  assert.deepEqual(lines, Array.from({ length: 12 }, (_, i) => i));
});

test("a checkpoint of another sweep is refused before any work", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "tlbrace-ckpt-")), "sweep.jsonl");
  await runSweep(g, opts, { workers: 1, checkpoint: file });
  await assert.rejects(runSweep(g, { ...opts, seed: 9 }, { checkpoint: file }), /checkpoint: .* is not allowed; expected a checkpoint of this same sweep/);
  await assert.rejects(runSweep(g, opts, { checkpoint: file + ".missing", resume: true }), /resume: .* expected an existing checkpoint/);
});

test("Ctrl-C on the CLI keeps the finished cells; --resume finishes the same sweep", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tlbrace-ckpt-"));
  const file = join(dir, "c.jsonl");
  const cli = new URL("../bin/tlbrace.js", import.meta.url).pathname;
  const args = ["sweep", "seed", "--vary", "memoryPressure=0:1:40", "--episodes", "40000", "--workers", "1"];
  const run = (extra: string[]) => {
    const p = spawn("node", [cli, ...args, ...extra]);
    let out = "", err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    return { p, done: new Promise<{ code: number | null; out: string; err: string }>((r) => p.on("close", (code) => r({ code, out, err }))) };
  };
  const first = run(["--checkpoint", file]);
  // Interrupt once a few cells are in the file.
  const rowsIn = () => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).length - 1 : 0);
  while (rowsIn() < 3) await new Promise((r) => setTimeout(r, 50));
  first.p.kill("SIGINT");
  const stopped = await first.done;
  assert.equal(stopped.code, 130);
  assert.match(stopped.err, /--resume/);
  const kept = readFileSync(file, "utf8").trim().split("\n").length - 1;
  assert.ok(kept >= 3 && kept < 40, `${kept} rows kept`);
  const resumed = await run(["--resume", file]).done;
  const whole = await run([]).done;
  assert.equal(resumed.code, 0, resumed.err);
  assert.equal(resumed.out, whole.out);
});
