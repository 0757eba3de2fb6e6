/**
 * A rare-event estimate as plain text for a mailing-list reply (ASCII, at
 * most 72 columns): the parameters, pRace with its interval and relative
 * error, how it was estimated, whether it can be trusted and why not, the
 * costs from the plain pilot, and the command that re-runs it.
 */
import type { RareData, TornEstimate } from "../engines/rare/estimate.js";
import type { Scenario } from "../model/scenario.js";
import { ascii, columns, fmtP, WIDTH, wrap } from "../text/format.js";
import { noneSeen } from "../text/wording.js";
import { costLines, paramLines, rerunLines } from "./reply.js";

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toPrecision(2)}%` : "-");

/** pRace as a reader should quote it: a value with its interval, or an upper bound when no race was reached. */
export function rareHeadline(d: RareData): string {
  if (d.races === 0 && d.pRace === 0 && d.episodes === 0 && d.reliable) return "SAFE: no interleaving reaches a race (pRace = 0 exactly)";
  if (d.races === 0) return `${noneSeen("pRace", d.pilot.episodes, d.ci95[1])}, plain pilot`;
  return `pRace ${fmtP(d.pRace)}, 95% interval ${fmtP(d.ci95[0])} .. ${fmtP(d.ci95[1])} (relative error ${pct(d.relativeError)})`;
}

/** The verdict on the estimate, in words. */
export function reliabilityLines(d: RareData): string[] {
  if (d.reliable) return wrap("Reliable: enough racing episodes, no episode dominates the weight, and plain sampling agrees where it sees races.");
  return [
    "NOT RELIABLE: do not quote this number as it stands.",
    ...d.diagnostics.problems.flatMap((p) => wrap(`- ${p}`, WIDTH, "  ")),
  ];
}

/** The torn read's estimate (the PTE model), where the PTE is read in halves. */
export function tornLines(t: TornEstimate): string[] {
  const e = t.estimate;
  const value = e.episodes === 0 ? "pTorn = 0 (no interleaving tears the read)"
    : e.hits === 0 ? `no torn read reached; pTorn < ${fmtP(t.ci95[1])} at 95% (plain pilot)`
    : `pTorn ${fmtP(t.pTorn)}, 95% interval ${fmtP(t.ci95[0])} .. ${fmtP(t.ci95[1])} (relative error ${pct(e.relativeError)}, ${e.hits} hits, ESS ${e.ess.toFixed(0)})`;
  return [
    ...wrap(`The torn PTE read (ptep_get_lockless in 32-bit halves): ${value}.`),
    ...wrap(`Estimated by ${t.method}.`),
    ...(t.reliable ? [] : ["NOT RELIABLE:", ...t.diagnostics.problems.flatMap((p) => wrap(`- ${p}`, WIDTH, "  "))]),
  ];
}

export function rareReply(scenario: Scenario, d: RareData): string {
  const r = d.race, c = d.corrupt;
  const outcomes = r.episodes > 0 ? [
    ...columns([["outcome", "p", "95% interval", "rel. err.", "hits", "ESS"],
      ["race", fmtP(d.pRace), `${fmtP(d.ci95[0])} .. ${fmtP(d.ci95[1])}`, pct(d.relativeError), String(r.hits), r.ess.toFixed(0)],
      ["corrupt", fmtP(d.pCorrupt), `${fmtP(d.corruptCi95[0])} .. ${fmtP(d.corruptCi95[1])}`, pct(c.relativeError), String(c.hits), c.ess.toFixed(0)]],
    [false, true, true, true, true, true]),
    ...wrap(`(hits: racing episodes among ${r.episodes} importance-sampled ones; ESS: their effective number ` +
      `once weighted. Intervals are normal, from the weights' sample variance.)`),
  ] : [];
  const tilted = d.diagnostics.tilted.slice(0, 4).map((t) => `${t.site} (${t.low > t.high ? "low" : t.high > t.low ? "high" : "middle"} end)`);
  const lines = [
    ...wrap(`${scenario.name}: ${scenario.title}`, WIDTH, "  "),
    "",
    ...paramLines(scenario),
    "",
    ...wrap(rareHeadline(d)),
    ...wrap(`Estimated by ${d.method}.`),
    ...(tilted.length ? wrap(`The race is made by these draws, sampled towards their tails: ${tilted.join(", ")}.`) : []),
    "",
    ...outcomes,
    ...(outcomes.length ? [""] : []),
    ...reliabilityLines(d),
    "",
    ...(d.torn ? [...tornLines(d.torn), ""] : []),
    ...costLines(d.costs, `cost (pilot, ${d.pilot.episodes})`),
    ...wrap(`(Costs from plain sampling. The pilot saw ${d.pilot.races} races in ${d.pilot.episodes} episodes: ` +
      `pRace ${fmtP(d.pilot.pRace)}, 95% interval ${fmtP(d.pilot.ci95[0])} .. ${fmtP(d.pilot.ci95[1])}.)`),
    "",
    ...rerunLines(d.manifest),
  ];
  return ascii(lines.join("\n")) + "\n";
}
