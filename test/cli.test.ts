/**
 * The command line as users run it: the built `bin/tlbrace.js` in its own
 * process, checked on exit status, stdout and stderr.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { PARAM_NAMES } from "../src/model/params.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "tlbrace.js");
const ENTRY = join(ROOT, "dist", "cli", "main.js");
/** An empty regular file: devices such as /dev/null are refused before their content is looked at. */
const EMPTY_CSV = join(mkdtempSync(join(tmpdir(), "tlbrace-cli-")), "empty.csv");
writeFileSync(EMPTY_CSV, "");

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function tlbrace(args: readonly string[], opts: { interruptAfterMs?: number } = {}): Promise<Outcome> {
  const env = { ...process.env };
  delete env.TLBRACE_DEBUG;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    if (opts.interruptAfterMs !== undefined) setTimeout(() => child.kill("SIGINT"), opts.interruptAfterMs);
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : e.name.endsWith(".ts") ? statSync(p).mtimeMs : 0);
  }
  return newest;
}

// `npm test` builds first; a direct run of this file rebuilds when dist is older than src.
before(() => {
  if (existsSync(ENTRY) && statSync(ENTRY).mtimeMs >= newestSource(join(ROOT, "src"))) return;
  const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"],
    { cwd: ROOT, encoding: "utf8" });
  // Errors elsewhere in the tree are other tests' business; the CLI's own must not be there.
  const cliErrors = tsc.stdout.split("\n").filter((l) => l.startsWith("src/cli/"));
  assert.deepEqual(cliErrors, [], "the CLI does not compile");
  assert.ok(existsSync(ENTRY), `build did not produce ${ENTRY}:\n${tsc.stdout}`);
});

describe("tlbrace run", () => {
  test("--json carries the result, every parameter and the manifest", async () => {
    const r = await tlbrace(["run", "seed", "--set", "tableFree=immediate", "--episodes", "2e4", "--seed", "3", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const j = JSON.parse(r.stdout);
    for (const key of ["scenario", "params", "episodes", "races", "pRace", "ci95", "corrupts", "pCorrupt", "costs", "seed", "manifest"])
      assert.ok(key in j, `missing ${key}`);
    assert.equal(j.scenario, "seed");
    assert.equal(j.episodes, 20000);
    assert.equal(j.seed, 3);
    // cpus and walkers are written only when not two vCPUs and one walker (a manifest of before).
    assert.deepEqual(Object.keys(j.params).sort(), PARAM_NAMES.filter((n) => n !== "cpus" && n !== "walkers").sort());
    assert.deepEqual(j.params, j.manifest.params);
    assert.equal(j.params.tableFree, "immediate");
    assert.equal(j.manifest.seed, 3);
    assert.equal(j.manifest.episodes, 20000);
    // An immediate free races often enough that the interval is not trivial.
    assert.ok(j.races > 0);
    assert.equal(j.pRace, j.races / j.episodes);
    const [lo, hi] = j.ci95;
    assert.ok(lo <= j.pRace && j.pRace <= hi, `pRace ${j.pRace} outside [${lo}, ${hi}]`);
    assert.ok(j.corrupts <= j.races);
    for (const cost of ["unmapLatencyUs", "freeDelayUs", "ipis", "waitUs"])
      for (const stat of ["mean", "p50", "p99"]) assert.equal(typeof j.costs[cost][stat], "number");
  });

  test("the same seed gives byte-identical output in two processes", async () => {
    const args = ["run", "seed", "--set", "tableFree=rcu-skip-sync", "--set", "memoryPressure=0.5", "--episodes", "1e4", "--seed", "42", "--json"];
    const [a, b, c] = await Promise.all([tlbrace(args), tlbrace(args), tlbrace([...args.slice(0, -3), "43", "--json"])]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    assert.notEqual(a.stdout, c.stdout, "a different seed should give different samples");
  });

  test("a native IPI flush never races, even with an immediate free", async () => {
    const r = await tlbrace(["run", "seed", "--set", "flush=native-ipi", "--set", "tableFree=immediate",
      "--set", "preemptRate=10", "--episodes", "2e4", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.races, 0);
    assert.equal(j.pRace, 0);
    assert.equal(j.ci95[0], 0);
  });

  test("text output fits a mail: <= 72 columns, no tabs, ASCII only", async () => {
    const r = await tlbrace(["run", "seed", "--set", "walkUs=lognormal:12345.678:0.75", "--set", "preemptUs=uniform:1000.5:20000.25",
      "--set", "memoryPressure=0.5", "--episodes", "5000", "--seed", "9"]);
    assert.equal(r.code, 0, r.stderr);
    for (const line of r.stdout.split("\n")) {
      assert.ok(line.length <= 72, `line of ${line.length} columns: ${line}`);
      assert.ok(!line.includes("\t"), `tab in: ${line}`);
      assert.match(line, /^[\x20-\x7e]*$/, `non-ASCII in: ${line}`);
    }
    assert.match(r.stdout, /^seed: /);
    for (const name of PARAM_NAMES) assert.match(r.stdout, new RegExp(`^${name} `, "m"));
    assert.match(r.stdout, /^memoryPressure +0\.5 .*set$/m);
    assert.match(r.stdout, /^flush +kvm-pv .*default$/m);
    // The re-run command is there, with the seed and episode count spelled out.
    const rerun = r.stdout.slice(r.stdout.indexOf("Re-run with:")).replace(/\\\n\s*/g, "");
    assert.match(rerun, /tlbrace run seed --set walkUs=lognormal:12345\.678:0\.75 .*--set memoryPressure=0\.5 --episodes 5000 --seed 9/);
  });

  test("--episodes accepts exponent form", async () => {
    const r = await tlbrace(["run", "seed", "--episodes", "2e3", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).episodes, 2000);
  });

  test("SIGINT stops a long run with status 130", async () => {
    const r = await tlbrace(["run", "seed", "--episodes", "1e9"], { interruptAfterMs: 1500 });
    assert.equal(r.code, 130, `code ${r.code}, signal ${r.signal}, stderr ${r.stderr}`);
    assert.equal(r.stderr, "tlbrace: interrupted\n");
    assert.equal(r.stdout, "");
  });
});

describe("bad input: exit 2, one line naming field and value, nothing on stdout", { concurrency: true }, () => {
  const cases: [string, string[], string[]][] = [
    ["unknown command", ["frob"], ["command", '"frob"']],
    ["unknown scenario", ["run", "nosuch"], ["scenario", '"nosuch"', "seed"]],
    ["unknown --set key", ["run", "seed", "--set", "nosuch=1"], ['"nosuch"', "memoryPressure"]],
    ["--set without =", ["run", "seed", "--set", "flush"], ["--set", '"flush"', "KEY=VALUE"]],
    ["bad distribution", ["run", "seed", "--set", "walkUs=gamma:3"], ["walkUs", '"gamma:3"', "exp:MEAN"]],
    ["negative time", ["run", "seed", "--set", "preemptUs=-5"], ["preemptUs", '"-5"']],
    ["negative mean", ["run", "seed", "--set", "flushUs=exp:-1"], ["flushUs", '"exp:-1"']],
    ["pressure above 1", ["run", "seed", "--set", "memoryPressure=1.5"], ["memoryPressure", '"1.5"', "0 to 1"]],
    ["unknown flush", ["run", "seed", "--set", "flush=magic"], ["flush", '"magic"', "native-ipi"]],
    ["fractional episodes", ["run", "seed", "--episodes", "1.5"], ["episodes", '"1.5"', "whole number"]],
    ["non-numeric episodes", ["run", "seed", "--episodes", "abc"], ["episodes", '"abc"']],
    ["negative seed", ["run", "seed", "--seed", "-1"], ["seed", '"-1"']],
    ["unknown flag", ["run", "seed", "--bogus"], ["option", '"--bogus"', "--episodes"]],
    ["stray argument", ["run", "seed", "extra"], ["argument", '"extra"']],
    ["sweep value out of range", ["sweep", "seed", "--vary", "memoryPressure=0:2:3"], ["memoryPressure", "2"]],
    ["sweep unknown axis", ["sweep", "seed", "--vary", "nosuch=1,2"], ['"nosuch"']],
    ["sweep bad count", ["sweep", "seed", "--vary", "preemptRate=log:1:10:0"], ["--vary preemptRate", '"log:1:10:0"']],
    ["a bad first cell on 2 workers", ["sweep", "seed", "--vary", "walkUs=0,5", "--episodes", "200", "--workers", "2"], ["walkUs", '"0"', "mean > 0"]],
    ["a bad first cell of a range", ["sweep", "seed", "--vary", "walkUs=0:10:3", "--episodes", "200"], ["walkUs", '"0"']],
    ["an empty sample file", ["run", "seed", "--set", `walkUs=csv:${EMPTY_CSV}:x`], [EMPTY_CSV, "empty"]],
    ["matrix --json --csv", ["matrix", "--json", "--csv"], ["--json and --csv"]],
    ["an unwritable --out, before the sweep", ["sweep", "seed", "--vary", "memoryPressure=0:1:3", "--episodes", "1e10", "--out", "/nonexistent/x.csv"], ["out", "/nonexistent/x.csv"]],
  ];
  for (const [name, args, mentions] of cases) {
    test(name, async () => {
      const r = await tlbrace(args);
      assert.equal(r.code, 2, `exit ${r.code}; stderr ${r.stderr}`);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^tlbrace: [^\n]+\n$/);
      for (const m of mentions) assert.ok(r.stderr.includes(m), `stderr should mention ${m}: ${r.stderr}`);
    });
  }
});

describe("errors echo little", () => {
  test("a 100 kB argument comes back as a short prefix", async () => {
    const r = await tlbrace(["run", "seed", "--set", `walkUs=${"a".repeat(100_000)}`]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.length < 300, `${r.stderr.length} characters of stderr`);
    assert.match(r.stderr, /\(100000 characters\)/);
  });
  test("a named file that is not CSV is never quoted", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "tlbrace-named-")), "shadow");
    writeFileSync(file, "root:$6$secret:20228:0:99999:7:::\n");
    for (const column of ["x", "root:$6$secret:20228:0:99999:7:::"]) {
      const r = await tlbrace(["run", "seed", "--set", `walkUs=csv:${file}:${column}`]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(!r.stderr.replace(column, "").includes("secret"), r.stderr);
    }
  });
});

describe("tlbrace sweep", () => {
  test("CSV: a header, then one row per cell, first axis slowest", async () => {
    const r = await tlbrace(["sweep", "seed", "--vary", "memoryPressure=0:1:3", "--vary", "flush=native-ipi,kvm-pv",
      "--set", "tableFree=rcu-skip-sync", "--episodes", "1000"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 1 + 3 * 2);
    const header = lines[0]!.split(",");
    assert.deepEqual(header.slice(0, 8), ["memoryPressure", "flush", "cell", "episodes", "races", "pRace", "pRaceLo", "pRaceHi"]);
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i], v])));
    assert.deepEqual(rows.map((x) => `${x.memoryPressure}/${x.flush}`),
      ["0/native-ipi", "0/kvm-pv", "0.5/native-ipi", "0.5/kvm-pv", "1/native-ipi", "1/kvm-pv"]);
    for (const x of rows) if (x.flush === "native-ipi") assert.equal(x.races, "0");
  });

  test("--json: manifest, axes and rows", async () => {
    const r = await tlbrace(["sweep", "seed", "--vary", "preemptRate=log:0.01:100:3", "--episodes", "500", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.rows.length, 3);
    assert.deepEqual(j.rows.map((x: { preemptRate: number }) => x.preemptRate), [0.01, 1, 100]);
    assert.equal(j.manifest.episodes, 500);
  });
});

describe("help and version", () => {
  for (const args of [["--help"], ["run", "--help"], ["sweep", "--help"], ["study", "--help"], ["help", "run"]]) {
    test(args.join(" "), async () => {
      const r = await tlbrace(args);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Usage: tlbrace/);
      assert.equal(r.stderr, "");
    });
  }
  test("--version", async () => {
    const r = await tlbrace(["--version"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^tlbrace \d+\.\d+\.\d+ \(model \d+\)\n$/);
  });
});

const STUDY_SOURCE = join(ROOT, "src", "analysis", "study.ts");

test("tlbrace study writes its files and lists them", { skip: !existsSync(STUDY_SOURCE) && "src/analysis/study.ts not there yet" }, async () => {
  const out = mkdtempSync(join(tmpdir(), "tlbrace-study-"));
  try {
    const r = await tlbrace(["study", "--out", out, "--episodes", "2000", "--seed", "1"]);
    assert.equal(r.code, 0, r.stderr);
    const files = r.stdout.trim().split("\n");
    assert.ok(files.length > 0);
    for (const f of files) assert.ok(existsSync(f) || existsSync(join(ROOT, f)), `listed file missing: ${f}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
