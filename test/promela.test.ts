/**
 * The Promela export checked by spin: for several scenarios spin searches the
 * exported model on its own (its own interleaving of the W, U and host
 * processes, its own state store) and must reach the same verdict as the
 * explorer for every outcome. Needs Debian's spin and gcc (scripts/setup.sh).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { explore, type ExploreOutcome, OUTCOMES } from "../src/engines/explore/index.js";
import { promela } from "../src/engines/explore/promela.js";
import { defineScenario, presetNames, type Scenario } from "../src/model/scenario.js";

const dir = mkdtempSync(join(tmpdir(), "tlbrace-promela-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function sh(cmd: string, args: readonly string[]) {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 });
  assert.ifError(r.error);
  return r;
}

/** spin's verdict on each outcome's `no_<outcome>` property. */
function spinVerdicts(s: Scenario, maxPreemptions: number): Record<ExploreOutcome, "SAFE" | "UNSAFE"> {
  writeFileSync(join(dir, "model.pml"), promela(s, { maxPreemptions }));
  const gen = sh("spin", ["-a", "model.pml"]);
  assert.equal(gen.status, 0, `spin -a failed:\n${gen.stdout}${gen.stderr}`);
  const cc = sh("gcc", ["-O0", "-o", "pan", "pan.c"]);
  assert.equal(cc.status, 0, `gcc pan.c failed:\n${cc.stderr}`);
  const out = {} as Record<ExploreOutcome, "SAFE" | "UNSAFE">;
  for (const o of OUTCOMES) {
    const r = sh(join(dir, "pan"), ["-a", "-m20000", "-w16", "-N", `no_${o}`]);
    const text = r.stdout + r.stderr;
    assert.doesNotMatch(text, /max search depth too small/, "spin's search was cut short");
    // The export turns a write outside a field's declared domain into assert(false).
    assert.doesNotMatch(text, /assertion violated 0\b/, "a row left its declared domain");
    const errors = Number(/errors: (\d+)/.exec(text)?.[1]);
    assert.ok(Number.isInteger(errors), `no error count in pan's output:\n${text}`);
    if (errors > 0) assert.match(text, new RegExp(`assertion violated.*\\b${o}\\b`), `pan failed on something other than no_${o}:\n${text}`);
    out[o] = errors === 0 ? "SAFE" : "UNSAFE";
  }
  return out;
}

const cases: [string, Scenario, number][] = [
  ...presetNames().map((n): [string, Scenario, number] => [n, defineScenario(n), 2]),
  ["seed, immediate, no preemption", defineScenario({ base: "seed", params: { tableFree: "immediate" } }), 0],
  ["seed, skip-sync, one preemption", defineScenario({ base: "seed", params: { tableFree: "rcu-skip-sync" } }), 1],
  ["torn, no collision", defineScenario({ base: "seed", params: { pteRead: "low-high", lowCollision: 0 } }), 2],
  ["torn, hypercall", defineScenario({ base: "seed", params: { flush: "hypercall", pteRead: "low-high" } }), 0],
  ["rcu-pt-reclaim, hypercall, every batch allocation failing", defineScenario({ base: "seed", params: { flush: "hypercall", tableFree: "rcu-pt-reclaim", memoryPressure: 1 } }), 1],
  ["torn in the kernel's order, kvm-pv, no preemption", defineScenario({ base: "torn-pte", params: { pteRemap: "after-unlock" } }), 0],
];

test("spin is installed (apt-get install spin, or bash scripts/setup.sh)", () => {
  const r = spawnSync("spin", ["-V"], { encoding: "utf8" });
  assert.ifError(r.error);
  assert.match(r.stdout, /Spin Version/);
});

test("spin reaches the explorer's verdict for every outcome of every case", () => {
  const tally: Record<string, number> = {};
  for (const [name, s, k] of cases) {
    const ours = explore(s, { maxPreemptions: k });
    const theirs = spinVerdicts(s, k);
    for (const o of OUTCOMES) {
      assert.equal(theirs[o], ours.outcomes[o].verdict, `${name} (K=${k}), ${o}: spin ${theirs[o]}, explorer ${ours.outcomes[o].verdict}`);
      tally[`${o} ${theirs[o]}`] = (tally[`${o} ${theirs[o]}`] ?? 0) + 1;
    }
  }
  // Agreement on both answers for every outcome, not only on "SAFE".
  for (const o of OUTCOMES) for (const v of ["SAFE", "UNSAFE"]) assert.ok(tally[`${o} ${v}`], `no case where ${o} is ${v}: ${JSON.stringify(tally)}`);
});
