/**
 * A profile applied to a scenario: every measured parameter takes its
 * measured value (samples read from the profile's CSV files, which are
 * relative to the profile's folder), and the scenario records which, how,
 * where and when. Changes given on top (`--set`) win over the profile.
 */
import { readInputFile } from "../analysis/input-file.js";
import { profileFile } from "./profile-file.js";
import { parseFile } from "../formats/issues.js";
import { type Profile, profileSchema } from "../formats/profile.js";
import { parseCsvSpec } from "../model/empirical.js";
import { InputError } from "../model/errors.js";
import type { Measured, MeasuredParam } from "../model/measured.js";
import { PARAM_NAMES, parseParam } from "../model/params.js";
import { preset, presetNames, type Scenario, withParams } from "../model/scenario.js";
import type { Params } from "../model/params.js";

/** The parameters that choose a scenario's code paths (not its delays). */
const CHOICES = ["flush", "tableFree", "pteRead", "pteRemap"] as const;

/**
 * What a measured scenario describes: where the machine's flush or freeing
 * differs from the preset it started from, the preset it matches, or its
 * choices named with "no preset" - never the preset it started from.
 */
export function measuredScenarioTitle(start: Scenario, measured: Params): string {
  if (CHOICES.every((k) => measured[k] === start.params[k])) return start.title;
  const match = presetNames().map(preset).find((p) => CHOICES.every((k) => p.params[k] === measured[k]));
  return match ? `${match.title} (as preset ${match.name})` : `${measured.flush} flush, tableFree ${measured.tableFree}: no preset`;
}

export interface LoadedProfile {
  readonly profile: Profile;
  /** The file as it was named. */
  readonly path: string;
}

/** Reads and checks a profile.json; bad input names the file, the path inside it and what was expected. */
export function readProfile(path: string): LoadedProfile {
  if (typeof path !== "string" || path.trim() === "") throw new InputError("profile", path, "the path of a profile.json written by tlbrace measure");
  let raw: unknown;
  try {
    raw = JSON.parse(readInputFile(path).toString("utf8"));
  } catch (e) {
    if (e instanceof InputError) throw new InputError("profile", path, e.allowed);
    throw new InputError("profile", path, "a profile.json written by tlbrace measure; it does not parse as JSON");
  }
  const profile = parseFile(profileSchema, raw, path);
  for (const name of Object.keys(profile.params))
    if (!(PARAM_NAMES as readonly string[]).includes(name))
      throw new InputError(`${path}: params`, name, `parameters of this model: ${PARAM_NAMES.join(", ")}`);
  return { profile, path };
}

/** The measured values as parameter overrides (checked, samples read), and their provenance. */
export function profileOverrides(p: LoadedProfile): { overrides: Record<string, unknown>; measured: Measured | undefined } {
  const overrides: Record<string, unknown> = {};
  const params: Record<string, MeasuredParam> = {};
  for (const [name, entry] of Object.entries(p.profile.params)) {
    if (!entry.measured) continue;
    let value: unknown = entry.value;
    if (typeof value === "string" && /^csv:/i.test(value.trim())) {
      const field = `${p.path}: params.${name}.value`;
      const { path, column } = parseCsvSpec(field, value);
      value = `csv:${profileFile(p.path, path, field)}:${column}`;
    }
    try {
      overrides[name] = parseParam(name, value);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`${p.path}: params.${name}.value (${e.field})`, e.value, e.allowed);
      throw e;
    }
    params[name] = { method: entry.method, n: entry.n };
  }
  const { kernel, arch, hypervisor, cores, date } = p.profile.machine;
  const measured = Object.keys(params).length ? { profile: p.path, machine: { kernel, arch, hypervisor, cores, date }, params } : undefined;
  return { overrides, measured };
}

/**
 * `s` with the profile's measured values, then `changes` on top. The title
 * says the inputs were measured; a parameter `changes` sets is not.
 */
export function applyProfile(s: Scenario, profile: LoadedProfile | undefined, changes: Readonly<Record<string, unknown>> = {}): Scenario {
  if (!profile) return withParams(s, changes);
  const { overrides, measured } = profileOverrides(profile);
  if (!measured) return withParams(s, changes);
  const described = measuredScenarioTitle(s, withParams(s, overrides).params);
  const title = `${described}; measured on ${profile.profile.machine.kernel} (${Object.keys(measured.params).join(", ")})`;
  const onMachine: Scenario = { ...withParams(s, overrides, s.name, title), measured };
  return withParams(onMachine, changes);
}
