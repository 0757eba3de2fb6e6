/**
 * The seed study: the seed's scenario (KVM paravirt flush, RCU table free)
 * and two ways of getting the free wrong, each swept over memory pressure x
 * preemption rate and run once at its own parameters with more episodes.
 * Writes CSV, an HTML report, a plain-text reply and the manifests to a
 * folder, so every number in the report can be traced and re-run.
 *
 * Defaults are sized to finish in well under a minute: the engine runs on
 * one core, and 3 x 121 cells x 20000 episodes plus 3 runs of 2e6 took
 * about 27 s (13.3 M episodes, ~220 MB resident).
 */
import { join } from "node:path";
import * as aq from "arquero";
import type { Manifest } from "../engines/manifest.js";
import { type EngineKind, type RunData, simulate } from "../engines/montecarlo/run.js";
import { checkEngine } from "../engines/montecarlo/pool.js";
import { InputError } from "../model/errors.js";
import { defineScenario, type Scenario, withParams } from "../model/scenario.js";
import { reportHtml } from "../report/html.js";
import { studyReply } from "../report/reply.js";
import { studyReport } from "../report/study.js";
import { grid, logRange, range } from "./grid.js";
import { checkWritableFolder, writeOutput } from "./output-file.js";
import { checkRareOptions } from "../engines/rare/estimate.js";
import { runRareSweep } from "./rare-sweep.js";
import { resultColumns, runSweep, type SweepData, type SweepManifest } from "./sweep.js";

export interface StudyOptions {
  /** Folder to write to; made if missing. */
  readonly out: string;
  /** Episodes per sweep cell (default 20000). */
  readonly episodes?: number;
  /** Episodes per single run (default 100 x episodes, at most 2e6, at least episodes). */
  readonly runEpisodes?: number;
  /** Seed of every random stream (default 1). */
  readonly seed?: number;
  /** Episodes done and total over the whole study, and the step under way. */
  readonly onProgress?: (done: number, total: number, step: string) => void;
  readonly signal?: AbortSignal;
  /** How episodes run (default compiled); changes no number. */
  readonly engine?: EngineKind;
  /**
   * true: each sweep is a rare-event sweep (every cell to `relError`, or
   * settled by the explorer or the exact solver); `episodes` is then each
   * cell's plain pilot. The single runs stay plain Monte Carlo: they carry
   * the costs, and their pRace is not rare.
   */
  readonly rare?: boolean;
  /** With `rare`: the 95% interval's half-width over pRace to reach (default 0.1). */
  readonly relError?: number;
  /** With `rare`: the most importance-sampled episodes one cell may take. */
  readonly maxEpisodes?: number;
}

/** A rare study's settings. */
export interface StudyRare {
  readonly relError: number;
  readonly maxEpisodes: number;
}

export const STUDY_DEFAULTS = { episodes: 20_000, seed: 1 } as const;
const RUN_FACTOR = 100;
/** Runs keep every episode's costs in memory (32 bytes each): 2e6 is 64 MB. */
const RUN_CAP = 2_000_000;
const MAX_STUDY_EPISODES = 10_000_000;
const EPISODES_ALLOWED = "a whole number from 1 to 1e7 (each episode's costs are held in memory)";

/** The sweep's axes: memory pressure linear over [0, 1], preemption rate log over four decades. */
export const STUDY_AXES = {
  memoryPressure: range(0, 1, 11),
  preemptRate: logRange(0.01, 100, 11),
} as const;

/** The seed and its two variants that differ only in how the page-table page is freed. */
export function studyScenarios(): Scenario[] {
  const seed = defineScenario("seed");
  return [
    seed,
    {
      ...withParams(seed, { tableFree: "immediate" }, "seed-immediate"),
      title: "KVM paravirt flush, page-table page freed at once",
      summary: "As the seed, but the page-table page is freed straight after the flush, as x86 paravirt did before tlb_remove_table() was used for it (2018).",
    },
    {
      ...withParams(seed, { tableFree: "rcu-skip-sync" }, "seed-skip-sync"),
      title: "KVM paravirt flush, RCU table free without the sync IPI",
      summary: "As the seed, but when the batch allocation fails the free leaves out tlb_remove_table_sync_one, on the belief that the flush already sent IPIs.",
    },
  ];
}

export interface StudyRun {
  readonly scenario: Scenario;
  readonly sweep: SweepData;
  readonly run: RunData;
}

export interface StudyResult {
  readonly episodes: number;
  readonly runEpisodes: number;
  readonly seed: number;
  readonly studies: readonly StudyRun[];
  /** Present when the sweeps are rare-event sweeps. */
  readonly rare?: StudyRare;
}

export interface StudyManifest {
  readonly study: { readonly episodes: number; readonly runEpisodes: number; readonly seed: number; readonly axes: typeof STUDY_AXES; readonly rare?: StudyRare };
  readonly sweeps: Readonly<Record<string, SweepManifest>>;
  readonly runs: Readonly<Record<string, Manifest>>;
}

export async function runStudy(options: StudyOptions): Promise<{ files: string[] }> {
  const { out, episodes, runEpisodes, seed, onProgress, signal, engine, rare } = checkStudyOptions(options);
  checkWritableFolder(out, "out");
  const scenarios = studyScenarios();
  const cells = STUDY_AXES.memoryPressure.length * STUDY_AXES.preemptRate.length;
  const total = scenarios.length * (cells * episodes + runEpisodes);
  let before = 0;
  const progress = (step: string) => ({
    signal,
    engine,
    onProgress: (done: number) => onProgress?.(before + done, total, step),
  });

  const studies: StudyRun[] = [];
  for (const scenario of scenarios) {
    const g = grid(scenario, STUDY_AXES);
    const sweep = await (rare ? runRareSweep(g, { episodes, seed, ...rare }, progress(`sweep ${scenario.name}`)) : runSweep(g, { episodes, seed }, progress(`sweep ${scenario.name}`)));
    before += cells * episodes;
    const run = await simulate(scenario, { episodes: runEpisodes, seed }, 0, progress(`run ${scenario.name}`));
    before += runEpisodes;
    studies.push({ scenario, sweep, run });
  }
  return { files: await writeStudy(out, { episodes, runEpisodes, seed, studies, ...(rare ? { rare } : {}) }) };
}

async function writeStudy(out: string, result: StudyResult): Promise<string[]> {
  const contents: [string, string][] = [
    ...result.studies.map(({ scenario, sweep }): [string, string] => [`sweep-${scenario.name}.csv`, csv(axesFirst(sweep))]),
    ["runs.csv", csv(result.studies.map(runRow))],
    ["report.html", reportHtml(studyReport(result, studyManifest(result)))],
    ["reply.txt", studyReply(result)],
    ["manifest.json", JSON.stringify(studyManifest(result), null, 2) + "\n"],
  ];
  const files: string[] = [];
  for (const [name, text] of contents) {
    const file = join(out, name);
    writeOutput(file, text, "out");
    files.push(file);
  }
  return files;
}

/** One row of runs.csv: the scenario, what varies between the three, and the run's results. */
export function runRow({ scenario, run }: StudyRun): Record<string, string | number | null> {
  const p = scenario.params;
  return {
    scenario: scenario.name,
    flush: p.flush,
    tableFree: p.tableFree,
    memoryPressure: p.memoryPressure,
    preemptRate: p.preemptRate,
    seed: run.manifest.seed,
    ...resultColumns(run),
  };
}

export function studyManifest(r: StudyResult): StudyManifest {
  return {
    study: { episodes: r.episodes, runEpisodes: r.runEpisodes, seed: r.seed, axes: STUDY_AXES, ...(r.rare ? { rare: r.rare } : {}) },
    sweeps: Object.fromEntries(r.studies.map((s) => [s.scenario.name, s.sweep.manifest])),
    runs: Object.fromEntries(r.studies.map((s) => [s.scenario.name, s.run.manifest])),
  };
}

const csv = (rows: readonly object[]) => aq.from(rows as object[]).toCSV();

/** Rows with the axis columns first, in the grid's order (x before y), then the results. */
function axesFirst(sweep: SweepData): object[] {
  return sweep.rows.map((r) => ({ ...Object.fromEntries(sweep.axes.map((a) => [a.name, r[a.name]])), ...r }));
}

function checkStudyOptions(o: StudyOptions) {
  if (typeof o !== "object" || o === null) throw new InputError("study options", o, "{out, episodes?, seed?}");
  if (typeof o.out !== "string" || o.out.trim() === "") throw new InputError("out", o.out, "a folder path");
  const episodes = o.episodes ?? STUDY_DEFAULTS.episodes;
  const seed = o.seed ?? STUDY_DEFAULTS.seed;
  if (!Number.isInteger(episodes) || episodes < 1 || episodes > MAX_STUDY_EPISODES) throw new InputError("episodes", o.episodes, EPISODES_ALLOWED);
  const runEpisodes = o.runEpisodes ?? Math.max(episodes, Math.min(RUN_FACTOR * episodes, RUN_CAP));
  if (!Number.isInteger(runEpisodes) || runEpisodes < 1 || runEpisodes > MAX_STUDY_EPISODES) throw new InputError("runEpisodes", o.runEpisodes, EPISODES_ALLOWED);
  if (o.rare !== undefined && typeof o.rare !== "boolean") throw new InputError("rare", o.rare, "true or false");
  if (!o.rare) for (const [k, v] of Object.entries({ relError: o.relError, maxEpisodes: o.maxEpisodes })) if (v !== undefined) throw new InputError(k, v, "only with rare: true");
  const engine = checkEngine(o.engine);
  if (o.rare && engine === "interpret") throw new InputError("engine", engine, "compiled with rare: true (the estimator runs the compiled engine's tilted programs)");
  let rare: StudyRare | undefined;
  if (o.rare) {
    const { relError, maxEpisodes } = checkRareOptions({ relError: o.relError, maxEpisodes: o.maxEpisodes, seed });
    rare = { relError, maxEpisodes };
  }
  // seed is checked by the engine, with the engine's own words.
  return { out: o.out, episodes, runEpisodes, seed, onProgress: o.onProgress, signal: o.signal, engine, rare };
}
