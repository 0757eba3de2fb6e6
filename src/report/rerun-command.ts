/**
 * The command line that re-runs a result, built from its manifest: the
 * preset, a --set for every parameter that differs from it, the axes of a
 * sweep, the episodes and the seed. A reader of a mailing-list reply needs
 * only tlbrace at the version named to get the same numbers.
 */
import { logRange, range, type AxisValue } from "../analysis/grid.js";
import type { AnyManifest } from "../analysis/rerun.js";
import type { Distribution } from "../model/distribution.js";
import { formatParams, PARAM_SPECS, type Params, resolveParams } from "../model/params.js";
import { preset } from "../model/scenario.js";

/**
 * `--set NAME=VALUE` for each parameter of `params` that differs from the
 * preset `base`, except those in `skip`; undefined when the preset is not
 * known here or a parameter has no command-line form (an empirical delay,
 * a user's protocol: the manifest carries it, and `tlbrace rerun` reads it there).
 */
export function presetSets(base: string, params: Params, skip: ReadonlySet<string> = new Set()): string[] | undefined {
  if (params.protocol) return undefined;
  let was: Record<string, string | number>;
  try {
    was = formatParams(preset(base).params);
  } catch {
    return undefined;
  }
  const given = formatParams(params);
  const sets: string[] = [];
  for (const { name, kind } of PARAM_SPECS) {
    if (skip.has(name) || given[name] === was[name]) continue;
    if (kind === "delay" && (params[name] as Distribution).kind === "empirical") return undefined;
    sets.push("--set", `${name}=${given[name]}`);
  }
  return sets;
}

/** The words of the command, or undefined when no command line can say it (use `tlbrace rerun FILE`). */
export function rerunWords(m: AnyManifest): string[] | undefined {
  // Measured inputs go with the manifest: a command line would lose where they came from.
  if (m.measured || m.protocol) return undefined;
  const base = m.preset ?? "seed";
  const axes = "axes" in m ? m.axes : [];
  const sets = presetSets(base, resolveParams(m.params as Record<string, unknown>), new Set(axes.map((a) => a.name)));
  if (!sets) return undefined;
  if (m.engine === "exact") return ["tlbrace", "exact", base, ...sets];
  if (m.engine === "explore") {
    const o = m.options ?? {};
    return ["tlbrace", "explore", base, ...sets,
      ...(o.maxPreemptions === undefined ? [] : ["--max-preemptions", String(o.maxPreemptions)]),
      ...(o.maxStates === undefined ? [] : ["--max-states", String(o.maxStates)])];
  }
  if (m.engine === "rare" && "axes" in m) {
    const o = m.options ?? {};
    // A sweep whose cells all adapted from scratch is a benchmark's baseline; no flag makes one.
    if (o.share === 0) return undefined;
    const vary = axes.flatMap((a) => ["--vary", `${a.name}=${axisSpec(a.values)}`]);
    const shard = m.shard ? ["--shard", `${m.shard.index}/${m.shard.count}`] : [];
    return ["tlbrace", "sweep", base, ...vary, ...sets, "--rare", "--rel-error", String(o.relError), "--max-episodes", String(o.maxEpisodes),
      "--episodes", String(m.episodes), "--seed", String(m.seed), ...shard];
  }
  if (m.engine === "rare") {
    const o = m.options ?? {};
    return ["tlbrace", "run", base, ...sets, "--rare", "--rel-error", String(o.relError), "--max-episodes", String(o.maxEpisodes), "--seed", String(m.seed)];
  }
  const tail = ["--episodes", String(m.episodes), "--seed", String(m.seed)];
  if ("axes" in m) {
    const vary = axes.flatMap((a) => ["--vary", `${a.name}=${axisSpec(a.values)}`]);
    const shard = m.shard ? ["--shard", `${m.shard.index}/${m.shard.count}`] : [];
    return ["tlbrace", "sweep", base, ...vary, ...sets, ...tail, ...shard];
  }
  // A run on another stream than 0 is one cell of a sweep: no `run` line says that.
  if (m.stream[0] !== 0) return undefined;
  return ["tlbrace", "run", base, ...sets, ...tail];
}

/** An axis as --vary writes it: FROM:TO:N or log:FROM:TO:N when it is exactly one, else the list. */
function axisSpec(values: readonly AxisValue[]): string {
  const n = values.length;
  if (n >= 2 && values.every((v) => typeof v === "number")) {
    const xs = values as number[];
    const same = (ys: number[]) => ys.length === n && ys.every((y, i) => Object.is(y, xs[i]));
    if (same(range(xs[0]!, xs[n - 1]!, n))) return `${xs[0]}:${xs[n - 1]}:${n}`;
    if (xs[0]! > 0 && same(logRange(xs[0]!, xs[n - 1]!, n))) return `log:${xs[0]}:${xs[n - 1]}:${n}`;
  }
  return values.join(",");
}
