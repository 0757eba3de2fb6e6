/**
 * Re-runs from manifests: a result's manifest names everything its numbers
 * depend on (model version, scenario, every resolved parameter, engine, seed,
 * episodes, stream), so running it again must give the same numbers bit for
 * bit. A file that also holds the numbers (a result JSON, a sweep's Arrow or
 * JSON file) is checked against the re-run.
 */
import { extname } from "node:path";
import { type Manifest, PACKAGE_VERSION } from "../engines/manifest.js";
import { type ExactResult, solveExact } from "../engines/exact/index.js";
import { explore, type ExploreResult } from "../engines/explore/index.js";
import { checkRunOptions, type RunData, simulate } from "../engines/montecarlo/run.js";
import { checkRareOptions, estimateRare, type RareData, type RareOptions } from "../engines/rare/estimate.js";
import type { Execution } from "../engines/montecarlo/pool.js";
import { InputError } from "../model/errors.js";
import { parseFile } from "../formats/issues.js";
import { measuredSchema } from "../formats/profile.js";
import { defineScenario, type Scenario } from "../model/scenario.js";
import { asThisModel, MODEL_VERSION, olderModelParams } from "../model/version.js";
import { type Axis, type Grid, grid } from "./grid.js";
import { parseJson, readInputFile } from "./input-file.js";
import { parseFormat, place } from "../formats/read.js";
import { manifestSchema } from "../formats/manifest.js";
import { RESULT_SCHEMAS } from "../formats/result.js";
import { studyManifestSchema } from "../formats/study.js";
import { sweepManifestSchema } from "../formats/sweep.js";
import { protocolRef } from "../protocol/attach.js";
import { type ProtocolDoc, protocolRefSchema } from "../protocol/format.js";
import { checkRunCounts, checkSweepRows } from "./sweep-rows.js";
import { checkCost } from "./cost-checks.js";
import { readSweepFile } from "./shards.js";
import { checkShard, runSweep, shardCells, type SweepData, type SweepManifest } from "./sweep.js";
import { cellCount } from "./grid.js";
import { runRareSweep } from "./rare-sweep.js";

export type AnyManifest = Manifest | SweepManifest;

/** What `rerun` gives back: the numbers again, in the form the engine returns them. */
export type Rerun =
  | { readonly kind: "run"; readonly scenario: Scenario; readonly data: RunData }
  | { readonly kind: "sweep"; readonly scenario: Scenario; readonly data: SweepData }
  | { readonly kind: "exact"; readonly scenario: Scenario; readonly data: ExactResult }
  | { readonly kind: "explore"; readonly scenario: Scenario; readonly data: ExploreResult }
  | { readonly kind: "rare"; readonly scenario: Scenario; readonly data: RareData };

/** A file's contents: manifests to re-run, and the numbers they should give where the file has them. */
export interface Recorded {
  readonly manifest: AnyManifest;
  readonly name: string;
  /** The numbers as recorded, in the form `recordedNumbers` gives them; absent for a bare manifest. */
  readonly numbers?: unknown;
  /** The result as recorded, where the file holds one. */
  readonly result?: Rerun;
  /** Present when an older model wrote the manifest (see olderModelOf). */
  readonly olderModel?: OlderModel;
}

/**
 * An older model's manifest: its version, and the parameters it did not name
 * with the values they were read as (model/version.ts). Of its numbers, those
 * it recorded are compared; numbers the newer model adds are new.
 */
export interface OlderModel {
  readonly version: number;
  readonly readAs: Readonly<Record<string, string | number>>;
}

const WRITTEN_BY = "a manifest written by tlbrace (a result's `manifest` field, a sweep file, or out/manifest.json)";

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** A checked manifest with the scenario (and a sweep's grid) it describes, built once. */
interface Resolved {
  readonly manifest: AnyManifest;
  readonly scenario: Scenario;
  readonly grid?: Grid;
}

/** The older model that wrote a manifest, or undefined for one of this model. */
function olderModelOf(raw: unknown): OlderModel | undefined {
  if (!isObject(raw) || typeof raw.modelVersion !== "number" || raw.modelVersion >= MODEL_VERSION) return undefined;
  const named = isObject(raw.params) ? raw.params : {};
  const readAs = Object.fromEntries(Object.entries(olderModelParams(raw.modelVersion)).filter(([k]) => !(k in named)));
  return { version: raw.modelVersion, readAs };
}

/** Validates a manifest read from `file` (at `at` inside it): every field, before anything runs. */
export function checkManifest(raw: unknown, field = "manifest", file?: string): AnyManifest {
  return resolveManifest(raw, field, file).manifest;
}

/** A field inside `field`: `x.json, manifest.seed`, or `x.json, seed` for a manifest that is the whole file. */
const sub = (field: string) => (field.endsWith(", ") ? field : `${field}.`);

function resolveManifest(raw: unknown, at: string, file?: string): Resolved {
  const field = file === undefined ? at : at ? place(file, at) : `${file}, `;
  if (!isObject(raw)) throw new InputError(field.replace(/, $/, ""), raw, WRITTEN_BY);
  if (raw.tool !== "tlbrace") throw new InputError(`${sub(field)}tool`, raw.tool, `"tlbrace" (${WRITTEN_BY})`);
  const version = raw.modelVersion;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1)
    throw new InputError(`${sub(field)}modelVersion`, version, "a whole number >= 1");
  if (version > MODEL_VERSION)
    throw new InputError(`${sub(field)}modelVersion`, version,
      `at most ${MODEL_VERSION}: it was written by a newer tlbrace (${String(raw.version)}) than this one (${PACKAGE_VERSION}); upgrade tlbrace to re-run it`);
  // An older model's manifest lacks the parameters added since; they take the values that do what that model did.
  const m = asThisModel(raw) as Record<string, unknown> & { params: Record<string, unknown> };
  // Every field's form, by the format; then what the format cannot say.
  parseFormat("axes" in m ? sweepManifestSchema : manifestSchema, m, file ?? "", at);
  if (m.engine === "montecarlo") underField(field, () => checkRunOptions({ episodes: m.episodes, seed: m.seed }));
  if (m.engine === "rare") rareOptionsOf(m as unknown as Manifest, field);
  // Parameters and the preset are checked by building the scenario.
  const scenario = scenarioOf(m as unknown as AnyManifest, field);
  if ("axes" in m) {
    const g = gridOf(scenario, m as unknown as SweepManifest, field);
    if (m.shard !== undefined) underField(field, () => checkShard(m.shard, cellCount(g)));
    return { manifest: m as unknown as AnyManifest, scenario, grid: g };
  } else if (m.engine === "montecarlo" && !(Array.isArray(m.stream) && m.stream.length === 1 && Number.isSafeInteger(m.stream[0]) && (m.stream[0] as number) >= 0)) {
    throw new InputError(`${sub(field)}stream`, m.stream, "[key]: one whole number, the run's random stream");
  }
  return { manifest: m as unknown as AnyManifest, scenario };
}

/** Runs `f`, naming its InputError's field as one inside `field`. */
function underField<T>(field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${sub(field)}${e.field}`, e.value, e.allowed);
    throw e;
  }
}

/** The scenario a manifest describes: its preset (which must exist here) with the recorded parameters. */
export function scenarioOf(m: AnyManifest, field = "manifest"): Scenario {
  // Measured inputs keep saying where they came from in the re-run's manifest.
  const measured = m.measured === undefined ? undefined : parseFile(measuredSchema, m.measured, `${field}.measured`);
  try {
    const plain = defineScenario({ name: m.scenario, ...(m.preset ? { base: m.preset } : {}), params: m.params as Record<string, unknown> });
    const s = m.protocol === undefined ? plain : withRecordedProtocol(plain, m.protocol, field);
    return measured ? { ...s, measured } : s;
  } catch (e) {
    if (e instanceof InputError && e.field === "scenario") throw new InputError(`${sub(field)}preset`, m.preset, e.allowed);
    if (e instanceof InputError) throw new InputError(`${sub(field)}params.${e.field}`, e.value, e.allowed);
    throw e;
  }
}

/** The protocol a manifest carries, checked as a file given with --protocol would be; the title stays the recorded one. */
function withRecordedProtocol(s: Scenario, raw: unknown, field: string): Scenario {
  const r = protocolRefSchema.safeParse(raw);
  if (!r.success) throw new InputError(`${sub(field)}protocol.${r.error.issues[0]!.path.join(".")}`, "a damaged protocol", r.error.issues[0]!.message);
  const ref = protocolRef(r.data.doc as ProtocolDoc, r.data.name);
  return { ...s, params: { ...s.params, protocol: { ...ref, name: r.data.name } } };
}

function gridOf(scenario: Scenario, m: SweepManifest, field: string): Grid {
  try {
    return grid(scenario, Object.fromEntries((m.axes as Axis[]).map((a) => [a.name, a.values])));
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${sub(field)}axes: ${e.field}`, e.value, e.allowed);
    throw new InputError(`${sub(field)}axes`, m.axes, "a list of {name, values}");
  }
}

/** Runs the manifest again. */
export async function rerun(m: AnyManifest, exec: Execution = {}): Promise<Rerun> {
  const { scenario, grid: g } = resolveManifest(m, "manifest");
  // The exact solver has no randomness: its manifest's parameters are the ones it solved.
  if (m.engine === "exact") return { kind: "exact", scenario, data: solveExact(scenario) };
  if (m.engine === "explore") return { kind: "explore", scenario, data: explore(scenario, m.options ?? {}) };
  if (m.engine === "rare" && "axes" in m) {
    const o = rareOptionsOf(m as unknown as Manifest, "manifest");
    const data = await runRareSweep(g!, { episodes: m.episodes, seed: m.seed, relError: o.relError, maxEpisodes: o.maxEpisodes, share: m.options?.share !== 0 },
      { ...exec, ...(m.shard ? { shard: m.shard } : {}) });
    return { kind: "sweep", scenario, data };
  }
  if (m.engine === "rare") return { kind: "rare", scenario, data: await estimateRare(scenario, rareOptionsOf(m as Manifest, "manifest"), exec) };
  if ("axes" in m) {
    const data = await runSweep(g!, { episodes: m.episodes, seed: m.seed }, { ...exec, ...(m.shard ? { shard: m.shard } : {}) });
    return { kind: "sweep", scenario, data };
  }
  const data = await simulate(scenario, { episodes: m.episodes, seed: m.seed }, m.stream[0], exec);
  return { kind: "run", scenario, data };
}

/** The estimator's options as the manifest records them, checked. */
function rareOptionsOf(m: Manifest, field: string): RareOptions {
  const o = m.options ?? {};
  try {
    return checkRareOptions({ seed: m.seed, relError: o.relError, maxEpisodes: o.maxEpisodes });
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${sub(field)}${e.field === "seed" ? "seed" : `options.${e.field}`}`, e.value, e.allowed);
    throw e;
  }
}

/** The numbers of a result, without its manifest: what must come out identical. */
export function recordedNumbers(r: Rerun | RunData | SweepData | ExactResult | ExploreResult | RareData): unknown {
  const d = "kind" in r ? r.data : r;
  if ("rows" in d) return { rows: d.rows };
  if (d.manifest.engine === "rare") {
    const { episodes, races, pRace, ci95, relativeError, reliable, pCorrupt, corruptCi95, costs, torn } = d as RareData;
    const tear = torn ? { pTorn: torn.pTorn, tornCi95: torn.ci95, tornReliable: torn.reliable } : {};
    return JSON.parse(JSON.stringify({ episodes, races, pRace, ci95, relativeError, reliable, pCorrupt, corruptCi95, ...tear, costs }));
  }
  if (d.manifest.engine === "explore") return exploreNumbers(d as ExploreResult);
  // JSON drops the torn fields where the scenario cannot tear (undefined).
  if (d.manifest.engine === "exact") {
    const { pRace, pCorrupt, costs, states, transitions, residual, pTorn, tornChain } = d as ExactResult;
    return JSON.parse(JSON.stringify({ pRace, pCorrupt, costs, states, transitions, residual, pTorn, tornChain }));
  }
  const { episodes, races, corrupts, pRace, ci95, pCorrupt, corruptCi95, torns, pTorn, tornCi95, costs } = d as RunData;
  return JSON.parse(JSON.stringify({ episodes, races, corrupts, pRace, ci95, pCorrupt, corruptCi95, torns, pTorn, tornCi95, costs }));
}

/**
 * What an exploration answers: sizes, verdicts and each counterexample's
 * steps (vCPU and step), from the engine's result or from the JSON of
 * `tlbrace explore --json`, which names the vCPU `vcpu`.
 */
function exploreNumbers(d: ExploreResult): unknown {
  type Step = { actor?: string; vcpu?: string; step: string };
  const outcomes = Object.fromEntries(Object.entries(d.outcomes).map(([o, v]) => [o, {
    verdict: v.verdict, states: v.states, transitions: v.transitions,
    counterexample: v.counterexample ? (v.counterexample as readonly Step[]).map((t) => `${t.actor ?? t.vcpu}: ${t.step}`) : null,
  }]));
  return { states: d.states, transitions: d.transitions, complete: d.complete, outcomes };
}

/** Where two JSON values differ, as paths (at most `limit`). */
export function differences(a: unknown, b: unknown, limit = 10, path = ""): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, p: string) => {
    if (out.length >= limit) return;
    if (isObject(x) && isObject(y) || Array.isArray(x) && Array.isArray(y)) {
      const keys = new Set([...Object.keys(x as object), ...Object.keys(y as object)]);
      for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], p ? `${p}.${k}` : k);
    } else if (!Object.is(x, y)) {
      out.push(`${p || "(value)"}: ${JSON.stringify(x)} then, ${JSON.stringify(y)} now`);
    }
  };
  walk(a, b, path);
  return out;
}

/**
 * Reads what a file holds for re-running: a bare manifest, a result JSON
 * (`tlbrace run --json`, tr.save), a sweep file (.arrow or .json), or the
 * study's out/manifest.json (every run and sweep of the study). Every field
 * is checked against its format (src/formats/) before anything runs.
 */
export function readRecorded(path: string): Recorded[] {
  if (extname(path) === ".arrow") return [sweepRecorded(path, readSweep(path))];
  const raw = parseJson(readInputFile(path).toString("utf8"), path);
  if (!isObject(raw)) throw new InputError("file", path, WRITTEN_BY);
  if ("study" in raw) {
    const study = parseFormat(studyManifestSchema, raw, path);
    return [
      ...Object.entries(study.sweeps).map(([name, m]) => bare(`sweep ${name}`, m, `sweeps.${name}`, path)),
      ...Object.entries(study.runs).map(([name, m]) => bare(`run ${name}`, m, `runs.${name}`, path)),
    ];
  }
  if ("tool" in raw) return [bare(String(raw.scenario), raw, "", path)];
  if (!("manifest" in raw)) throw new InputError("file", path, WRITTEN_BY);
  if (isObject(raw.manifest) && "axes" in raw.manifest) return [sweepRecorded(path, readSweep(path))];
  const { manifest, scenario } = resolveManifest(raw.manifest, "manifest", path);
  // An older model's result names fewer parameters; they are read as its manifest's are.
  const data = { ...parseFormat(RESULT_SCHEMAS[manifest.engine], { ...raw, ...("params" in raw ? { params: manifest.params } : {}), manifest }, path), manifest };
  checkAgreesWithManifest(raw, manifest, olderModelOf(raw.manifest) !== undefined, path);
  if (manifest.engine === "montecarlo") checkRunCounts(data as unknown as RunData, (f) => place(path, f));
  if (manifest.engine === "montecarlo" || manifest.engine === "rare") checkCosts(data as unknown as RunData, (f) => place(path, f));
  const kind = manifest.engine === "montecarlo" ? "run" : manifest.engine;
  return [recordedResult(`${kind} ${manifest.scenario}`, { kind, scenario, data } as unknown as Rerun, olderModelOf(raw.manifest))];
}

/**
 * A result's top-level scenario, seed and params are copies of its
 * manifest's (what a reader sees first); a copy that differs is damage.
 */
function checkAgreesWithManifest(raw: Record<string, unknown>, manifest: AnyManifest, older: boolean, path: string): void {
  const m = manifest as unknown as Record<string, unknown> & { params: Record<string, unknown> };
  for (const key of ["scenario", "seed"] as const)
    if (key in raw && key in m && !Object.is(raw[key], m[key]))
      throw new InputError(place(path, key), raw[key], `${JSON.stringify(m[key])}, the manifest's ${key} (the file is damaged)`);
  if (!isObject(raw.params)) return;
  for (const [name, value] of Object.entries(raw.params)) {
    // An older model's result may name a parameter this model reads differently; its manifest is what re-runs.
    if (!(name in m.params)) {
      if (older) continue;
      throw new InputError(place(path, "params", [name]), value, "only the manifest's parameters (the file is damaged)");
    }
    if (JSON.stringify(value) !== JSON.stringify(m.params[name]) && !older)
      throw new InputError(place(path, "params", [name]), value, `the manifest's value of ${name} (the file is damaged)`);
  }
}

/** A result's cost summaries, over the episodes that gave them (a rare estimate's: its pilot's). */
function checkCosts(data: RunData & { pilot?: { episodes: number } }, where: (field: string) => string): void {
  const n = data.pilot?.episodes ?? data.episodes;
  for (const [name, c] of Object.entries(data.costs)) checkCost(name, c, n, (s) => `costs.${name}.${s}`, where);
}

/** A manifest alone: nothing recorded to compare. */
function bare(name: string, raw: unknown, at: string, file: string): Recorded {
  const older = olderModelOf(raw);
  return { name, manifest: checkManifest(raw, at, file), ...(older ? { olderModel: older } : {}) };
}

function recordedResult(name: string, result: Rerun, older: OlderModel | undefined): Recorded {
  return { name, manifest: result.data.manifest, numbers: recordedNumbers(result), result, ...(older ? { olderModel: older } : {}) };
}

/**
 * Where a re-run's numbers differ from those recorded; undefined when the
 * file holds none. For an older model's file only the numbers it recorded
 * are compared.
 */
export function compareNumbers(r: Recorded, now: unknown): { differences: string[]; compared: number } | undefined {
  if (r.numbers === undefined) return undefined;
  const compared = r.olderModel ? shapedLike(r.numbers, now) : now;
  return { differences: differences(r.numbers, compared), compared: countNumbers(compared) };
}

/** `now` with only the keys `then` has, at every depth. */
function shapedLike(then: unknown, now: unknown): unknown {
  if (Array.isArray(then) && Array.isArray(now)) return now.map((x, i) => shapedLike(then[i], x));
  if (isObject(then) && isObject(now)) return Object.fromEntries(Object.keys(then).map((k) => [k, shapedLike(then[k], now[k])]));
  return now;
}

/**
 * A sweep file, checked whole: its manifest resolved, and its rows exactly
 * the cells of its grid (of its shard, for a part), each as the grid says.
 */
export function readSweep(path: string): { data: SweepData; scenario: Scenario; grid: Grid; olderModel?: OlderModel } {
  const data = readSweepFile(path);
  const { manifest, scenario, grid: g } = resolveManifest(data.manifest, "manifest", path);
  const m = manifest as SweepManifest;
  if (JSON.stringify(data.axes) !== JSON.stringify(m.axes)) throw new InputError(place(path, "axes"), data.axes, "the axes of its manifest");
  const [from, to] = m.shard ? shardCells(cellCount(g!), m.shard) : [0, cellCount(g!)];
  checkSweepRows(data.rows, g!, m.episodes, from, (i, f) => place(path, "rows", f ? [i, f] : [i]), m.engine);
  if (data.rows.length !== to - from)
    throw new InputError(place(path, "rows"), `${data.rows.length} rows`, `one row for each of the ${to - from} cells ${from} to ${to - 1}${m.shard ? ` (shard ${m.shard.index}/${m.shard.count})` : ""}`);
  const older = olderModelOf(data.manifest);
  return { data: { manifest: m, axes: m.axes, rows: data.rows }, scenario, grid: g!, ...(older ? { olderModel: older } : {}) };
}

function sweepRecorded(path: string, { data, scenario, olderModel }: ReturnType<typeof readSweep>): Recorded {
  return recordedResult(`sweep ${data.manifest.scenario} (${path})`, { kind: "sweep", scenario, data }, olderModel);
}

/** The results a file holds (a result JSON or a sweep file), for reports. */
export function readResults(path: string): Rerun[] {
  const found = readRecorded(path);
  const results = found.flatMap((r) => (r.result ? [r.result] : []));
  if (results.length === 0)
    throw new InputError("file", path, "a file with results: tlbrace run --json output, a sweep's .arrow or .json file, or tr.save(result, \"x.json\")");
  return results;
}

/** How many numbers a comparison covers. */
export function countNumbers(x: unknown): number {
  if (Array.isArray(x)) return x.reduce((n: number, v) => n + countNumbers(v), 0);
  if (isObject(x)) return Object.values(x).reduce((n: number, v) => n + countNumbers(v), 0);
  return typeof x === "number" || x === null ? 1 : 0;
}
