/**
 * One episode over many vCPUs (MODEL.md, "Many vCPUs"): the semantics of
 * episode.ts, with W's and the host's steps running on every vCPU of the mm
 * and U's reading them all. `walkers` vCPUs start inside GUP-fast at the
 * unmap instant, each independently placed in its window and preempted with
 * the probability entry.ts derives; the others start outside GUP-fast
 * (the protocol's `bystander`), preempted with the same probability, since a
 * vCPU is preempted at the same rate whatever it runs.
 *
 * Cost per event is kept linear in the vCPUs: after a step of one vCPU only
 * that vCPU's guards are read again (every vCPU's when the step writes a
 * variable of the mm that a vCPU's guard reads), after one of U's every
 * vCPU's. Immediate steps fire first, U's before the vCPUs', each in
 * protocol order, the vCPUs by number; then the timed step whose clock runs
 * out first. A clock is drawn when its step becomes enabled on its vCPU and
 * dropped when it stops being enabled; on-CPU clocks stand still while
 * their vCPU is preempted.
 */
import { equilibriumSampler, type Sampler, sampler } from "../../random/sample.js";
import type { Uniform } from "../../random/stream.js";
import { phaseDelay, phaseWeights, preemptedAtUnmap } from "../../model/entry.js";
import type { Params } from "../../model/params.js";
import { bystanderAtUnmap, initialGlobals, type ManyModel, type ManyStep, walkerAtUnmap } from "../../model/population.js";
import { RESUME_STEP, type State } from "../../model/protocol.js";
import { ProtocolError } from "../../protocol/source.js";
import { type EpisodeRunner, MAX_EVENTS } from "./episode.js";

function samplerOf(st: ManyStep, p: Params, u: Uniform): Sampler {
  if ("rate" in st.delay!) {
    const perUs = p[st.delay.rate] / 1000;
    return perUs > 0 ? sampler({ kind: "exponential", mean: 1 / perUs }, u) : () => Infinity;
  }
  return sampler(p[st.delay!.param], u);
}

export function manyEpisodeRunner(m: ManyModel, p: Params, u: Uniform): EpisodeRunner {
  const n = p.cpus - 1, walkers = p.walkers;
  if (n > walkers && !m.bystander)
    throw new ProtocolError(`protocol ${m.name}`, "bystander", `cpus ${p.cpus} with walkers ${walkers}`, "a `bystander` that puts a vCPU outside GUP-fast, or cpus = walkers + 1");
  const cpuImm = m.steps.filter((s) => s.perCpu && !s.delay);
  const cpuTimed = m.steps.filter((s) => s.perCpu && s.delay);
  const uImm = m.steps.filter((s) => !s.perCpu && !s.delay);
  const uTimed = m.steps.filter((s) => !s.perCpu && s.delay);
  const locals = new Set(m.locals.map((v) => v.name));
  // Variables of the mm that some vCPU's guard reads: a vCPU's step writing one makes every vCPU's guards stale.
  const cpuReads = new Set(m.steps.filter((s) => s.perCpu).flatMap((s) => [...s.reads].filter((x) => !locals.has(x))));
  const touchesAll = (s: ManyStep) => [...s.writes].some((x) => cpuReads.has(x));
  const cpuImmAll = cpuImm.map(touchesAll), cpuTimedAll = cpuTimed.map(touchesAll);
  const cpuDraw = cpuTimed.map((s) => samplerOf(s, p, u)), uDraw = uTimed.map((s) => samplerOf(s, p, u));
  const nc = cpuTimed.length, nu = uTimed.length;
  const onCpu = cpuTimed.map((s) => s.onCpu === true);
  const uOnCpu = uTimed.findIndex((s) => s.onCpu);
  if (uOnCpu >= 0) throw new ProtocolError(`protocol ${m.name}`, `step ${uTimed[uOnCpu]!.id}`, "onCpu on a step of U", "onCpu on W's and the host's steps");
  const phases = m.window.map((ph) => ({ at: cpuTimed.findIndex((s) => s.id === ph.step), rest: equilibriumSampler(phaseDelay(m, ph, p), u) }));
  const phaseCdf = phaseWeights(m, p).map((_, k, w) => w.slice(0, k + 1).reduce((a, b) => a + b, 0));
  const resumeAt = cpuTimed.findIndex((s) => s.id === RESUME_STEP);
  const resumeRest = equilibriumSampler(p.preemptUs, u);
  const pPreempted = preemptedAtUnmap(p);
  const weights = new Map(m.steps.map((st) => [st, st.effects.map((e) => (e.weight ? e.weight(p as unknown as Record<string, unknown>) : 1))]));
  const clocks = new Float64Array(n * nc), uClocks = new Float64Array(nu);
  const dirtyImm = new Uint8Array(n), dirtyTimed = new Uint8Array(n);
  const { settled, returned, freed, waiting } = m;

  const fire = (st: ManyStep, g: State, l: State | undefined, cpus: State[]) => {
    const effects = st.effects;
    if (effects.length === 1) return effects[0]!.apply(g, l, cpus);
    const w = weights.get(st)!;
    let x = u();
    for (let k = 0; k < effects.length - 1; k++) {
      if (x < w[k]!) return effects[k]!.apply(g, l, cpus);
      x -= w[k]!;
    }
    effects[effects.length - 1]!.apply(g, l, cpus);
  };

  return {
    run(out) {
      const g = initialGlobals(m);
      const cpus: State[] = new Array(n);
      clocks.fill(NaN);
      uClocks.fill(NaN);
      for (let i = 0; i < n; i++) {
        const preempted = u() < pPreempted;
        if (i < walkers) {
          let k = 0;
          if (phases.length > 1) {
            const x = u();
            while (k < phases.length - 1 && x >= phaseCdf[k]!) k++;
          }
          cpus[i] = walkerAtUnmap(m, g, preempted, k);
          clocks[i * nc + phases[k]!.at] = phases[k]!.rest();
        } else {
          cpus[i] = bystanderAtUnmap(m, g, preempted);
        }
        if (preempted) clocks[i * nc + resumeAt] = resumeRest();
      }
      dirtyImm.fill(1);
      dirtyTimed.fill(1);
      const markAll = () => { dirtyImm.fill(1); dirtyTimed.fill(1); };
      let t = 0, returnedAt = NaN, freedAt = NaN, wait = 0;
      for (let events = 0; ; events++) {
        if (events > MAX_EVENTS) throw new Error(`episode exceeded ${MAX_EVENTS} events: check preemptRate and preemptUs`);
        // Immediate steps until none is enabled: U's first, then each vCPU's.
        for (let fired = true; fired;) {
          fired = false;
          for (const st of uImm) {
            if (st.enabled(g, undefined, cpus)) { fire(st, g, undefined, cpus); markAll(); fired = true; break; }
          }
          if (fired) continue;
          for (let i = 0; i < n && !fired; i++) {
            if (!dirtyImm[i]) continue;
            const l = cpus[i]!;
            for (let k = 0; k < cpuImm.length; k++) {
              const st = cpuImm[k]!;
              if ((l.wRunning || !st.onCpu) && st.enabled(g, l, cpus)) {
                fire(st, g, l, cpus);
                dirtyTimed[i] = 1;
                if (cpuImmAll[k]) markAll();
                fired = true;
                break;
              }
            }
            if (!fired) dirtyImm[i] = 0;
          }
        }
        if (returnedAt !== returnedAt && returned(g, cpus)) returnedAt = t;
        if (freedAt !== freedAt && freed(g, cpus)) freedAt = t;
        if (settled(g, cpus)) break;
        // Clocks of the steps now enabled; the one that runs out first.
        for (let i = 0; i < n; i++) {
          if (!dirtyTimed[i]) continue;
          dirtyTimed[i] = 0;
          const l = cpus[i]!;
          for (let k = 0; k < nc; k++) {
            const j = i * nc + k;
            if (!cpuTimed[k]!.enabled(g, l, cpus)) clocks[j] = NaN;
            else if (clocks[j] !== clocks[j]) clocks[j] = cpuDraw[k]!();
          }
        }
        for (let k = 0; k < nu; k++) {
          if (!uTimed[k]!.enabled(g, undefined, cpus)) uClocks[k] = NaN;
          else if (uClocks[k] !== uClocks[k]) uClocks[k] = uDraw[k]!();
        }
        let best = -1, dt = Infinity;
        for (let k = 0; k < nu; k++) if (uClocks[k]! < dt) { dt = uClocks[k]!; best = n * nc + k; }
        for (let i = 0; i < n; i++) {
          const running = cpus[i]!.wRunning === true;
          for (let k = 0; k < nc; k++) {
            const c = clocks[i * nc + k]!;
            if (c < dt && (running || !onCpu[k])) { dt = c; best = i * nc + k; }
          }
        }
        if (best < 0 || dt === Infinity) throw new Error(`episode stuck in state ${JSON.stringify({ ...g, cpus })}`);
        t += dt;
        if (waiting(g, cpus)) wait += dt;
        for (let k = 0; k < nu; k++) uClocks[k]! -= dt;
        for (let i = 0; i < n; i++) {
          const running = cpus[i]!.wRunning === true;
          for (let k = 0; k < nc; k++) if (running || !onCpu[k]) clocks[i * nc + k]! -= dt;
        }
        if (best >= n * nc) {
          const k = best - n * nc;
          uClocks[k] = NaN;
          fire(uTimed[k]!, g, undefined, cpus);
          markAll();
        } else {
          const i = Math.floor(best / nc), k = best - i * nc;
          clocks[best] = NaN;
          fire(cpuTimed[k]!, g, cpus[i]!, cpus);
          dirtyImm[i] = 1;
          dirtyTimed[i] = 1;
          if (cpuTimedAll[k]) markAll();
        }
        if (returnedAt !== returnedAt && returned(g, cpus)) returnedAt = t;
        if (freedAt !== freedAt && freed(g, cpus)) freedAt = t;
      }
      if (returnedAt !== returnedAt || freedAt !== freedAt)
        throw new ProtocolError(`protocol ${m.name}`, "settled", `an episode settled before \`${returnedAt !== returnedAt ? "returned" : "freed"}\` holds (u=${String(g.u)})`,
          "settled only once returned and freed hold: the unmap latency and the free delay end there");
      out.race = g.race === true;
      out.corrupt = g.corrupt === true;
      out.torn = false;
      out.unmapLatencyUs = returnedAt;
      out.freeDelayUs = freedAt;
      out.ipis = typeof g.ipis === "number" ? g.ipis : 0;
      out.waitUs = wait;
      return out;
    },
  };
}

