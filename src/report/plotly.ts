/**
 * The Plotly library as text, from the installed plotly.js-dist-min, so a
 * report can carry it inline and open without a network.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

let source: string | undefined;

export function plotlySource(): string {
  source ??= readFileSync(createRequire(import.meta.url).resolve("plotly.js-dist-min"), "utf8")
    // Inside <script>, only "</script" can end it early; the library has none today.
    .replace(/<\/script/gi, "<\\/script");
  return source;
}
