/**
 * Results as plain text for a mailing-list reply: ASCII, no tabs, at most 72
 * columns, numbers with their intervals and counts, and a last line saying
 * how to re-run them.
 */
import type { StudyResult } from "../analysis/study.js";
import type { AnyManifest, OlderModel } from "../analysis/rerun.js";
import type { SweepData, SweepRow } from "../analysis/sweep.js";
import { COSTS, type CostName, type RunData } from "../engines/montecarlo/run.js";
import { DEFAULTS, formatParams, PARAM_SPECS } from "../model/params.js";
import { preset, type Scenario } from "../model/scenario.js";
import { asciiHeatmap } from "../text/heatmap.js";
import { ascii, columns, fit, fmtNumber, fmtP, fmtQuantity, textTable, WIDTH, wrap as wrapLines } from "../text/format.js";
import { commandLine } from "../text/shell.js";
import { fmtEstimate, pIntervalCell, pValueCell } from "../text/wording.js";
import { rerunWords } from "./rerun-command.js";
import { sweepSummary } from "./study.js";
import { measuredLines } from "./measured.js";
import { rareSweepReply } from "./rare-sweep.js";
import { decadeHeatmap } from "../text/decades.js";
import type { RareSweepRow } from "../analysis/rare-sweep.js";

/** A paragraph wrapped to 72 columns; continuation lines get `indent`. */
const wrap = (text: string, indent = "") => wrapLines(text, WIDTH, indent).join("\n");

/** The version that made a result: `tlbrace 0.1.0 (model 1, commit 0123456789ab-dirty)`. */
export function madeBy(m: Pick<AnyManifest, "version" | "modelVersion" | "commit">): string {
  const commit = m.commit ? `, commit ${m.commit.slice(0, 12)}${m.commit.endsWith("-dirty") ? "-dirty" : ""}` : "";
  return `tlbrace ${m.version} (model ${m.modelVersion}${commit})`;
}

/** What reading an older model's manifest assumed. */
export function olderModelText(o: OlderModel): string {
  const read = Object.entries(o.readAs).map(([k, v]) => `${k}=${v}`).join(", ");
  return `written by model ${o.version}${read ? `; read with ${read}, as that model had them` : ""}; ` +
    "the numbers it recorded are compared";
}

/** Every reply ends so: the version that made the numbers and the command that makes them again. */
export function rerunLines(m: AnyManifest, file?: string): string[] {
  const made = `${madeBy(m)}, ${m.engine}, seed ${m.seed}.`;
  const words = rerunWords(m);
  const measured = measuredLines(m.measured);
  if (words) return [...measured, made, "Re-run with:", ...commandLine(words)];
  return [...measured, made, `Re-run with: tlbrace rerun ${file ?? "MANIFEST.json"} (the manifest is the result's)`];
}

export const COST_LABELS: Readonly<Record<CostName, string>> = {
  unmapLatencyUs: "unmap latency (us)",
  freeDelayUs: "free delay (us)",
  ipis: "IPIs to the walker",
  waitUs: "unmapper wait (us)",
};

/** Where each parameter's value comes from: the model's default, the preset, or a change. */
export function paramOrigins(s: Scenario): Record<string, string> {
  const values = formatParams(s.params);
  const defaults = formatParams(DEFAULTS);
  let given: Record<string, string | number> = defaults;
  try {
    if (s.preset) given = formatParams(preset(s.preset).params);
  } catch { /* a preset this version lacks: compare with the defaults */ }
  return Object.fromEntries(PARAM_SPECS.map(({ name }) => [name,
    s.measured?.params[name] ? "measured"
      : values[name] !== given[name] ? "set" : values[name] === defaults[name] ? "default" : "preset"]));
}

/** The parameter table of a reply: each value, its unit, and where it comes from. */
export function paramLines(scenario: Scenario): string[] {
  const values = formatParams(scenario.params);
  const from = paramOrigins(scenario);
  // Measured values are shown for reading (0.0121, not 0.01205688204769); the manifest keeps them whole.
  const params = PARAM_SPECS.map(({ name, unit }) => [name, fit(typeof values[name] === "number" ? fmtNumber(values[name] as number) : String(values[name]), 30), unit, from[name]!]);
  return [
    ...columns([["parameter", "value", "unit", "from"], ...params]),
    ...wrapLines(`(from: set = changed, preset = ${scenario.preset ?? "the scenario"}'s, default = the model's` +
      `${scenario.measured ? ", measured = this profile's" : ""})`),
  ];
}

/** The cost table of a reply: mean, median, p99 and maximum of each cost. */
export function costLines(costs: RunData["costs"], title = "cost per episode"): string[] {
  const rows = COSTS.map((c) => {
    const s = costs[c];
    return [COST_LABELS[c], fmtQuantity(s.mean), fmtQuantity(s.p50), fmtQuantity(s.p99), fmtQuantity(s.max)];
  });
  return columns([[title, "mean", "p50", "p99", "max"], ...rows], [false, true, true, true, true]);
}

export interface RunReplyOptions {
  /**
   * A run whose parameter table the same mail already has: instead of the
   * table again, one line naming the parameters that differ from it.
   */
  readonly paramsAsFor?: Scenario;
}

/** "Parameters as for seed, except tableFree immediate." */
function paramsSince(scenario: Scenario, before: Scenario): string {
  const now = formatParams(scenario.params), then = formatParams(before.params);
  const changed = PARAM_SPECS.filter(({ name }) => now[name] !== then[name]).map(({ name }) => `${name} ${now[name]}`);
  return `Parameters as for ${before.name} above${changed.length ? `, except ${changed.join(", ")}` : ""}.`;
}

/** A Monte Carlo run: parameters, outcomes with exact intervals, costs, and the re-run line. */
export function runReply(scenario: Scenario, r: RunData, options: RunReplyOptions = {}): string {
  const outcome = (label: string, n: number, p: number, ci: readonly [number, number]) =>
    [label, String(n), pValueCell(n, p, ci), n === 0 ? pIntervalCell(n, ci) : `${fmtP(ci[0])} .. ${fmtP(ci[1])}`];
  const lines = [
    ...wrapLines(`${scenario.name}: ${scenario.title}`, WIDTH, "  "),
    "",
    ...(options.paramsAsFor ? wrapLines(paramsSince(scenario, options.paramsAsFor)) : paramLines(scenario)),
    "",
    `${r.episodes} episodes, each one walk overlapping one unmap`,
    ...wrapLines(`${fmtEstimate("pRace", r.races, r.episodes, r.pRace, r.ci95)}.`),
    ...columns([["outcome", "count", "p", "95% interval"],
      outcome("race", r.races, r.pRace, r.ci95),
      outcome("corrupt", r.corrupts, r.pCorrupt, r.corruptCi95),
      ...(r.torns === undefined ? [] : [outcome("torn", r.torns, r.pTorn!, r.tornCi95!)])], [false, true, true]),
    "(race: the walker read the page after its free; corrupt: after its",
    "reuse. Intervals are exact Clopper-Pearson.)",
    ...(r.torns === undefined ? [] : wrapLines(`(torn: ptep_get_lockless accepted a PTE value the PTE never held, ` +
      `in as many episodes of the PTE model, fault after ${scenario.params.pteRemap === "after-flush" ? "the flush" : "the zap's unlock"}.)`)),
    "",
    ...costLines(r.costs),
    "",
    ...rerunLines(r.manifest),
  ];
  return ascii(lines.join("\n")) + "\n";
}

const axisLabel = (v: unknown) => (typeof v === "number" ? fmtNumber(v) : String(v));

/** At most this many rows are listed in a reply; longer sweeps show the extremes. */
const MAX_ROWS = 24;

/** A sweep: what varied, a summary, an ASCII heatmap for two axes or a table, and the re-run line. */
export function sweepReply(scenario: Scenario, d: SweepData): string {
  const m = d.manifest;
  if (m.engine === "rare") return rareSweepReply(scenario, d, rerunLines(m));
  const axes = d.axes.map((a) => `${a.name} (${a.values.length})`).join(" x ");
  const p = scenario.params;
  const lines = [
    ...wrapLines(`${scenario.name}: ${scenario.title}`, WIDTH, "  "),
    "",
    ...wrapLines(`Swept ${axes}: ${d.rows.length} cells, ${m.episodes} episodes each, ` +
      `flush ${p.flush}, tableFree ${p.tableFree} unless varied.` +
      (m.shard ? ` Shard ${m.shard.index} of ${m.shard.count}.` : "")),
    ...wrapLines(sweepSummary(d.rows, d.axes)),
    ...tornSummary(d.rows),
    "",
  ];
  if (d.axes.length === 2 && d.rows.length === d.axes[0]!.values.length * d.axes[1]!.values.length) {
    lines.push(...sweepHeatmap(d), "");
    lines.push("The cells with the highest pRace:");
    lines.push(...rowTable(d, [...d.rows].sort((a, b) => b.pRace - a.pRace || a.cell - b.cell).slice(0, 5)));
  } else {
    const rows = d.rows.length <= MAX_ROWS ? d.rows : [...d.rows].sort((a, b) => b.pRace - a.pRace || a.cell - b.cell).slice(0, MAX_ROWS);
    if (rows.length < d.rows.length) lines.push(`The ${rows.length} cells with the highest pRace:`);
    lines.push(...rowTable(d, rows));
  }
  lines.push("", ...rerunLines(m));
  return ascii(lines.join("\n")) + "\n";
}

/** The torn reads over a sweep whose cells read the PTE in halves: a sentence, or nothing. */
function tornSummary(rows: readonly SweepRow[]): string[] {
  const sampled = rows.filter((r) => typeof r.torns === "number");
  if (sampled.length === 0) return [];
  const torns = sampled.reduce((n, r) => n + (r.torns as number), 0);
  const episodes = sampled.reduce((n, r) => n + r.episodes, 0);
  const top = [...sampled].sort((a, b) => (b.pTorn as number) - (a.pTorn as number) || a.cell - b.cell)[0]!;
  return wrapLines(`Torn PTE reads: ${torns} in ${episodes} episodes of the PTE model over ${sampled.length} cells` +
    (torns > 0 ? `; the most, pTorn ${fmtP(top.pTorn as number)}, in cell ${top.cell}.` : "."));
}

/** A rare study's maps in decade bands: a digit is the same decade in every map; each map's legend under it. */
function decadeMaps(result: StudyResult): string[] {
  return result.studies.filter(({ sweep }) => sweep.rows.some((r) => r.pRace > 0)).flatMap(({ scenario, sweep }) => {
    const [xa, ya] = sweep.axes as [SweepData["axes"][0], SweepData["axes"][0]];
    const rows = sweep.rows as unknown as readonly RareSweepRow[];
    const at = new Map(rows.map((r) => [`${String(r[xa.name])}|${String(r[ya.name])}`, r]));
    const cells = ya.values.map((yv) => xa.values.map((xv) => {
      const r = at.get(`${String(xv)}|${String(yv)}`)!;
      return { p: r.pRace, settled: r.method !== "importance", reliable: r.reliable };
    }));
    return [`${scenario.name}, pRace over the sweep in decade bands:`,
      ...decadeHeatmap({ x: { name: xa.name, values: xa.values }, y: { name: ya.name, values: ya.values }, cells }), ""];
  });
}

/** pRace with the first axis across and the second down; `scale`: the values of every map it is compared with. */
function sweepHeatmap(d: SweepData, scale?: readonly number[]): string[] {
  const [xa, ya] = d.axes as [SweepData["axes"][0], SweepData["axes"][0]];
  const at = new Map(d.rows.map((r) => [`${String(r[xa.name])}|${String(r[ya.name])}`, r.pRace]));
  const z = ya.values.map((yv) => xa.values.map((xv) => at.get(`${String(xv)}|${String(yv)}`) ?? 0));
  return asciiHeatmap({ x: { name: xa.name, values: xa.values }, y: { name: ya.name, values: ya.values }, z, label: "pRace", ...(scale ? { scale } : {}) });
}

function rowTable(d: SweepData, rows: readonly SweepRow[]): string[] {
  const names = d.axes.map((a) => a.name);
  return textTable([...names, "races/episodes", "pRace", "95% CI"],
    rows.map((r) => [...names.map((n) => axisLabel(r[n])), `${r.races}/${r.episodes}`, pValueCell(r.races, r.pRace, [r.pRaceLo, r.pRaceHi]),
      pIntervalCell(r.races, [r.pRaceLo, r.pRaceHi])])).split("\n");
}

/** The seed study: the three runs, each sweep in a sentence, and how to re-run it all. */
export function studyReply(result: StudyResult): string {
  const table = textTable(
    ["scenario", "races/episodes", "pRace", "95% CI"],
    result.studies.map(({ scenario, run }) => [scenario.name, `${run.races}/${run.episodes}`, pValueCell(run.races, run.pRace, run.ci95), pIntervalCell(run.races, run.ci95)]),
  );
  const sweeps = result.studies.map(({ scenario, sweep }) => wrap(`${scenario.name}: ${sweepSummary(sweep.rows, sweep.axes)}`, "  "));
  const first = result.studies[0];
  const cells = first?.sweep.rows.length ?? 0;
  const m = first?.run.manifest;
  return ascii([
    wrap(`KVM paravirt flush (kvm_flush_tlb_multi) with three ways of freeing the page-table page; ` +
      `one walk overlapping one unmap per episode, seed ${result.seed}.`),
    "",
    ...result.studies.map(({ scenario }) => wrap(`${scenario.name}: ${scenario.title} (tableFree ${scenario.params.tableFree})`, "  ")),
    "",
    table,
    "",
    wrap(result.rare
      ? `Swept over memoryPressure 0..1 x preemptRate 0.01..100 per ms (${cells} cells), each cell to ${100 * result.rare.relError}% ` +
        `relative error (95% interval) by importance sampling or settled exactly, with a plain pilot of ${result.episodes} episodes; ` +
        `the runs above are plain Monte Carlo:`
      : `Swept over memoryPressure 0..1 x preemptRate 0.01..100 per ms (${cells} cells, ${result.episodes} episodes each):`),
    ...sweeps,
    "",
    ...mapsCompared(result),
    `${m ? madeBy(m) : "tlbrace"}. Re-run with:`,
    ...commandLine(["tlbrace", "study", "--episodes", String(result.episodes), "--run-episodes", String(result.runEpisodes), "--seed", String(result.seed),
      ...(result.rare ? ["--rare", "--rel-error", String(result.rare.relError), "--max-episodes", String(result.rare.maxEpisodes)] : [])]),
    "",
  ].join("\n"));
}

/** The study's maps side by side: one legend for all, so a symbol is the same pRace in each. */
function mapsCompared(result: StudyResult): string[] {
  if (result.rare) return decadeMaps(result);
  const raced = result.studies.filter(({ sweep }) => sweep.rows.some((r) => r.races > 0));
  const scale = raced.flatMap(({ sweep }) => sweep.rows.map((r) => r.pRace));
  return raced.flatMap(({ scenario, sweep }, i) => {
    const map = sweepHeatmap(sweep, scale);
    // The legend (after the map's blank line) once, under the last map.
    const body = i < raced.length - 1 ? map.slice(0, map.indexOf("")) : map;
    return [`${scenario.name}, pRace over the sweep${raced.length > 1 ? " (one legend for the maps)" : ""}:`, ...body, ""];
  });
}
