/** Same manifest, same numbers: across worker counts, shards and processes. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { grid, logRange, range } from "../src/analysis/grid.js";
import { runSweep } from "../src/analysis/sweep.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { defineScenario } from "../src/model/scenario.js";

const skipSync = defineScenario({ base: "seed", params: { tableFree: "rcu-skip-sync", memoryPressure: 0.4 } });

test("a run gives identical results on 1, 2 and 4 workers", async () => {
  // 40 blocks: enough tasks that workers finish them out of order.
  const runs = await Promise.all([1, 2, 4].map((workers) => simulate(skipSync, { episodes: 40 * 4096 + 17, seed: 11 }, 0, { workers })));
  assert.ok(runs[0]!.races > 0);
  assert.deepEqual(runs[1], runs[0]);
  assert.deepEqual(runs[2], runs[0]);
});

test("a sweep gives identical rows on 1, 2 and 4 workers, and its 4 shards add up to it", async () => {
  const g = grid(skipSync, { memoryPressure: range(0, 1, 5), preemptRate: logRange(0.1, 10, 3) });
  const opts = { episodes: 9000, seed: 5 };
  const [one, two, four] = await Promise.all([1, 2, 4].map((workers) => runSweep(g, opts, { workers })));
  assert.equal(one!.rows.length, 15);
  assert.deepEqual(two, one);
  assert.deepEqual(four, one);
  const parts = await Promise.all([1, 2, 3, 4].map((index) => runSweep(g, opts, { workers: 2, shard: { index, count: 4 } })));
  assert.deepEqual(parts.flatMap((p) => p.rows), one!.rows);
  assert.deepEqual(parts.map((p) => p.rows.length), [3, 4, 4, 4]);
  assert.deepEqual(parts[2]!.manifest.shard, { index: 3, count: 4 });
});

test("rows stream out in cell order", async () => {
  const g = grid(skipSync, { memoryPressure: range(0, 1, 6) });
  const seen: number[] = [];
  const r = await runSweep(g, { episodes: 5000, seed: 2 }, { workers: 3, onRow: (row) => seen.push(row.cell) });
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(r.rows.map((x) => x.cell), seen);
  // Without keeping rows, the sweep holds none of them, and streams the same ones.
  const streamed: unknown[] = [];
  const flat = await runSweep(g, { episodes: 5000, seed: 2 }, { workers: 2, keepRows: false, onRow: (row) => streamed.push(row) });
  assert.deepEqual(flat.rows, []);
  assert.deepEqual(streamed, r.rows);
});
