/**
 * Command-line parsing shared by the commands: flags via node:util parseArgs,
 * and the values every command takes (--set, --episodes, --seed), turned into
 * errors that name the field, the value and what is allowed.
 */
import { availableParallelism } from "node:os";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { InputError } from "../model/errors.js";
import { type LoadedProfile, readProfile } from "../measure/apply.js";
import { paramSpec, PARAM_NAMES } from "../model/params.js";
import type { EngineKind } from "../engines/montecarlo/blocks.js";
import { checkEngine } from "../engines/montecarlo/pool.js";
import type { Scenario } from "../model/scenario.js";
import { protocolFileRef, withProtocol } from "../protocol/attach.js";

import { UsageError } from "./command.js";
export { UsageError };

export type Options = NonNullable<ParseArgsConfig["options"]>;
type Config<O extends Options> = { args: string[]; options: O; allowPositionals: true; strict: true };
export type Parsed<O extends Options> = ReturnType<typeof parseArgs<Config<O>>>;

/** Flags of the simulation commands; each command adds its own. */
export const COMMON_OPTIONS = {
  set: { type: "string", multiple: true },
  profile: { type: "string" },
  protocol: { type: "string" },
  episodes: { type: "string" },
  seed: { type: "string" },
  workers: { type: "string" },
  engine: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

/** The help lines of --profile, shared by the commands that take it. */
export const PROFILE_HELP = `  --profile FILE      a profile.json of tlbrace measure: its measured
                      values replace the scenario's; --set still wins`;

/** The help lines of --protocol, shared by the commands that take it. */
export const PROTOCOL_HELP = `  --protocol FILE     a protocol or patch file (YAML or JSON) in place of
                      the scenario's protocol; its parameters are kept`;

/** `--protocol FILE` applied to a scenario: read and checked before any work. */
export function protocolOption<S extends Scenario>(s: S, path: string | undefined): S {
  return path === undefined ? s : withProtocol(s, protocolFileRef(path)) as S;
}

/** `--profile`, read and checked before any work. */
export function profileOption(path: string | undefined): LoadedProfile | undefined {
  return path === undefined ? undefined : readProfile(path);
}

/** The help line of --workers, shared by the simulation commands. */
export const WORKERS_HELP = "  --workers N         worker threads (default: all cores)";
/** The help line of --engine: how episodes run, which changes no number. */
export const ENGINE_HELP = "  --engine E          compiled (default) or interpret, the reference\n" +
  "                      the compiled engine is checked against; same numbers";

/** Parses `args` against `options`; flags may come before or after positionals. */
export function parseCommandLine<const O extends Options>(args: readonly string[], options: O): Parsed<O> {
  const config: Config<O> = { args: joinDashValues(args, options), options, allowPositionals: true, strict: true };
  try {
    return parseArgs(config);
  } catch (e) {
    throw translate(e, options);
  }
}

/**
 * parseArgs refuses `--seed -1` as ambiguous; a value after a string flag that
 * is not itself a known flag is meant as the value, so pass it as `--seed=-1`.
 */
function joinDashValues(args: readonly string[], options: Options): string[] {
  const known = new Set(flagNames(options));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") { out.push(...args.slice(i)); break; }
    const next = args[i + 1];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === "string" && next !== undefined
        && next.startsWith("-") && next !== "--" && !known.has(next.split("=")[0]!)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

function flagNames(options: Options): string[] {
  return Object.entries(options).flatMap(([name, o]) => (o.short ? [`--${name}`, `-${o.short}`] : [`--${name}`]));
}

/** parseArgs' errors span several lines and do not list what is allowed; say it in one line. */
function translate(e: unknown, options: Options): unknown {
  const code = (e as { code?: string }).code;
  const message = e instanceof Error ? e.message : String(e);
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? "?";
  const allowed = `one of ${flagNames(options).filter((f) => f.startsWith("--")).join(", ")}`;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return new InputError("option", flag, allowed);
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (message.includes("does not take an argument")) return new UsageError(`${flag}: takes no value`);
    return new UsageError(`${flag}: a value is missing; write ${flag} VALUE or ${flag}=VALUE`);
  }
  return e;
}

/** The positionals of a command that takes `names` of them, in order; all required. */
export function positionals(command: string, given: readonly string[], names: readonly string[], allowed: string[] = []): string[] {
  if (given.length > names.length)
    throw new InputError("argument", given[names.length], `at most ${names.length} argument(s) to ${command}: ${names.join(" ") || "none"}`);
  if (given.length < names.length) {
    const missing = names[given.length]!;
    throw new UsageError(`${command}: ${missing} is missing${allowed.length ? `; expected one of ${allowed.join(", ")}` : ""}`);
  }
  return [...given];
}

/**
 * A whole number written as digits or in exponent form (`200000`, `1e6`).
 * Only the form is checked here; the engine checks the range.
 */
export function wholeNumber(field: string, text: string, allowed: string): number {
  const x = /^\+?[0-9]+(\.[0-9]*)?([eE]\+?[0-9]+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(x)) throw new InputError(field, text, allowed);
  return x;
}

/** A decimal number (`0.1`, `5e-2`); the engine checks the range. */
export function decimal(field: string, text: string, allowed: string): number {
  const x = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(x)) throw new InputError(field, text, allowed);
  return x;
}

export const EPISODES_ALLOWED = "a whole number from 1 to 1e10, such as 200000 or 1e6";
export const SEED_ALLOWED = "a whole number from 0 to 2^53 - 1";

/** `--episodes` or its default. */
export function episodesOption(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : wholeNumber("episodes", text, EPISODES_ALLOWED);
}

/** `--seed` or its default. */
export function seedOption(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : wholeNumber("seed", text, SEED_ALLOWED);
}

/** `--workers`, or undefined for the engine's default; the engine checks the range. */
export function workersOption(text: string | undefined, err: { write: (text: string) => unknown }): number | undefined {
  if (text === undefined) return undefined;
  const asked = wholeNumber("workers", text, "a whole number from 1 to 256");
  // More threads than cores only cost memory and start-up time; the numbers do not depend on the count.
  const cores = availableParallelism();
  if (asked <= cores) return asked;
  err.write(`tlbrace: --workers ${asked}: this machine has ${cores} core${cores === 1 ? "" : "s"}; running ${cores} workers (the same numbers)\n`);
  return cores;
}

/** `--engine`, or undefined for the default (compiled). */
export function engineOption(text: string | undefined): EngineKind | undefined {
  return text === undefined ? undefined : checkEngine(text);
}

/** One `--set` in the order given; a later one for the same key replaces an earlier one. */
export interface Setting {
  readonly key: string;
  readonly value: string;
}

/**
 * Splits `--set key=value` items and checks each key names a parameter.
 * Values are left as text: parseParam (via withParams) validates them.
 */
export function settings(items: readonly string[] = []): Setting[] {
  const byKey = new Map<string, Setting>();
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new InputError("--set", item, `KEY=VALUE with KEY one of ${PARAM_NAMES.join(", ")}`);
    const key = item.slice(0, eq).trim();
    paramSpec(key);
    byKey.delete(key);
    byKey.set(key, { key, value: item.slice(eq + 1).trim() });
  }
  return [...byKey.values()];
}

/** Settings as the overrides object withParams takes. */
export function overrides(list: readonly Setting[]): Record<string, string> {
  return Object.fromEntries(list.map((s) => [s.key, s.value]));
}
