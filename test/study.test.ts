/** The seed study writes its CSV, report, reply and manifests to one folder. */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runStudy, STUDY_AXES, type StudyManifest } from "../src/analysis/study.js";
import { InputError } from "../src/model/errors.js";
import { studyManifestSchema } from "../src/formats/study.js";

let dir: string;
let files: string[];
const progress: [number, number, string][] = [];
const read = (name: string) => readFile(join(dir, name), "utf8");

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "tlbrace-study-"));
  ({ files } = await runStudy({ out: join(dir, "out"), episodes: 20, runEpisodes: 500, seed: 5, onProgress: (d, n, s) => progress.push([d, n, s]) }));
  dir = join(dir, "out");
});
after(async () => { await rm(join(dir, ".."), { recursive: true, force: true }); });

const NAMES = ["seed", "seed-immediate", "seed-skip-sync"];
const CELLS = STUDY_AXES.memoryPressure.length * STUDY_AXES.preemptRate.length;

test("the study writes a sweep CSV per scenario, runs.csv, the report, the reply and the manifests", () => {
  const expected = [...NAMES.map((n) => `sweep-${n}.csv`), "runs.csv", "report.html", "reply.txt", "manifest.json"];
  assert.deepEqual(files, expected.map((f) => join(dir, f)));
});

test("each sweep CSV has the axis columns first and one row per cell", async () => {
  for (const name of NAMES) {
    const lines = (await read(`sweep-${name}.csv`)).trimEnd().split("\n");
    const header = lines[0]!.split(",");
    assert.deepEqual(header.slice(0, 2), ["memoryPressure", "preemptRate"]);
    for (const c of ["cell", "episodes", "races", "pRace", "pRaceLo", "pRaceHi", "pCorrupt"]) assert.ok(header.includes(c), `${name}: ${c}`);
    assert.equal(lines.length, 1 + CELLS, name);
    const episodes = header.indexOf("episodes");
    assert.ok(lines.slice(1).every((l) => l.split(",")[episodes] === "20"));
  }
});

test("runs.csv has one row per scenario with the run's counts", async () => {
  const [head, ...rows] = (await read("runs.csv")).trimEnd().split("\n");
  const h = head!.split(",");
  assert.deepEqual(h.slice(0, 3), ["scenario", "flush", "tableFree"]);
  assert.deepEqual(rows.map((r) => r.split(",")[0]), NAMES);
  assert.deepEqual(rows.map((r) => r.split(",")[h.indexOf("tableFree")]), ["rcu", "immediate", "rcu-skip-sync"]);
  assert.ok(rows.every((r) => r.split(",")[h.indexOf("episodes")] === "500"));
});

test("manifest.json holds the manifest of every sweep and run", async () => {
  const m = JSON.parse(await read("manifest.json")) as StudyManifest;
  assert.deepEqual(m.study, { episodes: 20, runEpisodes: 500, seed: 5, axes: JSON.parse(JSON.stringify(STUDY_AXES)) });
  assert.deepEqual(Object.keys(m.sweeps), NAMES);
  assert.deepEqual(Object.keys(m.runs), NAMES);
  assert.equal(m.runs["seed-immediate"]!.params.tableFree, "immediate");
  assert.equal(m.sweeps["seed"]!.episodes, 20);
  assert.equal(m.runs["seed"]!.seed, 5);
});

test("the report has a heatmap per scenario, the parameter table and the manifests", async () => {
  const html = await read("report.html");
  assert.equal((html.match(/Plotly\.newPlot\(/g) ?? []).length, 3);
  for (const n of NAMES) assert.match(html, new RegExp(`<h2>${n}: `));
  assert.match(html, /<th[^>]*>source<\/th>/);
  assert.match(html, /<details>\n<summary>Manifest/);
});

test("the reply is plain text for email: ASCII, at most 72 columns", async () => {
  const text = await read("reply.txt");
  for (const line of text.split("\n")) {
    assert.ok(line.length <= 72, `over 72 columns: ${line}`);
    assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII or tab: ${line}`);
  }
  for (const n of NAMES) assert.match(text, new RegExp(`^${n} `, "m"));
});

test("progress counts episodes up to the study's total and names each step", () => {
  const total = 3 * (CELLS * 20 + 500);
  assert.ok(progress.every(([, n]) => n === total));
  assert.ok(progress.every(([d], i) => i === 0 || d >= progress[i - 1]![0]), "never goes back");
  assert.equal(progress.at(-1)![0], total);
  assert.deepEqual([...new Set(progress.map(([, , s]) => s))], NAMES.flatMap((n) => [`sweep ${n}`, `run ${n}`]));
});

test("the same seed writes the same numbers", async () => {
  const again = await mkdtemp(join(tmpdir(), "tlbrace-study-"));
  try {
    await runStudy({ out: again, episodes: 20, runEpisodes: 500, seed: 5 });
    for (const f of ["sweep-seed-skip-sync.csv", "runs.csv"]) assert.equal(await readFile(join(again, f), "utf8"), await read(f), f);
  } finally {
    await rm(again, { recursive: true, force: true });
  }
});

test("bad study options name the field", async () => {
  await assert.rejects(runStudy({ out: "" }), (e) => e instanceof InputError && e.field === "out");
  await assert.rejects(runStudy({ out: dir, episodes: 0 }), (e) => e instanceof InputError && e.field === "episodes");
  await assert.rejects(runStudy({ out: dir, episodes: 1, seed: -1 }), (e) => e instanceof InputError && e.field === "seed");
});

test("study --rare: rare-event sweeps (a method per cell, the manifest's engine), plain runs, a reply that re-runs it", async () => {
  const out = await mkdtemp(join(tmpdir(), "tlbrace-study-rare-"));
  try {
    await runStudy({ out, episodes: 200, runEpisodes: 500, seed: 5, rare: true, relError: 0.2 });
    const m = JSON.parse(await readFile(join(out, "manifest.json"), "utf8")) as StudyManifest;
    assert.deepEqual(m.study.rare, { relError: 0.2, maxEpisodes: 3e7 });
    // The published schema reads it, as rerun does.
    assert.deepEqual(studyManifestSchema.parse(m).study.rare, m.study.rare);
    for (const n of NAMES) {
      assert.equal(m.sweeps[n]!.engine, "rare", n);
      assert.equal(m.runs[n]!.engine, "montecarlo", n);
      const [head, ...rows] = (await readFile(join(out, `sweep-${n}.csv`), "utf8")).trimEnd().split("\n");
      const h = head!.split(",");
      assert.equal(rows.length, CELLS);
      const methods = new Set(rows.map((r) => r.split(",")[h.indexOf("method")]));
      assert.ok([...methods].every((x) => ["explorer", "exact", "importance"].includes(x!)), [...methods].join());
    }
    // The seed frees after the sync IPI: every cell is 0 by exhaustive search; the freed-at-once variant races in every cell.
    const seed = (await readFile(join(out, "sweep-seed.csv"), "utf8")).trimEnd().split("\n");
    const h = seed[0]!.split(",");
    assert.ok(seed.slice(1).every((r) => r.split(",")[h.indexOf("method")] === "explorer"));
    const reply = await readFile(join(out, "reply.txt"), "utf8");
    assert.match(reply, /tlbrace study .*--rare\s+\\?\s*--rel-error 0\.2/s);
    assert.match(reply, /seed-immediate, pRace over the sweep in decade bands/);
    for (const line of reply.split("\n")) assert.ok(line.length <= 72 && /^[\x20-\x7e]*$/.test(line), line);
    assert.match(await readFile(join(out, "report.html"), "utf8"), /rare-event path/);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
  await assert.rejects(runStudy({ out: dir, relError: 0.1 }), (e) => e instanceof InputError && e.field === "relError");
  await assert.rejects(runStudy({ out: dir, rare: true, relError: 2 }), (e) => e instanceof InputError && e.field === "relError");
});
