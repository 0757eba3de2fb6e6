/** A scenario as the notebook sees it: the plain scenario plus chainable helpers. */
import { inspect } from "node:util";
import { type AxisValue, type Grid, grid } from "../analysis/grid.js";
import { formatParams, PARAM_SPECS, type Params } from "../model/params.js";
import { type Scenario, withParams } from "../model/scenario.js";
import type { Measured } from "../model/measured.js";
import { measuredLines } from "../report/measured.js";
import { fmtNumber, textTable } from "../text/format.js";
import { escapeHtml } from "../text/html.js";
import { htmlTable } from "../report/table.js";
import { type Showable, showBundle } from "./show.js";
import { protocolDoc } from "../model/protocol.js";
import type { ModelName } from "../model/state.js";
import { ProtocolView } from "./protocol.js";

export class ScenarioView implements Scenario, Showable {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly kernel: readonly string[];
  readonly params: Params;
  readonly preset?: string;
  readonly measured?: Measured;
  constructor(s: Scenario) {
    this.name = s.name;
    this.title = s.title;
    this.summary = s.summary;
    this.kernel = s.kernel;
    this.params = s.params;
    if (s.preset !== undefined) this.preset = s.preset;
    if (s.measured !== undefined) this.measured = s.measured;
  }
  /** The same scenario with some parameters changed (validated); the title says what changed unless given. */
  with(overrides: Readonly<Record<string, unknown>>, name?: string, title?: string): ScenarioView {
    return new ScenarioView(withParams(this, overrides, name, title));
  }
  /** A grid over this scenario: `s.vary({memoryPressure: tr.range(0, 1, 21)})`. */
  vary(axes: Readonly<Record<string, readonly AxisValue[]>>): Grid {
    return grid(this, axes);
  }
  /** The protocol this scenario runs for `model`: its own (tr.protocol), or the built-in one its flush and tableFree name. */
  protocol(model: ModelName = "table-free"): ProtocolView {
    return new ProtocolView(protocolDoc(this.params, model));
  }
  text(): string {
    const p = formatParams(this.params);
    const rows = PARAM_SPECS.map((s) => [s.name, typeof p[s.name] === "number" ? fmtNumber(p[s.name] as number) : String(p[s.name]), s.unit.replace("µ", "u"), this.measured?.params[s.name] ? "measured" : ""]);
    return [`${this.name}: ${this.title}`, textTable(["parameter", "value", "unit", ""], rows), ...measuredLines(this.measured)].join("\n");
  }
  /** The title, the summary and the parameters with their units and meanings. */
  html(): string {
    const p = formatParams(this.params);
    const rows = PARAM_SPECS.map((s) => ({ parameter: s.name, value: p[s.name], unit: s.unit, meaning: s.doc }));
    return `<p><b>${escapeHtml(this.name)}</b>: ${escapeHtml(this.title)}</p><p>${escapeHtml(this.summary)}</p>${htmlTable(rows)}`;
  }
  show(): void { showBundle(this.text(), this.html()); }
  toJSON(): Scenario {
    return { name: this.name, title: this.title, summary: this.summary, kernel: this.kernel, params: this.params,
      ...(this.preset ? { preset: this.preset } : {}), ...(this.measured ? { measured: this.measured } : {}) };
  }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}
