/**
 * Rare-event sweeps (`sweep --rare`): a grid with a closed form in every
 * cell, down to 1e-12; a cell against `run --rare` on that cell alone; the
 * same rows on 1 and 2 workers, from merged shards and from a resumed
 * checkpoint; and a grid that crosses from "safe by exhaustive search" to
 * "races", each cell with its method.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cellScenario, grid, logRange } from "../src/analysis/grid.js";
import { runRareSweep } from "../src/analysis/rare-sweep.js";
import { readRecorded } from "../src/analysis/rerun.js";
import { mergeShards, readSweepFile, sweepToArrow } from "../src/analysis/shards.js";
import { estimateRare } from "../src/engines/rare/estimate.js";
import { defineScenario } from "../src/model/scenario.js";
import { heatmap } from "../src/charts/heatmap.js";
import { lineChart } from "../src/charts/line.js";
import { sweepReply } from "../src/report/reply.js";
import { fmtNumber } from "../src/text/format.js";

const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/tlbrace.js", ...args], { encoding: "utf8" });
const dir = mkdtempSync(join(tmpdir(), "tlbrace-rare-sweep-"));

/**
 * kvm-pv skips exactly the walker preempted at the unmap, and rcu-skip-sync
 * frees at once when the batch allocation fails, so with an instant flush
 * pRace = memoryPressure x λm/(1 + λm), λ the preemption rate and m the mean
 * preemption, whatever the law of the preemption's length (the share of
 * wall-clock time W spends preempted). Uniform preemptions keep the exact
 * solver out: every cell is the importance sampler's.
 */
const closedForm = (p: number, rate: number, mean: number) => { const lm = (rate / 1000) * mean; return (p * lm) / (1 + lm); };
const base = (preemptUs: string) => defineScenario({ base: "skip-sync-kvm", params: { flushUs: 0, preemptUs } });

test("a grid with a closed form in every cell, down to 1e-12: each cell's interval holds it", async () => {
  const g = grid(base("uniform:0:400"), { memoryPressure: logRange(5e-8, 5e-3, 3), preemptRate: logRange(1e-4, 1, 3) });
  const d = await runRareSweep(g, { episodes: 2000, seed: 1 }, { workers: 2 });
  assert.equal(d.rows.length, 9);
  const smallest = Math.min(...d.rows.map((r) => closedForm(r.memoryPressure as number, r.preemptRate as number, 200)));
  assert.ok(smallest < 2e-12, `${smallest}`);
  for (const r of d.rows) {
    const want = closedForm(r.memoryPressure as number, r.preemptRate as number, 200);
    const row = r as unknown as { method: string; reliable: boolean; problems: string; relativeError: number; pRace: number; pRaceLo: number; pRaceHi: number };
    assert.equal(row.method, "importance");
    assert.ok(row.reliable, `cell ${r.cell}: ${row.problems}`);
    assert.ok(row.relativeError <= 0.1, `cell ${r.cell}: relative error ${row.relativeError}`);
    // The 95% interval widened to 99.9%, so nine cells at a fixed seed test the law, not the luck of one draw.
    const half = (row.pRaceHi - row.pRaceLo) / 2 * (3.29 / 1.96);
    assert.ok(Math.abs(row.pRace - want) <= half, `cell ${r.cell} (memoryPressure ${r.memoryPressure}, preemptRate ${r.preemptRate}): closed form ${want}, estimate ${row.pRace} [${row.pRaceLo}, ${row.pRaceHi}]`);
  }
  // With exponential preemptions the exact solver settles every cell, to the same law.
  const x = await runRareSweep(grid(base("exp:200"), { memoryPressure: [5e-8, 5e-3], preemptRate: [1e-4, 1] }), { episodes: 1000, seed: 1 }, { workers: 1 });
  for (const r of x.rows) {
    assert.equal(r.method, "exact");
    const want = closedForm(r.memoryPressure as number, r.preemptRate as number, 200);
    assert.ok(Math.abs(r.pRace - want) <= 1e-9 * want, `cell ${r.cell}: exact ${r.pRace}, closed form ${want}`);
  }
});

test("a cell of a rare sweep agrees with run --rare on that cell alone, within the two intervals", async () => {
  const s = defineScenario({ base: "skip-sync-kvm", params: { walkUs: "lognormal:5:1" } });
  const g = grid(s, { memoryPressure: [1e-9, 1e-6], preemptRate: [1e-3, 1] });
  const d = await runRareSweep(g, { episodes: 2000, seed: 1 }, { workers: 2 });
  for (const j of [0, 3]) {
    const alone = await estimateRare(cellScenario(g, j), { seed: 1 }, { workers: 2 });
    const r = d.rows[j]!;
    assert.ok(alone.reliable && r.reliable, `${alone.diagnostics.problems.join("; ")} ${r.problems}`);
    assert.ok(r.pRaceLo <= alone.ci95[1] && alone.ci95[0] <= r.pRaceHi,
      `cell ${j}: sweep ${r.pRace} [${r.pRaceLo}, ${r.pRaceHi}], run --rare ${alone.pRace} [${alone.ci95.join(", ")}]`);
  }
});

test("1 and 2 workers, merged shards and a resumed checkpoint give identical rows; files read back", async () => {
  const s = defineScenario({ base: "skip-sync-kvm", params: { walkUs: "uniform:2:8" } });
  const g = grid(s, { memoryPressure: logRange(1e-7, 1e-2, 3), preemptRate: [1e-3, 0.1] });
  const opts = { episodes: 1000, seed: 3 };
  const one = await runRareSweep(g, opts, { workers: 1 });
  const two = await runRareSweep(g, opts, { workers: 2 });
  assert.deepEqual(two, one);
  const parts = await Promise.all([1, 2, 3].map(async (index) => ({ name: `part-${index}`, data: await runRareSweep(g, opts, { workers: 1, shard: { index, count: 3 } }) })));
  assert.deepEqual(mergeShards(parts), one);

  const checkpoint = join(dir, "sweep.jsonl");
  await runRareSweep(g, opts, { workers: 2, checkpoint });
  // A crash after three cells, the fourth line cut short.
  const lines = readFileSync(checkpoint, "utf8").split("\n");
  writeFileSync(checkpoint, lines.slice(0, 4).join("\n") + "\n" + lines[4]!.slice(0, 40));
  const resumed = await runRareSweep(g, opts, { workers: 2, checkpoint, resume: true });
  assert.deepEqual(resumed.rows, one.rows);

  const arrow = join(dir, "sweep.arrow");
  writeFileSync(arrow, sweepToArrow(one));
  assert.deepEqual(readSweepFile(arrow).rows, one.rows);
  // Read back with every row checked against the grid; a damaged row is refused, naming it.
  assert.equal(readRecorded(arrow).length, 1);
  const json = join(dir, "sweep.json");
  writeFileSync(json, JSON.stringify({ ...one, rows: one.rows.map((r, i) => (i === 2 ? { ...r, reliable: !r.reliable } : r)) }));
  assert.throws(() => readRecorded(json), /rows\[2\]\.reliable|rows, 2, reliable|reliable/);
});

test("a sweep crossing from safe by exhaustive search to racing: each cell with its method", async () => {
  const s = defineScenario({ base: "skip-sync-kvm", params: { preemptUs: "uniform:0:4000" } });
  const g = grid(s, { tableFree: ["rcu", "rcu-skip-sync", "sync-ipi"], memoryPressure: [1e-6, 1e-2] });
  const d = await runRareSweep(g, { episodes: 1000, seed: 1 }, { workers: 2 });
  const methods = d.rows.map((r) => `${r.tableFree}:${r.method}`);
  assert.deepEqual(methods, ["rcu:explorer", "rcu:explorer", "rcu-skip-sync:importance", "rcu-skip-sync:importance", "sync-ipi:explorer", "sync-ipi:explorer"]);
  for (const r of d.rows.filter((x) => x.method === "explorer")) assert.ok(r.pRace === 0 && r.pRaceHi === 0 && r.reliable);
  for (const r of d.rows.filter((x) => x.method === "importance")) assert.ok(r.pRace > 0 && r.reliable, `${r.problems}`);

  // The heatmap: grey cells said to be 0 by exhaustive search; colours over the racing cells' decades.
  const fig = heatmap(d, { x: "memoryPressure", y: "tableFree" });
  const note = JSON.stringify((fig.layout as { annotations?: unknown }).annotations);
  assert.match(note, /0 by exhaustive search/);
  assert.match(String((fig.layout.title as { text: string }).text), /10% relative error/);
  // The reply: decade bands, a 0 for each settled cell, the rows' methods, the command that re-runs it.
  const text = sweepReply(s, d);
  const band = (p: number) => String(-Math.floor(Math.log10(p)));
  // tableFree across, memoryPressure down: rcu and sync-ipi settled at 0, rcu-skip-sync in its decade.
  for (const r of d.rows.filter((x) => x.tableFree === "rcu-skip-sync")) {
    const line = text.split("\n").find((l) => l.includes(" | ") && l.split(" | ")[0]!.trim() === fmtNumber(r.memoryPressure as number))!;
    assert.deepEqual(line.split(" | ")[1]!.trim().split(/\s+/), ["0", band(r.pRace), "0"], line);
  }
  assert.match(text, /0: 0 by exhaustive search or the\s+exact solver/);
  assert.match(text, /tlbrace sweep skip-sync-kvm .*--rare/s);
  assert.ok(text.split("\n").every((l) => l.length <= 72), text);
  // The line chart: intervals as a band on a log axis, settled zeros not drawn at 0.
  const line = lineChart(d, { x: "memoryPressure", at: { tableFree: "rcu-skip-sync" } });
  assert.equal((line.layout.yaxis as { type: string }).type, "log");
  assert.ok(line.data.every((t) => (t.y as (number | null)[]).every((v) => v === null || v > 0)));
});

test("tlbrace sweep --rare as a process: rows with method, relativeError, reliable, problems; bad options refused first", () => {
  const r = cli("sweep", "skip-sync-kvm", "--set", "walkUs=lognormal:5:1", "--vary", "memoryPressure=1e-8,1e-4", "--rare", "--episodes", "1000", "--workers", "1", "--json");
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.manifest.engine, "rare");
  for (const row of out.rows) for (const k of ["method", "relativeError", "reliable", "problems", "pRaceLo", "pRaceHi"]) assert.ok(k in row, k);
  const bad = cli("sweep", "skip-sync-kvm", "--vary", "memoryPressure=1e-8,1e-4", "--rare", "--rel-error", "2");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr.trim(), /^tlbrace: rel-error: "2" is not allowed; expected a number between 0 and 1/);
  const without = cli("sweep", "skip-sync-kvm", "--vary", "memoryPressure=1e-8,1e-4", "--rel-error", "0.1");
  assert.equal(without.status, 2);
  assert.match(without.stderr, /--rel-error: only with --rare/);
});
