/**
 * Every signal acts at once: a long `tlbrace sweep` and a long `tlbrace
 * run`, as processes, end within a bound after SIGINT or SIGTERM, far
 * sooner than their work would take, with status 130; the checkpoint the
 * sweep leaves resumes, and its rows are those of the same cells run without
 * a stop. The bound is generous (the machine is shared); the stop latencies
 * measured are printed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cliInProcess } from "./dispatch.js";

const BIN = new URL("../bin/tlbrace.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "tlbrace-signals-"));
/** A stop later than this is not "at once"; the work stopped is made to take many times longer. */
const BOUND_MS = 20_000;
/** A hang fails the test instead of stalling it. */
const LIMIT_MS = 120_000;

interface Started { readonly pid: number; readonly done: Promise<{ code: number | null; err: string; out: string }> }

function start(args: readonly string[]): Started {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
  const timer = setTimeout(() => child.kill("SIGKILL"), LIMIT_MS);
  return { pid: child.pid!, done: new Promise((resolve) => child.on("close", (code) => (clearTimeout(timer), resolve({ code, err, out })))) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, ms = LIMIT_MS): Promise<void> {
  for (const t0 = Date.now(); !ok(); await sleep(20)) if (Date.now() - t0 > ms) assert.fail(`waited ${ms} ms for ${what}`);
}

/** Sends `signal` to `p` and returns the milliseconds until it ended, with how it ended. */
async function stop(p: Started, signal: NodeJS.Signals) {
  const t0 = performance.now();
  process.kill(p.pid, signal);
  const r = await p.done;
  return { ...r, ms: performance.now() - t0 };
}

const CELLS = 400;
const SWEEP = ["sweep", "seed", "--vary", `memoryPressure=0:1:${CELLS}`, "--episodes", "20000", "--workers", "2"];

test("a long sweep stops at once on SIGINT and on SIGTERM; its checkpoint resumes to the rows of an uninterrupted run", { timeout: 240_000 }, async () => {
  // This machine's rate on the sweep's first cells (its cheapest), so that the sweep is known to dwarf the bound.
  const t0 = performance.now();
  const probe = await cliInProcess([...SWEEP, "--shard", `1/${CELLS / 4}`, "--json"]);
  assert.equal(probe.code, 0, probe.err);
  const wholeMs = ((performance.now() - t0) / 4) * CELLS;
  assert.ok(wholeMs > BOUND_MS * 5, `the sweep is too short to tell a stop from its end: ${wholeMs.toFixed(0)} ms`);
  const file = join(dir, "c.jsonl");
  const rows = () => (existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(1).filter((l) => l.trim()).length : 0);
  const first = start([...SWEEP, "--checkpoint", file]);
  await until("3 rows", () => rows() >= 3);
  const a = await stop(first, "SIGINT");
  assert.equal(a.code, 130, a.err);
  assert.match(a.err, /--resume/);
  const kept = rows();
  assert.ok(kept >= 3 && kept < CELLS, `${kept} rows kept`);

  // Resumed, it adds rows after those kept, and stops again at SIGTERM.
  const second = start([...SWEEP, "--resume", file]);
  await until("2 more rows", () => rows() >= kept + 2);
  const b = await stop(second, "SIGTERM");
  assert.equal(b.code, 130, b.err);
  assert.ok(!existsSync(`${file}.lock`), "the lock outlived the sweep");
  console.log(`sweep: SIGINT stopped it in ${a.ms.toFixed(0)} ms, SIGTERM in ${b.ms.toFixed(0)} ms; the whole sweep would take about ${(wholeMs / 1000).toFixed(0)} s`);
  for (const s of [a, b]) assert.ok(s.ms < BOUND_MS, `stopped after ${s.ms.toFixed(0)} ms`);

  // The same cells without a stop: shard 1 of a count that holds them (a shard draws its cells' own streams).
  const done = rows();
  const shards = Math.floor(CELLS / done);
  const whole = await cliInProcess([...SWEEP, "--shard", `1/${shards}`, "--json"]);
  assert.equal(whole.code, 0, whole.err);
  const expected = JSON.parse(whole.out).rows.slice(0, done);
  const lines = readFileSync(file, "utf8").trimEnd().split("\n").slice(1).map((l) => JSON.parse(l));
  assert.equal(expected.length, done);
  assert.deepEqual(lines, expected);
});

test("a long run stops at once on SIGINT and on SIGTERM", { timeout: 120_000 }, async () => {
  const EPISODES = 1e10;
  // This machine's rate, so that the run's length is known to dwarf the bound.
  const t0 = performance.now();
  const probe = await cliInProcess(["run", "seed", "--episodes", "200000", "--workers", "2"]);
  assert.equal(probe.code, 0, probe.err);
  const wholeMs = ((performance.now() - t0) / 200_000) * EPISODES;
  assert.ok(wholeMs > BOUND_MS * 10, `the run is too short: ${wholeMs.toFixed(0)} ms`);
  const measured: string[] = [];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const p = start(["run", "seed", "--episodes", String(EPISODES), "--workers", "2"]);
    // Signalled once it is at work: 2.5 s of CPU time spent (loading takes under 1 s).
    await until("the run at work", () => cpuMs(p.pid) > 2500);
    const r = await stop(p, signal);
    assert.equal(r.code, 130, r.err);
    assert.equal(r.err, "tlbrace: interrupted\n");
    assert.ok(r.ms < BOUND_MS, `${signal}: stopped after ${r.ms.toFixed(0)} ms`);
    measured.push(`${signal} in ${r.ms.toFixed(0)} ms`);
  }
  console.log(`run: ${measured.join(", ")}; the whole run would take about ${(wholeMs / 3.6e6).toFixed(0)} h`);
});

/** CPU time `pid` has used (user and system), from /proc; 0 once it is gone. */
function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 (utime, stime), in clock ticks of 10 ms.
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

after(() => rmSync(dir, { recursive: true, force: true }));
