/**
 * What every model of the race is made of, as the engines read it: a state
 * of named variables, steps with guards, delays and weighted effects, the
 * phases of W's window an unmap can fall in, when an episode is over, and
 * the conditions its costs are timed by. Models are written as protocol
 * files (data/protocols/, the format of src/protocol/) and built into this
 * shape; the few names below are the primitives the engines themselves
 * read, in MODEL.md's words.
 */
import type { DelayParam, Params } from "./params.js";

export type Value = string | number | boolean;
/** A state: every variable of the model by name. */
export type State = Record<string, Value>;

/** Primitives every model declares: W's program counter, whether W's vCPU runs, the host's preemption count, U's program counter. */
export const PRIMITIVES = {
  /** W's program counter; the unmap instant puts W in `walking` (PMD read, P's address held). */
  w: "string",
  /** false while the host has W scheduled out (steal time holds KVM_VCPU_PREEMPTED): W's own steps wait. */
  wRunning: "boolean",
  /** Host preemptions of W so far: the explorer bounds it; no guard may read it. */
  preemptions: "count",
  /** U's program counter. */
  u: "string",
} as const;
/** Outcomes the engines count when a model declares them (booleans), and the cost in IPIs (a number). */
export const OUTCOME_VARIABLES = ["race", "corrupt", "torn"] as const;
export const IPIS = "ipis";

/** A state variable: its values (absent for a count such as `preemptions`) and its value at the start. */
export interface Variable {
  readonly name: string;
  readonly values?: readonly Value[];
  readonly initial: Value;
}

export type Actor = "W" | "U" | "host";

/** How long a step takes once enabled: a delay parameter, or an exponential rate per ms. */
export type Delay = { readonly param: DelayParam } | { readonly rate: "preemptRate" };

/** One outcome of a step; a step with several is a probabilistic branch. */
export interface Effect {
  readonly label: string;
  /** Probability of this branch; absent means 1. Branch weights of a step sum to 1. */
  readonly weight?: (p: Params) => number;
  readonly apply: (s: State) => void;
}

export interface Step {
  readonly id: string;
  readonly actor: Actor;
  /** The kernel function(s) this step stands for. */
  readonly kernel: string;
  /** The guard, apart from `onCpu`. */
  readonly enabled: (s: State) => boolean;
  /**
   * The step is W's execution (or the host preempting it): it happens only while
   * W's vCPU runs, and its delay counts W's on-CPU time, paused while preempted.
   */
  readonly onCpu?: true;
  /** Absent: the step happens at once when enabled, before time moves. */
  readonly delay?: Delay;
  readonly effects: readonly Effect[];
}

/**
 * A part of W's IRQs-off window after the PMD read: the unmap instant falls in
 * it with probability proportional to the mean of its step's delay (entry.ts).
 */
export interface WindowPhase {
  /** The id of W's on-CPU step that ends the phase; its delay is W's work in the phase. */
  readonly step: string;
  /** W's state in the phase, written over the unmap instant's start state; absent: W is `walking`. */
  readonly enter?: (s: State) => void;
}

/** Which of a scenario's models: the page-table-free protocol (race, corrupt, costs) or the PTE model (torn). */
export type ModelName = "table-free" | "pte";

/** A model as the engines read it. */
export interface Model {
  readonly name: string;
  readonly model: ModelName;
  /** The state variables in the order the file declares them. */
  readonly variables: readonly Variable[];
  readonly steps: readonly Step[];
  /** W's IRQs-off window after the PMD read, phase by phase, in the order W goes through them. */
  readonly window: readonly WindowPhase[];
  /** Nothing that happens after this can change the model's outcomes (or, in the page-table-free protocol, a cost). */
  readonly settled: (s: State) => boolean;
  /** U has returned from the free path: the episode's unmap latency ends here. */
  readonly returned: (s: State) => boolean;
  /** U is blocked on W's answer to an IPI (beyond the IPI's own round trip). */
  readonly waiting: (s: State) => boolean;
  /** The page-table page has been freed: the free delay ends here. */
  readonly freed: (s: State) => boolean;
}

/** The state before anything happens. */
export function initialState(m: Pick<Model, "variables">): State {
  const s: State = {};
  for (const v of m.variables) s[v.name] = v.initial;
  return s;
}

/**
 * Every value each variable can take, for engines that enumerate states
 * (the explorer's state codes, the Promela export); a count is bounded by
 * the caller: the model itself puts no bound on it.
 */
export function stateDomains(m: Pick<Model, "variables">, maxCount: number): Record<string, readonly Value[]> {
  return Object.fromEntries(m.variables.map((v) => [v.name, v.values ?? Array.from({ length: maxCount + 1 }, (_, i) => i)]));
}

/** The first variable of `s` outside its values, as "name = value"; undefined when every one is inside. */
export function outsideDomain(m: Pick<Model, "variables">, s: State): string | undefined {
  for (const v of m.variables) {
    const x = s[v.name];
    if (v.values ? !v.values.includes(x!) : !(typeof x === "number" && Number.isInteger(x) && x >= 0)) return `${v.name} = ${JSON.stringify(x)}`;
  }
  return undefined;
}

/** An outcome flag of a state: false where the model has no such variable. */
export const flag = (s: State, name: string): boolean => s[name] === true;
/** IPIs sent to W in the episode: 0 where the model does not count them. */
export const ipisOf = (s: State): number => (typeof s[IPIS] === "number" ? (s[IPIS] as number) : 0);

export const copyState = (s: State): State => ({ ...s });

/** Whether `step` can happen now: its guard holds and, for W's own steps, W's vCPU runs. */
export const canFire = (step: Step, s: State): boolean => step.enabled(s) && (!step.onCpu || s.wRunning === true);

/**
 * The page-table-free protocol's costs end when U has returned and when P is
 * freed: an episode settled before both would have no unmap latency or free
 * delay. A protocol that settles too early is refused (naming the state).
 */
export function settledTooEarly(m: Model, s: State): string | undefined {
  if (m.model !== "table-free") return undefined;
  const missing = !m.returned(s) ? "returned" : !m.freed(s) ? "freed" : undefined;
  if (!missing) return undefined;
  return `an episode settled before \`${missing}\` holds (w=${String(s.w)} u=${String(s.u)}${"page" in s ? ` page=${String(s.page)}` : ""})`;
}
