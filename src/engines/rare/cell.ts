/**
 * One cell of a rare-event sweep, as one task a worker runs from start to
 * end: a plain pilot (the costs, and a check), then the cheapest engine that
 * settles the cell -- the explorer (no interleaving races: 0 by exhaustive
 * search), the exact solver (every delay memoryless), or importance sampling
 * adapted from the proposal the task brings (an anchor's, ../../analysis/rare-sweep.ts).
 * The result is a pure function of (params, seed, cell, starting proposal),
 * so a cell gives the same numbers whichever worker, shard or resumed run
 * computes it.
 *
 * An anchor task adapts a proposal from scratch at one cell, on stages of
 * their own, and returns it for the cells around it to start from.
 */
import type { Params, ParamName } from "../../model/params.js";
import { paramSpec } from "../../model/params.js";
import type { Scenario } from "../../model/scenario.js";
import { paramsApply } from "../exact/applies.js";
import { solveExact } from "../exact/index.js";
import { explore, type ExploreResult } from "../explore/index.js";
import { programOf } from "../montecarlo/compile/index.js";
import { simulateBlocks } from "../montecarlo/blocks.js";
import { addBlocks, runData, runTally, runTasksOf } from "../montecarlo/tally.js";
import type { Manifest } from "../manifest.js";
import { type AdaptPlan, adaptation, type AdaptedWith, RUN_PLAN } from "./adapt.js";
import type { BlockSums } from "./draws.js";
import { judge, SAFE_CHECK_PREEMPTIONS } from "./estimate.js";
import type { Proposal } from "./proposal.js";
import { simulateRare } from "./task.js";

/** How a cell was settled: the explorer's exhaustive search, the exact solver, or importance sampling. */
export const CELL_METHODS = ["explorer", "exact", "importance"] as const;
export type CellMethod = (typeof CELL_METHODS)[number];

export interface RareCellTask {
  readonly kind: "rare-cell";
  readonly params: Params;
  readonly seed: number;
  readonly cell: number;
  /** Plain episodes of the pilot: the sweep's episodes per cell. */
  readonly pilotEpisodes: number;
  readonly relError: number;
  readonly maxEpisodes: number;
  /** The proposal to adapt from (an anchor's); null: from scratch. */
  readonly start: Proposal | null;
  /** Adapt only, from `start` or from scratch, and return the proposal (an anchor). */
  readonly anchor: boolean;
}

/** A cell's estimate as the columns of its row (besides the axes, the cell and the costs). */
export interface RareCellColumns {
  readonly method: CellMethod;
  readonly pRace: number;
  readonly pRaceLo: number;
  readonly pRaceHi: number;
  /** Half-width of the 95% interval over pRace; 0 where exact; null where there is no estimate to measure it by. */
  readonly relativeError: number | null;
  readonly reliable: boolean;
  /** Why the estimate is not trusted, "; " between problems; "" when it is. */
  readonly problems: string;
  readonly pCorrupt: number;
  readonly pCorruptLo: number;
  readonly pCorruptHi: number;
  /** Importance-sampled episodes of the estimate, and those that raced. */
  readonly episodes: number;
  readonly races: number;
  readonly adaptationStages: number;
  readonly adaptationEpisodes: number;
  readonly pilotEpisodes: number;
  readonly pilotRaces: number;
  readonly unmapLatencyUsMean: number;
  readonly unmapLatencyUsP99: number;
  readonly freeDelayUsMean: number;
  readonly freeDelayUsP99: number;
  readonly ipisMean: number;
  readonly waitUsMean: number;
  readonly waitUsP99: number;
}

export interface RareCellResult {
  readonly kind: "rare-cell";
  readonly cell: number;
  readonly columns: RareCellColumns | null;
  /** An anchor's adapted proposal; null where the cell needs none (settled) or never reached a race. */
  readonly proposal: Proposal | null;
  /** Time the task took; never in a row (it is not reproducible). */
  readonly seconds: number;
}

/** Stages of an anchor's adaptation: apart from the cell's own stages on the same key. */
export const ANCHOR_FIRST_STAGE = 1001;

/** A cell that starts from an anchor's proposal: short stages, and a short estimation once it is good. */
export const SEEDED_PLAN: AdaptPlan = { start: null, stageBlocks: 1, goodStages: 2, roundBlocks: 1, minRounds: 2, firstStage: 1, estimate: true };
/** A cell with no proposal to start from: the adaptation of `run --rare`, the estimation of a seeded cell. */
export const SCRATCH_PLAN: AdaptPlan = { ...RUN_PLAN, roundBlocks: SEEDED_PLAN.roundBlocks, minRounds: SEEDED_PLAN.minRounds };
/** An anchor adapts only: from scratch as `run --rare` does, or from its parent anchor's proposal in short stages. */
const ANCHOR_PLAN: AdaptPlan = { ...RUN_PLAN, firstStage: ANCHOR_FIRST_STAGE, estimate: false };
const SEEDED_ANCHOR_PLAN: AdaptPlan = { ...SEEDED_PLAN, goodStages: 3, firstStage: ANCHOR_FIRST_STAGE, estimate: false };

/**
 * The explorer reads a rate only as zero or not, a branch weight (a
 * probability) only as zero, one or between, and no delay at all (it ignores
 * time): cells that differ only there have one verdict, searched once per
 * worker.
 */
function exploreKey(p: Params): string {
  // A user's weights may be any expression of the parameters: their verdicts are kept by the exact values.
  if (p.protocol) return JSON.stringify(p);
  return JSON.stringify(Object.entries(p).map(([name, v]) => {
    const kind = paramSpec(name as ParamName).kind;
    if (kind === "delay") return [name];
    if (kind === "rate" && typeof v === "number") return [name, v > 0];
    if (kind === "probability" && typeof v === "number") return [name, v === 0 ? 0 : v === 1 ? 1 : "p"];
    return [name, v];
  }));
}
const verdicts = new Map<string, ExploreResult["outcomes"]>();

const cellScenario = (params: Params): Scenario => ({ name: "cell", title: "", summary: "", kernel: [], params });

function raceVerdict(s: Scenario) {
  const key = exploreKey(s.params);
  let v = verdicts.get(key);
  if (!v) {
    if (verdicts.size > 1000) verdicts.clear();
    v = explore(s, { maxPreemptions: SAFE_CHECK_PREEMPTIONS }).outcomes;
    verdicts.set(key, v);
  }
  return v.race.verdict;
}

/** Runs the adaptation's stages here, in this thread, in block order. */
function adaptHere(t: RareCellTask, plan: AdaptPlan): AdaptedWith {
  const sites = programOf(t.params, "tilted", "protocol").sites;
  const steps = adaptation(sites, "protocol", t, plan);
  for (let r = steps.next(undefined as never); ; ) {
    if (r.done) return r.value;
    const { q, stage, from, to, collect } = r.value;
    const sums: BlockSums[] = simulateRare({ kind: "rare", model: "protocol", params: t.params, seed: t.seed, key: t.cell, stage, from, to, proposal: q, sites: sites.length, collect }).blocks as BlockSums[];
    r = steps.next(sums);
  }
}

/** The plain pilot: the same episodes as a plain sweep's cell on the same seed (stream (seed, cell)). */
function pilotOf(t: RareCellTask) {
  const tally = runTally(t.pilotEpisodes);
  for (const b of runTasksOf(t.params, t.seed, t.cell, t.pilotEpisodes, "compiled")) addBlocks(tally, simulateBlocks(b));
  return runData(tally, {} as Manifest);
}

export function simulateRareCell(t: RareCellTask): RareCellResult {
  const t0 = performance.now();
  const s = cellScenario(t.params);
  const seconds = () => (performance.now() - t0) / 1000;
  if (t.anchor) {
    if (raceVerdict(s) === "SAFE" || paramsApply(t.params).ok) return { kind: "rare-cell", cell: t.cell, columns: null, proposal: null, seconds: seconds() };
    const a = adaptHere(t, t.start ? { ...SEEDED_ANCHOR_PLAN, start: t.start } : ANCHOR_PLAN);
    return { kind: "rare-cell", cell: t.cell, columns: null, proposal: a.reached ? a.proposal : null, seconds: seconds() };
  }
  const pilot = pilotOf(t);
  const base = {
    pilotEpisodes: pilot.episodes, pilotRaces: pilot.races,
    unmapLatencyUsMean: pilot.costs.unmapLatencyUs.mean, unmapLatencyUsP99: pilot.costs.unmapLatencyUs.p99,
    freeDelayUsMean: pilot.costs.freeDelayUs.mean, freeDelayUsP99: pilot.costs.freeDelayUs.p99,
    ipisMean: pilot.costs.ipis.mean, waitUsMean: pilot.costs.waitUs.mean, waitUsP99: pilot.costs.waitUs.p99,
  };
  const settled = (method: CellMethod, pRace: number, pCorrupt: number): RareCellColumns => ({
    method, pRace, pRaceLo: pRace, pRaceHi: pRace, relativeError: 0, reliable: true, problems: "",
    pCorrupt, pCorruptLo: pCorrupt, pCorruptHi: pCorrupt, episodes: 0, races: 0, adaptationStages: 0, adaptationEpisodes: 0, ...base,
  });
  const done = (columns: RareCellColumns): RareCellResult => ({ kind: "rare-cell", cell: t.cell, columns, proposal: null, seconds: seconds() });
  if (raceVerdict(s) === "SAFE") return done(settled("explorer", 0, 0));
  if (paramsApply(t.params).ok) {
    const x = solveExact(s);
    return done(settled("exact", x.pRace, x.pCorrupt));
  }
  const a = adaptHere(t, t.start ? { ...SEEDED_PLAN, start: t.start } : SCRATCH_PLAN);
  const e = a.estimate, c = a.companion!;
  const problems = judge(a, "race", { relError: t.relError, seed: t.seed, maxEpisodes: t.maxEpisodes }, { hits: pilot.races, episodes: pilot.episodes, ci95: pilot.ci95 });
  // No race reached: the pilot's upper bound is all there is.
  const hi = e.hits === 0 ? pilot.ci95[1] : e.ci95[1];
  return done({
    method: "importance", pRace: e.p, pRaceLo: e.ci95[0], pRaceHi: hi,
    relativeError: Number.isFinite(e.relativeError) ? e.relativeError : null,
    reliable: problems.length === 0, problems: problems.join("; "),
    pCorrupt: c.p, pCorruptLo: c.ci95[0], pCorruptHi: c.hits === 0 ? hi : c.ci95[1],
    episodes: e.episodes, races: e.hits, adaptationStages: a.stages, adaptationEpisodes: a.adaptationEpisodes, ...base,
  });
}
