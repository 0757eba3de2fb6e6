/** A sweep's result as the notebook sees it. */
import { inspect } from "node:util";
import * as aq from "arquero";
import type { SweepData, SweepRow } from "../analysis/sweep.js";
import type { Scenario } from "../model/scenario.js";
import { fmtP, wrap } from "../text/format.js";
import { escapeHtml } from "../text/html.js";
import { fmtCount, pValueCell, sweepRange } from "../text/wording.js";
import { type Showable, showableTable, showBundle, type Table, tableHtml } from "./show.js";

export class Sweep implements Showable {
  readonly scenario: Scenario;
  readonly data: SweepData;
  constructor(scenario: Scenario, data: SweepData) {
    this.scenario = scenario;
    this.data = data;
  }
  get rows(): readonly SweepRow[] { return this.data.rows; }
  get axes() { return this.data.axes; }
  get manifest() { return this.data.manifest; }

  /** One row per cell: the axis values, counts, pRace with its 95% interval, and cost summaries. */
  table(): Table & Showable {
    return showableTable(aq.from(this.data.rows as SweepRow[]));
  }

  text(): string {
    const rows = this.data.rows;
    const axes = this.data.axes.map((a) => `${a.name} (${a.values.length})`).join(" x ");
    if (this.data.manifest.engine === "rare") {
      const ps = rows.map((r) => r.pRace);
      const count = (m: string) => rows.filter((r) => r.method === m).length;
      return [
        ...wrap(`rare sweep of ${this.scenario.name}: ${axes} = ${rows.length} cells, each to ${100 * (this.data.manifest.options?.relError ?? 0.1)}% relative error`),
        `pRace from ${fmtP(Math.min(...ps))} to ${fmtP(Math.max(...ps))}`,
        ...wrap(`${count("importance")} cells by importance sampling, ${count("exact")} exact, ${count("explorer")} 0 by exhaustive search; ` +
          `${rows.filter((r) => !(r as { reliable?: unknown }).reliable).length} not reliable`),
        `seed ${this.data.manifest.seed}; .table() for the table, tr.heatmap(...) to draw`,
      ].join("\n");
    }
    return [
      ...wrap(`sweep of ${this.scenario.name}: ${axes} = ${rows.length} cells, ${fmtCount(this.data.manifest.episodes)} episodes each`),
      ...wrap(sweepRange(rows)),
      `seed ${this.data.manifest.seed}; .table() for the table, tr.heatmap(...) to draw`,
    ].join("\n");
  }

  show(): void {
    showBundle(this.text(), this.html());
  }

  /** What show() displays: the range in words, then the table. */
  html(): string {
    // A cell that saw no race shows its bound, "< 1.84e-6", not a pRace of 0.
    const rows = this.data.rows.map((r) => (r.races === 0 ? { ...r, pRace: pValueCell(0, 0, [0, r.pRaceHi]) } : r));
    return `<p>${escapeHtml(sweepRange(this.data.rows))}</p>${tableHtml(aq.from(rows))}`;
  }

  toJSON(): SweepData { return this.data; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}
