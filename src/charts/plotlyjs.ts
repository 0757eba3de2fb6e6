/**
 * plotly.js as text, from the installed plotly.js-cartesian-dist-min: the
 * official bundle of the 2D trace types, a third of the full library, so
 * reports and notebooks carry it inline and draw without a network. Every
 * chart tlbrace draws uses only the types in PLOTLY_TRACE_TYPES.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { InputError } from "../model/errors.js";
import { scriptSafe } from "../text/html.js";
import type { Figure } from "./figure.js";

const nodeRequire = createRequire(import.meta.url);
const PACKAGE = "plotly.js-cartesian-dist-min";

/** The trace types of the bundle (its README and `Plotly.PlotSchema`; a test checks both). */
export const PLOTLY_TRACE_TYPES: readonly string[] = [
  "bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
  "image", "pie", "scatter", "scatterternary", "violin",
];

let cached: { version: string; js: string } | undefined;
let packed: string | undefined;

/** The library's version and source, safe to place inside a <script>. */
export function plotlyJs(): { version: string; js: string } {
  cached ??= {
    version: (nodeRequire(`${PACKAGE}/package.json`) as { version: string }).version,
    js: scriptSafe(readFileSync(nodeRequire.resolve(PACKAGE), "utf8")),
  };
  return cached;
}

/**
 * The source gzipped and base64-encoded: a third of the text's size, for
 * pages that carry the library more than they need to read it (notebooks).
 * Level 9 and no file name or time in the header, so the same bundle always
 * packs to the same text and re-executed notebooks stay byte-identical.
 */
export function plotlyJsGzipBase64(): string {
  packed ??= gzipSync(plotlyJs().js, { level: 9 }).toString("base64");
  return packed;
}

/**
 * Refuses a figure with a trace type the bundle does not hold (it would draw
 * as an empty frame), naming the trace and the types there are.
 */
export function checkTraceTypes(figure: Pick<Figure, "data">): void {
  figure.data.forEach((trace, i) => {
    const type = (trace as { type?: unknown }).type ?? "scatter";
    if (typeof type !== "string" || !PLOTLY_TRACE_TYPES.includes(type))
      throw new InputError(`figure.data[${i}].type`, type, `a trace type of the plotly.js bundle: ${PLOTLY_TRACE_TYPES.join(", ")}`);
  });
}
