/**
 * A sweep's checkpoint (`tlbrace sweep --checkpoint FILE`): JSON lines, the
 * sweep's manifest first, then one row per finished cell, appended in cell
 * order. A last line cut short (no newline) is what a crash leaves; it is
 * dropped and its cell run again.
 */
import { rareSweepRowSchema, sweepManifestSchema, sweepRowSchema } from "./sweep.js";
import { z } from "zod";

export const checkpointLineSchema = z.union([sweepManifestSchema, sweepRowSchema, rareSweepRowSchema]).meta({
  title: "tlbrace checkpoint line",
  description: "One line of a sweep checkpoint: the first line is the sweep's manifest, every later line one finished cell's row, in cell order.",
});
