/**
 * The explorer's reading of the model: which moves are possible at all once
 * time is ignored. Every enabled step is a possible next move, immediate or
 * timed; W's own steps need W's vCPU running (`canFire`); a step whose rate
 * is 0 never happens; each branch of a probabilistic step with a weight > 0
 * is a move of its own; and the host preempts W at most `maxPreemptions`
 * times. The Promela export reads the same moves, so spin and the explorer
 * search one transition system.
 */
import type { Params } from "../../model/params.js";
import { canFire, type Effect, type State, type Step } from "../../model/protocol.js";

export interface Move {
  readonly step: Step;
  readonly effect: Effect;
  /** The step's guard with the preemption bound. */
  readonly guard: (s: State) => boolean;
  /** The bound's own part of the guard, for exporters that probe `step.enabled` separately. */
  readonly bound?: { readonly field: "preemptions"; readonly below: number };
}

/** A step with a rate (the host's Poisson preemptions): bounded by the explorer, and impossible at rate 0. */
const rateOf = (st: Step, p: Params): number | undefined => (st.delay && "rate" in st.delay ? p[st.delay.rate] : undefined);

export function moves(steps: readonly Step[], p: Params, maxPreemptions: number): Move[] {
  const out: Move[] = [];
  for (const step of steps) {
    const rate = rateOf(step, p);
    if (rate === 0) continue;
    const bounded = rate !== undefined;
    const guard = bounded
      ? (s: State) => (s.preemptions as number) < maxPreemptions && canFire(step, s)
      : (s: State) => canFire(step, s);
    for (const effect of step.effects) {
      if ((effect.weight ? effect.weight(p) : 1) <= 0) continue;
      out.push({ step, effect, guard, ...(bounded ? { bound: { field: "preemptions" as const, below: maxPreemptions } } : {}) });
    }
  }
  return out;
}
