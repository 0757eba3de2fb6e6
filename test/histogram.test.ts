import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { histogram, merge, quantile, record } from "../src/stats/histogram.js";

const exactQuantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.max(1, Math.ceil(q * xs.length)) - 1]!;

test("quantiles are within 0.55% of the exact nearest-rank quantile; mean and max are exact", () => {
  fc.assert(fc.property(
    fc.array(fc.double({ min: 1e-6, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 300 }),
    fc.constantFrom(0.01, 0.5, 0.9, 0.99, 1),
    (xs, q) => {
      const h = histogram();
      for (const x of xs) record(h, x);
      const exact = exactQuantile(xs, q), got = quantile(h, q);
      assert.ok(Math.abs(got - exact) <= 0.0055 * exact, `q${q}: ${got} vs ${exact}`);
      assert.equal(h.max, Math.max(...xs));
      assert.equal(h.sum, xs.reduce((a, b) => a + b, 0));
    }), { numRuns: 300, seed: 5 });
});

test("a bin that saw one value returns it exactly (fixed delays, IPI counts)", () => {
  const h = histogram();
  for (const x of [0, 1, 1, 1, 2, 1002, 1002]) record(h, x);
  assert.deepEqual([0.1, 0.5, 0.7, 0.8, 1].map((q) => quantile(h, q)), [0, 1, 2, 1002, 1002]);
});

test("merging blocks gives the histogram of one pass", () => {
  fc.assert(fc.property(fc.array(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 50 }), { minLength: 1, maxLength: 6 }), (blocks) => {
    const one = histogram(), parts = histogram();
    for (const b of blocks) {
      const h = histogram();
      for (const x of b) { record(one, x); record(h, x); }
      merge(parts, h);
    }
    assert.deepEqual(parts.counts, one.counts);
    assert.deepEqual([...parts.only].map(String), [...one.only].map(String));
    assert.equal(parts.n, one.n);
    assert.equal(parts.max, one.max);
  }), { numRuns: 200, seed: 6 });
});
