/**
 * Sweeps: one Monte Carlo run per grid cell, cell j on random stream
 * (seed, j), collected as plain rows (one per cell) for tables and charts.
 */
import { type Manifest, manifest } from "../engines/manifest.js";
import { checkRunOptions, type MonteCarloOptions, type Progress, type RunData, simulate } from "../engines/montecarlo/run.js";
import type { Count, Probability } from "../model/units.js";
import { type Axis, type AxisValue, cellCount, cellScenario, cellValues, type Grid } from "./grid.js";

/** One cell's result; axis columns are named after their parameters. */
export interface SweepRow {
  readonly [axis: string]: AxisValue;
  readonly cell: number;
  readonly episodes: Count;
  readonly races: Count;
  readonly pRace: Probability;
  readonly pRaceLo: Probability;
  readonly pRaceHi: Probability;
  readonly corrupts: Count;
  readonly pCorrupt: Probability;
  readonly unmapLatencyUsMean: number;
  readonly unmapLatencyUsP99: number;
  readonly freeDelayUsMean: number;
  readonly freeDelayUsP99: number;
  readonly ipisMean: number;
  readonly waitUsMean: number;
  readonly waitUsP99: number;
}

/** A run's counts, pRace with its interval and cost summaries, as flat table columns. */
export function resultColumns(r: RunData) {
  return {
    episodes: r.episodes,
    races: r.races,
    pRace: r.pRace,
    pRaceLo: r.ci95[0],
    pRaceHi: r.ci95[1],
    corrupts: r.corrupts,
    pCorrupt: r.pCorrupt,
    unmapLatencyUsMean: r.costs.unmapLatencyUs.mean,
    unmapLatencyUsP99: r.costs.unmapLatencyUs.p99,
    freeDelayUsMean: r.costs.freeDelayUs.mean,
    freeDelayUsP99: r.costs.freeDelayUs.p99,
    ipisMean: r.costs.ipis.mean,
    waitUsMean: r.costs.waitUs.mean,
    waitUsP99: r.costs.waitUs.p99,
  };
}

export interface SweepManifest extends Omit<Manifest, "stream"> {
  readonly axes: readonly Axis[];
}

export interface SweepData {
  readonly manifest: SweepManifest;
  readonly axes: readonly Axis[];
  readonly rows: readonly SweepRow[];
}

export async function runSweep(g: Grid, opts: MonteCarloOptions, progress: Progress = {}): Promise<SweepData> {
  const { episodes, seed } = checkRunOptions(opts);
  const n = cellCount(g);
  const rows: SweepRow[] = [];
  for (let j = 0; j < n; j++) {
    progress.signal?.throwIfAborted();
    const r = await simulate(cellScenario(g, j), { episodes, seed }, j, { signal: progress.signal });
    rows.push({ ...cellValues(g, j), cell: j, ...resultColumns(r) });
    progress.onProgress?.((j + 1) * episodes, n * episodes);
  }
  // Each cell's stream is [cell], so the sweep's manifest needs no stream of its own.
  const { stream: _cellStream, ...base } = manifest({
    engine: "montecarlo", scenario: g.scenario.name, params: g.scenario.params, seed, episodes, stream: [],
  });
  return { manifest: { ...base, axes: g.axes }, axes: g.axes, rows };
}
