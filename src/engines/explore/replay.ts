/**
 * Replays a trace on the model: each step must be possible in turn (its
 * guard holds, W's vCPU runs for W's steps, the branch is one of the step's).
 * Gives every state along the way; a trace that does not replay is an error.
 */
import { canFire, copyState, type State, type Step } from "../../model/protocol.js";
import type { TraceStep } from "./search.js";

export function replay(steps: readonly Step[], start: State, trace: readonly TraceStep[]): State[] {
  const states = [start];
  let s = start;
  trace.forEach((t, i) => {
    const step = steps.find((st) => st.id === t.step);
    const effect = step?.effects.find((e) => e.label === t.label);
    if (!step || !effect) throw new Error(`step ${i + 1} (${t.step}: ${t.label}) is not in the model`);
    if (!canFire(step, s)) throw new Error(`step ${i + 1} (${t.step}) is not enabled in ${JSON.stringify(s)}`);
    s = copyState(s);
    effect.apply(s);
    states.push(s);
  });
  return states;
}
