/**
 * Manifests of an older model: the rule of src/model/version.ts. A manifest
 * of model 1 names fewer parameters; it is read with the values that make the
 * current model do what model 1 did, and the numbers it recorded must come out
 * identical. The fixtures were written by model 1 (test/fixtures/model-v1).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as tr from "../src/index.js";
import { ADDED_PARAMS, MODEL_VERSION, olderModelParams } from "../src/model/version.js";
import { DEFAULTS, PARAM_NAMES } from "../src/model/params.js";
import { cliInProcess as cli } from "./dispatch.js";

const FIXTURES = fileURLToPath(new URL("fixtures/model-v1/", import.meta.url));
const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".json")).sort();
const dir = mkdtempSync(join(tmpdir(), "tlbrace-upgrade-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the rule", () => {
  test("this is model 2, and every parameter model 1 did not always name has the value model 1 acted on", () => {
    assert.equal(MODEL_VERSION, 2);
    assert.deepEqual(olderModelParams(1), { pteRead: "atomic", lowCollision: 1e-6, pteRemap: "after-flush", faultUs: 0, pteLoadGapUs: 0 });
    assert.deepEqual(olderModelParams(MODEL_VERSION), {});
    for (const a of ADDED_PARAMS) assert.ok(PARAM_NAMES.includes(a.name as never), a.name);
    // The values that reproduce model 1 are not all today's defaults: its fault and loads took no time.
    assert.notDeepEqual(olderModelParams(1).faultUs, DEFAULTS.faultUs);
  });
});

describe("re-running model 1's results", () => {
  test("the fixtures are model 1's, with numbers", () => {
    assert.equal(files.length, 5);
    for (const f of files) {
      const j = JSON.parse(readFileSync(join(FIXTURES, f), "utf8"));
      assert.equal(j.manifest.modelVersion, 1, f);
      assert.ok(!("pteRemap" in j.manifest.params), f);
    }
  });

  for (const f of files) {
    test(`${f}: identical, and the reply says how it was read`, async () => {
      const r = await cli(["rerun", join(FIXTURES, f), "--workers", "1"]);
      assert.equal(r.code, 0, r.out + r.err);
      assert.match(r.out, /: identical, \d+ numbers compared/);
      assert.match(r.out, /written by model 1; read with pteRemap=after-flush, faultUs=0, pteLoadGapUs=0, as that model had them/);
    });
  }

  test("a model 1 manifest from before the PTE model (no pteRead, no lowCollision) re-runs identical too", async () => {
    const j = JSON.parse(readFileSync(join(FIXTURES, "run-seed.json"), "utf8"));
    for (const x of [j.params, j.manifest.params]) { delete x.pteRead; delete x.lowCollision; }
    const file = join(dir, "early.json");
    writeFileSync(file, JSON.stringify(j));
    const r = await cli(["rerun", file, "--workers", "1", "--json"]);
    assert.equal(r.code, 0, r.err);
    const [report] = JSON.parse(r.out);
    assert.equal(report.identical, true);
    assert.deepEqual(report.olderModel, { version: 1, readAs: olderModelParams(1) });
  });

  test("numbers model 1 did not compute are new, not differences; those it did are compared", async () => {
    const file = join(FIXTURES, "run-torn-pte.json");
    const check = await tr.check(file, { workers: 1 });
    assert.equal(check.identical, true);
    const run = check.entries[0]!.result.data as { torns?: number; manifest: { modelVersion: number } };
    assert.equal(typeof run.torns, "number");
    assert.equal(run.manifest.modelVersion, MODEL_VERSION);
    assert.match(check.text(), /written by model 1/);
    // A changed recorded number is still found (a latency: a mean of IPIs off a whole count over the episodes is damage, exit 2).
    const j = JSON.parse(readFileSync(file, "utf8"));
    j.costs.unmapLatencyUs.mean += 1e-9;
    const changed = join(dir, "changed.json");
    writeFileSync(changed, JSON.stringify(j));
    const r = await cli(["rerun", changed, "--workers", "1"]);
    assert.equal(r.code, 3);
    assert.match(r.out, /costs\.unmapLatencyUs\.mean/);
  });

  test("a parameter model 1 always named is still required, and a newer model is still refused", async () => {
    const j = JSON.parse(readFileSync(join(FIXTURES, "run-seed.json"), "utf8"));
    delete j.manifest.params.walkUs;
    const file = join(dir, "nowalk.json");
    writeFileSync(file, JSON.stringify(j));
    const r = await cli(["rerun", file]);
    assert.equal(r.code, 2);
    assert.match(r.err, /manifest\.params\.walkUs: .*missing/);
    const k = JSON.parse(readFileSync(join(FIXTURES, "run-seed.json"), "utf8"));
    k.manifest.modelVersion = MODEL_VERSION + 1;
    writeFileSync(file, JSON.stringify(k));
    const newer = await cli(["rerun", file]);
    assert.equal(newer.code, 2);
    assert.match(newer.err, /modelVersion: 3 .*newer tlbrace/);
  });
});
