/** An explorer result as the notebook sees it: verdicts, counterexamples, their timelines. */
import { exploreReply } from "../report/explore.js";
import { ascii } from "../text/format.js";
import { rerunLines } from "../report/reply.js";
import { inspect } from "node:util";
import * as aq from "arquero";
import { timelineFigure } from "../charts/timeline.js";
import type { Manifest } from "../engines/manifest.js";
import { counterexampleText, type ExploreOutcome, type ExploreResult, exploreText, OUTCOMES, type TraceStep } from "../engines/explore/index.js";
import { InputError } from "../model/errors.js";
import type { Scenario } from "../model/scenario.js";
import { codeHtml, escapeHtml } from "../text/html.js";
import { NUMBER_CELL, TEXT_CELL } from "../report/table.js";
import { type Showable, showableTable, showBundle, showFigure, type Table, tableHtml } from "./show.js";

/** An outcome name from a notebook, checked. */
function outcome(o: unknown): ExploreOutcome {
  if (!OUTCOMES.includes(o as ExploreOutcome)) throw new InputError("outcome", o, `one of ${OUTCOMES.join(", ")}`);
  return o as ExploreOutcome;
}

export class Exploration implements Showable {
  readonly scenario: Scenario;
  readonly data: ExploreResult;
  constructor(scenario: Scenario, data: ExploreResult) {
    this.scenario = scenario;
    this.data = data;
  }
  get outcomes() { return this.data.outcomes; }
  get states() { return this.data.states; }
  get transitions() { return this.data.transitions; }
  get complete() { return this.data.complete; }
  get manifest(): Manifest { return this.data.manifest; }
  /** SAFE, UNSAFE or UNKNOWN for one outcome. */
  verdict(o: ExploreOutcome = "race") { return this.data.outcomes[outcome(o)].verdict; }

  /** The shortest counterexample of an outcome; by default of the first UNSAFE one (race, corrupt, torn). */
  counterexample(o?: ExploreOutcome): Counterexample | undefined {
    const which = o === undefined ? OUTCOMES.find((x) => this.data.outcomes[x].verdict === "UNSAFE") : outcome(o);
    if (which === undefined) return undefined;
    const steps = this.data.outcomes[which].counterexample;
    return steps ? new Counterexample(this.data, which, steps) : undefined;
  }

  /** One row per outcome: verdict, counterexample length, the size of its search. */
  table(): Table & Showable {
    return showableTable(aq.from(OUTCOMES.map((o) => {
      const v = this.data.outcomes[o];
      return { outcome: o, verdict: v.verdict, steps: v.counterexample?.length ?? null, states: v.states, transitions: v.transitions };
    })));
  }

  text(): string { return exploreText(this.data, this.scenario.title); }
  /** For a mailing-list reply: verdicts, counterexamples, and the command that explores it again. */
  reply(): string { return exploreReply(this.scenario.title, this.data); }

  show(): void {
    const d = this.data;
    const head = `<p><b>${escapeHtml(this.scenario.name)}</b>: ${escapeHtml(this.scenario.title)}</p>` +
      `<p>Every interleaving with at most ${d.maxPreemptions} preemptions of W: ${d.states} states, ` +
      `${d.transitions} transitions${d.complete ? "" : ` (stopped at the state limit of ${d.maxStates}: partial)`}.</p>`;
    const examples = OUTCOMES.map((o) => this.counterexample(o)).filter((c): c is Counterexample => c !== undefined);
    showBundle(this.text(), head + tableHtml(this.table()) + examples.map((c) => c.html()).join(""));
  }

  toJSON(): ExploreResult { return this.data; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}

/** A shortest interleaving that reaches an outcome. */
export class Counterexample implements Showable {
  readonly outcome: ExploreOutcome;
  readonly steps: readonly TraceStep[];
  private readonly result: ExploreResult;
  constructor(result: ExploreResult, outcome: ExploreOutcome, steps: readonly TraceStep[]) {
    this.result = result;
    this.outcome = outcome;
    this.steps = steps;
  }
  get length(): number { return this.steps.length; }

  /** The two-column diagram as text (what tslab prints), and a Plotly timeline from `.show()`. */
  timeline(): Timeline {
    return new Timeline(this.text(), timelineFigure(this.steps, `${this.outcome}: ${this.result.scenario}, ${this.steps.length} steps`));
  }

  /**
   * The two columns as an HTML table, host events across both: each actor's
   * steps flush left in its own column, the columns of equal width with a
   * rule between them, so W's steps and U's never run together.
   */
  html(): string {
    const W = `${TEXT_CELL};width:46%;padding-right:1.5em`, U = `${TEXT_CELL};width:46%;padding-left:1.5em;border-left:2px solid #bbb`;
    const rows = this.steps.map((t, i) => {
      const cell = `${codeHtml(t.kernel)}<br><small>${escapeHtml(t.label)}</small>`;
      const n = `<td style="${NUMBER_CELL}">${i + 1}</td>`;
      if (t.actor === "host") return `<tr>${n}<td colspan="2" style="text-align:center;font-style:italic">&lt;host: ${cell}&gt;</td></tr>`;
      return t.actor === "W" ? `<tr>${n}<td style="${W}">${cell}</td><td style="${U}"></td></tr>` : `<tr>${n}<td style="${W}"></td><td style="${U}">${cell}</td></tr>`;
    }).join("");
    return `<p><b>${escapeHtml(this.outcome)}</b>: a shortest interleaving, ${this.steps.length} steps</p>` +
      `<table style="width:100%;table-layout:fixed"><tr><th style="${NUMBER_CELL};width:3em">#</th><th style="${W}">vCPU W (walker)</th>` +
      `<th style="${U}">vCPU U (unmapper)</th></tr>${rows}</table>`;
  }

  text(): string { return counterexampleText(this.result, this.outcome); }
  /** For a mailing-list reply: the two-column interleaving and the command that finds it again. */
  reply(): string { return ascii([this.text(), "", ...rerunLines(this.result.manifest)].join("\n")) + "\n"; }
  show(): void { showBundle(this.text(), this.html()); }
  toJSON(): readonly TraceStep[] { return this.steps; }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}

/** A counterexample's timeline: the two-column text, drawn as a Plotly figure by `show()`. */
export class Timeline implements Showable {
  constructor(private readonly diagram: string, readonly figure: ReturnType<typeof timelineFigure>) {}
  text(): string { return this.diagram; }
  show(): void { showFigure(this.figure, this.diagram); }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}
