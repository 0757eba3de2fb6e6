/** A Monte Carlo result as the notebook sees it. */
import { inspect } from "node:util";
import * as aq from "arquero";
import type { Manifest } from "../engines/manifest.js";
import { COSTS, type CostName, type RunData } from "../engines/montecarlo/run.js";
import type { Scenario } from "../model/scenario.js";
import { escapeHtml } from "../text/html.js";
import { fmtNumber, fmtUs, textTable } from "../text/format.js";
import { fmtEstimate } from "../text/wording.js";
import { type Showable, showableTable, showBundle, type Table, tableHtml } from "./show.js";

const COST_LABEL: Record<CostName, [string, string]> = {
  unmapLatencyUs: ["unmap latency", "µs"],
  freeDelayUs: ["free delay", "µs"],
  ipis: ["IPIs to W", "count"],
  waitUs: ["U waiting on W", "µs"],
};

export class Run implements Showable {
  readonly scenario: Scenario;
  readonly data: RunData;
  constructor(scenario: Scenario, data: RunData) {
    this.scenario = scenario;
    this.data = data;
  }
  get pRace() { return this.data.pRace; }
  get ci95() { return this.data.ci95; }
  get races() { return this.data.races; }
  get episodes() { return this.data.episodes; }
  get manifest(): Manifest { return this.data.manifest; }

  /**
   * pRace as a sentence can quote it: "pRace 0.231 [0.230, 0.232] (115,405
   * races in 500,000 episodes)", or "no race in 500,000 episodes: pRace <
   * 7.38e-6 (95%)" when none was seen.
   */
  estimate(): string {
    const d = this.data;
    return fmtEstimate("pRace", d.races, d.episodes, d.pRace, d.ci95);
  }

  /** Each outcome in the words of estimate(): race, corruption, and the torn read where the PTE is read in halves. */
  outcomes(): string[] {
    const d = this.data;
    return [
      this.estimate(),
      fmtEstimate("pCorrupt", d.corrupts, d.episodes, d.pCorrupt, d.corruptCi95, "corruption"),
      ...(d.torns === undefined ? [] : [fmtEstimate("pTorn", d.torns, d.episodes, d.pTorn!, d.tornCi95!, "torn read")]),
    ];
  }

  /** One row per measure: the race and corruption probabilities with intervals, then each cost. */
  summary(): Table & Showable {
    const d = this.data;
    const rows = [
      { measure: "pRace", unit: "", mean: d.pRace, p50: null, p90: null, p99: null, max: null, lo95: d.ci95[0], hi95: d.ci95[1] },
      { measure: "pCorrupt", unit: "", mean: d.pCorrupt, p50: null, p90: null, p99: null, max: null, lo95: d.corruptCi95[0], hi95: d.corruptCi95[1] },
      ...(d.torns === undefined ? [] : [{ measure: "pTorn", unit: "", mean: d.pTorn!, p50: null, p90: null, p99: null, max: null, lo95: d.tornCi95![0], hi95: d.tornCi95![1] }]),
      ...COSTS.map((c) => ({ measure: COST_LABEL[c][0], unit: COST_LABEL[c][1], ...d.costs[c], lo95: null, hi95: null })),
    ];
    return showableTable(aq.from(rows));
  }

  text(): string {
    const d = this.data;
    const costRows = COSTS.map((c) => {
      const s = d.costs[c];
      const f = COST_LABEL[c][1] === "µs" ? fmtUs : fmtNumber;
      return [COST_LABEL[c][0], f(s.mean), f(s.p50), f(s.p99)];
    });
    return [
      `${this.scenario.name}: ${this.scenario.title}`,
      ...this.outcomes(),
      textTable(["cost", "mean", "p50", "p99"], costRows),
      `montecarlo, seed ${d.manifest.seed}, model v${d.manifest.modelVersion}; .summary() or .show() for tables`,
    ].join("\n");
  }

  show(): void {
    showBundle(this.text(), this.html());
  }

  /** What show() displays: the outcomes as sentences, then the costs. */
  html(): string {
    // The outcomes as sentences (a 0 in a table column reads as "cannot happen"), then the costs.
    const costs = aq.from(COSTS.map((c) => ({ cost: COST_LABEL[c][0], unit: COST_LABEL[c][1], ...this.data.costs[c] })));
    return `<p><b>${escapeHtml(this.scenario.name)}</b>: ${escapeHtml(this.scenario.title)}</p>` +
      `<ul>${this.outcomes().map((o) => `<li>${escapeHtml(o)}</li>`).join("")}</ul>${tableHtml(costs)}`;
  }

  toJSON(): RunData { return this.data; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}

