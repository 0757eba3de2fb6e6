/**
 * The exhaustive explorer: its verdicts against the claims of the seed's
 * argument, its counterexamples against the model (they replay) and against
 * a brute-force search without state hashing (they are shortest), its
 * verdicts against the Monte Carlo engine, and its limits and bad input.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { inspect } from "node:util";
import fc from "fast-check";
import * as tr from "../src/index.js";
import { cliInProcess as cli } from "./dispatch.js";
import { checkExploreOptions, counterexampleText, explore, type ExploreOutcome, OUTCOMES } from "../src/engines/explore/index.js";
import { modelsOf } from "../src/engines/explore/models.js";
import { moves } from "../src/engines/explore/moves.js";
import { replay } from "../src/engines/explore/replay.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { InputError } from "../src/model/errors.js";
import { FLUSH_MECHANISMS, PTE_READS, PTE_REMAPS, TABLE_FREE_MODES } from "../src/model/params.js";
import { copyState, initialState, type State } from "../src/model/protocol.js";
import { defineScenario, presetNames, type Scenario } from "../src/model/scenario.js";

const emailSafe = (s: string) => {
  for (const line of s.split("\n")) {
    assert.ok(line.length <= 72, `line over 72 columns: ${line}`);
    assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII or tab in: ${line}`);
  }
};

const scenario = (params: Record<string, unknown>, base = "seed"): Scenario => defineScenario({ base, params });
const modelOf = (s: Scenario, o: ExploreOutcome) => modelsOf(s.params).find((m) => m.outcomes.includes(o))!;

/** Shortest distance to a state where `o` holds, by depth-first search of every path (no state hashing). */
function bruteForceDepth(s: Scenario, o: ExploreOutcome, maxPreemptions: number, limit: number): number | undefined {
  const ms = moves(modelOf(s, o).steps, s.params, maxPreemptions);
  let best: number | undefined;
  const dfs = (st: State, depth: number) => {
    if (st[o]) { best = depth; return; }
    if (depth >= (best ?? limit + 1) - 1) return;
    for (const m of ms) {
      if (!m.guard(st)) continue;
      const t = copyState(st);
      m.effect.apply(t);
      dfs(t, depth + 1);
    }
  };
  dfs(initialState(modelOf(s, o).model), 0);
  return best;
}

describe("verdicts", () => {
  test("the seed is SAFE for race and corrupt within the bound, with the search's size", () => {
    const r = explore(defineScenario("seed"));
    assert.equal(r.complete, true);
    for (const o of ["race", "corrupt"] as const) {
      assert.equal(r.outcomes[o].verdict, "SAFE");
      assert.equal(r.outcomes[o].counterexample, undefined);
      assert.ok(r.outcomes[o].states > 1 && r.outcomes[o].transitions >= r.outcomes[o].states - 1);
    }
    assert.equal(r.states, r.outcomes.race.states + r.outcomes.torn.states);
    assert.equal(r.manifest.engine, "explore");
    assert.equal(r.manifest.episodes, 0);
    assert.deepEqual(r.manifest.options, { maxPreemptions: 2, maxStates: 1_000_000 });
  });

  const anyParams = fc.record({
    flush: fc.constantFrom(...FLUSH_MECHANISMS),
    tableFree: fc.constantFrom(...TABLE_FREE_MODES),
    pteRead: fc.constantFrom(...PTE_READS),
    pteRemap: fc.constantFrom(...PTE_REMAPS),
    preemptRate: fc.constantFrom(0, 0.1, 5),
    memoryPressure: fc.constantFrom(0, 0.01, 1),
    lowCollision: fc.constantFrom(0, 1e-6, 1),
  });
  const K = fc.integer({ min: 0, max: 3 });

  test("claims of the argument hold for every flush, free and bound", () => {
    fc.assert(fc.property(anyParams, K, (p, k) => {
      const r = explore(scenario(p), { maxPreemptions: k });
      const v = (o: ExploreOutcome) => r.outcomes[o].verdict;
      // A flush that waits for W's answer, or a free that waits for W (call_rcu or the sync IPI), holds the free back.
      if (p.flush === "native-ipi" || p.tableFree === "rcu" || p.tableFree === "sync-ipi" || p.tableFree === "rcu-pt-reclaim")
        assert.equal(v("race"), "SAFE");
      // corrupt is a kind of race.
      if (v("race") === "SAFE") assert.equal(v("corrupt"), "SAFE");
      // A PTE loaded in one go, or a B whose low half never equals A's, cannot be torn; nor can one behind a waiting
      // flush, as long as B comes only after the flush (MODEL.md's order).
      if (p.pteRead === "atomic" || p.lowCollision === 0 || (p.flush === "native-ipi" && p.pteRemap === "after-flush"))
        assert.equal(v("torn"), "SAFE");
      // In the kernel's order the flush is not between none and B: any flush, no preemption needed.
      if (p.pteRead === "low-high" && p.lowCollision > 0 && p.pteRemap === "after-unlock") assert.equal(v("torn"), "UNSAFE");
      // Without IPIs at all, an immediate free needs no preemption to race.
      if ((p.flush === "hypercall" || p.flush === "broadcast") && p.tableFree === "immediate") assert.equal(v("race"), "UNSAFE");
      // kvm-pv skips only a preempted W: no preemption, no race.
      if (p.flush === "kvm-pv" && (k === 0 || p.preemptRate === 0)) assert.equal(v("race"), "SAFE");
    }), { numRuns: 120, seed: 4242 });
  });

  test("more preemptions allowed never turn UNSAFE into SAFE", () => {
    fc.assert(fc.property(anyParams, K, (p, k) => {
      const a = explore(scenario(p), { maxPreemptions: k }), b = explore(scenario(p), { maxPreemptions: k + 1 });
      for (const o of OUTCOMES) if (a.outcomes[o].verdict === "UNSAFE") assert.equal(b.outcomes[o].verdict, "UNSAFE");
      assert.ok(b.states >= a.states);
    }), { numRuns: 40, seed: 77 });
  });

  test("the same inputs give the same answer", () => {
    const s = defineScenario("torn-pte");
    const { seconds: _a, manifest: _m, ...a } = explore(s);
    const { seconds: _b, manifest: _n, ...b } = explore(s);
    assert.deepEqual(a, b);
  });
});

describe("counterexamples", () => {
  const unsafe: [string, Scenario][] = [
    ["immediate", scenario({ tableFree: "immediate" })],
    ["rcu-skip-sync", scenario({ tableFree: "rcu-skip-sync", memoryPressure: 0.3 })],
    ["hypercall immediate", scenario({ flush: "hypercall", tableFree: "immediate" })],
    ["torn, kvm-pv", scenario({ pteRead: "low-high", lowCollision: 1e-6 })],
    ["torn, broadcast", scenario({ flush: "broadcast", pteRead: "low-high", lowCollision: 0.5 })],
    ...presetNames().map((n): [string, Scenario] => [n, defineScenario(n)]),
  ];

  test("each replays on the model: every step enabled in turn, ending in its outcome", () => {
    let checked = 0;
    for (const [name, s] of unsafe) {
      const r = explore(s);
      for (const o of OUTCOMES) {
        const path = r.outcomes[o].counterexample;
        if (!path) continue;
        const states = replay(modelOf(s, o).steps, initialState(modelOf(s, o).model), path);
        assert.equal(states.at(-1)![o], true, `${name} ${o}: the replay does not end in ${o}`);
        assert.ok(states.slice(0, -1).every((x) => !x[o]), `${name} ${o}: reached before its last step`);
        assert.ok(path.filter((t) => t.step === "preempt").length <= r.maxPreemptions);
        checked++;
      }
    }
    assert.ok(checked >= 8, `only ${checked} counterexamples checked`);
  });

  test("each is shortest: a search of every path without hashing finds none shorter", () => {
    const cases: [Scenario, ExploreOutcome, number][] = [
      [scenario({ tableFree: "immediate" }), "race", 2],
      [scenario({ tableFree: "immediate" }), "corrupt", 1],
      [scenario({ tableFree: "rcu-skip-sync" }), "race", 1],
      [scenario({ flush: "broadcast", tableFree: "immediate" }), "corrupt", 0],
      [scenario({ flush: "hypercall", pteRead: "low-high" }), "torn", 0],
    ];
    for (const [s, o, k] of cases) {
      const r = explore(s, { maxPreemptions: k });
      const n = r.outcomes[o].counterexample!.length;
      assert.equal(bruteForceDepth(s, o, k, n), n, `${s.params.flush}/${s.params.tableFree} ${o}`);
    }
  });

  test("drawn in two columns, vCPU W and vCPU U, host events across, email-safe, kernel names on each step", () => {
    const r = explore(defineScenario("torn-pte"));
    const text = counterexampleText(r, "torn");
    emailSafe(text);
    assert.match(text, /vCPU W \(walker\) +vCPU U \(unmapper\)/);
    const steps = r.outcomes.torn.counterexample!;
    for (const t of steps) assert.ok(text.includes(t.kernel.split(/\s+/)[0]!), `${t.kernel} not in the diagram`);
    // W's steps start in the left column, U's in the right one, the host's across with <...>.
    const lines = text.split("\n");
    steps.forEach((t, i) => {
      const line = lines.find((l) => l.startsWith(`${String(i + 1).padStart(2)} `))!;
      if (t.actor === "W") assert.match(line, /^ ?\d+ \S/);
      if (t.actor === "U") assert.match(line, /^ ?\d+ {20,}\S/);
      if (t.actor === "host") assert.match(line, /^ ?\d+ <host: /);
    });
    assert.match(counterexampleText(explore(defineScenario("seed")), "race"), /^race: SAFE/);
  });
});

describe("against the Monte Carlo engine", () => {
  const time = (max: number) => fc.double({ min: 0, max, noNaN: true });
  const delay = (max: number) => fc.oneof(time(max), time(max).filter((m) => m > 0).map((m) => `exp:${m}`),
    fc.tuple(time(max), time(max)).map(([a, b]) => `uniform:${Math.min(a, b)}:${Math.max(a, b)}`));
  const params = fc.record({
    flush: fc.constantFrom(...FLUSH_MECHANISMS),
    tableFree: fc.constantFrom(...TABLE_FREE_MODES),
    walkUs: fc.double({ min: 0.5, max: 50, noNaN: true }).map((m) => `exp:${m}`),
    preemptRate: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 20, noNaN: true })),
    preemptUs: delay(5000),
    flushUs: delay(20),
    ipiUs: delay(20),
    memoryPressure: fc.oneof(fc.constantFrom(0, 1), fc.double({ min: 0, max: 1, noNaN: true })),
    gracePeriodUs: delay(20000),
    reuseUs: delay(200),
  });

  test("an outcome Monte Carlo sees is UNSAFE; under SAFE a large run sees none", async () => {
    const seen = { unsafeSeen: 0, safe: 0 };
    await fc.assert(fc.asyncProperty(params, fc.nat(1000), async (p, seed) => {
      const s = defineScenario({ params: p });
      const e = explore(s);
      const safe = e.outcomes.race.verdict === "SAFE";
      const mc = await simulate(s, { episodes: safe ? 100_000 : 10_000, seed }, 0, { workers: 1 });
      if (mc.races > 0) { assert.equal(e.outcomes.race.verdict, "UNSAFE"); seen.unsafeSeen++; }
      if (mc.corrupts > 0) assert.equal(e.outcomes.corrupt.verdict, "UNSAFE");
      if (safe) { assert.equal(mc.races, 0); seen.safe++; }
      if (e.outcomes.corrupt.verdict === "SAFE") assert.equal(mc.corrupts, 0);
    }), { numRuns: 30, seed: 20261126 });
    // Both directions were exercised.
    assert.ok(seen.unsafeSeen > 0 && seen.safe > 0, JSON.stringify(seen));
  });
});

describe("limits and bad input", () => {
  test("the state limit stops the search cleanly with partial figures", () => {
    const full = explore(defineScenario("seed"));
    const r = explore(defineScenario("seed"), { maxStates: 50 });
    assert.equal(r.complete, false);
    assert.ok(full.outcomes.race.states > 50);
    for (const o of OUTCOMES) {
      assert.equal(r.outcomes[o].verdict, "UNKNOWN");
      assert.ok(r.outcomes[o].states <= 50);
    }
    assert.match(tr.explore("seed", { maxStates: 50 }).text(), /state limit \(50\) stopped the search/);
    // An outcome found before the limit keeps its verdict.
    const found = explore(scenario({ tableFree: "immediate" }), { maxStates: 200 });
    assert.equal(found.complete, false);
    assert.equal(found.outcomes.race.verdict, "UNSAFE");
  });

  const rejects = (o: unknown, field: string) =>
    assert.throws(() => checkExploreOptions(o), (e: unknown) => e instanceof InputError && e.field === field && /expected/.test(e.message));

  test("bad bounds name the field, the value and what is allowed", () => {
    rejects({ maxPreemptions: -1 }, "maxPreemptions");
    rejects({ maxPreemptions: 1e9 }, "maxPreemptions");
    rejects({ maxPreemptions: 1.5 }, "maxPreemptions");
    rejects({ maxPreemptions: "2" }, "maxPreemptions");
    rejects({ maxStates: 0 }, "maxStates");
    rejects({ maxStates: 1e12 }, "maxStates");
    rejects({ maxStatez: 5 }, "option");
    rejects(null, "options");
    assert.throws(() => tr.explore("nope"), (e: unknown) => e instanceof InputError && e.field === "scenario");
    assert.throws(() => tr.explore("seed", { maxPreemptions: -2 }), InputError);
  });

  test("the CLI: exit 2 with one line for bad input, nothing on stdout", async () => {
    for (const [args, words] of [
      [["explore", "seed", "--max-preemptions", "-1"], ["max-preemptions", "-1", "0 to"]],
      [["explore", "seed", "--max-preemptions", "1e6"], ["max-preemptions", "1000000"]],
      [["explore", "seed", "--max-states", "0"], ["max-states", "0"]],
      [["explore", "nope"], ["scenario", "nope", "seed"]],
      [["explore", "seed", "--set", "pteRead=sideways"], ["pteRead", "sideways", "low-high"]],
      [["explore", "seed", "--set", "lowCollision=2"], ["lowCollision", "2", "probability"]],
    ] as const) {
      const r = await cli([...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
      assert.equal(r.out, "");
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      for (const w of words) assert.ok(r.err.includes(w), `${args.join(" ")}: "${w}" not in ${r.err}`);
    }
  });

  test("the CLI: text fits a mail; JSON has per outcome verdict, size and steps with vCPU and kernel name", async () => {
    const t = await cli(["explore", "torn-pte"]);
    assert.equal(t.code, 0, t.err);
    emailSafe(t.out);
    assert.match(t.out, /torn +UNSAFE/);
    const j = await cli(["explore", "seed", "--set", "tableFree=immediate", "--max-preemptions", "1", "--json"]);
    assert.equal(j.code, 0, j.err);
    const r = JSON.parse(j.out);
    assert.equal(r.maxPreemptions, 1);
    assert.equal(r.manifest.engine, "explore");
    for (const o of OUTCOMES) for (const k of ["verdict", "states", "transitions", "counterexample"]) assert.ok(k in r.outcomes[o], `${o}.${k}`);
    assert.equal(r.outcomes.race.verdict, "UNSAFE");
    for (const step of r.outcomes.race.counterexample) {
      assert.ok(["W", "U", "host"].includes(step.vcpu));
      assert.equal(typeof step.kernel, "string");
    }
    assert.equal(r.outcomes.torn.counterexample, null);
    const pml = await cli(["explore", "torn-pte", "--promela", "--max-preemptions", "1"]);
    assert.equal(pml.code, 0, pml.err);
    assert.match(pml.out, /at most 1 preemptions of W/);
    for (const o of OUTCOMES) assert.match(pml.out, new RegExp(`ltl no_${o} \\{ \\[\\] !${o} \\}`));
    assert.equal((await cli(["explore", "seed", "--promela", "--json"])).code, 2);
    const limited = await cli(["explore", "seed", "--max-states", "10"]);
    assert.equal(limited.code, 0);
    assert.match(limited.err, /state limit \(10\)/);
    assert.match(limited.out, /UNKNOWN/);
  });

  test("the notebook view: compact text, a counterexample with a timeline, a table", () => {
    const x = tr.explore("torn-pte");
    emailSafe(inspect(x));
    assert.equal(x.verdict("torn"), "UNSAFE");
    const c = x.counterexample()!;
    assert.equal(c.outcome, "torn");
    emailSafe(inspect(c.timeline()));
    assert.equal(c.timeline().figure.data.length, 4);
    assert.deepEqual(x.table().array("verdict"), OUTCOMES.map((o) => x.outcomes[o].verdict));
    assert.equal(tr.explore("seed").counterexample(), undefined);
    assert.throws(() => x.counterexample("rase" as ExploreOutcome), (e: unknown) => e instanceof InputError && e.field === "outcome");
  });
});
