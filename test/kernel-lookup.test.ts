/**
 * Which preset a kernel is: `tlbrace scenarios --kernel VERSION --arch ARCH
 * --hypervisor NAME` against kernel facts with their sources, the rules'
 * own consistency (one default preset per place, every commit id they cite
 * told in the history table), and bad input refused before any work.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  appliesRules, compareVersions, formatVersion, HYPERVISORS, parseVersion, presetForKernel, rowOf, ruleVersions, TIMELINE_ROWS,
  unknownPresets, ARCHES,
} from "../src/model/applies.js";
import { kernelTimeline } from "../src/analysis/kernel-timeline.js";
import { kernelTimelineChart } from "../src/charts/kernel-timeline.js";
import { solveExact } from "../src/engines/exact/index.js";
import { explore } from "../src/engines/explore/index.js";
import { kernelHistory } from "../src/model/history.js";
import { preset, presetNames } from "../src/model/scenario.js";
import { cliInProcess } from "./dispatch.js";

const BIN = join(fileURLToPath(new URL("..", import.meta.url)), "bin", "tlbrace.js");

// (version, arch, hypervisor) -> the preset, and where the kernel says so.
const TRIPLES: readonly { args: string[]; preset: string | null; source: string }[] = [
  { args: ["5.10"], preset: "native",
    source: "48a8b97cfd80 (v4.19): bare-metal x86 frees page tables with tlb_remove_page after the IPI flush; PT_RECLAIM only from 6.14" },
  { args: ["6.1", "--hypervisor", "KVM"], preset: "seed",
    source: "kvm_guest_init sets pv_ops.mmu.tlb_remove_table = tlb_remove_table with kvm_flush_tlb_multi (858a43aae236, v4.16)" },
  { args: ["6.18.44-fc-v1272", "--hypervisor", "KVM"], preset: "pt-reclaim",
    source: "4817f70c25b6 (v6.14): CONFIG_PT_RECLAIM default y on x86_64; the project's KVM test guest's /proc/config.gz" },
  { args: ["6.18", "--hypervisor", "PVM"], preset: "pvm-pv-lite",
    source: "a PVM guest's boot log: 'pvm-pv: remote TLB flushes via PVM_HC_FLUSH_TLB_MULTI', CONFIG_PT_RECLAIM=y" },
  { args: ["6.8", "--hypervisor", "PVM"], preset: "pvm-kvm-pv",
    source: "virt-pvm/linux arch/x86/kernel/pvm.c sets no flush_tlb_multi; kvm_guest_init installs kvm_flush_tlb_multi" },
  { args: ["4.9", "--hypervisor", "Xen"], preset: "hypercall-immediate",
    source: "xen_flush_tlb_others with tlb_remove_page until 9e52fc2b50de (v4.14); d73af79742e7 (4.9 stable)" },
  { args: ["6.10", "--hypervisor", "Hyper-V"], preset: "hypercall-rcu",
    source: "hyperv_flush_tlb_multi with tlb_remove_table (2ffd9e33ce4a, 9e52fc2b50de), no PT_RECLAIM before 6.14" },
  { args: ["6.6", "--arch", "aarch64"], preset: "broadcast-rcu",
    source: "arm64 TLBI ...IS with RCU table free (5e5f6dc10546); PT_RECLAIM on arm64 only from 9c8c02df3f87 (v7.0)" },
  { args: ["7.0", "--arch", "arm64", "--hypervisor", "KVM"], preset: "broadcast-pt-reclaim",
    source: "9c8c02df3f87 'mm: make PT_RECLAIM depends on MMU_GATHER_RCU_TABLE_FREE' (Qi Zheng, 2026-01-27, v7.0)" },
  { args: ["6.10", "--arch", "i686"], preset: "torn-pte-unlock",
    source: "x86-32 PAE: CONFIG_GUP_GET_PXX_LOW_HIGH, tlb_remove_page until a37259732a7d (v6.15)" },
  { args: ["6.16", "--arch", "x86-32-pae"], preset: null,
    source: "from a37259732a7d (v6.15) x86-32 frees through tlb_remove_table with the sync IPI (native-ipi/rcu): no preset" },
  { args: ["4.15"], preset: null,
    source: "9e52fc2b50de (v4.14) gave bare metal RCU table free until 48a8b97cfd80 (v4.19): native-ipi/rcu, no preset" },
  { args: ["6.4", "--arch", "riscv64"], preset: null,
    source: "riscv had no GUP-fast before 69be3fb111e7 and 3f910b7a522e (v6.8)" },
];

describe("scenarios --kernel", () => {
  for (const t of TRIPLES) {
    test(`${t.args.join(" ")}: ${t.preset ?? "none"} (${t.source})`, async () => {
      const r = await cliInProcess(["scenarios", "--kernel", ...t.args, "--json"]);
      assert.equal(r.code, 0, r.err);
      const j = JSON.parse(r.out) as { preset: string | null; why: string | null; source: string | null };
      assert.equal(j.preset, t.preset);
      if (t.preset === null) assert.match(j.why!, /^no preset covers/);
      else assert.ok(j.source && j.why === null);
      const text = await cliInProcess(["scenarios", "--kernel", ...t.args]);
      assert.equal(text.code, 0);
      assert.match(text.out.split("\n")[0]!, new RegExp(`: ${t.preset ?? "none"}( |$)`));
    });
  }

  test("a preset that applies only under a condition is named with the condition", async () => {
    const j = JSON.parse((await cliInProcess(["scenarios", "--kernel", "6.18", "--hypervisor", "PVM", "--json"])).out) as
      { conditional: { preset: string; when: string }[] };
    assert.ok(j.conditional.some((c) => c.preset === "pt-reclaim" && /KVM setup pv remote TLB flush/.test(c.when)));
  });

  test("bad input: exit 2 and one line naming the field, in a process of its own", () => {
    for (const [args, field] of [[["--kernel", "six"], 'kernel: "six"'], [["--kernel", "6.1", "--arch", "powerpc"], 'arch: "powerpc"'],
      [["--kernel", "6.1", "--hypervisor", "vmware"], 'hypervisor: "vmware"'], [["--arch", "arm64"], 'arch: "arm64"']] as const) {
      const r = spawnSync(process.execPath, [BIN, "scenarios", ...args], { encoding: "utf8" });
      assert.equal(r.status, 2);
      assert.equal(r.stdout, "");
      assert.ok(r.stderr.startsWith(`tlbrace: ${field} is not allowed`), r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
  });
});

describe("the presets' applies rules", () => {
  test("name presets that exist, and leave out the ones no kernel shipped", () => {
    assert.deepEqual(unknownPresets(), []);
    for (const never of ["skip-sync", "skip-sync-kvm", "kvm-immediate", "broadcast-immediate"])
      assert.ok(!appliesRules().has(never), `${never} is a proposal or was never shipped`);
  });

  test("at most one preset applies by default at every version, arch and hypervisor", () => {
    const versions = ruleVersions();
    const probes = [parseVersion("3.0"), ...versions, ...versions.map(([a, b]) => [a, b + 1] as const)];
    for (const version of probes) for (const arch of ARCHES) for (const hypervisor of HYPERVISORS)
      assert.doesNotThrow(() => presetForKernel({ version, arch, hypervisor }), `${formatVersion(version)} ${arch} ${hypervisor}`);
    assert.ok(versions.every((v, i) => i === 0 || compareVersions(versions[i - 1]!, v) < 0));
  });

  test("every commit id a rule cites is told in the history table", () => {
    const told = kernelHistory().map((h) => [h.notes, h.scenario.title, h.scenario.summary, ...h.scenario.kernel].join(" ")).join(" ");
    for (const [name, rules] of appliesRules()) {
      assert.ok(presetNames().includes(name));
      for (const r of rules)
        for (const id of r.source.match(/\b[0-9a-f]{12,40}\b/g) ?? [])
          assert.ok(told.includes(id), `${name}: ${id} is cited by its rule but told by no preset`);
    }
  });

  test("every timeline row has a rule, and a machine's row is found from uname -m and its hypervisor", () => {
    for (const row of TIMELINE_ROWS)
      assert.ok([...appliesRules().values()].flat().some((r) => r.arches.includes(row.arch) && r.hypervisors.includes(row.hypervisor)), row.label);
    assert.equal(rowOf("x86_64", "PVM"), "x86_64 PVM guest");
    assert.equal(rowOf("x86_64", null), "x86_64 bare metal");
    assert.equal(rowOf("aarch64", "KVM"), "arm64");
    assert.equal(rowOf("x86_64", "Hyper-V"), "x86_64 Xen PV/Hyper-V guest");
    assert.equal(rowOf("s390x", null), null);
  });
});

describe("the kernel timeline", () => {
  test("each cell is the preset its rules name and the engines' answer on it; the figure draws every cell", async () => {
    const t = await kernelTimeline({ versions: ["4.9", "6.1", "6.16", "7.0"], episodes: 2000 });
    assert.deepEqual(t.rows, TIMELINE_ROWS.map((r) => r.label));
    assert.equal(t.cells.length, t.rows.length * 4);
    for (const c of t.cells) {
      const row = TIMELINE_ROWS.find((r) => r.label === c.row)!;
      const m = presetForKernel({ version: parseVersion(c.version), arch: row.arch, hypervisor: row.hypervisor });
      assert.equal(c.preset, m.preset, `${c.row} ${c.version}`);
      if (c.preset === null) {
        assert.equal(c.verdict, null);
        assert.match(c.why!, /^no preset covers/);
        continue;
      }
      const s = preset(c.preset);
      const found = explore(s).outcomes;
      assert.equal(c.verdict, found[c.outcome!]!.verdict, `${c.preset}: the explorer's verdict`);
      if (c.pRaceBy === "exact") {
        const e = solveExact(s);
        assert.equal(c.pRace, c.outcome === "torn" ? e.pTorn : e.pRace);
      }
      assert.equal(c.verdict === "UNSAFE", c.pRace! > 0, `${c.preset}: unsafe exactly where pRace > 0`);
    }
    // Xen PV before 4.14 freed page tables at once under a hypercall flush; x86-32 PAE before 6.15 can tear a PTE read.
    const cell = (row: string, v: string) => t.cells.find((c) => c.row.startsWith(row) && c.version === v)!;
    assert.deepEqual([cell("x86_64 Xen", "4.9").preset, cell("x86_64 Xen", "4.9").verdict], ["hypercall-immediate", "UNSAFE"]);
    assert.deepEqual([cell("x86-32", "6.1").outcome, cell("x86-32", "6.1").verdict], ["torn", "UNSAFE"]);
    assert.equal(cell("x86_64 PVM", "7.0").preset, "pvm-pv-lite");

    const fig = kernelTimelineChart(t);
    const trace = fig.data[0] as { type: string; z: number[][]; x: string[]; y: string[] };
    assert.equal(trace.type, "heatmap");
    assert.deepEqual([trace.z.length, trace.z[0]!.length], [t.rows.length, 4]);
    const labels = (fig.layout.annotations as { text: string }[]).map((a) => a.text);
    assert.equal(labels.length, t.cells.length);
    assert.ok(labels.some((l) => /^hypercall-immediate<br>UNSAFE<br>pRace /.test(l)));
    assert.ok(labels.includes("none"));
  });

  test("bad options are refused before any work", async () => {
    await assert.rejects(kernelTimeline({ versions: ["six"] }), /versions: "six" is not allowed/);
    await assert.rejects(kernelTimeline({ versions: [] }), /versions: .* is not allowed; expected at least one kernel version/);
  });
});
