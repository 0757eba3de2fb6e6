/**
 * The kernel timeline as a figure: kernel versions across, places
 * (architecture and hypervisor) down; each cell coloured by the explorer's
 * verdict on the race for the preset that applies there and labelled with
 * the preset and its pRace at the preset's load; grey where no preset
 * applies. A cell covers the versions from its own up to the next column's.
 */
import type { TimelineCell, TimelineData } from "../analysis/kernel-timeline.js";
import { fmtP } from "../text/format.js";
import type { Figure, JsonObject } from "./figure.js";
import { VERDICT_COLOURS } from "./matrix.js";

const NONE = "#f0f0f0";
const ORDER = ["none", "SAFE", "UNSAFE"] as const;
const COLOURS = [NONE, VERDICT_COLOURS.SAFE, VERDICT_COLOURS.UNSAFE];
const INK = ["#555555", "#ffffff", "#ffffff"];

const level = (c: TimelineCell) => (c.verdict === "SAFE" ? 1 : c.verdict === "UNSAFE" ? 2 : 0);

/** The cell's label: the preset, SAFE or UNSAFE with its pRace; "none" where no preset applies. */
export function timelineLabel(c: TimelineCell): string {
  if (!c.preset) return "none";
  const p = c.outcome === "torn" ? "pTorn" : "pRace";
  return c.verdict === "UNSAFE" ? `${c.preset}<br>UNSAFE${c.outcome === "torn" ? " (torn)" : ""}<br>${p} ${fmtP(c.pRace ?? 0)}`
    : `${c.preset}<br>${c.verdict ?? "?"}`;
}

export function kernelTimelineChart(t: TimelineData, title?: string): Figure {
  const at = (r: string, v: string) => t.cells.find((c) => c.row === r && c.version === v)!;
  const grid = t.rows.map((r) => t.versions.map((v) => at(r, v)));
  const colorscale = ORDER.flatMap((_, i) => [[i / 3, COLOURS[i]!], [(i + 1) / 3, COLOURS[i]!]]);
  const hover = grid.map((row) => row.map((c) => [
    `${c.row}, Linux ${c.version}`,
    c.preset ? `preset ${c.preset}: ${c.outcome} ${c.verdict} (explorer); ${c.outcome === "torn" ? "pTorn" : "pRace"} ${fmtP(c.pRace ?? 0)} (${c.pRaceBy})`
      : (c.why ?? "no preset"),
    ...(c.conditional.length ? [`also, under a condition: ${c.conditional.join(", ")}`] : []),
  ].join("<br>")));
  const trace: JsonObject = {
    type: "heatmap", x: [...t.versions], y: [...t.rows], z: grid.map((row) => row.map(level)), zmin: -0.5, zmax: 2.5, colorscale,
    xgap: 3, ygap: 3, customdata: hover, hovertemplate: "%{customdata}<extra></extra>",
    colorbar: { title: { text: "race" }, tickvals: [0, 1, 2], ticktext: ["no preset", "SAFE", "UNSAFE"] },
  };
  // By index: on a category axis Plotly reads a number-like string such as "6.1" as a position, not a category.
  const annotations: JsonObject[] = grid.flatMap((row, i) => row.map((c, j) => ({
    x: j, y: i, text: timelineLabel(c), showarrow: false, font: { size: 9, color: INK[level(c)]! },
  })));
  return {
    data: [trace],
    layout: {
      title: { text: title ?? "Which preset each kernel is, and its race verdict (pRace at the preset's load)<br>" +
        "<sub>kernel version across: a column lasts until the next</sub>" },
      xaxis: { side: "top", type: "category" },
      yaxis: { autorange: "reversed", type: "category" },
      annotations, height: 120 + 70 * t.rows.length, width: Math.max(900, 95 * t.versions.length + 220),
      margin: { t: 110, r: 20, b: 20, l: 190 },
    },
  };
}
