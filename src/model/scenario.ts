/**
 * Scenarios: a named parameter set with a sentence and its kernel references.
 * Presets live in data/scenarios/*.json as plain data over the defaults.
 */
import { readdirSync, readFileSync } from "node:fs";
import { InputError } from "./errors.js";
import { type Measured, withoutMeasured } from "./measured.js";
import { formatParams, type Params, resolveParams } from "./params.js";

export interface Scenario {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  /** Kernel files, functions and commits the scenario stands for. */
  readonly kernel: readonly string[];
  readonly params: Params;
  /** The preset this scenario is, or was built from; absent for one over the defaults. */
  readonly preset?: string;
  /** Parameters whose values were measured on a machine (`tlbrace measure`); absent when none. */
  readonly measured?: Measured;
}

/** What a user may give to describe a scenario: a preset to start from and overrides. */
export interface ScenarioInput {
  readonly name?: string;
  readonly title?: string;
  readonly summary?: string;
  readonly kernel?: readonly string[];
  /** A preset to start from; the defaults if absent. */
  readonly base?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

const PRESET_DIR = new URL("../../data/scenarios/", import.meta.url);

let presets: Map<string, Scenario> | undefined;

function loadPresets(): Map<string, Scenario> {
  if (presets) return presets;
  presets = new Map();
  for (const file of readdirSync(PRESET_DIR).filter((f) => f.endsWith(".json")).sort()) {
    const raw = JSON.parse(readFileSync(new URL(file, PRESET_DIR), "utf8")) as ScenarioInput & { name: string };
    presets.set(raw.name, {
      name: raw.name,
      title: raw.title ?? raw.name,
      summary: raw.summary ?? "",
      kernel: raw.kernel ?? [],
      params: resolveParams(raw.params ?? {}),
      preset: raw.name,
    });
  }
  return presets;
}

export function presetNames(): string[] {
  return [...loadPresets().keys()];
}

export function preset(name: string): Scenario {
  const s = loadPresets().get(name);
  if (!s) throw new InputError("scenario", name, `one of ${presetNames().join(", ")}`);
  return s;
}

/** A preset by name, or a scenario built from a base preset (or the defaults) and overrides. */
export function defineScenario(input: string | ScenarioInput): Scenario {
  if (typeof input === "string") return preset(input);
  if (typeof input !== "object" || input === null) throw new InputError("scenario", input, "a preset name or {base?, params?, name?}");
  const base = input.base === undefined ? undefined : preset(input.base);
  return {
    name: input.name ?? (base ? `${base.name}*` : "custom"),
    title: input.title ?? base?.title ?? "custom scenario",
    summary: input.summary ?? base?.summary ?? "",
    kernel: input.kernel ?? base?.kernel ?? [],
    params: resolveParams(input.params ?? {}, base?.params),
    ...(base ? { preset: base.name } : {}),
  };
}

/**
 * The same scenario with some parameters changed. Unless a title is given,
 * the title says what changed, so a result never carries a preset's title
 * over parameters that are no longer the preset's.
 */
export function withParams(s: Scenario, overrides: Readonly<Record<string, unknown>>, name?: string, title?: string): Scenario {
  const params = resolveParams(overrides, s.params);
  const before = formatParams(s.params), after = formatParams(params);
  const changed = (Object.keys(after) as (keyof typeof after)[]).filter((k) => after[k] !== before[k]);
  const derived = changed.length ? `${s.title}; changed: ${changed.map((k) => `${k} ${after[k]}`).join(", ")}` : s.title;
  // A parameter changed here is no longer the measured one.
  const { measured: _was, ...rest } = s;
  const measured = withoutMeasured(s.measured, changed);
  return { ...rest, name: name ?? s.name, title: title ?? derived, params, ...(measured ? { measured } : {}) };
}
