/**
 * Rows read back (from a checkpoint, a shard, a sweep file) checked against
 * the grid they claim to belong to, before they are used: each cell once and
 * in order, the cell's own axis values, the sweep's episodes, and counts that
 * agree with the probabilities and intervals given for them, and cost
 * figures a run can give (cost-checks.ts). The schema has already checked
 * each field's type and range.
 */
import { InputError } from "../model/errors.js";
import { COSTS } from "../engines/montecarlo/blocks.js";
import { checkCost } from "./cost-checks.js";
import { clopperPearson } from "../stats/proportion.js";
import type { PteRead } from "../model/params.js";
import { canTear } from "../model/torn-pte.js";
import { cellScenario, cellValues, type Grid } from "./grid.js";
import type { RunData } from "../engines/montecarlo/run.js";
import { gridCanTear, type SweepRow } from "./sweep.js";
import { rareSweepRowSchema } from "../formats/sweep.js";
import type { RareSweepRow } from "./rare-sweep.js";

/** The torn read's columns: in every row of a sweep where some cell reads the PTE in halves, null in cells that cannot tear. */
const TORN_COLUMNS = ["torns", "pTorn", "pTornLo", "pTornHi"] as const;


/** The columns of a row besides its axes. */
const RESULT_COLUMNS = new Set(["cell", "episodes", "races", "pRace", "pRaceLo", "pRaceHi", "corrupts", "pCorrupt",
  "unmapLatencyUsMean", "unmapLatencyUsP99", "freeDelayUsMean", "freeDelayUsP99", "ipisMean", "waitUsMean", "waitUsP99", ...TORN_COLUMNS]);

/**
 * Checks `rows` are the rows of cells `from`, `from + 1`, ... of `g`, run
 * with `episodes` each; `where(i)` names row i in an error (file and line or
 * index) and `field` in it. Throws InputError at the first row that is not.
 */
export function checkSweepRows(rows: readonly SweepRow[], g: Grid, episodes: number, from: number,
  where: (i: number, field?: string) => string, engine = "montecarlo"): void {
  if (engine === "rare") return checkRareRows(rows as unknown as readonly RareSweepRow[], g, episodes, from, where);
  const axes = new Set(g.axes.map((a) => a.name as string));
  const tearing = gridCanTear(g);
  rows.forEach((row, i) => {
    const at = (field: string) => where(i, field);
    const cell = from + i;
    if (row.cell !== cell) throw new InputError(at("cell"), row.cell, `${cell}: rows hold consecutive cells from ${from}, each once`);
    const values = cellValues(g, cell);
    for (const [name, value] of Object.entries(values))
      if (!Object.is(row[name], value)) throw new InputError(at(name), row[name], `${JSON.stringify(value)}, cell ${cell}'s value on the sweep's axis ${name}`);
    for (const key of Object.keys(row))
      if (!RESULT_COLUMNS.has(key) && !axes.has(key)) throw new InputError(where(i), key, `a column of a sweep row: the axes (${[...axes].join(", ")}) and the results`);
    if (row.episodes !== episodes) throw new InputError(at("episodes"), row.episodes, `${episodes}, the sweep's episodes per cell`);
    if (row.races > episodes) throw new InputError(at("races"), row.races, `at most the ${episodes} episodes`);
    if (row.corrupts > episodes) throw new InputError(at("corrupts"), row.corrupts, `at most the ${episodes} episodes`);
    if (row.pRace !== row.races / episodes) throw new InputError(at("pRace"), row.pRace, `races / episodes = ${row.races / episodes}`);
    if (row.pCorrupt !== row.corrupts / episodes) throw new InputError(at("pCorrupt"), row.pCorrupt, `corrupts / episodes = ${row.corrupts / episodes}`);
    const [lo, hi] = clopperPearson(row.races, episodes);
    if (row.pRaceLo !== lo) throw new InputError(at("pRaceLo"), row.pRaceLo, `${lo}, the 95% interval of ${row.races} races in ${episodes}`);
    if (row.pRaceHi !== hi) throw new InputError(at("pRaceHi"), row.pRaceHi, `${hi}, the 95% interval of ${row.races} races in ${episodes}`);
    if (tearing) checkTornColumns(row, canTear(cellScenario(g, cell).params), episodes, at);
    else for (const c of TORN_COLUMNS) if (c in row) throw new InputError(where(i), c, "no torn-read columns: no cell of this sweep reads the PTE in halves");
    checkRowCosts(row, episodes, at);
  });
}

/** A row's torn columns: numbers that agree with each other where the cell can tear, null where it cannot. */
function checkTornColumns(row: SweepRow, tears: boolean, episodes: number, at: (field: string) => string): void {
  for (const c of TORN_COLUMNS) {
    const v = row[c];
    if (v === undefined) throw new InputError(at(c), v, `${tears ? "a number" : "null"}: every row of a sweep with torn reads has the column; the field is missing`);
    if (!tears && v !== null) throw new InputError(at(c), v, "null: this cell reads the PTE whole, so it cannot tear");
    if (tears && v === null) throw new InputError(at(c), v, "a number: this cell reads the PTE in halves");
  }
  if (!tears) return;
  const torns = row.torns!;
  if (torns > episodes) throw new InputError(at("torns"), torns, `at most the ${episodes} episodes`);
  if (row.pTorn !== torns / episodes) throw new InputError(at("pTorn"), row.pTorn, `torns / episodes = ${torns / episodes}`);
  const [lo, hi] = clopperPearson(torns, episodes);
  if (row.pTornLo !== lo) throw new InputError(at("pTornLo"), row.pTornLo, `${lo}, the 95% interval of ${torns} torn reads in ${episodes}`);
  if (row.pTornHi !== hi) throw new InputError(at("pTornHi"), row.pTornHi, `${hi}, the 95% interval of ${torns} torn reads in ${episodes}`);
}

/** The columns of a rare-event sweep's row besides its axes. */
const RARE_COLUMNS = new Set(Object.keys(rareSweepRowSchema.shape));

/** The same checks for a rare-event sweep's rows: what its numbers must satisfy, since no count recomputes them. */
function checkRareRows(rows: readonly RareSweepRow[], g: Grid, episodes: number, from: number, where: (i: number, field?: string) => string): void {
  const axes = new Set(g.axes.map((a) => a.name as string));
  rows.forEach((row, i) => {
    const at = (field: string) => where(i, field);
    const cell = from + i;
    if (row.cell !== cell) throw new InputError(at("cell"), row.cell, `${cell}: rows hold consecutive cells from ${from}, each once`);
    for (const [name, value] of Object.entries(cellValues(g, cell)))
      if (!Object.is(row[name], value)) throw new InputError(at(name), row[name], `${JSON.stringify(value)}, cell ${cell}'s value on the sweep's axis ${name}`);
    for (const key of Object.keys(row))
      if (!RARE_COLUMNS.has(key) && !axes.has(key)) throw new InputError(where(i), key, `a column of a rare sweep row: the axes (${[...axes].join(", ")}) and the results`);
    if (row.pilotEpisodes !== episodes) throw new InputError(at("pilotEpisodes"), row.pilotEpisodes, `${episodes}, the sweep's episodes per cell`);
    if (row.pilotRaces > episodes) throw new InputError(at("pilotRaces"), row.pilotRaces, `at most the ${episodes} episodes`);
    if (row.races > row.episodes) throw new InputError(at("races"), row.races, `at most the ${row.episodes} episodes`);
    for (const [p, lo, hi] of [["pRace", "pRaceLo", "pRaceHi"], ["pCorrupt", "pCorruptLo", "pCorruptHi"]] as const)
      if (!(row[lo] <= row[p] && row[p] <= row[hi])) throw new InputError(at(p), row[p], `within its interval [${row[lo]}, ${row[hi]}]`);
    if (row.pCorrupt > row.pRace) throw new InputError(at("pCorrupt"), row.pCorrupt, `at most pRace (${row.pRace}): a corruption is a race`);
    if (row.method !== "importance") {
      if (row.pRaceLo !== row.pRace || row.pRaceHi !== row.pRace) throw new InputError(at("pRaceHi"), row.pRaceHi, `${row.pRace}: a cell settled by the ${row.method} has no interval`);
      if (row.method === "explorer" && row.pRace !== 0) throw new InputError(at("pRace"), row.pRace, "0: the explorer settles a cell only when no interleaving races");
      if (row.relativeError !== 0 || row.episodes !== 0) throw new InputError(at(row.episodes !== 0 ? "episodes" : "relativeError"), row.episodes !== 0 ? row.episodes : row.relativeError, `0 in a cell settled by the ${row.method}`);
    }
    if (row.reliable !== (row.problems === "")) throw new InputError(at("reliable"), row.reliable, `${row.problems === ""}: a cell is reliable exactly when it lists no problems`);
    // The costs are the pilot's.
    checkRowCosts(row, row.pilotEpisodes, at);
  });
}

/** A row's cost columns (`waitUsMean`, `waitUsP99`; the IPIs' mean alone) over its `episodes`. */
function checkRowCosts(row: Readonly<Record<string, unknown>>, episodes: number, at: (field: string) => string): void {
  const column = (c: string, s: string) => `${c}${s[0]!.toUpperCase()}${s.slice(1)}`;
  for (const c of COSTS) {
    const figures = { mean: row[column(c, "mean")], ...(column(c, "p99") in row ? { p99: row[column(c, "p99")] } : {}) } as { mean: number; p99?: number };
    checkCost(c, figures, episodes, (s) => column(c, s), at);
  }
}

/** A run result's counts against its manifest's episodes and its probabilities and intervals; `where(field)` names a field. */
export function checkRunCounts(r: RunData, where: (field: string) => string): void {
  const n = r.manifest.episodes;
  if (r.episodes !== n) throw new InputError(where("episodes"), r.episodes, `${n}, the manifest's episodes`);
  for (const [count, p, ci] of [["races", "pRace", "ci95"], ["corrupts", "pCorrupt", "corruptCi95"]] as const) {
    if (r[count] > n) throw new InputError(where(count), r[count], `at most the ${n} episodes`);
    if (r[p] !== r[count] / n) throw new InputError(where(p), r[p], `${count} / episodes = ${r[count] / n}`);
    const [lo, hi] = clopperPearson(r[count], n);
    if (r[ci][0] !== lo || r[ci][1] !== hi) throw new InputError(where(ci), r[ci], `[${lo}, ${hi}], the 95% interval of ${r[count]} in ${n}`);
  }
  // The torn read: sampled only when the scenario reads the PTE in halves (an older model's result may lack it).
  const tears = canTear({ pteRead: r.manifest.params.pteRead as PteRead });
  const given = (["torns", "pTorn", "tornCi95"] as const).filter((f) => r[f] !== undefined);
  if (!tears && given.length) throw new InputError(where(given[0]!), r[given[0]!], "no such field: the scenario reads the PTE whole, so it cannot tear");
  if (tears && given.length) {
    for (const f of ["torns", "pTorn", "tornCi95"] as const) if (r[f] === undefined) throw new InputError(where(f), r[f], "a value, as torns, pTorn and tornCi95 go together; the field is missing");
    const torns = r.torns!;
    if (!Number.isInteger(torns) || torns < 0 || torns > n) throw new InputError(where("torns"), torns, `a whole number from 0 to the ${n} episodes`);
    if (r.pTorn !== torns / n) throw new InputError(where("pTorn"), r.pTorn, `torns / episodes = ${torns / n}`);
    const [lo, hi] = clopperPearson(torns, n);
    if (!Array.isArray(r.tornCi95) || r.tornCi95[0] !== lo || r.tornCi95[1] !== hi) throw new InputError(where("tornCi95"), r.tornCi95, `[${lo}, ${hi}], the 95% interval of ${torns} in ${n}`);
  }
}
