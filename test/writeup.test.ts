/**
 * Writeups: reply text for email, pictures drawn by Chromium, pages that
 * render offline, and manifests that re-run to the same numbers in a fresh
 * process. The CLI runs from dist/ (npm test builds first).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import * as tr from "../src/index.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../src/charts/chromium.js";
import { runStudy } from "../src/analysis/study.js";
import { asciiHeatmap } from "../src/text/heatmap.js";
import { matchTextSnapshot } from "./snapshot.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUTPUT = join(ROOT, "test", "output");
const PYTHON = process.env.TLBRACE_PYTHON ?? "/usr/bin/python3";

let dir = "";
let browser: Browser;
before(async () => {
  mkdirSync(OUTPUT, { recursive: true });
  dir = mkdtempSync(join(OUTPUT, "writeup-"));
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: readonly string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "tlbrace.js"), ...args], { cwd: dir, encoding: "utf8" });
  assert.ifError(r.error);
  return r;
}

/** Email-safe: ASCII, no tabs, at most 72 columns. */
function assertMailable(text: string) {
  for (const line of text.split("\n")) {
    assert.ok(line.length <= 72, `over 72 columns (${line.length}): ${line}`);
    assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII or tab: ${JSON.stringify(line)}`);
  }
}

/** The commit changes with every commit; snapshots keep everything else. */
const stable = (text: string) => text.replace(/commit [0-9a-f]{12}(-dirty)?/g, "commit COMMIT");

describe("reply text", () => {
  let run: tr.Run, sweep: tr.Sweep, line: tr.Sweep;
  before(async () => {
    const s = tr.scenario("seed").with({ tableFree: "rcu-skip-sync", memoryPressure: 0.5 }, "skip-sync");
    run = await tr.run(s, { episodes: 20_000, seed: 3, workers: 1 });
    sweep = await tr.sweep(s.vary({ memoryPressure: tr.range(0, 1, 6), preemptRate: tr.logRange(0.01, 100, 9) }), { episodes: 1000, seed: 3, workers: 1 });
    line = await tr.sweep(s.vary({ preemptRate: tr.logRange(0.1, 10, 3) }), { episodes: 1000, seed: 3, workers: 1 });
  });

  test("a run: parameters, outcomes with intervals, costs, and the command that re-runs it", () => {
    const text = String(tr.reply(run));
    assertMailable(text);
    assert.match(text, /^skip-sync: .*\n? *changed: tableFree rcu-skip-sync, memoryPressure 0\.5/);
    assert.match(text, new RegExp(`^race +${run.races} `, "m"));
    const command = text.slice(text.indexOf("Re-run with:")).replace(/ \\\n +/g, " ");
    assert.match(command, /^Re-run with:\n {2}tlbrace run seed --set tableFree=rcu-skip-sync --set memoryPressure=0\.5 --episodes 20000 --seed 3\n$/);
    matchTextSnapshot("reply-run", stable(text));
  });

  test("a two-axis sweep: an ASCII heatmap with its legend", () => {
    const text = String(tr.reply(sweep));
    assertMailable(text);
    assert.match(text, /^ *preemptRate \|$/m);
    assert.match(text, /^pRace: \. none seen, /m);
    assert.match(text, /--vary memoryPressure=0:1:6/);
    assert.match(text, /--vary preemptRate=log:0\.01:100:9/);
    matchTextSnapshot("reply-sweep", stable(text));
  });

  test("a one-axis sweep: a table of its cells", () => {
    const text = String(tr.reply(line));
    assertMailable(text);
    assert.equal((text.match(/^\d[\d.]* +\d+\/1000 /gm) ?? []).length, 3);
  });

  test("a whole mail: a wrapped paragraph, then each result", () => {
    const long = "word ".repeat(60) + "\u00b5s \u2014 done";
    const text = String(tr.reply([long, run, sweep]));
    assertMailable(text);
    assert.match(text, /us - done/);
    assert.equal(text.split("Re-run with:").length - 1, 2);
  });

  test("anything else is refused with what is allowed", () => {
    assert.throws(() => tr.reply(42), (e) => e instanceof tr.InputError && e.field === "reply" && /a result/.test(e.allowed));
  });

  test("the ASCII heatmap: one symbol per bin, none-seen apart, legend in bins", () => {
    const lines = asciiHeatmap({
      x: { name: "x", values: [1, 2, 3] }, y: { name: "y", values: ["a", "b"] },
      z: [[0, 1e-4, 1e-3], [1e-2, 0.1, 1]], label: "p",
    });
    assert.deepEqual(lines.slice(0, 3), ["y |", "b | = + *", "a | . - :"]);
    assert.match(lines.find((l) => l.startsWith("p:"))!, /^p: \. none seen, - < 0\.00100, : 0\.00100\.\.0\.0100, = 0\.0100\.\.0\.100,/);
  });
});

describe("manifests and re-runs", () => {
  let saved = "";
  before(() => {
    saved = join(dir, "run.json");
    const r = cli(["run", "seed", "--set", "tableFree=immediate", "--episodes", "30000", "--seed", "7", "--json"]);
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(saved, r.stdout);
  });

  test("a manifest names the version, commit, Node, scenario, every parameter, engine, seed and episodes", () => {
    const m = JSON.parse(readFileSync(saved, "utf8")).manifest;
    assert.equal(m.tool, "tlbrace");
    assert.match(m.version, /^\d+\.\d+\.\d+/);
    assert.match(m.commit, /^[0-9a-f]{40}(-dirty)?$/);
    assert.equal(m.node, process.version);
    assert.equal(m.engine, "montecarlo");
    assert.equal(m.preset, "seed");
    // cpus and walkers are written only when not two vCPUs and one walker (a manifest of before).
    assert.deepEqual(Object.keys(m.params), tr.PARAM_SPECS.map((s) => s.name).filter((n) => n !== "cpus" && n !== "walkers"));
    assert.equal(m.params.tableFree, "immediate");
    assert.deepEqual([m.seed, m.episodes], [7, 30000]);
  });

  test("tlbrace rerun in a fresh process gives identical numbers", () => {
    const r = cli(["rerun", saved]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^run seed: identical, \d+ numbers compared$/m);
  });

  test("tr.rerun from the file gives the same numbers as the CLI printed", async () => {
    const recorded = JSON.parse(readFileSync(saved, "utf8"));
    const again = await tr.rerun(saved, { workers: 2 });
    assert.ok(again instanceof tr.Run);
    assert.deepEqual([again.races, again.pRace, again.ci95], [recorded.races, recorded.pRace, recorded.ci95]);
    assert.deepEqual(JSON.parse(JSON.stringify(again.data.costs)), recorded.costs);
  });

  test("a sweep file re-runs to the same rows; tr.check says so", async () => {
    const file = join(dir, "sweep.arrow");
    const r = cli(["sweep", "seed", "--set", "tableFree=rcu-skip-sync", "--vary", "memoryPressure=0:1:3", "--vary", "preemptRate=log:0.1:10:3", "--episodes", "500", "--out", file]);
    assert.equal(r.status, 0, r.stderr);
    const c = await tr.check(file);
    assert.equal(c.identical, true);
    assert.equal(c.entries[0]!.compared > 9 * 10, true);
    assert.match(String(c), /identical/);
  });

  test("an exact result re-solves to the same numbers in a fresh process", () => {
    const file = join(dir, "exact.json");
    const r = cli(["exact", "seed", "--set", "tableFree=rcu-skip-sync", "--json"]);
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(file, r.stdout);
    const again = cli(["rerun", file]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^exact seed: identical, \d+ numbers compared$/m);
  });

  test("an exploration re-runs to the same verdicts and counterexamples; its reply ends with the command", async () => {
    const file = join(dir, "explore.json");
    const r = cli(["explore", "seed", "--set", "tableFree=immediate", "--max-preemptions", "1", "--json"]);
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(file, r.stdout);
    const again = cli(["rerun", file]);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^explore seed: identical, \d+ numbers compared$/m);
    const text = String(tr.reply(tr.explore(tr.scenario("seed").with({ tableFree: "immediate" }), { maxPreemptions: 1 })));
    assertMailable(text);
    assert.match(text, /vCPU W \(walker\) +vCPU U \(unmapper\)/);
    assert.match(text.replace(/ \\\n +/g, " "), /Re-run with:\n {2}tlbrace explore seed --set tableFree=immediate --max-preemptions 1 --max-states \d+\n$/);
  });

  test("changed numbers are caught: exit 3 and the field named", () => {
    const recorded = JSON.parse(readFileSync(saved, "utf8"));
    recorded.costs.unmapLatencyUs.mean *= 1.5;
    const tampered = join(dir, "tampered.json");
    writeFileSync(tampered, JSON.stringify(recorded));
    const r = cli(["rerun", tampered]);
    assert.equal(r.status, 3);
    assert.match(r.stdout, /DIFFERENT\n {2}costs\.unmapLatencyUs\.mean: [\d.]+ then, [\d.]+ now/);
  });

  test("a count that disagrees with its probability is a damaged file: exit 2, not DIFFERENT", () => {
    const recorded = JSON.parse(readFileSync(saved, "utf8"));
    recorded.races += 1;
    const tampered = join(dir, "tampered.json");
    writeFileSync(tampered, JSON.stringify(recorded));
    const r = cli(["rerun", tampered]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /tampered\.json, pRace: .* expected races \/ episodes/);
  });

  const broken: [string, (m: Record<string, unknown>) => unknown, RegExp][] = [
    ["a newer model", (m) => ({ ...m, modelVersion: 99, version: "9.0.0" }), /manifest\.modelVersion: 99 .*newer tlbrace \(9\.0\.0\)/],
    ["an unknown preset", (m) => ({ ...m, preset: "no-such-preset" }), /manifest\.preset: "no-such-preset" .*one of .*\bseed\b/],
    ["a missing parameter", (m) => ({ ...m, params: { ...(m.params as object), walkUs: undefined } }), /manifest\.params\.walkUs: undefined .*the field is missing/],
    ["a bad parameter", (m) => ({ ...m, params: { ...(m.params as object), memoryPressure: 2 } }), /manifest\.params\.memoryPressure: 2/],
    ["another tool's file", () => ({ hello: "world" }), /file: .* a manifest written by tlbrace/],
    ["an unknown engine", (m) => ({ ...m, engine: "guess" }), /manifest\.engine: "guess"/],
  ];
  for (const [what, damage, message] of broken) {
    test(`a manifest with ${what} is refused before anything runs`, () => {
      const recorded = JSON.parse(readFileSync(saved, "utf8"));
      const file = join(dir, "broken.json");
      const damaged = damage(recorded.manifest);
      writeFileSync(file, JSON.stringify("hello" in (damaged as object) ? damaged : { ...recorded, manifest: damaged }));
      const r = cli(["rerun", file]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, "no stack trace");
    });
  }

  test("a damaged file (cut short) is refused", () => {
    const file = join(dir, "cut.json");
    writeFileSync(file, readFileSync(saved, "utf8").slice(0, 200));
    const r = cli(["rerun", file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cut\.json.* does not parse \(damaged, cut short, or not JSON\)/);
  });

  test("tlbrace report --text prints the reply for a saved result", () => {
    const r = cli(["report", saved, "--text"]);
    assert.equal(r.status, 0, r.stderr);
    assertMailable(r.stdout);
    assert.match(r.stdout, /Re-run with:\n {2}tlbrace run seed --set tableFree=immediate --episodes 30000/);
  });
});

/** Waits for every Plotly plot in the page and returns the trace types of each. */
async function drawnTraceTypes(url: string, selector: string, shot: string): Promise<string[][]> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  try {
    const blocked: string[] = [];
    const errors: string[] = [];
    await page.route(/^https?:/, (route) => { blocked.push(route.request().url()); return route.abort(); });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction((sel) => {
      const plots = [...document.querySelectorAll(sel)];
      return plots.length > 0 && plots.every((p) => p.querySelector(".main-svg"));
    }, selector, { timeout: 60_000 });
    const types = await page.evaluate((sel) => [...document.querySelectorAll(sel)].map((p) =>
      ((p as unknown as { _fullData?: { type: string }[] })._fullData ?? []).map((t) => t.type)), selector);
    await page.screenshot({ path: join(OUTPUT, shot), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, [], "asked for nothing on the network");
    return types;
  } finally {
    await page.close();
  }
}

describe("pages render their charts in headless Chromium, offline", () => {
  test("the study's out/report.html: a heatmap per scenario", { timeout: 180_000 }, async () => {
    const out = join(dir, "out");
    await runStudy({ out, episodes: 50, runEpisodes: 500, seed: 2 });
    const types = await drawnTraceTypes(pathToFileURL(join(out, "report.html")).href, ".figure", "writeup-study-report.png");
    assert.equal(types.length, 3);
    for (const t of types) assert.ok(t.includes("heatmap"), `trace types ${t}`);
    const svg = await (async () => {
      const page = await browser.newPage();
      await page.goto(pathToFileURL(join(out, "report.html")).href);
      await page.waitForSelector(".figure .main-svg");
      const n = await page.locator(".figure .hm").count();
      await page.close();
      return n;
    })();
    assert.ok(svg >= 3, `heatmap layers drawn: ${svg}`);
  });

  test("an nbconvert --to html copy of notebooks/05-writeup.ipynb", { timeout: 180_000 }, async () => {
    const r = spawnSync(PYTHON, ["-m", "nbconvert", "--to", "html", "--output-dir", dir, join(ROOT, "notebooks", "05-writeup.ipynb")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const html = readFileSync(join(dir, "05-writeup.html"), "utf8");
    assert.match(html, /<img[^>]+src="data:image\/png;base64,/, "the static PNG is in the export");
    const types = await drawnTraceTypes(pathToFileURL(join(dir, "05-writeup.html")).href, ".tlbrace-plot", "writeup-notebook-05.png");
    assert.equal(types.length, 1);
    assert.deepEqual(types[0], ["heatmap", "heatmap"]);
  });
});

describe("pictures", () => {
  test("tr.save draws a chart as PNG and SVG", { timeout: 120_000 }, async () => {
    const s = tr.scenario("seed").with({ tableFree: "immediate" });
    const g = await tr.sweep(s.vary({ memoryPressure: tr.range(0, 1, 3), preemptRate: tr.logRange(0.1, 10, 3) }), { episodes: 200, seed: 1, workers: 1 });
    const chart = tr.heatmap(g, { x: "memoryPressure", y: "preemptRate" });
    const png = readFileSync(await tr.save(chart, join(dir, "h.png"), { width: 640, height: 400 }));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [640, 400], "IHDR size");
    const svg = readFileSync(await tr.save(chart, join(dir, "h.svg")), "utf8");
    assert.match(svg, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<image[^>]+href="data:image\/png/, "the heatmap's pixels");
    await assert.rejects(tr.save(chart, join(dir, "h.gif")), (e) => e instanceof tr.InputError && e.field === "path" && /\.png, \.svg or \.html/.test(e.allowed));
    await assert.rejects(tr.save(chart, join(dir, "h.png"), { width: 3 }), (e) => e instanceof tr.InputError && e.field === "width");
  });
});
