/**
 * Properties over random parameter sets (fast-check; a failure prints the seed
 * and the shrunk parameter set to replay it).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { simulate } from "../src/engines/montecarlo/run.js";
import { InputError } from "../src/model/errors.js";
import { PARAM_NAMES, resolveParams } from "../src/model/params.js";
import { params } from "./arbitraries.js";
import { defineScenario } from "../src/model/scenario.js";

const EPISODES = 3000;
const run = (p: Record<string, unknown>, seed: number) => simulate(defineScenario({ params: p }), { episodes: EPISODES, seed });
const opts = { numRuns: 40, seed: 20261125 };

test("a native IPI flush never races, whatever the table-freeing mode", async () => {
  await fc.assert(fc.asyncProperty(params, fc.nat(), async (p, seed) => {
    const r = await run({ ...p, flush: "native-ipi" }, seed);
    assert.equal(r.races, 0);
  }), opts);
});

test("RCU table free and the sync IPI never race, whatever the flush (the seed's claim)", async () => {
  await fc.assert(fc.asyncProperty(params, fc.constantFrom("rcu", "sync-ipi"), fc.nat(), async (p, tableFree, seed) => {
    const r = await run({ ...p, tableFree }, seed);
    assert.equal(r.races, 0);
  }), opts);
});

test("the same seed gives identical results", async () => {
  await fc.assert(fc.asyncProperty(params, fc.nat(), async (p, seed) => {
    const a = await run(p, seed), b = await run(p, seed);
    assert.deepEqual(a, b);
  }), { ...opts, numRuns: 20 });
});

test("outcome counts and costs are consistent", async () => {
  await fc.assert(fc.asyncProperty(params, fc.nat(), async (p, seed) => {
    const r = await run(p, seed);
    assert.ok(0 <= r.corrupts && r.corrupts <= r.races && r.races <= r.episodes);
    assert.ok(r.ci95[0] <= r.pRace && r.pRace <= r.ci95[1]);
    for (const [name, c] of Object.entries(r.costs)) {
      for (const v of [c.mean, c.p50, c.p90, c.p99, c.max]) assert.ok(Number.isFinite(v) && v >= 0, `${name}: ${v}`);
      assert.ok(c.p50 <= c.p90 && c.p90 <= c.p99 && c.p99 <= c.max);
    }
    // The page is freed no earlier than the unmapper returns from the free path.
    assert.ok(r.costs.freeDelayUs.mean >= r.costs.unmapLatencyUs.mean - 1e-9 * r.costs.freeDelayUs.mean);
    assert.ok(r.costs.ipis.max <= 2);
  }), opts);
});

test("no input reaches an engine without passing validation: bad values throw InputError naming the field", () => {
  const junk = fc.oneof(fc.anything(), fc.string(), fc.double(), fc.constantFrom(-1, NaN, Infinity, "exp:-1", "uniform:5:1", "lognormal:0:1", "exp:", ":", "1e999"));
  fc.assert(fc.property(fc.constantFrom(...PARAM_NAMES), junk, (name, value) => {
    try {
      const p = resolveParams({ [name]: value });
      // Accepted values must be clean: every number finite.
      assert.ok(!JSON.stringify(p).includes("null"), JSON.stringify(p));
    } catch (e) {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.field, name);
    }
  }), { numRuns: 2000, seed: 1 });
});

test("the generated scenarios do race when nothing delays the free (the properties above are not vacuous)", async () => {
  let racing = 0, total = 0;
  await fc.assert(fc.asyncProperty(params, fc.nat(), async (p, seed) => {
    const r = await run({ ...p, flush: "hypercall", tableFree: "immediate" }, seed);
    total++;
    if (r.races > 0) racing++;
  }), opts);
  assert.ok(racing > total / 2, `${racing} of ${total} unprotected scenarios raced`);
});
