/**
 * tlbrace: the one door for notebooks and scripts.
 *
 *   import * as tr from "tlbrace";
 *   const s = tr.scenario("seed");
 *   const r = await tr.run(s, { episodes: 1e6, seed: 1 });
 *   const g = await tr.sweep(s.vary({ memoryPressure: tr.range(0, 1, 21), preemptRate: tr.logRange(0.01, 100, 21) }));
 *   tr.heatmap(g, { x: "memoryPressure", y: "preemptRate", z: "pRace" }).show();
 */
import { type Grid, logRange, range } from "./analysis/grid.js";
import { runSweep, type SweepData } from "./analysis/sweep.js";
import { Chart } from "./api/chart.js";
import { Run } from "./api/run.js";
import { ScenarioView } from "./api/scenario.js";
import { type Showable, showableTable, showBundle, showFigure } from "./api/show.js";
import { Sweep } from "./api/sweep.js";
import { withNotebookControls } from "./api/progress.js";
import type { Figure } from "./charts/figure.js";
import { heatmap as heatmapFigure, type HeatmapOptions } from "./charts/heatmap.js";
import { lineChart as lineFigure, type LineOptions } from "./charts/line.js";
import type { Execution } from "./engines/montecarlo/run.js";
import { simulate } from "./engines/montecarlo/run.js";
import { InputError } from "./model/errors.js";
import { Reply, reply } from "./api/reply.js";
import { check, RerunCheck, rerun, type Rerunnable } from "./api/rerun.js";
import { save, type SaveOptions } from "./api/save.js";
import { setStaticImages } from "./notebook/static-image.js";
import { defineScenario, preset, presetNames, type Scenario, type ScenarioInput } from "./model/scenario.js";

export { range, logRange };
export { InputError };
export { DEFAULTS, PARAM_SPECS, FLUSH_MECHANISMS, TABLE_FREE_MODES } from "./model/params.js";
export type { Params, FlushMechanism, TableFreeMode, ParamName } from "./model/params.js";
export type { Distribution } from "./model/distribution.js";
export type { Microseconds, PerMillisecond, Probability, Count } from "./model/units.js";
export type { Manifest } from "./engines/manifest.js";
export type { RunData } from "./engines/montecarlo/run.js";
export type { SweepData, SweepRow } from "./analysis/sweep.js";
export type { Grid, Axis } from "./analysis/grid.js";
export type { Figure } from "./charts/figure.js";
export type { Scenario, ScenarioInput };
export { Run, Sweep, Chart, ScenarioView };

/** Run defaults: shown in every result's manifest. */
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

/** A preset by name (`"seed"`), or `{base?, params?, name?}` over a preset or the defaults. */
export function scenario(input: string | ScenarioInput | Scenario): ScenarioView {
  if (input instanceof ScenarioView) return input;
  if (typeof input === "object" && input !== null && "params" in input && "title" in input && "kernel" in input && "summary" in input)
  {
    const given = input as Scenario;
    const s = defineScenario({ ...given, params: { ...given.params } });
    return new ScenarioView(given.preset === undefined ? s : { ...s, preset: preset(given.preset).name });
  }
  return new ScenarioView(defineScenario(input as string | ScenarioInput));
}

/** The names of the preset scenarios. */
export function scenarios(): string[] {
  return presetNames();
}

/** Monte Carlo: samples episodes of the scenario; same seed, same numbers. */
export async function run(s: string | ScenarioInput | Scenario, opts: RunOptions = {}): Promise<Run> {
  const sc = scenario(s);
  const { episodes = RUN_DEFAULTS.episodes, seed = RUN_DEFAULTS.seed, ...exec } = opts;
  return new Run(sc, await withNotebookControls(exec, `run ${sc.name}`, "episodes", (e) => simulate(sc, { episodes, seed }, 0, e)));
}

export interface SweepOptions extends RunOptions {
  /**
   * A checkpoint file: finished cells are appended as they come, and calling
   * tr.sweep again with the same file (after an interrupt, a crash) continues
   * where it stopped.
   */
  readonly checkpoint?: string;
}

/** One Monte Carlo run per cell of a grid (`s.vary({...})`); cell j uses random stream j. */
export async function sweep(g: Grid, opts: SweepOptions = {}): Promise<Sweep> {
  if (!g || !Array.isArray((g as Grid).axes)) throw new InputError("grid", g, "a grid from scenario.vary({...})");
  const { episodes = SWEEP_DEFAULTS.episodes, seed = SWEEP_DEFAULTS.seed, ...exec } = opts;
  const data = await withNotebookControls(exec, `sweep ${g.scenario.name}`, "episodes", (e) => runSweep(g, { episodes, seed }, { ...exec, ...e }));
  return new Sweep(scenario(g.scenario), data);
}

const sweepData = (g: Sweep | SweepData): SweepData => (g instanceof Sweep ? g.data : g);

/** A heatmap of a sweep over two of its axes (z defaults to pRace). */
export function heatmap(g: Sweep | SweepData, opts: HeatmapOptions): Chart {
  const d = sweepData(g);
  return new Chart(heatmapFigure(d, opts), `heatmap of ${opts.z ?? "pRace"} over ${opts.x} x ${opts.y} (${d.manifest.scenario})`);
}

/** pRace (or another column) against one axis, with its 95% interval as a band. */
export function lineChart(g: Sweep | SweepData, opts: LineOptions): Chart {
  const d = sweepData(g);
  return new Chart(lineFigure(d, opts), `line chart of ${opts.y ?? "pRace"} against ${opts.x} (${d.manifest.scenario})`);
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
