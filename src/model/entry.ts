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
 *  - a window made of several phases of on-CPU work (the PTE model's loads,
 *    model/torn-pte.ts) holds u in phase k with probability mean_k / Σ mean,
 *    preempted or not, since preemptions come at the same rate in each;
 *  - W's remaining on-CPU work in its phase follows the equilibrium
 *    (stationary-excess) distribution of that phase's delay: a uniform point
 *    of a length-biased draw;
 *  - if preempted, the rest of the preemption follows the equilibrium
 *    distribution of preemptUs, for the same reason;
 *  - later preemptions are the ordinary Poisson stream on the remaining work.
 * For exponential delays the equilibrium law is the delay's own law.
 */
import { type Distribution, mean } from "./distribution.js";
import type { Params } from "./params.js";
import { type Delay, initialState, type Model, type State, type WindowPhase } from "./state.js";

/** What the window's laws read of a model: its steps' delays and the window's phases (one walker's or many vCPUs'). */
interface Windowed {
  readonly steps: readonly { readonly id: string; readonly delay?: Delay }[];
  readonly window: readonly { readonly step: string }[];
}
import type { Probability } from "./units.js";

/** λm / (1 + λm): the share of window time W spends preempted. */
export function preemptedAtUnmap(p: Params): Probability {
  const lm = (p.preemptRate / 1000) * mean(p.preemptUs);
  return lm / (1 + lm);
}

/** The delay of the step that ends a phase of W's window: W's on-CPU work in that phase. */
export function phaseDelay(m: Pick<Windowed, "steps">, phase: { readonly step: string }, p: Params): Distribution {
  const st = m.steps.find((x) => x.id === phase.step);
  if (!st?.delay || !("param" in st.delay)) throw new Error(`window phase ${phase.step}: no such step with a delay parameter`);
  return p[st.delay.param];
}

/** The probability that u falls in each phase of the model's window: its share of W's mean on-CPU work. */
export function phaseWeights(m: Windowed, p: Params): number[] {
  if (m.window.length === 1) return [1];
  const means = m.window.map((ph) => mean(phaseDelay(m, ph, p)));
  const total = means.reduce((a, b) => a + b, 0);
  return means.map((x) => x / total);
}

/** W holds P (PMD read done, IRQs off), in `phase` of its window; U is about to act. */
export function unmapInstantState(m: Pick<Model, "variables">, preempted: boolean, phase?: WindowPhase): State {
  const s = initialState(m);
  s.w = "walking";
  s.wRunning = !preempted;
  s.preemptions = preempted ? 1 : 0;
  phase?.enter?.(s);
  return s;
}

/** The host step whose clock runs when W is preempted at u. */
export { RESUME_STEP } from "../protocol/build.js";
