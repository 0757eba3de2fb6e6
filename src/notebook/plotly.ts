// Plotly figures as offline HTML and as notebook outputs.
//
// The HTML carries plotly.js itself (no CDN), once: only the first figure a
// kernel shows to a front end carries the library, and later figures use the
// window.Plotly it defined. That works wherever the outputs share one page
// and run in order: classic Notebook, JupyterLab, VS Code, and the page
// `jupyter nbconvert --to html` writes. The library travels gzipped (the
// cartesian bundle is 1.5 MB as text, 0.66 MB packed) and the browser
// unpacks it with DecompressionStream, so a notebook with a dozen charts
// stays well under 2 MB.
import { createHash } from "node:crypto";
import { plotlyJs, plotlyJsGzipBase64 } from "../charts/plotlyjs.js";
import { escapeHtml, scriptJson } from "../text/html.js";
import { displayBundle, frontendSession, type MimeBundle } from "./kernel.js";

/** A plain Plotly figure, as the chart builders return it. */
export interface PlotlyFigure {
  data: readonly object[];
  layout?: object;
  config?: object;
  frames?: readonly object[];
}

/** A static picture of the figure, for readers that run no JavaScript. */
export interface StaticImage {
  png?: Uint8Array | string;
  svg?: string;
}

export interface PlotlyHtmlOptions {
  /** Inline plotly.js before the figure (default true: the HTML stands alone). */
  includePlotlyJs?: boolean;
  /** Shown in place of the plot until plotly.js draws it (default: a note). */
  fallback?: StaticImage;
}

export interface FigureDisplayOptions {
  /** Text for terminals and diffs; default names the title and traces. */
  text?: string;
  /** Static image fallback: PNG and/or SVG. */
  image?: StaticImage;
  /** Force (true) or skip (false) inlining plotly.js; default once per page. */
  includePlotlyJs?: boolean;
}


/** The figure as plain JSON data: typed arrays become arrays. */
export function figureJson(figure: PlotlyFigure): PlotlyFigure {
  const text = JSON.stringify(figure, (_key, value: unknown) =>
    ArrayBuffer.isView(value) && !(value instanceof DataView)
      ? Array.from(value as unknown as ArrayLike<number>)
      : value,
  );
  return JSON.parse(text) as PlotlyFigure;
}

/**
 * The <script> defining window.Plotly: plotly.js unpacked from gzip and run
 * as a script, with `module`, `exports` and `define` hidden, so the UMD
 * wrapper always sets the global even where a page has a CommonJS shim or
 * require.js (classic Notebook). The MathJaxConfig setting stops plotly.js
 * reconfiguring the notebook's MathJax. A browser without DecompressionStream
 * (older than 2023) keeps the static pictures and says why.
 */
export function plotlyScript(): string {
  const { version } = plotlyJs();
  return (
    `<script type="text/javascript">/* plotly.js ${version}, inlined for offline use (cartesian bundle; gzip, base64) */\n` +
    `(function () {\n` +
    `if (window.Plotly || window.tlbracePlotly) return;\n` +
    `window.tlbracePlotly = "loading";\n` +
    `if (!window.DecompressionStream) { window.tlbracePlotly = "this browser cannot unpack plotly.js (no DecompressionStream)"; return; }\n` +
    `var packed = "${plotlyJsGzipBase64()}";\n` +
    `var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });\n` +
    `new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).text().then(function (js) {\n` +
    `  window.PlotlyConfig = window.PlotlyConfig || {MathJaxConfig: "local"};\n` +
    `  var s = document.createElement("script");\n` +
    `  s.text = "(function (module, exports, define) {\\n" + js + "\\n}).call(window);";\n` +
    `  document.head.appendChild(s);\n` +
    `  window.tlbracePlotly = window.Plotly ? "ready" : "plotly.js did not load";\n` +
    `}, function (e) { window.tlbracePlotly = "cannot unpack plotly.js: " + e; });\n` +
    `})();\n</script>\n`
  );
}

/**
 * What the plot's place shows until plotly.js draws: the static image if
 * there is one, else a note. It stays when scripts do not run (a saved
 * notebook opened untrusted, a sanitising viewer).
 */
function placeholder(figure: PlotlyFigure, image: StaticImage | undefined): string {
  if (image?.png !== undefined) {
    const b64 = typeof image.png === "string" ? image.png : Buffer.from(image.png).toString("base64");
    return `<img alt="${escapeHtml(figureText(figure))}" style="max-width:100%" src="data:image/png;base64,${b64}">`;
  }
  if (image?.svg !== undefined) return image.svg;
  return (
    `<pre style="color:#777">${escapeHtml(figureText(figure))}\n` +
    `(interactive plot: run the cell, or trust the notebook, to draw it)</pre>`
  );
}

/**
 * Draws into the first not-yet-claimed div with this figure's key. A key
 * rather than an id: ids would collide with outputs left on the page by an
 * earlier kernel session, and a content key keeps re-executed notebooks
 * byte-identical. If plotly.js is not there yet (its output not rendered),
 * retry for a while, then say what is missing.
 */
function drawScript(key: string, figure: PlotlyFigure): string {
  return `<script type="text/javascript">
(function () {
  var el = document.querySelector('div[data-tlbrace-plot="${key}"]:not([data-claimed])');
  if (!el) return;
  el.setAttribute("data-claimed", "");
  var fig = ${scriptJson(figure)};
  var config = Object.assign({responsive: true, displaylogo: false}, fig.config || {});
  var tries = 0;
  function draw() {
    if (!window.Plotly) {
      var why = window.tlbracePlotly;
      if ((why === undefined || why === "loading") && tries++ < 300) { setTimeout(draw, 100); return; }
      el.insertAdjacentText("beforeend", why && why !== "loading" ? why :
        "plotly.js is not loaded on this page: restart the kernel and run the notebook again");
      return;
    }
    el.innerHTML = "";
    window.Plotly.newPlot(el, fig.data, fig.layout || {}, config).then(function () {
      if (fig.frames) window.Plotly.addFrames(el, fig.frames);
    });
  }
  draw();
})();
</script>
`;
}

/** HTML that draws `figure` offline; see PlotlyHtmlOptions. */
export function plotlyHtml(figure: PlotlyFigure, options: PlotlyHtmlOptions = {}): string {
  const fig = figureJson(figure);
  const json = JSON.stringify(fig);
  const key = createHash("sha256").update(json).digest("hex").slice(0, 16);
  const head = options.includePlotlyJs === false ? "" : plotlyScript();
  return (
    head +
    `<div class="tlbrace-plot" data-tlbrace-plot="${key}" style="width:100%">` +
    `${placeholder(fig, options.fallback)}</div>\n` +
    drawScript(key, fig)
  );
}

/** One line naming the figure, for text/plain. */
export function figureText(figure: PlotlyFigure): string {
  const layout = (figure.layout ?? {}) as { title?: string | { text?: string } };
  const title = typeof layout.title === "string" ? layout.title : layout.title?.text;
  const counts = new Map<string, number>();
  for (const trace of figure.data) {
    const type = (trace as { type?: string }).type ?? "scatter";
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  const traces = [...counts].map(([type, n]) => (n > 1 ? `${n} ${type}` : type)).join(", ");
  return `<Plotly figure${title ? ` "${title}"` : ""}: ${traces || "no traces"}>`;
}

/** Every representation of a figure: text, HTML, Plotly JSON, images. */
export function figureBundle(figure: PlotlyFigure, options: FigureDisplayOptions = {}): MimeBundle {
  const fig = figureJson(figure);
  const image = options.image;
  return {
    "text/plain": options.text ?? figureText(fig),
    "text/html": plotlyHtml(fig, { includePlotlyJs: options.includePlotlyJs ?? true, fallback: image }),
    "application/vnd.plotly.v1+json": fig,
    "image/png": image?.png,
    "image/svg+xml": image?.svg,
  };
}

// Front ends (by session id) whose page already holds plotly.js. A page
// reloaded onto a running kernel is a new session and gets it again.
const plotlyJsSessions = new Set<string>();
// Sent from the cell that loaded the library, whose session is unknown;
// credited to the next session seen, almost always the same page.
let plotlyJsSentUnattributed = false;

function pageHasPlotlyJs(): boolean {
  const session = frontendSession();
  if (session === undefined) return plotlyJsSentUnattributed;
  if (plotlyJsSentUnattributed) {
    plotlyJsSessions.add(session);
    plotlyJsSentUnattributed = false;
  }
  return plotlyJsSessions.has(session);
}

function notePlotlyJsSent(): void {
  const session = frontendSession();
  if (session === undefined) plotlyJsSentUnattributed = true;
  else plotlyJsSessions.add(session);
}

/**
 * Shows a figure as one notebook output (live Plotly, with its JSON for
 * front ends that render it natively, and the static fallbacks given).
 * Returns false outside a kernel.
 */
export function displayFigure(figure: PlotlyFigure, options: FigureDisplayOptions = {}): boolean {
  const includePlotlyJs = options.includePlotlyJs ?? !pageHasPlotlyJs();
  const shown = displayBundle(figureBundle(figure, { ...options, includePlotlyJs }));
  if (shown && includePlotlyJs) notePlotlyJsSent();
  return shown;
}
