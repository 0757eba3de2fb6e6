/** An exact (CTMC) result as the notebook sees it. */
import { inspect } from "node:util";
import * as aq from "arquero";
import type { ExactResult } from "../engines/exact/index.js";
import { sensitivity, type SensitivityOptions } from "../engines/exact/sensitivity.js";
import type { Manifest } from "../engines/manifest.js";
import type { Scenario } from "../model/scenario.js";
import { approximationWarning, exactReply } from "../report/exact.js";
import { fmtNumber, fmtP, fmtUs, textTable, wrap } from "../text/format.js";
import { escapeHtml } from "../text/html.js";
import { Sensitivity } from "./sensitivity.js";
import { type Showable, showableTable, showBundle, type Table, tableHtml } from "./show.js";

const COSTS = [
  ["unmapLatencyUs", "unmap latency", "µs"],
  ["freeDelayUs", "free delay", "µs"],
  ["ipis", "IPIs to W", "count"],
  ["waitUs", "U waiting on W", "µs"],
] as const;

export class Exact implements Showable {
  readonly scenario: Scenario;
  readonly data: ExactResult;
  constructor(scenario: Scenario, data: ExactResult) {
    this.scenario = scenario;
    this.data = data;
  }
  get pRace() { return this.data.pRace; }
  get pCorrupt() { return this.data.pCorrupt; }
  get costs() { return this.data.costs; }
  get states() { return this.data.states; }
  get residual() { return this.data.residual; }
  get manifest(): Manifest { return this.data.manifest; }

  /** One row per measure: the two probabilities, then each expected cost. */
  summary(): Table & Showable {
    const d = this.data;
    return showableTable(aq.from([
      { measure: "pRace", unit: "", exact: d.pRace },
      { measure: "pCorrupt", unit: "", exact: d.pCorrupt },
      ...(d.pTorn === undefined ? [] : [{ measure: "pTorn", unit: "", exact: d.pTorn }]),
      ...COSTS.map(([k, label, unit]) => ({ measure: `${label} (mean)`, unit, exact: d.costs[k] })),
    ]));
  }

  /** Elasticities of pRace for each numeric parameter, by further exact solves; `.tornado()` draws them. */
  sensitivity(opts: Omit<SensitivityOptions, "approximate"> = {}): Sensitivity {
    return new Sensitivity(sensitivity(this.scenario, { ...opts, approximate: this.data.approximated.length > 0 }));
  }

  text(): string {
    const d = this.data;
    return [
      ...wrap(`${this.scenario.name}: ${this.scenario.title}`, 72, "  "),
      `pRace    ${fmtP(d.pRace)}  (exact, per overlapping unmap)`,
      `pCorrupt ${fmtP(d.pCorrupt)}`,
      ...(d.pTorn === undefined ? [] : [`pTorn    ${fmtP(d.pTorn)}  (the PTE model's chain, ${d.tornChain!.states} states)`]),
      textTable(["expected cost", "mean"], COSTS.map(([k, label, unit]) => [label, unit === "µs" ? fmtUs(d.costs[k]) : fmtNumber(d.costs[k])])),
      ...approximations(d),
      ...approximationWarning(this.scenario, d),
      `exact CTMC: ${d.states} states, ${d.transitions} transitions, residual ${d.residual.toExponential(1)}`,
      ".summary() or .show() for a table; .sensitivity() for elasticities",
    ].join("\n");
  }

  show(): void {
    const d = this.data;
    const notes = approximations(d).map((l) => `<p>${escapeHtml(l)}</p>`).join("");
    showBundle(this.text(),
      `<p><b>${escapeHtml(this.scenario.name)}</b>: ${escapeHtml(this.scenario.title)}</p>${tableHtml(this.summary())}${notes}` +
      `<p>exact CTMC: ${d.states} states, ${d.transitions} transitions, residual ${escapeHtml(d.residual.toExponential(1))}</p>`);
  }

  /** Plain text for a mailing-list reply: parameters, outcomes, expected costs, the command that solves it again. */
  reply(): string {
    return exactReply(this.scenario, this.data);
  }

  toJSON(): ExactResult { return this.data; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}

function approximations(d: ExactResult): string[] {
  return d.approximated.flatMap((a) => wrap(`approximated: ${a.param} ${a.given} solved as ${a.used} (same mean)`));
}
