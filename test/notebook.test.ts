/**
 * Notebooks under real Jupyter: every notebooks/*.ipynb runs top to bottom
 * on the "tlbrace" kernel, a figure reaches the notebook as one display
 * bundle, and an exported notebook draws it offline in a real browser.
 * Needs `bash scripts/setup.sh` (Debian Jupyter, kernelspec, build) first.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import { CHROMIUM_ARGS } from "../src/charts/chromium.js";
import { modelStamp } from "../src/notebook/stamp.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PYTHON = process.env.TLBRACE_PYTHON ?? "/usr/bin/python3";
const EXECUTE = join(ROOT, "test", "execute_notebooks.py");
const CHROMIUM = process.env.TLBRACE_CHROMIUM ?? "/usr/bin/chromium";
const SETUP_HINT = "run `bash scripts/setup.sh` first";

interface Outcome {
  notebook: string;
  ok: boolean;
  cell?: number | null;
  code_cell?: number | null;
  source?: string;
  error?: string;
}

function python(args: readonly string[]) {
  const r = spawnSync(PYTHON, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 256 << 20 });
  assert.ifError(r.error);
  return r;
}

/** Executes one notebook with the repository's executor; its JSON result. */
function execute(path: string, extra: readonly string[] = []): Outcome {
  const r = python([EXECUTE, "--json", ...extra, path]);
  const line = r.stdout.trim().split("\n").pop();
  assert.ok(line, `executor printed no result (status ${r.status}):\n${r.stderr}`);
  return JSON.parse(line) as Outcome;
}

function failure(o: Outcome): string {
  const where = o.cell == null ? "before the first cell" : `cell ${o.cell} (code cell ${o.code_cell})`;
  return `${o.notebook} failed at ${where}:\n${o.source ?? ""}\n--- error ---\n${o.error ?? ""}`;
}

function notebook(cells: readonly string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "tlbrace", display_name: "TypeScript (tlbrace)", language: "typescript" } },
    cells: cells.map((source, i) => ({
      cell_type: "code", id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source,
    })),
  });
}

type Output = { output_type: string; data?: Record<string, unknown>; text?: string | string[] };

/** nbformat stores multi-line strings as lists of lines. */
const joined = (s: unknown): string => (Array.isArray(s) ? s.join("") : String(s));

test("the tlbrace kernelspec starts this checkout's own tslab, through its launcher", () => {
  const r = python(["-m", "jupyter", "kernelspec", "list", "--json"]);
  assert.equal(r.status, 0, `jupyter is not usable (${SETUP_HINT}):\n${r.stderr}`);
  const spec = JSON.parse(r.stdout).kernelspecs.tlbrace?.spec;
  assert.ok(spec, `no "tlbrace" kernelspec; ${SETUP_HINT}`);
  assert.equal(spec.display_name, "TypeScript (tlbrace)");
  assert.equal(spec.language, "typescript");
  assert.equal(realpathSync(spec.argv[0]), realpathSync(process.execPath), "kernel runs another node");
  assert.equal(realpathSync(spec.argv[1]), realpathSync(join(ROOT, "dist", "notebook", "launch.js")),
    `kernelspec points at another checkout; ${SETUP_HINT}`);
});

type StoredOutput = Output & { metadata?: { tlbrace?: unknown } };
const committedNotebooks = () => readdirSync(join(ROOT, "notebooks")).filter((n) => n.endsWith(".ipynb")).sort();
const storedOutputs = (name: string): StoredOutput[] =>
  (JSON.parse(readFileSync(join(ROOT, "notebooks", name), "utf8")).cells as { outputs?: StoredOutput[] }[]).flatMap((c) => c.outputs ?? []);

describe("committed notebooks: outputs made by the model as it is now, at a clean commit, under 2 MB", () => {
  const rerun = (name: string) => `re-execute it: /usr/bin/python3 test/execute_notebooks.py --inplace notebooks/${name}`;
  for (const name of committedNotebooks()) {
    test(name, () => {
      const outputs = storedOutputs(name);
      const stamps = outputs.map((o) => o.metadata?.tlbrace).filter((s) => s !== undefined);
      assert.ok(stamps.length > 0, `no output of ${name} records the model that made it; ${rerun(name)}`);
      for (const stamp of stamps)
        assert.deepEqual(stamp, modelStamp(), `${name} was executed with another model or parameter set; ${rerun(name)}`);
      const dirty = outputs.map((o) => joined(o.text ?? o.data?.["text/plain"] ?? "")).find((t) => /\b[0-9a-f]{12,40}-dirty\b/.test(t));
      assert.equal(dirty, undefined, `${name} shows results made by uncommitted code; commit, then ${rerun(name)}`);
      const size = statSync(join(ROOT, "notebooks", name)).size;
      assert.ok(size < 2_000_000, `${name} is ${(size / 1e6).toFixed(2)} MB`);
    });
  }
});

describe("an nbconvert --to html copy of each committed notebook draws every chart offline", () => {
  // Screenshots of each copy go to test/output/notebook-*.png, to look at.
  const OUTPUT = join(ROOT, "test", "output");
  let dir = "";
  let browser: Browser;
  before(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    dir = mkdtempSync(join(OUTPUT, "html-"));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const name of committedNotebooks()) {
    test(name, { timeout: 180_000 }, async () => {
      const r = python(["-m", "nbconvert", "--to", "html", "--output-dir", dir, join(ROOT, "notebooks", name)]);
      assert.equal(r.status, 0, r.stderr);
      const html = join(dir, name.replace(/\.ipynb$/, ".html"));
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      try {
        const errors: string[] = [];
        const asked: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.route(/^https?:/, (route) => { asked.push(route.request().url()); return route.abort(); });
        await page.goto(pathToFileURL(html).href);
        const plots = await page.locator(".tlbrace-plot").count();
        await page.waitForFunction(() => [...document.querySelectorAll(".tlbrace-plot")].every((p) => p.querySelector(".main-svg")),
          undefined, { timeout: 60_000 });
        await page.screenshot({ path: join(OUTPUT, `notebook-${name.replace(/\.ipynb$/, "")}.png`), fullPage: true });
        assert.deepEqual(errors, []);
        // The template's own CDN links (require.js, MathJax) are refused and not needed.
        assert.ok(asked.every((u) => !/plotly/i.test(u)), `plotly.js asked for on the network: ${asked.join(", ")}`);
        assert.ok(plots > 0 || !readFileSync(html, "utf8").includes("tlbrace-plot"), "every chart is drawn");
      } finally {
        await page.close();
      }
    });
  }
});

describe("notebooks/*.ipynb run top to bottom under the tlbrace kernel", () => {
  const names = readdirSync(join(ROOT, "notebooks")).filter((n) => n.endsWith(".ipynb")).sort();
  if (names.length === 0) test("notebooks/ holds notebooks", { skip: "none yet" }, () => {});
  for (const name of names) {
    test(name, () => {
      const o = execute(join(ROOT, "notebooks", name));
      assert.ok(o.ok, failure(o));
    });
  }
});

describe("a figure in a notebook", () => {
  // Inside the repository (test/output is ignored by git), so that the
  // kernel resolves "tlbrace" exactly as it does for notebooks/.
  let dir = "";
  let executed = "";
  const figure = `{data: [{type: "scatter", mode: "lines+markers", x: [0, 1, 2, 3], y: [0.1, 0.4, 0.2, 0.8]}],
    layout: {title: {text: "offline check"}}}`;

  before(() => {
    mkdirSync(join(ROOT, "test", "output"), { recursive: true });
    dir = mkdtempSync(join(ROOT, "test", "output", "notebook-"));
    executed = join(dir, "figure.ipynb");
    writeFileSync(executed, notebook([
      `import * as tr from "tlbrace";\nconsole.log(Object.keys(tr).length > 0 ? "tlbrace loaded" : "tlbrace is empty");`,
      `import { displayFigure } from "../../../dist/notebook/display.js";\nconst fig = ${figure};\ndisplayFigure(fig);`,
      `displayFigure({...fig, layout: {title: {text: "second"}}});`,
    ]));
    const o = execute(executed, ["--inplace"]);
    assert.ok(o.ok, failure(o));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const outputs = (): Output[][] =>
    (JSON.parse(readFileSync(executed, "utf8")).cells as { outputs: Output[] }[]).map((c) => c.outputs);

  test("imports the library as tlbrace", () => {
    assert.deepEqual(outputs()[0]!.map((o) => joined(o.text)), ["tlbrace loaded\n"]);
  });

  test("shows as one display bundle: text, offline HTML and Plotly JSON", () => {
    const shown = outputs()[1]!.filter((o) => o.output_type === "display_data");
    assert.equal(shown.length, 1);
    const data = shown[0]!.data!;
    assert.deepEqual(Object.keys(data).sort(), ["application/vnd.plotly.v1+json", "text/html", "text/plain"]);
    assert.match(joined(data["text/plain"]), /offline check/);
    assert.equal((data["application/vnd.plotly.v1+json"] as { data: unknown[] }).data.length, 1);
    const html = joined(data["text/html"]);
    assert.match(html, /plotly\.js [\d.]+, inlined for offline use/);
    assert.doesNotMatch(html, /<script[^>]+src=/, "loads a script from elsewhere");
  });

  test("inlines plotly.js once per page", () => {
    const second = outputs()[2]!.find((o) => o.output_type === "display_data")!;
    const html = joined(second.data!["text/html"]);
    assert.doesNotMatch(html, /inlined for offline use/);
    assert.ok(html.length < 10_000, `second figure carries ${html.length} bytes of HTML`);
  });

  test("an nbconvert HTML export draws both plots in a browser, offline", async () => {
    const r = python(["-m", "nbconvert", "--to", "html", "--output-dir", dir, executed]);
    assert.equal(r.status, 0, r.stderr);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      // Anything not in the file (CDN scripts of the template) fails at once.
      await page.route(/^https?:/, (route) => route.abort());
      await page.goto(`file://${join(dir, "figure.html")}`);
      await page.waitForFunction(() => document.querySelectorAll(".tlbrace-plot .main-svg").length >= 2,
        undefined, { timeout: 30_000 });
      const titles = await page.locator(".tlbrace-plot .gtitle").allTextContents();
      assert.deepEqual(titles, ["offline check", "second"]);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
