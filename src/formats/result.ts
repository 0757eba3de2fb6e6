/**
 * A result as a file: what `tlbrace run --json`, `exact --json` and
 * `explore --json` print and `tr.save(result, "x.json")` writes; `tlbrace
 * report` and `rerun` read it back. Its manifest's engine says which of the
 * three it is.
 */
import { z } from "zod";
import { COSTS } from "../engines/montecarlo/blocks.js";
import { OUTCOMES } from "../engines/explore/models.js";
import { count, manifestSchema, paramsSchema, probability } from "./manifest.js";

const interval = z.tuple([probability, probability]).describe("95% interval (Clopper-Pearson), low and high");
const costSummary = z.object({ mean: z.number().min(0), p50: z.number().min(0), p90: z.number().min(0), p99: z.number().min(0), max: z.number().min(0) });
const settings = z.record(z.string(), z.string()).describe("the --set values given, as typed");
const engine = <E extends string>(name: E) => manifestSchema.extend({ engine: z.literal(name) });
const common = { scenario: z.string().min(1), title: z.string().optional(), params: paramsSchema, set: settings.optional() };

export const runResultSchema = z.looseObject({
  ...common,
  episodes: z.int().min(1),
  races: count,
  pRace: probability,
  ci95: interval,
  corrupts: count,
  pCorrupt: probability,
  corruptCi95: interval,
  costs: z.strictObject(Object.fromEntries(COSTS.map((c) => [c, costSummary]))),
  seed: z.int().min(0),
  manifest: engine("montecarlo"),
}).meta({ title: "tlbrace Monte Carlo run" });

export const exactResultSchema = z.looseObject({
  ...common,
  approximated: z.array(z.looseObject({ param: z.string() })),
  pRace: probability,
  pCorrupt: probability,
  costs: z.strictObject(Object.fromEntries(COSTS.map((c) => [c, z.number().min(0)]))),
  states: z.int().min(1),
  transitions: count,
  residual: z.number().min(0),
  seconds: z.number().min(0),
  manifest: engine("exact"),
}).meta({ title: "tlbrace exact solution" });

const step = z.looseObject({ n: z.int().min(1), vcpu: z.string(), step: z.string() });
const outcome = z.object({
  verdict: z.enum(["SAFE", "UNSAFE", "UNKNOWN"]),
  states: count,
  transitions: count,
  counterexample: z.array(step).nullable(),
});

export const exploreResultSchema = z.looseObject({
  ...common,
  maxPreemptions: count,
  maxStates: z.int().min(1),
  complete: z.boolean(),
  states: count,
  transitions: count,
  seconds: z.number().min(0),
  outcomes: z.strictObject(Object.fromEntries(OUTCOMES.map((o) => [o, outcome]))),
  manifest: engine("explore"),
}).meta({ title: "tlbrace exploration" });

const estimate = z.object({
  episodes: count, hits: count, p: probability, ci95: interval,
  relativeError: z.number().min(0).nullable().describe("half-width of the 95% interval over p (null: infinite, p is 0)"),
  ess: z.number().min(0), maxWeightShare: z.number().min(0).max(1),
});
const diagnostics = z.looseObject({
  reliable: z.boolean(),
  problems: z.array(z.string()).describe("why the estimate is not trusted; empty when it is"),
  adaptationStages: count,
  adaptationEpisodes: count,
});

export const rareResultSchema = z.looseObject({
  ...common,
  episodes: count.describe("episodes of the estimation stage"),
  races: count,
  pRace: probability,
  ci95: interval.describe("95% interval: normal, from the weights' sample variance"),
  method: z.string(),
  relativeError: z.number().min(0).nullable(),
  reliable: z.boolean(),
  diagnostics,
  race: estimate,
  pCorrupt: probability,
  corruptCi95: interval,
  corrupt: estimate,
  costs: z.strictObject(Object.fromEntries(COSTS.map((c) => [c, costSummary]))).describe("from the plain Monte Carlo pilot"),
  pilot: z.looseObject({ episodes: z.int().min(1), races: count, pRace: probability, ci95: interval }),
  seed: z.int().min(0),
  manifest: engine("rare"),
}).meta({ title: "tlbrace rare-event estimate" });

/** The schema of each engine's result, by the manifest's engine. */
export const RESULT_SCHEMAS = { montecarlo: runResultSchema, exact: exactResultSchema, explore: exploreResultSchema, rare: rareResultSchema } as const;

export const resultSchema = z.union([runResultSchema, exactResultSchema, exploreResultSchema, rareResultSchema]).meta({
  title: "tlbrace result",
  description: "One result with its manifest: a Monte Carlo run, an exact solution, an exploration or a rare-event estimate, by manifest.engine.",
});
