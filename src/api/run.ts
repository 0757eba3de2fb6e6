/** A Monte Carlo result as the notebook sees it. */
import { inspect } from "node:util";
import * as aq from "arquero";
import type { Manifest } from "../engines/manifest.js";
import { COSTS, type CostName, type RunData } from "../engines/montecarlo/run.js";
import type { Scenario } from "../model/scenario.js";
import { escapeHtml } from "../text/html.js";
import { fmtEstimate, fmtInterval, fmtNumber, fmtP, fmtUs, textTable } from "../text/format.js";
import { type Showable, showableTable, showBundle, type Table, tableHtml } from "./show.js";

const COST_LABEL: Record<CostName, [string, string]> = {
  unmapLatencyUs: ["unmap latency", "us"],
  freeDelayUs: ["free delay", "us"],
  ipis: ["IPIs to W", "count"],
  waitUs: ["U waiting on W", "us"],
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
   * pRace as a sentence can quote it: "pRace 0.231 [0.230, 0.232] (115405 races
   * in 500000)", or "0 races in 500000; pRace < 7.38e-6 at 95%" when none was seen.
   */
  estimate(): string {
    const d = this.data;
    return fmtEstimate("pRace", d.races, d.episodes, d.pRace, d.ci95);
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
      const f = COST_LABEL[c][1] === "us" ? fmtUs : fmtNumber;
      return [COST_LABEL[c][0], f(s.mean), f(s.p50), f(s.p99)];
    });
    return [
      `${this.scenario.name}: ${this.scenario.title}`,
      `pRace    ${fmtP(d.pRace)} ${fmtInterval(d.ci95)}  (${d.races} races in ${d.episodes} episodes)`,
      `pCorrupt ${fmtP(d.pCorrupt)} ${fmtInterval(d.corruptCi95)}`,
      ...(d.torns === undefined ? [] : [`pTorn    ${fmtP(d.pTorn!)} ${fmtInterval(d.tornCi95!)}  (${d.torns} torn PTE reads)`]),
      textTable(["cost", "mean", "p50", "p99"], costRows),
      `montecarlo, seed ${d.manifest.seed}, model v${d.manifest.modelVersion}; .summary() or .show() for tables`,
    ].join("\n");
  }

  show(): void {
    const s = this.summary();
    showBundle(this.text(), `<p><b>${escapeHtml(this.scenario.name)}</b>: ${escapeHtml(this.scenario.title)}</p>${tableHtml(s)}`);
  }

  toJSON(): RunData { return this.data; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}

