/** A report is one HTML file that draws its figures offline in a real browser. */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { grid, logRange, range } from "../src/analysis/grid.js";
import { runSweep, type SweepData } from "../src/analysis/sweep.js";
import { heatmap } from "../src/charts/heatmap.js";
import { lineChart } from "../src/charts/line.js";
import { defineScenario, withParams } from "../src/model/scenario.js";
import { reportHtml } from "../src/report/html.js";
import { fmtNumber as formatNumber } from "../src/text/format.js";
import { plotlyJs } from "../src/charts/plotlyjs.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const OUTPUT = new URL("./output/", import.meta.url);

let sweep: SweepData;
let dir: string;
before(async () => {
  const s = withParams(defineScenario("seed"), { tableFree: "rcu-skip-sync" }, "seed-skip-sync");
  sweep = await runSweep(grid(s, { memoryPressure: range(0, 1, 6), preemptRate: logRange(0.01, 100, 9) }), { episodes: 1000, seed: 3 });
  dir = await mkdtemp(join(tmpdir(), "tlbrace-report-"));
});
after(async () => { await rm(dir, { recursive: true, force: true }); });

function render(): string {
  return reportHtml({
    title: "Skipping the sync IPI <test>",
    intro: "First paragraph.\n\nSecond & last.",
    sections: [
      { heading: "pRace", text: "Memory pressure against preemption rate.", figures: [heatmap(sweep, { x: "memoryPressure", y: "preemptRate" })] },
      { heading: "Against preemption", figures: [lineChart(sweep, { x: "preemptRate", series: "memoryPressure" })] },
      { heading: "Cells", table: sweep.rows.slice(0, 3).map((r) => ({ memoryPressure: r.memoryPressure, preemptRate: r.preemptRate, races: r.races, pRace: r.pRace, pRaceHi: r.pRaceHi })) },
      { heading: "Reply", pre: "pRace  0.0123\n<not a tag>" },
    ],
    manifest: sweep.manifest,
  });
}

/** The HTML around the inlined library: what the report itself says. */
const withoutLibrary = (html: string) => html.replace(plotlyJs().js, "");

test("the report inlines Plotly once and refers to nothing on the network", () => {
  const html = render();
  assert.equal(html.split(plotlyJs().js).length - 1, 1, "Plotly inlined exactly once");
  const own = withoutLibrary(html);
  assert.doesNotMatch(own, /<script[^>]*\ssrc=/i, "no external script");
  assert.doesNotMatch(own, /<link\b/i, "no external stylesheet");
  assert.doesNotMatch(own, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i, "no network src/href");
  assert.equal((own.match(/Plotly\.newPlot\(/g) ?? []).length, 2);
  assert.match(own, /<details>\n<summary>Manifest/);
  assert.match(own, /&lt;not a tag&gt;/);
  assert.match(own, /<h1>Skipping the sync IPI &lt;test&gt;<\/h1>/);
  assert.match(own, /<p>Second &amp; last.<\/p>/);
});

test("a report without figures carries no Plotly", () => {
  const html = reportHtml({ title: "t", sections: [{ heading: "h", table: [{ p: 0 }] }] });
  assert.ok(!html.includes(plotlyJs().js));
  assert.match(html, /<td class="num" style="text-align:right;[^"]*">0<\/td>/);
});

test("table numbers: whole numbers as they are, others to 3 significant digits, 0 as 0", () => {
  assert.deepEqual([0, 12, 2000000, 0.5, 0.0023182, 0.0000123, 0.99745, 1.5e7 + 0.5].map(formatNumber),
    ["0", "12", "2000000", "0.5", "0.00232", "1.23e-5", "0.997", "1.5e7"]);
});

test("the report draws its heatmap in headless Chromium with the network blocked", { timeout: 45_000 }, async () => {
  const file = join(dir, "report.html");
  await writeFile(file, render());
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
    const blocked: string[] = [];
    await page.route(/^https?:/, (route) => { blocked.push(route.request().url()); return route.abort(); });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    await page.waitForSelector("#figure-1 .main-svg");
    const drawn = await page.evaluate(() => {
      const el = document.getElementById("figure-1") as unknown as { _fullData: { type: string }[]; _fullLayout: { yaxis: { type: string } } };
      return { types: el._fullData.map((t) => t.type), yaxis: el._fullLayout.yaxis.type, hm: document.querySelectorAll("#figure-1 .hm").length };
    });
    assert.deepEqual(drawn.types, ["heatmap", "heatmap"]);
    assert.equal(drawn.yaxis, "log");
    assert.ok(drawn.hm >= 1, "heatmap layer drawn");
    assert.equal(await page.locator("#figure-2 .main-svg").count() > 0, true, "line chart drawn");
    assert.deepEqual(errors, []);
    assert.deepEqual(blocked, [], "the report asked for nothing on the network");
    mkdirSync(OUTPUT, { recursive: true });
    await page.locator("#figure-1").screenshot({ path: new URL("report.png", OUTPUT).pathname });
    await page.screenshot({ path: new URL("report-page.png", OUTPUT).pathname, fullPage: true });
  } finally {
    await browser.close();
  }
});
