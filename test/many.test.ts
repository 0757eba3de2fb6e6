/**
 * Many vCPUs (MODEL.md, "Many vCPUs"): the checks of closed forms that the
 * engines of many vCPUs must meet, and that two vCPUs with one walker are
 * the model of before, bit for bit.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { buildChain } from "../src/engines/exact/chain.js";
import { entryValues, solveExact } from "../src/engines/exact/index.js";
import { buildManyChain } from "../src/engines/exact/many.js";
import { solveChain } from "../src/engines/exact/solve.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { manyEpisodeRunner } from "../src/engines/montecarlo/many.js";
import { preemptedAtUnmap } from "../src/model/entry.js";
import { resolveParams } from "../src/model/params.js";
import { manyModelOf } from "../src/model/protocol.js";
import { defineScenario, withParams } from "../src/model/scenario.js";
import { uniformFrom, streamState } from "../src/random/stream.js";

const CLI = new URL("../bin/tlbrace.js", import.meta.url).pathname;
const binomial = (n: number, k: number): number => { let c = 1; for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i; return c; };
const inside = (x: number, [lo, hi]: readonly [number, number], what: string) => assert.ok(x >= lo && x <= hi, `${what}: ${x} outside [${lo}, ${hi}]`);
const ci = (r: { ci95: unknown }): [number, number] => {
  const c = r.ci95 as { lo?: number; hi?: number } | [number, number];
  return Array.isArray(c) ? c : [c.lo!, c.hi!];
};

test("walkers that share only the unmap instant race independently: pRace = 1 - (1 - p1)^walkers", async () => {
  // A hypercall flush of fixed length and an immediate free, no preemption: walker i races when its
  // rest of walk (exponential, mean 5) outlasts the flush (3 µs), p1 = e^(-3/5), independently of the others.
  const p1 = Math.exp(-3 / 5);
  for (const walkers of [1, 3, 8]) {
    const s = withParams(defineScenario("hypercall-immediate"), { flushUs: 3, preemptRate: 0, cpus: walkers + 1, walkers });
    const r = await simulate(s, { episodes: 40_000, seed: 11 });
    inside(1 - (1 - p1) ** walkers, ci(r), `walkers ${walkers}`);
  }
});

test("with a random flush time the walkers share it: pRace = E[1 - (1 - p1(F))^walkers], exact and Monte Carlo", async () => {
  // F exponential of mean 3, p1(F) = e^(-F/5): E[(1 - e^(-F/5))^k] = Σ_j C(k,j) (-1)^j / (1 + 3j/5).
  const walkers = 6;
  let shared = 0;
  for (let j = 0; j <= walkers; j++) shared += binomial(walkers, j) * (-1) ** j / (1 + (3 * j) / 5);
  const expected = 1 - shared;
  const p1 = 1 / (1 + 3 / 5);
  const ownFlush = 1 - (1 - p1) ** walkers;
  assert.ok(Math.abs(expected - ownFlush) > 0.05, "the two models must differ for the check to mean anything");
  const s = withParams(defineScenario("hypercall-immediate"), { preemptRate: 0, cpus: walkers + 1, walkers });
  const exact = solveExact(s);
  assert.ok(Math.abs(exact.pRace - expected) < 1e-12, `exact ${exact.pRace} against ${expected}`);
  const r = await simulate(s, { episodes: 40_000, seed: 5 });
  inside(expected, ci(r), "Monte Carlo");
});

test("the wait for N answers when each vCPU is preempted with probability q: m Σ C(N,k) q^k (1-q)^(N-k) H_k", async () => {
  // A native IPI flush to N vCPUs (one walker with a negligible walk, N - 1 outside GUP-fast): the running
  // ones answer at once, each preempted one (probability q) after the rest of its preemption, exponential of mean m.
  const cpus = 9, n = cpus - 1, m = 300;
  const s = withParams(defineScenario("native"), { walkUs: "exp:0.000001", flushUs: "exp:0.000001", preemptRate: 1, preemptUs: `exp:${m}`, cpus, walkers: 1 });
  const q = preemptedAtUnmap(s.params);
  let expected = 0, h = 0;
  for (let k = 1; k <= n; k++) { h += 1 / k; expected += binomial(n, k) * q ** k * (1 - q) ** (n - k) * m * h; }
  const exact = solveExact(s);
  assert.ok(Math.abs(exact.costs.waitUs - expected) / expected < 1e-4, `exact ${exact.costs.waitUs} against ${expected}`);
  const r = await simulate(s, { episodes: 40_000, seed: 9 });
  assert.ok(Math.abs(r.costs.waitUs.mean - expected) / expected < 0.03, `Monte Carlo ${r.costs.waitUs.mean} against ${expected}`);
});

test("two vCPUs and one walker: the engines of many vCPUs give the model of one walker", () => {
  for (const preset of ["seed", "skip-sync-kvm", "native-pt-reclaim", "synchronize-rcu", "khugepaged-after"]) {
    const p = { ...defineScenario(preset).params, memoryPressure: 0.3, preemptRate: 5 };
    const one = buildChain(p), many = buildManyChain(p);
    const a = entryValues(one, solveChain(one).x), b = entryValues(many, solveChain(many).x);
    for (const k of ["pRace", "unmapLatencyUs", "freeDelayUs", "ipis", "waitUs"] as const)
      assert.ok(Math.abs(a[k] - b[k]) <= 1e-9 * Math.max(1, Math.abs(a[k])), `${preset} ${k}: ${a[k]} against ${b[k]}`);
    // The Monte Carlo engine of many vCPUs on the same two vCPUs: inside the exact value's reach.
    const runner = manyEpisodeRunner(manyModelOf(p), p, uniformFrom(streamState(3, 0, 0)));
    const out = { race: false, corrupt: false, torn: false, unmapLatencyUs: 0, freeDelayUs: 0, ipis: 0, waitUs: 0 };
    let races = 0, ipis = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) { runner.run(out); races += +out.race; ipis += out.ipis; }
    const sd = Math.sqrt(Math.max(a.pRace * (1 - a.pRace), 1 / n) / n);
    assert.ok(Math.abs(races / n - a.pRace) < 5 * sd + 1 / n, `${preset}: Monte Carlo ${races / n} against exact ${a.pRace}`);
    assert.ok(Math.abs(ipis / n - a.ipis) < 0.05, `${preset}: IPIs ${ipis / n} against ${a.ipis}`);
  }
});

test("cpus 2 and walkers 1 given reproduce the manifest of before; bad counts are refused before any work", async () => {
  const seed = defineScenario("seed");
  const a = await simulate(seed, { episodes: 4096, seed: 1 });
  const b = await simulate(withParams(seed, { cpus: 2, walkers: 1 }), { episodes: 4096, seed: 1 });
  assert.deepEqual(b.manifest, a.manifest);
  assert.equal(b.races, a.races);
  assert.ok(!("cpus" in a.manifest.params));
  const c = await simulate(withParams(seed, { cpus: 8, walkers: 2 }), { episodes: 4096, seed: 1 });
  assert.equal(c.manifest.params.cpus, 8);
  assert.throws(() => resolveParams({ cpus: 4, walkers: 4 }), /walkers: 4 is not allowed; expected 1 to cpus - 1 = 3/);
  assert.throws(() => resolveParams({ cpus: 600 }), /cpus: 600 is not allowed; expected a whole number from 2 to 512/);
  assert.throws(() => resolveParams({ cpus: 2.5 }), /whole number/);
  for (const args of [["explore", "seed", "--set", "cpus=4"], ["run", "seed", "--rare", "--set", "cpus=4", "--set", "walkers=3"],
    ["sweep", "seed", "--vary", "cpus=2,4", "--vary", "walkers=1,3", "--episodes", "100"]]) {
    const r = spawnSync("node", [CLI, ...args], { encoding: "utf8" });
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /cpus|walkers/);
  }
});
