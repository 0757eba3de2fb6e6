/**
 * A counterexample as a Plotly figure drawn like the seed's diagram: time
 * runs down, vCPU W on the left, vCPU U on the right, the host's events in
 * a lane between them. Each point is one step, labelled with the kernel
 * function it stands for; hovering shows the whole step.
 */
import type { TraceStep } from "../engines/explore/search.js";
import type { Figure, Trace } from "./figure.js";
import { LINE_COLOURS } from "./line.js";

const LANES = { W: "vCPU W (walker)", host: "host", U: "vCPU U (unmapper)" } as const;
const COLOURS = { W: LINE_COLOURS[0]!, host: LINE_COLOURS[7]!, U: LINE_COLOURS[1]! } as const;

/**
 * The step's first kernel name (up to the first ";" or " -> ") beside its
 * point, whole: wrapped at spaces, and a long identifier broken after an
 * underscore, into lines that fit the lane (never cut short).
 */
export function shortKernel(k: string, width = 26): string {
  const name = k.split(/;| -> /)[0]!.trim();
  const words = name.split(" ").flatMap((w) => (w.length <= width ? [w] : w.split(/(?<=_)/)));
  const lines: string[] = [];
  for (const w of words) {
    const last = lines.length ? lines[lines.length - 1]! : undefined;
    const glue = last !== undefined && !last.endsWith("_") ? " " : "";
    if (last !== undefined && (last + glue + w).length <= width) lines[lines.length - 1] = last + glue + w;
    else lines.push(w);
  }
  return lines.join("<br>");
}

export function timelineFigure(steps: readonly TraceStep[], title: string): Figure {
  const n = steps.map((_, i) => i + 1);
  const flow: Trace = {
    type: "scatter", mode: "lines", name: "order", showlegend: false, hoverinfo: "skip",
    x: steps.map((t) => LANES[t.actor]), y: n, line: { color: "#bbbbbb", width: 1, dash: "dot" },
  };
  const lanes: Trace[] = (["W", "host", "U"] as const).map((actor) => {
    const mine = steps.map((t, i) => ({ t, i })).filter(({ t }) => t.actor === actor);
    return {
      type: "scatter", mode: "markers+text", name: LANES[actor],
      x: mine.map(() => LANES[actor]), y: mine.map(({ i }) => i + 1),
      text: mine.map(({ t, i }) => `${i + 1}. ${shortKernel(t.kernel)}`),
      textposition: "middle right",
      hovertext: mine.map(({ t }) => `${t.kernel}<br>${t.label}`),
      hovertemplate: "%{hovertext}<extra></extra>",
      marker: { color: COLOURS[actor], size: 10 },
    };
  });
  return {
    data: [flow, ...lanes],
    layout: {
      title: { text: title },
      xaxis: { type: "category", categoryorder: "array", categoryarray: [LANES.W, LANES.host, LANES.U],
        range: [-0.2, 3.6], side: "top", showgrid: false },
      yaxis: { autorange: "reversed", title: { text: "step" }, dtick: 1, zeroline: false },
      height: 120 + 40 * steps.length,
      showlegend: false,
      margin: { t: 90, r: 20, b: 20, l: 50 },
    },
  };
}
