/**
 * Several sweeps side by side as one figure: the same column over the same
 * two axes, one panel per sweep, on ONE colour scale with one colour bar, so
 * a colour means the same probability in every panel and the eye compares
 * what it should. The range is the decades of all panels' values (or the
 * `zRange` given); zero cells are grey in every panel.
 */
import type { SweepData } from "../analysis/sweep.js";
import { InputError } from "../model/errors.js";
import type { Figure, JsonObject, Trace } from "./figure.js";
import { checkHeatmapOptions, colourAxis, heatmapPanel, type HeatmapOptions, noteAnnotation, panelTraces, zeroNote } from "./heatmap.js";
import { axisLayout } from "./scale.js";
import { samplingText } from "./select.js";

export interface HeatmapsOptions extends Omit<HeatmapOptions, "title"> {
  readonly title?: string;
  /** One title per panel (default: each sweep's scenario and slice). */
  readonly titles?: readonly string[];
  /** Panels per row (default: all of them, up to 3). */
  readonly columns?: number;
}

const GAP = 0.06;

export function heatmaps(sweeps: readonly SweepData[], options: HeatmapsOptions): Figure {
  if (!Array.isArray(sweeps) || sweeps.length === 0) throw new InputError("sweeps", sweeps, "a list of one or more sweeps");
  checkHeatmapOptions(options);
  const n = sweeps.length;
  const columns = options.columns ?? Math.min(n, 3);
  if (!(Number.isInteger(columns) && columns >= 1 && columns <= n)) throw new InputError("columns", columns, `a whole number from 1 to ${n}`);
  if (options.titles !== undefined && !(Array.isArray(options.titles) && options.titles.length === n && options.titles.every((t) => typeof t === "string")))
    throw new InputError("titles", options.titles, `${n} strings, one per sweep`);
  const panels = sweeps.map((s) => heatmapPanel(s, options));
  const z = panels[0]!.z;
  const rows = Math.ceil(n / columns);
  const width = (1 - GAP * (columns - 1)) / columns;
  const height = (1 - 2 * GAP * (rows - 1)) / rows;

  const data: Trace[] = [];
  const coloured = !panels[0]!.probability || panels.some((p) => p.values.some((row) => row.some((v) => v > 0)));
  const layout: JsonObject = {
    ...(coloured ? { coloraxis: colourAxis(panels, options.zRange) } : {}),
    margin: { t: 90, r: 20, b: 60, l: 80 },
    height: 160 + 320 * rows,
  };
  const annotations: JsonObject[] = [];
  panels.forEach((p, i) => {
    const col = i % columns, row = Math.floor(i / columns);
    const k = i === 0 ? "" : String(i + 1);
    data.push(...panelTraces(p, `x${k}`, `y${k}`, !coloured && i === 0));
    const x0 = col * (width + GAP), y1 = 1 - row * (height + 2 * GAP);
    layout[`xaxis${k}`] = { ...axisLayout(p.xAxis), domain: [x0, x0 + width], anchor: `y${k}` };
    const yaxis = axisLayout(p.yAxis);
    // The y axis is named once per row of panels; its values show on every panel.
    if (col > 0) yaxis.title = { text: "" };
    layout[`yaxis${k}`] = { ...yaxis, domain: [y1 - height, y1], anchor: `x${k}` };
    annotations.push({
      text: options.titles?.[i] ?? `${p.sweep.manifest.scenario}${p.slice}`,
      xref: "paper", yref: "paper", x: x0 + width / 2, y: y1, xanchor: "center", yanchor: "bottom",
      showarrow: false, font: { size: 13 },
    });
  });
  const samplings = [...new Set(sweeps.map(samplingText))];
  layout.title = { text: options.title ?? `${z} on one colour scale; ${samplings.join("; ")}` };
  const note = zeroNote(panels);
  if (note) annotations.push({ ...noteAnnotation(note), y: 1.08 });
  layout.annotations = annotations;
  return { data, layout };
}
