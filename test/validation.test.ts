import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { grid, logRange, range } from "../src/analysis/grid.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { parseDistribution } from "../src/model/distribution.js";
import { readColumn } from "../src/model/empirical.js";
import { InputError } from "../src/model/errors.js";
import { resolveParams } from "../src/model/params.js";
import { defineScenario } from "../src/model/scenario.js";

const rejects = (f: () => unknown, field: string, value: string) =>
  assert.throws(f, (e: unknown) => e instanceof InputError && e.field === field && e.message.includes(value) && e.message.includes("expected"));

test("bad parameters name the field, the value and what is allowed", () => {
  rejects(() => resolveParams({ memoryPressure: 1.5 }), "memoryPressure", "1.5");
  rejects(() => resolveParams({ walkUs: -3 }), "walkUs", "-3");
  rejects(() => resolveParams({ walkUs: 0 }), "walkUs", "0");
  rejects(() => resolveParams({ flushUs: "exp:abc" }), "flushUs", "exp:abc");
  rejects(() => resolveParams({ preemptUs: "uniform:9:1" }), "preemptUs", "uniform:9:1");
  rejects(() => resolveParams({ flush: "ipi" }), "flush", "ipi");
  rejects(() => resolveParams({ preemptrate: 1 }), "parameter", "preemptrate");
  rejects(() => resolveParams({ preemptRate: "fast" }), "preemptRate", "fast");
  rejects(() => defineScenario("nope"), "scenario", "nope");
});

test("every distribution form parses and its errors name the field", () => {
  assert.deepEqual(parseDistribution("x", 4), { kind: "fixed", value: 4 });
  assert.deepEqual(parseDistribution("x", "exp:5"), { kind: "exponential", mean: 5 });
  assert.deepEqual(parseDistribution("x", "uniform:1:2"), { kind: "uniform", min: 1, max: 2 });
  assert.deepEqual(parseDistribution("x", "lognormal:5:0.5"), { kind: "lognormal", median: 5, sigma: 0.5 });
  assert.deepEqual(parseDistribution("x", { kind: "empirical", samples: [1, 2] }), { kind: "empirical", samples: [1, 2] });
  rejects(() => parseDistribution("x", { kind: "empirical", samples: [] }), "x", "empirical");
  rejects(() => parseDistribution("x", "gamma:1:2"), "x", "gamma:1:2");
});

test("run options are checked before any work starts", async () => {
  const s = defineScenario("seed");
  await assert.rejects(simulate(s, { episodes: 1.5, seed: 1 }), (e: unknown) => e instanceof InputError && e.field === "episodes");
  await assert.rejects(simulate(s, { episodes: 0, seed: 1 }), (e: unknown) => e instanceof InputError && e.field === "episodes");
  await assert.rejects(simulate(s, { episodes: 10, seed: -1 }), (e: unknown) => e instanceof InputError && e.field === "seed");
});

test("grids validate every value of every axis", () => {
  const s = defineScenario("seed");
  rejects(() => grid(s, { memoryPressure: [0, 2] }), "memoryPressure", "2");
  rejects(() => grid(s, { nope: [1] }), "parameter", "nope");
  rejects(() => grid(s, { memoryPressure: [] }), "vary.memoryPressure", "[]");
  rejects(() => logRange(0, 1, 3), "logRange", "0");
  assert.deepEqual(range(0, 1, 3), [0, 0.5, 1]);
  assert.deepEqual(logRange(0.01, 100, 5), [0.01, 0.1, 1, 10, 100]);
});

test("a grid checks each value in its scenario, so a walk of mean 0 is refused before any work", () => {
  const s = defineScenario("seed");
  rejects(() => grid(s, { walkUs: [5, 0] }), "walkUs", "0");
  rejects(() => grid(s, { walkUs: range(0, 10, 3) }), "walkUs", "0");
});

test("echoed values are cut to a short prefix", () => {
  const e = new InputError("walkUs", "a".repeat(100_000), "exp:MEAN");
  assert.ok(e.message.length < 200, `${e.message.length} characters`);
  assert.match(e.message, /^walkUs: "a+"\.\.\. \(100000 characters\) is not allowed; expected exp:MEAN$/);
});

test("measured samples: an empty file or a device is refused; file content is never quoted", () => {
  const dir = mkdtempSync(join(tmpdir(), "tlbrace-csv-"));
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  rejects(() => readColumn(file("empty.csv", ""), "x"), "csv file", "it is empty");
  rejects(() => readColumn("/dev/null", "x"), "csv file", "it is a character device");
  rejects(() => readColumn(file("two.csv", "a,b\n1,2\n"), "x"), "column of " + join(dir, "two.csv"), "the file has 2 columns");
  const secret = file("secret", "root:*:20228:0:99999:7:::\nx\n");
  assert.throws(() => readColumn(secret, "x"), (e: unknown) => e instanceof InputError && !e.message.includes("root") && /never quoted/.test(e.message));
  assert.throws(() => readColumn(secret, "root:*:20228:0:99999:7:::"), (e: unknown) => e instanceof InputError && !e.message.includes('"x"'));
  rejects(() => readColumn(file("bad.csv", "t\n1\nfast\n"), "t"), `${join(dir, "bad.csv")}, column t, row 2`, "a cell of 4 characters");
  assert.throws(() => readColumn(join(dir, "bad.csv"), "t"), (e: unknown) => e instanceof InputError && !e.message.includes("fast"));
});

test("a misspelled preset, parameter or command gets 'did you mean'; a name far from all gets none", async () => {
  const { InputError } = await import("../src/model/errors.js");
  const { scenario } = await import("../src/index.js");
  assert.throws(() => scenario("sede"), (e: unknown) => e instanceof InputError && /; did you mean seed\?$/.test(e.message));
  assert.throws(() => scenario("seed").with({ preemptRat: 1 } as never), (e: unknown) => e instanceof InputError && /did you mean preemptRate\?$/.test(e.message));
  assert.throws(() => scenario("zzzzzzzz"), (e: unknown) => e instanceof InputError && !/did you mean/.test(e.message));
});
