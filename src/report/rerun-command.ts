/**
 * The command line that re-runs a result, built from its manifest: the
 * preset, a --set for every parameter that differs from it, the axes of a
 * sweep, the episodes and the seed. A reader of a mailing-list reply needs
 * only tlbrace at the version named to get the same numbers.
 */
import { logRange, range, type AxisValue } from "../analysis/grid.js";
import type { AnyManifest } from "../analysis/rerun.js";
import { formatParams, type ParamName } from "../model/params.js";
import { preset } from "../model/scenario.js";

/** The words of the command, or undefined when no command line can say it (use `tlbrace rerun FILE`). */
export function rerunWords(m: AnyManifest): string[] | undefined {
  const base = m.preset ?? "seed";
  let given: Record<string, string | number>;
  try {
    given = formatParams(preset(base).params);
  } catch {
    return undefined;
  }
  const axes = "axes" in m ? m.axes : [];
  const sets: string[] = [];
  for (const [name, value] of Object.entries(m.params) as [ParamName, unknown][]) {
    if (axes.some((a) => a.name === name)) continue;
    if (typeof value === "object") return undefined; // an empirical distribution: only the manifest holds it
    if (String(value) !== String(given[name])) sets.push("--set", `${name}=${String(value)}`);
  }
  if (m.engine === "exact") return ["tlbrace", "exact", base, ...sets];
  if (m.engine === "explore") {
    const o = m.options ?? {};
    return ["tlbrace", "explore", base, ...sets,
      ...(o.maxPreemptions === undefined ? [] : ["--max-preemptions", String(o.maxPreemptions)]),
      ...(o.maxStates === undefined ? [] : ["--max-states", String(o.maxStates)])];
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
