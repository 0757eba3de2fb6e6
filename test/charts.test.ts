/** Charts are plain Plotly specs drawn from a sweep's own numbers. */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { grid, logRange, range } from "../src/analysis/grid.js";
import { runSweep, type SweepData } from "../src/analysis/sweep.js";
import { heatmap } from "../src/charts/heatmap.js";
import { lineChart } from "../src/charts/line.js";
import { isLogSpaced, scaleType } from "../src/charts/scale.js";
import { InputError } from "../src/model/errors.js";
import { defineScenario, withParams } from "../src/model/scenario.js";
import { matchSnapshot } from "./snapshot.js";

// Skipping the sync IPI: no race without memory pressure, races with it, so
// the sweep has both zero and non-zero cells.
const skipSync = withParams(defineScenario("seed"), { tableFree: "rcu-skip-sync" }, "seed-skip-sync");
let sweep: SweepData;

before(async () => {
  sweep = await runSweep(grid(skipSync, { memoryPressure: range(0, 1, 3), preemptRate: logRange(0.01, 100, 5) }), { episodes: 2000, seed: 7 });
});

type Matrix = (number | null)[][];
const trace = (f: { data: Record<string, unknown>[] }, i: number) => f.data[i] as Record<string, unknown>;

test("the heatmap spec matches its snapshot", () => {
  matchSnapshot("heatmap-skip-sync", heatmap(sweep, { x: "memoryPressure", y: "preemptRate" }));
});

test("the heatmap's cells are the sweep's pRace: log10 colour, zero cells in their own trace", () => {
  const f = heatmap(sweep, { x: "memoryPressure", y: "preemptRate", z: "pRace" });
  assert.equal(f.data.length, 2);
  const [colour, zero] = [trace(f, 0), trace(f, 1)];
  assert.deepEqual(colour.x, sweep.axes[0]!.values);
  assert.deepEqual(colour.y, sweep.axes[1]!.values);
  const xs = colour.x as number[], ys = colour.y as number[];
  assert.ok(sweep.rows.some((r) => r.races === 0) && sweep.rows.some((r) => r.races > 0), "the sweep has zero and non-zero cells");
  for (const r of sweep.rows) {
    const i = ys.indexOf(r.preemptRate as number), j = xs.indexOf(r.memoryPressure as number);
    assert.equal((colour.customdata as Matrix)[i]![j], r.pRace, `cell ${r.cell}`);
    assert.equal((colour.z as Matrix)[i]![j], r.pRace > 0 ? Math.log10(r.pRace) : null, `cell ${r.cell}`);
    assert.equal((zero.z as Matrix)[i]![j], r.pRace === 0 ? 0 : null, `cell ${r.cell}`);
    const hover = (colour.text as string[][])[i]![j]!;
    assert.match(hover, new RegExp(`${r.races} races in ${r.episodes} episodes`));
    assert.match(hover, /95% CI/);
  }
  assert.equal((f.layout.yaxis as Record<string, unknown>).type, "log", "preemptRate from logRange is a log axis");
  assert.equal((f.layout.xaxis as Record<string, unknown>).type, "linear");
  assert.equal(zero.texttemplate, "%{z}", "zero cells are marked 0");
});

test("figures are plain, deterministic JSON", () => {
  for (const f of [heatmap(sweep, { x: "preemptRate", y: "memoryPressure" }), lineChart(sweep, { x: "preemptRate", series: "memoryPressure" })]) {
    assert.deepEqual(JSON.parse(JSON.stringify(f)), f);
    assert.doesNotMatch(JSON.stringify(f), /undefined|NaN|Infinity/);
  }
  assert.equal(JSON.stringify(heatmap(sweep, { x: "memoryPressure", y: "preemptRate" })),
    JSON.stringify(heatmap(sweep, { x: "memoryPressure", y: "preemptRate" })));
});

test("a non-probability column is one linear-colour trace", () => {
  const f = heatmap(sweep, { x: "memoryPressure", y: "preemptRate", z: "ipisMean", title: "IPIs" });
  assert.equal(f.data.length, 1);
  assert.deepEqual((f.layout.title as Record<string, unknown>).text, "IPIs");
  const z = trace(f, 0).z as Matrix;
  assert.deepEqual(z.flat().sort(), sweep.rows.map((r) => r.ipisMean).sort());
});

test("the line chart spec matches its snapshot", () => {
  matchSnapshot("line-skip-sync", lineChart(sweep, { x: "preemptRate", series: "memoryPressure" }));
});

test("the line chart draws pRace per series with its 95% interval as a band", () => {
  const f = lineChart(sweep, { x: "preemptRate", series: "memoryPressure" });
  assert.equal(f.data.length, 6, "a band and a line per memoryPressure value");
  for (const [k, mp] of [0, 0.5, 1].entries()) {
    const rows = sweep.rows.filter((r) => r.memoryPressure === mp);
    const [band, line] = [trace(f, 2 * k), trace(f, 2 * k + 1)];
    assert.equal(band.fill, "toself");
    assert.deepEqual(line.x, rows.map((r) => r.preemptRate));
    assert.deepEqual(line.y, rows.map((r) => r.pRace));
    assert.deepEqual(band.y, [...rows.map((r) => r.pRaceHi), ...rows.map((r) => r.pRaceLo).reverse()]);
  }
  const plain = lineChart(sweep, { x: "memoryPressure", at: { preemptRate: 1 }, band: false });
  assert.equal(plain.data.length, 1);
  assert.deepEqual(trace(plain, 0).y, sweep.rows.filter((r) => r.preemptRate === 1).map((r) => r.pRace));
});

test("log axes are chosen from the values: logRange yes, range no", () => {
  assert.equal(isLogSpaced(logRange(0.01, 100, 11)), true);
  assert.equal(isLogSpaced(logRange(100, 0.01, 5)), true);
  assert.equal(isLogSpaced(range(0, 1, 11)), false);
  assert.equal(isLogSpaced(range(1, 3, 3)), false);
  assert.equal(isLogSpaced([1, 10]), false, "two values: nothing says log");
  assert.equal(scaleType(["rcu", "immediate"]), "category");
});

const inputError = (field: string, allowed: RegExp) => (e: unknown) => {
  assert.ok(e instanceof InputError, String(e));
  assert.equal(e.field, field);
  assert.match(e.message, allowed);
  return true;
};

test("bad chart options name the field and the allowed values", async () => {
  assert.throws(() => heatmap(sweep, { x: "walkUs", y: "preemptRate" }), inputError("x", /memoryPressure, preemptRate/));
  assert.throws(() => heatmap(sweep, { x: "memoryPressure", y: "nope" }), inputError("y", /memoryPressure, preemptRate/));
  assert.throws(() => heatmap(sweep, { x: "memoryPressure", y: "memoryPressure" }), inputError("y", /other than x/));
  assert.throws(() => heatmap(sweep, { x: "memoryPressure", y: "preemptRate", z: "pRaec" }), inputError("z", /pRace, pRaceLo, pRaceHi/));
  assert.throws(() => heatmap(sweep, { x: "memoryPressure", y: "preemptRate", z: "memoryPressure" }), inputError("z", /one of/));
  assert.throws(() => lineChart(sweep, { x: "preemptRate", series: "walkUs" }), inputError("series", /memoryPressure, preemptRate/));
  assert.throws(() => lineChart(sweep, { x: "preemptRate", y: "races", band: "yes" as unknown as boolean }), inputError("band", /true or false/));
  assert.throws(() => lineChart(sweep, { x: "preemptRate" }), inputError("at.memoryPressure", /one of 0, 0.5, 1/));
  assert.throws(() => lineChart(sweep, { x: "preemptRate", at: { memoryPressure: 0.3 } }), inputError("at.memoryPressure", /one of 0, 0.5, 1/));

  const three = await runSweep(grid(defineScenario("seed"), { tableFree: ["rcu", "immediate"], memoryPressure: [0, 1], preemptRate: [1] }), { episodes: 50, seed: 1 });
  assert.throws(() => heatmap(three, { x: "memoryPressure", y: "preemptRate" }), inputError("at.tableFree", /one of rcu, immediate/));
  const f = heatmap(three, { x: "memoryPressure", y: "tableFree", at: { preemptRate: 1 } });
  assert.equal((f.layout.yaxis as Record<string, unknown>).type, "category");
});
