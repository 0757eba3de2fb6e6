/**
 * The Slurm example run by Slurm. scripts/slurm-local.sh brings up a
 * one-machine cluster from Debian's slurm-wlm and munge in a temporary
 * folder; examples/cluster/slurm-sweep.sh, unchanged, is submitted as a job
 * array, and `tlbrace merge` of its parts equals the unsharded sweep byte
 * for byte. A failed task fails the submission with its log; a lost part is
 * named by merge and re-submitted alone with --array=.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SCRIPT = join(ROOT, "scripts", "slurm-local.sh");
const BIN = join(ROOT, "bin", "tlbrace.js");
// The example's grid (21 x 21 cells) with few episodes: the test is about
// Slurm carrying the sweep, not about the numbers.
const EPISODES = "300";
const SEED = "7";
// A hung daemon fails the test instead of the suite; `after` still stops it.
const LIMIT = { timeout: 90_000 };

// Clusters this process started and has not stopped, and its scratch
// folders: stopped and removed however the process ends, a failed
// assertion, a timeout or a signal.
const live = new Set<string>();
const scratch = new Set<string>();
process.on("exit", () => {
  for (const dir of live) spawnSync("bash", [SCRIPT, "down", dir], { stdio: "ignore" });
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a submission: the caller's, without any shard or Slurm variable it may carry. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(SLURM_|SBATCH_|SHARD_|JOB_COMPLETION_INDEX$|WORKERS$|OUT$|EPISODES$|SEED$)/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = cleanEnv({})): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

async function up(dir: string, env?: NodeJS.ProcessEnv): Promise<Outcome> {
  live.add(dir);
  return run("bash", [SCRIPT, "up", dir], env);
}

async function down(dir: string): Promise<void> {
  const r = await run("bash", [SCRIPT, "down", dir]);
  assert.equal(r.code, 0, `slurm-local.sh down ${dir} failed:\n${r.stderr}`);
  live.delete(dir);
}

/** The pids of the daemons `up` started in dir. */
function daemonPids(dir: string): number[] {
  const pids = join(dir, "pids");
  return readdirSync(pids).map((name) => Number(readFileSync(join(pids, name), "utf8")));
}

/** The fields of /proc/PID/stat after the command name: state, parent pid, ... */
function stat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** A process that exists and has not exited (a zombie has). */
function running(pid: number): boolean {
  const fields = stat(pid);
  return fields !== undefined && fields[0] !== "Z";
}

function parentOf(pid: number): number | undefined {
  const fields = stat(pid);
  return fields && Number(fields[1]);
}

/** Pids of processes whose command line holds text (a cluster's folder names its daemons). */
function processesMentioning(text: string): number[] {
  return readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(text);
    } catch {
      return false;
    }
  }).map(Number);
}

/**
 * The example submitted as a job array into folder `out`; rejects with the
 * script's report (each failed task with the end of its log) when a task fails.
 */
async function submit(cluster: string, out: string, sbatch: readonly string[], env: Record<string, string> = {}): Promise<string> {
  mkdirSync(out, { recursive: true });
  const r = await run("bash", [SCRIPT, "submit", cluster, "--cpus-per-task=1", `--output=${out}/slurm-%A_%a.log`, ...sbatch],
    cleanEnv({ OUT: out, EPISODES, SEED, ...env }));
  if (r.code !== 0) throw new Error(`the job array failed (exit ${r.code}):\n${r.stderr}`);
  return r.stderr;
}

function parts(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^part-\d+\.arrow$/.test(f)).sort().map((f) => join(dir, f));
}

async function merge(files: readonly string[], out: string): Promise<Outcome> {
  return run(process.execPath, [BIN, "merge", ...files, "--out", out]);
}

function assertSameBytes(a: string, b: string): void {
  assert.ok(readFileSync(a).equals(readFileSync(b)), `${a} differs from ${b}`);
}

describe("a one-machine Slurm cluster", () => {
  const cluster = mkdtempSync(join(tmpdir(), "tlbrace-slurm-"));
  const work = mkdtempSync(join(tmpdir(), "tlbrace-slurm-out-"));
  scratch.add(work);
  const whole = join(work, "whole.arrow");
  const first = join(work, "array");

  before(async () => {
    const [r, sweep] = await Promise.all([
      up(cluster),
      run(process.execPath, [BIN, "sweep", "seed", "--set", "tableFree=rcu-skip-sync",
        "--vary", "memoryPressure=0:1:21", "--vary", "preemptRate=log:0.01:100:21",
        "--episodes", EPISODES, "--seed", SEED, "--workers", "1", "--out", whole]),
    ]);
    assert.equal(r.code, 0, `slurm-local.sh up failed:\n${r.stderr}`);
    assert.equal(sweep.code, 0, sweep.stderr);
  }, LIMIT);

  after(async () => {
    const pids = existsSync(cluster) ? daemonPids(cluster) : [];
    await down(cluster);
    rmSync(work, { recursive: true, force: true });
    assert.equal(existsSync(cluster), false, "down removes the cluster's folder");
    assert.deepEqual(pids.filter(running), [], "down stops every daemon");
  }, LIMIT);

  test("the example as a 4-task job array, merged, equals the unsharded sweep byte for byte", LIMIT, async () => {
    const report = await submit(cluster, first, ["--array=0-3"]);
    assert.match(report, /array tasks 0 1 2 3 completed/);
    assert.equal(parts(first).length, 4);
    const merged = join(work, "merged.arrow");
    const m = await merge(parts(first), merged);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stderr, /441 cells from 4 shards/);
    assertSameBytes(merged, whole);
  });

  test("merge names a lost part; re-submitting only its task with --array= needs SHARD_COUNT, and completes the sweep", LIMIT, async () => {
    const again = join(work, "again");
    mkdirSync(again);
    assert.equal(parts(first).length, 4, "the first test's array left its 4 parts");
    for (const i of [1, 2, 4]) copyFileSync(join(first, `part-${i}.arrow`), join(again, `part-${i}.arrow`));
    const merged = join(work, "merged-again.arrow");
    const missing = await merge(parts(again), merged);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'tlbrace: shards: "3 of 4" is not allowed; expected every shard; missing 3/4\n');
    // Part 3 is array task 2. An array of one task has SLURM_ARRAY_TASK_COUNT=1,
    // so the shard count has to come from SHARD_COUNT.
    const alone = await submit(cluster, again, ["--array=2"]).then(() => "", (e: Error) => e.message);
    assert.match(alone, /array task 2 of job \d+: FAILED.*\n  tlbrace: shard: "3\/1" is not allowed/);
    const report = await submit(cluster, again, ["--array=2"], { SHARD_COUNT: "4" });
    assert.match(report, /array tasks 2 completed/);
    const m = await merge(parts(again), merged);
    assert.equal(m.code, 0, m.stderr);
    assertSameBytes(merged, whole);
  });

  test("a task that fails fails the submission, naming the task with the end of its log", LIMIT, async () => {
    // SHARD_COUNT=3 on a 4-task array: tasks 0-2 run shards 1/3-3/3, task 3 asks for shard 4/3.
    const failed = await submit(cluster, join(work, "failing"), ["--array=0-3"], { SHARD_COUNT: "3", EPISODES: "50" })
      .then(() => undefined, (e: Error) => e.message);
    assert.ok(failed, "the submission fails");
    assert.match(failed, /array task 3 of job \d+: FAILED, exit code 2:0; the end of its log \S+\/slurm-\d+_3\.log:\n  tlbrace: shard: "4\/3" is not allowed; expected i\/n with whole numbers 1 <= i <= n\n/);
    assert.match(failed, /array tasks 3 failed; 3 completed/);
    assert.doesNotMatch(failed, /array task [012] of job/);
  });

  test("Slurm does not make the --output folder: without it every task fails before it starts", LIMIT, async () => {
    const out = join(work, "no-log-folder");
    const failed = await submit(cluster, out, ["--array=0-1", `--output=${out}/missing/slurm-%A_%a.log`])
      .then(() => undefined, (e: Error) => e.message);
    assert.ok(failed, "the submission fails");
    for (const task of [0, 1]) assert.match(failed, new RegExp(`array task ${task} of job \\d+: FAILED, exit code \\S+; it did not start, so it has no log`));
    assert.deepEqual(parts(out), []);
  });

  test("a task larger than the machine is refused at submission, not left pending", LIMIT, async () => {
    const refused = await submit(cluster, join(work, "too-large"), ["--array=0-3", "--cpus-per-task=1000"])
      .then(() => undefined, (e: Error) => e.message);
    assert.ok(refused, "the submission fails");
    assert.match(refused, /sbatch: error: Batch job submission failed: More processors requested than permitted\nslurm-local: sbatch refused the job\n/);
  });

  test("demo: a second cluster beside the first, a 4-task array merged, then nothing left running", LIMIT, async () => {
    const file = join(work, "demo", "sweep.arrow");
    const r = await run("bash", [SCRIPT, "demo", file], cleanEnv({ EPISODES, SEED }));
    assert.equal(r.code, 0, r.stderr);
    const dir = /export SLURM_CONF=(\S+)\/slurm\.conf/.exec(r.stderr)?.[1];
    assert.ok(dir && dir !== cluster, r.stderr);
    assert.match(r.stderr, /array tasks 0 1 2 3 completed/);
    assertSameBytes(file, whole);
    assert.equal(existsSync(dir), false, "demo removes its cluster's folder");
    assert.deepEqual(processesMentioning(`${dir}/`), [], "demo stops every process it started");
  });
});

test("down while an array runs cancels it and leaves no daemon, slurmstepd or task running", LIMIT, async () => {
  const cluster = mkdtempSync(join(tmpdir(), "tlbrace-slurm-"));
  const out = mkdtempSync(join(tmpdir(), "tlbrace-slurm-out-"));
  scratch.add(out);
  try {
    const r = await up(cluster);
    assert.equal(r.code, 0, `slurm-local.sh up failed:\n${r.stderr}`);
    // Far more episodes than the test waits for: the tasks are running when down comes.
    const submission = submit(cluster, out, ["--array=0-3"], { EPISODES: "100000000" }).then(() => "", (e: Error) => e.message);
    const tasks = (): number[] => processesMentioning(`${out}/part-`);
    for (let i = 0; i < 300 && tasks().length === 0; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.ok(tasks().length > 0, "a task is running");
    // Each task's node process, and its parent, the slurmstepd of its step.
    const before = [...daemonPids(cluster), ...tasks().flatMap((pid) => [pid, parentOf(pid) ?? pid])];
    await down(cluster);
    assert.notEqual(await submission, "", "the submission fails with the cluster");
    assert.deepEqual(before.filter(running), [], "every daemon and task process is gone");
    assert.deepEqual(processesMentioning(`${out}/`), []);
    assert.deepEqual(processesMentioning(`${cluster}/`), []);
  } finally {
    await down(cluster);
    rmSync(out, { recursive: true, force: true });
  }
});

test("a cluster that does not come up says what failed, shows each daemon's log and stops them", LIMIT, async () => {
  const cluster = mkdtempSync(join(tmpdir(), "tlbrace-slurm-"));
  try {
    // No time to reach idle: the daemons start, and up gives up at once.
    const r = await up(cluster, cleanEnv({ SLURM_LOCAL_TIMEOUT: "0" }));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^slurm-local: the cluster in \S+ did not come up: the node is not idle after 0 s \(sinfo: /m);
    for (const daemon of ["munged", "slurmctld", "slurmd"]) {
      assert.match(r.stderr, new RegExp(`^--- log/${daemon}\\.\\w+ \\(last 15 lines\\)\\n  \\S`, "m"));
    }
    assert.match(r.stderr, /logs kept in \S+\/log; remove them with: bash \S+slurm-local\.sh down /);
    assert.deepEqual(daemonPids(cluster).filter(running), [], "the daemons are stopped");
  } finally {
    await down(cluster);
  }
  assert.equal(existsSync(cluster), false);
});
