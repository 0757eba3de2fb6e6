/**
 * The manifest: everything needed to re-run a result (src/engines/manifest.ts
 * writes it). Every result, sweep and study carries one; `tlbrace rerun`
 * also takes one bare. Parameters follow PARAM_SPECS, so a new parameter
 * joins the format where the model declares it.
 */
import { protocolRefSchema } from "../protocol/format.js";
import { z } from "zod";
import { PARAM_SPECS, type ParamSpec } from "../model/params.js";

/** A probability, 0 to 1. */
export const probability = z.number().min(0).max(1);
/** A count of episodes or events. */
export const count = z.int().min(0);

/** An empirical delay as a manifest holds it: the samples themselves, in µs. */
const empiricalDelay = z.object({
  kind: z.literal("empirical"),
  samples: z.array(z.number().min(0)).min(1),
  source: z.string().optional(),
});

function paramSchema(spec: ParamSpec) {
  const doc = `${spec.doc}${spec.unit ? ` (${spec.unit})` : ""}`;
  switch (spec.kind) {
    case "enum": return z.enum(spec.values as [string, ...string[]]).describe(doc);
    case "delay": return z.union([z.string().min(1), z.number().min(0), empiricalDelay])
      .describe(`${doc}: a fixed time, exp:MEAN, uniform:MIN:MAX, lognormal:MEDIAN:SIGMA, or empirical samples`);
    case "rate": return z.number().min(0).describe(doc);
    case "probability": return probability.describe(doc);
    case "count": return z.int().min(spec.min!).max(spec.max!).optional().describe(`${doc}; absent: ${spec.name === "cpus" ? 2 : 1}`);
  }
}

/** Every parameter, resolved; parseParam checks each value's form when the scenario is built. */
export const paramsSchema = z.strictObject(Object.fromEntries(PARAM_SPECS.map((s) => [s.name, paramSchema(s)])))
  .meta({ id: "params", description: "every parameter of the model, resolved" });

/** The fields a run and a sweep share (a sweep has axes instead of a stream). */
export const manifestFields = {
  tool: z.literal("tlbrace"),
  version: z.string().describe("the tlbrace package version that wrote it"),
  modelVersion: z.int().min(1).describe("the model's version: only the same version re-runs it"),
  commit: z.string().nullable().describe("the git commit of the tlbrace checkout (-dirty when changed), or null"),
  node: z.string(),
  engine: z.enum(["montecarlo", "exact", "explore", "rare"]),
  scenario: z.string().min(1),
  preset: z.string().min(1).nullable().describe("the preset the scenario was built from, or null"),
  params: paramsSchema,
  seed: z.int().min(0).describe("seed of the random streams (0 for engines without randomness)"),
  episodes: z.int().min(0).max(1e10).describe("Monte Carlo episodes (per cell for a sweep; the estimation's, for the rare-event estimator); 0 for the other engines"),
  protocol: protocolRefSchema.optional().describe("a protocol given in place of the built-in one (--protocol), whole"),
  options: z.record(z.string(), z.number()).optional().describe("engine options that change the answer (the explorer's bounds; the rare-event estimator's relError and maxEpisodes)"),
};

/** A result's manifest. Fields it does not know are kept, so a newer writer's additions survive a re-run. */
export const manifestSchema = z.looseObject({
  ...manifestFields,
  stream: z.array(z.int().min(0)).describe("the random stream's keys after the seed: [cell] for a run"),
}).meta({ id: "manifest", title: "tlbrace manifest", description: "Everything needed to re-run a result and get the same numbers." });

export type ManifestFile = z.infer<typeof manifestSchema>;
