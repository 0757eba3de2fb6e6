/**
 * The verdict matrix, regenerated: each cell must be what the engines say
 * when asked about that cell alone, and the engines must agree with each
 * other where the model says they must (a sampled race is a reachable
 * interleaving; an unreachable race has probability 0; the exact
 * probability explains the sampled count). No cell's answer is written here.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { AGREEMENT_Z, disagreements, type MatrixData, matrixRows, matrixTable, runMatrix, zScore } from "../src/analysis/matrix.js";
import { Matrix } from "../src/api/matrix.js";
import { matrixChart, VERDICT_COLOURS } from "../src/charts/matrix.js";
import { solveExact } from "../src/engines/exact/index.js";
import { explore } from "../src/engines/explore/index.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { InputError } from "../src/model/errors.js";
import { FLUSH_MECHANISMS, TABLE_FREE_MODES } from "../src/model/params.js";
import { preset, withParams } from "../src/model/scenario.js";
import { cliInProcess } from "./dispatch.js";

const EPISODES = 8192;
const SEED = 5;

const cli = cliInProcess;

describe("the matrix over the seed", () => {
  let d: MatrixData;
  before(async () => {
    d = await runMatrix({ episodes: EPISODES, seed: SEED }, { workers: 1 });
  });

  test("has one cell per flush mechanism and table-freeing mode, flush slowest", () => {
    assert.deepEqual(d.cells.map((c) => [c.flush, c.tableFree]),
      FLUSH_MECHANISMS.flatMap((f) => TABLE_FREE_MODES.map((t) => [f, t])));
    assert.equal(matrixTable(d).numRows(), FLUSH_MECHANISMS.length * TABLE_FREE_MODES.length);
  });

  test("each cell is what each engine says about that cell alone", async () => {
    for (const [j, c] of d.cells.entries()) {
      const s = withParams(preset("seed"), { flush: c.flush, tableFree: c.tableFree });
      assert.deepEqual(c.scenario.params, s.params);
      const alone = explore(s);
      for (const o of ["race", "corrupt", "torn"] as const)
        assert.equal(c.explore.outcomes[o].verdict, alone.outcomes[o].verdict, `${c.flush}/${c.tableFree} ${o}`);
      // Cell j of the matrix draws from stream j, as a run with key j does.
      const mc = await simulate(s, { episodes: EPISODES, seed: SEED }, j, { workers: 1 });
      assert.equal(c.montecarlo.races, mc.races, `${c.flush}/${c.tableFree} races`);
      assert.equal(c.montecarlo.pRaceHi, mc.ci95[1]);
      assert.equal(c.exact?.pRace, solveExact(s).pRace);
    }
  });

  test("the engines agree in every cell", () => {
    for (const c of d.cells) {
      assert.deepEqual(disagreements(c), [], `${c.flush}/${c.tableFree}`);
      const r = c.explore.outcomes.race.verdict;
      // The same claims, spelled out: sampled races only where the explorer finds one...
      if (c.montecarlo.races > 0) assert.equal(r, "UNSAFE");
      // ...none where it proves there is none, and the exact value is 0 exactly there.
      if (r === "SAFE") assert.equal(c.montecarlo.races, 0);
      assert.equal(c.exact!.pRace > 0, r === "UNSAFE");
    }
    assert.deepEqual(new Matrix(d).disagreements(), []);
    assert.ok(matrixRows(d).every((r) => r.disagreement === ""));
  });

  test("rcu-pt-reclaim holds the free back under every flush: call_rcu for the batch and for the one table", () => {
    for (const c of d.cells.filter((x) => x.tableFree === "rcu-pt-reclaim")) {
      assert.equal(c.explore.outcomes.race.verdict, "SAFE", c.flush);
      assert.equal(c.montecarlo.races, 0, c.flush);
      assert.equal(c.exact!.pRace, 0, c.flush);
      // No tlb_remove_table_sync_one: at most the flush's own IPI reaches the walker.
      assert.ok(c.exact!.costs.ipis <= 1, `${c.flush}: ${c.exact!.costs.ipis} IPIs`);
    }
    // Where rcu sends the sync IPI on a failed batch allocation, rcu-pt-reclaim sends none and never waits longer.
    for (const f of FLUSH_MECHANISMS) {
      const rcu = d.cells.find((c) => c.flush === f && c.tableFree === "rcu")!.exact!;
      const reclaim = d.cells.find((c) => c.flush === f && c.tableFree === "rcu-pt-reclaim")!.exact!;
      assert.ok(reclaim.costs.ipis < rcu.costs.ipis, `${f}: ipis ${reclaim.costs.ipis} vs ${rcu.costs.ipis}`);
      assert.ok(reclaim.costs.unmapLatencyUs < rcu.costs.unmapLatencyUs, `${f}: latency`);
    }
  });

  test("the explorer's verdicts vary across the matrix: it is not all one answer", () => {
    const verdicts = new Set(d.cells.map((c) => c.explore.outcomes.race.verdict));
    assert.ok(verdicts.has("SAFE") && verdicts.has("UNSAFE"), [...verdicts].join(","));
  });

  test("text: a 72-column ASCII grid naming every mode and mechanism", () => {
    const text = new Matrix(d).text();
    for (const l of text.split("\n")) assert.ok(l.length <= 72 && /^[\x20-\x7e]*$/.test(l), JSON.stringify(l));
    for (const name of FLUSH_MECHANISMS) assert.ok(text.includes(name), name);
    // A mode's name may be broken after a hyphen over the heading's lines: read the columns down.
    const lines = text.split("\n");
    // Five modes side by side; the others in a block below, each under its own rule.
    const names = lines.flatMap((l, rule) => {
      if (!/^-{10}  -/.test(l)) return [];
      const heading = lines.slice(rule - 2, rule);
      const starts = [...l.matchAll(/-+/g)].map((m) => m.index!);
      return starts.slice(1).map((at, k) => heading.map((h) => h.slice(at, starts[k + 2] ?? undefined).trim()).join(""));
    });
    assert.deepEqual(names, [...TABLE_FREE_MODES]);
    assert.match(text, /agree in every cell/);
  });

  test("rich display: every cell links to its own counterexample or to the size of its search", () => {
    const html = new Matrix(d).html();
    const links = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
    const targets = [...html.matchAll(/<details id="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(links.length, d.cells.length);
    assert.deepEqual([...links].sort(), [...targets].sort());
    for (const c of d.cells) {
      const id = links.find((l) => l.endsWith(`-${c.flush}-${c.tableFree}`))!;
      const body = html.slice(html.indexOf(`<details id="${id}"`));
      const section = body.slice(0, body.indexOf("</details>"));
      if (c.explore.outcomes.race.verdict === "UNSAFE") assert.match(section, /vCPU W \(walker\)\s+vCPU U \(unmapper\)/);
      else assert.match(section, new RegExp(`${c.explore.outcomes.race.states} states`));
    }
  });

  test("the figure is plain JSON, coloured by the explorer's verdict", () => {
    const rows = matrixRows(d);
    const fig = matrixChart(rows);
    assert.deepEqual(JSON.parse(JSON.stringify(fig)), fig);
    const trace = fig.data[0]!;
    const z = trace.z as number[][];
    const order = ["SAFE", "UNKNOWN", "UNSAFE"];
    for (const r of rows) {
      const i = FLUSH_MECHANISMS.indexOf(r.flush), j = TABLE_FREE_MODES.indexOf(r.tableFree);
      assert.equal(order[z[i]![j]!], r.race);
    }
    // Each verdict's colour covers exactly its third of the scale.
    const scale = trace.colorscale as [number, string][];
    order.forEach((v, k) => {
      const colour = VERDICT_COLOURS[v as keyof typeof VERDICT_COLOURS];
      assert.deepEqual(scale.slice(2 * k, 2 * k + 2), [[k / 3, colour], [(k + 1) / 3, colour]]);
    });
  });
});

describe("disagreements are found when they exist", () => {
  const s = withParams(preset("seed"), { tableFree: "rcu-skip-sync" });
  const ex = explore(s);
  const exact = solveExact(s);

  test("a sampled race where the explorer proves none", () => {
    const safe = explore(preset("seed"));
    assert.equal(safe.outcomes.race.verdict, "SAFE");
    const found = disagreements({ explore: safe, montecarlo: { episodes: 1000, races: 1, corrupts: 0 } });
    assert.match(found.join(), /Monte Carlo saw 1 races, the explorer none/);
  });

  test("an exact value the sampled count cannot come from", () => {
    const n = 100_000;
    const far = Math.round(n * exact.pRace + (AGREEMENT_Z + 1) * Math.sqrt(n * exact.pRace * (1 - exact.pRace)));
    assert.ok(Math.abs(zScore(far, n, exact.pRace)) > AGREEMENT_Z);
    assert.match(disagreements({ explore: ex, exact, montecarlo: { episodes: n, races: far, corrupts: 0 } }).join(), /sd from exact/);
    const near = Math.round(n * exact.pRace);
    assert.deepEqual(disagreements({ explore: ex, exact, montecarlo: { episodes: n, races: near, corrupts: 0 } }), []);
  });
});

describe("a base the exact solver does not apply to", () => {
  test("keeps the explorer and Monte Carlo columns and says why exact is missing", async () => {
    const base = withParams(preset("seed"), { walkUs: "uniform:2:8" }, "seed-uniform-walk");
    const d = await runMatrix({ base, episodes: 4096, seed: 1 }, { workers: 1 });
    for (const c of d.cells) {
      assert.equal(c.exact, undefined);
      assert.match(c.exactWhy!, /walkUs/);
    }
    assert.ok(matrixRows(d).every((r) => r.exactPRace === null));
    assert.match(new Matrix(d).text(), /n\/a/);
  });
});

describe("tlbrace matrix", () => {
  test("--csv: a header and one row per cell", async () => {
    const r = await cli(["matrix", "--episodes", "4096", "--csv", "--workers", "1"]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split("\n");
    assert.equal(lines.length, 1 + FLUSH_MECHANISMS.length * TABLE_FREE_MODES.length);
    assert.match(lines[0]!, /^flush,tableFree,race,/);
  });

  test("--json: the rows and every engine's manifests", async () => {
    const r = await cli(["matrix", "--episodes", "4096", "--seed", "3", "--json", "--workers", "1"]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    const cells = FLUSH_MECHANISMS.length * TABLE_FREE_MODES.length;
    assert.equal(cells, FLUSH_MECHANISMS.length * TABLE_FREE_MODES.length);
    assert.equal(j.rows.length, cells);
    assert.equal(j.manifests.montecarlo.seed, 3);
    assert.equal(j.manifests.explore.length, cells);
    assert.equal(j.manifests.exact.length, cells);
  });

  test("bad input: one line, status 2, before any work", async () => {
    for (const args of [["--episodes", "0"], ["--seed", "-1"], ["--set", "memoryPressure=2"], ["--base", "nope"],
      ["--max-preemptions", "1000"], ["--bogus"], ["extra"]]) {
      const r = await cli(["matrix", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.equal(r.out, "");
    }
  });

  test("tr.matrix's options are checked too", async () => {
    await assert.rejects(runMatrix({ episodes: 1.5 }), (e: unknown) => e instanceof InputError && e.field === "episodes");
    await assert.rejects(runMatrix({ maxStates: 0 }), (e: unknown) => e instanceof InputError && e.field === "maxStates");
    await assert.rejects(runMatrix({ bogus: 1 } as never), (e: unknown) => e instanceof InputError && e.field === "option");
    await assert.rejects(runMatrix({ relError: 0.1 }), (e: unknown) => e instanceof InputError && e.field === "relError");
    await assert.rejects(runMatrix({ rare: true, relError: 1.5 }), (e: unknown) => e instanceof InputError && e.field === "relError");
    await assert.rejects(runMatrix({ rare: true, maxEpisodes: 10 }), (e: unknown) => e instanceof InputError && e.field === "maxEpisodes");
  });
});
