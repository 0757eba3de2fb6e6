/**
 * A report as one self-contained HTML file: text, Plotly figures, tables and
 * manifests. Plotly is inlined once, so the file opens offline, from a mail
 * attachment or an artifact store, and shows the same thing a year later.
 */
import type { Figure } from "../charts/figure.js";
import { escapeHtml, paragraphs, scriptJson } from "../text/html.js";
import { plotlyJs } from "../charts/plotlyjs.js";
import { htmlTable, type TableRow } from "./table.js";

export interface ReportSection {
  readonly heading: string;
  /** Plain text; blank lines separate paragraphs. */
  readonly text?: string;
  readonly figures?: readonly Figure[];
  readonly table?: readonly TableRow[];
  /** Preformatted text, shown as it is (a reply, a timeline). */
  readonly pre?: string;
}

export interface ReportInput {
  readonly title: string;
  readonly intro?: string;
  readonly sections: readonly ReportSection[];
  /** Whatever re-runs the report's numbers; shown as JSON at the end. */
  readonly manifest?: unknown;
}

/** Modebar without the Plotly logo link; the figure follows the page width. */
const PLOT_CONFIG = { displaylogo: false, responsive: true };

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; }
.figure { width: 100%; height: 480px; margin: 1rem 0; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }
th, td { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th { background: #f4f4f4; }
pre { background: #f8f8f8; padding: 0.75rem; overflow-x: auto; font-size: 0.8rem; }
`;

export function reportHtml(input: ReportInput): string {
  let figureCount = 0;
  const sections = input.sections.map((s) => {
    const parts = [`<section>`, `<h2>${escapeHtml(s.heading)}</h2>`];
    if (s.text) parts.push(paragraphs(s.text));
    for (const figure of s.figures ?? []) parts.push(figureHtml(`figure-${++figureCount}`, figure));
    if (s.table) parts.push(htmlTable(s.table));
    if (s.pre !== undefined) parts.push(`<pre>${escapeHtml(s.pre)}</pre>`);
    parts.push(`</section>`);
    return parts.join("\n");
  });
  const manifest = input.manifest === undefined ? "" :
    `<details>\n<summary>Manifest: what re-runs these numbers</summary>\n<pre>${escapeHtml(JSON.stringify(input.manifest, null, 2))}</pre>\n</details>`;
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    // Before any figure: each figure's script calls Plotly as it is parsed.
    figureCount > 0 ? `<script>${plotlyJs().js}</script>` : "",
    "</head>",
    "<body>",
    `<h1>${escapeHtml(input.title)}</h1>`,
    input.intro ? paragraphs(input.intro) : "",
    ...sections,
    manifest,
    "</body>",
    "</html>",
  ].filter((line) => line !== "").join("\n") + "\n";
}

function figureHtml(id: string, figure: Figure): string {
  return [
    `<div class="figure" id="${id}"></div>`,
    `<script>Plotly.newPlot(${scriptJson(id)}, ${scriptJson(figure.data)}, ${scriptJson(figure.layout)}, ${scriptJson(PLOT_CONFIG)});</script>`,
  ].join("\n");
}
