/**
 * The compiled Monte Carlo engine against the interpreter it replaces: the
 * same uniforms in the same order, so the same tallies bit for bit (race,
 * corruption and torn-read counts, every histogram bin, every block's cost
 * sums), over random scenarios and parameters of every delay kind, the PTE
 * model's included.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import fc from "fast-check";
import { simulateBlocks } from "../src/engines/montecarlo/blocks.js";
import { graphOf } from "../src/engines/montecarlo/compile/index.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { FLUSH_MECHANISMS, PTE_READS, PTE_REMAPS, TABLE_FREE_MODES } from "../src/model/params.js";
import { tableFreeModel } from "../src/model/protocol.js";
import { defineScenario, presetNames } from "../src/model/scenario.js";
import { delay, params, time } from "./arbitraries.js";

const SAMPLES = "csv:data/examples/walk-times.csv:walkUs";
const walk = fc.oneof(
  params.map((p) => p.walkUs),
  fc.constant(SAMPLES),
  // Enough samples that the size-biased draw's binary search takes several steps.
  fc.array(time(80).filter((x) => x > 0), { minLength: 20, maxLength: 60 }).map((samples) => ({ kind: "empirical", samples })),
);
const anyParams = fc.record({
  base: params,
  walkUs: walk,
  preemptUs: fc.oneof(delay(5000), fc.constant(SAMPLES)),
  pteRead: fc.constantFrom(...PTE_READS),
  pteRemap: fc.constantFrom(...PTE_REMAPS),
  faultUs: delay(50),
  pteLoadGapUs: delay(3),
  lowCollision: fc.double({ min: 0, max: 1, noNaN: true }),
}).map(({ base, ...rest }) => ({ ...base, ...rest }));

/** Blocks 0..2 of a run whose last block is partial. */
const blocks = (p: Record<string, unknown>, seed: number, key: number, engine: "compiled" | "interpret") =>
  simulateBlocks({ params: defineScenario({ params: p }).params, engine, seed, key, episodes: 2 * 4096 + 777, from: 0, to: 3 });

test("compiled and interpreted engines give the same tallies, bit for bit, on random parameters", () => {
  fc.assert(fc.property(anyParams, fc.nat(), fc.nat({ max: 1000 }), (p, seed, key) => {
    assert.deepEqual(blocks(p, seed, key, "compiled"), blocks(p, seed, key, "interpret"));
  }), { numRuns: 60, seed: 20261202 });
});

test("every flush x table-freeing mode: same tallies, and races where the interpreter sees them", () => {
  const p = { preemptRate: 5, preemptUs: "lognormal:200:1", memoryPressure: 0.3, walkUs: "uniform:1:20", flushUs: "exp:8" };
  let racing = 0;
  for (const flush of FLUSH_MECHANISMS) {
    for (const tableFree of TABLE_FREE_MODES) {
      const a = blocks({ ...p, flush, tableFree }, 3, 0, "compiled");
      assert.deepEqual(a, blocks({ ...p, flush, tableFree }, 3, 0, "interpret"), `${flush} x ${tableFree}`);
      if (a.races > 0) racing++;
    }
  }
  assert.ok(racing >= 6, `races in ${racing} of the 16 combinations`);
});

test("a run on the compiled engine and 2 workers equals the interpreter on 1", async () => {
  const s = defineScenario({ base: "seed", params: { tableFree: "rcu-skip-sync", memoryPressure: 0.5, walkUs: SAMPLES, preemptRate: 2 } });
  const opts = { episodes: 20 * 4096 + 5, seed: 9 };
  const [compiled, interpreted] = await Promise.all([
    simulate(s, opts, 0, { workers: 2 }),
    simulate(s, opts, 0, { workers: 1, engine: "interpret" }),
  ]);
  assert.ok(compiled.races > 0);
  assert.deepEqual(compiled, interpreted);
});

test("the graph is the protocol's: every step that can fire in some state appears, and each state is distinct", () => {
  for (const name of presetNames()) {
    const p = defineScenario(name).params;
    const g = graphOf(p);
    const fired = new Set(g.nodes.flatMap((n) => n.enabled.filter((_, j) => !n.frozen[j]).map((c) => g.steps[g.timed[c]!]!.id)));
    const timedIds = tableFreeModel(p).steps.filter((st) => st.delay).map((st) => st.id);
    for (const id of fired) assert.ok(timedIds.includes(id));
    assert.ok(fired.has("pte-read") && fired.has("flush-done"), `${name}: the walk and the flush fire`);
    assert.equal(new Set(g.nodes.map((n) => n.key)).size, g.nodes.length);
  }
});

test("tlbrace compile prints the program with its kernel steps; --engine interpret gives the same JSON", () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/tlbrace.js", ...args], { encoding: "utf8" });
  const src = cli("compile", "seed", "--set", "tableFree=rcu-skip-sync");
  assert.equal(src.status, 0, src.stderr);
  for (const kernel of ["kvm_flush_tlb_multi", "call_rcu", "tlb_remove_table", "ptep_get_lockless"]) assert.match(src.stdout, new RegExp(kernel));
  assert.match(src.stdout, /case \d+: \/\* w=walking/);
  const args = ["run", "seed", "--set", "tableFree=immediate", "--episodes", "30000", "--json"];
  const a = cli(...args), b = cli(...args, "--engine", "interpret");
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.stdout, a.stdout);
  const bad = cli(...args, "--engine", "fast");
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trim(), 'tlbrace: engine: "fast" is not allowed; expected one of compiled, interpret');
});
