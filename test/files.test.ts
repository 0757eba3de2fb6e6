/**
 * Files, devices, full disks and shared checkpoints, through the CLI as a
 * process (as root, as CI runs it): outputs that are links, FIFOs or devices
 * are left as they are; a full disk leaves no file and says so; FIFOs,
 * devices and huge files as inputs are refused at once; file content is
 * never echoed; a profile reads only inside its folder; two sweeps cannot
 * share a checkpoint; signals to measure leave no process behind; and every
 * scenario's files (every format, torn reads included) are read back by
 * report, merge, rerun and --resume.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { presetNames } from "../src/model/scenario.js";
import { cliInProcess } from "./dispatch.js";

const BIN = new URL("../bin/tlbrace.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "tlbrace-files-"));
const at = (name: string) => join(dir, name);
/** Bounded so that a hang fails the test instead of stalling it. */
const LIMIT_MS = 60_000;

interface Outcome { code: number | null; out: string; err: string; hung: boolean }

function tlbrace(args: readonly string[], o: { onStart?: (pid: number) => void; onErr?: (err: string, pid: number) => void } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "", hung = false;
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => ((err += s), o.onErr?.(err, child.pid!)));
    const timer = setTimeout(() => ((hung = true), child.kill("SIGKILL")), LIMIT_MS);
    child.on("close", (code) => (clearTimeout(timer), resolve({ code, out, err, hung })));
    o.onStart?.(child.pid!);
  });
}

/** Exit 2, one line naming `parts`, nothing on stdout, no hang. */
function refused(r: Outcome, ...parts: string[]): void {
  assert.ok(!r.hung, "did not end by itself");
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^tlbrace: [^\n]+\n$/);
  for (const p of parts) assert.ok(r.err.includes(p), `stderr should mention ${p}: ${r.err}`);
}

const ok = (r: Outcome) => assert.equal(r.code, 0, r.err);
const SWEEP = ["sweep", "seed", "--vary", "memoryPressure=0,1", "--episodes", "200", "--workers", "1"];
const kind = (p: string) => { const s = lstatSync(p); return s.isSymbolicLink() ? "link" : s.isFIFO() ? "fifo" : s.isCharacterDevice() ? "chardev" : s.isFile() ? "file" : "other"; };
/** Files a failed write must not leave behind. */
const temporaries = (folder: string) => readdirSync(folder).filter((f) => f.startsWith(".tlbrace-"));

before(async () => {
  writeFileSync(at("target.txt"), "keep me\n");
  symlinkSync(at("target.txt"), at("link.csv"));
  symlinkSync(at("target.txt"), at("link.json"));
  symlinkSync(at("target.txt"), at("link.jsonl"));
  spawnSync("mkfifo", [at("fifo.json"), at("fifo.csv"), at("fifo.jsonl")]);
  ok(await tlbrace([...SWEEP, "--shard", "1/2", "--out", at("part-1.json")]));
  ok(await tlbrace([...SWEEP, "--shard", "2/2", "--out", at("part-2.arrow")]));
});

describe("outputs: only a new name or a regular file is written", () => {
  test("a symbolic link under the name is refused and its target kept", async () => {
    for (const args of [["merge", at("part-1.json"), at("part-2.arrow"), "--out", at("link.csv")], [...SWEEP, "--out", at("link.json")],
      [...SWEEP, "--checkpoint", at("link.jsonl")], ["report", at("part-1.json"), "--html", join(dir, "page.html")]]) {
      if (args.includes(join(dir, "page.html"))) symlinkSync(at("target.txt"), join(dir, "page.html"));
      refused(await tlbrace(args), "symbolic link", "left as it is");
    }
    assert.equal(readFileSync(at("target.txt"), "utf8"), "keep me\n");
    for (const l of ["link.csv", "link.json", "link.jsonl", "page.html"]) assert.equal(kind(at(l)), "link");
  });

  test("a FIFO or a device under the name is refused and left a FIFO or a device", async () => {
    refused(await tlbrace(["merge", at("part-1.json"), at("part-2.arrow"), "--out", at("fifo.csv")]), "a FIFO");
    refused(await tlbrace([...SWEEP, "--checkpoint", "/dev/full"]), "/dev/full", "a character device");
    refused(await tlbrace([...SWEEP, "--checkpoint", at("fifo.jsonl")]), "a FIFO");
    assert.equal(kind(at("fifo.csv")), "fifo");
    assert.equal(kind(at("fifo.jsonl")), "fifo");
    assert.equal(kind("/dev/full"), "chardev");
  });

  test("a path through a file, or with a name too long, is bad input naming the path", async () => {
    writeFileSync(at("plain"), "x");
    refused(await tlbrace([...SWEEP, "--out", join(at("plain"), "o.json")]), join(at("plain"), "o.json"), "ENOTDIR");
    refused(await tlbrace(["merge", at("part-1.json"), at("part-2.arrow"), "--out", at(`${"n".repeat(300)}.csv`)]), "ENAMETOOLONG");
    refused(await tlbrace(["report", at("part-1.json"), "--html", join(at("plain"), "r.html")]), "ENOTDIR");
    refused(await tlbrace(["study", "--out", join(at("plain"), "study")]), "ENOTDIR");
    refused(await tlbrace(["measure", "--out", "/proc/tlbrace-no-such/x.json"]), "/proc/tlbrace-no-such/x.json");
  });
});

describe("a full disk: every write whole or absent, exit 2 naming the path", () => {
  const full = at("full");
  let mounted = false;
  before(() => {
    mkdirSync(full);
    const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", full], { encoding: "utf8" });
    mounted = r.status === 0;
  });
  after(() => {
    if (mounted) spawnSync("umount", [full]);
  });

  test("sweep --out (.json, .csv, .arrow), merge --out, report --html, study, --checkpoint", async (t) => {
    if (!mounted) return t.skip("mounting a small tmpfs needs root (mount -t tmpfs); not possible here");
    const big = ["sweep", "seed", "--vary", "walkUs=1:100:300", "--episodes", "100", "--workers", "1"];
    // 8 kB left: less than any of these files needs.
    spawnSync("dd", ["if=/dev/zero", `of=${join(full, "filler")}`, "bs=4k", "count=14"], { encoding: "utf8" });
    for (const [args, path] of [
      [[...big, "--out", join(full, "big.json")], join(full, "big.json")],
      [[...big, "--out", join(full, "big.csv")], join(full, "big.csv")],
      [[...big, "--out", join(full, "big.arrow")], join(full, "big.arrow")],
    ] as const) {
      refused(await tlbrace(args), path, "no space left");
      assert.ok(!existsSync(path), `${path} was left behind`);
    }
    // Filled to the last block: even a small file does not fit.
    spawnSync("dd", ["if=/dev/zero", `of=${join(full, "filler2")}`, "bs=4k"], { encoding: "utf8" });
    refused(await tlbrace(["merge", at("part-1.json"), at("part-2.arrow"), "--out", join(full, "m.csv")]), join(full, "m.csv"));
    refused(await tlbrace(["report", at("part-1.json"), "--html", join(full, "r.html")]), join(full, "r.html"));
    refused(await tlbrace([...SWEEP, "--checkpoint", join(full, "c.jsonl")]), join(full, "c.jsonl"));
    for (const f of ["m.csv", "r.html", "c.jsonl"]) assert.ok(!existsSync(join(full, f)), `${f} was left behind`);
    assert.deepEqual(temporaries(full), []);
    rmSync(join(full, "filler"));
    rmSync(join(full, "filler2"));
  });

  test("a file already there is kept whole when its replacement does not fit", async (t) => {
    if (!mounted) return t.skip("mounting a small tmpfs needs root (mount -t tmpfs); not possible here");
    rmSync(join(full, "filler"), { force: true });
    ok(await tlbrace([...SWEEP, "--out", join(full, "keep.json")]));
    const before = readFileSync(join(full, "keep.json"));
    spawnSync("dd", ["if=/dev/zero", `of=${join(full, "filler")}`, "bs=4k"], { encoding: "utf8" });
    refused(await tlbrace(["sweep", "seed", "--vary", "walkUs=1:100:300", "--episodes", "100", "--out", join(full, "keep.json")]), "no space left");
    assert.deepEqual(readFileSync(join(full, "keep.json")), before);
    rmSync(join(full, "filler"), { force: true });
  });
});

describe("inputs: only regular files, of a bounded size, never quoted", () => {
  test("FIFOs, /dev/zero and /dev/urandom are refused at once by every reader", async () => {
    writeFileSync(at("huge.json"), "");
    truncateSync(at("huge.json"), 600 * 2 ** 20);
    const cases: [string[], string][] = [
      [["report", at("fifo.json")], "a FIFO"],
      [["report", "/dev/zero"], "a character device"],
      [["rerun", "/dev/urandom"], "a character device"],
      [["merge", at("fifo.json"), at("part-2.arrow")], "a FIFO"],
      [["run", "seed", "--profile", at("fifo.json")], "a FIFO"],
      [[...SWEEP, "--resume", at("fifo.jsonl")], "a FIFO"],
      [["run", "seed", "--set", `walkUs=csv:${at("fifo.csv")}:x`], "a FIFO"],
      [["run", "seed", "--set", "walkUs=csv:/dev/zero:x"], "a character device"],
      [["report", at("huge.json")], "at most"],
    ];
    for (const [args, why] of cases) refused(await tlbrace(args), why);
    rmSync(at("huge.json"));
  });

  test("a CSV behind a link to a secret is not quoted, whatever its name", async () => {
    writeFileSync(at("shadow"), "root:$6$secret:20228:0:99999:7:::\nx:1\n");
    symlinkSync(at("shadow"), at("s.csv"));
    for (const column of ["x", "y"]) {
      const r = await tlbrace(["run", "seed", "--set", `walkUs=csv:${at("s.csv")}:${column}`]);
      refused(r, "never quoted");
      assert.ok(!r.err.includes("secret") && !r.err.includes("root:"), r.err);
    }
  });

  test("a profile's files are read only inside its folder", async () => {
    mkdirSync(at("prof"));
    writeFileSync(at("outside.csv"), "walkUs\n5\n");
    writeFileSync(at("prof/walk.csv"), "walkUs\n4\n6\n");
    symlinkSync(at("outside.csv"), at("prof/link.csv"));
    const profile = (value: string) => ({
      format: "tlbrace-profile", formatVersion: 1, tool: { version: "0", commit: null },
      machine: {
        kernel: "6.1", arch: "x86_64", hypervisor: null, cores: 2, date: "2026-01-01T00:00:00.000Z", config: null,
        flush: { value: null, evidence: [] }, tableFree: { value: null, evidence: [] }, pteRead: { value: null, evidence: [] },
        preset: null, presets: [], notes: [],
      },
      window: { requestedSeconds: 1, seconds: 1, interrupted: false },
      capabilities: {},
      params: { walkUs: { measured: true, method: "test", n: 2, value } },
      observations: { flushesByReason: null, callsByCallback: null, ipisByCallback: null, flushSkips: null, preemption: null, load: null, lostEvents: 0, untraced: [] },
      samples: [],
    });
    const use = async (value: string) => {
      writeFileSync(at("prof/profile.json"), JSON.stringify(profile(value)));
      return tlbrace(["run", "seed", "--profile", at("prof/profile.json"), "--episodes", "100", "--json"]);
    };
    const inside = await use("csv:walk.csv:walkUs");
    ok(inside);
    assert.match(JSON.parse(inside.out).manifest.params.walkUs.source ?? JSON.stringify(JSON.parse(inside.out).manifest.params.walkUs), /walk\.csv/);
    refused(await use("csv:../outside.csv:walkUs"), "profile's folder");
    refused(await use(`csv:${at("outside.csv")}:walkUs`), "profile's folder");
    refused(await use("csv:../../../../etc/passwd:root"), "profile's folder");
    refused(await use("csv:link.csv:walkUs"), "a link to a file outside");
  });
});

describe("one checkpoint, one sweep", () => {
  test("a second sweep on a checkpoint in use is refused; the first keeps its cells and resumes", { timeout: 300_000 }, async () => {
    const cp = at("shared.jsonl");
    const long = ["sweep", "seed", "--vary", "walkUs=1:20:20", "--episodes", "100000", "--workers", "1"];
    let pid = 0;
    const first = tlbrace([...long, "--checkpoint", cp], { onStart: (p) => (pid = p) });
    // Waits for the first to hold the lock.
    for (let i = 0; i < 600 && !existsSync(`${cp}.lock`); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(existsSync(`${cp}.lock`), "the first sweep took no lock");
    refused(await tlbrace([...long, "--checkpoint", cp]), cp, "is running a sweep on it");
    process.kill(pid, "SIGINT");
    const r = await first;
    assert.ok(r.code === 130 || r.code === 0, r.err);
    assert.ok(!existsSync(`${cp}.lock`), "the lock outlived the sweep");
    const resumed = await tlbrace([...long, "--resume", cp]);
    ok(resumed);
    assert.equal(readFileSync(cp, "utf8").trimEnd().split("\n").length, 1 + 20, "one row per cell, once");
    assert.deepEqual(resumed.out.trimEnd().split("\n").length, 1 + 20);
  });

  test("a lock left by a killed sweep is taken over", async () => {
    const cp = at("stale.jsonl");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(`${cp}.lock`, `${dead} ${(await import("node:os")).hostname()}\n`);
    ok(await tlbrace([...SWEEP, "--checkpoint", cp]));
    assert.ok(!existsSync(`${cp}.lock`));
  });

  test("a checkpoint of another tlbrace says what differs", async () => {
    const cp = at("other.jsonl");
    ok(await tlbrace([...SWEEP, "--checkpoint", cp]));
    const [head, ...rest] = readFileSync(cp, "utf8").split("\n");
    const m = JSON.parse(head!);
    writeFileSync(cp, [JSON.stringify({ ...m, commit: "0000000", node: "v0.0.0" }), ...rest].join("\n"));
    refused(await tlbrace([...SWEEP, "--resume", cp]), "differs in", "commit", "node");
  });
});

describe("extreme values are refused before any work", () => {
  test("huge delays and rates name the range allowed", async () => {
    for (const [set, field] of [["walkUs=1e308", "walkUs"], ["preemptRate=1e308", "preemptRate"], ["walkUs=lognormal:1:1000", "walkUs"], ["preemptUs=1e308", "preemptUs"]]) {
      refused(await tlbrace(["run", "seed", "--set", set!, "--json"]), field!, "at most");
      refused(await tlbrace(["sweep", "seed", "--set", set!, "--vary", "memoryPressure=0,1", "--out", at("x.json")]), field!, "at most");
      assert.ok(!existsSync(at("x.json")));
    }
    refused(await tlbrace(["sweep", "seed", "--vary", "walkUs=1,1e8", "--vary", "preemptRate=0.1,100"]), "walkUs=100000000, preemptRate=100", "at most");
  });
});

describe("resources", () => {
  test("a huge sweep says its size before the work; --workers beyond the cores is capped with a note; Ctrl-C keeps its cells", { timeout: 120_000 }, async () => {
    const cp = at("huge.jsonl");
    let sent = false;
    const r = await tlbrace(["sweep", "seed", "--vary", "walkUs=1:100:1000", "--vary", "memoryPressure=0:1:1000", "--workers", "256", "--checkpoint", cp], {
      onErr: (err, pid) => { if (!sent && /episodes/.test(err)) (sent = true), process.kill(pid, "SIGINT"); },
    });
    assert.ok(!r.hung);
    assert.equal(r.code, 130, r.err);
    assert.match(r.err, /--workers 256: this machine has \d+ cores?; running \d+ workers/);
    assert.match(r.err, /1000000 cells x 20000 episodes = 2\.0e\+10 episodes/);
    assert.match(r.err, /finished cells are kept in/);
    assert.ok(!existsSync(`${cp}.lock`), "the lock outlived the sweep");
  });
});

describe("every file tlbrace writes, it reads back", () => {
  /**
   * A sweep in each format, in shards, checkpointed, and a run; then report,
   * merge, rerun and --resume. `cli` is the CLI as a process, or in this
   * process where every scenario is covered (the same code, without a
   * process's start-up per step).
   */
  const roundTrip = async (name: string, cli: (args: readonly string[]) => Promise<{ code: number | null; out: string; err: string }>) => {
    const d = at(`rt-${name}-${cli === tlbrace ? "process" : "inside"}`);
    mkdirSync(d);
    const f = (x: string) => join(d, x);
    const ok = (r: { code: number | null; err: string }) => assert.equal(r.code, 0, `${name}: ${r.err}`);
    // pteRead varied: every scenario also writes rows with torn reads.
    const sweep = ["sweep", name, "--vary", "pteRead=atomic,low-high", "--vary", "memoryPressure=0,1", "--episodes", "200", "--workers", "1"];
    ok(await cli([...sweep, "--out", f("s.json")]));
    ok(await cli([...sweep, "--shard", "1/2", "--out", f("p1.arrow")]));
    ok(await cli([...sweep, "--shard", "2/2", "--out", f("p2.json")]));
    ok(await cli([...sweep, "--checkpoint", f("c.jsonl")]));
    const run = await cli(["run", name, "--set", "pteRead=low-high", "--episodes", "200", "--json"]);
    ok(run);
    writeFileSync(f("run.json"), run.out);
    for (const file of ["s.json", "p1.arrow", "run.json"]) ok(await cli(["report", f(file)]));
    for (const file of ["s.json", "run.json"]) {
      const again = await cli(["rerun", f(file), "--workers", "1"]);
      ok(again);
      assert.match(again.out + again.err, /identical/, `${name} ${file}`);
    }
    ok(await cli(["merge", f("p1.arrow"), f("p2.json"), "--out", f("m.json")]));
    const whole = JSON.parse(readFileSync(f("s.json"), "utf8")), merged = JSON.parse(readFileSync(f("m.json"), "utf8"));
    assert.deepEqual(merged.rows, whole.rows, `${name}: merged shards equal the whole sweep`);
    assert.ok(whole.rows.some((r: { torns?: unknown }) => typeof r.torns === "number"), `${name}: rows with torn reads`);
    const resumed = await cli([...sweep, "--resume", f("c.jsonl"), "--json"]);
    ok(resumed);
    assert.deepEqual(JSON.parse(resumed.out).rows, whole.rows, `${name}: --resume gives the sweep`);
    // The folder holds what was written, and nothing half-written.
    assert.deepEqual(temporaries(d), []);
  };
  for (const name of ["seed", "torn-pte"])
    test(`${name}, as processes: sweep (.json, shards, checkpoint) and run, then report, merge, rerun, --resume`, { timeout: 300_000 }, () => roundTrip(name, tlbrace));
  test("every scenario: the same round trip", { timeout: 600_000 }, async () => {
    for (const name of presetNames()) await roundTrip(name, cliInProcess);
  });
});

/** Pids of `root` and every process below it, from /proc. */
function descendants(root: number): Set<number> {
  const parent = new Map<number, number>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* gone meanwhile */ }
  }
  const found = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) if (found.has(ppid) && !found.has(pid)) (found.add(pid), (grew = true));
  }
  return found;
}

/** Whether `pid` still runs: present in /proc and not a zombie (a zombie has ended; only its parent's wait is missing). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

describe("measure leaves nothing behind", () => {
  // Whatever this machine allows (with root, bpftrace and a C compiler: the load and the trace; without: less),
  // a signal must stop it at once and leave no process and no temporary folder.
  const ours = (pid: number) => readdirSync(tmpdir()).filter((f) => f.startsWith(`tlbrace-measure-${pid}-`));
  for (const signal of ["SIGTERM", "SIGINT", "SIGKILL"] as const) {
    test(`${signal} during the window: no process of its own survives`, { timeout: 120_000 }, async () => {
      let pid = 0;
      const seen = new Set<number>();
      const run = tlbrace(["measure", "--seconds", "60", "--out", at(`m-${signal}`)], { onStart: (p) => (pid = p) });
      // Watches its children appear; the signal goes once the load runs (or, without a compiler, after a while).
      let loaded = false;
      for (let i = 0; i < 400 && !loaded; i++) {
        await new Promise((r) => setTimeout(r, 100));
        for (const p of descendants(pid)) seen.add(p);
        // The helper itself (argv[0]), not the compiler building it.
        loaded = [...seen].some((p) => { try { return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0")[0]!.endsWith("/measure-load"); } catch { return false; } });
        if (i > 150 && seen.size > 0) break;
      }
      process.kill(pid, signal);
      const r = await run;
      assert.ok(!r.hung, "measure did not end after the signal");
      if (signal !== "SIGKILL") assert.equal(r.code, 130, r.err);
      // The children go with it (PR_SET_PDEATHSIG after SIGKILL): a moment for the kernel to deliver that.
      let left: number[] = [];
      for (let i = 0; i < 50; i++) {
        left = [...seen].filter((p) => p !== pid && running(p));
        if (left.length === 0) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.deepEqual(left.map((p) => `${p} ${readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").slice(0, 80)}`), []);
      assert.deepEqual(ours(pid), [], "a temporary folder was left");
    });
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));
