/**
 * Fuzzing the command line as a process: random command lines, and files
 * the tool reads back damaged at random (truncation, bit flips, a field
 * deleted, a field of another type, a number changed to another, a row
 * duplicated, two rows swapped).
 * Every case must end by itself with exit 0 and the right answer, or exit 2
 * and one line on stderr: never exit 1, a hang or a stack trace. "The right
 * answer" is what the undamaged file gives, unless the damage only changed
 * values no check can see (costs, the manifest a report echoes); those may
 * give exit 0 with their own numbers. Then generated places: outputs and
 * inputs that are symbolic links, FIFOs, devices, a full disk, a read-only
 * place, a path through a file: each must be refused or used as a regular
 * file, and must be left as it was. The cases are drawn once from a fixed
 * seed and run two processes at a time; a failure prints the seed.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { tableFromIPC } from "@uwdata/flechette";
import * as aq from "arquero";
import fc from "fast-check";
import { cliInProcess } from "./dispatch.js";

const SEED = 18;
const COMMAND_LINES = 20;
const DAMAGED_FILES = 30;
const PLACES = 16;
const BIN = new URL("../bin/tlbrace.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "tlbrace-fuzz-"));
const at = (name: string) => join(dir, name);
const SWEEP = ["sweep", "seed", "--vary", "memoryPressure=0:1:3", "--episodes", "200"];
const SHARDS = ["sweep", "seed", "--vary", "memoryPressure=0:1:4", "--episodes", "200"];

interface Outcome { code: number | null; killed: boolean; out: string; err: string }

function tlbrace(args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.TLBRACE_DEBUG;
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "", killed = false;
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    // A case that has not ended in 60 s hangs.
    const timer = setTimeout(() => ((killed = true), child.kill("SIGKILL")), 60_000);
    child.on("close", (code) => (clearTimeout(timer), resolve({ code, killed, out, err })));
  });
}

/** Runs every case, `width` processes at a time; results in order. */
async function all<T, R>(items: readonly T[], width: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) { const i = next++; results[i] = await f(items[i]!); }
  }));
  return results;
}

/** The verdict on one outcome, or undefined when it is acceptable. */
function fault(r: Outcome, expected?: string): string | undefined {
  if (r.killed) return "did not end (killed after 60 s)";
  if (r.code === 2) {
    if (r.out !== "") return "exit 2 with output on stdout";
    if (!/^tlbrace: [^\n]{1,700}\n$/.test(r.err)) return `exit 2 without one short line on stderr: ${r.err.slice(0, 300)}`;
    return undefined;
  }
  if (r.code !== 0) return `exit ${r.code}: ${r.err.slice(0, 300)}`;
  if (/\n\s+at /.test(r.err)) return `a stack trace: ${r.err.slice(0, 300)}`;
  if (expected !== undefined && r.out !== expected) return "exit 0 with a different answer";
  return undefined;
}

// --- command lines -------------------------------------------------------

/** Mostly good values, so that many lines get past validation and run. */
const mostly = <T>(good: readonly T[], bad: readonly T[]) => fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 3 }, { arbitrary: fc.constantFrom(...bad), weight: 1 });
const word = mostly(["seed", "native", "torn-pte", "run.json", "sweep.json"], ["nosuch", "", "-", "--", "x".repeat(5000), "é", "1e400"]);
const setValue = mostly(["walkUs=exp:5", "memoryPressure=0.5", "flush=native-ipi", "tableFree=immediate", "walkUs=csv:walk.csv:walkUs"],
  ["walkUs=0", "walkUs=csv:/dev/null:x", "memoryPressure=2", "flush=nope", "preemptRate=-1", "=", "walkUs=", "ipiUs=uniform:3:1"]);
const vary = mostly(["memoryPressure=0:1:3", "preemptRate=log:0.1:10:2", "flush=native-ipi,kvm-pv", "memoryPressure=1,1"],
  ["walkUs=0,5", "walkUs=0:10:3", "memoryPressure=0:1:0", "nosuch=1", "walkUs=log:0:1:3"]);
const opt = (name: string, values: fc.Arbitrary<string>) => values.map((v) => [name, v]);
const FLAGS = {
  set: opt("--set", setValue),
  vary: opt("--vary", vary),
  episodes: opt("--episodes", mostly(["100", "1e2"], ["0", "-5", "1.5", "abc", "1e11"])),
  seed: opt("--seed", mostly(["1", "7"], ["-1", "2^53", "9007199254740993", "x"])),
  workers: opt("--workers", mostly(["1", "2"], ["0", "300", "many"])),
  shard: opt("--shard", mostly(["1/2", "2/2"], ["0/3", "4/3", "1/0", "a/b"])),
  out: opt("--out", mostly(["o.json", "o.csv", "o.arrow"], ["o.txt", "/nonexistent/o.csv", "", "."])),
  checkpoint: opt("--checkpoint", mostly(["c1.jsonl"], ["", ".", "/nonexistent/c.jsonl"])),
  maxPreemptions: opt("--max-preemptions", mostly(["0", "1"], ["9", "-1"])),
  maxStates: opt("--max-states", mostly(["10", "1000"], ["0", "1e8"])),
  html: opt("--html", mostly(["r.html"], ["/nonexistent/r.html", "r.txt"])),
  json: fc.constant(["--json"]), csv: fc.constant(["--csv"]), text: fc.constant(["--text"]), promela: fc.constant(["--promela"]),
  approximate: fc.constant(["--approximate"]), help: fc.constant(["--help"]), bogus: fc.constant(["--bogus"]),
};
type FlagName = keyof typeof FLAGS;
const scenario = mostly(["seed", "native", "torn-pte", "skip-sync"], ["nosuch", "", "-", "--", "x".repeat(5000), "é"]);
const file = mostly(["run.json", "sweep.json", "exact.json", "part-1.json", "part-2.arrow"], ["nosuch.json", "", "walk.csv", "/etc/passwd", "."]);
/** A command with its own flags, and now and then one it does not take. */
const command = (name: string, words: fc.Arbitrary<string[]>, own: FlagName[]) => fc.tuple(
  words,
  fc.array(fc.oneof({ arbitrary: fc.constantFrom(...own), weight: 6 }, { arbitrary: fc.constantFrom(...Object.keys(FLAGS) as FlagName[]), weight: 1 }), { maxLength: 4 })
    .chain((names) => names.length ? fc.tuple(...names.map((n) => FLAGS[n])) : fc.constant([])),
).map(([w, flags]) => [name, ...w, ...(flags as string[][]).flat()]);
const one = <T>(a: fc.Arbitrary<T>) => a.map((x) => [x as unknown as string]);
const commandLine = fc.oneof(
  command("run", one(scenario), ["set", "episodes", "seed", "workers", "json"]),
  command("sweep", fc.tuple(scenario, FLAGS.vary).map(([s, v]) => [s, ...v]), ["set", "vary", "episodes", "seed", "workers", "shard", "out", "checkpoint", "json", "csv"]),
  command("exact", one(scenario), ["set", "approximate", "json"]),
  command("explore", one(scenario), ["set", "maxPreemptions", "maxStates", "json", "promela"]),
  command("matrix", fc.constant([]), ["set", "episodes", "seed", "maxStates", "json", "csv"]),
  command("report", one(file), ["text", "html"]),
  command("merge", fc.array(file, { minLength: 1, maxLength: 2 }), ["out", "json", "csv"]),
  command("rerun", one(file), ["json", "workers"]),
  command("frob", fc.constant([]), ["help", "bogus"]),
).map((args) => {
  const [name] = args;
  // Keep the work small: the engines' running time is not under test here.
  if (name === "run" || name === "sweep" || name === "matrix") args.push("--episodes", "100");
  if (name === "explore" || name === "matrix") args.push("--max-states", "2000");
  return args;
});

test(`${COMMAND_LINES} random command lines: exit 0 or 2, one line, no stack trace, no hang`, { timeout: 300_000 }, async () => {
  const lines = fc.sample(commandLine, { seed: SEED, numRuns: COMMAND_LINES });
  const outcomes = await all(lines, 2, tlbrace);
  const bad = lines.flatMap((args, i) => {
    const f = fault(outcomes[i]!) ?? (outcomes[i]!.code === 0 && args.includes("--json") && !args.includes("--help") && !args.includes("--out")
      ? (() => { try { JSON.parse(outcomes[i]!.out); return undefined; } catch { return "--json printed no JSON"; } })() : undefined);
    return f ? [`tlbrace ${args.map((a) => JSON.stringify(a.length > 60 ? a.slice(0, 60) + "..." : a)).join(" ")}: ${f}`] : [];
  });
  assert.deepEqual(bad, [], `fast-check seed ${SEED}`);
});

// --- damaged files -------------------------------------------------------

type Damage =
  | { kind: "truncate"; at: number }
  | { kind: "flip"; at: number; bit: number }
  | { kind: "delete"; pick: number }
  | { kind: "retype"; pick: number; to: unknown }
  | { kind: "nudge"; pick: number }
  | { kind: "duplicate"; pick: number }
  | { kind: "swap"; pick: number };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("retype" as const), pick: fc.nat(), to: fc.constantFrom(null, "x", -1, 0.5, 1e300, true, [], {}) }),
  // A number changed to another of the same form: what a schema alone cannot see.
  fc.record({ kind: fc.constant("nudge" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("swap" as const), pick: fc.nat() }),
);

type Path = (string | number)[];
function leaves(x: unknown, path: Path = []): Path[] {
  if (typeof x !== "object" || x === null) return [path];
  const entries = Object.entries(x);
  return entries.length ? entries.flatMap(([k, v]) => leaves(v, [...path, Array.isArray(x) ? Number(k) : k])) : [path];
}
function parent(root: any, path: Path): [any, string | number] {
  let p = root;
  for (const k of path.slice(0, -1)) p = p[k];
  return [p, path[path.length - 1]!];
}

/** `text` (JSON or JSON lines) damaged by `d`; rows are `rowsAt` of the JSON, or the lines after the first. */
function damageText(text: string, d: Damage, lines: boolean): string {
  const bytes = Buffer.from(text);
  if (d.kind === "truncate") return bytes.subarray(0, d.at % bytes.length).toString("latin1");
  if (d.kind === "flip") { const b = Buffer.from(bytes); b[d.at % b.length]! ^= 1 << d.bit; return b.toString("latin1"); }
  const doc = lines ? text.trimEnd().split("\n").map((l) => JSON.parse(l)) : JSON.parse(text);
  const rows: unknown[] = lines ? doc : doc.rows ?? [];
  const first = lines ? 1 : 0;
  if (d.kind === "duplicate" || d.kind === "swap") {
    if (rows.length - first < 2) return text;
    const i = first + (d.pick % (rows.length - first - 1));
    if (d.kind === "duplicate") rows.splice(i, 0, structuredClone(rows[i]));
    else [rows[i], rows[i + 1]] = [rows[i + 1], rows[i]];
  } else {
    const paths = leaves(doc).filter((p) => p.length > 0 && (d.kind !== "nudge" || typeof parent(doc, p)[0][parent(doc, p)[1]] === "number"));
    if (paths.length === 0) return text;
    const path = paths[d.pick % paths.length]!;
    const [obj, key] = parent(doc, path);
    if (d.kind === "delete") { if (Array.isArray(obj)) obj.splice(key as number, 1); else delete obj[key]; }
    else if (d.kind === "nudge") obj[key] = Number.isInteger(obj[key]) ? obj[key] + 1 : obj[key] / 2;
    else obj[key] = d.to;
  }
  return lines ? doc.map((l: unknown) => JSON.stringify(l)).join("\n") + "\n" : JSON.stringify(doc, null, 2);
}

/** Leaf paths where two JSON values differ. */
function differing(a: unknown, b: unknown, path: Path = []): Path[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differing((a as any)[k], (b as any)[k], [...path, k]));
  }
  return Object.is(a, b) ? [] : [path];
}

const COST_COLUMN = /^(unmapLatencyUs|freeDelayUs|ipis|waitUs)(Mean|P99)$/;
/** Per file, the damage no check can see: values that may change the answer without being wrong in form. */
const UNSEEN: Record<string, (p: Path) => boolean> = {
  // A report echoes the result and its manifest; only a run's counts can be checked against each other.
  "run.json": (p) => !["episodes", "races", "pRace", "ci95", "corrupts", "pCorrupt", "corruptCi95"].includes(String(p[0])),
  "exact.json": () => true,
  "explore.json": () => true,
  "sweep.json": (p) => p[0] === "manifest" || (p[0] === "rows" && COST_COLUMN.test(String(p[2]))),
  // Shards must agree on their manifests, so only costs go unseen.
  "part-1.json": (p) => p[0] === "rows" && COST_COLUMN.test(String(p[2])),
  "part-2.arrow": (p) => p[0] === "rows" && COST_COLUMN.test(String(p[2])),
  "sweep.jsonl": (p) => Number(p[0]) > 0 && COST_COLUMN.test(String(p[1])),
};

function parsed(name: string, bytes: Buffer): unknown {
  if (name.endsWith(".arrow")) {
    const t = tableFromIPC(bytes);
    return { manifest: JSON.parse(t.schema.metadata!.get("tlbrace.manifest")!), rows: aq.fromArrow(new Uint8Array(bytes)).objects() };
  }
  const text = bytes.toString("latin1");
  return name.endsWith(".jsonl") ? text.split("\n").filter((l, i, a) => i < a.length - 1).map((l) => JSON.parse(l)) : JSON.parse(text);
}

/** Whether exit 0 with another answer is allowed: the damaged file parses and differs only where nothing can see. */
function unseen(name: string, before: Buffer, after: Buffer): boolean {
  try {
    const diff = differing(parsed(name, before), parsed(name, after));
    return diff.length > 0 && diff.every(UNSEEN[name]!);
  } catch {
    return false;
  }
}

interface Target { readonly name: string; readonly args: (file: string) => string[]; readonly rows?: boolean; expected?: string; bytes?: Buffer }
const TARGETS: Target[] = [
  { name: "run.json", args: (f) => ["report", f] },
  { name: "exact.json", args: (f) => ["report", f] },
  { name: "explore.json", args: (f) => ["report", f] },
  { name: "sweep.json", args: (f) => ["report", f], rows: true },
  { name: "part-1.json", args: (f) => ["merge", f, at("part-2.arrow")], rows: true },
  { name: "part-2.arrow", args: (f) => ["merge", at("part-1.json"), f] },
  { name: "sweep.jsonl", args: (f) => [...SWEEP, "--resume", f], rows: true },
];
/** Files with rows are drawn three times as often: their checks are the most numerous. */
const DRAWN = TARGETS.flatMap((t) => (t.rows ? [t, t, t] : [t]));

before(async () => {
  const make = async (args: string[], file?: string) => {
    const r = await cliInProcess(args);
    assert.equal(r.code, 0, r.err);
    if (file) writeFileSync(at(file), r.out);
  };
  writeFileSync(at("walk.csv"), "walkUs\n3.5\n4\n12\n");
  await make(["run", "seed", "--set", "tableFree=immediate", "--episodes", "3000", "--json"], "run.json");
  await make(["exact", "seed", "--json"], "exact.json");
  await make(["explore", "seed", "--max-preemptions", "1", "--json"], "explore.json");
  await make([...SWEEP, "--json"], "sweep.json");
  await make([...SWEEP, "--checkpoint", at("sweep.jsonl")]);
  await make([...SHARDS, "--shard", "1/2", "--out", at("part-1.json")]);
  await make([...SHARDS, "--shard", "2/2", "--out", at("part-2.arrow")]);
  for (const t of TARGETS) {
    t.bytes = readFileSync(at(t.name));
    const r = await cliInProcess(t.args(at(t.name)));
    assert.equal(r.code, 0, r.err);
    t.expected = r.out;
  }
});

test(`${DAMAGED_FILES} damaged files: exit 2 with one line, or exit 0 with the undamaged answer`, { timeout: 300_000 }, async () => {
  const cases = fc.sample(fc.tuple(fc.nat(DRAWN.length - 1), damage), { seed: SEED + 1, numRuns: DAMAGED_FILES });
  const files = cases.map(([t, d], i) => {
    const target = DRAWN[t]!;
    const binary = target.name.endsWith(".arrow");
    // Binary files take byte damage only; row damage needs rows.
    const pick = (d as { pick: number }).pick;
    const kind: Damage = binary && !["truncate", "flip"].includes(d.kind) ? { kind: "flip", at: pick, bit: 3 }
      : !target.rows && (d.kind === "duplicate" || d.kind === "swap") ? { kind: "nudge", pick } : d;
    const bytes = binary
      ? (kind.kind === "truncate" ? target.bytes!.subarray(0, kind.at % target.bytes!.length)
        : (() => { const b = Buffer.from(target.bytes!); b[(kind as { at: number }).at % b.length]! ^= 1 << (kind as { bit: number }).bit; return b; })())
      : Buffer.from(damageText(target.bytes!.toString("utf8"), kind, target.name.endsWith(".jsonl")), "latin1");
    const file = at(`${i}-${target.name}`);
    writeFileSync(file, bytes);
    return { target, damage: kind, file, bytes };
  });
  const outcomes = await all(files, 2, (c) => tlbrace(c.target.args(c.file)));
  const bad = files.flatMap((c, i) => {
    const r = outcomes[i]!;
    const f = fault(r, unseen(c.target.name, c.target.bytes!, c.bytes) ? undefined : c.target.expected);
    return f ? [`${c.target.name} damaged by ${JSON.stringify(c.damage)} (${c.file}): ${f}`] : [];
  });
  assert.deepEqual(bad, [], `fast-check seed ${SEED + 1}`);
});

// --- generated places ----------------------------------------------------

/**
 * Places that are not plain files in a plain folder. Mounted as root (as CI
 * runs): a full tmpfs and a read-only one; elsewhere the read-only place is
 * a folder without write permission and the full one is left out.
 */
const mounts: string[] = [];
function place(kind: string): string {
  switch (kind) {
    case "link": return at("places/link.json");
    case "fifo": return at("places/fifo.json");
    case "dir": return at("places");
    case "through-file": return at("places/plain.json/o.json");
    case "long": return at(`places/${"n".repeat(300)}.json`);
    case "full": return mounts.includes(at("full")) ? at("full/o.json") : at("places/plain.json/o.json");
    case "read-only": return at("ro/o.json");
    default: return kind;
  }
}
const PLACE_KINDS = ["link", "fifo", "/dev/zero", "/dev/full", "/dev/null", "dir", "through-file", "long", "full", "read-only"];
/** The place as an output (with the extension the option needs)... */
const AS_OUTPUT = [
  (p: string) => ["sweep", "seed", "--vary", "walkUs=1:50:60", "--episodes", "100", "--out", p],
  (p: string) => ["sweep", "seed", "--vary", "memoryPressure=0,1", "--episodes", "100", "--checkpoint", p],
  (p: string) => ["merge", at("part-1.json"), at("part-2.arrow"), "--out", p],
  (p: string) => ["report", at("sweep.json"), "--html", p.replace(/\.json$/, ".html")],
];
/** ... or as an input. */
const AS_INPUT = [
  (p: string) => ["report", p],
  (p: string) => ["rerun", p],
  (p: string) => ["merge", p, at("part-2.arrow")],
  (p: string) => ["run", "seed", "--episodes", "100", "--set", `walkUs=csv:${p}:walkUs`],
  (p: string) => ["run", "seed", "--episodes", "100", "--profile", p],
  (p: string) => [...SWEEP, "--resume", p],
];
/** Every kind of place once as an output, then the rest of the cases as inputs, the command drawn for each. */
const placeCases = (n: number) => fc.sample(fc.tuple(fc.nat(), fc.nat()), { seed: SEED + 2, numRuns: n }).map(([a, b], i) => {
  const kind = i < PLACE_KINDS.length ? PLACE_KINDS[i]! : PLACE_KINDS[b % PLACE_KINDS.length]!;
  const make = i < PLACE_KINDS.length ? AS_OUTPUT[a % AS_OUTPUT.length]! : AS_INPUT[a % AS_INPUT.length]!;
  return { kind, args: make(place(kind)) };
});

/** What every place must still be after the cases: the link a link to its untouched target, the FIFO a FIFO, the devices devices. */
function placesIntact(): string[] {
  const wrong: string[] = [];
  const kindOf = (p: string) => { const s = lstatSync(p); return s.isSymbolicLink() ? "link" : s.isFIFO() ? "fifo" : s.isCharacterDevice() ? "device" : s.isFile() ? "file" : "other"; };
  if (kindOf(at("places/link.json")) !== "link") wrong.push("places/link.json is no longer a link");
  if (readFileSync(at("places/target.txt"), "utf8") !== "keep\n") wrong.push("the link's target was written");
  if (kindOf(at("places/fifo.json")) !== "fifo") wrong.push("places/fifo.json is no longer a FIFO");
  for (const d of ["/dev/zero", "/dev/full", "/dev/null"]) if (kindOf(d) !== "device") wrong.push(`${d} is no longer a device`);
  for (const folder of [at("places"), at("ro"), ...mounts])
    for (const f of readdirSync(folder)) if (f.startsWith(".tlbrace-")) wrong.push(`${folder}/${f} was left behind`);
  return wrong;
}

test(`${PLACES} generated places (links, FIFOs, devices, full and read-only): refused or used, never written through, no hang`, { timeout: 300_000 }, async () => {
  mkdirSync(at("places"));
  writeFileSync(at("places/target.txt"), "keep\n");
  symlinkSync(at("places/target.txt"), at("places/link.json"));
  spawnSync("mkfifo", [at("places/fifo.json")]);
  writeFileSync(at("places/plain.json"), "{}");
  for (const [name, opts] of [["full", "size=16k"], ["ro", "ro,size=16k"]] as const) {
    mkdirSync(at(name));
    if (spawnSync("mount", ["-t", "tmpfs", "-o", opts, "tmpfs", at(name)]).status === 0) mounts.push(at(name));
  }
  if (mounts.includes(at("full"))) spawnSync("dd", ["if=/dev/zero", `of=${at("full/filler")}`, "bs=4k"]);
  // Without root the read-only place is a folder without write permission (root writes there anyway: then the case only must not fail).
  if (!mounts.includes(at("ro"))) spawnSync("chmod", ["0555", at("ro")]);
  const cases = placeCases(PLACES);
  const outcomes = await all(cases, 2, (c) => tlbrace(c.args));
  const bad = cases.flatMap((c, i) => {
    const f = fault(outcomes[i]!);
    return f ? [`${c.kind}: tlbrace ${c.args.map((a) => JSON.stringify(a.length > 60 ? a.slice(0, 60) + "..." : a)).join(" ")}: ${f}`] : [];
  });
  assert.deepEqual([...bad, ...placesIntact()], [], `fast-check seed ${SEED + 2}`);
});

after(() => {
  for (const m of mounts) spawnSync("umount", [m]);
});

test("the README gives the fuzz test's case count", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8").replace(/\s+/g, " ");
  assert.ok(readme.includes(`${COMMAND_LINES + DAMAGED_FILES + PLACES} cases (${COMMAND_LINES} command lines, ${DAMAGED_FILES} damaged files`), "README.md: update the fuzz test's case count");
  assert.ok(readme.includes(`and ${PLACES} generated places`), "README.md: update the fuzz test's count of places");
});
