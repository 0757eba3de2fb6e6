/**
 * Damaged cost figures: a sweep's cost columns (latency, free delay, IPIs,
 * wait; means and p99s) in a checkpoint, a shard (JSON and Arrow), a sweep
 * file and a rare sweep, and a run's cost summaries, each damaged in a way no
 * run gives, are exit 2 with one line naming the file, the row and the
 * column; the files as written still resume, merge and report identically.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { tableFromIPC } from "@uwdata/flechette";
import * as aq from "arquero";
import { sweepToArrow } from "../src/analysis/shards.js";
import type { SweepData } from "../src/analysis/sweep.js";
import { presetNames } from "../src/model/scenario.js";
import { cliInProcess } from "./dispatch.js";

const dir = mkdtempSync(join(tmpdir(), "tlbrace-costs-"));
const at = (name: string) => join(dir, name);
const EPISODES = 300;
const SWEEP = ["sweep", "seed", "--vary", "memoryPressure=0:1:3", "--episodes", String(EPISODES), "--workers", "1"];
/** The damaged row: memoryPressure 1, where every cost has a p99 above 0. */
const CELL = 2;

async function ok(args: string[]): Promise<string> {
  const r = await cliInProcess(args);
  assert.equal(r.code, 0, r.err);
  return r.out;
}

/** Exit 2, one line, naming each of `mentions`, nothing on stdout. */
async function refused(args: string[], ...mentions: string[]): Promise<void> {
  const r = await cliInProcess(args);
  assert.equal(r.code, 2, `exit ${r.code}: ${r.err}`);
  assert.equal(r.out, "");
  assert.match(r.err, /^tlbrace: [^\n]+\n$/);
  for (const m of mentions) assert.ok(r.err.includes(m), `stderr should mention ${m}: ${r.err}`);
}

type Row = Record<string, number>;
/**
 * A damage to one row: a change to it (`value` may be text, written into
 * the JSON as it stands: 1e999, NaN), and what the error must name besides
 * the file and the row.
 */
interface RowDamage { readonly name: string; readonly column: string; readonly value: (r: Row) => number | string | null; readonly named?: string; readonly mentions: string[] }
const ROW_DAMAGES: RowDamage[] = [
  { name: "a negative latency", column: "unmapLatencyUsMean", value: () => -4, mentions: ["unmapLatencyUsMean: -4", ">= 0"] },
  { name: "a latency mean of 0 under its p99", column: "unmapLatencyUsMean", value: () => 0, mentions: ["unmapLatencyUsMean: 0", "unmapLatencyUsP99"] },
  { name: "a free delay p99 far above its mean", column: "freeDelayUsP99", value: (r) => r.freeDelayUsMean! * 1000, named: "freeDelayUsMean", mentions: ["freeDelayUsMean", "freeDelayUsP99 is"] },
  { name: "an infinite wait p99", column: "waitUsP99", value: () => "1e999", mentions: ["waitUsP99: Infinity"] },
  { name: "a wait mean as text", column: "waitUsMean", value: () => "\"NaN\"", mentions: ["waitUsMean", "\"NaN\""] },
  { name: "a wait mean far below its p99", column: "waitUsMean", value: (r) => r.waitUsP99! / 1e4, named: "waitUsMean", mentions: ["waitUsMean", "waitUsP99 is"] },
  { name: "IPIs that are not a whole number over the episodes", column: "ipisMean", value: (r) => r.ipisMean! + 0.3 / EPISODES, mentions: ["ipisMean", "a whole number over 300 episodes"] },
  { name: "IPIs null", column: "ipisMean", value: () => null, mentions: ["ipisMean: null"] },
];

/** `row` as JSON with `d` applied; text values go in as written. */
function damagedRow(row: Row, d: RowDamage): string {
  const v = d.value(row);
  const mark = "\u0000damage\u0000";
  const text = JSON.stringify({ ...row, [d.column]: typeof v === "string" ? mark : v });
  return typeof v === "string" ? text.replace(JSON.stringify(mark), v) : text;
}

const text = (name: string) => readFileSync(at(name), "utf8");
let whole: SweepData;

before(async () => {
  writeFileSync(at("whole.json"), await ok([...SWEEP, "--json"]));
  whole = JSON.parse(text("whole.json"));
  await ok([...SWEEP, "--checkpoint", at("c.jsonl")]);
  await ok([...SWEEP, "--shard", "1/2", "--out", at("p1.arrow")]);
  await ok([...SWEEP, "--shard", "2/2", "--out", at("p2.json")]);
  await ok(["sweep", "seed", "--rare", "--vary", "memoryPressure=0,1", "--episodes", String(EPISODES), "--out", at("rare.json")]);
  writeFileSync(at("run.json"), await ok(["run", "seed", "--set", "memoryPressure=1", "--episodes", "2000", "--json"]));
  // The damaged row has every cost above 0, so each check has something to see.
  const row = whole.rows[CELL] as unknown as Row;
  for (const c of ["unmapLatencyUsP99", "freeDelayUsP99", "ipisMean", "waitUsP99"]) assert.ok(row[c]! > 0, `${c} of cell ${CELL}`);
});

describe("undamaged: resumed, merged and reported as written", () => {
  test("a checkpoint resumes and shards merge to the whole sweep; each file reports", async () => {
    // Every row kept, and the first two only: the rest run again.
    for (const lines of [4, 2]) {
      const name = `undamaged-${lines}.jsonl`;
      writeFileSync(at(name), text("c.jsonl").split("\n").slice(0, lines).join("\n") + "\n");
      assert.deepEqual(JSON.parse(await ok([...SWEEP, "--resume", at(name), "--json"])).rows, whole.rows, `${lines - 1} rows kept`);
    }
    assert.deepEqual(JSON.parse(await ok(["merge", at("p1.arrow"), at("p2.json"), "--json"])).rows, whole.rows);
    for (const f of ["whole.json", "p1.arrow", "p2.json", "rare.json", "run.json"]) await ok(["report", at(f)]);
  });

  test("every scenario's rows and runs pass, down to one episode", { timeout: 120_000 }, async () => {
    for (const name of presetNames()) {
      for (const episodes of ["1", "7", "200"]) {
        const file = at(`every-${name}-${episodes}.json`);
        await ok(["sweep", name, "--vary", "pteRead=atomic,low-high", "--vary", "memoryPressure=0,1", "--episodes", episodes, "--workers", "1", "--out", file]);
        await ok(["report", file]);
        writeFileSync(file, await ok(["run", name, "--episodes", episodes, "--json"]));
        await ok(["report", file]);
      }
    }
  });
});

describe("a damaged cost in a row: exit 2 naming the file, the row and the column", () => {
  for (const d of ROW_DAMAGES) {
    test(d.name, async () => {
      const row = whole.rows[CELL] as unknown as Row;
      // A checkpoint: its line of that cell.
      const lines = text("c.jsonl").trimEnd().split("\n");
      lines[CELL + 1] = damagedRow(row, d);
      const cp = at(`c-${d.column}-${ROW_DAMAGES.indexOf(d)}.jsonl`);
      writeFileSync(cp, lines.join("\n") + "\n");
      await refused([...SWEEP, "--resume", cp], cp, `line ${CELL + 2}, ${d.named ?? d.column}`, ...d.mentions);
      // A shard (shard 2 of 2 holds cells 1 and 2) and a whole sweep.
      const shard = JSON.parse(text("p2.json"));
      const i = shard.rows.findIndex((r: Row) => r.cell === CELL);
      for (const [file, source, index] of [[`p2-${ROW_DAMAGES.indexOf(d)}.json`, text("p2.json"), i], [`whole-${ROW_DAMAGES.indexOf(d)}.json`, text("whole.json"), CELL]] as const) {
        const doc = JSON.parse(source);
        const mark = "\u0000row\u0000";
        doc.rows[index] = mark;
        writeFileSync(at(file), JSON.stringify(doc).replace(JSON.stringify(mark), damagedRow(row, d)));
        const where = `rows[${index}].${d.named ?? d.column}`;
        if (file.startsWith("p2")) await refused(["merge", at("p1.arrow"), at(file)], at(file), where, ...d.mentions);
        else for (const command of ["report", "rerun"]) await refused([command, at(file)], at(file), where, ...d.mentions);
      }
    });
  }

  test("an Arrow shard: a NaN mean, a p99 far above its mean", async () => {
    const bytes = readFileSync(at("p1.arrow"));
    const manifest = JSON.parse(tableFromIPC(bytes).schema.metadata!.get("tlbrace.manifest")!);
    const rows = aq.fromArrow(new Uint8Array(bytes)).objects() as Row[];
    for (const [column, value, mentions] of [["freeDelayUsMean", NaN, ["freeDelayUsMean: NaN"]], ["waitUsP99", 1e9, ["waitUsMean", "waitUsP99 is 1000000000"]]] as const) {
      const file = at(`p1-${column}.arrow`);
      writeFileSync(file, sweepToArrow({ manifest, axes: manifest.axes, rows: [{ ...rows[0]!, [column]: value }] } as unknown as SweepData));
      await refused(["merge", file, at("p2.json")], file, "rows[0]", ...mentions);
    }
  });

  test("a rare sweep's pilot costs", async () => {
    const doc = JSON.parse(text("rare.json"));
    const row = doc.rows[1];
    assert.ok(row.unmapLatencyUsP99 > 0);
    doc.rows[1] = { ...row, unmapLatencyUsMean: row.unmapLatencyUsP99 / 1e4 };
    writeFileSync(at("rare-damaged.json"), JSON.stringify(doc));
    await refused(["report", at("rare-damaged.json")], at("rare-damaged.json"), "rows[1].unmapLatencyUsMean", "unmapLatencyUsP99 is", `of the ${EPISODES} episodes`);
  });
});

describe("a damaged cost summary in a run: exit 2 naming the file and the figure", () => {
  type Costs = Record<string, Record<string, number>>;
  const cases: [string, (c: Costs) => void, string[]][] = [
    ["p90 below p50", (c) => (c.unmapLatencyUs!.p90 = c.unmapLatencyUs!.p50! / 2), ["costs.unmapLatencyUs.p90", "at least costs.unmapLatencyUs.p50"]],
    ["a mean above the max", (c) => (c.freeDelayUs!.mean = c.freeDelayUs!.max! * 2), ["costs.freeDelayUs.mean", "at most the max"]],
    ["a mean below max / episodes", (c) => (c.waitUs!.mean = c.waitUs!.max! / 1e5), ["costs.waitUs.mean", "max / episodes"]],
    // 10 / 2000 of the p99: above max / episodes, below what the 21 of 2000 episodes at or above the p99 (or the 201 above the p90) add.
    ["a mean below what the quantiles allow", (c) => (assert.ok(c.waitUs!.p99! * 10 > c.waitUs!.max!), (c.waitUs!.mean = (c.waitUs!.p99! * 10) / 2000)), ["costs.waitUs.mean", "costs.waitUs.p9", "of the 2000 episodes cost about that or more"]],
    ["IPIs not whole", (c) => (c.ipis!.mean += 0.1 / 2000), ["costs.ipis.mean", "a whole number over 2000 episodes"]],
    ["a max of IPIs not whole", (c) => (c.ipis!.max += 0.5), ["costs.ipis.max", "a whole number of ipis"]],
  ];
  for (const [name, damage, mentions] of cases) {
    test(name, async () => {
      const doc = JSON.parse(text("run.json"));
      damage(doc.costs);
      const file = at(`run-${name.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, JSON.stringify(doc));
      for (const command of ["report", "rerun"]) await refused([command, file], file, ...mentions);
    });
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));
