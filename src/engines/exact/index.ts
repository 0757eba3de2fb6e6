/**
 * The exact engine: with memoryless delays the model is a continuous-time
 * Markov chain (chain.ts), and the race probability per overlapping unmap is
 * an absorption probability, solved without cancellation (solve.ts), however
 * small. Costs are expected values of the same episode the Monte Carlo engine
 * samples.
 */
import { InputError } from "../../model/errors.js";
import type { Params } from "../../model/params.js";
import type { Scenario } from "../../model/scenario.js";
import { pteModel } from "../../model/protocol.js";
import { canTear } from "../../model/torn-pte.js";
import type { Microseconds, Probability } from "../../model/units.js";
import { type Manifest, manifest } from "../manifest.js";
import { type Applies, type Approximation, chainParams, paramsApply } from "./applies.js";
import { buildChain, type Chain, MEASURES, transitionCount } from "./chain.js";
import { tableFreeChain } from "./many.js";
import { solveChain } from "./solve.js";

export { type Applies, type Approximation } from "./applies.js";
export { MEASURES, type Measure } from "./chain.js";

export interface ExactCosts {
  /** From the PMD clear until U returns from the free path. */
  readonly unmapLatencyUs: Microseconds;
  /** From the PMD clear until P is really freed. */
  readonly freeDelayUs: Microseconds;
  /** IPIs sent to W's vCPU (flush and sync). */
  readonly ipis: number;
  /** Time U is blocked on W's answer, beyond the IPI's own round trip. */
  readonly waitUs: Microseconds;
}

export interface ExactResult {
  readonly scenario: string;
  /** The parameters solved: the scenario's, with approximated delays replaced. */
  readonly params: Params;
  readonly pRace: Probability;
  readonly pCorrupt: Probability;
  /** Expectations per overlapping unmap. */
  readonly costs: ExactCosts;
  /** States of the chain: tangible transient ones plus absorbing ones. */
  readonly states: number;
  readonly transitions: number;
  /** Largest componentwise relative residual of the chain's equations. */
  readonly residual: number;
  /** Where the PTE can tear (pteRead low-high): the torn read's probability, from the PTE model's own chain. */
  readonly pTorn?: Probability;
  readonly tornChain?: { readonly states: number; readonly transitions: number; readonly residual: number };
  readonly seconds: number;
  /** Delays replaced by the exponential of the same mean (`approximate: true`); empty otherwise. */
  readonly approximated: readonly Approximation[];
  readonly manifest: Manifest;
}

export interface ExactOptions {
  /** Replace each non-exponential delay by the exponential of the same mean (default false: refuse). */
  readonly approximate?: boolean;
}

/** Whether the exact solver applies: every delay the protocol waits for is exponential (or fixed 0). */
export function exactApplies(s: Scenario): Applies {
  return paramsApply(s.params);
}

export function checkExactOptions(o: unknown): Required<ExactOptions> {
  if (o === undefined) return { approximate: false };
  if (typeof o !== "object" || o === null) throw new InputError("options", o, "{approximate?: boolean}");
  const { approximate = false, ...rest } = o as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new InputError("option", extra, "approximate");
  if (typeof approximate !== "boolean") throw new InputError("approximate", approximate, "true or false");
  return { approximate };
}

/** Every measure at the unmap instant, from a solved chain. */
export function entryValues(c: Chain, x: readonly Float64Array[]): Record<(typeof MEASURES)[number], number> {
  const v = new Float64Array(MEASURES.length);
  for (const { to, p } of c.entry) {
    const xs = to >= 0 ? x[to]! : c.terminal[~to]!;
    for (let m = 0; m < v.length; m++) v[m]! += p * xs[m]!;
  }
  return Object.fromEntries(MEASURES.map((m, i) => [m, v[i]!])) as Record<(typeof MEASURES)[number], number>;
}

/** pTorn from the chain of the PTE model, with that chain's size and residual. */
function tornSolve(p: Params): Pick<ExactResult, "pTorn" | "tornChain"> {
  const chain = buildChain(p, pteModel(p));
  const { x, residual } = solveChain(chain);
  return {
    pTorn: entryValues(chain, x).pTorn,
    tornChain: { states: chain.transient.length + chain.absorbing.length, transitions: transitionCount(chain), residual },
  };
}

/** Solves the scenario's chain. InputError for a non-exponential delay unless `approximate`. */
export function solveExact(s: Scenario, opts?: ExactOptions): ExactResult {
  const { approximate } = checkExactOptions(opts);
  const { params, approximated } = chainParams(s.params, approximate);
  const t0 = performance.now();
  const chain = tableFreeChain(params);
  const { x, residual } = solveChain(chain);
  const v = entryValues(chain, x);
  const torn = canTear(params) ? tornSolve(params) : undefined;
  const seconds = (performance.now() - t0) / 1000;
  return {
    scenario: s.name,
    params,
    pRace: v.pRace,
    pCorrupt: v.pCorrupt,
    costs: { unmapLatencyUs: v.unmapLatencyUs, freeDelayUs: v.freeDelayUs, ipis: v.ipis, waitUs: v.waitUs },
    states: chain.transient.length + chain.absorbing.length,
    transitions: transitionCount(chain),
    residual,
    ...torn,
    seconds,
    approximated,
    manifest: manifest({ engine: "exact", scenario: s.name, preset: s.preset, params, measured: s.measured, seed: 0, episodes: 0, stream: [] }),
  };
}
