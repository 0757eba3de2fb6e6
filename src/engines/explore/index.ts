/**
 * The exhaustive explorer: every interleaving of the model's steps, time
 * ignored, with a bound on the host's preemptions of W. Each outcome gets a
 * verdict: SAFE (no interleaving reaches it), UNSAFE with a shortest
 * counterexample, or UNKNOWN when the state limit stopped the search first.
 */
import { InputError } from "../../model/errors.js";
import { oneWalkerOnly, type Params } from "../../model/params.js";
import { initialState } from "../../model/protocol.js";
import type { Scenario } from "../../model/scenario.js";
import { type Manifest, manifest } from "../manifest.js";
import { type ExploreOutcome, holds, modelsOf, OUTCOMES } from "./models.js";
import { moves } from "./moves.js";
import { search, type TraceStep } from "./search.js";

export { OUTCOMES, type ExploreOutcome } from "./models.js";
export type { TraceStep } from "./search.js";
export { counterexampleText, exploreText } from "./text.js";

export const EXPLORE_DEFAULTS = { maxPreemptions: 2, maxStates: 1_000_000 } as const;
/** More preemptions than this only repeat the same interleavings with more host steps. */
export const MAX_PREEMPTIONS = 100;
/** Every discovered state stays in memory (for the counterexample path); this keeps a search within ~1 GB. */
export const MAX_STATES = 10_000_000;

export interface ExploreOptions {
  /** How many times the host may preempt W (default 2). */
  readonly maxPreemptions?: number;
  /** Stop a model's search after this many distinct states (default 1e6). */
  readonly maxStates?: number;
}

/** UNKNOWN only when the state limit stopped the search before a verdict. */
export interface OutcomeVerdict {
  readonly verdict: "SAFE" | "UNSAFE" | "UNKNOWN";
  readonly counterexample?: readonly TraceStep[];
  /** The search of the model this outcome belongs to. */
  readonly states: number;
  readonly transitions: number;
}

export interface ExploreResult {
  readonly scenario: string;
  readonly params: Params;
  readonly maxPreemptions: number;
  readonly maxStates: number;
  /** Over every model searched. */
  readonly states: number;
  readonly transitions: number;
  readonly complete: boolean;
  readonly seconds: number;
  readonly outcomes: Readonly<Record<ExploreOutcome, OutcomeVerdict>>;
  readonly manifest: Manifest;
}

const wholeIn = (x: unknown, lo: number, hi: number): x is number => typeof x === "number" && Number.isInteger(x) && x >= lo && x <= hi;

/** Validates the options before any search. */
export function checkExploreOptions(o: unknown): Required<ExploreOptions> {
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new InputError("options", o, "{maxPreemptions?, maxStates?}");
  const { maxPreemptions = EXPLORE_DEFAULTS.maxPreemptions, maxStates = EXPLORE_DEFAULTS.maxStates, ...rest } = o as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new InputError("option", unknown, "maxPreemptions or maxStates");
  if (!wholeIn(maxPreemptions, 0, MAX_PREEMPTIONS))
    throw new InputError("maxPreemptions", maxPreemptions, `a whole number from 0 to ${MAX_PREEMPTIONS}`);
  if (!wholeIn(maxStates, 1, MAX_STATES))
    throw new InputError("maxStates", maxStates, `a whole number from 1 to ${MAX_STATES} (1e7)`);
  return { maxPreemptions, maxStates };
}

export function explore(s: Scenario, opts: ExploreOptions = {}): ExploreResult {
  const { maxPreemptions, maxStates } = checkExploreOptions(opts);
  oneWalkerOnly(s.params, "the explorer");
  const t0 = performance.now();
  const outcomes = {} as Record<ExploreOutcome, OutcomeVerdict>;
  let states = 0, transitions = 0, complete = true;
  for (const model of modelsOf(s.params)) {
    const r = search({
      moves: moves(model.steps, s.params, maxPreemptions),
      start: initialState(model.model),
      model: model.model,
      outcomes: new Map(model.outcomes.map((o) => [o, holds(o)])),
      maxPreemptions,
      maxStates,
    });
    states += r.states;
    transitions += r.transitions;
    complete &&= r.complete;
    for (const o of model.outcomes) {
      const path = r.found.get(o);
      const size = { states: r.states, transitions: r.transitions };
      outcomes[o] = path ? { verdict: "UNSAFE", counterexample: path, ...size } : { verdict: r.complete ? "SAFE" : "UNKNOWN", ...size };
    }
  }
  const ordered = Object.fromEntries(OUTCOMES.map((o) => [o, outcomes[o]])) as Record<ExploreOutcome, OutcomeVerdict>;
  return {
    scenario: s.name, params: s.params, maxPreemptions, maxStates, states, transitions, complete,
    seconds: (performance.now() - t0) / 1000,
    outcomes: ordered,
    manifest: manifest({ engine: "explore", scenario: s.name, preset: s.preset, params: s.params, measured: s.measured, seed: 0, episodes: 0, stream: [],
      options: { maxPreemptions, maxStates } }),
  };
}
