/** The study's out/manifest.json: the study's options and the manifest of each of its sweeps and runs. */
import { z } from "zod";
import { manifestSchema } from "./manifest.js";
import { sweepManifestSchema } from "./sweep.js";

export const studyManifestSchema = z.object({
  study: z.object({
    episodes: z.int().min(1),
    runEpisodes: z.int().min(1),
    seed: z.int().min(0),
    axes: z.record(z.string(), z.array(z.number()).min(1)),
    /** study --rare: the sweeps are rare-event sweeps to this relative error; the runs stay plain Monte Carlo. */
    rare: z.object({ relError: z.number().gt(0).lt(1), maxEpisodes: z.int().min(1) }).optional(),
  }),
  sweeps: z.record(z.string(), sweepManifestSchema),
  runs: z.record(z.string(), manifestSchema),
}).meta({ title: "tlbrace study manifest", description: "What tlbrace study writes to out/manifest.json; tlbrace rerun re-runs every entry." });
