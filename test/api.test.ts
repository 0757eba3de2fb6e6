/** The notebook API as a user calls it (outside a kernel, show() prints text). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import * as tr from "../src/index.js";

const emailSafe = (s: string) => {
  for (const line of s.split("\n")) {
    assert.ok(line.length <= 72, `line over 72 columns: ${line}`);
    assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII or tab in: ${line}`);
  }
};

test("a run prints a compact, email-safe text form and a summary table", async () => {
  const r = await tr.run("seed", { episodes: 20_000, seed: 3 });
  const text = inspect(r);
  emailSafe(text);
  assert.match(text, /^seed: /);
  assert.match(text, new RegExp(`${r.races} races in 20000 episodes`));
  const s = r.summary();
  assert.deepEqual(s.columnNames(), ["measure", "unit", "mean", "p50", "p90", "p99", "max", "lo95", "hi95"]);
  assert.equal(s.get("mean", 0), r.pRace);
  emailSafe(inspect(s));
});

test("scenarios are chainable and validated; the preset is the seed's configuration", () => {
  const s = tr.scenario("seed");
  assert.equal(s.params.flush, "kvm-pv");
  assert.equal(s.params.tableFree, "rcu");
  const v = s.with({ tableFree: "immediate" }, "seed-immediate");
  assert.equal(v.params.tableFree, "immediate");
  assert.equal(s.params.tableFree, "rcu");
  assert.throws(() => s.with({ memoryPressure: -0.1 }), /memoryPressure: -0.1 is not allowed/);
  emailSafe(inspect(s));
});

test("a sweep has one row per cell, and cell 0 is the run with the same seed", async () => {
  const s = tr.scenario("seed").with({ tableFree: "rcu-skip-sync" });
  const g = await tr.sweep(s.vary({ memoryPressure: [0, 0.5, 1], preemptRate: [0.1, 1] }), { episodes: 4000, seed: 9 });
  const t = g.table();
  assert.equal(t.numRows(), 6);
  assert.deepEqual(t.array("memoryPressure"), [0, 0, 0.5, 0.5, 1, 1]);
  assert.deepEqual(t.array("preemptRate"), [0.1, 1, 0.1, 1, 0.1, 1]);
  // No batch allocation ever fails at pressure 0, so the skip never happens.
  assert.deepEqual(t.array("races").slice(0, 2), [0, 0]);
  const r0 = await tr.run(s.with({ memoryPressure: 0, preemptRate: 0.1 }), { episodes: 4000, seed: 9 });
  assert.equal(g.rows[0]!.pRace, r0.pRace);
  assert.equal(g.rows[0]!.freeDelayUsMean, r0.data.costs.freeDelayUs.mean);
  emailSafe(inspect(g));
});
