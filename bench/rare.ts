/**
 * The rare-event estimator against plain Monte Carlo: the time each needs to
 * reach a 10% relative error (the 95% interval's half-width over pRace) at
 * about 1e-4, 1e-7, 1e-10 and 1e-12, for lognormal, uniform and empirical
 * delays. The estimator is timed; plain Monte Carlo's time is its measured
 * rate on the same scenario times the episodes a binomial proportion needs,
 * (1.96 / 0.1)^2 (1 - p) / p.
 */
import { simulate } from "../dist/engines/montecarlo/run.js";
import { estimateRare } from "../dist/engines/rare/estimate.js";
import { defineScenario } from "../dist/model/scenario.js";

/**
 * Hypercall flush, the sync IPI skipped: a race needs a failed batch
 * allocation and a walk that outlasts the flush, so memoryPressure sets the
 * level and the delays' shapes the factor beside it.
 */
const KINDS = {
  lognormal: { walkUs: "lognormal:5:1", flushUs: "lognormal:60:0.3" },
  uniform: { walkUs: "uniform:1:30", flushUs: "uniform:5:40" },
  empirical: { walkUs: "csv:data/examples/walk-times.csv:walkUs", flushUs: "uniform:20:60" },
} as const;
const TARGETS = [1e-4, 1e-7, 1e-10, 1e-12];
const Z = 1.959963984540054, REL = 0.1;

const days = (sec: number) => (sec < 3600 ? `${sec.toPrecision(2)} s` : sec < 2 * 86400 ? `${(sec / 3600).toPrecision(2)} hours`
  : sec < 2 * 365 * 86400 ? `${Math.round(sec / 86400)} days` : `${(sec / (365 * 86400)).toPrecision(2)} years`);

export async function rareVsPlain(workers: number) {
  const out: Record<string, unknown>[] = [];
  console.log(`6. rare-event estimator vs plain Monte Carlo: time to ${100 * REL}% relative error, ${workers} workers`);
  for (const [kind, delays] of Object.entries(KINDS)) {
    const base = defineScenario({ base: "seed", params: { flush: "hypercall", tableFree: "rcu-skip-sync", preemptRate: 0, memoryPressure: 1, ...delays } });
    // Plain Monte Carlo's rate on this scenario, and the race's share with the allocation always failing.
    const n = 2_000_000;
    let t0 = performance.now();
    const plain = await simulate(base, { episodes: n, seed: 1 }, 0, { workers });
    const rate = n / ((performance.now() - t0) / 1000);
    const share = plain.pRace;
    for (const target of TARGETS) {
      const s = defineScenario({ base: "seed", params: { ...base.params, memoryPressure: target / share } });
      t0 = performance.now();
      const r = await estimateRare(s, { relError: REL, seed: 1 }, { workers });
      const sec = (performance.now() - t0) / 1000;
      const plainSec = ((Z / REL) ** 2 * (1 - r.pRace)) / r.pRace / rate;
      console.log(`   ${kind.padEnd(9)} pRace ${r.pRace.toExponential(2)} (+-${(100 * r.relativeError).toFixed(1)}%${r.reliable ? "" : ", NOT RELIABLE"}): ` +
        `${sec.toFixed(1)} s; plain Monte Carlo ${days(plainSec)} at ${(rate / 1e6).toFixed(2)} M/s: ratio ${(plainSec / sec).toPrecision(3)}`);
      out.push({ kind, target, pRace: r.pRace, relativeError: r.relativeError, reliable: r.reliable, seconds: Number(sec.toFixed(2)),
        plainEpisodesPerSec: Math.round(rate), plainSecondsExtrapolated: Number(plainSec.toPrecision(3)), ratio: Number((plainSec / sec).toPrecision(3)) });
    }
  }
  return out;
}
