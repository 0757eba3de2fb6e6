/**
 * Explorer results as text for a mailing-list reply (ASCII, at most 72
 * columns): the verdicts, and each counterexample drawn as the seed draws
 * its interleaving, one column per vCPU, host events between them.
 */
import { ascii, textTable, WIDTH, wrap } from "../../text/format.js";
import { safeWording } from "../../text/wording.js";
import type { Params } from "../../model/params.js";
import { initialState, type State, type Value } from "../../model/protocol.js";
import type { ExploreResult } from "./index.js";
import { type ExploreOutcome, modelsOf, OUTCOMES } from "./models.js";
import { replay } from "./replay.js";
import type { TraceStep } from "./search.js";

/** Each outcome as a noun: "no interleaving reaches a race". */
const OUTCOME_NOUN: Readonly<Record<ExploreOutcome, string>> = { race: "race", corrupt: "corruption", torn: "torn read" };

/** What reaching each outcome means. */
export const OUTCOME_MEANING: Readonly<Record<ExploreOutcome, string>> = {
  race: "W reads P after P was freed (use-after-free)",
  corrupt: "W reads P after P was reused and overwritten",
  torn: "W accepts a PTE value the PTE never held",
};

const NUM = 3; // "12 "
const GAP = 2;
const COL_W = Math.floor((WIDTH - NUM - GAP) / 2);
const COL_U = WIDTH - NUM - GAP - COL_W;

const cellLines = (text: string, width: number) => wrap(ascii(text), width, "  ");

/** One step: its kernel name(s), and the branch taken where the step has several. */
function stepText(t: TraceStep, branch: boolean): string {
  return branch ? `${t.kernel} (${t.label})` : t.kernel;
}

/** A counterexample in two columns, vCPU W on the left, vCPU U on the right, host events across. */
export function timelineLines(steps: readonly TraceStep[], branches: ReadonlySet<string> = new Set()): string[] {
  const pad = (s: string, w: number) => s.padEnd(w);
  const lines = [
    `${" ".repeat(NUM)}${pad("vCPU W (walker)", COL_W)}${" ".repeat(GAP)}vCPU U (unmapper)`,
    `${" ".repeat(NUM)}${"-".repeat(COL_W)}${" ".repeat(GAP)}${"-".repeat(COL_U)}`,
  ];
  steps.forEach((t, i) => {
    const n = String(i + 1).padStart(NUM - 1) + " ";
    const text = stepText(t, branches.has(t.step));
    if (t.actor === "host") {
      const body = cellLines(`<host: ${text}>`, WIDTH - NUM);
      body.forEach((l, k) => lines.push(((k === 0 ? n : " ".repeat(NUM)) + l).trimEnd()));
      return;
    }
    const body = cellLines(text, t.actor === "W" ? COL_W : COL_U);
    body.forEach((l, k) => {
      const lead = k === 0 ? n : " ".repeat(NUM);
      lines.push((t.actor === "W" ? lead + l : lead + " ".repeat(COL_W + GAP) + l).trimEnd());
    });
  });
  return lines;
}

/** Steps with more than one branch (the batch allocation, B's low half): their label says which was taken. */
function branchingSteps(p: Params): Set<string> {
  return new Set(modelsOf(p).flatMap((m) => m.steps.filter((st) => st.effects.length > 1).map((st) => st.id)));
}

/** The counterexample of one outcome, or why there is none. */
export function counterexampleText(r: ExploreResult, o: ExploreOutcome): string {
  const v = r.outcomes[o];
  const head = `${o}: ${v.verdict}`;
  if (v.verdict === "SAFE")
    return wrap(`${o}: ${safeWording(r.maxPreemptions, OUTCOME_NOUN[o])}; ${v.states} states, ${v.transitions} transitions.`).join("\n");
  if (v.verdict === "UNKNOWN")
    return wrap(`${head}: the state limit (${r.maxStates}) stopped the search before an interleaving reached it.`).join("\n");
  const steps = v.counterexample!;
  return [
    ...wrap(`${head}: ${OUTCOME_MEANING[o]}. A shortest interleaving, ${steps.length} steps:`),
    "",
    ...timelineLines(steps, branchingSteps(r.params)),
    "",
    ...wrap(ending(r.params, o, steps)),
  ].join("\n");
}

const half = (h: Value | undefined, which: "low" | "high") => (h === "0" ? "0" : `${h}.${which}`);

/** What the last state of a counterexample shows, read by replaying it on the model. */
function ending(p: Params, o: ExploreOutcome, steps: readonly TraceStep[]): string {
  const model = modelsOf(p).find((m) => m.outcomes.includes(o))!;
  const states = replay(model.steps, initialState(model.model), steps);
  const end = states.at(-1)!;
  // The step (1-based) after which P is first in this state.
  const when = (page: string) => states.findIndex((x) => x.page === page);
  switch (o) {
    case "race":
      return `=> W reads P at step ${steps.length}; P was freed at step ${when("freed")}.`;
    case "corrupt":
      return `=> W reads P at step ${steps.length}; P was freed at step ${when("freed")} and reused at step ${when("reused")}: ` +
        "the walk takes the new owner's data for PTEs.";
    case "torn":
      return `=> W accepted (pte_low ${half(end.wLow, "low")}, pte_high ${half(end.wHigh, "high")}); ` +
        `the PTE held only A = (A.low, A.high), none = (0, 0) and B = (${half(end.bLow, "low")}, B.high).`;
  }
}

/** The verdict table with the search's size, then every counterexample. */
export function exploreText(r: ExploreResult, title?: string): string {
  const rows = OUTCOMES.map((o) => {
    const v = r.outcomes[o];
    return [o, v.verdict, v.counterexample ? v.counterexample.length : "", v.states, v.transitions];
  });
  const out = [
    ...(title ? wrap(ascii(`${r.scenario}: ${title}`)) : [r.scenario]),
    ...wrap(`explore: every interleaving, at most ${r.maxPreemptions} preemptions of W; ` +
      `${r.states} states, ${r.transitions} transitions in ${r.seconds.toFixed(2)} s`),
    "",
    textTable(["outcome", "verdict", "steps", "states", "transitions"], rows),
  ];
  if (!r.complete)
    out.push("", ...wrap(`The state limit (${r.maxStates}) stopped the search: the figures are partial, ` +
      "and an outcome not reached yet is UNKNOWN. Raise it with --max-states (maxStates)."));
  for (const o of OUTCOMES) if (r.outcomes[o].verdict === "UNSAFE") out.push("", counterexampleText(r, o));
  return out.join("\n");
}
