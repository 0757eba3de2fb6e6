/**
 * The protocol as a continuous-time Markov chain, read exactly as the Monte
 * Carlo engine runs it (engines/montecarlo/episode.ts):
 *  - immediate steps fire at once, in protocol order, restarting from the
 *    first after each; a step with several effects branches by their weights;
 *  - then, unless the episode has settled, a timed step whose delay is 0 fires
 *    at once (the first in protocol order), before any exponential clock;
 *  - otherwise the state is tangible: its enabled timed steps race with rate
 *    1/mean (`preempt`: preemptRate/1000 per µs), and W's own (`onCpu`) steps
 *    stand still while W is preempted;
 *  - a settled state absorbs.
 * Memorylessness makes redrawn and kept clocks the same thing, so a state of
 * the chain is the protocol's State alone. The start is the unmap instant:
 * W in each phase of its window with the phase's weight, preempted with
 * probability preemptedAtUnmap(p); for exponential delays the equilibrium
 * laws of entry.ts are the delays' own laws. The PTE model (torn-pte.ts) is
 * built the same way, for pTorn.
 */
import { mean } from "../../model/distribution.js";
import { phaseWeights, preemptedAtUnmap, unmapInstantState } from "../../model/entry.js";
import type { Params } from "../../model/params.js";
import { canFire, copyState, flag, ipisOf, type Model, outsideDomain, settledTooEarly, type State, type Step, tableFreeModel } from "../../model/protocol.js";
import { InputError } from "../../model/errors.js";
import { ProtocolError } from "../../protocol/source.js";

/** What the chain computes for every state: three absorption probabilities and four expectations. */
export const MEASURES = ["pRace", "pCorrupt", "unmapLatencyUs", "freeDelayUs", "ipis", "waitUs", "pTorn"] as const;
export type Measure = (typeof MEASURES)[number];

/** A transition: to a transient state (index >= 0) or an absorbing one (~index < 0), at `rate` per µs. */
export interface Edge {
  readonly to: number;
  readonly rate: number;
}

export interface Chain {
  /** Tangible, not yet settled states, as keys (readable JSON of the State). */
  readonly transient: readonly string[];
  /** Out-transitions of each transient state, self-loops left out (they change no measure). */
  readonly edges: readonly (readonly Edge[])[];
  /** Per transient state and measure: how fast the measure grows while the chain sits there (1 per µs, or 0). */
  readonly reward: readonly Float64Array[];
  readonly absorbing: readonly string[];
  /** Per absorbing state and measure: what the episode ends with (race, corrupt, IPIs sent). */
  readonly terminal: readonly Float64Array[];
  /** The unmap instant: where the chain starts, with probabilities; `to` as in Edge. */
  readonly entry: readonly { readonly to: number; readonly p: number }[];
}

/**
 * The key of a chain state: every field but `preemptions`, a count the
 * explorer bounds its search with and no guard reads. Keeping it would make
 * each preempt/resume cycle a new state and the chain infinite.
 */
export function stateKey(s: State): string {
  const { preemptions: _count, ...rest } = s;
  return JSON.stringify(rest);
}

type Timing = { readonly kind: "immediate" } | { readonly kind: "instant" } | { readonly kind: "rate"; readonly perUs: number };

function timing(st: Step, p: Params): Timing {
  if (!st.delay) return { kind: "immediate" };
  if ("rate" in st.delay) return { kind: "rate", perUs: p[st.delay.rate] / 1000 };
  const m = mean(p[st.delay.param]);
  return m === 0 ? { kind: "instant" } : { kind: "rate", perUs: 1 / m };
}

/** A guard on a protocol whose immediate steps would cycle forever. */
const MAX_INSTANT_STEPS = 10_000;

/**
 * Builds the chain of `model` (by default the page-table-free protocol of the
 * parameters); the delays it waits for must be memoryless (see applies.ts).
 */
export function buildChain(p: Params, model: Model = tableFreeModel(p)): Chain {
  const { steps, settled } = model;
  const immediate = steps.filter((st) => timing(st, p).kind === "immediate");
  const instant = steps.filter((st) => timing(st, p).kind === "instant");
  const timed = steps.flatMap((st) => {
    const t = timing(st, p);
    return t.kind === "rate" && t.perUs > 0 ? [{ st, perUs: t.perUs }] : [];
  });
  const weights = new Map(steps.map((st) => [st, st.effects.map((e) => (e.weight ? e.weight(p) : 1))]));

  /** Every state `s` can reach at once, with its probability: where time next passes, or the end. */
  function settle(start: State, p0: number): [State, number][] {
    const out: [State, number][] = [];
    const stack: [State, number][] = [[start, p0]];
    while (stack.length > 0) {
      let [s, w] = stack.pop()!;
      for (let n = 0; ; n++) {
        if (n > MAX_INSTANT_STEPS) throw new Error(`exact: steps without delay cycle from ${stateKey(s)}`);
        const st = immediate.find((x) => canFire(x, s)) ?? (settled(s) ? undefined : instant.find((x) => canFire(x, s)));
        if (!st) break;
        [s, w] = branch(st, s, w, stack);
      }
      out.push([s, w]);
    }
    return out;
  }

  /** Applies one of the step's effects to `s`; pushes the other branches (each on a copy) for later. */
  function branch(st: Step, s: State, w: number, stack: [State, number][]): [State, number] {
    const ws = weights.get(st)!;
    let first = -1;
    st.effects.forEach((e, k) => {
      if (!(ws[k]! > 0)) return;
      if (first < 0) { first = k; return; }
      const t = copyState(s);
      e.apply(t);
      stack.push([t, w * ws[k]!]);
    });
    if (first < 0) throw new Error(`exact: step ${st.id} has no effect with a positive weight`);
    st.effects[first]!.apply(s);
    return [s, w * ws[first]!];
  }

  const transient: string[] = [], absorbing: string[] = [];
  const states: State[] = [];
  const index = new Map<string, number>();
  const edges: Edge[][] = [], reward: Float64Array[] = [], terminal: Float64Array[] = [];

  /** The chain index of a settled-or-tangible state: new transient states join the work list. */
  const indexOf = (s: State): number => {
    const key = stateKey(s);
    const known = index.get(key);
    if (known !== undefined) return known;
    const outside = outsideDomain(model, s);
    if (outside) throw new InputError(`protocol ${model.name}`, outside, "a value among the variable's values (a step writes one outside them)");
    let i: number;
    if (settled(s)) {
      const early = settledTooEarly(model, s);
      if (early) throw new ProtocolError(`protocol ${model.name}`, "settled", early, "settled only once returned and freed hold: the unmap latency and the free delay end there");
      i = ~absorbing.length;
      absorbing.push(key);
      terminal.push(Float64Array.from(MEASURES, (m) =>
        (m === "pRace" ? +flag(s, "race") : m === "pCorrupt" ? +flag(s, "corrupt") : m === "pTorn" ? +flag(s, "torn") : m === "ipis" ? ipisOf(s) : 0)));
    } else {
      i = transient.length;
      transient.push(key);
      states.push(s);
      // Time counts towards a cost while the condition the Monte Carlo engine times it by holds.
      reward.push(Float64Array.from(MEASURES, (m) =>
        m === "unmapLatencyUs" ? +!model.returned(s) : m === "freeDelayUs" ? +!model.freed(s) : m === "waitUs" ? +model.waiting(s) : 0));
    }
    index.set(key, i);
    return i;
  };

  const collect = (into: Map<number, number>, s: State, w: number) => {
    for (const [t, q] of settle(s, w)) {
      const j = indexOf(t);
      into.set(j, (into.get(j) ?? 0) + q);
    }
  };

  const pPreempted = preemptedAtUnmap(p);
  const start = new Map<number, number>();
  phaseWeights(model, p).forEach((w, k) => {
    if (!(w > 0)) return;
    const phase = model.window[k];
    if (pPreempted < 1) collect(start, unmapInstantState(model, false, phase), (1 - pPreempted) * w);
    if (pPreempted > 0) collect(start, unmapInstantState(model, true, phase), pPreempted * w);
  });

  for (let i = 0; i < states.length; i++) {
    const s = states[i]!;
    const out = new Map<number, number>();
    for (const { st, perUs } of timed) {
      if (!canFire(st, s)) continue;
      const ws = weights.get(st)!;
      st.effects.forEach((e, k) => {
        if (!(ws[k]! > 0)) return;
        const t = copyState(s);
        e.apply(t);
        collect(out, t, perUs * ws[k]!);
      });
    }
    out.delete(i);
    edges.push([...out].map(([to, rate]) => ({ to, rate })));
  }

  return { transient, edges, reward, absorbing, terminal, entry: [...start].map(([to, q]) => ({ to, p: q })) };
}

/** Transitions of the chain, self-loops left out. */
export const transitionCount = (c: Chain): number => c.edges.reduce((n, e) => n + e.length, 0);

