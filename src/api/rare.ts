/** A rare-event estimate as the notebook sees it. */
import { inspect } from "node:util";
import * as aq from "arquero";
import type { Manifest } from "../engines/manifest.js";
import type { RareData } from "../engines/rare/estimate.js";
import type { Scenario } from "../model/scenario.js";
import { rareHeadline, rareReply, reliabilityLines, tornLines } from "../report/rare.js";
import { fmtP, wrap } from "../text/format.js";
import { escapeHtml } from "../text/html.js";
import { type Showable, showableTable, showBundle, type Table, tableHtml } from "./show.js";

export class Rare implements Showable {
  readonly scenario: Scenario;
  readonly data: RareData;
  constructor(scenario: Scenario, data: RareData) {
    this.scenario = scenario;
    this.data = data;
  }
  get pRace() { return this.data.pRace; }
  /** The torn PTE read's probability, where the PTE is read in halves. */
  get pTorn() { return this.data.torn?.pTorn; }
  get ci95() { return this.data.ci95; }
  get relativeError() { return this.data.relativeError; }
  get reliable() { return this.data.reliable; }
  get races() { return this.data.races; }
  get episodes() { return this.data.episodes; }
  get method() { return this.data.method; }
  get manifest(): Manifest { return this.data.manifest; }

  /** One row per outcome: estimate, interval, relative error, racing episodes and their effective number. */
  summary(): Table & Showable {
    const d = this.data;
    const row = (measure: string, e: RareData["race"], ci: readonly [number, number]) =>
      ({ measure, p: e.p, lo95: ci[0], hi95: ci[1], relativeError: e.relativeError, hits: e.hits, ess: e.ess, episodes: e.episodes });
    return showableTable(aq.from([row("pRace", d.race, d.ci95), row("pCorrupt", d.corrupt, d.corruptCi95)]));
  }

  text(): string {
    const d = this.data;
    return [
      ...wrap(`${this.scenario.name}: ${this.scenario.title}`, 72, "  "),
      ...wrap(rareHeadline(d)),
      `pCorrupt ${fmtP(d.pCorrupt)}`,
      ...reliabilityLines(d),
      ...(d.torn ? tornLines(d.torn) : []),
      `rare, seed ${d.manifest.seed}, model v${d.manifest.modelVersion}; .summary(), .show(), .reply()`,
    ].join("\n");
  }

  show(): void {
    const d = this.data;
    const verdict = reliabilityLines(d).map((l) => escapeHtml(l)).join("<br>");
    showBundle(this.text(),
      `<p><b>${escapeHtml(this.scenario.name)}</b>: ${escapeHtml(this.scenario.title)}</p>` +
      `<p>${escapeHtml(rareHeadline(d))}</p>${tableHtml(this.summary())}` +
      `<p>${escapeHtml(d.method)}</p><p${d.reliable ? "" : ' style="color:#b00"'}>${verdict}</p>`);
  }

  /** Plain text for a mailing-list reply. */
  reply(): string {
    return rareReply(this.scenario, this.data);
  }

  toJSON(): RareData { return this.data; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}
