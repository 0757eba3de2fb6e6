/**
 * tlbrace: the one door for notebooks and scripts.
 *
 *   import * as tr from "tlbrace";
 *   const s = tr.scenario("seed");
 *   const r = await tr.run(s, { episodes: 1e6, seed: 1 });
 *   const g = await tr.sweep(s.vary({ memoryPressure: tr.range(0, 1, 21), preemptRate: tr.logRange(0.01, 100, 21) }));
 *   tr.heatmap(g, { x: "memoryPressure", y: "preemptRate", z: "pRace" }).show();
 */
import { fileURLToPath } from "node:url";
import { type Grid, logRange, range } from "./analysis/grid.js";
import { protocolFileRef, protocolTextRef, withProtocol } from "./protocol/attach.js";
import { runSweep, type SweepData } from "./analysis/sweep.js";
import { runRareSweep } from "./analysis/rare-sweep.js";
import { Chart } from "./api/chart.js";
import { Run } from "./api/run.js";
import { Markdown, markdownEscape } from "./api/markdown.js";
import { ScenarioView } from "./api/scenario.js";
import { type Showable, showableTable, showBundle, showFigure, type Table } from "./api/show.js";
import * as aq from "arquero";
import { Sweep } from "./api/sweep.js";
import { withNotebookControls } from "./api/progress.js";
import type { Figure } from "./charts/figure.js";
import { heatmap as heatmapFigure, type HeatmapOptions } from "./charts/heatmap.js";
import { heatmaps as heatmapsFigure, type HeatmapsOptions } from "./charts/heatmaps.js";
import { lineChart as lineFigure, type LineOptions } from "./charts/line.js";
import { kernelTimeline as computeTimeline, type TimelineOptions } from "./analysis/kernel-timeline.js";
import { kernelTimelineChart } from "./charts/kernel-timeline.js";
import type { Execution } from "./engines/montecarlo/run.js";
import { simulate } from "./engines/montecarlo/run.js";
import { InputError } from "./model/errors.js";
import { Reply, reply } from "./api/reply.js";
import { check, RerunCheck, rerun, type Rerunnable } from "./api/rerun.js";
import { save, type SaveOptions } from "./api/save.js";
import { setStaticImages } from "./notebook/static-image.js";
import { defineScenario, preset, presetNames, type Scenario, type ScenarioInput } from "./model/scenario.js";
import { Exact } from "./api/exact.js";
import { Rare } from "./api/rare.js";
import { checkRareOptions, estimateRare } from "./engines/rare/estimate.js";
import { Sensitivity } from "./api/sensitivity.js";
import type { TornadoOptions } from "./charts/tornado.js";
import { type ExactOptions, solveExact } from "./engines/exact/index.js";
import { sensitivity, type SensitivityOptions } from "./engines/exact/sensitivity.js";
import { checkMatrixOptions, type MatrixOptions, runMatrix } from "./analysis/matrix.js";
import { Matrix } from "./api/matrix.js";
import type { Distribution } from "./model/distribution.js";
import { empiricalFromCsv } from "./model/empirical.js";
import { type HistoryEntry, kernelHistory as history } from "./model/history.js";
import { Counterexample, Exploration, Timeline } from "./api/exploration.js";
import { MachineProfile } from "./api/profile.js";
import { applyProfile, readProfile } from "./measure/apply.js";
import { checkMeasureOptions, measure as measureMachine, type MeasureOptions } from "./measure/measure.js";
import { explore as exploreScenario, type ExploreOptions } from "./engines/explore/index.js";

export { range, logRange };
export { InputError };
export { DEFAULTS, PARAM_SPECS, FLUSH_MECHANISMS, TABLE_FREE_MODES, PTE_READS, PTE_REMAPS } from "./model/params.js";
export type { Params, FlushMechanism, TableFreeMode, PteRead, ParamName } from "./model/params.js";
export type { Distribution } from "./model/distribution.js";
export type { Microseconds, PerMillisecond, Probability, Count } from "./model/units.js";
export type { Manifest } from "./engines/manifest.js";
export type { RunData } from "./engines/montecarlo/run.js";
export type { SweepData, SweepRow } from "./analysis/sweep.js";
export type { Grid, Axis } from "./analysis/grid.js";
export type { Figure } from "./charts/figure.js";
export type { Scenario, ScenarioInput };
export { Run, Sweep, Chart, ScenarioView };
export { ProtocolView, ProtocolDiff } from "./api/protocol.js";
export { Exact, Sensitivity, Rare };
export type { RareData, RareDiagnostics, Estimate } from "./engines/rare/estimate.js";
export type { ExactOptions, ExactResult } from "./engines/exact/index.js";
export type { SensitivityData, SensitivityOptions, SensitivityRow } from "./engines/exact/sensitivity.js";

/** Run defaults: shown in every result's manifest. */
/** The `tlbrace` command of this library, for a notebook that runs it: `execFileSync(process.execPath, [tr.CLI, "rerun", file])`. */
export const CLI: string = fileURLToPath(new URL("../bin/tlbrace.js", import.meta.url));

export const RUN_DEFAULTS = { episodes: 100_000, seed: 1 } as const;
/** Sweep defaults, per cell. */
export const SWEEP_DEFAULTS = { episodes: 10_000, seed: 1 } as const;

/**
 * Options of tr.run and tr.sweep. `workers` (default: every core) changes no
 * number. In a notebook, progress shows in place and the interrupt button
 * stops the engines.
 */
export interface RunOptions extends Execution {
  /** Episodes to sample (default 100000). */
  readonly episodes?: number;
  /** Seed of the random streams (default 1). */
  readonly seed?: number;
}

/** What tr.scenario takes besides a preset's name: a preset to start from, changes, and a measured profile. */
export interface ScenarioOptions extends ScenarioInput {
  /**
   * A profile of `tlbrace measure` (its profile.json, or tr.measure's result):
   * its measured values replace the base's; `params` still win.
   */
  readonly profile?: string | MachineProfile;
}

/**
 * A preset by name (`"seed"`), or `{base?, params?, name?, profile?}` over a
 * preset or the defaults: `tr.scenario({ base: "seed", profile: "out/measure/profile.json" })`.
 */
export function scenario(input: string | ScenarioOptions | Scenario): ScenarioView {
  if (input instanceof ScenarioView) return input;
  if (typeof input === "object" && input !== null && "params" in input && "title" in input && "kernel" in input && "summary" in input)
  {
    const given = input as Scenario;
    const s = defineScenario({ ...given, params: { ...given.params } });
    return new ScenarioView({ ...s, ...(given.preset === undefined ? {} : { preset: preset(given.preset).name }),
      ...(given.measured ? { measured: given.measured } : {}) });
  }
  if (typeof input === "object" && input !== null && "profile" in input && input.profile !== undefined) {
    const { profile: p, params, ...rest } = input;
    const loaded = p instanceof MachineProfile ? { profile: p.profile, path: p.path } : readProfile(p);
    return new ScenarioView(applyProfile(defineScenario(rest), loaded, params ?? {}));
  }
  return new ScenarioView(defineScenario(input as string | ScenarioInput));
}

/**
 * Measures this machine for `seconds` (default 10) and writes the profile to
 * `out` (default out/measure): delays as samples, the kernel's flush and
 * table free, the matching preset. Needs root and bpftrace for the traced
 * delays; without them the profile says what is missing. Progress shows in
 * place; the interrupt button ends the window and keeps what was measured.
 */
export async function measure(opts: MeasureOptions = {}): Promise<MachineProfile> {
  const { seconds, out } = checkMeasureOptions(opts);
  const m = await withNotebookControls(opts, "measure", "s", (e) =>
    measureMachine({ seconds, out, ...(e.signal ? { signal: e.signal } : {}), ...(e.onProgress ? { onProgress: e.onProgress } : {}) }));
  return new MachineProfile({ profile: m.profile, path: m.path });
}

/** A profile written by `tlbrace measure` or tr.measure, read and checked. */
export function profile(path: string): MachineProfile {
  return new MachineProfile(readProfile(path));
}
export { MachineProfile };
export type { MeasureOptions };
export type { Profile } from "./formats/profile.js";
export type { Measured, MeasuredMachine, MeasuredParam } from "./model/measured.js";

/** The names of the preset scenarios. */
/**
 * A protocol in place of the built-in one, on a scenario whose parameters it
 * keeps: from a file path, a YAML or JSON text, or an object in the file
 * format (README: Protocol files). A patch whose base is a preset runs on that
 * preset's parameters unless `on` names another scenario.
 *   tr.protocol("patch.yaml"), tr.protocol(`base: seed\nremove: [sync-ipi]`), tr.protocol({ base: "seed", ... })
 */
export function protocol(input: string | Readonly<Record<string, unknown>>, opts: { readonly on?: string | ScenarioOptions | Scenario } = {}): ScenarioView {
  const text = typeof input === "string" ? input : JSON.stringify(input);
  const isText = typeof input !== "string" || /[\n:{]/.test(input);
  const ref = isText ? protocolTextRef(text) : protocolFileRef(input as string);
  const base = typeof input === "object" && typeof input.base === "string" ? input.base
    : isText && /^base:\s*([A-Za-z0-9-]+)\s*$/m.test(text) ? /^base:\s*([A-Za-z0-9-]+)\s*$/m.exec(text)![1] : undefined;
  const on = opts.on ?? (base !== undefined && presetNames().includes(base) ? base : "seed");
  return new ScenarioView(withProtocol(scenario(on), ref));
}

export function scenarios(): string[] {
  return presetNames();
}

/**
 * The rare-event estimator's options (`tr.run(s, { rare: true, relError: 0.1 })`):
 * importance sampling that reaches probabilities far below what plain
 * sampling sees, for every kind of delay.
 */
export interface RareRunOptions extends Omit<RunOptions, "episodes"> {
  readonly rare: true;
  /** Stop when the 95% interval's half-width is this share of pRace (default 0.1). */
  readonly relError?: number;
  /** The most episodes the estimation may take (default 3e7). */
  readonly maxEpisodes?: number;
}

/**
 * Monte Carlo: samples episodes of the scenario; same seed, same numbers.
 * With `{ rare: true }`, the rare-event estimator instead.
 */
export async function run(s: string | ScenarioInput | Scenario, opts: RareRunOptions): Promise<Rare>;
export async function run(s: string | ScenarioInput | Scenario, opts?: RunOptions): Promise<Run>;
export async function run(s: string | ScenarioInput | Scenario, opts: RunOptions | RareRunOptions = {}): Promise<Run | Rare> {
  const sc = scenario(s);
  if (typeof opts !== "object" || opts === null) throw new InputError("options", opts, "{episodes?, seed?, workers?} or {rare: true, relError?, seed?}");
  const rare: unknown = (opts as { rare?: unknown }).rare;
  if (rare !== undefined && rare !== false) {
    if (rare !== true) throw new InputError("rare", rare, "true or false");
    const { rare: _rare, relError, maxEpisodes, seed = RUN_DEFAULTS.seed, ...exec } = opts as RareRunOptions & { episodes?: unknown };
    if ("episodes" in exec) throw new InputError("episodes", exec.episodes, "no episodes with rare: true (the estimator takes what relError needs; maxEpisodes caps it)");
    const options = checkRareOptions({ seed, ...(relError === undefined ? {} : { relError }), ...(maxEpisodes === undefined ? {} : { maxEpisodes }) });
    return new Rare(sc, await withNotebookControls(exec, `rare ${sc.name}`, "episodes", (e) => estimateRare(sc, options, e)));
  }
  const { episodes = RUN_DEFAULTS.episodes, seed = RUN_DEFAULTS.seed, rare: _rare, ...exec } = opts as RunOptions & { rare?: false; relError?: unknown };
  if ("relError" in exec) throw new InputError("relError", exec.relError, "only with rare: true");
  return new Run(sc, await withNotebookControls(exec, `run ${sc.name}`, "episodes", (e) => simulate(sc, { episodes, seed }, 0, e)));
}

export interface SweepOptions extends RunOptions {
  /**
   * A checkpoint file: finished cells are appended as they come, and calling
   * tr.sweep again with the same file (after an interrupt, a crash) continues
   * where it stopped.
   */
  readonly checkpoint?: string;
  /**
   * Every cell's pRace to `relError` with the rare-event estimator, or
   * settled exactly (the explorer, the exact solver); `episodes` is then each
   * cell's plain pilot (the costs, and a check).
   */
  readonly rare?: boolean;
  /** With `rare`: the 95% interval's half-width over pRace to reach (default 0.1). */
  readonly relError?: number;
  /** With `rare`: the most episodes one cell's estimate may take (default 3e7). */
  readonly maxEpisodes?: number;
}

/**
 * One Monte Carlo run per cell of a grid (`s.vary({...})`); cell j uses
 * random stream j. `{ rare: true }`: every cell to a relative error instead.
 */
export async function sweep(g: Grid, opts: SweepOptions = {}): Promise<Sweep> {
  if (!g || !Array.isArray((g as Grid).axes)) throw new InputError("grid", g, "a grid from scenario.vary({...})");
  const { episodes = SWEEP_DEFAULTS.episodes, seed = SWEEP_DEFAULTS.seed, rare, relError, maxEpisodes, ...exec } = opts;
  if (!rare) for (const [k, v] of Object.entries({ relError, maxEpisodes })) if (v !== undefined) throw new InputError(k, v, "only with rare: true");
  const data = await withNotebookControls(exec, `sweep ${g.scenario.name}`, "episodes", (e) => rare
    ? runRareSweep(g, { episodes, seed, relError, maxEpisodes }, { ...exec, ...e })
    : runSweep(g, { episodes, seed }, { ...exec, ...e }), exec.checkpoint);
  return new Sweep(scenario(g.scenario), data);
}

const sweepData = (g: Sweep | SweepData): SweepData => (g instanceof Sweep ? g.data : g);

/** A heatmap of a sweep over two of its axes (z defaults to pRace). */
export function heatmap(g: Sweep | SweepData, opts: HeatmapOptions): Chart {
  const d = sweepData(g);
  return new Chart(heatmapFigure(d, opts), `heatmap of ${opts.z ?? "pRace"} over ${opts.x} x ${opts.y} (${d.manifest.scenario})`);
}

/**
 * Several sweeps side by side on one colour scale with one colour bar, so
 * that a colour means the same pRace in every panel:
 * `tr.heatmaps([g1, g2, g3], { x: "memoryPressure", y: "preemptRate" })`.
 */
export function heatmaps(gs: readonly (Sweep | SweepData)[], opts: HeatmapsOptions): Chart {
  if (!Array.isArray(gs)) throw new InputError("sweeps", gs, "a list of sweeps");
  const ds = gs.map(sweepData);
  return new Chart(heatmapsFigure(ds, opts), `${ds.length} heatmaps of ${opts.z ?? "pRace"} over ${opts.x} x ${opts.y} on one scale (${ds.map((d) => d.manifest.scenario).join(", ")})`);
}
export type { HeatmapOptions, HeatmapsOptions };
export type { LineOptions } from "./charts/line.js";

/** pRace (or another column) against one axis, with its 95% interval as a band. */
export function lineChart(g: Sweep | SweepData, opts: LineOptions): Chart {
  const d = sweepData(g);
  return new Chart(lineFigure(d, opts), `line chart of ${opts.y ?? "pRace"} against ${opts.x} (${d.manifest.scenario})`);
}

/**
 * Exact: the scenario as a continuous-time Markov chain, pRace (down to 1e-12
 * and below), pCorrupt and expected costs. Every delay must be exponential
 * (or 0); `{ approximate: true }` replaces others by the exponential of the
 * same mean.
 */
export function exact(s: string | ScenarioInput | Scenario, opts: ExactOptions = {}): Exact {
  const sc = scenario(s);
  return new Exact(sc, solveExact(sc, opts));
}

/**
 * A tornado chart of pRace: each numeric parameter divided and multiplied by
 * `factor` (default 2), exact solves, elasticities in the labels.
 */
export function tornado(s: string | ScenarioInput | Scenario | Exact | Sensitivity, opts: SensitivityOptions & TornadoOptions = {}): Chart {
  if (s instanceof Sensitivity) return s.tornado(opts);
  const { title, ...rest } = opts;
  const sens = s instanceof Exact ? s.sensitivity(rest) : new Sensitivity(sensitivity(scenario(s), rest));
  return sens.tornado(title === undefined ? {} : { title });
}

/**
 * The exhaustive explorer: every interleaving of the model's steps, time
 * ignored, the host preempting W at most `maxPreemptions` times (default 2).
 * Per outcome (race, corrupt, torn): SAFE, or UNSAFE with a shortest
 * counterexample (`.counterexample()?.timeline()`), or UNKNOWN if the state
 * limit (`maxStates`, default 1e6) stopped the search first.
 */
export function explore(s: string | ScenarioInput | Scenario, opts: ExploreOptions = {}): Exploration {
  const sc = scenario(s);
  return new Exploration(sc, exploreScenario(sc, opts));
}
export { Exploration, Counterexample, Timeline };
export type { ExploreOptions, ExploreOutcome, ExploreResult, OutcomeVerdict, TraceStep } from "./engines/explore/index.js";

/**
 * The verdict matrix: each flush mechanism against each table-freeing mode,
 * the other parameters from `base` (default: the seed preset). Per cell the
 * explorer's verdict, the Monte Carlo pRace with its 95% interval
 * (`episodes` per cell, default 20000) and the exact pRace, all computed now.
 * `{ rare: true, relError }`: each cell's pRace by the rare-event path
 * instead (settled by the explorer or the exact solver where they can, else
 * importance sampling to `relError`), each cell with its method.
 * `.show()` links each cell to its counterexample; `.chart()` draws it.
 */
export async function matrix(opts: Omit<MatrixOptions, "base"> & Execution & { base?: string | ScenarioInput | Scenario } = {}): Promise<Matrix> {
  const { base, episodes, seed, maxPreemptions, maxStates, rare, relError, maxEpisodes, ...exec } = opts;
  const options = {
    ...(rare === undefined ? {} : { rare }),
    ...(relError === undefined ? {} : { relError }),
    ...(maxEpisodes === undefined ? {} : { maxEpisodes }),
    ...(base === undefined ? {} : { base: scenario(base) }),
    ...(episodes === undefined ? {} : { episodes }),
    ...(seed === undefined ? {} : { seed }),
    ...(maxPreemptions === undefined ? {} : { maxPreemptions }),
    ...(maxStates === undefined ? {} : { maxStates }),
  };
  checkMatrixOptions(options);
  return new Matrix(await withNotebookControls(exec, "matrix", "episodes", (e) => runMatrix(options, { ...exec, ...e })));
}
export { Matrix };
export type { MatrixOptions, MatrixRow, MatrixCell, MatrixData, RareMatrixRow } from "./analysis/matrix.js";

/**
 * An empirical delay from one column of a CSV file (times in µs), checked
 * cell by cell: `s.with({ walkUs: tr.empirical("walk-times.csv", "walkUs") })`.
 * Relative paths are from the current directory (a notebook's own folder).
 */
export function empirical(path: string, column: string): Distribution {
  return empiricalFromCsv(path, column);
}

/** The presets in the order the kernel met them, each with its date and notes. */
export function kernelHistory(): readonly HistoryEntry[] {
  return history();
}
export type { HistoryEntry } from "./model/history.js";

/**
 * Prose for a notebook: `tr.markdown("...").show()` renders markdown, which
 * wraps between words (console.log's text is preformatted and wraps inside
 * them). `tr.markdown.escape(s)` escapes text from data for it.
 */
export const markdown = Object.assign((source: string): Markdown => new Markdown(source), { escape: markdownEscape });
export { Markdown };

/**
 * The kernel timeline: for each architecture and hypervisor and each kernel
 * version where a preset's applies rule starts or ends, the preset that
 * applies and the engines' verdict on it. `.chart()` draws it; `.cells` and
 * `.table()` hold the numbers.
 */
export async function kernelTimeline(opts: TimelineOptions = {}, exec: Execution = {}) {
  const data = await computeTimeline(opts, exec);
  return {
    ...data,
    chart: (title?: string) => new Chart(kernelTimelineChart(data, title), "kernel timeline: preset and race verdict per version and place"),
    table: () => table(data.cells.map(({ conditional, ...c }) => ({ ...c, conditional: conditional.join(" ") }))),
  };
}

/** Plain rows (objects) as an Arquero table that shows itself: `tr.table(rows).show()`, or as a cell's last value. */
export function table(rows: readonly object[]): Table & Showable {
  if (!Array.isArray(rows) || !rows.every((r) => typeof r === "object" && r !== null))
    throw new InputError("rows", Array.isArray(rows) ? "a list with a non-object" : typeof rows, "a list of objects, one per row");
  return showableTable(aq.from(rows as object[]));
}

/** Shows anything rich: results, tables, charts, plain Plotly figures, or text. */
export function show(x: unknown): void {
  if (x && typeof (x as Showable).show === "function") return (x as Showable).show();
  if (x && typeof x === "object" && "columnNames" in x && "toHTML" in x) return showableTable(x as Parameters<typeof showableTable>[0]).show();
  if (x && typeof x === "object" && "data" in x && "layout" in x) return showFigure(x as Figure, "Plotly figure");
  showBundle(typeof x === "string" ? x : JSON.stringify(x, null, 2));
}

/** Any result as plain text for a mailing-list reply: ASCII, at most 72 columns, ending with how to re-run it. */
export { reply, Reply };

/**
 * tr.rerun(x): the same numbers again from a result, its manifest, or a file
 * tlbrace wrote. tr.check(x): re-runs and compares number for number.
 */
export { rerun, check, RerunCheck };
export type { Rerunnable };

/** tr.save(x, "heatmap.png"): pictures (.png, .svg), pages (.html), data (.json, .csv, .arrow), reply text (.txt). */
export { save };
export type { SaveOptions };

/** Static PNGs beside each notebook figure (on by default): turn off to save the Chromium start-up. */
export function staticImages(on: boolean): void {
  setStaticImages(on);
}
