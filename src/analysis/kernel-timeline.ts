/**
 * The kernel timeline: for each place (architecture and hypervisor) and each
 * kernel version where a preset's applies rule starts or ends, the preset
 * that applies and the engines' answer on it: the explorer's verdict on the
 * race, and pRace at the preset's own load (the exact solver where its
 * delays are exponential, else Monte Carlo). Computed when asked for; which
 * preset applies is the presets' data (model/applies.ts).
 */
import { exactApplies, solveExact } from "../engines/exact/index.js";
import { checkExploreOptions, explore } from "../engines/explore/index.js";
import type { Execution } from "../engines/montecarlo/pool.js";
import { checkRunOptions, simulate } from "../engines/montecarlo/run.js";
import { compareVersions, formatVersion, parseVersion, presetForKernel, ruleVersions, TIMELINE_ROWS, type Version } from "../model/applies.js";
import { InputError } from "../model/errors.js";
import { preset } from "../model/scenario.js";
import type { Probability } from "../model/units.js";
import type { Verdict } from "./matrix.js";

/** Where the default axis starts: the oldest longterm kernel the presets' history reaches back to (4.9, Xen PV's immediate free). */
const FIRST: Version = [4, 9];

export interface TimelineOptions {
  /** Kernel versions on the axis (default: 4.9, then every later version a rule starts or ends at). */
  readonly versions?: readonly string[];
  /** Monte Carlo episodes for a preset the exact solver cannot take (default 100000). */
  readonly episodes?: number;
  readonly seed?: number;
}

export interface TimelineCell {
  readonly row: string;
  readonly version: string;
  /** The preset that applies by default; null when none does (`why` says so). */
  readonly preset: string | null;
  /** The explorer's verdict on the race, or on the torn PTE read where the preset reads a PTE in halves and only that is unsafe. */
  readonly verdict: Verdict | null;
  /** Which outcome the verdict and probability are of. */
  readonly outcome: "race" | "torn" | null;
  readonly pRace: Probability | null;
  /** Which engine gave pRace. */
  readonly pRaceBy: "exact" | "montecarlo" | null;
  readonly why: string | null;
  /** Presets that apply under a further condition. */
  readonly conditional: readonly string[];
}

export interface TimelineData {
  readonly rows: readonly string[];
  readonly versions: readonly string[];
  readonly cells: readonly TimelineCell[];
}

interface Answer { verdict: Verdict; outcome: "race" | "torn"; pRace: Probability; by: "exact" | "montecarlo" }

export async function kernelTimeline(opts: TimelineOptions = {}, exec: Execution = {}): Promise<TimelineData> {
  if (typeof opts !== "object" || opts === null) throw new InputError("options", opts, "{versions?, episodes?, seed?}");
  const mc = checkRunOptions({ episodes: opts.episodes ?? 100_000, seed: opts.seed ?? 1 });
  const versions: Version[] = opts.versions === undefined
    ? [FIRST, ...ruleVersions().filter((v) => compareVersions(v, FIRST) > 0)]
    : (Array.isArray(opts.versions) ? opts.versions : [opts.versions]).map((v) => parseVersion(v as string, "versions"));
  if (versions.length === 0) throw new InputError("versions", opts.versions, "at least one kernel version");
  const answers = new Map<string, Answer>();
  const answer = async (name: string): Promise<Answer> => {
    const known = answers.get(name);
    if (known) return known;
    const s = preset(name);
    const found = explore(s, checkExploreOptions({})).outcomes;
    // A torn read is the preset's own unsafe outcome where the race is not (torn-pte-unlock).
    const outcome = found.race.verdict !== "UNSAFE" && found.torn?.verdict === "UNSAFE" ? "torn" : "race";
    const verdict = found[outcome].verdict as Verdict;
    const probability = (r: { pRace: Probability; pTorn?: Probability }) => (outcome === "torn" ? r.pTorn ?? 0 : r.pRace);
    const a: Answer = exactApplies(s).ok
      ? { verdict, outcome, pRace: probability(solveExact(s)), by: "exact" }
      : { verdict, outcome, pRace: probability(await simulate(s, mc, 0, exec)), by: "montecarlo" };
    answers.set(name, a);
    return a;
  };
  const cells: TimelineCell[] = [];
  for (const row of TIMELINE_ROWS)
    for (const version of versions) {
      const m = presetForKernel({ version, arch: row.arch, hypervisor: row.hypervisor });
      const a = m.preset ? await answer(m.preset) : null;
      cells.push({
        row: row.label, version: formatVersion(version), preset: m.preset,
        verdict: a?.verdict ?? null, outcome: a?.outcome ?? null, pRace: a?.pRace ?? null, pRaceBy: a?.by ?? null, why: m.why,
        conditional: m.conditional.map((c) => c.name),
      });
    }
  return { rows: TIMELINE_ROWS.map((r) => r.label), versions: versions.map(formatVersion), cells };
}
