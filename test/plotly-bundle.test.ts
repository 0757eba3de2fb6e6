/**
 * The plotly.js bundle: the cartesian one holds exactly the trace types the
 * code says it does (read from Plotly.PlotSchema in Chromium), every figure
 * builder draws only those, a figure with another type is refused before
 * anything is drawn, and the pictures stored in notebooks are palette PNGs.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Browser, chromium } from "playwright-core";
import * as tr from "../src/index.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../src/charts/chromium.js";
import { ImageRenderer } from "../src/charts/image.js";
import { PLOTLY_TRACE_TYPES, plotlyJs, plotlyJsGzipBase64 } from "../src/charts/plotlyjs.js";
import { plotlyScript } from "../src/notebook/plotly.js";

let browser: Browser;
before(async () => { browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] }); });
after(async () => { await browser?.close(); });

test("the bundle holds the trace types PLOTLY_TRACE_TYPES names, no more, no fewer", async () => {
  const page = await browser.newPage();
  await page.setContent("<!DOCTYPE html><html><body></body></html>");
  await page.addScriptTag({ content: plotlyJs().js });
  const types = await page.evaluate("Object.keys(Plotly.PlotSchema.get().traces).sort()");
  assert.deepEqual(types, [...PLOTLY_TRACE_TYPES].sort());
  await page.close();
});

test("the notebook's packed copy unpacks in the browser to the same library", async () => {
  assert.ok(plotlyJsGzipBase64().length < plotlyJs().js.length / 2, "packed to under half");
  const page = await browser.newPage();
  await page.setContent(`<!DOCTYPE html><html><head>${plotlyScript()}</head><body></body></html>`);
  await page.waitForFunction("window.tlbracePlotly !== 'loading'", undefined, { timeout: 30_000 });
  assert.equal(await page.evaluate("window.tlbracePlotly"), "ready");
  assert.equal(await page.evaluate("Plotly.version"), plotlyJs().version);
  await page.close();
});

test("every figure builder draws only trace types of the bundle", async () => {
  const seed = tr.scenario("seed");
  const skip = seed.with({ tableFree: "rcu-skip-sync" });
  const g = await tr.sweep(skip.vary({ memoryPressure: [0, 0.5, 1], preemptRate: tr.logRange(0.1, 10, 3) }), { episodes: 300, seed: 1, workers: 1 });
  const m = await tr.matrix({ episodes: 200, seed: 1, workers: 1 });
  const figures = {
    heatmap: tr.heatmap(g, { x: "memoryPressure", y: "preemptRate" }).figure,
    heatmaps: tr.heatmaps([g, g], { x: "memoryPressure", y: "preemptRate" }).figure,
    lineChart: tr.lineChart(g, { x: "preemptRate", series: "memoryPressure" }).figure,
    tornado: tr.tornado(skip).figure,
    timeline: tr.explore(seed.with({ tableFree: "immediate" })).counterexample("race")!.timeline().figure,
    matrix: m.chart().figure,
  };
  for (const [name, f] of Object.entries(figures))
    for (const t of f.data) assert.ok(PLOTLY_TRACE_TYPES.includes((t.type as string) ?? "scatter"), `${name}: ${String(t.type)}`);
});

test("a figure with a trace type outside the bundle is refused, naming the trace and the types there are", async () => {
  const sankey = { data: [{ type: "scatter", y: [1] }, { type: "sankey" }], layout: {} };
  await assert.rejects(tr.save(sankey, "never-written.png"), (e) =>
    e instanceof tr.InputError && e.field === "figure.data[1].type" && /heatmap, histogram/.test(e.allowed));
  assert.throws(() => tr.show(sankey), (e) => e instanceof tr.InputError && e.field === "figure.data[1].type");
});

test("pictures for notebooks are palette PNGs, a fraction of the full-colour size", async () => {
  const g = await tr.sweep(tr.scenario("seed").with({ tableFree: "immediate" }).vary({ preemptRate: tr.logRange(0.01, 100, 9) }), { episodes: 300, seed: 1, workers: 1 });
  const figure = tr.lineChart(g, { x: "preemptRate" }).figure;
  const r = new ImageRenderer();
  try {
    const full = Buffer.from(await r.render(figure, { format: "png" }) as Uint8Array);
    const palette = Buffer.from(await r.render(figure, { format: "png", palette: true }) as Uint8Array);
    // IHDR: width, height, bit depth, colour type (3: palette, 6: RGBA).
    assert.deepEqual([palette.readUInt32BE(16), palette.readUInt32BE(20), palette[25]], [800, 500, 3]);
    assert.equal(full[25], 6);
    assert.ok(palette.length < full.length / 2, `${palette.length} vs ${full.length} bytes`);
  } finally {
    await r.close();
  }
});
