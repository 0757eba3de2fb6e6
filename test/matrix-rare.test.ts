/**
 * `tlbrace matrix --rare` as a process: each cell by the rare-event path
 * with its method, safe cells said to be 0 by exhaustive search, estimates
 * that agree with `tlbrace exact` on the same cell, and the same output on
 * 1 and 2 workers. No cell's value is written here: each is checked
 * against another engine or a law.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { before, describe, test } from "node:test";
import { FLUSH_MECHANISMS, TABLE_FREE_MODES } from "../src/model/params.js";

const cli = (...args: string[]) => spawnSync(process.execPath, ["bin/tlbrace.js", ...args], { encoding: "utf8" });
const CELLS = FLUSH_MECHANISMS.length * TABLE_FREE_MODES.length;

interface Row {
  flush: string; tableFree: string; race: string; method: string; pRace: number; pRaceLo: number; pRaceHi: number;
  relativeError: number | null; reliable: boolean; problems: string; races: number; exactPRace: number | null; disagreement: string;
}

/** `tlbrace exact`'s pRace for one cell of a scenario. */
function exactPRace(base: string, sets: readonly string[]): number {
  const r = cli("exact", base, ...sets.flatMap((s) => ["--set", s]), "--json");
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout).pRace as number;
}

/**
 * With an instant flush, kvm-pv leaves out exactly the walker preempted at
 * the unmap, so in the kvm-pv cells pRace is the share of time W spends
 * preempted, λm/(1 + λm), times memoryPressure where the free waits for RCU
 * unless the batch allocation fails (rcu-skip-sync): the preemption's mean
 * matters, not its law. Uniform preemptions keep the exact solver out of
 * the matrix (importance sampling), exponential ones of the same mean let
 * `tlbrace exact` solve the same cell.
 */
const SETS = ["flushUs=0", "memoryPressure=1e-6", "preemptRate=0.01"];
const UNIFORM = [...SETS, "preemptUs=uniform:0:400"];
const EXPONENTIAL = [...SETS, "preemptUs=exp:200"];
const matrixArgs = (sets: readonly string[], ...more: string[]) =>
  ["matrix", "--rare", "--episodes", "2000", ...sets.flatMap((s) => ["--set", s]), ...more];

describe("tlbrace matrix --rare", () => {
  let one: string, rows: Row[];
  before(() => {
    const r = cli(...matrixArgs(UNIFORM, "--json", "--workers", "1"));
    assert.equal(r.status, 0, r.stderr);
    one = r.stdout;
    rows = JSON.parse(one).rows;
  });

  test("every cell has its method, relative error, reliable and problems; the manifest is the rare sweep's", () => {
    const j = JSON.parse(one);
    assert.equal(rows.length, CELLS);
    assert.equal(j.manifests.rare.engine, "rare");
    assert.equal(j.manifests.rare.options.relError, 0.1);
    for (const r of rows) for (const k of ["method", "relativeError", "reliable", "problems"]) assert.ok(k in r, `${r.flush}/${r.tableFree}: ${k}`);
    assert.ok(rows.some((r) => r.method === "importance") && rows.some((r) => r.method === "explorer"), rows.map((r) => r.method).join());
    assert.ok(rows.every((r) => r.disagreement === ""), rows.map((r) => r.disagreement).join("; "));
  });

  test("cells the explorer proves safe are 0 by exhaustive search, and the text says SAFE", () => {
    const safe = rows.filter((r) => r.race === "SAFE");
    assert.ok(safe.length > 0);
    for (const r of safe) {
      assert.equal(r.method, "explorer", `${r.flush}/${r.tableFree}`);
      assert.ok(r.pRace === 0 && r.pRaceHi === 0 && r.reliable);
    }
    for (const r of rows.filter((x) => x.race === "UNSAFE")) assert.notEqual(r.method, "explorer", `${r.flush}/${r.tableFree}`);
    const text = cli(...matrixArgs(UNIFORM, "--workers", "1"));
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout.replace(/\s+/g, " "), new RegExp(`${safe.length} cells settled by the explorer: SAFE: no interleaving reaches a race \\(exhaustive`));
    for (const l of text.stdout.split("\n")) assert.ok(l.length <= 72 && /^[\x20-\x7e]*$/.test(l), JSON.stringify(l));
  });

  test("the importance-sampled kvm-pv cells agree with tlbrace exact on the same cell within their interval", () => {
    for (const tableFree of ["immediate", "rcu-skip-sync"]) {
      const r = rows.find((x) => x.flush === "kvm-pv" && x.tableFree === tableFree)!;
      assert.equal(r.method, "importance");
      assert.ok(r.reliable, r.problems);
      assert.ok(r.relativeError !== null && r.relativeError <= 0.1, `${r.relativeError}`);
      const exact = exactPRace("seed", [...EXPONENTIAL, "flush=kvm-pv", `tableFree=${tableFree}`]);
      assert.ok(r.pRaceLo <= exact && exact <= r.pRaceHi, `${tableFree}: exact ${exact}, rare ${r.pRace} [${r.pRaceLo}, ${r.pRaceHi}]`);
    }
  });

  test("where every delay is exponential each racing cell is the exact solver's, the value tlbrace exact gives", () => {
    const r = cli(...matrixArgs(EXPONENTIAL, "--json", "--workers", "2"));
    assert.equal(r.status, 0, r.stderr);
    const exp: Row[] = JSON.parse(r.stdout).rows;
    const racing = exp.filter((x) => x.race === "UNSAFE");
    assert.ok(racing.length > 0);
    for (const x of exp) assert.equal(x.method, x.race === "SAFE" ? "explorer" : "exact", `${x.flush}/${x.tableFree}`);
    for (const x of racing) {
      const want = exactPRace("seed", [...EXPONENTIAL, `flush=${x.flush}`, `tableFree=${x.tableFree}`]);
      assert.ok(Math.abs(x.pRace - want) <= 1e-12 * want, `${x.flush}/${x.tableFree}: ${x.pRace} vs exact ${want}`);
    }
  });

  test("workers 1 and 2 print the same matrix", () => {
    const two = cli(...matrixArgs(UNIFORM, "--json", "--workers", "2"));
    assert.equal(two.status, 0, two.stderr);
    assert.equal(two.stdout, one);
  });

  test("bad rare options: one line, status 2, before any work", () => {
    for (const [args, message] of [
      [["--rare", "--rel-error", "2"], /rel-error: "2" is not allowed/],
      [["--rel-error", "0.1"], /--rel-error: only with --rare/],
      [["--rare", "--max-episodes", "0"], /max-episodes/],
      [["--rare", "--engine", "interpret"], /not with --rare/],
    ] as const) {
      const r = cli("matrix", ...args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, "");
    }
  });
});
