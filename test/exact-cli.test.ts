/**
 * `tlbrace exact` as users run it (the built bin/tlbrace.js in its own
 * process), and the tornado chart: its spec against a snapshot and the
 * sensitivity numbers, and drawn by plotly.js in headless Chromium.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { tornado } from "../src/charts/tornado.js";
import { plotlyJs } from "../src/charts/plotlyjs.js";
import { solveExact } from "../src/engines/exact/index.js";
import { sensitivity } from "../src/engines/exact/sensitivity.js";
import { PARAM_NAMES } from "../src/model/params.js";
import { defineScenario, withParams } from "../src/model/scenario.js";
import { matchSnapshot } from "./snapshot.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "tlbrace.js");
const BUILT = join(ROOT, "dist", "cli", "exact.js");
const CHROMIUM = process.env.TLBRACE_CHROMIUM ?? "/usr/bin/chromium";

const newest = (dir: string): number => Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((e) =>
  e.isDirectory() ? newest(join(dir, e.name)) : e.name.endsWith(".ts") ? statSync(join(dir, e.name)).mtimeMs : 0));

// `npm test` builds first; a direct run of this file rebuilds when dist is older than src.
before(() => {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newest(join(ROOT, "src"))) return;
  spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], { cwd: ROOT });
  assert.ok(existsSync(BUILT), "the build did not produce dist/cli/exact.js");
});

function tlbrace(args: readonly string[]) {
  const env = { ...process.env };
  delete env.TLBRACE_DEBUG;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const skipSync = () => withParams(defineScenario("seed"), { tableFree: "rcu-skip-sync" }, "seed-skip-sync");

describe("tlbrace exact", () => {
  test("--json: probabilities, expected costs, chain size, residual, seconds and the manifest", () => {
    const r = tlbrace(["exact", "seed", "--set", "tableFree=rcu-skip-sync", "--set", "memoryPressure=1e-6", "--set", "preemptRate=1e-4", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const j = JSON.parse(r.stdout);
    for (const key of ["scenario", "params", "pRace", "pCorrupt", "costs", "states", "transitions", "residual", "seconds", "manifest"])
      assert.ok(key in j, `missing ${key}`);
    const same = solveExact(withParams(defineScenario("seed"), { tableFree: "rcu-skip-sync", memoryPressure: 1e-6, preemptRate: 1e-4 }));
    assert.equal(j.pRace, same.pRace, "the process computes what the library computes");
    assert.ok(j.pRace > 0 && j.pRace < 1e-9, `a rare race: ${j.pRace}`);
    assert.deepEqual(j.costs, same.costs);
    assert.equal(j.states, same.states);
    assert.ok(j.residual < 1e-13);
    assert.equal(j.manifest.engine, "exact");
    assert.equal(j.manifest.episodes, 0);
    // cpus and walkers are written only when not two vCPUs and one walker (a manifest of before).
    assert.deepEqual(Object.keys(j.params).sort(), PARAM_NAMES.filter((n) => n !== "cpus" && n !== "walkers").sort());
    assert.equal(j.params.memoryPressure, 1e-6);
  });

  test("text fits a mail and ends with the command that re-runs it", () => {
    const r = tlbrace(["exact", "seed", "--set", "tableFree=rcu-skip-sync", "--sensitivity"]);
    assert.equal(r.code, 0, r.stderr);
    for (const line of r.stdout.split("\n")) {
      assert.ok(line.length <= 72, `line of ${line.length} columns: ${line}`);
      assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII or tab in: ${line}`);
    }
    assert.match(r.stdout, /^race +[0-9.e-]+$/m);
    assert.match(r.stdout, /^memoryPressure +0\.01 +1\.000 /m, "the elasticity of memoryPressure is 1: a race needs a failed allocation");
    assert.match(r.stdout, /^tableFree +rcu-skip-sync +set$/m);
    assert.match(r.stdout, /tlbrace exact seed --set tableFree=rcu-skip-sync --sensitivity\n$/);
  });

  test("a non-exponential delay exits 2 naming it and offering --approximate; --approximate solves the same-mean chain", () => {
    const bad = tlbrace(["exact", "seed", "--set", "walkUs=uniform:2:8"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, "");
    assert.match(bad.stderr, /^tlbrace: walkUs: "uniform:2:8" is not allowed; [^\n]*--approximate[^\n]*exp:5, the same mean\n$/);
    const ok = tlbrace(["exact", "seed", "--set", "walkUs=uniform:2:8", "--approximate", "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    const j = JSON.parse(ok.stdout);
    assert.deepEqual(j.approximated, [{ param: "walkUs", given: "uniform:2:8", used: "exp:5" }]);
    assert.equal(j.params.walkUs, "exp:5");
    const text = tlbrace(["exact", "seed", "--set", "walkUs=uniform:2:8", "--approximate"]);
    assert.match(text.stdout, /^walkUs +exp:5 +us +approx\.$/m);
    // The approximation says it can be far off, and names the estimate that checks it.
    assert.match(j.warning, /^WARNING: walkUs uniform:2:8 solved as the exponential of the same mean\. .*orders of magnitude/);
    assert.equal(j.check, "tlbrace run seed --set walkUs=uniform:2:8 --rare");
    assert.match(text.stdout, /WARNING: walkUs uniform:2:8 solved as the exponential/);
    assert.match(text.stdout, /tlbrace run seed --set walkUs=uniform:2:8 --rare/);
  });

  const bad: [string, string[], string[]][] = [
    ["unknown scenario", ["exact", "nosuch"], ["scenario", '"nosuch"']],
    ["unknown flag", ["exact", "seed", "--episodes", "5"], ["option", '"--episodes"', "--approximate"]],
    ["bad value", ["exact", "seed", "--set", "memoryPressure=2"], ["memoryPressure", '"2"']],
  ];
  for (const [name, args, mentions] of bad) {
    test(`bad input: ${name}`, () => {
      const r = tlbrace(args);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^tlbrace: [^\n]+\n$/);
      for (const m of mentions) assert.ok(r.stderr.includes(m), `stderr should mention ${m}: ${r.stderr}`);
    });
  }

  test("--help", () => {
    const r = tlbrace(["exact", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: tlbrace exact <scenario>/);
    assert.match(tlbrace(["--help"]).stdout, /^ {2}exact +solve one scenario exactly/m);
  });
});

describe("the tornado chart", () => {
  test("its spec matches the snapshot", () => {
    matchSnapshot("tornado-skip-sync", tornado(sensitivity(skipSync())));
  });

  test("each bar runs from pRace to pRace with the parameter halved or doubled, the widest on top", () => {
    const d = sensitivity(skipSync());
    const f = tornado(d);
    assert.equal(f.data.length, 2);
    const [down, up] = f.data as { y: string[]; base: number[]; x: number[] }[];
    assert.equal(down!.y.length, d.rows.length);
    for (const r of d.rows) {
      const i = down!.y.findIndex((label) => label.startsWith(`${r.param} (`));
      assert.ok(i >= 0, `no row for ${r.param}`);
      assert.equal(down!.base[i], d.pRace);
      assert.ok(Math.abs(down!.base[i]! + down!.x[i]! - r.pRaceLow) <= 1e-15, `${r.param} low end`);
      assert.ok(Math.abs(up!.base[i]! + up!.x[i]! - r.pRaceHigh) <= 1e-15, `${r.param} high end`);
    }
    // memoryPressure moves pRace most (elasticity 1): Plotly draws the last category on top.
    assert.match(down!.y.at(-1)!, /^memoryPressure \(elasticity 1\.00\)$/);
    assert.equal(JSON.stringify(f), JSON.stringify(tornado(sensitivity(skipSync()))));
    const none = tornado(sensitivity(defineScenario("seed")));
    assert.equal(none.data.length, 0, "pRace = 0 has no log scale");
    assert.match(JSON.stringify(none.layout), /pRace is 0 here/);
  });

  test("plotly.js draws it in headless Chromium, offline", { timeout: 60_000 }, async () => {
    const f = tornado(sensitivity(skipSync()));
    const browser = await chromium.launch({ executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
    try {
      const page = await browser.newPage();
      await page.route(/^https?:/, (route) => route.abort());
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="t"></div></body></html>`);
      await page.addScriptTag({ content: plotlyJs().js });
      await page.evaluate(`Plotly.newPlot("t", ${JSON.stringify(f.data)}, ${JSON.stringify(f.layout)})`);
      const drawn = await page.evaluate(() => ({
        bars: document.querySelectorAll("#t .bars .point").length,
        xaxis: (document.getElementById("t") as unknown as { _fullLayout: { xaxis: { type: string } } })._fullLayout.xaxis.type,
        ticks: [...document.querySelectorAll("#t .ytick text")].map((e) => e.textContent),
      }));
      assert.equal(drawn.xaxis, "log");
      assert.equal(drawn.bars, 2 * (f.data[0]!.y as string[]).length);
      assert.deepEqual(drawn.ticks, f.data[0]!.y);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
