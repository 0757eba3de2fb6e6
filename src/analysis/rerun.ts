/**
 * Re-runs from manifests: a result's manifest names everything its numbers
 * depend on (model version, scenario, every resolved parameter, engine, seed,
 * episodes, stream), so running it again must give the same numbers bit for
 * bit. A file that also holds the numbers (a result JSON, a sweep's Arrow or
 * JSON file) is checked against the re-run.
 */
import { extname } from "node:path";
import { type EngineName, type Manifest, PACKAGE_VERSION } from "../engines/manifest.js";
import { type ExactResult, solveExact } from "../engines/exact/index.js";
import { explore, type ExploreResult } from "../engines/explore/index.js";
import { checkRunOptions, type RunData, simulate } from "../engines/montecarlo/run.js";
import type { Execution } from "../engines/montecarlo/pool.js";
import { InputError } from "../model/errors.js";
import { parseFile } from "../formats/issues.js";
import { measuredSchema } from "../formats/profile.js";
import { PARAM_SPECS } from "../model/params.js";
import { defineScenario, type Scenario } from "../model/scenario.js";
import { MODEL_VERSION } from "../model/version.js";
import { type Axis, type Grid, grid } from "./grid.js";
import { readInputFile } from "./input-file.js";
import { readSweepFile } from "./shards.js";
import { checkShard, runSweep, type SweepData, type SweepManifest } from "./sweep.js";
import { cellCount } from "./grid.js";

export type AnyManifest = Manifest | SweepManifest;

/** What `rerun` gives back: the numbers again, in the form the engine returns them. */
export type Rerun =
  | { readonly kind: "run"; readonly scenario: Scenario; readonly data: RunData }
  | { readonly kind: "sweep"; readonly scenario: Scenario; readonly data: SweepData }
  | { readonly kind: "exact"; readonly scenario: Scenario; readonly data: ExactResult }
  | { readonly kind: "explore"; readonly scenario: Scenario; readonly data: ExploreResult };

/** A file's contents: manifests to re-run, and the numbers they should give where the file has them. */
export interface Recorded {
  readonly manifest: AnyManifest;
  readonly name: string;
  /** The numbers as recorded, in the form `recordedNumbers` gives them; absent for a bare manifest. */
  readonly numbers?: unknown;
  /** The result as recorded, where the file holds one. */
  readonly result?: Rerun;
}

const ENGINES: readonly EngineName[] = ["montecarlo", "exact", "explore"];
const WRITTEN_BY = "a manifest written by tlbrace (a result's `manifest` field, a sweep file, or out/manifest.json)";

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** A checked manifest with the scenario (and a sweep's grid) it describes, built once. */
interface Resolved {
  readonly manifest: AnyManifest;
  readonly scenario: Scenario;
  readonly grid?: Grid;
}

/** Validates a manifest read from a file: every field, before anything runs. */
export function checkManifest(raw: unknown, field = "manifest"): AnyManifest {
  return resolveManifest(raw, field).manifest;
}

function resolveManifest(raw: unknown, field: string): Resolved {
  if (!isObject(raw)) throw new InputError(field, raw, WRITTEN_BY);
  const m = raw;
  if (m.tool !== "tlbrace") throw new InputError(`${field}.tool`, m.tool, `"tlbrace" (${WRITTEN_BY})`);
  if (typeof m.modelVersion !== "number" || !Number.isInteger(m.modelVersion) || m.modelVersion < 1)
    throw new InputError(`${field}.modelVersion`, m.modelVersion, "a whole number >= 1");
  if (m.modelVersion > MODEL_VERSION)
    throw new InputError(`${field}.modelVersion`, m.modelVersion,
      `at most ${MODEL_VERSION}: it was written by a newer tlbrace (${String(m.version)}) than this one (${PACKAGE_VERSION}); upgrade tlbrace to re-run it`);
  if (m.modelVersion < MODEL_VERSION)
    throw new InputError(`${field}.modelVersion`, m.modelVersion,
      `${MODEL_VERSION}: its numbers come from an older model; re-run it with tlbrace ${String(m.version)}`);
  if (!ENGINES.includes(m.engine as EngineName)) throw new InputError(`${field}.engine`, m.engine, `one of ${ENGINES.join(", ")}`);
  if (typeof m.scenario !== "string" || m.scenario === "") throw new InputError(`${field}.scenario`, m.scenario, "a scenario name");
  if (m.preset !== null && typeof m.preset !== "string") throw new InputError(`${field}.preset`, m.preset, "a preset name or null");
  if (!isObject(m.params)) throw new InputError(`${field}.params`, m.params, "an object with every parameter");
  const missing = PARAM_SPECS.map((s) => s.name).filter((n) => !(n in (m.params as object)));
  if (missing.length) throw new InputError(`${field}.params`, `missing ${missing.join(", ")}`, "every parameter, as tlbrace writes them");
  if (m.engine === "montecarlo") checkRunOptions({ episodes: m.episodes, seed: m.seed });
  // Parameters and the preset are checked by building the scenario.
  const scenario = scenarioOf(m as unknown as AnyManifest, field);
  if ("axes" in m) {
    if (!Array.isArray(m.axes)) throw new InputError(`${field}.axes`, m.axes, "a list of {name, values}");
    const g = gridOf(scenario, m as unknown as SweepManifest, field);
    if (m.shard !== undefined) checkShard(m.shard, cellCount(g));
    return { manifest: m as unknown as AnyManifest, scenario, grid: g };
  } else if (m.engine === "montecarlo" && !(Array.isArray(m.stream) && m.stream.length === 1 && Number.isSafeInteger(m.stream[0]) && (m.stream[0] as number) >= 0)) {
    throw new InputError(`${field}.stream`, m.stream, "[key]: one whole number, the run's random stream");
  }
  return { manifest: m as unknown as AnyManifest, scenario };
}

/** The scenario a manifest describes: its preset (which must exist here) with the recorded parameters. */
export function scenarioOf(m: AnyManifest, field = "manifest"): Scenario {
  // Measured inputs keep saying where they came from in the re-run's manifest.
  const measured = m.measured === undefined ? undefined : parseFile(measuredSchema, m.measured, `${field}.measured`);
  try {
    const s = defineScenario({ name: m.scenario, ...(m.preset ? { base: m.preset } : {}), params: m.params as Record<string, unknown> });
    return measured ? { ...s, measured } : s;
  } catch (e) {
    if (e instanceof InputError && e.field === "scenario") throw new InputError(`${field}.preset`, m.preset, e.allowed);
    if (e instanceof InputError) throw new InputError(`${field}.params.${e.field}`, e.value, e.allowed);
    throw e;
  }
}

function gridOf(scenario: Scenario, m: SweepManifest, field: string): Grid {
  try {
    return grid(scenario, Object.fromEntries((m.axes as Axis[]).map((a) => [a.name, a.values])));
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${field}.axes: ${e.field}`, e.value, e.allowed);
    throw new InputError(`${field}.axes`, m.axes, "a list of {name, values}");
  }
}

/** Runs the manifest again. */
export async function rerun(m: AnyManifest, exec: Execution = {}): Promise<Rerun> {
  const { scenario, grid: g } = resolveManifest(m, "manifest");
  // The exact solver has no randomness: its manifest's parameters are the ones it solved.
  if (m.engine === "exact") return { kind: "exact", scenario, data: solveExact(scenario) };
  if (m.engine === "explore") return { kind: "explore", scenario, data: explore(scenario, m.options ?? {}) };
  if ("axes" in m) {
    const data = await runSweep(g!, { episodes: m.episodes, seed: m.seed }, { ...exec, ...(m.shard ? { shard: m.shard } : {}) });
    return { kind: "sweep", scenario, data };
  }
  const data = await simulate(scenario, { episodes: m.episodes, seed: m.seed }, m.stream[0], exec);
  return { kind: "run", scenario, data };
}

/** The numbers of a result, without its manifest: what must come out identical. */
export function recordedNumbers(r: Rerun | RunData | SweepData | ExactResult | ExploreResult): unknown {
  const d = "kind" in r ? r.data : r;
  if ("rows" in d) return { rows: d.rows };
  if (d.manifest.engine === "explore") return exploreNumbers(d as ExploreResult);
  if (d.manifest.engine === "exact") {
    const { pRace, pCorrupt, costs, states, transitions, residual } = d as ExactResult;
    return JSON.parse(JSON.stringify({ pRace, pCorrupt, costs, states, transitions, residual }));
  }
  const { episodes, races, corrupts, pRace, ci95, pCorrupt, corruptCi95, costs } = d as RunData;
  return JSON.parse(JSON.stringify({ episodes, races, corrupts, pRace, ci95, pCorrupt, corruptCi95, costs }));
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
 * study's out/manifest.json (every run and sweep of the study).
 */
export function readRecorded(path: string): Recorded[] {
  if (extname(path) === ".arrow") return [sweepRecorded(path, readSweepFile(path))];
  const text = readInputFile(path).toString("utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError("file", path, `JSON (${WRITTEN_BY}); it does not parse: damaged or not JSON`);
  }
  if (!isObject(raw)) throw new InputError("file", path, WRITTEN_BY);
  if (isObject(raw.study) && isObject(raw.runs) && isObject(raw.sweeps)) {
    return [
      ...Object.entries(raw.sweeps).map(([name, m]) => ({ name: `sweep ${name}`, manifest: checkManifest(m, `sweeps.${name}`) })),
      ...Object.entries(raw.runs).map(([name, m]) => ({ name: `run ${name}`, manifest: checkManifest(m, `runs.${name}`) })),
    ];
  }
  if ("tool" in raw) {
    const manifest = checkManifest(raw);
    return [{ name: manifest.scenario, manifest }];
  }
  if (!("manifest" in raw)) throw new InputError("file", path, WRITTEN_BY);
  if (isObject(raw.manifest) && "axes" in raw.manifest) return [sweepRecorded(path, raw as unknown as SweepData)];
  const { manifest, scenario } = resolveManifest(raw.manifest, "manifest");
  const data = { ...raw, manifest };
  const kind = manifest.engine === "montecarlo" ? "run" : manifest.engine;
  return [recordedResult(`${kind} ${manifest.scenario}`, { kind, scenario, data } as Rerun)];
}

function recordedResult(name: string, result: Rerun): Recorded {
  return { name, manifest: result.data.manifest, numbers: recordedNumbers(result), result };
}

function sweepRecorded(path: string, data: SweepData): Recorded {
  const { manifest, scenario } = resolveManifest(data.manifest, "manifest");
  if (!Array.isArray(data.rows)) throw new InputError("rows", data.rows, "the sweep's rows, as tlbrace sweep --json writes them");
  const m = manifest as SweepManifest;
  return recordedResult(`sweep ${m.scenario} (${path})`, { kind: "sweep", scenario, data: { manifest: m, axes: m.axes, rows: data.rows } });
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
