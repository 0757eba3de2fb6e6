/**
 * The file formats: what tlbrace writes passes its own schema, the published
 * docs/formats/*.schema.json are what the schemas generate now, and every
 * damaged file the tool reads back is exit 2 with one line naming the file,
 * the path inside it and what was expected, before any work.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { runStudy } from "../src/analysis/study.js";
import { formatDocuments } from "../src/formats/json-schema.js";
import { checkpointLineSchema, manifestSchema, resultSchema, studyManifestSchema, sweepFileSchema } from "../src/formats/index.js";
import { cliInProcess } from "./dispatch.js";

const DOCS = new URL("../docs/formats/", import.meta.url);
const dir = mkdtempSync(join(tmpdir(), "tlbrace-formats-"));
const at = (name: string) => join(dir, name);
const SWEEP = ["sweep", "seed", "--vary", "memoryPressure=0:1:3", "--episodes", "300"];

async function ok(args: string[]): Promise<string> {
  const r = await cliInProcess(args);
  assert.equal(r.code, 0, r.err);
  return r.out;
}

/** Exit 2, one line, naming each of `mentions`. */
async function refused(args: string[], ...mentions: string[]): Promise<string> {
  const r = await cliInProcess(args);
  assert.equal(r.code, 2, `exit ${r.code}: ${r.err}`);
  assert.equal(r.out, "");
  assert.match(r.err, /^tlbrace: [^\n]+\n$/);
  for (const m of mentions) assert.ok(r.err.includes(m), `stderr should mention ${m}: ${r.err}`);
  return r.err;
}

const json = (name: string) => JSON.parse(readFileSync(at(name), "utf8"));
const write = (name: string, value: unknown) => (writeFileSync(at(name), typeof value === "string" ? value : JSON.stringify(value)), at(name));
const copy = <T>(x: T): T => structuredClone(x);

before(async () => {
  writeFileSync(at("run.json"), await ok(["run", "seed", "--episodes", "2000", "--json"]));
  writeFileSync(at("exact.json"), await ok(["exact", "seed", "--json"]));
  writeFileSync(at("explore.json"), await ok(["explore", "seed", "--max-preemptions", "1", "--json"]));
  writeFileSync(at("sweep.json"), await ok([...SWEEP, "--json"]));
  writeFileSync(at("sweep.csv"), await ok([...SWEEP, "--checkpoint", at("sweep.jsonl")]));
  await ok([...SWEEP, "--out", at("sweep.arrow")]);
});

test("the published JSON Schemas are the ones the schemas generate now", () => {
  const docs = formatDocuments();
  const published = readdirSync(DOCS).filter((f) => f.endsWith(".schema.json")).sort();
  assert.deepEqual(published, [...docs.keys()].sort(), "run `npm run formats`");
  for (const [name, text] of docs) assert.equal(readFileSync(new URL(name, DOCS), "utf8"), text, `${name} is stale: run \`npm run formats\``);
});

test("what tlbrace writes passes its own formats", async () => {
  for (const f of ["run.json", "exact.json", "explore.json"]) {
    assert.ok(resultSchema.safeParse(json(f)).success, f);
    assert.ok(manifestSchema.safeParse(json(f).manifest).success, `${f} manifest`);
  }
  assert.ok(sweepFileSchema.safeParse(json("sweep.json")).success);
  for (const line of readFileSync(at("sweep.jsonl"), "utf8").trim().split("\n"))
    assert.ok(checkpointLineSchema.safeParse(JSON.parse(line)).success, line);
  const out = at("study");
  await runStudy({ out, episodes: 1, runEpisodes: 1 });
  assert.ok(studyManifestSchema.safeParse(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"))).success);
  for (const f of ["run.json", "exact.json", "explore.json", "sweep.json", "sweep.arrow"]) await ok(["report", at(f)]);
});

describe("damaged sweep files: exit 2 naming the file and the path inside it", () => {
  const cases: [string, (d: any) => void, string[]][] = [
    ["manifest.axes null", (d) => (d.manifest.axes = null), ["manifest.axes", "a list"]],
    ["manifest.axes not a list", (d) => (d.manifest.axes = 5), ["manifest.axes"]],
    ["manifest {}", (d) => (d.manifest = {}), ["manifest.tool"]],
    ["manifest 1", (d) => (d.manifest = 1), ["manifest: 1"]],
    ["a row null", (d) => (d.rows[1] = null), ["rows[1]: null", "an object"]],
    ["seed -1", (d) => (d.manifest.seed = -1), ["manifest.seed: -1"]],
    ["episodes 0", (d) => (d.manifest.episodes = 0), ["manifest.episodes: 0"]],
    ["params null", (d) => (d.manifest.params = null), ["manifest.params: null"]],
    ["walkUs exp:-3", (d) => (d.manifest.params.walkUs = "exp:-3"), ["manifest.params.walkUs", "exp:-3"]],
    ["rows of cell numbers only", (d) => (d.rows = d.rows.map((r: any) => ({ cell: r.cell }))), ["rows[0].episodes", "missing"]],
    ["races: many", (d) => (d.rows[1].races = "many"), ["rows[1].races", '"many"']],
    ["a row missing", (d) => d.rows.splice(1, 1), ["rows[1].cell: 2", "expected 1"]],
    ["a row duplicated", (d) => d.rows.push(d.rows[2]), ["rows[3].cell: 2"]],
    ["a row relabelled", (d) => (d.rows[1].memoryPressure = 0.7), ["rows[1].memoryPressure: 0.7", "0.5"]],
    ["races changed", (d) => (d.rows[1].races += 1), ["rows[1].pRace", "races / episodes"]],
    ["an interval changed", (d) => (d.rows[0].pRaceHi = 0.5), ["rows[0].pRaceHi: 0.5"]],
    ["a shard 0/3", (d) => (d.manifest.shard = { index: 0, count: 3 }), ["manifest.shard.index: 0"]],
    ["a shard 4/3", (d) => (d.manifest.shard = { index: 4, count: 3 }), ["manifest.shard", "4/3"]],
  ];
  for (const [name, damage, mentions] of cases) {
    test(name, async () => {
      const d = copy(json("sweep.json"));
      damage(d);
      const file = write(`d-${name.replace(/\W+/g, "-")}.json`, d);
      for (const command of ["report", "merge", "rerun"]) await refused([command, file], file, ...mentions);
    });
  }
});

describe("damaged results: exit 2 (not a DIFFERENT re-run), before any work", () => {
  for (const field of ["costs", "ci95", "races", "manifest"]) {
    test(`a run without ${field}`, async () => {
      const d = copy(json("run.json"));
      delete d[field];
      const file = write(`r-no-${field}.json`, d);
      await refused(["report", file], file, field);
      await refused(["rerun", file], file, field);
    });
  }
  test("an exact result with a probability above 1", async () => {
    const d = copy(json("exact.json"));
    d.pRace = 2;
    await refused(["report", write("x-p.json", d)], "pRace: 2", "<= 1");
  });
  test("a study manifest whose sweep has a bad seed", async () => {
    const d = JSON.parse(readFileSync(join(at("study"), "manifest.json"), "utf8"));
    d.sweeps.seed.seed = "one";
    await refused(["rerun", write("study.json", d)], "sweeps.seed.seed", '"one"');
  });
  test("JSON cut short", async () => {
    const text = readFileSync(at("run.json"), "utf8");
    await refused(["report", write("cut.json", text.slice(0, text.length / 2))], "cut.json", "does not parse");
  });
});

describe("damaged checkpoints: exit 2, or the cells again when only the last line was cut", () => {
  const lines = () => readFileSync(at("sweep.jsonl"), "utf8").trimEnd().split("\n");
  const resume = (name: string, text: string) => {
    const file = at(name);
    writeFileSync(file, text);
    return [...SWEEP, "--resume", file];
  };
  const cases: [string, (l: string[]) => string[], string[]][] = [
    ["a line null", (l) => [l[0]!, "null"], ["line 2: null", "an object"]],
    ["a row beyond the last cell", (l) => [...l, JSON.stringify({ ...JSON.parse(l[3]!), cell: 3 })], ["line 5", "at most the sweep's 3 cells"]],
    ["a row of a cell number only", (l) => [l[0]!, l[1]!, '{"cell":1}'], ["line 3, episodes", "missing"]],
    ["an axis value changed", (l) => [l[0]!, l[1]!, JSON.stringify({ ...JSON.parse(l[2]!), memoryPressure: 0.25 })], ["line 3, memoryPressure: 0.25"]],
    ["races changed", (l) => [l[0]!, l[1]!, JSON.stringify({ ...JSON.parse(l[2]!), races: 7 })], ["line 3, pRace"]],
    ["pRace not a number", (l) => [l[0]!, l[1]!, JSON.stringify({ ...JSON.parse(l[2]!), pRace: "x" })], ["line 3, pRace", '"x"']],
    ["rows reordered", (l) => [l[0]!, l[2]!, l[1]!], ["line 2, cell: 1", "expected 0"]],
    ["a middle line cut", (l) => [l[0]!, l[1]!.slice(0, 30), l[2]!], ["line 2", "cut short"]],
    ["another sweep's checkpoint", (l) => [l[0]!.replace('"seed":1', '"seed":2'), ...l.slice(1)], ["a checkpoint of this same sweep"]],
  ];
  for (const [name, damage, mentions] of cases)
    test(name, async () => { await refused(resume(`c-${name.replace(/\W+/g, "-")}.jsonl`, damage(lines()).join("\n") + "\n"), ...mentions); });
  test("a last line cut short is run again, to the same rows", async () => {
    const l = lines();
    assert.equal(await ok(resume("c-torn.jsonl", [l[0], l[1], l[2]!.slice(0, 40)].join("\n"))), readFileSync(at("sweep.csv"), "utf8"));
  });
});

describe("outputs are checked writable before any work", () => {
  test("--out in a missing folder, a folder, an empty checkpoint name", async () => {
    await refused([...SWEEP, "--episodes", "1e10", "--out", "/nonexistent/x.csv"], "/nonexistent/x.csv", "missing");
    await refused(["report", at("run.json"), "--html", "/nonexistent/x.html"], "--html", "/nonexistent/x.html");
    await refused([...SWEEP, "--episodes", "1e10", "--checkpoint", ""], "checkpoint", "a file name");
    await refused([...SWEEP, "--episodes", "1e10", "--checkpoint", dir], "checkpoint", "not a folder");
    await refused(["merge", at("sweep.json"), "--out", join(dir, "none", "m.json")], "m.json", "missing");
    await refused(["study", "--out", "/proc/tlbrace", "--episodes", "1e7"], "/proc/tlbrace");
  });
});

test("a write that fails part-way (a full device) is exit 2 naming the path, and leaves no file under its name", async (t) => {
  const full = at("full");
  mkdirSync(full);
  // A 16 kB tmpfs nearly filled; needs root, as CI and setup run.
  if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=16k", "tmpfs", full]).status !== 0) return t.skip("cannot mount a tmpfs here");
  try {
    // Fill it but for less than one sweep file.
    writeFileSync(join(full, "filler"), Buffer.alloc(14 * 1024));
    const out = join(full, "x.json");
    await refused(["sweep", "seed", "--vary", "memoryPressure=0:1:40", "--episodes", "100", "--out", out], out, "ENOSPC");
    await refused(["report", at("sweep.json"), "--html", join(full, "r.html")], "r.html", "ENOSPC");
    assert.deepEqual(readdirSync(full), ["filler"]);
  } finally {
    spawnSync("umount", [full]);
  }
});
