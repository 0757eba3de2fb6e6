/**
 * A manifest: everything needed to re-run a result and get the same numbers.
 * Every result an engine returns carries one.
 */
import { execFileSync } from "node:child_process";
import { type Distribution, formatDistribution } from "../model/distribution.js";
import type { Measured } from "../model/measured.js";
import { manyCpus, PARAM_SPECS, type ParamName, type Params, type ProtocolRef } from "../model/params.js";
import { MODEL_VERSION } from "../model/version.js";

export type EngineName = "montecarlo" | "exact" | "explore" | "rare";
/** A parameter as JSON: delays in their short form (`exp:5`), empirical ones as their object. */
export type ParamJson = string | number | Distribution;

export interface Manifest {
  readonly tool: "tlbrace";
  readonly version: string;
  readonly modelVersion: number;
  /** The git commit of the tlbrace checkout, or null outside one. */
  readonly commit: string | null;
  readonly node: string;
  readonly engine: EngineName;
  readonly scenario: string;
  /** The preset the scenario was built from, or null for one over the defaults. */
  readonly preset: string | null;
  readonly params: Readonly<Record<ParamName, ParamJson>>;
  readonly seed: number;
  readonly episodes: number;
  /** The random stream's keys after the seed: [cell] for a run or a sweep's cell. */
  readonly stream: readonly number[];
  /** Engine options that change the answer (the explorer's maxPreemptions and maxStates); absent when none. */
  readonly options?: Readonly<Record<string, number>>;
  /** The parameters measured on a machine (`--profile`): which, how, on how many samples, where and when. */
  readonly measured?: Measured;
  /** A protocol given in place of the built-in one (`--protocol`), whole: a re-run needs no file. */
  readonly protocol?: ProtocolRef;
}

export { PACKAGE_VERSION } from "./package-version.js";
import { PACKAGE_VERSION } from "./package-version.js";

/** Parameters as a manifest holds them; `cpus` and `walkers` only when not two vCPUs and one walker, so such a manifest reads as before they existed. */
export function paramsJson(p: Params): Record<ParamName, ParamJson> {
  const out = {} as Record<ParamName, ParamJson>;
  for (const { name, kind } of PARAM_SPECS) {
    if (kind === "count" && !manyCpus(p)) continue;
    const v = p[name];
    out[name] = kind === "delay" && (v as Distribution).kind !== "empirical" ? formatDistribution(v as Distribution) : (v as ParamJson);
  }
  return out;
}

let commit: string | null | undefined;

/**
 * HEAD of the checkout tlbrace runs from, if it is one, with "-dirty" when
 * files differ from it. Executed notebooks are left out of that check: they
 * hold results, not code, and re-executing them one after another must not
 * mark the later ones as made by changed code.
 */
export function gitCommit(): string | null {
  if (commit !== undefined) return commit;
  const cwd = new URL("../..", import.meta.url).pathname;
  const git = (...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const head = git("rev-parse", "HEAD");
    commit = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)notebooks/*.ipynb") === "" ? head : `${head}-dirty`;
  } catch {
    commit = null;
  }
  return commit;
}

type ManifestFields = Omit<Manifest, "tool" | "version" | "modelVersion" | "commit" | "node" | "params" | "preset" | "measured"> &
  { params: Params; preset: string | undefined; measured: Measured | undefined };

export function manifest(fields: ManifestFields): Manifest {
  return {
    tool: "tlbrace",
    version: PACKAGE_VERSION,
    modelVersion: MODEL_VERSION,
    commit: gitCommit(),
    node: process.version,
    engine: fields.engine,
    scenario: fields.scenario,
    preset: fields.preset ?? null,
    params: paramsJson(fields.params),
    seed: fields.seed,
    episodes: fields.episodes,
    stream: fields.stream,
    ...(fields.options ? { options: fields.options } : {}),
    ...(fields.measured ? { measured: fields.measured } : {}),
    ...(fields.params.protocol ? { protocol: fields.params.protocol } : {}),
  };
}
