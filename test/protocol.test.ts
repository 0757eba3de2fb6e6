/**
 * Protocols as data: every preset's protocol shown as a file and read back
 * gives the same numbers from every engine; a hand-written protocol is
 * judged by all of them; bad files are refused with file:line:column and
 * the step; the compiled engine runs a user's file as the interpreter does;
 * a manifest carries its protocol whole.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { stringify } from "yaml";
import { solveExact } from "../src/engines/exact/index.js";
import { explore } from "../src/engines/explore/index.js";
import { simulate } from "../src/engines/montecarlo/run.js";
import { FLUSH_MECHANISMS, PTE_READS, PTE_REMAPS, TABLE_FREE_MODES } from "../src/model/params.js";
import { defineScenario, presetNames, withParams } from "../src/model/scenario.js";
import { protocolRef, protocolTextRef, withProtocol } from "../src/protocol/attach.js";
import { builtinDoc, pieces } from "../src/protocol/library.js";
import { cliInProcess } from "./dispatch.js";

const dir = mkdtempSync(join(tmpdir(), "tlbrace-protocol-"));
const CLI = new URL("../bin/tlbrace.js", import.meta.url).pathname;

/** The preset's protocol as `protocol show` prints it, read back from that text as a user's file. */
async function roundTrip(name: string, model: "table-free" | "pte" = "table-free") {
  const r = await cliInProcess(["protocol", "show", name, ...(model === "pte" ? ["--model", "pte"] : [])]);
  assert.equal(r.code, 0, r.err);
  return protocolTextRef(r.out, `${name}.yaml`);
}

test("every mode and piece has its file in data/protocols/, and every file a value", () => {
  assert.deepEqual(pieces("flush"), [...FLUSH_MECHANISMS].sort());
  assert.deepEqual(pieces("table-free"), [...TABLE_FREE_MODES].sort());
  assert.deepEqual(pieces("pte-read"), [...PTE_READS].sort());
  assert.deepEqual(pieces("pte-remap"), [...PTE_REMAPS].sort());
});

test("round trip: every preset -> protocol show -> file -> Monte Carlo, exact and explorer give the preset's numbers", async () => {
  for (const name of presetNames()) {
    const s = defineScenario(name);
    const ref = await roundTrip(name);
    const pte = await roundTrip(name, "pte");
    const viaFile = withProtocol(s, ref);
    const viaPteFile = withProtocol(s, pte);
    const a = await simulate(s, { episodes: 8192, seed: 3 }), b = await simulate(viaFile, { episodes: 8192, seed: 3 });
    assert.deepEqual([b.races, b.corrupts, b.costs], [a.races, a.corrupts, a.costs], name);
    const c = await simulate(viaPteFile, { episodes: 8192, seed: 3 });
    assert.deepEqual([c.races, c.torns, c.costs], [a.races, a.torns, a.costs], `${name} (PTE model)`);
    const ex = explore(s), ey = explore(viaFile), ez = explore(viaPteFile);
    for (const o of ["race", "corrupt"] as const) assert.deepEqual(ey.outcomes[o], ex.outcomes[o], `${name} ${o}`);
    assert.deepEqual(ez.outcomes.torn, ex.outcomes.torn, `${name} torn`);
    const xa = solveExact(s), xb = solveExact(viaFile);
    assert.deepEqual([xb.pRace, xb.pCorrupt, xb.costs], [xa.pRace, xa.pCorrupt, xa.costs], `${name} exact`);
  }
});

test("round trip over random parameters (fast-check): a file of the same protocol gives the same numbers", async () => {
  await fc.assert(fc.asyncProperty(
    fc.constantFrom(...FLUSH_MECHANISMS), fc.constantFrom(...TABLE_FREE_MODES),
    fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }),
    fc.constantFrom("exp:5", "lognormal:5:1", "uniform:1:9"),
    async (flush, tableFree, memoryPressure, preemptRate, walkUs) => {
      const s = withParams(defineScenario("seed"), { flush, tableFree, memoryPressure, preemptRate, walkUs });
      const ref = protocolTextRef(stringify(builtinDoc(s.params, "table-free")), "p.yaml");
      const a = await simulate(s, { episodes: 4096, seed: 7 }), b = await simulate(withProtocol(s, ref), { episodes: 4096, seed: 7 });
      assert.deepEqual([b.races, b.corrupts, b.costs], [a.races, a.corrupts, a.costs]);
    }), { numRuns: 20, seed: 22 });
});

const FREE_BEFORE_FLUSH = `
base: native
name: free before the flush
replace:
  - id: pmd-clear
    do: "pmd = 'clear'; u = 'cleared'; page = 'freed'"
settled: "(w === 'done' || w === 'idle') && page !== 'live' && (u === 'freed' || u === 'reused' || u === 'gp-done')"
`;

/** Written out whole, not exported: the seed's walker against an unmapper that frees before its IPI flush is answered. */
const HAND_WRITTEN = `
name: hand-written early free
state:
  w: { values: [idle, irqs-off, walking, read-done, done], initial: idle }
  wRunning: { values: [false, true], initial: true }
  preemptions: { count: true, initial: 0 }
  u: { values: [start, cleared, flushing, freed], initial: start }
  ipiPending: { values: [0, 1], initial: 0 }
  ipis: { values: [0, 1], initial: 0 }
  page: { values: [live, freed], initial: live }
  race: { values: [false, true], initial: false }
define:
  inIrqsOff: "w === 'irqs-off' || w === 'walking' || w === 'read-done'"
steps:
  - { id: irq-disable, actor: W, kernel: local_irq_save, when: "w === 'idle'", onCpu: true, do: "w = 'irqs-off'" }
  - { id: pmd-read, actor: W, kernel: pmdp_get_lockless, when: "w === 'irqs-off'", onCpu: true, do: "w = 'walking'" }
  - { id: pte-read, actor: W, kernel: ptep_get_lockless, when: "w === 'walking'", onCpu: true, delay: walkUs,
      do: "race = page !== 'live' ? true : race; w = 'read-done'" }
  - { id: irq-enable, actor: W, kernel: local_irq_restore, when: "w === 'read-done'", onCpu: true, do: "w = 'done'" }
  - { id: ipi-ack, actor: W, kernel: flush_tlb_func, when: "ipiPending > 0 && (w === 'idle' || w === 'done')", onCpu: true, do: "ipiPending -= 1" }
  - { id: pmd-clear, actor: U, kernel: pmd_clear, when: "u === 'start'", do: "u = 'cleared'" }
  - { id: flush-ipi, actor: U, kernel: native_flush_tlb_multi, when: "u === 'cleared'", do: "ipiPending += 1; ipis += 1; u = 'flushing'" }
  # The bug: the free does not wait for the flush's answer, only for the flush's own time.
  - { id: early-free, actor: U, kernel: pte_free, when: "u === 'flushing'", delay: flushUs, do: "page = 'freed'; u = 'freed'" }
  - { id: preempt, actor: host, kernel: vCPU scheduled out, when: inIrqsOff, onCpu: true, delay: { rate: preemptRate }, do: "wRunning = false; preemptions += 1" }
  - { id: resume, actor: host, kernel: vCPU scheduled in, when: "!wRunning", delay: preemptUs, do: "wRunning = true" }
window: [{ step: pte-read }]
settled: "(w === 'done' || w === 'idle') && page !== 'live'"
returned: "u === 'freed'"
freed: "page !== 'live'"
`;

test("a hand-written protocol: the explorer finds it UNSAFE, exact and Monte Carlo agree within the 95% interval", async () => {
  const s = withProtocol(defineScenario("native"), protocolTextRef(HAND_WRITTEN, "early-free.yaml"));
  const e = explore(s);
  assert.equal(e.outcomes.race.verdict, "UNSAFE");
  assert.ok(e.outcomes.race.counterexample!.some((t) => t.step === "early-free"));
  const x = solveExact(s);
  const mc = await simulate(s, { episodes: 400_000, seed: 5 });
  assert.ok(x.pRace > 0.05 && x.pRace < 0.95, `exact pRace ${x.pRace}`);
  assert.ok(mc.ci95[0] <= x.pRace && x.pRace <= mc.ci95[1], `exact ${x.pRace} outside Monte Carlo's [${mc.ci95}]`);
  // The same walker and flush with the free after the answer (the native preset) never races.
  assert.equal(explore(defineScenario("native")).outcomes.race.verdict, "SAFE");
});

test("a patch: the free before the flush races under a native IPI flush, in the explorer, exact and Monte Carlo", async () => {
  const s = withProtocol(defineScenario("native"), protocolTextRef(FREE_BEFORE_FLUSH, "early.yaml"));
  assert.equal(explore(s).outcomes.race.verdict, "UNSAFE");
  const x = solveExact(s), mc = await simulate(s, { episodes: 200_000, seed: 2 });
  assert.ok(mc.ci95[0] <= x.pRace && x.pRace <= mc.ci95[1], `exact ${x.pRace} outside [${mc.ci95}]`);
});

test("the compiled engine runs a user's file bit for bit as the interpreter does", async () => {
  for (const text of [HAND_WRITTEN, FREE_BEFORE_FLUSH]) {
    const s = withParams(withProtocol(defineScenario("native"), protocolTextRef(text, "u.yaml")), { walkUs: "lognormal:5:1", preemptRate: 2 });
    const a = await simulate(s, { episodes: 50_000, seed: 9, engine: "compiled" });
    const b = await simulate(s, { episodes: 50_000, seed: 9, engine: "interpret" });
    assert.deepEqual([a.races, a.corrupts, a.costs], [b.races, b.corrupts, b.costs]);
  }
});

test("v7.1's synchronize_rcu fallback: SAFE under every flush, the unmap latency of a grace period on the failed branch", () => {
  for (const flush of FLUSH_MECHANISMS) {
    const s = withParams(defineScenario("synchronize-rcu"), { flush, memoryPressure: 0.5 });
    assert.equal(explore(s).outcomes.race.verdict, "SAFE", flush);
  }
  const at = (tableFree: string) => solveExact(withParams(defineScenario("synchronize-rcu"), { tableFree, memoryPressure: 0.5 }));
  const v71 = at("rcu-synchronize"), ipi = at("rcu");
  assert.equal(v71.pRace, 0);
  // Half the unmaps sleep a grace period (exp:10000 us by default) instead of an IPI round trip.
  assert.ok(v71.costs.unmapLatencyUs > 10 * ipi.costs.unmapLatencyUs, `${v71.costs.unmapLatencyUs} vs ${ipi.costs.unmapLatencyUs}`);
  // The example patch of the seed gives the preset's numbers.
  const patch = withProtocol(withParams(defineScenario("seed"), { memoryPressure: 0.5 }),
    protocolRef(JSON.parse(JSON.stringify(builtinDoc({ ...defineScenario("synchronize-rcu").params }, "table-free"))), "x"));
  assert.deepEqual(solveExact(patch).costs, v71.costs);
});

test("a protocol shows one column per actor, and a diff names what a patch changed", async () => {
  const { ProtocolView } = await import("../src/api/protocol.js");
  const seed = new ProtocolView(builtinDoc(defineScenario("seed").params, "table-free"));
  const rows = seed.rows();
  assert.equal(rows.length, seed.steps.length);
  assert.match(rows.find((r) => r.step === "flush-pv")!.U!, /^kvm_flush_tlb_multi/);
  assert.equal(rows.find((r) => r.step === "flush-pv")!.W, "");
  const patched = new ProtocolView(protocolTextRef(FREE_BEFORE_FLUSH, "e.yaml").doc as never);
  const native = new ProtocolView(builtinDoc(defineScenario("native").params, "table-free"));
  assert.deepEqual(patched.diff(native).rows.map((r) => `${r.what} ${r.change}`), ["step pmd-clear: do changed", "settled changed"]);
  for (const l of patched.diff(native).text().split("\n")) assert.ok(l.length <= 72, l);
});

/** Bad protocol files: each a one-line error with file:line:column, the step where there is one, and what is allowed. */
const BAD: readonly { readonly text: string; readonly where: RegExp }[] = [
  { text: `base: seed\nreplace:\n  - id: flush-pv\n    when: "u === 'cleared' && !wRuning"\n`, where: /:4:32: step flush-pv, when: "wRuning"/ },
  { text: `base: seed\nreplace:\n  - id: flush-pv\n    when: "u === 'cleard'"\n`, where: /:4:18: step flush-pv, when: 'cleard' is not allowed; expected a comparison with one of u's values/ },
  { text: `base: seed\nreplace:\n  - id: flush-pv\n    when: "u = 'cleared'"\n`, where: /:4:\d+: step flush-pv, when: .*assignments belong in `do`/ },
  { text: `base: seed\nreplace:\n  - id: batch-alloc\n    branches:\n      - { label: a, weight: "'high'", do: "u = 'sync'" }\n      - { label: b, weight: 0.5, do: "u = 'rcu'" }\n`, where: /:5:\d+: step batch-alloc, branch 1 \(a\), weight/ },
  { text: `base: seed\nreplace:\n  - id: flush-pv\n    when: "u == 'cleared'"\n`, where: /:4:\d+: step flush-pv, when: "==" is not allowed; expected "==="/ },
  { text: `base: seed\nreplace:\n  - id: flush-skp\n    when: "true"\n`, where: /:3:\d+: id: "flush-skp" is not allowed; expected the id of a step of the base/ },
  { text: `base: seed\ninsert:\n  - after: nope\n    step: { id: x, actor: U, kernel: k, when: "false" }\n`, where: /:3:\d+: after: "nope"/ },
  { text: `base: seed\ninsert:\n  - after: pmd-clear\n    step: { id: flush-done, actor: U, kernel: k, when: "false" }\n`, where: /:4:\d+: insert, step flush-done/ },
  { text: `base: seed\nremove: [sync-ipi, no-such-step]\n`, where: /:2:\d+: 1: "no-such-step"/ },
  { text: `base: seed\nreplace:\n  - id: pte-read\n    delay: walkMs\n`, where: /:4:\d+: step pte-read, delay: "walkMs"/ },
  { text: `base: seed\nreplace:\n  - id: preempt\n    delay: { rate: fooRate }\n`, where: /:4:\d+: step preempt, delay: "fooRate"/ },
  { text: `base: seed\nreplace:\n  - id: pmd-clear\n    do: "pmdd = 'clear'"\n`, where: /:4:\d+: step pmd-clear, do: "pmdd"/ },
  { text: `base: seed\nreplace:\n  - id: pmd-clear\n    do: "page = 'gone'"\n`, where: /:4:\d+: step pmd-clear, do: 'gone'/ },
  { text: `base: seed\nreplace:\n  - id: pmd-clear\n    do: [oops\n`, where: /:\d+:\d+: syntax/ },
  { text: `base: seed\nreplace:\n  - id: pmd-clear\n    whem: "true"\n`, where: /:4:\d+: replace\.0: field "whem"/ },
  { text: `base: seed\nreplace:\n  - id: pmd-clear\n    actor: V\n`, where: /:4:\d+: replace\.0\.actor: "V"/ },
  { text: `base: sead\n`, where: /:1:\d+: base: "sead" is not allowed; expected a preset/ },
  { text: `base: seed\nwindow: [{ step: pmd-clear }]\n`, where: /:2:\d+: window phase 1: "pmd-clear"/ },
  { text: `base: seed\nreplace:\n  - id: pmd-clear\n    do: "ipiPending = ipiPending + 'a'"\n`, where: /:4:\d+: step pmd-clear, do: .*a number/ },
  { text: `base: seed\nreplace:\n  - id: pmd-clear\n    when: "u === 'start"\n`, where: /:4:\d+: step pmd-clear, when: an unterminated string/ },
  { text: `base: seed\nreplace:\n  - id: pmd-clear\n    when: "ipiPending"\n`, where: /:4:\d+: step pmd-clear, when: an expression of type number/ },
  { text: `base: seed\nreplace:\n  - id: batch-alloc\n    branches:\n      - { label: a, weight: "wRunning ? 1 : 0", do: "u = 'sync'" }\n`, where: /:5:\d+: step batch-alloc, branch 1 \(a\), weight: "wRunning"/ },
  { text: `base: seed\nremove: [resume]\n`, where: /:2:\d+: steps: no step resume/ },
  { text: `base: seed\nstate:\n  extra: { values: [a, b], initial: c }\n`, where: /:3:\d+: state extra: "c"/ },
  { text: `base: seed\nstate:\n  ipis: { values: [0, 1, 2.5], initial: 0 }\n`, where: /:3:\d+: state ipis: its values is not allowed; expected whole numbers >= 0/ },
  { text: `base: seed\ndefine:\n  a: "b"\n  b: "a"\n`, where: /:\d+:\d+: define a: a definition that uses itself/ },
];

test(`${BAD.length} bad protocol files: exit 2, one line naming file:line:column and the step`, async () => {
  for (const [i, { text, where }] of BAD.entries()) {
    const file = join(dir, `bad-${i}.yaml`);
    writeFileSync(file, text);
    const r = await cliInProcess(["run", "seed", "--protocol", file, "--episodes", "1000"]);
    assert.equal(r.code, 2, `bad-${i}: ${r.err}`);
    assert.equal(r.out, "", `bad-${i}: printed a result`);
    const lines = r.err.trimEnd().split("\n");
    assert.equal(lines.length, 1, `bad-${i}: ${r.err}`);
    assert.match(lines[0]!, new RegExp(`^tlbrace: ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}${where.source}`), `bad-${i}`);
  }
});

test("as a process: protocol show, check, --protocol and a re-run of its manifest with no file beside it", () => {
  const file = join(dir, "early.yaml");
  writeFileSync(file, FREE_BEFORE_FLUSH);
  const check = execFileSync("node", [CLI, "protocol", "check", file], { encoding: "utf8" });
  assert.match(check, /builds/);
  const json = execFileSync("node", [CLI, "run", "native", "--protocol", file, "--episodes", "20000", "--json"], { encoding: "utf8" });
  const result = JSON.parse(json) as { races: number; manifest: { protocol?: { name: string } } };
  assert.ok(result.races > 0);
  assert.equal(result.manifest.protocol?.name, "free before the flush");
  const saved = join(dir, "early-run.json");
  writeFileSync(saved, json);
  const moved = mkdtempSync(join(tmpdir(), "tlbrace-rerun-"));
  const r = spawnSync("node", [CLI, "rerun", saved], { encoding: "utf8", cwd: moved });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /identical/);
  const bad = spawnSync("node", [CLI, "explore", "seed", "--protocol", join(dir, "bad-0.yaml")], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.equal(bad.stderr.trimEnd().split("\n").length, 1);
  assert.ok(readdirSync(dir).length > 0);
});
