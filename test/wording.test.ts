/**
 * A result that saw nothing reads the same wherever it is printed: "no race
 * in N episodes: pRace < x (95%)", never a pRace of 0 or an interval [0, x];
 * where the explorer searched every interleaving, "SAFE: ...".
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tr from "../src/index.js";
import { resultReport, replyOf } from "../src/report/result.js";
import { reportHtml } from "../src/report/html.js";
import { runReply, studyReply, sweepReply } from "../src/report/reply.js";
import { studyReport } from "../src/report/study.js";
import { asciiHeatmap } from "../src/text/heatmap.js";
import { fmtCount, fmtEstimate, noneSeen, rareCellWording, rareValueCell, safeWording, sweepRange } from "../src/text/wording.js";
import { fmtP } from "../src/text/format.js";
import { cellLabel } from "../src/charts/matrix.js";

const NONE = /no race in 4,000 episodes: pRace (?:<|&lt;) (\S+) \(95%\)/;
/** What a zero result must never read as. */
const READS_AS_ZERO = [/pRace 0\b(?!\.)/, /\[0, [0-9.e-]+\]/, /0 races in/, /pRace from 0 to/];
/** Text with its line breaks as spaces: wrapping moves the words, not what they say. */
const flat = (s: string) => s.replace(/\s+/g, " ");
const noZero = (where: string, text: string) => {
  for (const bad of READS_AS_ZERO) assert.doesNotMatch(text, bad, `${where} reads a zero count as pRace 0`);
};

test("the wording itself: counts with separators, the bound, SAFE", () => {
  assert.equal(fmtCount(2_000_000), "2,000,000");
  assert.equal(fmtCount(999), "999");
  assert.equal(noneSeen("pRace", 2_000_000, 1.844e-6), "no race in 2,000,000 episodes: pRace < 1.84e-6 (95%)");
  assert.equal(fmtEstimate("pRace", 0, 2_000_000, 0, [0, 1.844e-6]), "no race in 2,000,000 episodes: pRace < 1.84e-6 (95%)");
  assert.equal(fmtEstimate("pRace", 1, 10, 0.1, [0.0025, 0.445]), "pRace 0.100 [0.00250, 0.445] (1 race in 10 episodes)");
  assert.equal(safeWording(2), "SAFE: no interleaving reaches a race (exhaustive, up to 2 preemptions)");
  const rows = [{ races: 0, pRace: 0, pRaceHi: 1e-3, episodes: 3000 }, { races: 3, pRace: 1e-3, pRaceHi: 3e-3, episodes: 3000 }];
  assert.equal(sweepRange(rows), "pRace 0.00100 in the one cell with races; 1 of 2 cells saw no race: pRace < 0.00100 (95%) there");
  assert.equal(sweepRange([rows[0]!]), "no race in any of the 1 cells: pRace < 0.00100 (95%) in each");
});

test("a run with no race: estimate(), text, show() HTML, reply and report all give the bound", async () => {
  const r = await tr.run("seed", { episodes: 4000, seed: 1 });
  assert.equal(r.races, 0);
  const bound = fmtP(r.ci95[1]);
  assert.equal(r.estimate(), `no race in 4,000 episodes: pRace < ${bound} (95%)`);
  for (const [where, text] of [["text()", r.text()], ["show() HTML", r.html()], ["reply", runReply(r.scenario, r.data)],
    ["report.html", reportHtml(resultReport([{ kind: "run", scenario: r.scenario, data: r.data }]))]] as const) {
    assert.match(flat(text), NONE, where);
    noZero(where, text);
  }
  // The reply's outcome table: the bound in the p column, no interval starting at 0.
  assert.match(runReply(r.scenario, r.data), new RegExp(`race\\s+0\\s+< ${bound.replace(/\./g, "\\.")}\\s+none seen`));
});

test("a sweep with cells that saw no race: summary, show() HTML, reply, report, ASCII map", async () => {
  const s = tr.scenario("seed").with({ tableFree: "rcu-skip-sync" });
  const g = await tr.sweep(s.vary({ memoryPressure: [0, 1], preemptRate: [0.1, 10] }), { episodes: 4000, seed: 9 });
  assert.ok(g.rows.some((r) => r.races === 0) && g.rows.some((r) => r.races > 0));
  const reply = sweepReply(g.scenario, g.data);
  for (const [where, text] of [["text()", g.text()], ["show() HTML", g.html()], ["reply", reply],
    ["report.html", reportHtml(resultReport([{ kind: "sweep", scenario: g.scenario, data: g.data }]))]] as const) {
    assert.match(flat(text), /cells saw no race: pRace (<|&lt;) \S+ \(95%\) there/, where);
    noZero(where, text);
  }
  assert.match(g.html(), /<td[^>]*>&lt; [0-9.e-]+<\/td>/, "an unseen cell's pRace is its bound");
  assert.match(reply, /^pRace: \. none seen, /m, "the map's symbol for nothing seen");
});

test("the seed study: reply.txt and report.html word zero runs and zero sweeps alike", async () => {
  const names = ["seed", "kvm-immediate"];
  const studies = await Promise.all(names.map(async (n) => {
    const scenario = tr.scenario(n);
    const sweep = await tr.sweep(tr.scenario(n).vary({ memoryPressure: [0, 1], preemptRate: [0.1, 10] }), { episodes: 4000, seed: 2 });
    const run = await tr.run(n, { episodes: 4000, seed: 2 });
    return { scenario, sweep: sweep.data, run: run.data };
  }));
  const result = { episodes: 4000, runEpisodes: 4000, seed: 2, studies };
  const reply = studyReply(result);
  assert.match(reply, /seed\s+0\/4000\s+< \S+\s+none seen/);
  assert.match(flat(reply), /seed: No race in any of the 4 cells: pRace < \S+ \(95%\) in each\./);
  noZero("reply.txt", reply);
  const html = reportHtml(studyReport(result, { study: { episodes: 4000, runEpisodes: 4000, seed: 2 } } as never));
  assert.match(flat(html), /No race in any of the 4 cells: pRace &lt; \S+ \(95%\) in each\./);
  assert.match(html, /<td[^>]*>&lt; [0-9.e-]+<\/td><td[^>]*>none seen/);
  // The page's words, not Plotly's code or the figures' data.
  noZero("report.html", html.replace(/<script>[\s\S]*?<\/script>/g, ""));
});

test("ASCII maps compared side by side share one legend", async () => {
  const map = (z: number[][], scale?: number[]) => asciiHeatmap({ x: { name: "x", values: [1, 2] }, y: { name: "y", values: [1, 2] }, z, label: "pRace", ...(scale ? { scale } : {}) });
  const a = [[0.5, 0.2], [0.05, 0]], b = [[0.5, 0.002], [0.0005, 0]];
  const legend = (lines: string[]) => lines.slice(lines.indexOf("") + 1).join(" ");
  assert.notEqual(legend(map(a)), legend(map(b)), "alone, each map bins its own values");
  const both = [...a.flat(), ...b.flat()];
  assert.equal(legend(map(a, both)), legend(map(b, both)));
});

test("the explorer's SAFE and the matrix cell say what is known", () => {
  const x = tr.explore("seed");
  assert.match(x.text(), /race: SAFE: no interleaving reaches a race \(exhaustive, up to 2 preemptions\)|race\s+SAFE/);
  const reply = replyOf({ kind: "explore", scenario: tr.scenario("seed"), data: x.data } as never);
  assert.doesNotMatch(reply, /pRace 0\b/);
  const label = cellLabel({ race: "SAFE", steps: null, races: 0, episodes: 4000, pRace: 0, pRaceLo: 0, pRaceHi: 9.2e-4, exactPRace: null } as never);
  assert.deepEqual(label.slice(1, 3), ["MC: no race in 4,000", "pRace < 9.20e-4 (95%)"]);
});

test("a measured profile names the scenario it describes, never the preset it started from", async () => {
  const { measuredScenarioTitle } = await import("../src/measure/apply.js");
  const seed = tr.scenario("seed");
  assert.equal(measuredScenarioTitle(seed, seed.params), seed.title);
  assert.equal(measuredScenarioTitle(seed, { ...seed.params, flush: "hypercall", tableFree: "rcu-skip-sync" }), "hypercall flush, tableFree rcu-skip-sync: no preset");
  const hyp = tr.scenario("hypercall-rcu");
  assert.equal(measuredScenarioTitle(seed, { ...seed.params, flush: "hypercall" }), `${hyp.title} (as preset hypercall-rcu)`);
  // A measured rate is shown to 3 significant digits in the scenario's table and in a reply.
  const s = seed.with({ preemptRate: 0.01205688204769 });
  assert.match(s.text(), /preemptRate\s+0\.0121\s/);
  assert.match(runReply(s, (await tr.run(s, { episodes: 1000, seed: 1 })).data), /preemptRate\s+0\.0121\s/);
});

test("a rare-event cell is worded by how it was reached: SAFE, exactly, or an interval; none reached is a bound", () => {
  const base = { pRaceLo: 0, pRaceHi: 0, relativeError: 0, reliable: true, problems: "", races: 0, pilotEpisodes: 4000 };
  assert.equal(rareCellWording({ ...base, method: "explorer", pRace: 0 }, 4), `${safeWording(4)}: pRace = 0`);
  const p = 3.2e-9;
  assert.equal(rareCellWording({ ...base, method: "exact", pRace: p, pRaceLo: p, pRaceHi: p }, 4), `pRace ${fmtP(p)} exactly (exact solver)`);
  const sampled = { ...base, method: "importance" as const, pRace: 1.2e-7, pRaceLo: 1.1e-7, pRaceHi: 1.3e-7, relativeError: 0.083, races: 250 };
  assert.match(rareCellWording(sampled, 4), /^pRace 1\.20e-7 \[1\.10e-7, 1\.30e-7\] \(95%, relative error 8\.3%, importance sampling\)$/);
  assert.match(rareCellWording({ ...sampled, reliable: false, problems: "too few hits" }, 4), /; NOT RELIABLE: too few hits$/);
  // Importance sampling that reached no race: the pilot's bound, never a pRace of 0.
  const none = rareCellWording({ ...base, method: "importance", pRace: 0, pRaceHi: 7.5e-4, relativeError: null }, 4);
  assert.match(none, NONE);
  noZero("an unreached rare cell", none);
  assert.equal(rareValueCell({ method: "importance", pRace: 0, pRaceHi: 7.5e-4, races: 0 }), `< ${fmtP(7.5e-4)}`);
});
