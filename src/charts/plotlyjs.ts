/**
 * plotly.js as text, from the installed plotly.js-dist-min, so reports and
 * notebooks carry it inline and draw without a network.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { scriptSafe } from "../text/html.js";

const nodeRequire = createRequire(import.meta.url);
let cached: { version: string; js: string } | undefined;

/** The library's version and source, safe to place inside a <script>. */
export function plotlyJs(): { version: string; js: string } {
  cached ??= {
    version: (nodeRequire("plotly.js-dist-min/package.json") as { version: string }).version,
    js: scriptSafe(readFileSync(nodeRequire.resolve("plotly.js-dist-min"), "utf8")),
  };
  return cached;
}
