/**
 * tr.save(x, path): a result, table or figure to a file, in the format the
 * extension names. Figures become pictures (.png, .svg) drawn by headless
 * Chromium, or a page (.html) that draws them offline; results become JSON
 * with their manifest (re-runnable with tr.rerun / tlbrace rerun), CSV,
 * Arrow, reply text (.txt) or a report page (.html).
 */
import { extname } from "node:path";
import { tableToIPC } from "@uwdata/flechette";
import * as aq from "arquero";
import { checkWritable, writeOutput } from "../analysis/output-file.js";
import { sweepToArrow, sweepToJson } from "../analysis/shards.js";
import type { Figure } from "../charts/figure.js";
import { checkImageOptions, type ImageOptions, renderFigure } from "../charts/image.js";
import { checkTraceTypes } from "../charts/plotlyjs.js";
import { inKernel } from "../notebook/display.js";
import { renderKept } from "../notebook/static-image.js";
import { InputError } from "../model/errors.js";
import { reportHtml } from "../report/html.js";
import { rareJson, resultReport, runJson } from "../report/result.js";
import { sweepCsv } from "../text/csv.js";
import { Chart } from "./chart.js";
import { Reply, replyText } from "./reply.js";
import { Run } from "./run.js";
import { Rare } from "./rare.js";
import type { Table } from "./show.js";
import { Sweep } from "./sweep.js";

const isFigure = (x: unknown): x is Figure => !!x && typeof x === "object" && Array.isArray((x as Figure).data) && "layout" in x;
const isTable = (x: unknown): x is Table => !!x && typeof x === "object" && "columnNames" in x && "toCSV" in x;

const FORMS: Record<string, string> = {
  figure: ".png, .svg or .html",
  run: ".json, .csv, .txt or .html",
  "rare-event estimate": ".json, .csv, .txt or .html",
  sweep: ".json, .csv, .arrow, .txt or .html",
  table: ".csv, .json or .arrow",
  reply: ".txt",
};

export interface SaveOptions {
  /** Picture size in CSS pixels (default: the figure's, else 800 x 500). */
  readonly width?: number;
  readonly height?: number;
  /** Device pixels per CSS pixel for PNG (default 1). */
  readonly scale?: number;
}

/**
 * In a kernel, the page the kernel keeps draws the picture (the first one
 * starts it); elsewhere a browser of its own, closed after, so that a script
 * or the CLI ends when its work does.
 */
async function picture(figure: Figure, options: ImageOptions): Promise<Uint8Array | string> {
  checkImageOptions(options);
  checkTraceTypes(figure);
  return inKernel() ? renderKept(figure, options) : renderFigure(figure, options);
}

/** Writes `x` to `path`; returns the path. */
export async function save(x: unknown, path: string, options: SaveOptions = {}): Promise<string> {
  if (typeof path !== "string" || path === "") throw new InputError("path", path, "a file name");
  const ext = extname(path).toLowerCase();
  const fail = (kind: string): never => { throw new InputError("path", path, `for a ${kind}, a file name ending in ${FORMS[kind]}`); };
  checkWritable(path, "path");
  let content: string | Uint8Array;
  if (x instanceof Chart || isFigure(x)) {
    const figure = x instanceof Chart ? x.figure : x;
    if (ext === ".png" || ext === ".svg") content = await picture(figure, { format: ext === ".png" ? "png" : "svg", ...options });
    else if (ext === ".html") content = reportHtml({ title: x instanceof Chart ? x.description : "tlbrace figure", sections: [{ heading: "", figures: [figure] }] });
    else return fail("figure");
  } else if (x instanceof Run) {
    if (ext === ".json") content = JSON.stringify(runJson(x.scenario, x.data), null, 2) + "\n";
    else if (ext === ".csv") content = x.summary().toCSV();
    else if (ext === ".txt") content = replyText(x);
    else if (ext === ".html") content = reportHtml(resultReport([{ kind: "run", scenario: x.scenario, data: x.data }]));
    else return fail("run");
  } else if (x instanceof Rare) {
    if (ext === ".json") content = JSON.stringify(rareJson(x.scenario, x.data), null, 2) + "\n";
    else if (ext === ".csv") content = x.summary().toCSV();
    else if (ext === ".txt") content = replyText(x);
    else if (ext === ".html") content = reportHtml(resultReport([{ kind: "rare", scenario: x.scenario, data: x.data }]));
    else return fail("rare-event estimate");
  } else if (x instanceof Sweep) {
    if (ext === ".json") content = sweepToJson(x.data);
    else if (ext === ".csv") content = sweepCsv(x.data);
    else if (ext === ".arrow") content = sweepToArrow(x.data);
    else if (ext === ".txt") content = replyText(x);
    else if (ext === ".html") content = reportHtml(resultReport([{ kind: "sweep", scenario: x.scenario, data: x.data }]));
    else return fail("sweep");
  } else if (isTable(x)) {
    if (ext === ".csv") content = x.toCSV();
    else if (ext === ".json") content = JSON.stringify(x.objects(), null, 2) + "\n";
    else if (ext === ".arrow") content = tableToIPC(aq.toArrow(x), { format: "file" })!;
    else return fail("table");
  } else if (x instanceof Reply || x && typeof x === "object" && typeof (x as { reply?: unknown }).reply === "function") {
    if (ext !== ".txt") fail("reply");
    content = replyText(x);
  } else {
    throw new InputError("save", x === null ? null : typeof x, "a result (tr.run, tr.sweep), a table, a chart or a Plotly figure");
  }
  writeOutput(path, content, "path");
  return path;
}
