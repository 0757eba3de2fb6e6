/**
 * Cases with answers derived by hand from MODEL.md, each checked against the
 * Monte Carlo engine's exact interval at a fixed seed. The intervals used are
 * 99.9% ones so that a correct engine fails about once in a thousand seeds,
 * while a wrong law (a few % off) fails at once.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import { simulate } from "../src/engines/montecarlo/run.js";
import { defineScenario } from "../src/model/scenario.js";
import { clopperPearson } from "../src/stats/proportion.js";

const EPISODES = 100_000;

async function pRaceOf(params: Record<string, unknown>, seed = 7) {
  return simulate(defineScenario({ params }), { episodes: EPISODES, seed });
}

function covers(name: string, k: number, n: number, expected: number) {
  const [lo, hi] = clopperPearson(k, n, 0.999);
  assert.ok(lo <= expected && expected <= hi, `${name}: expected ${expected}, engine ${k}/${n} = ${k / n} [${lo}, ${hi}]`);
}

test("kvm-pv skips exactly the preempted walker: pRace = λm/(1+λm) with an instant flush", async () => {
  for (const [rate, preempt] of [[0.1, "exp:3000"], [1, "uniform:0:400"], [0.02, "2000"]] as const) {
    const r = await pRaceOf({ flush: "kvm-pv", tableFree: "immediate", preemptRate: rate, preemptUs: preempt, flushUs: 0, reuseUs: 0 });
    const mean = preempt.startsWith("exp") ? 3000 : preempt.startsWith("uniform") ? 200 : 2000;
    const lm = (rate / 1000) * mean;
    covers(`rate ${rate} preempt ${preempt}`, r.races, r.episodes, lm / (1 + lm));
    // With instant reuse every use-after-free reads a reused page.
    assert.equal(r.corrupts, r.races);
  }
});

test("rcu-skip-sync races only when the batch allocation fails: pRace = p λm/(1+λm)", async () => {
  const p = 0.3, rate = 0.5, m = 1000;
  const r = await pRaceOf({ flush: "kvm-pv", tableFree: "rcu-skip-sync", memoryPressure: p, preemptRate: rate, preemptUs: `exp:${m}`, flushUs: 0 });
  const lm = (rate / 1000) * m;
  covers("skip-sync", r.races, r.episodes, (p * lm) / (1 + lm));
});

test("a hypercall flush never waits: pRace = P(remaining walk > flush time)", async () => {
  // Exponential walk: the remaining walk at u is Exp(a) again, so P = a / (a + b).
  const e = await pRaceOf({ flush: "hypercall", tableFree: "immediate", preemptRate: 0, walkUs: "exp:5", flushUs: "exp:3" });
  covers("exp walk", e.races, e.episodes, 5 / 8);
  // Fixed walk w, fixed flush φ: u is uniform over the walk, P = (w - φ)/w; reuse ρ later: (w - φ - ρ)/w.
  const f = await pRaceOf({ flush: "hypercall", tableFree: "immediate", preemptRate: 0, walkUs: 10, flushUs: 3, reuseUs: 4 });
  covers("fixed walk", f.races, f.episodes, 0.7);
  covers("fixed walk, corrupt", f.corrupts, f.episodes, 0.3);
  // Any walk whose support lies above φ: P = 1 - φ/mean(walk) (equilibrium law).
  const u = await pRaceOf({ flush: "broadcast", tableFree: "immediate", preemptRate: 0, walkUs: "uniform:4:20", flushUs: 3 });
  covers("uniform walk", u.races, u.episodes, 1 - 3 / 12);
  const emp = await pRaceOf({ flush: "broadcast", tableFree: "immediate", preemptRate: 0, walkUs: { kind: "empirical", samples: [4, 6, 6, 30] }, flushUs: 3 });
  covers("empirical walk", emp.races, emp.episodes, 1 - 3 / 11.5);
  // Log-normal walk (μ, σ): P(R > φ) = E[(W - φ)+]/m = Φ(d1) - (φ/m) Φ(d2), d1 = (μ + σ² - ln φ)/σ, d2 = d1 - σ.
  const mu = Math.log(5), s = 0.8, phi = 3, mean = Math.exp(mu + (s * s) / 2);
  const d1 = (mu + s * s - Math.log(phi)) / s;
  const ln = await pRaceOf({ flush: "hypercall", tableFree: "immediate", preemptRate: 0, walkUs: `lognormal:5:${s}`, flushUs: phi });
  covers("lognormal walk", ln.races, ln.episodes, normalCdf(d1, 0, 1) - (phi / mean) * normalCdf(d1 - s, 0, 1));
});

test("a native IPI flush waits for the walker: unmap latency = E[max(φ, R)] = (w² + φ²)/(2w)", async () => {
  const w = 10, phi = 4;
  const r = await pRaceOf({ flush: "native-ipi", tableFree: "immediate", preemptRate: 0, walkUs: w, flushUs: phi });
  assert.equal(r.races, 0);
  assert.equal(r.costs.ipis.mean, 1);
  const expected = (w * w + phi * phi) / (2 * w);
  // max(φ, R) lies in [φ, w]; its standard deviation is below w, so 6 sd/√n bounds the sampling error.
  assert.ok(Math.abs(r.costs.unmapLatencyUs.mean - expected) < (6 * w) / Math.sqrt(r.episodes),
    `mean unmap latency ${r.costs.unmapLatencyUs.mean}, expected ${expected}`);
  // U waits for the walker exactly as long as the walk outlasts the flush: E[(R - φ)+] = (w - φ)²/(2w).
  assert.ok(Math.abs(r.costs.waitUs.mean - ((w - phi) ** 2) / (2 * w)) < (6 * w) / Math.sqrt(r.episodes));
});

test("call_rcu holds the page at least a grace period: free delay = flush + gp when the walker is quick", async () => {
  const r = await pRaceOf({ flush: "hypercall", tableFree: "rcu", memoryPressure: 0, preemptRate: 0, walkUs: 1, flushUs: 2, gracePeriodUs: 1000 });
  assert.equal(r.races, 0);
  assert.equal(r.costs.freeDelayUs.p50, 1002);
  assert.equal(r.costs.freeDelayUs.max, 1002);
  assert.equal(r.costs.unmapLatencyUs.max, 2);
});
