/**
 * How pRace moves with each numeric parameter, from exact solves only:
 *  - the elasticity d ln pRace / d ln θ at the scenario's value, by a central
 *    difference in log space, (ln p(θ e^h) - ln p(θ e^-h)) / 2h, error O(h²);
 *    an elasticity of 1 means pRace is proportional to θ near here;
 *  - pRace at θ / f and θ × f, the bars of a tornado chart.
 * For a delay, θ is its mean (an exponential stays exponential). Delays no
 * step of the scenario's protocol waits for are left out; a value of 0 has
 * no log scale, and memoryPressure stops at 1.
 */
import { exponential, mean } from "../../model/distribution.js";
import { InputError } from "../../model/errors.js";
import { PARAM_SPECS, type ParamName, type Params } from "../../model/params.js";
import type { Scenario } from "../../model/scenario.js";
import type { Probability } from "../../model/units.js";
import { type Manifest, manifest } from "../manifest.js";
import { chainParams, delayParamsOf } from "./applies.js";
import { tableFreeChain } from "./many.js";
import { checkExactOptions, entryValues, type ExactOptions } from "./index.js";
import { solveChain } from "./solve.js";

/** ln θ ± STEP: small enough for an O(h²) error of ~1e-4, large enough that rounding does not show. */
export const STEP = 0.01;
export const FACTOR = 2;

export interface SensitivityRow {
  readonly param: ParamName;
  /** θ: the value, or the mean of a delay. */
  readonly value: number;
  readonly unit: string;
  /** d ln pRace / d ln θ; null where it does not exist (see note). */
  readonly elasticity: number | null;
  /** θ / factor and θ × factor (memoryPressure capped at 1), and pRace there. */
  readonly low: number;
  readonly high: number;
  readonly pRaceLow: Probability;
  readonly pRaceHigh: Probability;
  /** Why the elasticity is missing or one-sided; empty otherwise. */
  readonly note: string;
}

export interface SensitivityData {
  readonly scenario: string;
  readonly params: Params;
  readonly pRace: Probability;
  /** h of the central difference, in ln θ. */
  readonly step: number;
  readonly factor: number;
  readonly rows: readonly SensitivityRow[];
  readonly manifest: Manifest;
}

export interface SensitivityOptions extends ExactOptions {
  /** h: ln θ moves by ± step (default 0.01). */
  readonly step?: number;
  /** The tornado's bars span θ / factor to θ × factor (default 2). */
  readonly factor?: number;
}

function pRaceOf(p: Params): Probability {
  const chain = tableFreeChain(p);
  return entryValues(chain, solveChain(chain).x).pRace;
}

/** θ of a numeric parameter, and the parameters with θ replaced. */
function numeric(p: Params, name: ParamName): { value: number; at: (v: number) => Params } | undefined {
  const spec = PARAM_SPECS.find((s) => s.name === name)!;
  if (spec.kind === "rate" || spec.kind === "probability")
    return { value: p[name] as number, at: (v) => ({ ...p, [name]: v }) };
  if (spec.kind === "delay") return { value: mean(p[name as "walkUs"]), at: (v) => ({ ...p, [name]: exponential(v) }) };
  return undefined;
}

export function sensitivity(s: Scenario, opts: SensitivityOptions = {}): SensitivityData {
  if (typeof opts !== "object" || opts === null) throw new InputError("options", opts, "{step?, factor?, approximate?}");
  const { step = STEP, factor = FACTOR, ...rest } = opts;
  if (typeof step !== "number" || !(step > 0 && step <= 0.5)) throw new InputError("step", step, "a number > 0 and <= 0.5 (a change of ln x)");
  if (typeof factor !== "number" || !(factor > 1 && factor <= 1000)) throw new InputError("factor", factor, "a number > 1 and <= 1000");
  const { params } = chainParams(s.params, checkExactOptions(rest).approximate);
  const base = pRaceOf(params);
  const used = new Set<ParamName>(["preemptRate", "memoryPressure", ...delayParamsOf(params)]);

  const rows: SensitivityRow[] = [];
  for (const spec of PARAM_SPECS) {
    const n = used.has(spec.name) ? numeric(params, spec.name) : undefined;
    if (!n) continue;
    const cap = spec.kind === "probability" ? 1 : Infinity;
    const low = n.value / factor, high = Math.min(n.value * factor, cap);
    const row = { param: spec.name, value: n.value, unit: spec.unit, low, high,
      pRaceLow: pRaceOf(n.at(low)), pRaceHigh: pRaceOf(n.at(high)) };
    rows.push({ ...row, ...elasticity(n, base, step, cap) });
  }
  return {
    scenario: s.name, params, pRace: base, step, factor, rows,
    manifest: manifest({ engine: "exact", scenario: s.name, preset: s.preset, params, measured: s.measured, seed: 0, episodes: 0, stream: [] }),
  };
}

function elasticity(n: { value: number; at: (v: number) => Params }, base: Probability, h: number, cap: number): { elasticity: number | null; note: string } {
  if (n.value === 0) return { elasticity: null, note: "0: no log scale" };
  if (base === 0) return { elasticity: null, note: "pRace is 0" };
  const down = Math.log(pRaceOf(n.at(n.value * Math.exp(-h))));
  if (n.value * Math.exp(h) > cap) return { elasticity: (Math.log(base) - down) / h, note: `one-sided: cannot exceed ${cap}` };
  return { elasticity: (Math.log(pRaceOf(n.at(n.value * Math.exp(h)))) - down) / (2 * h), note: "" };
}
