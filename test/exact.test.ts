/**
 * The exact engine against the Monte Carlo engine, against closed forms
 * derived by hand from MODEL.md, and at probabilities near 1e-12 that no
 * sampling can reach.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import fc from "fast-check";
import { buildChain, stateKey } from "../src/engines/exact/chain.js";
import { exactApplies, solveExact } from "../src/engines/exact/index.js";
import { sensitivity } from "../src/engines/exact/sensitivity.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { InputError } from "../src/model/errors.js";
import { FLUSH_MECHANISMS, TABLE_FREE_MODES } from "../src/model/params.js";
import { canFire, copyState, type State, tableFreeModel } from "../src/model/protocol.js";
import { defineScenario } from "../src/model/scenario.js";
import { stream } from "../src/random/stream.js";
import * as tr from "../src/index.js";

const scenarioOf = (params: Record<string, unknown>) => defineScenario({ params });
const solve = (params: Record<string, unknown>) => solveExact(scenarioOf(params));

/** |a - b| <= tol * |b|, with a message that shows both. */
function close(actual: number, expected: number, tol: number, what: string) {
  const rel = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  assert.ok(rel <= tol, `${what}: exact ${actual}, closed form ${expected}, relative error ${rel.toExponential(2)}`);
}

// ---------------------------------------------------------------------------
// Closed forms. Notation: ω = 1/walkUs, φ = 1/flushUs, ρ = 1/preemptUs,
// μ = 1/reuseUs, λ = preemptRate/1000 (per µs), p = memoryPressure,
// π = λm/(1+λm) with m = preemptUs: W is preempted at the unmap instant.
//
// A race needs P freed before W's last read. With a flush that does not wait
// for W (kvm-pv skipping a preempted W, hypercall, broadcast), the free
// follows the flush, so what matters is whether a clock of rate c (the flush,
// then the reuse) runs out before W's remaining walk. W alternates between
// preempted (leaves at ρ) and running (walk ends at ω, preempted at λ):
//   A(c) = P(clock first | W preempted) = c(c+ω+λ+ρ) / D(c),
//   B(c) = P(clock first | W running)   = c(c+λ+ρ)   / D(c),
//   D(c) = c(c+ω+λ+ρ) + ρω,
// from A(c+ρ) = c + ρB and B(c+ω+λ) = c + λA. Split by W's state when the
// clock runs out: from preempted a_p = c(c+ω+λ)/D, a_r = ρc/D; from running
// b_p = λc/D, b_r = c(c+ρ)/D.
// ---------------------------------------------------------------------------
interface Rates { w: number; f: number; r: number; m: number; l: number; pi: number }
function rates(walk: number, flush: number, preemptUs: number, reuse: number, preemptRate: number): Rates {
  const lm = (preemptRate / 1000) * preemptUs;
  return { w: 1 / walk, f: 1 / flush, r: 1 / preemptUs, m: 1 / reuse, l: preemptRate / 1000, pi: lm / (1 + lm) };
}
const D = (k: Rates, c: number) => c * (c + k.w + k.l + k.r) + k.r * k.w;
const A = (k: Rates, c: number) => (c * (c + k.w + k.l + k.r)) / D(k, c);
const B = (k: Rates, c: number) => (c * (c + k.l + k.r)) / D(k, c);
/** P(flush first, then reuse before the walk ends), starting preempted or running. */
const corruptFrom = (k: Rates, preempted: boolean) => {
  const d = D(k, k.f);
  const [toPre, toRun] = preempted ? [(k.f * (k.f + k.w + k.l)) / d, (k.r * k.f) / d] : [(k.l * k.f) / d, (k.f * (k.f + k.r)) / d];
  return toPre * A(k, k.m) + toRun * B(k, k.m);
};

test("kvm-pv skips exactly the preempted walker: with an instant flush and reuse, pRace = pCorrupt = λm/(1+λm)", () => {
  for (const [rate, m] of [[0.1, 3000], [1, 200], [0.02, 2000], [50, 7]] as const) {
    const r = solve({ flush: "kvm-pv", tableFree: "immediate", preemptRate: rate, preemptUs: `exp:${m}`, flushUs: 0, reuseUs: 0 });
    const lm = (rate / 1000) * m;
    close(r.pRace, lm / (1 + lm), 1e-9, `rate ${rate}, m ${m}`);
    close(r.pCorrupt, lm / (1 + lm), 1e-9, `corrupt, rate ${rate}, m ${m}`);
  }
});

test("kvm-pv with an immediate free: pRace = π A(φ), pCorrupt = π (a_p A(μ) + a_r B(μ)); IPIs = 1 - π", () => {
  const k = rates(5, 3, 3000, 50, 0.7);
  const r = solve({ flush: "kvm-pv", tableFree: "immediate", walkUs: "exp:5", flushUs: "exp:3", preemptUs: "exp:3000", reuseUs: "exp:50", preemptRate: 0.7 });
  close(r.pRace, k.pi * A(k, k.f), 1e-9, "pRace");
  close(r.pCorrupt, k.pi * corruptFrom(k, true), 1e-9, "pCorrupt");
  // A running W gets the flush IPI; a preempted one is skipped and never gets one.
  close(r.costs.ipis, 1 - k.pi, 1e-9, "IPIs");
});

test("hypercall and broadcast flushes never wait: pRace = π A(φ) + (1-π) B(φ), and pCorrupt likewise", () => {
  const k = rates(8, 20, 150, 30, 3);
  for (const flush of ["hypercall", "broadcast"]) {
    const r = solve({ flush, tableFree: "immediate", walkUs: "exp:8", flushUs: "exp:20", preemptUs: "exp:150", reuseUs: "exp:30", preemptRate: 3 });
    close(r.pRace, k.pi * A(k, k.f) + (1 - k.pi) * B(k, k.f), 1e-9, `${flush} pRace`);
    close(r.pCorrupt, k.pi * corruptFrom(k, true) + (1 - k.pi) * corruptFrom(k, false), 1e-9, `${flush} pCorrupt`);
    assert.equal(r.costs.ipis, 0);
    close(r.costs.unmapLatencyUs, 20, 1e-9, "unmap latency = the flush");
  }
  // Without preemption: P(remaining walk > flush) = ω'/(ω'+φ') in means: walk/(walk+flush).
  const plain = solve({ flush: "hypercall", tableFree: "immediate", preemptRate: 0, walkUs: "exp:5", flushUs: "exp:3" });
  close(plain.pRace, 5 / 8, 1e-12, "5/8");
});

test("rcu-skip-sync races only on a failed batch allocation: pRace = p π A(φ)", () => {
  const k = rates(5, 3, 1000, 50, 0.5);
  const r = solve({ flush: "kvm-pv", tableFree: "rcu-skip-sync", memoryPressure: 0.3, preemptRate: 0.5, preemptUs: "exp:1000", walkUs: "exp:5", flushUs: "exp:3", reuseUs: "exp:50" });
  close(r.pRace, 0.3 * k.pi * A(k, k.f), 1e-9, "pRace");
  close(r.pCorrupt, 0.3 * k.pi * corruptFrom(k, true), 1e-9, "pCorrupt");
  // The closed form of test/closed-form.test.ts, with an instant flush: p λm/(1+λm).
  const instant = solve({ flush: "kvm-pv", tableFree: "rcu-skip-sync", memoryPressure: 0.3, preemptRate: 0.5, preemptUs: "exp:1000", flushUs: 0 });
  close(instant.pRace, 0.3 * k.pi, 1e-9, "instant flush");
});

test("a native IPI flush waits for the walker: latency E[max(F, R)], wait E[(R - F)+] = w²/(w + f)", () => {
  const w = 10, f = 4;
  const r = solve({ flush: "native-ipi", tableFree: "immediate", preemptRate: 0, walkUs: `exp:${w}`, flushUs: `exp:${f}` });
  assert.equal(r.pRace, 0);
  close(r.costs.ipis, 1, 1e-12, "one IPI");
  // E[max] = f + w - E[min] = f + w - fw/(f + w); U waits while the walk outlasts the flush.
  close(r.costs.unmapLatencyUs, f + w - (f * w) / (f + w), 1e-9, "unmap latency");
  close(r.costs.freeDelayUs, f + w - (f * w) / (f + w), 1e-9, "free delay");
  close(r.costs.waitUs, (w * w) / (w + f), 1e-9, "wait");
});

test("call_rcu and the sync IPI hold the page for the walk: free delays in closed form", () => {
  // call_rcu returns at once (latency = flush); the free comes after the grace
  // period, and later if W is still walking then: f + g + w P(R > F + G).
  const w = 30, f = 2, g = 100, i = 5;
  const rcu = solve({ flush: "hypercall", tableFree: "rcu", memoryPressure: 0, preemptRate: 0, walkUs: `exp:${w}`, flushUs: `exp:${f}`, gracePeriodUs: `exp:${g}` });
  assert.equal(rcu.pRace, 0);
  close(rcu.costs.unmapLatencyUs, f, 1e-9, "rcu latency");
  close(rcu.costs.freeDelayUs, f + g + w * (w / (w + f)) * (w / (w + g)), 1e-9, "rcu free delay");
  // tlb_remove_table_sync_one: the IPI's round trip, then waiting for W's answer.
  const sync = solve({ flush: "hypercall", tableFree: "sync-ipi", preemptRate: 0, walkUs: `exp:${w}`, flushUs: `exp:${f}`, ipiUs: `exp:${i}` });
  const wait = w * (w / (w + f)) * (w / (w + i));
  assert.equal(sync.pRace, 0);
  close(sync.costs.freeDelayUs, f + i + wait, 1e-9, "sync free delay");
  close(sync.costs.unmapLatencyUs, f + i + wait, 1e-9, "sync latency");
  close(sync.costs.waitUs, wait, 1e-9, "sync wait");
  close(sync.costs.ipis, 1, 1e-12, "sync IPIs");
});

test("the seed's argument holds exactly: RCU table free, the sync IPI and a native flush give pRace = 0", () => {
  for (const flush of FLUSH_MECHANISMS)
    for (const tableFree of ["rcu", "sync-ipi"])
      assert.equal(solve({ flush, tableFree, preemptRate: 5, memoryPressure: 0.5 }).pRace, 0, `${flush} + ${tableFree}`);
  for (const tableFree of TABLE_FREE_MODES)
    assert.equal(solve({ flush: "native-ipi", tableFree, preemptRate: 5, memoryPressure: 0.5 }).pRace, 0, `native-ipi + ${tableFree}`);
});

test("rare events near 1e-12 agree with the closed form to 1e-9 relative", () => {
  const cases = [
    // Rare allocation failure on a rarely preempted vCPU: p π A(φ) with A near 1.
    { memoryPressure: 1e-6, preemptRate: 1e-6, preemptUs: "exp:1000", walkUs: "exp:5", flushUs: "exp:3", reuseUs: "exp:50" },
    // A slow flush against a walker preempted back and forth (λm = 1): the
    // preempt/resume cycle is taken many times before the walk ends, and A(φ) ~ 1e-8.
    { memoryPressure: 1e-4, preemptRate: 1000, preemptUs: "exp:1", walkUs: "exp:5", flushUs: "exp:4e8", reuseUs: "exp:50" },
  ];
  for (const c of cases) {
    const r = solve({ flush: "kvm-pv", tableFree: "rcu-skip-sync", ...c });
    const k = rates(Number(c.walkUs.slice(4)), Number(c.flushUs.slice(4)), Number(c.preemptUs.slice(4)), 50, c.preemptRate);
    const expected = c.memoryPressure * k.pi * A(k, k.f);
    assert.ok(expected > 1e-13 && expected < 1e-11, `the case is near 1e-12: ${expected}`);
    close(r.pRace, expected, 1e-9, `pRace ${JSON.stringify(c)}`);
    close(r.pCorrupt, c.memoryPressure * k.pi * corruptFrom(k, true), 1e-9, "pCorrupt");
    assert.ok(r.residual < 1e-13, `residual ${r.residual}`);
  }
});

test("elasticities match the closed form: pRace = p λm/(1+λm) gives 1, 1/(1+λm), 1/(1+λm)", () => {
  const s = scenarioOf({ flush: "kvm-pv", tableFree: "rcu-skip-sync", memoryPressure: 0.2, preemptRate: 2, preemptUs: "exp:500", flushUs: 0 });
  const d = sensitivity(s);
  const lm = (2 / 1000) * 500;
  const e = Object.fromEntries(d.rows.map((r) => [r.param, r.elasticity]));
  close(e.memoryPressure!, 1, 1e-6, "memoryPressure");
  close(e.preemptRate!, 1 / (1 + lm), 1e-4, "preemptRate");
  close(e.preemptUs!, 1 / (1 + lm), 1e-4, "preemptUs");
  assert.equal(d.rows.find((r) => r.param === "flushUs")!.elasticity, null, "a fixed 0 has no log scale");
  // rcu-skip-sync never sends tlb_remove_table_sync_one: no step waits for ipiUs.
  assert.deepEqual(d.rows.map((r) => r.param), ["walkUs", "preemptRate", "preemptUs", "flushUs", "memoryPressure", "gracePeriodUs", "reuseUs"]);
  const low = d.rows.find((r) => r.param === "memoryPressure")!;
  close(low.pRaceLow, d.pRace / 2, 1e-12, "pRace at p / 2");
  // memoryPressure cannot pass 1: one-sided, and the tornado's bar stops at 1.
  const top = sensitivity(scenarioOf({ flush: "kvm-pv", tableFree: "rcu-skip-sync", memoryPressure: 1, flushUs: 0 }));
  const mp = top.rows.find((r) => r.param === "memoryPressure")!;
  assert.equal(mp.high, 1);
  assert.match(mp.note, /one-sided/);
  close(mp.elasticity!, 1, 1e-9, "one-sided");
});

// ---------------------------------------------------------------------------
// Against the Monte Carlo engine.
// ---------------------------------------------------------------------------
const round3 = (x: number) => Number(x.toPrecision(3));

/** A random exponential parameter set; some delays are 0 (steps that happen at once). */
function randomParams(u: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(u() * xs.length)]!;
  const logUniform = (lo: number, hi: number) => round3(lo * (hi / lo) ** u());
  const delay = (lo: number, hi: number, zero: boolean) => (zero && u() < 0.15 ? 0 : `exp:${logUniform(lo, hi)}`);
  return {
    flush: pick(["kvm-pv", "hypercall", "broadcast", "native-ipi"]),
    tableFree: pick(["immediate", "rcu-skip-sync", "rcu", "sync-ipi"]),
    walkUs: delay(1, 50, false),
    preemptRate: logUniform(0.01, 100),
    preemptUs: delay(5, 5000, true),
    flushUs: delay(0.5, 50, true),
    ipiUs: delay(0.5, 20, true),
    memoryPressure: round3(u()),
    gracePeriodUs: delay(100, 20000, false),
    reuseUs: delay(1, 500, true),
  };
}

test("Monte Carlo's 95% interval covers the exact pRace in at least 18 of 20+ random parameter sets", async () => {
  const u = stream(20261125, 5);
  const sets: { params: Record<string, unknown>; exact: number }[] = [];
  for (let tries = 0; sets.length < 24 && tries < 2000; tries++) {
    const params = randomParams(u);
    const exact = solve(params).pRace;
    if (exact > 1e-3) sets.push({ params, exact });
  }
  assert.equal(sets.length, 24);
  const EPISODES = 40_000;
  const rows: string[] = [];
  let covered = 0;
  for (const [i, { params, exact }] of sets.entries()) {
    const mc = await simulate(scenarioOf(params), { episodes: EPISODES, seed: 100 + i }, 0, { workers: 1 });
    const ok = mc.ci95[0] <= exact && exact <= mc.ci95[1];
    if (ok) covered++;
    rows.push([String(i).padStart(2), String(params.flush).padEnd(10), String(params.tableFree).padEnd(13), exact.toPrecision(4).padStart(10),
      mc.pRace.toPrecision(4).padStart(10), `[${mc.ci95[0].toPrecision(3)}, ${mc.ci95[1].toPrecision(3)}]`.padEnd(20), ok ? "yes" : "NO"].join(" "));
  }
  console.log([` # flush      tableFree          exact   MC pRace  MC 95% interval      covers (${EPISODES} episodes)`, ...rows,
    `${covered} of ${sets.length} covered`].join("\n"));
  assert.ok(covered >= 18, `only ${covered} of ${sets.length} intervals cover the exact value`);
});

test("expected costs agree with Monte Carlo means (99.9% t-intervals over 8 seeded batches)", async () => {
  const T_7 = 5.408; // two-sided 99.9% quantile of Student's t with 7 degrees of freedom
  const cases = [
    { flush: "kvm-pv", tableFree: "rcu", preemptRate: 1, memoryPressure: 0.3 },
    { flush: "kvm-pv", tableFree: "rcu-pt-reclaim", preemptRate: 1, memoryPressure: 0.3 },
    { flush: "kvm-pv", tableFree: "sync-ipi", preemptRate: 2, preemptUs: "exp:300" },
    { flush: "hypercall", tableFree: "rcu-skip-sync", memoryPressure: 0.5, reuseUs: 0 },
    { flush: "native-ipi", tableFree: "rcu", preemptRate: 5, preemptUs: "exp:100", gracePeriodUs: "exp:50", flushUs: 0 },
  ];
  for (const params of cases) {
    const exact = solve(params);
    const batches = await Promise.all(Array.from({ length: 8 }, (_, b) =>
      simulate(scenarioOf(params), { episodes: 20_000, seed: 500 + b }, 0, { workers: 1 })));
    for (const cost of ["unmapLatencyUs", "freeDelayUs", "ipis", "waitUs"] as const) {
      const xs = batches.map((r) => r.costs[cost].mean);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
      const half = T_7 * sd / Math.sqrt(xs.length);
      assert.ok(Math.abs(mean - exact.costs[cost]) <= half + 1e-9 * Math.abs(mean),
        `${JSON.stringify(params)} ${cost}: exact ${exact.costs[cost]}, Monte Carlo ${mean} +- ${half}`);
    }
  }
});

// ---------------------------------------------------------------------------
// The chain itself.
// ---------------------------------------------------------------------------
test("no guard reads the preemption count, so the chain may leave it out of a state", () => {
  for (const flush of FLUSH_MECHANISMS) for (const tableFree of TABLE_FREE_MODES) {
    const p = scenarioOf({ flush, tableFree, preemptRate: 1, memoryPressure: 0.5 }).params;
    const steps = tableFreeModel(p).steps;
    for (const key of buildChain(p).transient) {
      const at = (n: number): State => ({ ...(JSON.parse(key) as Omit<State, "preemptions">), preemptions: n });
      for (const st of steps) {
        assert.equal(canFire(st, at(0)), canFire(st, at(7)), `${st.id} in ${key}`);
        for (const e of st.effects) {
          const [a, b] = [copyState(at(0)), copyState(at(7))];
          e.apply(a);
          e.apply(b);
          assert.equal(stateKey(a), stateKey(b), `${st.id}: ${e.label}`);
        }
      }
    }
  }
});

const exponentialParams = fc.record({
  flush: fc.constantFrom(...FLUSH_MECHANISMS),
  tableFree: fc.constantFrom(...TABLE_FREE_MODES),
  walkUs: fc.double({ min: 0.1, max: 100, noNaN: true }).map((m) => `exp:${m}`),
  preemptRate: fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 1000, noNaN: true })),
  preemptUs: fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 1e4, noNaN: true }).map((m) => `exp:${m}`)),
  flushUs: fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 100, noNaN: true }).map((m) => `exp:${m}`)),
  ipiUs: fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 100, noNaN: true }).map((m) => `exp:${m}`)),
  memoryPressure: fc.double({ min: 0, max: 1, noNaN: true }),
  gracePeriodUs: fc.double({ min: 1, max: 1e5, noNaN: true }).map((m) => `exp:${m}`),
  reuseUs: fc.oneof(fc.constant(0), fc.double({ min: 0.1, max: 1000, noNaN: true }).map((m) => `exp:${m}`)),
});

test("for any exponential parameters: probabilities in [0, 1], corrupt within race, small residual, same answer twice", () => {
  fc.assert(fc.property(exponentialParams, (params) => {
    const r = solve(params), again = solve(params);
    assert.ok(r.pRace >= 0 && r.pRace <= 1 + 1e-12, `pRace ${r.pRace}`);
    assert.ok(r.pCorrupt >= 0 && r.pCorrupt <= r.pRace * (1 + 1e-12), `pCorrupt ${r.pCorrupt} > pRace ${r.pRace}`);
    assert.ok(r.residual < 1e-12, `residual ${r.residual}`);
    for (const c of Object.values(r.costs)) assert.ok(c >= 0 && Number.isFinite(c));
    assert.ok(r.costs.ipis <= 2 && r.costs.waitUs <= r.costs.unmapLatencyUs * (1 + 1e-12));
    if (params.flush === "native-ipi" || params.tableFree === "rcu" || params.tableFree === "sync-ipi" || params.tableFree === "rcu-pt-reclaim")
      assert.equal(r.pRace, 0);
    assert.deepEqual({ ...again, seconds: 0 }, { ...r, seconds: 0 });
  }), { numRuns: 150, seed: 5 });
});

// ---------------------------------------------------------------------------
// Input.
// ---------------------------------------------------------------------------
test("a non-exponential delay is refused by name and value, with the same-mean exponential offered", () => {
  const s = scenarioOf({ walkUs: "uniform:4:20" });
  assert.deepEqual(exactApplies(s), { ok: false, param: "walkUs", why: "uniform:4:20 is not exponential; the chain needs exp:MEAN or 0" });
  assert.throws(() => solveExact(s), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.equal(e.field, "walkUs");
    assert.equal(e.value, "uniform:4:20");
    assert.match(e.message, /exp:12, the same mean/);
    assert.match(e.message, /approximate: true \(CLI: --approximate\)/);
    return true;
  });
  const approx = solveExact(s, { approximate: true });
  assert.deepEqual(approx.approximated, [{ param: "walkUs", given: "uniform:4:20", used: "exp:12" }]);
  assert.equal(approx.manifest.params.walkUs, "exp:12");
  const direct = solve({ walkUs: "exp:12" });
  assert.equal(approx.pRace, direct.pRace);
  assert.deepEqual(approx.costs, direct.costs);
  // Fixed 0 is a step that happens at once: no approximation needed.
  assert.deepEqual(exactApplies(scenarioOf({ flushUs: 0, reuseUs: "uniform:0:0" })), { ok: true });
  // A delay no step of this protocol waits for does not matter.
  assert.deepEqual(exactApplies(scenarioOf({ tableFree: "immediate", gracePeriodUs: "lognormal:1000:1", ipiUs: 3 })), { ok: true });
  assert.equal(exactApplies(scenarioOf({ tableFree: "sync-ipi", ipiUs: 3 })).ok, false);
});

test("bad options name the field", () => {
  const s = scenarioOf({});
  assert.throws(() => solveExact(s, { approximate: "yes" } as unknown as { approximate: boolean }), /approximate: "yes" is not allowed; expected true or false/);
  assert.throws(() => solveExact(s, { episodes: 5 } as unknown as { approximate: boolean }), /option: "episodes" is not allowed/);
  assert.throws(() => sensitivity(s, { step: 0 }), /step: 0 is not allowed/);
  assert.throws(() => sensitivity(s, { factor: 1 }), /factor: 1 is not allowed/);
});

// ---------------------------------------------------------------------------
// The notebook view.
// ---------------------------------------------------------------------------
const emailSafe = (s: string) => {
  for (const line of s.split("\n")) {
    assert.ok(line.length <= 72, `line over 72 columns: ${line}`);
    assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII or tab in: ${line}`);
  }
};

test("tr.exact prints a compact, email-safe text form; its numbers are the engine's", () => {
  const s = tr.scenario("seed").with({ tableFree: "rcu-skip-sync", walkUs: "lognormal:4:0.5" });
  assert.throws(() => tr.exact(s), /walkUs/);
  const x = tr.exact(s, { approximate: true });
  const text = inspect(x);
  emailSafe(text);
  assert.match(text, /^seed: /);
  assert.match(text, /approximated: walkUs lognormal:4:0\.5 solved as exp:/);
  assert.match(text, new RegExp(`exact CTMC: ${x.states} states`));
  assert.equal(x.pRace, solveExact(s, { approximate: true }).pRace);
  const t = x.summary();
  assert.deepEqual(t.array("measure").slice(0, 2), ["pRace", "pCorrupt"]);
  assert.equal(t.get("exact", 0), x.pRace);
  emailSafe(inspect(t));
  const sens = x.sensitivity();
  emailSafe(inspect(sens));
  // A reply: the parameters, the answer, and the command that solves it again.
  const reply = x.reply();
  emailSafe(reply);
  assert.match(reply, /^walkUs +exp:\S+ +us +approx\.$/m);
  assert.match(reply.replace(/ \\\n\s*/g, " "), /tlbrace exact seed --set tableFree=rcu-skip-sync --set walkUs=lognormal:4:0\.5 --approximate\n$/);
  assert.equal(sens.pRace, x.pRace);
  assert.equal(tr.tornado(s, { approximate: true }).figure.data.length, 2);
});
