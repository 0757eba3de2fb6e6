/**
 * Sweeps: one Monte Carlo run per grid cell, cell j on random stream
 * (seed, j), collected as plain rows (one per cell) for tables and charts.
 * All cells share one pool of workers; rows come out in cell order as soon as
 * they are complete, so a caller can stream them.
 */
import { type Manifest, manifest } from "../engines/manifest.js";
import type { BlockTask } from "../engines/montecarlo/blocks.js";
import { checkEngine, checkWorkers, type Execution, runTasks } from "../engines/montecarlo/pool.js";
import { checkRunOptions, type MonteCarloOptions, type RunData, throttle } from "../engines/montecarlo/run.js";
import { addBlocks, complete, runData, type RunTally, runTally, runTasksOf } from "../engines/montecarlo/tally.js";
import { InputError } from "../model/errors.js";
import type { PteRead } from "../model/params.js";
import { canTear } from "../model/torn-pte.js";
import { withoutMeasured } from "../model/measured.js";
import type { Count, Probability } from "../model/units.js";
import { openCheckpoint } from "./checkpoint.js";
import { type Axis, type AxisValue, cellCount, cellScenario, cellValues, type Grid } from "./grid.js";

/** One cell's result; axis columns are named after their parameters. */
export interface SweepRow {
  readonly [axis: string]: AxisValue | null | undefined;
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
  /** When a cell of the sweep reads the PTE in halves: torn reads and pTorn with its interval; null in cells that cannot tear. */
  readonly torns?: Count | null;
  readonly pTorn?: Probability | null;
  readonly pTornLo?: Probability | null;
  readonly pTornHi?: Probability | null;
}

/** Whether any cell of the grid reads the PTE in halves, so that its rows carry the torn columns. */
export function gridCanTear(g: Grid): boolean {
  return canTear(g.scenario.params) || g.axes.some((a) => a.name === "pteRead" && a.values.some((v) => canTear({ pteRead: v as PteRead })));
}

/**
 * A run's counts, pRace with its interval and cost summaries, as flat table
 * columns; with `torn`, the torn read's too (null where the run did not sample it).
 */
export function resultColumns(r: RunData, torn = r.torns !== undefined) {
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
    ...(torn ? { torns: r.torns ?? null, pTorn: r.pTorn ?? null, pTornLo: r.tornCi95?.[0] ?? null, pTornHi: r.tornCi95?.[1] ?? null } : {}),
  };
}

export interface SweepManifest extends Omit<Manifest, "stream"> {
  readonly axes: readonly Axis[];
  /** Present when only part of the grid was run: shard `index` of `count` (1-based). */
  readonly shard?: Shard;
}

export interface SweepData {
  readonly manifest: SweepManifest;
  readonly axes: readonly Axis[];
  readonly rows: readonly SweepRow[];
}

/** Shard i of n: the i-th of n contiguous, near-equal ranges of cells. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface SweepExecution extends Execution {
  /** Run only this part of the grid. */
  readonly shard?: Shard;
  /** Called with each row, in cell order, as soon as it and the rows before it are done. */
  readonly onRow?: (row: SweepRow) => void;
  /**
   * A checkpoint file (JSON lines): finished rows are appended as they come,
   * and a sweep started with the same file continues where it stopped.
   */
  readonly checkpoint?: string;
  /** With `checkpoint`: the file must exist (continue, never start afresh). */
  readonly resume?: boolean;
  /**
   * false: rows go only to `onRow` and the result's `rows` stays empty, so
   * memory does not grow with the number of cells (default true).
   */
  readonly keepRows?: boolean;
}

export function checkShard(s: unknown, cells: number): Shard {
  const ok = typeof s === "object" && s !== null &&
    Number.isInteger((s as Shard).index) && Number.isInteger((s as Shard).count) &&
    (s as Shard).count >= 1 && (s as Shard).index >= 1 && (s as Shard).index <= (s as Shard).count;
  const text = ok || (typeof s === "object" && s !== null) ? `${(s as Shard).index}/${(s as Shard).count}` : s;
  if (!ok) throw new InputError("shard", text, "i/n with whole numbers 1 <= i <= n");
  if ((s as Shard).count > cells) throw new InputError("shard", `${(s as Shard).index}/${(s as Shard).count}`, `at most as many shards as cells (${cells})`);
  return s as Shard;
}

/** The cells of a shard: [from, to). */
export function shardCells(cells: number, s: Shard): [number, number] {
  return [Math.floor(((s.index - 1) * cells) / s.count), Math.floor((s.index * cells) / s.count)];
}

export async function runSweep(g: Grid, opts: MonteCarloOptions, exec: SweepExecution = {}): Promise<SweepData> {
  const { episodes, seed } = checkRunOptions(opts);
  const workers = checkWorkers(exec.workers);
  const engine = checkEngine(exec.engine);
  const n = cellCount(g);
  const shard = exec.shard === undefined ? undefined : checkShard(exec.shard, n);
  const [first, end] = shard ? shardCells(n, shard) : [0, n];
  const base = manifest({ engine: "montecarlo", scenario: g.scenario.name, preset: g.scenario.preset, params: g.scenario.params,
    measured: withoutMeasured(g.scenario.measured, g.axes.map((a) => a.name)), seed, episodes, stream: [] });
  // Each cell's stream is [cell], so the sweep's manifest needs no stream of its own.
  const { stream: _cells, ...common } = base;
  const sweepManifest: SweepManifest = { ...common, axes: g.axes, ...(shard ? { shard } : {}) };
  if (exec.resume && exec.checkpoint === undefined) throw new InputError("resume", true, "a checkpoint file to resume from");
  const saved = exec.checkpoint === undefined ? undefined : openCheckpoint(exec.checkpoint, { manifest: sweepManifest, grid: g, from: first, to: end }, exec.resume);
  const done = saved?.done ?? [];
  const start = first + done.length;
  const rows: SweepRow[] = exec.keepRows === false ? [] : [...done];

  const torn = gridCanTear(g);
  const open = new Map<number, RunTally>();
  const spares: RunTally[] = [];
  function* tasks(): Generator<BlockTask> {
    for (let j = start; j < end; j++) {
      const s = cellScenario(g, j);
      open.set(j, runTally(episodes, spares.pop()));
      yield* runTasksOf(s.params, seed, j, episodes, engine);
    }
  }
  const finished = new Map<number, SweepRow>();
  let next = start, blocksDone = 0;
  const progress = throttle(exec.onProgress);
  const total = (end - next) * episodes;
  const perCellBlocks = Math.ceil(episodes / 4096);

  try {
    await runTasks(tasks(), workers, (b) => {
      const tally = open.get(b.key)!;
      addBlocks(tally, b);
      blocksDone += b.to - b.from;
      if (complete(tally)) {
        open.delete(b.key);
        finished.set(b.key, { ...cellValues(g, b.key), cell: b.key, ...resultColumns(runData(tally, base), torn) });
        spares.push(tally);
        for (let row = finished.get(next); row; row = finished.get(next)) {
          finished.delete(next++);
          if (exec.keepRows !== false) rows.push(row);
          saved?.append(row);
          exec.onRow?.(row);
        }
      }
      progress(Math.min(total, Math.round((blocksDone / perCellBlocks) * episodes)), total);
    }, exec.signal);
  } finally {
    saved?.close();
  }

  return { manifest: sweepManifest, axes: g.axes, rows };
}
