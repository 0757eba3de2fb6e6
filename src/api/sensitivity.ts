/** pRace's elasticities as the notebook sees them: a table, and the tornado chart. */
import { inspect } from "node:util";
import * as aq from "arquero";
import type { SensitivityData } from "../engines/exact/sensitivity.js";
import { tornado, type TornadoOptions } from "../charts/tornado.js";
import { sensitivityText } from "../report/exact.js";
import { Chart } from "./chart.js";
import { type Showable, showableTable, showBundle, type Table, tableHtml } from "./show.js";

export class Sensitivity implements Showable {
  readonly data: SensitivityData;
  constructor(data: SensitivityData) {
    this.data = data;
  }
  get rows() { return this.data.rows; }
  get pRace() { return this.data.pRace; }

  /** One row per parameter: θ, the elasticity, and pRace at θ / factor and θ × factor. */
  table(): Table & Showable {
    return showableTable(aq.from(this.data.rows.map((r) => ({
      param: r.param, value: r.value, unit: r.unit, elasticity: r.elasticity,
      low: r.low, pRaceLow: r.pRaceLow, high: r.high, pRaceHigh: r.pRaceHigh, note: r.note,
    }))), 20);
  }

  /** The tornado chart of these rows. */
  tornado(options?: TornadoOptions): Chart {
    return new Chart(tornado(this.data, options), `tornado chart of pRace for ${this.data.scenario}`);
  }

  text(): string {
    return sensitivityText(this.data) + "\n.table() or .show() for the table, .tornado() to draw";
  }

  show(): void {
    showBundle(this.text(), tableHtml(this.table()));
  }

  /** The table as plain text for a mailing-list reply. */
  reply(): string {
    return sensitivityText(this.data) + "\n";
  }

  toJSON(): SensitivityData { return this.data; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}
