/**
 * A saved result (a run or a sweep) as a report page: its reply text, its
 * chart, its table and its manifest.
 */
import type { Rerun } from "../analysis/rerun.js";
import type { RunData } from "../engines/montecarlo/run.js";
import type { RareData } from "../engines/rare/estimate.js";
import type { Scenario } from "../model/scenario.js";
import { heatmap } from "../charts/heatmap.js";
import { lineChart } from "../charts/line.js";
import type { ReportInput, ReportSection } from "./html.js";
import { exactReply } from "./exact.js";
import { exploreReply } from "./explore.js";
import { runReply, sweepReply } from "./reply.js";
import { rareReply } from "./rare.js";

export function replyOf(r: Rerun): string {
  switch (r.kind) {
    case "run": return runReply(r.scenario, r.data);
    case "sweep": return sweepReply(r.scenario, r.data);
    case "exact": return exactReply(r.scenario, r.data);
    case "explore": return exploreReply(r.scenario.title, r.data);
    case "rare": return rareReply(r.scenario, r.data);
  }
}

function section(r: Rerun): ReportSection {
  const heading = `${r.kind} of ${r.scenario.name}: ${r.scenario.title}`;
  if (r.kind !== "sweep") return { heading, text: r.scenario.summary, pre: replyOf(r) };
  const [x, y] = r.data.axes;
  const figures = r.data.axes.length === 2
    ? [heatmap(r.data, { x: x!.name, y: y!.name, title: `pRace: ${r.scenario.name}` })]
    : r.data.axes.length === 1 && typeof x!.values[0] === "number" ? [lineChart(r.data, { x: x!.name })] : [];
  return { heading, text: r.scenario.summary, figures, pre: replyOf(r), table: r.data.rows };
}

export function resultReport(results: readonly Rerun[], title?: string): ReportInput {
  return {
    title: title ?? `tlbrace: ${results.map((r) => `${r.kind} of ${r.scenario.name}`).join(", ")}`,
    sections: results.map(section),
    manifest: results.length === 1 ? results[0]!.data.manifest : results.map((r) => r.data.manifest),
  };
}

/**
 * A rare-event estimate as JSON: the run contract (scenario, params,
 * episodes, races, pRace, ci95, costs, seed, manifest) and how it was
 * estimated: `method`, `relativeError`, `reliable` and the diagnostics.
 */
export function rareJson(scenario: Scenario, d: RareData) {
  return {
    scenario: scenario.name,
    title: scenario.title,
    params: d.manifest.params,
    episodes: d.episodes,
    races: d.races,
    pRace: d.pRace,
    ci95: d.ci95,
    method: d.method,
    relativeError: d.relativeError,
    reliable: d.reliable,
    diagnostics: d.diagnostics,
    race: d.race,
    pCorrupt: d.pCorrupt,
    corruptCi95: d.corruptCi95,
    corrupt: d.corrupt,
    ...(d.torn ? { pTorn: d.torn.pTorn, tornCi95: d.torn.ci95, torn: d.torn } : {}),
    costs: d.costs,
    pilot: d.pilot,
    seed: d.manifest.seed,
    manifest: d.manifest,
  };
}

/** A run as JSON: what `tlbrace run --json` prints and `tr.save(run, "x.json")` writes; `tlbrace rerun` reads it back. */
export function runJson(scenario: Scenario, r: RunData) {
  return {
    scenario: scenario.name,
    title: scenario.title,
    params: r.manifest.params,
    episodes: r.episodes,
    races: r.races,
    pRace: r.pRace,
    ci95: r.ci95,
    corrupts: r.corrupts,
    pCorrupt: r.pCorrupt,
    corruptCi95: r.corruptCi95,
    // Only where the scenario reads the PTE in halves; JSON leaves them out otherwise.
    torns: r.torns,
    pTorn: r.pTorn,
    tornCi95: r.tornCi95,
    costs: r.costs,
    seed: r.manifest.seed,
    manifest: r.manifest,
  };
}
