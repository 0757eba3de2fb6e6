/**
 * One episode in time: the protocol's steps run as a generalised semi-Markov
 * process from the unmap instant. Immediate steps fire first, in protocol
 * order; then the timed step whose clock runs out first fires. A clock is
 * drawn when its step becomes enabled and dropped when it stops being enabled;
 * the clocks of W's own steps (`onCpu`) stand still while W is preempted.
 */
import { phaseDelay, phaseWeights, preemptedAtUnmap, RESUME_STEP, unmapInstantState } from "../../model/entry.js";
import type { Params } from "../../model/params.js";
import { ProtocolError } from "../../protocol/source.js";
import { flag, ipisOf, type Model, settledTooEarly, type Step, type State } from "../../model/protocol.js";
import { equilibriumSampler, type Sampler, sampler } from "../../random/sample.js";
import type { Uniform } from "../../random/stream.js";

/** What one episode yields; written into a reused object to keep the loop allocation-light. */
export interface EpisodeOutcome {
  race: boolean;
  corrupt: boolean;
  /** The PTE model's outcome: W accepted a PTE value the PTE never held. */
  torn: boolean;
  /** From the PMD clear to U's return from the free path (call_rcu, or the free itself). */
  unmapLatencyUs: number;
  /** From the PMD clear to P really being freed: how long the memory is held. */
  freeDelayUs: number;
  /** IPIs sent to W's vCPU (flush and sync). */
  ipis: number;
  /** Time U spent blocked on W's answer to an IPI, beyond the IPI's own round trip. */
  waitUs: number;
}

/** A guard on runaway episodes (e.g. a huge preemption rate with zero-length preemptions). */
export const MAX_EVENTS = 1_000_000;

export interface EpisodeRunner {
  run(out: EpisodeOutcome): EpisodeOutcome;
}

/** Binds a model (the page-table-free protocol or the PTE model) to parameters and a uniform source. */
export function episodeRunner(proto: Model, p: Params, u: Uniform): EpisodeRunner {
  const steps = proto.steps;
  const immediate: Step[] = steps.filter((s) => !s.delay);
  const timed: Step[] = [];
  const draw: Sampler[] = [];
  steps.forEach((st) => {
    if (!st.delay) return;
    timed.push(st);
    if ("rate" in st.delay) {
      const perUs = p[st.delay.rate] / 1000;
      draw.push(perUs > 0 ? sampler({ kind: "exponential", mean: 1 / perUs }, u) : () => Infinity);
    } else {
      draw.push(sampler(p[st.delay.param], u));
    }
  });
  const n = timed.length;
  const onCpu = timed.map((s) => s.onCpu === true);
  // Where in W's window the unmap instant falls, and the rest of W's work there.
  const phases = proto.window.map((ph) => ({
    window: ph, at: timed.findIndex((s) => s.id === ph.step), rest: equilibriumSampler(phaseDelay(proto, ph, p), u),
  }));
  const phaseCdf = phaseWeights(proto, p).map((_, k, w) => w.slice(0, k + 1).reduce((a, b) => a + b, 0));
  const resumeAt = timed.findIndex((s) => s.id === RESUME_STEP);
  const resumeRest = equilibriumSampler(p.preemptUs, u);
  const { settled, returned, freed, waiting } = proto;
  const pPreempted = preemptedAtUnmap(p);
  const clocks = new Float64Array(n);
  const weightsOf = steps.map((st) => st.effects.map((e) => (e.weight ? e.weight(p) : 1)));
  const weights = new Map(steps.map((st, i) => [st, weightsOf[i]!]));

  const fire = (st: Step, s: State) => {
    const effects = st.effects;
    if (effects.length === 1) return effects[0]!.apply(s);
    const w = weights.get(st)!;
    let x = u();
    for (let k = 0; k < effects.length - 1; k++) {
      if (x < w[k]!) return effects[k]!.apply(s);
      x -= w[k]!;
    }
    effects[effects.length - 1]!.apply(s);
  };

  return {
    run(out) {
      const preempted = u() < pPreempted;
      let k = 0;
      if (phases.length > 1) {
        const x = u();
        while (k < phases.length - 1 && x >= phaseCdf[k]!) k++;
      }
      const phase = phases[k]!;
      const s = unmapInstantState(proto, preempted, phase.window);
      clocks.fill(NaN);
      clocks[phase.at] = phase.rest();
      if (preempted) clocks[resumeAt] = resumeRest();
      let t = 0, returnedAt = NaN, freedAt = NaN, wait = 0;
      for (let events = 0; ; events++) {
        if (events > MAX_EVENTS) throw new Error(`episode exceeded ${MAX_EVENTS} events: check preemptRate and preemptUs`);
        // Immediate steps, in protocol order, until none is enabled.
        let fired = true;
        while (fired) {
          fired = false;
          for (const st of immediate) {
            if (st.enabled(s) && (!st.onCpu || s.wRunning)) {
              fire(st, s);
              fired = true;
              break;
            }
          }
        }
        if (returnedAt !== returnedAt && returned(s)) returnedAt = t;
        if (freedAt !== freedAt && freed(s)) freedAt = t;
        if (settled(s)) break;
        // The timed step whose clock runs out first.
        let best = -1, dt = Infinity;
        for (let i = 0; i < n; i++) {
          if (!timed[i]!.enabled(s)) { clocks[i] = NaN; continue; }
          if (clocks[i] !== clocks[i]) clocks[i] = draw[i]!();
          if (onCpu[i] && !s.wRunning) continue;
          if (clocks[i]! < dt) { dt = clocks[i]!; best = i; }
        }
        if (best < 0 || dt === Infinity) throw new Error(`episode stuck in state ${JSON.stringify(s)}`);
        t += dt;
        if (waiting(s)) wait += dt;
        for (let i = 0; i < n; i++) {
          if (clocks[i] === clocks[i] && (!onCpu[i] || s.wRunning)) clocks[i]! -= dt;
        }
        clocks[best] = NaN;
        fire(timed[best]!, s);
        if (returnedAt !== returnedAt && returned(s)) returnedAt = t;
        if (freedAt !== freedAt && freed(s)) freedAt = t;
      }
      if (returnedAt !== returnedAt || freedAt !== freedAt) {
        const early = settledTooEarly(proto, s);
        if (early) throw new ProtocolError(`protocol ${proto.name}`, "settled", early, "settled only once returned and freed hold: the unmap latency and the free delay end there");
      }
      out.race = flag(s, "race");
      out.corrupt = flag(s, "corrupt");
      out.torn = flag(s, "torn");
      out.unmapLatencyUs = returnedAt;
      out.freeDelayUs = freedAt;
      out.ipis = ipisOf(s);
      out.waitUs = wait;
      return out;
    },
  };
}
