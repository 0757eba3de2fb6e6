/**
 * tlbrace measure: the pieces on data whose answer is known; recorded
 * profiles (a KVM guest, a PVM guest, bare metal, not root: see
 * test/fixtures/profiles/README.md) for `--profile`, damaged profiles and
 * the report text; then windows on this machine that check only what holds
 * on any machine, with what the machine should report taken from evidence
 * the test reads itself (boot log, /sys/hypervisor, CPUID).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, machine, release, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Profile, profileSchema } from "../src/formats/profile.js";
import { MachineProfile } from "../src/api/profile.js";
import { applyProfile, readProfile } from "../src/measure/apply.js";
import { detectFlush, detectPteRead, detectTableFree, matchingPresets, PT_RECLAIM_MODE } from "../src/measure/choices.js";
import { flushSkips } from "../src/measure/ipi.js";
import { parseConfig } from "../src/measure/kernel-config.js";
import { parseHelperOutput } from "../src/measure/load.js";
import type { MachineFacts } from "../src/measure/machine.js";
import { hostPreemptions } from "../src/measure/preemption.js";
import { profileText } from "../src/measure/summary.js";
import { traceScript } from "../src/measure/trace.js";
import { flushFromLog, machineEvidence } from "./machine-evidence.js";
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
    // The interrupt comes that long after the load's churn thread started: building the helper takes longer on a busy machine.
    if (o.interruptAfterMs !== undefined) {
      const poll = setInterval(() => {
        if (!churnRunning(child.pid!)) return;
        clearInterval(poll);
        setTimeout(() => child.kill("SIGINT"), o.interruptAfterMs);
      }, 100);
      child.on("close", () => clearInterval(poll));
    }
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Whether a child of `pid` has a thread named tlbrace-churn: the measurement window's load is running. */
function churnRunning(pid: number): boolean {
  for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== pid) continue;
      if (readdirSync(`/proc/${p}/task`).some((t) => readFileSync(`/proc/${p}/task/${t}/comm`, "utf8").trim() === "tlbrace-churn")) return true;
    } catch {
      // The process ended while it was read.
    }
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

  test("a PVM guest: the pv-lite boot line is a hypercall flush, the public tree's KVM line kvm_flush_tlb_multi, each its own preset", () => {
    const pvLite = facts({ hypervisor: "PVM", symbols: new Set(["kvm_flush_tlb_multi", "pvm_flush_tlb_multi"]),
      bootLog: ["Hypervisor detected: PVM", "pvm-pv: running under PVM (pv-lite)", "pvm-pv: remote TLB flushes via PVM_HC_FLUSH_TLB_MULTI"] });
    const f = detectFlush(pvLite, null);
    assert.equal(f.value, "hypercall");
    assert.match(f.evidence[0]!, /PVM_HC_FLUSH_TLB_MULTI/);
    assert.deepEqual(matchingPresets("hypercall", "rcu-pt-reclaim", "atomic", pvLite)[0], "pvm-pv-lite");
    // Without the machine, kernel order alone: the Hyper-V/Xen preset of the same cell comes first.
    assert.equal(matchingPresets("hypercall", "rcu-pt-reclaim", "atomic")[0], "hypercall-pt-reclaim");
    const publicTree = facts({ hypervisor: "PVM", bootLog: ["Hypervisor detected: PVM", "kvm-guest: KVM setup pv remote TLB flush"] });
    assert.equal(detectFlush(publicTree, null).value, "kvm-pv");
    assert.equal(matchingPresets("kvm-pv", "rcu-pt-reclaim", "atomic", publicTree)[0], "pt-reclaim");
    assert.equal(matchingPresets("kvm-pv", "rcu", "atomic", { ...publicTree, kernel: "6.8.0" })[0], "pvm-kvm-pv");
    // The traced behaviour alone, without a boot log: no flush IPI to a running vCPU of a known hypervisor is a hypercall flush.
    const traced = detectFlush(facts({ hypervisor: "PVM", bootLog: [] }),
      { running: { flushes: 1748, withIpi: 0 }, hostGap: { flushes: 3, withIpi: 0 }, switchedOut: { flushes: 0, withIpi: 0 } });
    assert.equal(traced.value, "hypercall");
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

// -- recorded profiles ---------------------------------------------------

const FIXTURES = join(ROOT, "test", "fixtures", "profiles");
/** What each recorded profile must give: the machine line, its preset and its timeline row. */
const RECORDED = [
  { dir: "kvm-guest", where: /KVM guest/, flush: "kvm-pv", preset: "pt-reclaim", row: "x86_64 KVM guest", flushUs: true },
  { dir: "pvm-guest", where: /PVM guest/, flush: "hypercall", preset: "pvm-pv-lite", row: "x86_64 PVM guest", flushUs: false },
  { dir: "bare-metal", where: /no hypervisor seen/, flush: "native-ipi", preset: "native-pt-reclaim", row: "x86_64 bare metal", flushUs: true },
  { dir: "pvm-not-root", where: /KVM guest/, flush: null, preset: null, row: "x86_64 KVM guest", flushUs: false },
] as const;

describe("recorded profiles", { concurrency: false }, () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tlbrace-profiles-"));
    // A copy, so that a run's relative CSV paths and any damage stay out of the checkout.
    cpSync(FIXTURES, dir, { recursive: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const pathOf = (d: string) => join(dir, d, "profile.json");

  for (const f of RECORDED) {
    test(`${f.dir}: the profile reads back, its choices and preset are the presets' own, the text says what it is`, () => {
      const { profile } = readProfile(pathOf(f.dir));
      const m = profile.machine;
      assert.equal(m.flush.value, f.flush);
      assert.equal(m.preset, f.preset);
      assert.equal(m.row, f.row);
      if (m.preset) assert.deepEqual([preset(m.preset).params.flush, preset(m.preset).params.tableFree], [m.flush.value, m.tableFree.value]);
      else assert.match(m.flush.why!, /boot log/);
      // The preset named is the one the matching presets put first for this machine's kernel and hypervisor.
      assert.equal(matchingPresets(m.flush.value as never, m.tableFree.value as never, m.pteRead.value as never, m)[0] ?? null, f.preset);
      const text = profileText(profile, pathOf(f.dir));
      assert.match(text.split("\n")[0]!, f.where);
      assert.match(text, new RegExp(`Matching preset: ${f.preset ?? "none"}`));
      assert.match(text.replace(/\s+/g, " "), new RegExp(`Kernel timeline row: ${f.row}`));
      if (m.hypervisor === "PVM") assert.match(text.replace(/\s+/g, " "), /PVM is an out-of-tree hypervisor/);
      else assert.doesNotMatch(text, /PVM is/);
      assert.equal(profile.params.flushUs!.measured, f.flushUs);
      assert.equal(new MachineProfile(readProfile(pathOf(f.dir))).row, f.row);
    });

    test(`${f.dir}: run --profile uses its samples, and the text names the machine`, { timeout: 60_000 }, async () => {
      const path = pathOf(f.dir);
      const { profile } = readProfile(path);
      const r = await tlbrace(["run", "seed", "--profile", path, "--episodes", "5000", "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const man = (JSON.parse(r.stdout) as { manifest: { measured: { profile: string; machine: { kernel: string; hypervisor: string | null };
        params: Record<string, { n: number }> }; params: Record<string, { kind: string; samples: number[] }> } }).manifest;
      assert.equal(man.measured.profile, path);
      assert.equal(man.measured.machine.hypervisor, profile.machine.hypervisor);
      const measured = Object.entries(profile.params).filter(([, e]) => e.measured).map(([n]) => n);
      assert.deepEqual(Object.keys(man.measured.params), measured);
      for (const name of ["flushUs", "ipiUs", "gracePeriodUs", "preemptUs"]) {
        const e = profile.params[name]!;
        if (!e.measured) continue;
        assert.equal(man.params[name]!.kind, "empirical");
        assert.equal(man.params[name]!.samples.length, e.n, `${name}: the samples travel in the manifest`);
      }
      const text = await tlbrace(["run", "seed", "--profile", path, "--set", "walkUs=exp:4", "--episodes", "2000"]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /walkUs\s+exp:4\s+us\s+set/);
      assert.match(text.stdout, /gracePeriodUs\s+empirical\(n=\d+.*measured/);
      assert.match(text.stdout.replace(/\s+/g, " "), new RegExp(`Measured on Linux ${profile.machine.kernel} x86_64, ${f.where.source}`));
    });
  }

  test("a PVM profile: sweep, exact and rerun on its samples", { timeout: 60_000 }, async () => {
    const path = pathOf("pvm-guest");
    const sweep = await tlbrace(["sweep", "seed", "--profile", path, "--vary", "preemptRate=0.1,1", "--episodes", "1000", "--json"]);
    assert.equal(sweep.code, 0, sweep.stderr);
    const sm = (JSON.parse(sweep.stdout) as { manifest: { measured: { params: Record<string, unknown> } } }).manifest.measured;
    assert.ok(!("preemptRate" in sm.params) && "gracePeriodUs" in sm.params, "a varied parameter is no longer the measured one");
    const exact = await tlbrace(["exact", "seed", "--profile", path, "--approximate", "--json"]);
    assert.equal(exact.code, 0, exact.stderr);
    const ex = JSON.parse(exact.stdout) as { approximated: { param: string }[] };
    assert.ok(ex.approximated.some((a) => a.param === "gracePeriodUs"));
    const r = await tlbrace(["run", "seed", "--profile", path, "--episodes", "2000", "--json"]);
    const saved = join(dir, "run.json");
    writeFileSync(saved, r.stdout);
    const again = await tlbrace(["rerun", saved]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /identical/);
    const matrix = await tlbrace(["matrix", "--profile", join(dir, "none", "profile.json")]);
    assert.equal(matrix.code, 2);
    assert.match(matrix.stderr, /profile: ".*none\/profile\.json" is not allowed; expected a readable file/);
  });

  test("a damaged profile is refused naming the file, the place in it and what was expected", { timeout: 30_000 }, async () => {
    const copy = join(dir, "damaged");
    cpSync(join(dir, "kvm-guest"), copy, { recursive: true });
    const { profile } = readProfile(join(copy, "profile.json"));
    const bad = structuredClone(profile) as unknown as { params: Record<string, Record<string, unknown>> };
    bad.params.flushUs!.n = -1;
    writeFileSync(join(copy, "profile.json"), JSON.stringify(bad));
    const r = await tlbrace(["run", "seed", "--profile", join(copy, "profile.json")]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /profile\.json: params\.flushUs\.n: -1 is not allowed; expected/);
    const row = structuredClone(profile) as unknown as { machine: Record<string, unknown> };
    row.machine.row = 7;
    writeFileSync(join(copy, "profile.json"), JSON.stringify(row));
    const r2 = await tlbrace(["run", "seed", "--profile", join(copy, "profile.json")]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /profile\.json: machine\.row: 7 is not allowed/);

    writeFileSync(join(copy, "profile.json"), JSON.stringify(profile));
    rmSync(join(copy, "ipi-flush.csv"));
    const missing = await tlbrace(["sweep", "seed", "--profile", join(copy, "profile.json"), "--vary", "memoryPressure=0,1"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /ipi-flush\.csv.*no such file/);
    assert.throws(() => applyProfile(preset("seed"), readProfile(join(copy, "profile.json"))), InputError);
  });

  test("not root: the traced parameters say root is missing; what needs no privilege is still measured", () => {
    const p = readProfile(pathOf("pvm-not-root")).profile;
    assert.equal(p.capabilities.root!.ok, false);
    for (const name of ["flushUs", "ipiUs"]) {
      const e = p.params[name]!;
      assert.ok(!e.measured);
      assert.match(e.why, /needs root/);
    }
    assert.ok(p.params.gracePeriodUs!.measured && p.params.tableFree!.measured);
    assert.ok(p.machine.notes.some((n) => /kvm-clock.*PVM/.test(n)), "a hypervisor named from the clocksource says PVM uses it too");
  });
});

// -- windows on this machine: what holds everywhere ------------------------

describe("tlbrace measure on this machine", { concurrency: false }, () => {
  let dir = "";
  const evidence = machineEvidence();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tlbrace-measure-"));
    chmodSync(dir, 0o777);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a 2 s window: the machine as independent evidence gives it, every parameter measured with its samples or saying why not",
    { timeout: 120_000 }, async () => {
      const out = join(dir, "full");
      const r = await tlbrace(["measure", "--seconds", "2", "--out", out, "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const profile = profileSchema.parse(JSON.parse(r.stdout));
      const path = join(out, "profile.json");
      assert.deepEqual(readProfile(path).profile, profile, "stdout and profile.json hold the same profile");
      const m = profile.machine;
      assert.equal(m.kernel, release());
      assert.equal(m.arch, machine());
      assert.equal(m.cores, cpus().length);
      // The hypervisor: the boot log's own words where this process may read them, else /sys/hypervisor, else only guest or not.
      if (evidence.detected !== undefined) assert.equal(m.hypervisor, evidence.detected, "Hypervisor detected: in the boot log");
      else if (evidence.sysHypervisor) assert.equal(m.hypervisor?.toLowerCase(), evidence.sysHypervisor.toLowerCase());
      else if (evidence.cpuidSignature !== undefined) assert.equal(m.hypervisor !== null, evidence.cpuidSignature !== "" || evidence.guestFlag);
      else assert.equal(m.hypervisor !== null, evidence.guestFlag);
      const flush = flushFromLog(evidence);
      if (flush !== undefined) assert.equal(m.flush.value, flush, `the boot log's flush: ${m.flush.evidence.join("; ")}`);
      if (m.hypervisor === "PVM") assert.ok(m.preset === null || m.preset.startsWith("pvm-") || m.preset === "pt-reclaim" || m.preset.startsWith("hypercall-"));
      assert.deepEqual(Object.keys(profile.params), [...PARAM_NAMES], "an entry for every parameter, in the model's order");
      assert.ok(profile.window.seconds > 1.5 && !profile.window.interrupted);
      if (m.preset !== null) assert.deepEqual([preset(m.preset).params.flush, preset(m.preset).params.tableFree], [m.flush.value, m.tableFree.value]);
      for (const c of [m.flush, m.tableFree, m.pteRead]) assert.ok(c.value !== null || (c.why ?? "").length > 0);
      for (const [name, e] of Object.entries(profile.params)) {
        if (!e.measured) {
          assert.ok(e.why.length > 0, name);
          continue;
        }
        if (typeof e.value !== "string" || !e.value.startsWith("csv:")) continue;
        const [file, column] = e.value.split(":").slice(1);
        const rows = csvRows(join(out, file!));
        const col = rows[0]!.indexOf(column!);
        assert.ok(col >= 0);
        assert.equal(rows.length - 1, e.n, name);
        assert.ok(e.n > 0 && rows.slice(1).every((row) => Number(row[col]) > 0), `${name}: every sample a time > 0`);
      }
      // A flush that sends no IPIs has nothing to time: flushUs says so instead of a number.
      if (m.flush.value === "hypercall" || m.flush.value === "broadcast") {
        const f = profile.params.flushUs!;
        if (!f.measured) assert.match(f.why, /no flush_tlb_func calls|root|bpftrace|tracefs/);
      }
    });

  test("no bpftrace on PATH: a partial profile that says so; Ctrl-C keeps what was measured", { timeout: 60_000 }, async () => {
    const bin = join(dir, "bin");
    mkdirSync(bin);
    // The compiler and its assembler and linker, the boot log and mount: everything measure runs but bpftrace, where they exist.
    for (const tool of ["cc", "as", "ld", "dmesg", "mount"]) {
      const at = spawnSync("which", [tool], { encoding: "utf8" }).stdout.trim();
      if (at) symlinkSync(at, join(bin, tool));
    }
    const out = join(dir, "no-bpftrace");
    const r = await tlbrace(["measure", "--seconds", "60", "--out", out], { env: { ...process.env, PATH: bin }, interruptAfterMs: 1500 });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stdout, /interrupted; the profile holds what was measured/);
    const p = readProfile(join(out, "profile.json")).profile;
    assert.ok(p.window.interrupted && p.window.seconds < 60);
    for (const name of ["flushUs", "ipiUs"]) {
      const e = p.params[name]!;
      assert.ok(!e.measured);
      assert.match(e.why, /bpftrace is not on PATH/);
    }
    if (p.capabilities.compiler!.ok) assert.ok(p.params.gracePeriodUs!.measured, "grace periods measured before the interrupt");
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
