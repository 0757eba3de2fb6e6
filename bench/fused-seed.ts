/**
 * The seed scenario (kvm_flush_tlb_multi + RCU table free, exponential
 * delays) as one hand-fused loop: no steps, no guards, just the timeline in
 * closed form. The benchmark's baseline, and an independent check of the
 * engine's numbers.
 */
import { mean } from "../dist/model/distribution.js";
import { preemptedAtUnmap } from "../dist/model/entry.js";
import type { Params } from "../dist/model/params.js";
import type { Uniform } from "../dist/random/stream.js";

export interface FusedTally { episodes: number; races: number; freeDelaySum: number; unmapLatencySum: number; ipis: number }

export function fusedSeed(p: Params, u: Uniform, episodes: number, t: FusedTally): void {
  for (const d of [p.walkUs, p.preemptUs, p.flushUs, p.ipiUs, p.gracePeriodUs, p.reuseUs])
    if (d.kind !== "exponential") throw new Error("the fused loop takes exponential delays only");
  if (p.flush !== "kvm-pv" || p.tableFree !== "rcu") throw new Error("the fused loop is the seed scenario only");
  const walk = mean(p.walkUs), pre = mean(p.preemptUs), flush = mean(p.flushUs), ipi = mean(p.ipiUs);
  const gp = mean(p.gracePeriodUs), reuse = mean(p.reuseUs), lambda = p.preemptRate / 1000, pressure = p.memoryPressure;
  const pPre = preemptedAtUnmap(p);
  const exp = (m: number) => -m * Math.log(1 - u());
  for (let i = 0; i < episodes; i++) {
    const preempted = u() < pPre;
    // Time from u to W's last read: rest of the current preemption, rest of the walk, later preemptions.
    let end = preempted ? exp(pre) : 0;
    let work = exp(walk);
    end += work;
    if (lambda > 0) {
      for (let at = exp(1 / lambda); at < work; at += exp(1 / lambda)) end += exp(pre);
    }
    // kvm_flush_tlb_multi: skip a preempted vCPU, else IPI it and wait for IRQs on.
    const f = exp(flush);
    let ipis = 0, flushed = f;
    if (!preempted) { ipis = 1; flushed = Math.max(f, end); }
    let free: number, returned: number;
    if (u() < pressure) {
      ipis++;
      free = Math.max(flushed + exp(ipi), end);
      returned = free;
    } else {
      free = Math.max(flushed + exp(gp), end);
      returned = flushed;
    }
    if (free < end) t.races++;
    // Consumed to keep the same work as the engine's reuse step.
    exp(reuse);
    t.freeDelaySum += free;
    t.unmapLatencySum += returned;
    t.ipis += ipis;
  }
  t.episodes += episodes;
}
