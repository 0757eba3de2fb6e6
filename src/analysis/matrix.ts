/**
 * The verdict matrix: every flush mechanism against every table-freeing
 * mode, each cell answered by the three engines on the same parameters.
 * The explorer says whether a race is reachable at all (with a shortest
 * counterexample), the Monte Carlo engine how often it happens with a 95%
 * interval, the exact solver the probability itself where the delays are
 * exponential. Nothing is typed in: every cell is computed when asked for.
 */
import * as aq from "arquero";
import { type ExactResult, exactApplies, solveExact } from "../engines/exact/index.js";
import { checkExploreOptions, explore, type ExploreOptions, type ExploreResult } from "../engines/explore/index.js";
import type { Execution } from "../engines/montecarlo/pool.js";
import { checkRunOptions, type MonteCarloOptions } from "../engines/montecarlo/run.js";
import type { CellMethod, RareCellColumns } from "../engines/rare/cell.js";
import { checkRareOptions } from "../engines/rare/estimate.js";
import { InputError } from "../model/errors.js";
import { FLUSH_MECHANISMS, type FlushMechanism, TABLE_FREE_MODES, type TableFreeMode } from "../model/params.js";
import { preset, type Scenario, withParams } from "../model/scenario.js";
import type { Count, Probability } from "../model/units.js";
import { grid } from "./grid.js";
import { runRareSweep } from "./rare-sweep.js";
import { runSweep, type SweepData, type SweepRow } from "./sweep.js";

export type Verdict = "SAFE" | "UNSAFE" | "UNKNOWN";

export interface MatrixOptions extends ExploreOptions {
  /** The scenario whose other parameters every cell shares (default: the seed preset). */
  readonly base?: Scenario;
  /** Monte Carlo episodes per cell (default 20000). */
  readonly episodes?: number;
  /** Seed of the Monte Carlo streams; cell j uses stream j (default 1). */
  readonly seed?: number;
  /**
   * true: each cell's pRace by the rare-event path of a rare sweep (settled
   * by the explorer or the exact solver where they can, else importance
   * sampling to `relError`); `episodes` is then each cell's plain pilot.
   */
  readonly rare?: boolean;
  /** With `rare`: the 95% interval's half-width over pRace to reach (default 0.1). */
  readonly relError?: number;
  /** With `rare`: the most importance-sampled episodes one cell may take. */
  readonly maxEpisodes?: number;
}

/** The rare-event path's settings, as checked. */
export interface MatrixRare {
  readonly relError: number;
  readonly maxEpisodes: number;
}

export const MATRIX_DEFAULTS = { episodes: 20_000, seed: 1 } as const;

/** One cell: the three engines' answers for one flush mechanism and table-freeing mode. */
export interface MatrixCell {
  readonly flush: FlushMechanism;
  readonly tableFree: TableFreeMode;
  readonly scenario: Scenario;
  readonly explore: ExploreResult;
  /**
   * The sweep's row for the cell: plain Monte Carlo, or with `rare` the
   * rare-event row (importance-sampled episodes and races, pRace with its
   * interval, the plain pilot's counts).
   */
  readonly montecarlo: SweepRow;
  /** With `rare`: how the cell was settled, the relative error reached, whether it is reliable and why not. */
  readonly rare?: RareCellColumns;
  /** Absent when a delay is not exponential; `exactWhy` then says which. */
  readonly exact?: ExactResult;
  readonly exactWhy?: string;
}

export interface MatrixData {
  readonly base: Scenario;
  readonly flushes: readonly FlushMechanism[];
  readonly tableFrees: readonly TableFreeMode[];
  /** Row-major: flush changes slowest, as in the Monte Carlo sweep's cell numbers. */
  readonly cells: readonly MatrixCell[];
  /** The Monte Carlo sweep over the cells (4 x 5), with its manifest; a rare sweep's with `rare`. */
  readonly sweep: SweepData;
  /** Present when the cells were estimated by the rare-event path. */
  readonly rare?: MatrixRare;
  readonly explore: Required<ExploreOptions>;
}

/** One row of the matrix table: plain values only. */
export interface MatrixRow {
  readonly flush: FlushMechanism;
  readonly tableFree: TableFreeMode;
  /** The explorer's verdict on the race (use-after-free). */
  readonly race: Verdict;
  readonly corrupt: Verdict;
  readonly torn: Verdict;
  /** Steps of the shortest race counterexample; null when there is none. */
  readonly steps: number | null;
  /** States and transitions the explorer searched for the race. */
  readonly states: Count;
  readonly transitions: Count;
  readonly episodes: Count;
  readonly races: Count;
  readonly pRace: Probability;
  readonly pRaceLo: Probability;
  readonly pRaceHi: Probability;
  /** The exact solver's pRace; null where it does not apply. */
  readonly exactPRace: Probability | null;
  /** "" when the engines agree, else what disagrees. */
  readonly disagreement: string;
}

/**
 * A row of a rare matrix: episodes, races and the pRace columns are the
 * importance sampler's (0 episodes where a cell was settled), and these say
 * how the value was reached.
 */
export interface RareMatrixRow extends MatrixRow {
  readonly method: CellMethod;
  /** Half-width of the 95% interval over pRace; 0 where settled; null where no race was reached. */
  readonly relativeError: number | null;
  readonly reliable: boolean;
  readonly problems: string;
  readonly pilotEpisodes: Count;
  readonly pilotRaces: Count;
}

export const isRareRow = (r: MatrixRow): r is RareMatrixRow => "method" in r;

/** Validates everything before the first episode or state. */
export function checkMatrixOptions(o: unknown): { base: Scenario; mc: MonteCarloOptions; explore: Required<ExploreOptions>; rare?: MatrixRare } {
  if (o === undefined) o = {};
  if (typeof o !== "object" || o === null || Array.isArray(o))
    throw new InputError("options", o, "{base?, episodes?, seed?, maxPreemptions?, maxStates?, rare?, relError?, maxEpisodes?}");
  const { base, episodes = MATRIX_DEFAULTS.episodes, seed = MATRIX_DEFAULTS.seed, maxPreemptions, maxStates, rare, relError, maxEpisodes, ...rest } =
    o as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new InputError("option", extra, "base, episodes, seed, maxPreemptions, maxStates, rare, relError or maxEpisodes");
  if (base !== undefined && !(typeof base === "object" && base !== null && "params" in base && "name" in base))
    throw new InputError("base", base, "a scenario, such as tr.scenario(\"seed\")");
  if (rare !== undefined && typeof rare !== "boolean") throw new InputError("rare", rare, "true or false");
  if (!rare) for (const [k, v] of Object.entries({ relError, maxEpisodes })) if (v !== undefined) throw new InputError(k, v, "only with rare: true");
  const mc = checkRunOptions({ episodes, seed });
  return {
    base: (base as Scenario | undefined) ?? preset("seed"),
    mc,
    ...(rare ? { rare: pick(checkRareOptions({ relError, maxEpisodes, seed: mc.seed })) } : {}),
    explore: checkExploreOptions({
      ...(maxPreemptions === undefined ? {} : { maxPreemptions }),
      ...(maxStates === undefined ? {} : { maxStates }),
    }),
  };
}

const pick = ({ relError, maxEpisodes }: MatrixRare): MatrixRare => ({ relError, maxEpisodes });

/** Runs the three engines on every cell; with `rare`, the rare-event path in place of plain Monte Carlo. */
export async function runMatrix(opts: MatrixOptions = {}, exec: Execution = {}): Promise<MatrixData> {
  const { base, mc, explore: exploreOpts, rare } = checkMatrixOptions(opts);
  const g = grid(base, { flush: FLUSH_MECHANISMS, tableFree: TABLE_FREE_MODES });
  const sweep = await (rare ? runRareSweep(g, { ...mc, ...rare }, exec) : runSweep(g, mc, exec));
  const cells = sweep.rows.map((row): MatrixCell => {
    const flush = row.flush as FlushMechanism, tableFree = row.tableFree as TableFreeMode;
    const scenario = withParams(base, { flush, tableFree }, `${base.name} ${flush}/${tableFree}`);
    const applies = exactApplies(scenario);
    return {
      flush, tableFree, scenario,
      explore: explore(scenario, exploreOpts),
      montecarlo: row,
      ...(rare ? { rare: row as unknown as RareCellColumns } : {}),
      ...(applies.ok ? { exact: solveExact(scenario) } : { exactWhy: `${applies.param}: ${applies.why}` }),
    };
  });
  return { base, flushes: FLUSH_MECHANISMS, tableFrees: TABLE_FREE_MODES, cells, sweep, explore: exploreOpts, ...(rare ? { rare } : {}) };
}

/**
 * |z| beyond which a Monte Carlo count and an exact probability disagree:
 * 5 standard deviations, about one false alarm in 3.5 million cells, so a
 * cell outside its 95% interval by chance (one in 20) is not flagged.
 */
export const AGREEMENT_Z = 5;

/** The binomial z-score of `races` in `episodes` against probability p. */
export function zScore(races: number, episodes: number, p: number): number {
  const sd = Math.sqrt(episodes * p * (1 - p));
  const diff = races - episodes * p;
  return sd > 0 ? diff / sd : diff === 0 ? 0 : Infinity;
}

/**
 * What the engines disagree on in one cell, in words; empty when they agree.
 * The explorer ignores time and probabilities, the other two do not, so they
 * meet only where the model says they must: a race seen in sampling is an
 * interleaving the explorer must find; a race no interleaving reaches has
 * probability 0; and the exact probability must explain the sampled count.
 */
export function disagreements(
  c: Pick<MatrixCell, "explore" | "exact" | "rare"> & { readonly montecarlo: Pick<SweepRow, "episodes" | "races" | "corrupts"> },
): string[] {
  if (c.rare) return rareDisagreements(c.explore, c.rare, c.exact);
  const out: string[] = [];
  const race = c.explore.outcomes.race.verdict;
  const mcRaces = c.montecarlo.races;
  if (mcRaces > 0 && race === "SAFE") out.push(`Monte Carlo saw ${mcRaces} races, the explorer none`);
  if (c.montecarlo.corrupts > 0 && c.explore.outcomes.corrupt.verdict === "SAFE")
    out.push(`Monte Carlo saw ${c.montecarlo.corrupts} corruptions, the explorer none`);
  if (c.exact) {
    const p = c.exact.pRace;
    if (race === "SAFE" && p > 0) out.push(`exact pRace ${p} where the explorer reaches no race`);
    if (race === "UNSAFE" && !(p > 0)) out.push("exact pRace 0 where the explorer reaches a race");
    const z = zScore(mcRaces, c.montecarlo.episodes, p);
    if (Math.abs(z) > AGREEMENT_Z) out.push(`Monte Carlo ${mcRaces}/${c.montecarlo.episodes} is ${z.toFixed(1)} sd from exact pRace ${p}`);
  }
  return out;
}

/**
 * The same claims for a cell of the rare-event path: its plain pilot and
 * its estimate race only where the explorer finds a race, a value settled
 * as 0 only where it finds none, and an importance-sampled estimate within
 * AGREEMENT_Z of its own standard error from the exact value.
 */
function rareDisagreements(ex: ExploreResult, r: RareCellColumns, exact: ExactResult | undefined): string[] {
  const out: string[] = [];
  const race = ex.outcomes.race.verdict;
  if (race === "SAFE" && r.pilotRaces > 0) out.push(`the plain pilot saw ${r.pilotRaces} races, the explorer none`);
  if (race === "SAFE" && r.pRace > 0) out.push(`pRace ${r.pRace} (${r.method}) where the explorer reaches no race`);
  if (race === "UNSAFE" && r.method === "explorer") out.push("pRace 0 by exhaustive search where the explorer reaches a race");
  if (ex.outcomes.corrupt.verdict === "SAFE" && r.pCorrupt > 0) out.push(`pCorrupt ${r.pCorrupt} where the explorer reaches no corruption`);
  if (exact) {
    const p = exact.pRace;
    if (race === "SAFE" && p > 0) out.push(`exact pRace ${p} where the explorer reaches no race`);
    if (race === "UNSAFE" && !(p > 0)) out.push("exact pRace 0 where the explorer reaches a race");
    if (r.method === "importance" && r.races > 0) {
      const sd = (r.pRaceHi - r.pRaceLo) / (2 * 1.96);
      const z = sd > 0 ? (r.pRace - p) / sd : r.pRace === p ? 0 : Infinity;
      if (Math.abs(z) > AGREEMENT_Z) out.push(`importance-sampled pRace ${r.pRace} is ${z.toFixed(1)} standard errors from exact pRace ${p}`);
    }
    if (r.method === "exact" && Math.abs(r.pRace - p) > 1e-9 * p) out.push(`pRace ${r.pRace} by the exact solver in the sweep, ${p} alone`);
  }
  return out;
}

/** The cell's row: the verdicts, the Monte Carlo estimate with its interval, the exact value. */
export function matrixRow(c: MatrixCell): MatrixRow | RareMatrixRow {
  const r = c.explore.outcomes.race;
  const m = c.montecarlo;
  const row: MatrixRow = {
    flush: c.flush,
    tableFree: c.tableFree,
    race: r.verdict,
    corrupt: c.explore.outcomes.corrupt.verdict,
    torn: c.explore.outcomes.torn.verdict,
    steps: r.counterexample ? r.counterexample.length : null,
    states: r.states,
    transitions: r.transitions,
    episodes: m.episodes,
    races: m.races,
    pRace: m.pRace,
    pRaceLo: m.pRaceLo,
    pRaceHi: m.pRaceHi,
    exactPRace: c.exact ? c.exact.pRace : null,
    disagreement: disagreements(c).join("; "),
  };
  if (!c.rare) return row;
  const x = c.rare;
  return { ...row, method: x.method, relativeError: x.relativeError, reliable: x.reliable, problems: x.problems, pilotEpisodes: x.pilotEpisodes, pilotRaces: x.pilotRaces };
}

export function matrixRows(d: MatrixData): (MatrixRow | RareMatrixRow)[] {
  return d.cells.map(matrixRow);
}

/** The matrix as an Arquero table, one row per cell. */
export function matrixTable(d: MatrixData): ReturnType<typeof aq.from> {
  return aq.from(matrixRows(d));
}

/** The cell for a flush mechanism and table-freeing mode. */
export function matrixCell(d: MatrixData, flush: string, tableFree: string): MatrixCell {
  const c = d.cells.find((x) => x.flush === flush && x.tableFree === tableFree);
  if (c) return c;
  if (!d.flushes.includes(flush as FlushMechanism)) throw new InputError("flush", flush, `one of ${d.flushes.join(", ")}`);
  throw new InputError("tableFree", tableFree, `one of ${d.tableFrees.join(", ")}`);
}
