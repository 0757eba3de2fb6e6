/** A measured profile as the notebook sees it: text, a rich table, its samples and their histograms. */
import { inspect } from "node:util";
import * as aq from "arquero";
import { samplesChart, type SamplesChartOptions } from "../charts/samples.js";
import type { Profile } from "../formats/profile.js";
import type { LoadedProfile } from "../measure/apply.js";
import { profileSamples, profileText } from "../measure/summary.js";
import { InputError } from "../model/errors.js";
import { machineLine } from "../model/measured.js";
import { DEFAULTS, DELAY_PARAMS, type DelayParam, formatParams, PARAM_SPECS } from "../model/params.js";
import { fmtNumber } from "../text/format.js";
import { escapeHtml } from "../text/html.js";
import { Chart } from "./chart.js";
import { type Showable, showableTable, showBundle, type Table, tableHtml } from "./show.js";

export class MachineProfile implements Showable {
  readonly profile: Profile;
  /** profile.json, as it was named. */
  readonly path: string;
  #samples?: ReturnType<typeof profileSamples>;
  constructor(loaded: LoadedProfile) {
    this.profile = loaded.profile;
    this.path = loaded.path;
  }
  get machine() { return this.profile.machine; }
  get params() { return this.profile.params; }
  /** The preset whose flush and table free are this machine's, or null. */
  get preset(): string | null { return this.profile.machine.preset; }
  /** The machine's row of notebook 04's kernel timeline, or null (a profile written before rows were recorded has none). */
  get row(): string | null { return this.profile.machine.row ?? null; }

  /** The delays with samples: measured ones, and bounds (walkUs from user space). */
  delays(): DelayParam[] {
    const s = this.#all();
    return DELAY_PARAMS.filter((n) => s[n]);
  }

  /** The samples behind a delay (µs, sorted): its measured value or, where it was not measured, its bound. */
  samples(name: string): number[] {
    const s = this.#all()[name as DelayParam];
    if (!s) throw new InputError("delay", name, `one with samples in this profile: ${this.delays().join(", ") || "none"}`);
    return s.samples;
  }

  /** A histogram of a delay's samples against the model's default for it. */
  histogram(name: string, options: Omit<SamplesChartOptions, "name" | "against"> = {}): Chart {
    const samples = this.samples(name);
    const bound = this.#all()[name as DelayParam]!.bound;
    const title = `${name}${bound ? " (an upper bound, not used)" : ""}: ${samples.length} samples on ${this.machine.kernel}`;
    const figure = samplesChart(samples, { name, against: DEFAULTS[name as DelayParam], title, ...options });
    return new Chart(figure, `histogram of ${name} against its default`);
  }

  /** One row per parameter: measured or not, n, the value or the reason. */
  table(): Table & Showable {
    const defaults = formatParams(DEFAULTS);
    const rows = PARAM_SPECS.map(({ name }) => {
      const e = this.params[name];
      return {
        parameter: name,
        measured: e?.measured ?? false,
        n: e?.measured ? e.n : null,
        value: e?.measured ? (typeof e.value === "number" ? fmtNumber(e.value) : String(e.value)) : null,
        default: String(defaults[name]),
        how: e ? (e.measured ? e.method : e.why) : "not in this profile",
      };
    });
    return showableTable(aq.from(rows));
  }

  text(): string {
    return profileText(this.profile, this.path);
  }

  show(): void {
    const m = this.machine;
    const choice = (label: string, c: Profile["machine"]["flush"]) =>
      `<li><b>${label}</b>: ${escapeHtml(c.value ?? "open")}${c.kernel ? ` (the kernel: ${escapeHtml(c.kernel)})` : ""}` +
      ` <small>${escapeHtml([...c.evidence, ...(c.why ? [c.why] : [])].join("; "))}</small></li>`;
    showBundle(this.text(),
      `<p><b>${escapeHtml(machineLine(m))}</b>; window ${this.profile.window.seconds.toFixed(1)} s` +
      `${this.profile.window.interrupted ? " (interrupted)" : ""}; ${escapeHtml(this.path)}</p>` +
      `<ul>${choice("flush", m.flush)}${choice("tableFree", m.tableFree)}${choice("pteRead", m.pteRead)}` +
      `<li><b>preset</b>: ${escapeHtml(m.preset ?? "none")}</li>` +
      `${m.row ? `<li><b>kernel timeline row</b>: ${escapeHtml(m.row)}</li>` : ""}</ul>${tableHtml(this.table())}`);
  }

  toJSON(): Profile { return this.profile; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }

  #all() {
    return (this.#samples ??= profileSamples(this.profile, this.path));
  }
}
