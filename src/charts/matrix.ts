/**
 * The verdict matrix as a figure: table-freeing modes across, flush
 * mechanisms down, each cell coloured by the explorer's verdict on the race
 * and labelled with the Monte Carlo pRace, its 95% interval and the exact
 * pRace. Colour says whether a race is possible at all; the numbers say how
 * likely it is with the matrix's parameters.
 */
import { isRareRow, type MatrixRow, type RareMatrixRow, type Verdict } from "../analysis/matrix.js";
import { fmtInterval, fmtP } from "../text/format.js";
import { fmtCount, fmtRelError, rareValueCell } from "../text/wording.js";
import type { Figure, JsonObject } from "./figure.js";

/** Blue for safe, red for unsafe (told apart without colour vision too), grey for no verdict. */
export const VERDICT_COLOURS: Readonly<Record<Verdict, string>> = {
  SAFE: "#4575b4",
  UNKNOWN: "#e6e6e6",
  UNSAFE: "#d73027",
};
const ORDER: readonly Verdict[] = ["SAFE", "UNKNOWN", "UNSAFE"];
/** Text on each colour that stays readable. */
const INK: Readonly<Record<Verdict, string>> = { SAFE: "#ffffff", UNKNOWN: "#222222", UNSAFE: "#ffffff" };

export interface MatrixChartOptions {
  readonly title?: string;
}

/**
 * The three engines' answers for one cell: verdict, Monte Carlo pRace and
 * its interval (or, with no race seen, its bound: "[0, x]" would read as a
 * value of 0), exact pRace.
 */
export function cellLabel(r: MatrixRow): string[] {
  if (isRareRow(r)) return rareCellLabel(r);
  return [
    r.race + (r.steps === null ? "" : ` (${r.steps} steps)`),
    r.races === 0 ? `MC: no race in ${fmtCount(r.episodes)}` : `MC ${fmtP(r.pRace)}`,
    r.races === 0 ? `pRace < ${fmtP(r.pRaceHi)} (95%)` : fmtInterval([r.pRaceLo, r.pRaceHi]),
    r.exactPRace === null ? "exact: n/a" : `exact ${fmtP(r.exactPRace)}`,
  ];
}

/** A rare-event cell: verdict, the value by its method, its interval, and whether it is to be quoted. */
function rareCellLabel(r: RareMatrixRow): string[] {
  const head = r.race + (r.steps === null ? "" : ` (${r.steps} steps)`);
  if (r.method === "explorer") return [head, "pRace 0", "exhaustive search"];
  if (r.method === "exact") return [head, `pRace ${fmtP(r.pRace)}`, "exact solver"];
  return [
    head,
    `pRace ${rareValueCell(r)}`,
    r.races === 0 ? "none reached (pilot bound)" : `${fmtInterval([r.pRaceLo, r.pRaceHi])}`,
    `importance${r.relativeError === null ? "" : `, ${fmtRelError(r.relativeError)}`}${r.reliable ? "" : ", NOT RELIABLE"}`,
  ];
}

export function matrixChart(rows: readonly MatrixRow[], options: MatrixChartOptions = {}): Figure {
  const flushes = [...new Set(rows.map((r) => r.flush))];
  const frees = [...new Set(rows.map((r) => r.tableFree))];
  const at = (f: string, t: string) => rows.find((r) => r.flush === f && r.tableFree === t);
  // Plotly's z is row-major with rows along y: z[i][j] is (x_j, y_i).
  const cells = flushes.map((f) => frees.map((t) => at(f, t)));
  const z = cells.map((row) => row.map((r) => (r ? ORDER.indexOf(r.race) : null)));
  const text = cells.map((row) => row.map((r) => (r ? cellLabel(r).join("<br>") : "")));
  const hover = cells.map((row) => row.map((r) => (r ? hoverText(r) : "")));
  // Each verdict owns a third of the scale, so a cell's colour is its verdict alone.
  const colorscale = ORDER.flatMap((v, i) => [[i / 3, VERDICT_COLOURS[v]], [(i + 1) / 3, VERDICT_COLOURS[v]]]);
  const trace: JsonObject = {
    type: "heatmap",
    x: frees,
    y: flushes,
    z,
    zmin: -0.5,
    zmax: 2.5,
    colorscale,
    xgap: 3,
    ygap: 3,
    customdata: hover,
    hovertemplate: "%{customdata}<extra></extra>",
    colorbar: { title: { text: "race" }, tickvals: [0, 1, 2], ticktext: [...ORDER] },
  };
  // Labels as annotations: heatmap text has one colour for all cells, and each verdict needs its own ink.
  const annotations: JsonObject[] = cells.flatMap((row, i) => row.flatMap((r, j) => (r ? [{
    x: frees[j]!, y: flushes[i]!, text: text[i]![j]!, showarrow: false,
    font: { size: 10, color: INK[r.race] },
  }] : [])));
  return {
    data: [trace],
    layout: {
      title: { text: options.title ?? "Race verdict: flush (rows) x tableFree (columns)" },
      xaxis: { side: "top", type: "category" },
      yaxis: { autorange: "reversed", type: "category" },
      annotations,
      margin: { t: 100, r: 20, b: 20, l: 90 },
    },
  };
}

function hoverText(r: MatrixRow): string {
  return [
    `flush ${r.flush}, tableFree ${r.tableFree}`,
    `explorer: race ${r.race}, corrupt ${r.corrupt} (${r.states} states)`,
    isRareRow(r)
      ? `rare-event path (${r.method}): pRace ${rareValueCell(r)} ${fmtInterval([r.pRaceLo, r.pRaceHi])}${r.reliable ? "" : `; NOT RELIABLE: ${r.problems}`}`
      : `Monte Carlo: ${r.races} races in ${r.episodes} episodes, pRace ${fmtP(r.pRace)} ${fmtInterval([r.pRaceLo, r.pRaceHi])}`,
    r.exactPRace === null ? "exact: does not apply" : `exact pRace ${fmtP(r.exactPRace)}`,
    ...(r.disagreement ? [`DISAGREE: ${r.disagreement}`] : []),
  ].join("<br>");
}
