/**
 * A sweep run as shards in separate processes, the way the cluster examples
 * run it (two shards with Slurm's variables, two with a Kubernetes indexed
 * Job's), merged, equals the unsharded sweep byte for byte.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";

const exec = promisify(execFile);
const repo = new URL("..", import.meta.url).pathname;
const cli = join(repo, "bin/tlbrace.js");
const EPISODES = "300";

test("4 shards in 4 processes, merged, equal the unsharded sweep", async () => {
  const out = mkdtempSync(join(tmpdir(), "tlbrace-shards-"));
  const common = { ...process.env, OUT: out, EPISODES, SEED: "4", WORKERS: "1" };
  delete common.SHARD_INDEX;
  await Promise.all([
    ...[0, 1].map((i) => exec("bash", [join(repo, "examples/cluster/slurm-sweep.sh")],
      { env: { ...common, SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_TASK_COUNT: "4", SLURM_SUBMIT_DIR: repo, SLURM_CPUS_PER_TASK: "1" } })),
    ...[2, 3].map((i) => exec("bash", [join(repo, "examples/cluster/run-shard.sh")],
      { env: { ...common, JOB_COMPLETION_INDEX: String(i), SHARD_COUNT: "4" } })),
  ]);
  const merged = await exec("node", [cli, "merge", ...[4, 2, 3, 1].map((i) => join(out, `part-${i}.arrow`))]);
  const whole = await exec("node", [cli, "sweep", "seed", "--set", "tableFree=rcu-skip-sync",
    "--vary", "memoryPressure=0:1:21", "--vary", "preemptRate=log:0.01:100:21", "--episodes", EPISODES, "--seed", "4", "--workers", "2"]);
  assert.equal(merged.stdout.split("\n").length, 441 + 2);
  assert.equal(merged.stdout, whole.stdout);
});

test("merge refuses shards that do not belong together, naming the file", async () => {
  const out = mkdtempSync(join(tmpdir(), "tlbrace-shards-"));
  const part = (i: number, seed: string, ext = "arrow") => exec("node", [cli, "sweep", "seed", "--vary", "memoryPressure=0:1:4",
    "--episodes", "100", "--seed", seed, "--shard", `${i}/2`, "--out", join(out, `p${i}-${seed}.${ext}`)]);
  await Promise.all([part(1, "1"), part(2, "1", "json"), part(2, "2")]);
  const fail = async (files: string[], pattern: RegExp) => {
    const e = await exec("node", [cli, "merge", ...files.map((f) => join(out, f))]).then(() => undefined, (x) => x);
    assert.ok(e, "merge should fail");
    assert.equal(e.code, 2);
    assert.match(e.stderr, pattern);
  };
  await fail(["p1-1.arrow", "p2-2.arrow"], /p2-2\.arrow: "its manifest" is not allowed; expected the same sweep/);
  await fail(["p1-1.arrow"], /missing 2\/2/);
  await fail(["p1-1.arrow", "p1-1.arrow"], /one file per shard/);
  // Arrow and JSON parts merge alike.
  const ok = await exec("node", [cli, "merge", join(out, "p1-1.arrow"), join(out, "p2-1.json"), "--json"]);
  assert.deepEqual(JSON.parse(ok.stdout).rows.map((r: { cell: number }) => r.cell), [0, 1, 2, 3]);
  assert.equal(readFileSync(join(out, "p2-1.json"), "utf8").includes('"shard"'), true);
});
