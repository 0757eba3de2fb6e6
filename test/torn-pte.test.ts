/**
 * The torn PTE read in all three engines: the kernel's order of the fault
 * (pteRemap after-unlock) against MODEL.md's (after-flush) in the explorer,
 * Monte Carlo's pTorn against the exact solver's, and the sampling of torn
 * leaving every race and corrupt number where it was.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { grid } from "../src/analysis/grid.js";
import { AGREEMENT_Z, zScore } from "../src/analysis/matrix.js";
import { runSweep } from "../src/analysis/sweep.js";
import { solveExact } from "../src/engines/exact/index.js";
import { explore } from "../src/engines/explore/index.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { phaseWeights } from "../src/model/entry.js";
import { defineScenario, preset, type Scenario } from "../src/model/scenario.js";
import { pteModel } from "../src/model/protocol.js";
import { cliInProcess as cli } from "./dispatch.js";

const torn = (params: Record<string, unknown>, base = "torn-pte"): Scenario => defineScenario({ base, params });

describe("the order of the fault that maps B", () => {
  test("MODEL.md's order: a native IPI flush keeps B out until the walker is done; the kernel's: no flush stands in the way", () => {
    for (const flush of ["native-ipi", "kvm-pv", "hypercall", "broadcast"]) {
      const after = explore(torn({ flush, pteRemap: "after-flush" }), { maxPreemptions: 0 });
      const unlock = explore(torn({ flush, pteRemap: "after-unlock" }), { maxPreemptions: 0 });
      assert.equal(unlock.outcomes.torn.verdict, "UNSAFE", `${flush} after-unlock`);
      // Without preemption kvm-pv IPIs the walker, like the native flush.
      const waits = flush === "native-ipi" || flush === "kvm-pv";
      assert.equal(after.outcomes.torn.verdict, waits ? "SAFE" : "UNSAFE", `${flush} after-flush`);
    }
  });

  test("in the kernel's order's counterexample B is stored before the flush completes", () => {
    const r = explore(preset("torn-pte-unlock"));
    const steps = r.outcomes.torn.counterexample!.map((t) => t.step);
    assert.equal(r.outcomes.torn.verdict, "UNSAFE");
    assert.ok(steps.includes("pte-set-high") && !steps.includes("flush-acked"), steps.join(" "));
    assert.ok(!steps.includes("preempt"), "a preemption was needed");
    const kernel = r.outcomes.torn.counterexample!.find((t) => t.step === "pte-set-high")!.kernel;
    assert.match(kernel, /pte_unmap_unlock, no flush yet/);
  });

  test("the CLI takes the order as a parameter and refuses an unknown one", async () => {
    const ok = await cli(["explore", "torn-pte", "--set", "pteRemap=after-unlock", "--set", "flush=native-ipi", "--json"]);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(JSON.parse(ok.out).outcomes.torn.verdict, "UNSAFE");
    const bad = await cli(["run", "torn-pte", "--set", "pteRemap=before-zap"]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /pteRemap.*before-zap.*after-flush, after-unlock/);
  });
});

describe("the unmap instant in the PTE model", () => {
  test("falls between two loads in proportion to the gap's share of the walker's work", () => {
    const s = torn({ walkUs: "exp:4", pteLoadGapUs: "exp:0.5" });
    const w = phaseWeights(pteModel(s.params), s.params);
    assert.deepEqual(w, [4 / 5, 0.5 / 5, 0.5 / 5]);
    // A PTE loaded at once has one phase, as the page-table-free protocol has.
    assert.deepEqual(phaseWeights(pteModel({ ...s.params, pteRead: "atomic" }), s.params), [1]);
  });
});

describe("Monte Carlo samples torn; the exact solver gives pTorn", () => {
  // Gaps and collisions large enough that a run sees dozens of torn reads.
  const stress = { lowCollision: 1, pteLoadGapUs: "exp:1", preemptRate: 5, faultUs: "exp:20" };
  const cases: Record<string, unknown>[] = [
    { ...stress, pteRemap: "after-unlock", flush: "native-ipi" },
    { ...stress, pteRemap: "after-flush", flush: "kvm-pv" },
    { ...stress, pteRemap: "after-flush", flush: "hypercall" },
  ];

  for (const params of cases) {
    test(`their numbers agree: ${params.flush} ${params.pteRemap}`, async () => {
      const s = torn(params);
      const exact = solveExact(s);
      const mc = await simulate(s, { episodes: 200_000, seed: 9 }, 0, { workers: 1 });
      assert.ok(exact.pTorn! > 1e-5, `exact pTorn ${exact.pTorn}`);
      assert.ok(mc.torns! > 5, `only ${mc.torns} torn reads`);
      const z = zScore(mc.torns!, mc.episodes, exact.pTorn!);
      assert.ok(Math.abs(z) <= AGREEMENT_Z, `Monte Carlo ${mc.torns}/${mc.episodes} is ${z.toFixed(1)} sd from exact pTorn ${exact.pTorn}`);
      assert.ok(exact.tornChain!.residual < 1e-12);
    });
  }

  test("where the explorer proves torn unreachable, pTorn is 0 in both", async () => {
    const s = torn({ ...stress, flush: "native-ipi", pteRemap: "after-flush" });
    assert.equal(explore(s).outcomes.torn.verdict, "SAFE");
    assert.equal(solveExact(s).pTorn, 0);
    assert.equal((await simulate(s, { episodes: 50_000, seed: 2 }, 0, { workers: 1 })).torns, 0);
  });

  test("the presets' torn reads are rare but not impossible: exact pTorn, kernel's order above MODEL.md's", () => {
    const model = solveExact(preset("torn-pte")).pTorn!, kernel = solveExact(preset("torn-pte-unlock")).pTorn!;
    assert.ok(model > 0 && model < 1e-12, `torn-pte ${model}`);
    assert.ok(kernel > model, `torn-pte-unlock ${kernel} vs torn-pte ${model}`);
  });

  test("sampling torn changes no race, corrupt or cost number: the PTE model has streams of its own", async () => {
    const halves = torn(stress);
    const whole = torn({ ...stress, pteRead: "atomic" });
    const [a, b] = await Promise.all([halves, whole].map((s) => simulate(s, { episodes: 3 * 4096 + 5, seed: 4 }, 0, { workers: 1 })));
    assert.ok(a!.torns! > 0);
    assert.equal(b!.torns, undefined);
    const { torns: _t, pTorn: _p, tornCi95: _c, manifest: _m, ...rest } = a!;
    const { manifest: _n, ...other } = b!;
    assert.deepEqual(rest, other);
  });

  test("the same torn count on 1 and 2 workers", async () => {
    const s = torn(stress);
    const [one, two] = await Promise.all([1, 2].map((workers) => simulate(s, { episodes: 12 * 4096, seed: 8 }, 0, { workers })));
    assert.deepEqual(two, one);
  });

  test("sweep rows carry the torn columns when a cell reads in halves, null where a cell cannot tear", async () => {
    const g = grid(torn(stress), { pteRead: ["atomic", "low-high"] });
    const d = await runSweep(g, { episodes: 4096, seed: 3 }, { workers: 1 });
    assert.equal(d.rows[0]!.torns, null);
    assert.equal(d.rows[0]!.pTornHi, null);
    assert.ok(typeof d.rows[1]!.torns === "number" && d.rows[1]!.pTornLo! <= d.rows[1]!.pTorn! && d.rows[1]!.pTorn! <= d.rows[1]!.pTornHi!);
    const seed = await runSweep(grid(preset("seed"), { memoryPressure: [0, 1] }), { episodes: 4096, seed: 3 }, { workers: 1 });
    assert.ok(seed.rows.every((r) => !("torns" in r)));
  });

  test("run text, JSON and reply name the torn read only where the PTE is read in halves", async () => {
    const j = await cli(["run", "torn-pte", "--episodes", "5000", "--json", "--workers", "1"]);
    assert.equal(j.code, 0, j.err);
    const r = JSON.parse(j.out);
    assert.equal(typeof r.torns, "number");
    assert.equal(r.tornCi95.length, 2);
    const text = await cli(["run", "torn-pte", "--episodes", "5000", "--workers", "1"]);
    assert.match(text.out, /^torn +\d+ /m);
    const seed = await cli(["run", "seed", "--episodes", "5000", "--json", "--workers", "1"]);
    assert.ok(!("torns" in JSON.parse(seed.out)));
    const exact = await cli(["exact", "torn-pte-unlock", "--json"]);
    assert.ok(JSON.parse(exact.out).pTorn > 0);
  });
});
