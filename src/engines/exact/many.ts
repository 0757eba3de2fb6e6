/**
 * The chain of many vCPUs, by symmetry: vCPUs are interchangeable but for
 * their own variables, so a state is the mm's variables and the multiset of
 * the vCPUs' records (kept sorted), not a list of named vCPUs. A step that
 * k identical vCPUs can take leads to one state at k times the rate. With 64
 * walkers that is a chain of thousands of states instead of 2^64 times more.
 * The order of steps is the one the Monte Carlo engine of many vCPUs runs
 * (engines/montecarlo/many.ts): immediate steps, U's first then the vCPUs'
 * in protocol order; then a timed step of delay 0; then the exponential
 * clocks. The start is the unmap instant: each walker independently in each
 * phase of its window with the phase's weight and preempted with
 * probability preemptedAtUnmap(p), each other vCPU preempted with the same
 * probability.
 */
import { mean } from "../../model/distribution.js";
import { InputError } from "../../model/errors.js";
import { phaseWeights, preemptedAtUnmap } from "../../model/entry.js";
import type { Params } from "../../model/params.js";
import { bystanderAtUnmap, initialGlobals, type ManyModel, type ManyStep, outsideDomainMany, walkerAtUnmap } from "../../model/population.js";
import { manyModelOf, type State } from "../../model/protocol.js";
import { ProtocolError } from "../../protocol/source.js";
import { manyCpus } from "../../model/params.js";
import { buildChain, type Chain, type Edge, MEASURES } from "./chain.js";

/**
 * A state: the mm's variables and the vCPUs as classes, sorted. A class is
 * a vCPU record as far as anything reads it (model.observed; `preemptions`
 * is only counted), interned once.
 */
interface Pop { readonly g: State; readonly ids: readonly number[]; view?: State[] }

class Classes {
  readonly records: State[] = [];
  private readonly byKey = new Map<string, number>();
  constructor(private readonly names: readonly string[]) {}
  intern(l: State): number {
    let key = "";
    for (const n of this.names) key += `${String(l[n])}\u0001`;
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.records.length;
      this.records.push(l);
      this.byKey.set(key, id);
    }
    return id;
  }
}

const NONE: State[] = [];
const sortIds = (ids: number[]): number[] => ids.sort((a, b) => a - b);

const MAX_INSTANT_STEPS = 100_000;
/** A bound on the chain, far above what 512 vCPUs of the built-in protocols reach. */
export const MAX_MANY_STATES = 60_000;

/** log n! for n up to `max`, for the multinomial weights of the unmap instant. */
function logFactorials(max: number): Float64Array {
  const out = new Float64Array(max + 1);
  for (let i = 1; i <= max; i++) out[i] = out[i - 1]! + Math.log(i);
  return out;
}

/** Every way to put `n` interchangeable things in `k` boxes, with the multinomial probability of `probs`. */
function compositions(n: number, probs: readonly number[], lf: Float64Array): { counts: number[]; p: number }[] {
  const out: { counts: number[]; p: number }[] = [];
  const rec = (box: number, left: number, counts: number[], logp: number) => {
    if (box === probs.length - 1) {
      const q = probs[box]!;
      if (left > 0 && !(q > 0)) return;
      const lp = logp + (left > 0 ? left * Math.log(q) : 0) - lf[left]!;
      out.push({ counts: [...counts, left], p: Math.exp(lf[n]! + lp) });
      return;
    }
    const q = probs[box]!;
    for (let c = 0; c <= left; c++) {
      if (c > 0 && !(q > 0)) break;
      rec(box + 1, left - c, [...counts, c], logp + (c > 0 ? c * Math.log(q) : 0) - lf[c]!);
    }
  };
  rec(0, n, [], 0);
  return out;
}

export function buildManyChain(p: Params, m: ManyModel = manyModelOf(p)): Chain {
  const n = p.cpus - 1;
  if (n > p.walkers && !m.bystander)
    throw new ProtocolError(`protocol ${m.name}`, "bystander", `cpus ${p.cpus} with walkers ${p.walkers}`, "a `bystander` that puts a vCPU outside GUP-fast, or cpus = walkers + 1");
  const kind = (st: ManyStep) => (!st.delay ? "immediate" : "rate" in st.delay ? "rate" : mean(p[st.delay.param]) === 0 ? "instant" : "rate");
  const perUsOf = (st: ManyStep) => ("rate" in st.delay! ? p[st.delay.rate] / 1000 : 1 / mean(p[st.delay!.param]));
  const order = (xs: ManyStep[]) => [...xs.filter((s) => !s.perCpu), ...xs.filter((s) => s.perCpu)];
  const immediate = order(m.steps.filter((s) => kind(s) === "immediate"));
  const instant = order(m.steps.filter((s) => kind(s) === "instant"));
  const timed = m.steps.filter((s) => kind(s) === "rate").map((st) => ({ st, perUs: perUsOf(st) })).filter((x) => x.perUs > 0);
  const weights = new Map(m.steps.map((st) => [st, st.effects.map((e) => (e.weight ? e.weight(p as unknown as Record<string, unknown>) : 1))]));
  const classes = new Classes(m.locals.map((v) => v.name).filter((x) => m.observed.has(x) && x !== "preemptions"));
  const globalNames = m.globals.map((v) => v.name).filter((x) => m.observed.has(x));
  const rec = classes.records;
  const view = (s: Pop): State[] => (s.view ??= s.ids.map((id) => rec[id]!));
  const can = (st: ManyStep, s: Pop, i: number): boolean => {
    if (!st.perCpu) return st.enabled(s.g, undefined, view(s));
    const l = rec[s.ids[i]!]!;
    return (!st.onCpu || l.wRunning === true) && st.enabled(s.g, l, NONE);
  };

  /** The first step that can fire at once, and on which vCPU (-1 for U's). */
  const firstOf = (list: readonly ManyStep[], s: Pop): [ManyStep, number] | undefined => {
    for (const st of list) {
      if (!st.perCpu) { if (can(st, s, -1)) return [st, -1]; continue; }
      for (let i = 0; i < s.ids.length; i++) if ((i === 0 || s.ids[i] !== s.ids[i - 1]) && can(st, s, i)) return [st, i];
    }
    return undefined;
  };

  /** Applies effect `k` of `st` on vCPU `i` (U's: on every vCPU it reads) to a copy of `s`. */
  const applied = (st: ManyStep, k: number, s: Pop, i: number): Pop => {
    const g = { ...s.g };
    if (i >= 0) {
      const l = { ...rec[s.ids[i]!]! };
      st.effects[k]!.apply(g, l, NONE);
      const ids = [...s.ids];
      ids[i] = classes.intern(l);
      return { g, ids: sortIds(ids) };
    }
    const cpus = s.ids.map((id) => ({ ...rec[id]! }));
    st.effects[k]!.apply(g, undefined, cpus);
    return { g, ids: sortIds(cpus.map((l) => classes.intern(l))) };
  };
  const keyOf = (s: Pop): string => {
    let key = "";
    for (const x of globalNames) key += `${String(s.g[x])}\u0001`;
    return `${key}|${s.ids.join(",")}`;
  };

  const settle = (start: Pop, p0: number): [Pop, number][] => {
    const out: [Pop, number][] = [];
    const stack: [Pop, number][] = [[start, p0]];
    while (stack.length > 0) {
      let [s, w] = stack.pop()!;
      for (let steps = 0; ; steps++) {
        if (steps > MAX_INSTANT_STEPS) throw new Error(`exact: steps without delay cycle from ${keyOf(s)}`);
        const next = firstOf(immediate, s) ?? (m.settled(s.g, view(s)) ? undefined : firstOf(instant, s));
        if (!next) break;
        const [st, i] = next;
        const ws = weights.get(st)!;
        let first = -1;
        ws.forEach((q, k) => {
          if (!(q > 0)) return;
          if (first < 0) { first = k; return; }
          stack.push([applied(st, k, s, i), w * q]);
        });
        if (first < 0) throw new Error(`exact: step ${st.id} has no effect with a positive weight`);
        s = applied(st, first, s, i);
        w *= ws[first]!;
      }
      out.push([s, w]);
    }
    return out;
  };

  const transient: string[] = [], absorbing: string[] = [];
  const states: Pop[] = [];
  const index = new Map<string, number>();
  const edges: Edge[][] = [], reward: Float64Array[] = [], terminal: Float64Array[] = [];

  const indexOf = (s: Pop): number => {
    const key = keyOf(s);
    const known = index.get(key);
    if (known !== undefined) return known;
    const cpus = view(s);
    const outside = outsideDomainMany(m, s.g, cpus);
    if (outside) throw new InputError(`protocol ${m.name}`, outside, "a value among the variable's values (a step writes one outside them)");
    let i: number;
    if (m.settled(s.g, cpus)) {
      if (!m.returned(s.g, cpus) || !m.freed(s.g, cpus))
        throw new ProtocolError(`protocol ${m.name}`, "settled", `an episode settled before \`${m.returned(s.g, cpus) ? "freed" : "returned"}\` holds (u=${String(s.g.u)})`, "settled only once returned and freed hold: the unmap latency and the free delay end there");
      i = ~absorbing.length;
      absorbing.push(key);
      terminal.push(Float64Array.from(MEASURES, (x) =>
        (x === "pRace" ? +(s.g.race === true) : x === "pCorrupt" ? +(s.g.corrupt === true) : x === "ipis" ? (typeof s.g.ipis === "number" ? s.g.ipis : 0) : 0)));
    } else {
      if (transient.length >= MAX_MANY_STATES)
        throw new InputError("cpus", p.cpus, `fewer vCPUs for the exact solver: the chain passed ${MAX_MANY_STATES} states (use Monte Carlo)`);
      i = transient.length;
      transient.push(key);
      states.push(s);
      reward.push(Float64Array.from(MEASURES, (x) =>
        x === "unmapLatencyUs" ? +!m.returned(s.g, cpus) : x === "freeDelayUs" ? +!m.freed(s.g, cpus) : x === "waitUs" ? +m.waiting(s.g, cpus) : 0));
    }
    index.set(key, i);
    return i;
  };

  const collect = (into: Map<number, number>, s: Pop, w: number) => {
    for (const [t, q] of settle(s, w)) {
      const j = indexOf(t);
      into.set(j, (into.get(j) ?? 0) + q);
    }
  };

  // The unmap instant: walkers by (phase, preempted), the others by preempted.
  const q = preemptedAtUnmap(p);
  const phases = phaseWeights(m, p);
  const walkerBoxes = phases.flatMap((w, k) => [{ k, preempted: false, p: w * (1 - q) }, { k, preempted: true, p: w * q }]);
  const lf = logFactorials(n);
  const start = new Map<number, number>();
  for (const wc of compositions(p.walkers, walkerBoxes.map((b) => b.p), lf)) {
    for (const bc of compositions(n - p.walkers, [1 - q, q], lf)) {
      const g = initialGlobals(m);
      const ids: number[] = [];
      wc.counts.forEach((c, b) => { if (c > 0) { const id = classes.intern(walkerAtUnmap(m, g, walkerBoxes[b]!.preempted, walkerBoxes[b]!.k)); for (let j = 0; j < c; j++) ids.push(id); } });
      bc.counts.forEach((c, b) => { if (c > 0) { const id = classes.intern(bystanderAtUnmap(m, g, b === 1)); for (let j = 0; j < c; j++) ids.push(id); } });
      const w = wc.p * bc.p;
      if (w > 0) collect(start, { g, ids: sortIds(ids) }, w);
    }
  }

  for (let i = 0; i < states.length; i++) {
    const s = states[i]!;
    const out = new Map<number, number>();
    for (const { st, perUs } of timed) {
      const ws = weights.get(st)!;
      const fireOn = (v: number, mult: number) => ws.forEach((x, k) => { if (x > 0) collect(out, applied(st, k, s, v), perUs * mult * x); });
      if (!st.perCpu) { if (can(st, s, -1)) fireOn(-1, 1); continue; }
      // vCPUs of one class are adjacent, and one of them stands for all.
      for (let v = 0; v < s.ids.length;) {
        let same = 1;
        while (v + same < s.ids.length && s.ids[v + same] === s.ids[v]) same++;
        if (can(st, s, v)) fireOn(v, same);
        v += same;
      }
    }
    out.delete(i);
    edges.push([...out].map(([to, rate]) => ({ to, rate })));
  }

  return { transient, edges, reward, absorbing, terminal, entry: [...start].map(([to, x]) => ({ to, p: x })) };
}

/** The chain of the page-table-free protocol of `p`: of one walker, or by symmetry over many vCPUs. */
export const tableFreeChain = (p: Params): Chain => (manyCpus(p) ? buildManyChain(p) : buildChain(p));
