/**
 * When the model is a continuous-time Markov chain: every delay a step of the
 * protocol waits for must be memoryless (exponential) or nothing at all
 * (identically 0, a step that happens at once). Other laws can be replaced by
 * the exponential of the same mean, on request only.
 */
import { type Distribution, exponential, formatDistribution, mean } from "../../model/distribution.js";
import { InputError } from "../../model/errors.js";
import type { DelayParam, Params } from "../../model/params.js";
import { pteModel, type Step, tableFreeModel } from "../../model/protocol.js";
import { canTear } from "../../model/torn-pte.js";

export type Applies = { ok: true } | { ok: false; param: string; why: string };

/** A delay swapped for its exponential approximation. */
export interface Approximation {
  readonly param: DelayParam;
  readonly given: string;
  readonly used: string;
}

/** Exponential, or identically 0 (a non-negative delay with mean 0 is 0). */
export const memoryless = (d: Distribution): boolean => d.kind === "exponential" || mean(d) === 0;

const delaysOf = (steps: readonly Step[]): DelayParam[] =>
  [...new Set(steps.flatMap((st) => (st.delay && "param" in st.delay ? [st.delay.param] : [])))];

/** The delay parameters the steps of this flush and table-free mode wait for, in protocol order: what pRace depends on. */
export function delayParamsOf(p: Params): DelayParam[] {
  return delaysOf(tableFreeModel(p).steps);
}

/** Every delay the exact solver's chains wait for: the protocol's, and the PTE model's where the PTE can tear. */
export function chainDelayParams(p: Params): DelayParam[] {
  return [...new Set([...delayParamsOf(p), ...(canTear(p) ? delaysOf(pteModel(p).steps) : [])])];
}

/** Whether the exact solver applies to these parameters as they are. */
export function paramsApply(p: Params): Applies {
  for (const name of chainDelayParams(p)) {
    const d = p[name];
    if (!memoryless(d))
      return { ok: false, param: name, why: `${formatDistribution(d)} is not exponential; the chain needs exp:MEAN or 0` };
  }
  return { ok: true };
}

/** The parameters the chain is built from: as given, or with every non-exponential delay made exponential. */
export function chainParams(p: Params, approximate: boolean): { params: Params; approximated: Approximation[] } {
  const approximated: Approximation[] = [];
  const out: Record<string, unknown> = { ...p };
  for (const name of chainDelayParams(p)) {
    const d = p[name];
    if (memoryless(d)) continue;
    const used = exponential(mean(d));
    if (!approximate)
      throw new InputError(name, formatDistribution(d),
        `exp:MEAN or 0 for the exact solver, which needs memoryless delays; ` +
        `approximate: true (CLI: --approximate) solves with ${formatDistribution(used)}, the same mean`);
    approximated.push({ param: name, given: formatDistribution(d), used: formatDistribution(used) });
    out[name] = used;
  }
  return { params: out as unknown as Params, approximated };
}
