/**
 * The episode's start: the state at the unmap instant u.
 *
 * MODEL.md draws u uniformly over wall-clock time inside walks' IRQs-off
 * windows after the PMD read, so a window twice as long is hit twice as often.
 * That length-biased draw has an exact form, which lets every episode be an
 * unweighted sample:
 *  - W is preempted at u with probability λm / (1 + λm), where λ is the
 *    preemption rate per µs of on-CPU time and m the mean preemption length:
 *    per µs of on-CPU work a window holds on average λm µs of preemption;
 *  - W's remaining on-CPU work follows the equilibrium (stationary-excess)
 *    distribution of walkUs: a uniform point of a length-biased walk;
 *  - if preempted, the rest of the preemption follows the equilibrium
 *    distribution of preemptUs, for the same reason;
 *  - later preemptions are the ordinary Poisson stream on the remaining work.
 * For exponential delays the equilibrium law is the delay's own law.
 */
import { mean } from "./distribution.js";
import type { Params } from "./params.js";
import { initialState, type State } from "./protocol.js";
import type { Probability } from "./units.js";

/** λm / (1 + λm): the share of window time W spends preempted. */
export function preemptedAtUnmap(p: Params): Probability {
  const lm = (p.preemptRate / 1000) * mean(p.preemptUs);
  return lm / (1 + lm);
}

/** W holds P (PMD read done, IRQs off); U is about to clear the PMD. */
export function unmapInstantState(preempted: boolean): State {
  const s = initialState();
  s.w = "walking";
  s.wRunning = !preempted;
  s.preemptions = preempted ? 1 : 0;
  return s;
}

/** Which step's clock the equilibrium laws set at u. */
export const ENTRY_CLOCKS = { walk: "pte-read", resume: "resume" } as const;
