/** Charts are plain Plotly specs drawn from a sweep's own numbers. */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { grid, logRange, range } from "../src/analysis/grid.js";
import { runSweep, type SweepData } from "../src/analysis/sweep.js";
import { heatmap } from "../src/charts/heatmap.js";
import { heatmaps } from "../src/charts/heatmaps.js";
import { lineChart } from "../src/charts/line.js";
import { isLogSpaced, scaleType } from "../src/charts/scale.js";
import { InputError } from "../src/model/errors.js";
import { defineScenario, withParams } from "../src/model/scenario.js";
import { fmtP } from "../src/text/format.js";
import { matchSnapshot } from "./snapshot.js";
import * as tr from "../src/index.js";

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
    // Each cell's hover text is on the trace that draws it.
    const hover = ((r.pRace > 0 ? colour : zero).text as string[][])[i]![j]!;
    assert.match(hover, r.races === 0 ? new RegExp(`no race in ${r.episodes.toLocaleString("en-US")} episodes: pRace < `)
      : new RegExp(`${r.races.toLocaleString("en-US")} races? in ${r.episodes.toLocaleString("en-US")} episodes`));
  }
  assert.equal((f.layout.yaxis as Record<string, unknown>).type, "log", "preemptRate from logRange is a log axis");
  assert.equal((f.layout.xaxis as Record<string, unknown>).type, "linear");
  assert.equal(zero.texttemplate, undefined, "no label on each zero cell");
  const bound = Math.max(...sweep.rows.filter((r) => r.races === 0).map((r) => r.pRaceHi));
  const note = (f.layout.annotations as { text: string }[])[0]!.text;
  assert.equal(note, `grey: no race in 2,000 episodes: pRace < ${fmtP(bound)} (95%)`);
  assert.deepEqual((f.layout.coloraxis as Record<string, unknown>).colorbar !== undefined, true, "a colour bar");
});

test("titles say which scenario, which slice, and the random seed as such", () => {
  const line = lineChart(sweep, { x: "preemptRate", at: { memoryPressure: 0.5 } });
  assert.equal((line.layout.title as { text: string }).text, "pRace of seed-skip-sync at memoryPressure 0.5; 2000 episodes per cell, random seed 7");
  const map = heatmap(sweep, { x: "memoryPressure", y: "preemptRate" });
  assert.equal((map.layout.title as { text: string }).text, "pRace of seed-skip-sync; 2000 episodes per cell, random seed 7");
});

test("an all-zero heatmap: grey cells, a bar saying what grey is, no label per cell", async () => {
  const safe = await runSweep(grid(defineScenario("seed"), { memoryPressure: range(0, 1, 3), preemptRate: logRange(0.01, 100, 3) }), { episodes: 300, seed: 1 });
  assert.ok(safe.rows.every((r) => r.races === 0));
  const f = heatmap(safe, { x: "memoryPressure", y: "preemptRate" });
  assert.equal(f.data.length, 1);
  const zero = trace(f, 0);
  assert.equal(zero.showscale, true);
  assert.deepEqual((zero.colorbar as { ticktext: string[] }).ticktext, ["none seen"]);
  assert.equal(zero.texttemplate, undefined);
  assert.match((f.layout.annotations as { text: string }[])[0]!.text, /no race in 300 episodes: pRace < 0\.0122 \(95%\)/);
});

test("heatmaps side by side share one colour range and one colour bar", async () => {
  const immediate = await runSweep(grid(withParams(defineScenario("seed"), { tableFree: "immediate" }, "seed-immediate"),
    { memoryPressure: range(0, 1, 3), preemptRate: logRange(1, 100, 3) }), { episodes: 2000, seed: 7 });
  // Alone, each has the decades of its own values; together, the decades of all.
  const alone = [sweep, immediate].map((g) => (heatmap(g, { x: "memoryPressure", y: "preemptRate" }).layout.coloraxis as Record<string, number>));
  assert.notDeepEqual([alone[0]!.cmin, alone[0]!.cmax], [alone[1]!.cmin, alone[1]!.cmax], "the two differ alone");
  const f = heatmaps([sweep, immediate], { x: "memoryPressure", y: "preemptRate" });
  const axis = f.layout.coloraxis as Record<string, number>;
  const positive = [...sweep.rows, ...immediate.rows].map((r) => r.pRace).filter((p) => p > 0);
  assert.equal(axis.cmin, Math.floor(Math.log10(Math.min(...positive))));
  assert.equal(axis.cmax, Math.ceil(Math.log10(Math.max(...positive))) + 0);
  const coloured = f.data.filter((t) => t.coloraxis === "coloraxis");
  assert.equal(coloured.length, 2, "one coloured trace per panel, both on the one colour axis");
  assert.ok(f.data.every((t) => t.coloraxis === "coloraxis" || t.showscale === false), "no second colour bar");
  assert.deepEqual(f.data.map((t) => t.xaxis), ["x", "x", "x2", "x2"].slice(0, f.data.length));
  // A zRange gives single charts the same scale; a value outside it is refused, not clamped.
  const given = heatmap(immediate, { x: "memoryPressure", y: "preemptRate", zRange: [1e-4, 1] }).layout.coloraxis as Record<string, number>;
  assert.deepEqual([given.cmin, given.cmax], [-4, 0]);
  assert.throws(() => heatmap(immediate, { x: "memoryPressure", y: "preemptRate", zRange: [1e-4, 1e-2] }), inputError("zRange", /holding every value/));
  assert.throws(() => heatmap(immediate, { x: "memoryPressure", y: "preemptRate", zRange: [0, 1] as [number, number] }), inputError("zRange", /0 < lo < hi <= 1/));
  assert.throws(() => heatmaps([], { x: "memoryPressure", y: "preemptRate" }), inputError("sweeps", /one or more/));
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

test("the line chart draws pRace per series on a log axis, its 95% interval as a band, zero cells as bounds", () => {
  const f = lineChart(sweep, { x: "preemptRate", series: "memoryPressure" });
  const yaxis = f.layout.yaxis as Record<string, unknown>;
  assert.equal(yaxis.type, "log");
  assert.equal(yaxis.exponentformat, "power", "no SI prefixes (µ) on probabilities");
  // memoryPressure 0 saw no race: bounds only; 0.5 and 1: a band and a line each.
  assert.deepEqual(f.data.map((t) => t.name), ["0: no race seen (95% upper bound)", "0.5 95% CI", "0.5", "1 95% CI", "1"]);
  const none = sweep.rows.filter((r) => r.memoryPressure === 0);
  assert.ok(none.every((r) => r.races === 0));
  assert.deepEqual(trace(f, 0).y, none.map((r) => r.pRaceHi));
  assert.equal((trace(f, 0).marker as { symbol: string }).symbol, "triangle-down-open");
  for (const [k, mp] of [0.5, 1].entries()) {
    const rows = sweep.rows.filter((r) => r.memoryPressure === mp);
    assert.ok(rows.every((r) => r.races > 0));
    const [band, line] = [trace(f, 1 + 2 * k), trace(f, 2 + 2 * k)];
    assert.equal(band.fill, "toself");
    assert.deepEqual(line.x, rows.map((r) => r.preemptRate));
    assert.deepEqual(line.y, rows.map((r) => r.pRace));
    assert.deepEqual(band.y, [...rows.map((r) => r.pRaceHi), ...rows.map((r) => r.pRaceLo).reverse()]);
  }
  const plain = lineChart(sweep, { x: "memoryPressure", at: { preemptRate: 1 }, band: false });
  assert.equal(plain.data.length, 2, "the line, and the bound where no race was seen");
  assert.deepEqual(trace(plain, 0).y, sweep.rows.filter((r) => r.preemptRate === 1).map((r) => (r.pRace > 0 ? r.pRace : null)));
});

test("a line chart where no race was seen: bounds on a log axis, said in words, no line at 0", async () => {
  const safe = await runSweep(grid(defineScenario("seed"), { preemptRate: logRange(0.01, 100, 5) }), { episodes: 2000, seed: 1 });
  assert.ok(safe.rows.every((r) => r.races === 0));
  const f = lineChart(safe, { x: "preemptRate" });
  assert.equal(f.data.length, 1);
  assert.deepEqual(trace(f, 0).y, safe.rows.map((r) => r.pRaceHi));
  assert.ok((trace(f, 0).y as number[]).every((y) => y > 0), "no point at 0");
  assert.equal((f.layout.yaxis as Record<string, unknown>).type, "log");
  assert.match((f.layout.annotations as { text: string }[])[0]!.text, /no race in any cell \(2,000 episodes each\): pRace < 0\.00184 \(95%\)/);
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

test("timeline labels are whole kernel names, wrapped, never cut; tornado labels name the elasticity", async () => {
  const { shortKernel } = await import("../src/charts/timeline.js");
  const name = "vCPU scheduled out: kvm_steal_time_set_preempted (KVM_VCPU_PREEMPTED)";
  const label = shortKernel(name);
  assert.ok(label.split("<br>").every((l) => l.length <= 26), label);
  assert.equal(label.replace(/_<br>/g, "_").replace(/<br>/g, " "), name);
  assert.doesNotMatch(label, /\.\.\./);
  const { rowLabel } = await import("../src/charts/tornado.js");
  assert.equal(rowLabel({ param: "memoryPressure", elasticity: 1 } as Parameters<typeof rowLabel>[0]), "memoryPressure (elasticity 1.00)");
});

test("a line chart spanning less than a decade has at least two y ticks (0.64 to 0.999 is not just '1')", async () => {
  const { narrowLogTicks } = await import("../src/charts/scale.js");
  assert.deepEqual(narrowLogTicks([0.64, 0.8, 0.999]), { tickvals: [0.7, 0.8, 0.9], ticktext: ["0.7", "0.8", "0.9"] });
  for (const values of [[0.21, 0.49], [3e-4, 2e-3], [0.5], [0.9991, 0.9993]]) assert.ok(narrowLogTicks(values)!.tickvals.length >= 2, String(values));
  assert.equal(narrowLogTicks([1e-4, 0.5]), undefined, "several decades: Plotly's own ticks");
  const g = await tr.sweep(tr.scenario("kvm-immediate").vary({ preemptRate: [1, 10, 100] }), { episodes: 2000, seed: 1 });
  const y = tr.lineChart(g, { x: "preemptRate" }).figure.layout.yaxis as { tickvals?: number[] };
  assert.ok(g.rows.every((r) => r.pRace > 0.1), "the values span less than a decade");
  assert.ok((y.tickvals ?? []).length >= 2, `y ticks: ${JSON.stringify(y)}`);
});

test("a colour bar's decade labels share one form", async () => {
  const { decadeLabels } = await import("../src/charts/colour.js");
  assert.deepEqual(decadeLabels([-2, -1, 0]), ["0.01", "0.1", "1"]);
  assert.deepEqual(decadeLabels([-3, -2, -1, 0]), ["1e-3", "1e-2", "1e-1", "1e0"]);
});
