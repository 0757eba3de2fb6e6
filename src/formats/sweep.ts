/**
 * A sweep as a file: `tlbrace sweep --json` or `--out x.json` (Arrow files
 * hold the same manifest in their schema metadata and the rows as a table).
 * One row per cell, in cell order; the rows' axis columns are named after
 * the axes. The checks a schema cannot say (rows against the grid) are in
 * src/analysis/sweep-rows.ts.
 */
import { z } from "zod";
import { PARAM_NAMES } from "../model/params.js";
import { count, manifestFields, probability } from "./manifest.js";

export const axisValue = z.union([z.number(), z.string()]);

export const axesSchema = z.array(z.strictObject({
  name: z.enum(PARAM_NAMES as [string, ...string[]]),
  values: z.array(axisValue).min(1).max(10_000),
})).min(1).meta({ id: "axes", description: "the varied parameters, first changing slowest" });

export const shardSchema = z.strictObject({
  index: z.int().min(1),
  count: z.int().min(1),
}).describe("shard index of count (1-based): contiguous ranges of cells");

/** The schema of a sweep's rows: a rare-event sweep's (engine "rare") or a Monte Carlo one's. */
export const rowSchemaOf = (m: { engine?: unknown }) => (m.engine === "rare" ? rareSweepRowSchema : sweepRowSchema);

export const sweepManifestSchema = z.looseObject({
  ...manifestFields,
  axes: axesSchema,
  shard: shardSchema.optional(),
}).meta({ id: "sweepManifest", title: "tlbrace sweep manifest", description: "A sweep's manifest: a run's without the stream (cell j draws stream [j]), with its axes." });

const cost = z.number().min(0);

/** One cell's results; axis columns besides these. */
export const sweepRowSchema = z.object({
  cell: count.describe("the cell's number, row-major over the axes"),
  episodes: z.int().min(1),
  races: count,
  pRace: probability,
  pRaceLo: probability.describe("Clopper-Pearson 95% interval"),
  pRaceHi: probability,
  corrupts: count,
  pCorrupt: probability,
  unmapLatencyUsMean: cost,
  unmapLatencyUsP99: cost,
  freeDelayUsMean: cost,
  freeDelayUsP99: cost,
  ipisMean: cost,
  waitUsMean: cost,
  waitUsP99: cost,
  torns: count.nullable().optional().describe("torn PTE reads, in sweeps where some cell reads the PTE in halves (pteRead low-high); null in cells that cannot tear"),
  pTorn: probability.nullable().optional(),
  pTornLo: probability.nullable().optional().describe("Clopper-Pearson 95% interval"),
  pTornHi: probability.nullable().optional(),
}).catchall(axisValue).meta({ id: "sweepRow", description: "one cell: its axis values (one column per axis), counts, pRace with its interval, pCorrupt and costs" });

/** One cell of a rare-event sweep (`sweep --rare`): how it was settled, pRace with its interval, and the pilot's costs. */
export const rareSweepRowSchema = z.object({
  cell: count.describe("the cell's number, row-major over the axes"),
  method: z.enum(["explorer", "exact", "importance"]).describe("explorer: 0 by exhaustive search; exact: the exact solver; importance: importance sampling"),
  pRace: probability,
  pRaceLo: probability.describe("95% interval: the estimate's normal one; [p, p] where settled; [0, the pilot's bound] where no race was reached"),
  pRaceHi: probability,
  relativeError: z.number().min(0).nullable().describe("half-width of the 95% interval over pRace; 0 where settled; null with no estimate"),
  reliable: z.boolean(),
  problems: z.string().describe("why the estimate is not trusted, '; ' between problems; empty when it is"),
  pCorrupt: probability,
  pCorruptLo: probability,
  pCorruptHi: probability,
  episodes: count.describe("importance-sampled episodes of the estimate (0 where settled)"),
  races: count.describe("racing episodes among them"),
  adaptationStages: count,
  adaptationEpisodes: count,
  pilotEpisodes: z.int().min(1).describe("plain episodes of the pilot: the costs, and a check"),
  pilotRaces: count,
  unmapLatencyUsMean: cost,
  unmapLatencyUsP99: cost,
  freeDelayUsMean: cost,
  freeDelayUsP99: cost,
  ipisMean: cost,
  waitUsMean: cost,
  waitUsP99: cost,
}).catchall(axisValue).meta({ id: "rareSweepRow", description: "one cell of a rare-event sweep: its axis values, method, pRace with its interval and relative error, reliable and problems, and the pilot's costs" });

export const sweepFileSchema = z.object({
  manifest: sweepManifestSchema,
  axes: axesSchema,
  rows: z.union([z.array(sweepRowSchema), z.array(rareSweepRowSchema)]),
}).meta({ title: "tlbrace sweep", description: "A sweep (or one shard of it): its manifest, axes, and one row per cell in cell order." });

/** The schema a sweep file is read with: its rows as its manifest's engine writes them, so an error names the field that is wrong. */
export function sweepFileSchemaOf(m: unknown) {
  const rows = rowSchemaOf(typeof m === "object" && m !== null ? m : {});
  return z.object({ manifest: sweepManifestSchema, axes: axesSchema, rows: z.array(rows) });
}
