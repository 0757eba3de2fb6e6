/**
 * Rare-event sweeps: every cell of a grid estimated to a target relative
 * error by importance sampling, or settled by the explorer or the exact
 * solver (../engines/rare/cell.ts), one task per cell.
 *
 * Speed comes from sharing along the sweep's axes: the grid is covered by
 * anchor cells (every ANCHOR_STEP-th value of a numeric axis and its last,
 * every value of a named one); each anchor adapts a proposal from scratch,
 * and each cell adapts from its nearest anchor's, which is most of the way
 * there, in a few short stages. An anchor's proposal is a pure function of
 * the seed and its cell's parameters, so any worker, shard or resumed run
 * computes the same one, and a cell's numbers depend only on (seed, cell,
 * its anchor's proposal): the rows do not depend on how the grid was split.
 */
import { manifest } from "../engines/manifest.js";
import { checkWorkers, runTasks } from "../engines/montecarlo/pool.js";
import { checkRunOptions, throttle } from "../engines/montecarlo/run.js";
import { paramsApply } from "../engines/exact/applies.js";
import type { RareCellColumns, RareCellResult, RareCellTask } from "../engines/rare/cell.js";
import { checkRareOptions } from "../engines/rare/estimate.js";
import type { Proposal } from "../engines/rare/proposal.js";
import { InputError } from "../model/errors.js";
import { oneWalkerOnly, resolveParams } from "../model/params.js";
import { withoutMeasured } from "../model/measured.js";
import { type Checkpoint, openCheckpoint } from "./checkpoint.js";
import { type AxisValue, type Grid, cellCount, cellScenario, cellValues } from "./grid.js";
import { checkShard, gridCanTear, shardCells, type SweepData, type SweepExecution, type SweepManifest, type SweepRow } from "./sweep.js";

/** One cell of a rare-event sweep: its axis values, the cell and its estimate (../engines/rare/cell.ts). */
export type RareSweepRow = { readonly [axis: string]: AxisValue | boolean | null | undefined } & { readonly cell: number } & RareCellColumns;

/** Anchors along a numeric axis: every ANCHOR_STEP-th value and the last; a cell is at most ANCHOR_STEP / 2 steps from its anchor. */
export const ANCHOR_STEP = 5;

export interface RareSweepOptions {
  /** Plain episodes per cell: the pilot that gives the costs and checks the estimate. */
  readonly episodes: number;
  readonly seed: number;
  /** The 95% interval's half-width over pRace to reach in every cell (default 0.1). */
  readonly relError?: number;
  /** The most importance-sampled episodes one cell's estimate may take (default 3e7). */
  readonly maxEpisodes?: number;
  /** false: every cell adapts from scratch (the baseline the sharing is measured against). Changes the numbers. */
  readonly share?: boolean;
}

export interface RareSweepExecution extends SweepExecution {
  /** Called with each cell's time; not part of any row (times are not reproducible). */
  readonly onCellSeconds?: (cell: number, seconds: number) => void;
  /** The same for each anchor's adaptation. */
  readonly onAnchorSeconds?: (cell: number, seconds: number) => void;
}

/** Per axis, the anchor indices: every ANCHOR_STEP-th value and the last of a numeric axis, every value of a named one. */
function anchorIndices(values: readonly unknown[]): number[] {
  const n = values.length;
  if (!values.every((v) => typeof v === "number")) return Array.from({ length: n }, (_, i) => i);
  const out = [];
  for (let i = 0; i < n - 1; i += ANCHOR_STEP) out.push(i);
  out.push(n - 1);
  return out;
}

/** A cell's index on each axis, first axis first. */
function indicesOf(g: Grid, j: number): number[] {
  const out = new Array<number>(g.axes.length);
  for (let k = g.axes.length - 1; k >= 0; k--) {
    const n = g.axes[k]!.values.length;
    out[k] = j % n;
    j = Math.floor(j / n);
  }
  return out;
}

const cellOf = (g: Grid, idx: readonly number[]) => idx.reduce((j, i, k) => j * g.axes[k]!.values.length + i, 0);

/** Cell `j`'s anchor: on each axis the nearest anchor index. */
export function anchorOf(g: Grid, j: number): number {
  return cellOf(g, indicesOf(g, j).map((i, k) => {
    const at = anchorIndices(g.axes[k]!.values);
    return at.reduce((best, a) => (Math.abs(a - i) < Math.abs(best - i) ? a : best), at[0]!);
  }));
}

/**
 * The anchor an anchor adapts from, or null for the root: anchors form a
 * tree from the one nearest the grid's middle, each a lattice step closer to
 * it along the first axis where it is not yet there. A shard computes the
 * anchors on its cells' paths to the root, as every other shard would.
 */
export function parentAnchor(g: Grid, anchor: number): number | null {
  const idx = indicesOf(g, anchor);
  for (let k = 0; k < g.axes.length; k++) {
    const at = anchorIndices(g.axes[k]!.values);
    const root = at[Math.floor((at.length - 1) / 2)]!;
    const pos = at.indexOf(idx[k]!);
    if (idx[k] === root) continue;
    const step = idx[k]! < root ? at[pos + 1]! : at[pos - 1]!;
    return cellOf(g, idx.map((i, kk) => (kk === k ? step : i)));
  }
  return null;
}

/** The sweep's manifest: a rare run's, with the axes and the pilot's episodes per cell. */
export function rareSweepManifest(g: Grid, o: { episodes: number; seed: number; relError: number; maxEpisodes: number; share: boolean }): Omit<SweepManifest, "shard"> {
  const { stream: _cells, ...common } = manifest({ engine: "rare", scenario: g.scenario.name, preset: g.scenario.preset, params: g.scenario.params,
    measured: withoutMeasured(g.scenario.measured, g.axes.map((a) => a.name)), seed: o.seed, episodes: o.episodes, stream: [],
    options: { relError: o.relError, maxEpisodes: o.maxEpisodes, ...(o.share ? {} : { share: 0 }) } });
  return { ...common, axes: g.axes };
}

export async function runRareSweep(g: Grid, opts: RareSweepOptions, exec: RareSweepExecution = {}): Promise<SweepData> {
  const { episodes, seed } = checkRunOptions({ episodes: opts.episodes, seed: opts.seed });
  const { relError, maxEpisodes } = checkRareOptions({ relError: opts.relError, maxEpisodes: opts.maxEpisodes, seed });
  const share = opts.share ?? true;
  const workers = checkWorkers(exec.workers);
  oneWalkerOnly(g.scenario.params, "a rare sweep");
  for (const a of g.axes) if (a.name === "cpus" || a.name === "walkers") for (const v of a.values) oneWalkerOnly(resolveParams({ [a.name]: v }, g.scenario.params), "a rare sweep");
  if (gridCanTear(g))
    throw new InputError("pteRead", "low-high", "atomic in every cell of a rare sweep: it estimates pRace; the torn read's pTorn is for run --rare, one cell at a time");
  const n = cellCount(g);
  const shard = exec.shard === undefined ? undefined : checkShard(exec.shard, n);
  const [first, end] = shard ? shardCells(n, shard) : [0, n];
  const sweepManifest: SweepManifest = { ...rareSweepManifest(g, { episodes, seed, relError, maxEpisodes, share }), ...(shard ? { shard } : {}) };
  if (exec.resume && exec.checkpoint === undefined) throw new InputError("resume", true, "a checkpoint file to resume from");
  const saved = exec.checkpoint === undefined ? undefined : openCheckpoint(exec.checkpoint, { manifest: sweepManifest, grid: g, from: first, to: end }, exec.resume);
  // The checkpoint's lock goes with the sweep, whether it ends, fails or is stopped.
  try {
    return await rareCells(g, exec, saved, { first, end, episodes, seed, relError, maxEpisodes, share, workers, sweepManifest });
  } finally {
    saved?.close();
  }
}

interface CellsOf {
  readonly first: number;
  readonly end: number;
  readonly episodes: number;
  readonly seed: number;
  readonly relError: number;
  readonly maxEpisodes: number;
  readonly share: boolean;
  readonly workers: number;
  readonly sweepManifest: SweepManifest;
}

async function rareCells(g: Grid, exec: RareSweepExecution, saved: Checkpoint | undefined, c: CellsOf): Promise<SweepData> {
  const { first, end, episodes, seed, relError, maxEpisodes, share, workers, sweepManifest } = c;
  const done = saved?.done ?? [];
  const start = first + done.length;
  const rows: SweepRow[] = exec.keepRows === false ? [] : [...done];
  const progress = throttle(exec.onProgress);
  const total = (end - start) * episodes;

  const task = (j: number, anchor: boolean, from: Proposal | null): RareCellTask => ({
    kind: "rare-cell", params: cellScenario(g, j).params, seed, cell: j, pilotEpisodes: episodes, relError, maxEpisodes, start: from, anchor,
  });
  // The anchors this part of the grid needs: those of its cells the exact solver does not settle.
  const anchors = new Map<number, Proposal | null>();
  if (share) {
    // Every anchor wanted, with the anchors on its way to the root, by depth.
    const depth = new Map<number, number>();
    const depthOf = (a: number): number => {
      let d = depth.get(a);
      if (d === undefined) {
        const up = parentAnchor(g, a);
        d = up === null ? 0 : depthOf(up) + 1;
        depth.set(a, d);
      }
      return d;
    };
    for (let j = start; j < end; j++) if (!paramsApply(cellScenario(g, j).params).ok) depthOf(anchorOf(g, j));
    const levels = Math.max(-1, ...depth.values()) + 1;
    for (let d = 0; d < levels; d++) {
      const level = [...depth].filter(([, x]) => x === d).map(([a]) => a).sort((x, y) => x - y);
      function* anchorTasks(): Generator<RareCellTask> {
        for (const a of level) {
          const up = parentAnchor(g, a);
          yield task(a, true, up === null ? null : anchors.get(up) ?? null);
        }
      }
      await runTasks(anchorTasks(), Math.min(workers, level.length), (r: RareCellResult) => { anchors.set(r.cell, r.proposal); exec.onAnchorSeconds?.(r.cell, r.seconds); }, exec.signal);
    }
  }

  const finished = new Map<number, SweepRow>();
  let next = start, cellsDone = 0;
  function* cellTasks(): Generator<RareCellTask> {
    for (let j = start; j < end; j++) yield task(j, false, share ? anchors.get(anchorOf(g, j)) ?? null : null);
  }
  await runTasks(cellTasks(), Math.min(workers, end - start), (r: RareCellResult) => {
    finished.set(r.cell, { ...cellValues(g, r.cell), cell: r.cell, ...r.columns! } as unknown as SweepRow);
    exec.onCellSeconds?.(r.cell, r.seconds);
    cellsDone++;
    for (let row = finished.get(next); row; row = finished.get(next)) {
      finished.delete(next++);
      if (exec.keepRows !== false) rows.push(row);
      saved?.append(row);
      exec.onRow?.(row);
    }
    progress(cellsDone * episodes, total);
  }, exec.signal);
  return { manifest: sweepManifest, axes: g.axes, rows };
}

/** Whether a sweep's rows are a rare-event sweep's. */
export const isRareSweep = (m: Pick<SweepManifest, "engine">) => m.engine === "rare";
