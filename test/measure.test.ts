/**
 * tlbrace measure: the pieces on data whose answer is known, then real
 * windows on this machine (a KVM guest, Linux with /proc/config.gz, run as
 * root with bpftrace, as CI is): the full profile, the runs that use it,
 * and the partial profiles of an unprivileged user and of a PATH without
 * bpftrace.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Profile, profileSchema } from "../src/formats/profile.js";
import { applyProfile, readProfile } from "../src/measure/apply.js";
import { detectFlush, detectPteRead, detectTableFree, matchingPresets, PT_RECLAIM_MODE } from "../src/measure/choices.js";
import { flushSkips } from "../src/measure/ipi.js";
import { parseConfig } from "../src/measure/kernel-config.js";
import { parseHelperOutput } from "../src/measure/load.js";
import type { MachineFacts } from "../src/measure/machine.js";
import { hostPreemptions } from "../src/measure/preemption.js";
import { traceScript } from "../src/measure/trace.js";
import { quantileOf, samplesChart } from "../src/charts/samples.js";
import { exponential } from "../src/model/distribution.js";
import { InputError } from "../src/model/errors.js";
import { PARAM_NAMES, TABLE_FREE_MODES } from "../src/model/params.js";
import { preset } from "../src/model/scenario.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "tlbrace.js");

interface Outcome { code: number | null; stdout: string; stderr: string }

/** The CLI in its own process; `prefix` runs it through another command (setpriv). */
function tlbrace(args: readonly string[], o: { env?: NodeJS.ProcessEnv; prefix?: string[]; interruptAfterMs?: number } = {}): Promise<Outcome> {
  const [cmd, ...pre] = [...(o.prefix ?? []), process.execPath];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, [...pre, BIN, ...args], { cwd: tmpdir(), env: o.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    // The interrupt comes `interruptAfterMs` after the load helper runs (the build before it may take long on a busy machine).
    if (o.interruptAfterMs !== undefined) {
      const poll = setInterval(() => {
        if (!helperRunning(child.pid!)) return;
        clearInterval(poll);
        setTimeout(() => child.kill("SIGINT"), o.interruptAfterMs);
      }, 50);
      child.on("close", () => clearInterval(poll));
    }
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Whether a child of `pid` is the load helper itself (its argv[0]), not the compiler building it. */
function helperRunning(pid: number): boolean {
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== pid) continue;
      if (readFileSync(`/proc/${e}/cmdline`, "utf8").split("\0")[0]!.endsWith("/measure-load")) return true;
    } catch { /* gone meanwhile */ }
  }
  return false;
}

const csvRows = (path: string): string[][] => readFileSync(path, "utf8").trim().split("\n").map((l) => l.split(","));

// -- the pieces ------------------------------------------------------------

const facts = (over: Partial<MachineFacts>): MachineFacts => ({
  kernel: "6.18.0", arch: "x86_64", cores: 2, hypervisor: "KVM", cpuFlags: ["hypervisor"],
  config: { ok: true, config: parseConfig("CONFIG_X86_64=y\nCONFIG_MMU_GATHER_RCU_TABLE_FREE=y\nCONFIG_PT_RECLAIM=y\n", "/proc/config.gz") },
  symbols: new Set(["kvm_flush_tlb_multi"]), bootLog: ["kvm-guest: KVM setup pv remote TLB flush"], notes: [], ...over,
});

describe("the pieces of a measurement", () => {
  test("the helper's output parses into gaps, grace periods and the window", () => {
    const r = parseHelperOutput([
      "tlbrace-measure-load 1", "window 100 5100 1 2", "gap 200 3000 0 2500", "gap 900 40000 1 39000",
      "busy 1 100 5000 0 4000 0 100 3", "membarrier 1", "gp 300 150000", "vmsplice 1", "vms 3500", "churn 10 1 0 0",
    ].join("\n"));
    assert.equal(r.interrupted, true);
    assert.deepEqual(r.gaps, [{ start: 200, length: 3000, guestSwitch: false, stolen: 2500 }, { start: 900, length: 40000, guestSwitch: true, stolen: 39000 }]);
    assert.deepEqual(r.graces, [[300, 150000]]);
    assert.deepEqual(r.busy, { cpu: 1, t0: 100, t1: 5000, execNs: 4000, waitNs: 100, switches: 3 });
  });

  test("a host preemption is a gap with steal in it, not a guest switch and not an exit that kept the vCPU running", () => {
    const busy = { cpu: 1, t0: 0, t1: 10_000_000, execNs: 0, waitNs: 0, switches: 1 };
    const gaps = [
      { start: 1_000_000, length: 40_000, guestSwitch: false, stolen: 100 },     // an exit: no steal
      { start: 2_000_000, length: 80_000, guestSwitch: false, stolen: 70_000 },  // the host had it for 70 us
      { start: 3_000_000, length: 500_000, guestSwitch: true, stolen: 500_000 }, // the guest ran another task
    ];
    const p = hostPreemptions(gaps, busy, true);
    assert.deepEqual(p.gaps.map((g) => g.kind), ["other", "host-preemption", "guest-switch"]);
    assert.deepEqual(p.host, [{ start: 2_000_000, us: 70 }]);
    assert.equal(p.onCpuMs, 10 - 0.5 - 0.07);
    assert.equal(p.rate, 1 / p.onCpuMs);
    // Without steal accounting, length alone decides: the exit counts too.
    assert.deepEqual(hostPreemptions(gaps, busy, false).host.map((h) => h.us), [40, 80]);
  });

  test("each remote flush is matched with the flush IPI it sent the busy CPU, by that vCPU's state", () => {
    const gaps = hostPreemptions([{ start: 5000, length: 20_000, guestSwitch: false, stolen: 20_000 }],
      { cpu: 1, t0: 0, t1: 1e9, execNs: 0, waitNs: 0, switches: 0 }, true).gaps;
    const call = (queued: number) => ({ func: "flush_tlb_func", cpu: 1, queued, entered: queued + 10, exited: queued + 20, fromChurn: true });
    const s = flushSkips([1000, 6000, 29_000], [call(1001), call(29_003)], gaps, 1, 0, 1e9);
    assert.deepEqual(s, { running: { flushes: 2, withIpi: 2 }, hostGap: { flushes: 1, withIpi: 0 }, switchedOut: { flushes: 0, withIpi: 0 } });
  });

  test("the kernel's flush, table free and PTE read follow from its configuration and boot log", () => {
    const f = facts({});
    assert.equal(detectFlush(f, null).value, "kvm-pv");
    assert.match(detectFlush(f, null).evidence[0]!, /KVM setup pv remote TLB flush/);
    assert.equal(detectFlush(facts({ cpuFlags: [], hypervisor: null, bootLog: [] }), null).value, "native-ipi");
    assert.equal(detectFlush(facts({ arch: "aarch64", bootLog: [] }), null).value, "broadcast");
    // A guest whose log cannot be read: open, with the reason.
    const open = detectFlush(facts({ bootLog: null }), null);
    assert.equal(open.value, null);
    assert.match(open.why!, /not readable: run as root/);

    const free = detectTableFree(f, 3);
    const hasMode = (TABLE_FREE_MODES as readonly string[]).includes(PT_RECLAIM_MODE);
    assert.equal(free.value, hasMode ? PT_RECLAIM_MODE : "rcu");
    if (!hasMode) {
      assert.equal(free.kernel, PT_RECLAIM_MODE);
      assert.match(free.why!, /rcu stands in/);
    }
    const plain = facts({ config: { ok: true, config: parseConfig("CONFIG_MMU_GATHER_RCU_TABLE_FREE=y\n", "x") } });
    assert.equal(detectTableFree(plain, null).value, "rcu");
    assert.equal(detectTableFree(facts({ config: { ok: true, config: parseConfig("CONFIG_X86_64=y\n", "x") } }), null).value, "immediate");
    assert.equal(detectPteRead(f).value, "atomic");
    assert.equal(detectPteRead(facts({ arch: "i686", config: { ok: true, config: parseConfig("CONFIG_GUP_GET_PXX_LOW_HIGH=y\n", "x") } })).value, "low-high");
  });

  test("a container without a kernel configuration leaves the table free open and says why", () => {
    const f = facts({ config: { ok: false, why: "no kernel configuration readable (/proc/config.gz: ENOENT)" } });
    const c = detectTableFree(f, null);
    assert.equal(c.value, null);
    assert.match(c.why!, /\/proc\/config\.gz: ENOENT/);
    assert.equal(detectPteRead(f).value, "atomic", "uname -m still says 64-bit");
  });

  test("the matching preset is looked up by flush and tableFree, never by name", () => {
    for (const [flush, tableFree] of [["kvm-pv", "rcu"], ["native-ipi", "immediate"], ["kvm-pv", "sync-ipi"]] as const) {
      const names = matchingPresets(flush, tableFree, "atomic");
      assert.ok(names.length > 0);
      for (const n of names) assert.deepEqual([preset(n).params.flush, preset(n).params.tableFree], [flush, tableFree]);
      assert.equal(preset(names[0]!).params.pteRead, "atomic", "the same PTE read first");
    }
    assert.deepEqual(matchingPresets(null, "rcu", "atomic"), []);
  });

  test("the trace script times GUP-fast only where kprobes exist, and leaves out tracepoints the kernel lacks", () => {
    const all = traceScript({ maxSeconds: 60, remoteSendIpi: 4 }, () => true);
    assert.doesNotMatch(all.text, /kprobe/);
    assert.match(all.text, /tracepoint:csd:csd_queue_cpu/);
    assert.match(all.text, /args->reason == 4 && comm == "tlbrace-churn"/);
    const probed = traceScript({ maxSeconds: 60, remoteSendIpi: 4, gupProbe: "gup_fast_fallback" }, () => true);
    assert.match(probed.text, /kprobe:gup_fast_fallback \{/);
    assert.match(probed.text, /kretprobe:gup_fast_fallback/);
    const old = traceScript({ maxSeconds: 60, remoteSendIpi: 4 }, (tp) => !tp.startsWith("csd:"));
    assert.doesNotMatch(old.text, /csd_queue_cpu/);
    assert.deepEqual(old.missing, ["csd:csd_queue_cpu", "csd:csd_function_entry", "csd:csd_function_exit"]);
  });
});

test("a histogram of samples against the default: the same bins, each side's shares summing to 1", () => {
  const samples = Array.from({ length: 200 }, (_, i) => 15 + (i % 50));
  const f = samplesChart(samples, { name: "flushUs", against: exponential(3) });
  assert.deepEqual(f.data.map((t) => t.type), ["scatter", "scatter"]);
  const [measured, fallback] = f.data as { x: number[]; y: number[] }[];
  assert.deepEqual(measured!.x, fallback!.x, "the same bin edges");
  const sum = (ys: number[]) => ys.slice(0, -1).reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(measured!.y) - 1) < 1e-12 && Math.abs(sum(fallback!.y) - 1) < 1e-12);
  assert.ok(measured!.x[0]! <= quantileOf(exponential(3), 0.005), "the bins reach down to the default's bulk");
  assert.equal((f.layout.xaxis as { type: string }).type, "log", "from 0.015 to 64 us: log bins");
  assert.equal((samplesChart([1, 2, 3], { name: "x" }).layout.xaxis as { type: string }).type, "linear");
});

// -- windows on this machine ----------------------------------------------

describe("tlbrace measure on this machine", { concurrency: false }, () => {
  let dir = "";
  let profile: Profile;
  let path = "";
  before(() => {
    assert.equal(process.getuid?.(), 0, "these tests measure as root, as CI does");
    dir = mkdtempSync(join(tmpdir(), "tlbrace-measure-"));
    chmodSync(dir, 0o777);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a 3 s window: every parameter this machine exposes has real samples", { timeout: 120_000 }, async () => {
    const out = join(dir, "full");
    // In a mount namespace of its own without tracefs: measure mounts it (as root) and says so.
    const r = await tlbrace(["measure", "--seconds", "3", "--out", out, "--json"], {
      prefix: ["unshare", "--mount", "--propagation", "private", "sh", "-c", 'umount /sys/kernel/tracing 2>/dev/null; exec "$@"', "sh"],
    });
    assert.equal(r.code, 0, r.stderr);
    profile = profileSchema.parse(JSON.parse(r.stdout));
    assert.match(profile.capabilities.tracefs!.detail, /tlbrace mounted it/);
    path = join(out, "profile.json");
    assert.deepEqual(readProfile(path).profile, profile, "stdout and profile.json hold the same profile");
    const m = profile.machine;
    assert.equal(m.kernel, release());
    assert.equal(m.cores, cpus().length);
    assert.equal(m.hypervisor, "KVM");
    for (const o of ["CONFIG_PARAVIRT", "CONFIG_KVM_GUEST", "CONFIG_MMU_GATHER_RCU_TABLE_FREE", "CONFIG_PT_RECLAIM"])
      assert.equal(m.config?.options[o], "y", o);
    assert.deepEqual(Object.keys(profile.params), [...PARAM_NAMES], "an entry for every parameter, in the model's order");
    assert.ok(profile.window.seconds > 2.5 && !profile.window.interrupted);

    // The flush and free code the kernel uses, with evidence; the preset found by equality.
    const p = profile.params;
    assert.ok(p.flush!.measured && p.flush!.value === "kvm-pv");
    assert.match(p.flush!.method, /KVM setup pv remote TLB flush/);
    assert.ok(m.tableFree.value === PT_RECLAIM_MODE || m.tableFree.kernel === PT_RECLAIM_MODE);
    assert.ok(m.preset !== null);
    assert.deepEqual([preset(m.preset).params.flush, preset(m.preset).params.tableFree], [m.flush.value, m.tableFree.value]);
    const skips = profile.observations.flushSkips!;
    assert.ok(skips.running.flushes > 0 && skips.running.withIpi > 0, "the churn's flushes IPI'd the running busy vCPU");

    // Traced and timed delays: real samples, as many rows as n, all times > 0.
    for (const name of ["flushUs", "ipiUs", "gracePeriodUs"]) {
      const e = p[name]!;
      assert.ok(e.measured, `${name}: ${e.measured ? "" : e.why}`);
      const [file, column] = String(e.value).split(":").slice(1);
      const rows = csvRows(join(out, file!));
      const col = rows[0]!.indexOf(column!);
      assert.ok(col >= 0);
      assert.equal(rows.length - 1, e.n);
      assert.ok(e.n > 0 && rows.slice(1).every((r) => Number(r[col]) > 0), `${name}: every sample a time > 0`);
    }
    // Host preemptions depend on the host: counted, or said to be absent from this window.
    for (const name of ["preemptRate", "preemptUs"]) {
      const e = p[name]!;
      if (!e.measured) assert.match(e.why, /no host preemption was seen in [\d.]+ ms of on-CPU time/);
      else assert.equal(e.n, profile.observations.preemption!.preemptions);
    }
    // No kprobes here: the walk keeps its default, with a user-space bound beside it.
    const walk = p.walkUs!;
    assert.ok(!walk.measured);
    assert.match(walk.why, /kprobe/);
    assert.ok(walk.bound && walk.bound.n > 0);
    for (const name of ["memoryPressure", "reuseUs", "lowCollision"]) assert.equal(p[name]!.measured, false, name);
  });

  test("run --profile uses the samples, its manifest says which, where and when, and rerun repeats it", { timeout: 60_000 }, async () => {
    assert.ok(profile, "needs the measured profile");
    const r = await tlbrace(["run", "seed", "--profile", path, "--episodes", "20000", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { manifest: { measured: { profile: string; machine: { kernel: string; date: string }; params: Record<string, { n: number }> };
      params: Record<string, { kind: string; samples: number[]; source: string }> } };
    const man = result.manifest;
    assert.equal(man.measured.profile, path);
    assert.equal(man.measured.machine.kernel, release());
    assert.equal(man.measured.machine.date, profile.machine.date);
    const measured = Object.entries(profile.params).filter(([, e]) => e.measured).map(([n]) => n);
    assert.deepEqual(Object.keys(man.measured.params), measured);
    for (const name of ["flushUs", "ipiUs", "gracePeriodUs"]) {
      const e = profile.params[name]!;
      assert.ok(e.measured);
      assert.equal(man.measured.params[name]!.n, e.n);
      assert.equal(man.params[name]!.kind, "empirical");
      assert.equal(man.params[name]!.samples.length, e.n, "the samples travel in the manifest");
      assert.equal(man.params[name]!.source, `${join(path, "..", String(e.value).split(":")[1]!)}:${String(e.value).split(":")[2]}`);
    }
    // The text says it too; --set wins over the profile.
    const text = await tlbrace(["run", "seed", "--profile", path, "--set", "flushUs=exp:4", "--episodes", "2000"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /flushUs\s+exp:4\s+us\s+set/);
    assert.match(text.stdout, /gracePeriodUs\s+empirical\(n=\d+.*measured/);
    assert.match(text.stdout, /Measured on Linux .* KVM guest/);
    assert.doesNotMatch(text.stdout.split("Measured on")[1]!, /flushUs/);

    // A varied parameter is no longer the measured one; exact solves measured means as exponentials, and says so.
    const sweep = await tlbrace(["sweep", "seed", "--profile", path, "--vary", "preemptRate=0.1,1", "--episodes", "1000", "--json"]);
    assert.equal(sweep.code, 0, sweep.stderr);
    const sm = (JSON.parse(sweep.stdout) as { manifest: { measured: { params: Record<string, unknown> } } }).manifest.measured;
    assert.ok(!("preemptRate" in sm.params) && "gracePeriodUs" in sm.params);
    const exact = await tlbrace(["exact", "seed", "--profile", path, "--approximate", "--json"]);
    assert.equal(exact.code, 0, exact.stderr);
    const ex = JSON.parse(exact.stdout) as { approximated: { param: string }[]; manifest: { measured: { params: Record<string, unknown> } } };
    assert.ok(ex.approximated.some((a) => a.param === "gracePeriodUs") && "gracePeriodUs" in ex.manifest.measured.params);
    const matrix = await tlbrace(["matrix", "--profile", join(dir, "none", "profile.json")]);
    assert.equal(matrix.code, 2);
    assert.match(matrix.stderr, /profile: ".*none\/profile\.json" is not allowed; expected a readable file/);

    const saved = join(dir, "run.json");
    writeFileSync(saved, r.stdout);
    const again = await tlbrace(["rerun", saved]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /identical/);
  });

  test("a damaged profile is refused naming the file, the place in it and what was expected", { timeout: 30_000 }, async () => {
    assert.ok(profile, "needs the measured profile");
    const copy = join(dir, "damaged");
    cpSync(join(path, ".."), copy, { recursive: true });
    const bad = structuredClone(profile) as unknown as { params: Record<string, Record<string, unknown>> };
    bad.params.flushUs!.n = -1;
    writeFileSync(join(copy, "profile.json"), JSON.stringify(bad));
    const r = await tlbrace(["run", "seed", "--profile", join(copy, "profile.json")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /profile\.json: params\.flushUs\.n: -1 is not allowed; expected/);

    writeFileSync(join(copy, "profile.json"), JSON.stringify(profile));
    rmSync(join(copy, "ipi-flush.csv"));
    const missing = await tlbrace(["sweep", "seed", "--profile", join(copy, "profile.json"), "--vary", "memoryPressure=0,1"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ipi-flush\.csv.*no such file/);
    assert.throws(() => applyProfile(preset("seed"), readProfile(join(copy, "profile.json"))), InputError);
  });

  test("not root: a partial profile, each traced parameter saying root is missing", { timeout: 60_000 }, async () => {
    const out = join(dir, "nobody");
    const r = await tlbrace(["measure", "--seconds", "2", "--out", out, "--json"],
      { prefix: ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] });
    assert.equal(r.code, 0, r.stderr);
    const p = profileSchema.parse(JSON.parse(r.stdout));
    assert.equal(p.capabilities.root!.ok, false);
    for (const name of ["flushUs", "ipiUs"]) {
      const e = p.params[name]!;
      assert.ok(!e.measured);
      assert.match(e.why, /needs root/);
    }
    // What needs no privilege is still measured: grace periods, the kernel's configuration.
    assert.ok(p.params.gracePeriodUs!.measured);
    assert.ok(p.params.tableFree!.measured);
  });

  test("no bpftrace on PATH: a partial profile that says so; Ctrl-C keeps what was measured", { timeout: 60_000 }, async () => {
    const bin = join(dir, "bin");
    mkdirSync(bin);
    // The compiler and its assembler and linker, the boot log and mount: everything measure runs but bpftrace.
    for (const tool of ["cc", "as", "ld", "dmesg", "mount"]) symlinkSync(spawnSync("which", [tool], { encoding: "utf8" }).stdout.trim(), join(bin, tool));
    const out = join(dir, "no-bpftrace");
    const r = await tlbrace(["measure", "--seconds", "60", "--out", out], { env: { ...process.env, PATH: bin }, interruptAfterMs: 1000 });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stdout, /interrupted; the profile holds what was measured/);
    const p = readProfile(join(out, "profile.json")).profile;
    assert.ok(p.window.interrupted && p.window.seconds < 60);
    for (const name of ["flushUs", "ipiUs"]) {
      const e = p.params[name]!;
      assert.ok(!e.measured);
      assert.match(e.why, /bpftrace is not on PATH/);
    }
    assert.ok(p.params.gracePeriodUs!.measured, "grace periods measured before the interrupt");
  });
});

test("bad options are refused before the window starts: exit 2, one line naming the field", async () => {
  for (const [args, field] of [[["--seconds", "0"], "seconds: 0"], [["--seconds", "abc"], 'seconds: "abc"'],
    [["--out", "/etc/passwd/x"], 'out: "/etc/passwd/x"']] as const) {
    const r = await tlbrace(["measure", ...args]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.ok(r.stderr.startsWith(`tlbrace: ${field} is not allowed`), r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1);
  }
});

test("scripts/setup.sh installs bpftrace with the other Debian packages", () => {
  const setup = readFileSync(join(ROOT, "scripts", "setup.sh"), "utf8");
  const list = /apt_packages=\(([^)]*)\)/.exec(setup)?.[1]?.split(/\s+/) ?? [];
  assert.ok(list.includes("bpftrace"), `apt_packages: ${list.join(" ")}`);
  assert.ok(list.includes("gcc"), "gcc builds the load helper");
});
