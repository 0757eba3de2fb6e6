/**
 * The scenario library: every preset loads, carries its kernel history and
 * runs in every engine that applies to it, the engines agree on it; the
 * defaults are documented with their sources; measured samples load from
 * CSV and bad files are refused before any work with the file, column, row
 * and value named.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { disagreements } from "../src/analysis/matrix.js";
import { exactApplies, solveExact } from "../src/engines/exact/index.js";
import { explore } from "../src/engines/explore/index.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { mean } from "../src/model/distribution.js";
import { empiricalFromCsv, readColumn } from "../src/model/empirical.js";
import { InputError } from "../src/model/errors.js";
import { kernelHistory } from "../src/model/history.js";
import { DEFAULTS, formatParams, PARAM_SPECS, parseParam } from "../src/model/params.js";
import { defineScenario, preset, presetNames, withParams } from "../src/model/scenario.js";
import { cliInProcess } from "./dispatch.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const EXAMPLE = join(ROOT, "data", "examples", "walk-times.csv");

describe("every preset", () => {
  const names = presetNames();

  test("there is one per scenario of MODEL.md, and both sides where the history has two", () => {
    const combos = new Set(names.map((n) => `${preset(n).params.flush}/${preset(n).params.tableFree}`));
    // The flush mechanisms and freeing modes MODEL.md's eight scenarios name.
    for (const c of ["kvm-pv/rcu", "native-ipi/immediate", "hypercall/immediate", "hypercall/rcu", "broadcast/immediate",
      "broadcast/rcu", "kvm-pv/immediate", "kvm-pv/sync-ipi", "kvm-pv/rcu-skip-sync", "kvm-pv/rcu-pt-reclaim"])
      assert.ok(combos.has(c), `no preset with ${c}`);
    assert.ok(names.includes("seed"));
  });

  for (const name of names) {
    test(`${name}: validates, and says what it is and where in the kernel`, () => {
      const s = defineScenario(name);
      assert.equal(s.name, name);
      assert.deepEqual(s.params, withParams(s, {}).params, "params do not survive validation unchanged");
      assert.ok(s.title.length > 0 && s.summary.length > 0, "title and summary");
      assert.ok(s.kernel.length > 0, "kernel references");
      const text = [s.title, s.summary, ...s.kernel].join(" ");
      assert.ok(!/\t/.test(text), "tabs in the text");
    });
  }

  test("the README lists every preset", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const n of names) assert.ok(readme.includes(`| \`${n}\` |`), `README does not list ${n}`);
  });

  test("the seed keeps its name and its parameters: the defaults", () => {
    assert.deepEqual(preset("seed").params, DEFAULTS);
  });

  test("kernel history lists every preset once, dated ones in date order", () => {
    const h = kernelHistory();
    assert.deepEqual([...h.map((e) => e.scenario.name)].sort(), [...names].sort());
    const dates = h.map((e) => e.date).filter((d) => d !== "");
    assert.deepEqual(dates, [...dates].sort());
    assert.ok(h.findIndex((e) => e.date === "") === -1 || h.slice(h.findIndex((e) => e.date === "")).every((e) => e.date === ""));
    // A commit id in a preset's references comes with its title in one of them.
    for (const e of h) {
      const refs = e.scenario.kernel;
      for (const id of refs.join(" ").match(/\b[0-9a-f]{12,40}\b/g) ?? [])
        assert.ok(refs.some((r) => r.includes(id.slice(0, 12)) && /"[^"]+"/.test(r)), `${e.scenario.name}: commit ${id} without its title`);
    }
  });
});

/**
 * Ids, dates and words the presets' text must carry, checked against the
 * kernel sources and list archives once; kept here as data so that a later
 * edit cannot bring back what they corrected (`not`).
 */
const FACTS: readonly { preset: string; date: string; has: readonly string[]; not?: readonly RegExp[] }[] = [
  { preset: "hypercall-immediate", date: "2017-08",
    has: ["d73af79742e7", "\"x86, mm, gup: prevent get_page() race with munmap in paravirt guest\"", "Vlastimil Babka, posted 2019-08-02", "a 2019 stable-only patch"],
    not: [/2018 stable/] },
  { preset: "kvm-immediate", date: "2018-08",
    has: ["858a43aae23672d46fe802a41f4748f322965182 \"KVM: X86: use paravirtualized TLB Shootdown\", Wanpeng Li, 2017-12-12, v4.16",
      "pv_mmu_ops.tlb_remove_table = tlb_remove_table (in 4.19"],
    not: [/commit id not found/, /Since 48a8b97cfd80[^.]*sets pv_ops\.mmu/] },
  { preset: "hypercall-rcu", date: "2017-08",
    has: ["through pv_mmu_ops.tlb_remove_table (pv_ops.mmu.tlb_remove_table once", "5c83511bdb98", "rcu-pt-reclaim"] },
  { preset: "native", date: "2018-08",
    has: ["4.19 to 6.13", "4817f70c25b63ee5e6fd42d376700c058ae16a96", "718b13861d22"], not: [/4\.19 to 6\.14/] },
  { preset: "khugepaged-after", date: "2022-12",
    has: ["until 6.13 on x86_64", "4817f70c25b6"], not: [/without PARAVIRT, until a37259732a7d made/] },
  { preset: "torn-pte", date: "2022-10",
    has: ["CONFIG_GUP_GET_PXX_LOW_HIGH", "8f28b415703e1935457a4bf0be7f03dc5471d09f \"mm: Rename GUP_GET_PTE_LOW_HIGH\"", "v6.2", "MIPS32 with 64-bit physical addresses", "SH with X2TLB"] },
  { preset: "torn-pte-unlock", date: "2022-10", has: ["force_flush", "tlb_finish_mmu", "MADV_DONTNEED", "try_grab_folio_fast"] },
  { preset: "pt-reclaim", date: "2025-01",
    has: ["4817f70c25b63ee5e6fd42d376700c058ae16a96 \"x86: select ARCH_SUPPORTS_PT_RECLAIM if X86_64\", Qi Zheng, 2024-12-04, merged for v6.14",
      "__tlb_remove_table_one", "tlb_table_invalidate", "CONFIG_PT_RECLAIM=y"] },
  { preset: "skip-sync-kvm", date: "2025-12",
    has: ["from v5 (2026-03-02) on, as in v8 (2026-03-24)", "'PV backends (KVM, Xen, Hyper-V) ... cannot be trusted", "mm-unstable",
      "not in mainline", "'if !CONFIG_PT_RECLAIM'"] },
  { preset: "skip-sync", date: "2025-12", has: ["mm-unstable", "not in mainline", "'if !CONFIG_PT_RECLAIM'", "1fb3d8c20bfa"] },
  // Issue 23: the kernel of 2026, and PVM.
  { preset: "seed", date: "2022-10", has: ["before v7.1", "1fb3d8c20bfa", "synchronize_rcu()"] },
  { preset: "broadcast-rcu", date: "2025-02",
    has: ["9c8c02df3f87", "Qi Zheng, 2026-01-27", "4cff5c05e076", "powerpc and sparc64 keep HAVE_ARCH_TLB_REMOVE_TABLE", "69be3fb111e7"] },
  { preset: "broadcast-immediate", date: "2025-02", has: ["___pte_free_tlb -> paravirt_tlb_remove_table -> tlb_remove_page"] },
  { preset: "torn-pte-unlock", date: "2022-10", has: ["before 6.15", "81c5115a1325", "pte_unmap_unlock"] },
  { preset: "khugepaged-after", date: "2022-12",
    has: ["1d65b771bc08", "pte_free_defer", "tlb_flush_unshared_tables -> tlb_remove_table_sync_one", "1fb3d8c20bfa", "2026-07-14"],
    not: [/khugepaged now sends it every time/] },
  { preset: "pvm-kvm-pv", date: "2024-02", has: ["virt-pvm/linux", "126eb436386d", "kvm_guest_init", "LKML 2024-02-26"] },
  { preset: "pvm-pv-lite", date: "2026-12", has: ["PVM_HC_FLUSH_TLB_MULTI", "could not be verified", "pvm_flush_tlb_multi"] },
  { preset: "broadcast-pt-reclaim", date: "2026-02", has: ["9c8c02df3f87", "global ASID"] },
];

describe("kernel history facts, as data", () => {
  for (const f of FACTS) {
    test(`${f.preset}: ${f.date}, and its ids, dates and quotes`, () => {
      const h = kernelHistory().find((e) => e.scenario.name === f.preset);
      assert.ok(h, `no preset ${f.preset}`);
      assert.equal(h.date, f.date);
      const text = [h.scenario.title, h.scenario.summary, h.notes, ...h.scenario.kernel].join(" ");
      for (const x of f.has) assert.ok(text.includes(x), `${f.preset} does not say: ${x}`);
      for (const x of f.not ?? []) assert.doesNotMatch(text, x);
    });
  }

  test("the presets of the kernel's newest configurations: x86_64 from 6.14 frees the one table by RCU, and is safe", async () => {
    const s = preset("pt-reclaim");
    assert.deepEqual([s.params.flush, s.params.tableFree], ["kvm-pv", "rcu-pt-reclaim"]);
    const ex = explore(s);
    assert.equal(ex.outcomes.race.verdict, "SAFE");
    assert.equal(solveExact(s).pRace, 0);
    // Unlike the seed's rcu, a failed batch allocation sends no sync IPI: fewer IPIs, shorter unmap.
    const seed = solveExact(withParams(s, { tableFree: "rcu" }));
    assert.ok(solveExact(s).costs.ipis < seed.costs.ipis);
    const mc = await simulate(withParams(s, { memoryPressure: 1 }), { episodes: 8192, seed: 1 }, 0, { workers: 1 });
    assert.equal(mc.races, 0);
    assert.ok(mc.costs.ipis.max <= 1, "a sync IPI was sent");
  });
});

describe("every preset runs in every engine that applies, and the engines agree", () => {
  // 2^14 episodes per preset: every race probability these presets have above ~1e-3 shows up.
  const EPISODES = 16_384;
  for (const name of presetNames()) {
    test(name, async () => {
      const s = preset(name);
      const mc = await simulate(s, { episodes: EPISODES, seed: 7 }, 0, { workers: 1 });
      assert.equal(mc.episodes, EPISODES);
      const ex = explore(s);
      assert.ok(ex.complete, "the explorer's search did not finish");
      const applies = exactApplies(s);
      const exact = applies.ok ? solveExact(s) : undefined;
      const found = disagreements({
        explore: ex, montecarlo: { episodes: mc.episodes, races: mc.races, corrupts: mc.corrupts }, ...(exact ? { exact } : {}),
      });
      assert.deepEqual(found, []);
    });
  }
});

describe("data/defaults.md", () => {
  const doc = readFileSync(join(ROOT, "data", "defaults.md"), "utf8");
  const shown = formatParams(DEFAULTS);

  for (const spec of PARAM_SPECS) {
    test(`${spec.name}: its default, basis and range are in the table, with a section of its own`, () => {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${spec.name}\` |`));
      assert.ok(row, `no table row for ${spec.name}`);
      const cells = row.split("|").map((c) => c.trim());
      const given = cells[2]!.replace(/`/g, "");
      const value = shown[spec.name];
      if (typeof value === "number") assert.equal(Number(given), value, "the default in the table is not the one in params.ts");
      else assert.equal(given, value, "the default in the table is not the one in params.ts");
      assert.ok(cells[4]!.length > 0 && cells[5]!.length > 0, "basis and range");
      assert.match(doc, new RegExp(`^## .*\\b${spec.name}\\b`, "m"), `no section for ${spec.name}`);
      // A judgement says so in both places.
      const assumed = /\bassumed\b/i.test(cells[4]!);
      assert.equal(/^assumed/i.test(spec.source), assumed, `params.ts and data/defaults.md differ on whether ${spec.name} is assumed`);
    });
  }
});

describe("empirical distributions from a CSV column", () => {
  const dir = mkdtempSync(join(tmpdir(), "tlbrace-csv-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const refused = (f: () => unknown, ...parts: string[]) =>
    assert.throws(f, (e: unknown) => e instanceof InputError && parts.every((p) => e.message.includes(p)) && e.message.includes("expected"));

  test("the example file loads, every row, with its source", () => {
    const lines = readFileSync(EXAMPLE, "utf8").trim().split("\n");
    const col = lines[0]!.split(",").indexOf("walkUs");
    const expected = lines.slice(1).map((l) => Number(l.split(",")[col]));
    const d = empiricalFromCsv(EXAMPLE, "walkUs");
    assert.equal(d.kind, "empirical");
    assert.deepEqual(d.kind === "empirical" && d.samples, expected);
    assert.match(d.kind === "empirical" ? d.source ?? "" : "", /walk-times\.csv:walkUs$/);
  });

  test("--set walkUs=csv:PATH:COLUMN is a delay like any other, and drives the walk time", async () => {
    const d = parseParam("walkUs", `csv:${EXAMPLE}:walkUs`);
    assert.deepEqual(d, empiricalFromCsv(EXAMPLE, "walkUs"));
    // A hypercall flush races whenever the walk outlasts the flush: the walk's length decides.
    const s = withParams(preset("seed"), { walkUs: `csv:${EXAMPLE}:walkUs`, flush: "hypercall", tableFree: "immediate" });
    assert.equal(mean(s.params.walkUs), mean(d));
    // A longer walk is a longer window: the race gets likelier than with the default 5 us.
    const longer = await simulate(s, { episodes: 8192, seed: 3 }, 0, { workers: 1 });
    const shorter = await simulate(withParams(s, { walkUs: "exp:5" }), { episodes: 8192, seed: 3 }, 0, { workers: 1 });
    assert.ok(mean(d) > 5);
    assert.ok(longer.ci95[0] > shorter.ci95[1], `${longer.pRace} vs ${shorter.pRace}`);
  });

  test("tr.empirical is the same loader, for notebooks", async () => {
    const tr = await import("../src/index.js");
    assert.deepEqual(tr.empirical(EXAMPLE, "walkUs"), empiricalFromCsv(EXAMPLE, "walkUs"));
    assert.deepEqual(tr.kernelHistory().map((h) => h.scenario.name), kernelHistory().map((h) => h.scenario.name));
  });

  test("a path with colons keeps them; the column is what follows the last", () => {
    const p = file("a:b.csv", "t\n1\n2\n");
    assert.deepEqual(parseParam("walkUs", `csv:${p}:t`), { kind: "empirical", samples: [1, 2], source: `${p}:t` });
  });

  test("a missing file, column or value is named before any work", () => {
    refused(() => readColumn(join(dir, "nope.csv"), "walkUs"), "nope.csv", "no such file");
    const p = file("t.csv", "pages,walkUs\n1,2.5\n2,abc\n3,-1\n");
    refused(() => readColumn(p, "walk"), "walk", "the file has 2 columns", "never quoted");
    refused(() => readColumn(p, "walkUs"), "t.csv, column walkUs, row 2", "a cell of 3 characters", "a number of µs");
    const neg = file("neg.csv", "walkUs\n1\n-0.5\n");
    refused(() => readColumn(neg, "walkUs"), "neg.csv, column walkUs, row 2", ">= 0");
    const blank = file("blank.csv", "a,walkUs\n1,3\n2,\n");
    refused(() => readColumn(blank, "walkUs"), "blank.csv, column walkUs, row 2");
    const empty = file("empty.csv", "walkUs\n");
    refused(() => readColumn(empty, "walkUs"), "empty.csv", "walkUs", "at least one row");
    refused(() => parseParam("walkUs", "csv:onlyapath"), "walkUs", "csv:PATH:COLUMN");
  });

  test("the CLI refuses a bad CSV with one line and status 2, and runs a good one", async () => {
    const run = cliInProcess;
    const bad = await run(["run", "seed", "--set", `walkUs=csv:${join(dir, "missing.csv")}:walkUs`, "--episodes", "100"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.err.trim().split("\n").length, 1);
    assert.match(bad.err, /missing\.csv/);
    const good = await run(["run", "seed", "--set", `walkUs=csv:${EXAMPLE}:walkUs`, "--episodes", "4096", "--json", "--workers", "1"]);
    assert.equal(good.code, 0, good.err);
    const j = JSON.parse(good.out);
    assert.equal(j.params.walkUs.kind, "empirical");
    assert.equal(j.params.walkUs.samples.length, readColumn(EXAMPLE, "walkUs").length);
  });
});

describe("tlbrace scenarios", () => {
  test("lists every preset in kernel order, within 72 columns", async () => {
    const { code, out } = await cliInProcess(["scenarios"]);
    assert.equal(code, 0);
    const listed = out.split("\n").map((l) => /^(\S+)\s/.exec(l)?.[1]).filter((n): n is string => !!n && presetNames().includes(n));
    assert.deepEqual(listed, kernelHistory().map((h) => h.scenario.name));
    assert.ok(out.split("\n").every((l) => l.length <= 72 && /^[\x20-\x7e]*$/.test(l)));
  });
});
