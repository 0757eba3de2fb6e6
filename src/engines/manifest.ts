/**
 * A manifest: everything needed to re-run a result and get the same numbers.
 * Every result an engine returns carries one.
 */
import { readFileSync } from "node:fs";
import { type Distribution, formatDistribution } from "../model/distribution.js";
import { PARAM_SPECS, type ParamName, type Params } from "../model/params.js";
import { MODEL_VERSION } from "../model/version.js";

export type EngineName = "montecarlo";
/** A parameter as JSON: delays in their short form (`exp:5`), empirical ones as their object. */
export type ParamJson = string | number | Distribution;

export interface Manifest {
  readonly tool: "tlbrace";
  readonly version: string;
  readonly modelVersion: number;
  readonly node: string;
  readonly engine: EngineName;
  readonly scenario: string;
  readonly params: Readonly<Record<ParamName, ParamJson>>;
  readonly seed: number;
  readonly episodes: number;
  /** The random stream's keys after the seed: [cell] for a run or a sweep's cell. */
  readonly stream: readonly number[];
}

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
export const PACKAGE_VERSION: string = pkg.version;

export function paramsJson(p: Params): Record<ParamName, ParamJson> {
  const out = {} as Record<ParamName, ParamJson>;
  for (const { name, kind } of PARAM_SPECS) {
    const v = p[name];
    out[name] = kind === "delay" && (v as Distribution).kind !== "empirical" ? formatDistribution(v as Distribution) : (v as ParamJson);
  }
  return out;
}

export function manifest(fields: Omit<Manifest, "tool" | "version" | "modelVersion" | "node" | "params"> & { params: Params }): Manifest {
  return {
    tool: "tlbrace",
    version: PACKAGE_VERSION,
    modelVersion: MODEL_VERSION,
    node: process.version,
    engine: fields.engine,
    scenario: fields.scenario,
    params: paramsJson(fields.params),
    seed: fields.seed,
    episodes: fields.episodes,
    stream: fields.stream,
  };
}
