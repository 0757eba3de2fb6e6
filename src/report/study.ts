/**
 * The seed study's report: what was run, the three heatmaps, the single
 * runs, the parameters with their sources, and the manifests. Every number
 * comes from the study's results; the words only say what was run.
 */
import type { StudyManifest, StudyResult, StudyRun } from "../analysis/study.js";
import { decadeRange } from "../charts/colour.js";
import { heatmap } from "../charts/heatmap.js";
import { formatParams, PARAM_SPECS, paramSpec } from "../model/params.js";
import { fmtInterval, fmtNumber, fmtP } from "../text/format.js";
import { fmtRelError, pIntervalCell, pValueCell, sweepRange } from "../text/wording.js";
import type { ReportInput, ReportSection } from "./html.js";

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function studyReport(result: StudyResult, manifest: StudyManifest): ReportInput {
  const names = result.studies.map((s) => s.scenario.name).join(", ");
  const cells = result.studies[0]?.sweep.rows.length ?? 0;
  return {
    title: "Seed study: page-table free vs. lockless walk under KVM paravirt flush",
    intro: [
      result.rare
        ? `Scenarios: ${names}. Each is swept over memory pressure x preemption rate (${cells} cells) by the rare-event path: ` +
          `every cell's pRace to ${fmtRelError(result.rare.relError)} relative error (95% interval) by importance sampling, ` +
          `or settled by the explorer or the exact solver (${result.episodes} plain pilot episodes per cell). ` +
          `Each is run once at its own parameters by plain Monte Carlo (${result.runEpisodes} episodes). ` +
          `Seed ${result.seed}; the manifest at the end re-runs every number.`
        : `Scenarios: ${names}. Each is swept over memory pressure x preemption rate (${cells} cells, ` +
          `${result.episodes} episodes per cell) and run once at its own parameters (${result.runEpisodes} episodes). ` +
          `Seed ${result.seed}; the manifest at the end re-runs every number.`,
      "pRace is the probability that one walk overlapping one unmap reads the page-table page after it was freed. " +
        (result.rare
          ? "Colour is log10(pRace), on one scale for the three heatmaps; grey cells are 0 by exhaustive search or exactly, crossed-out cells are not reliable (their rows in the CSV say why)."
          : "Colour is log10(pRace), on one scale for the three heatmaps; grey cells saw no race, and their 95% upper bound is in the hover text and the note above each chart."),
    ].join("\n\n"),
    sections: [
      runsSection(result.studies),
      ...result.studies.map((study) => sweepSection(study, sharedRange(result.studies))),
      parameterSection(result.studies[0]),
    ],
    manifest,
  };
}

function runsSection(studies: readonly StudyRun[]): ReportSection {
  return {
    heading: "Single runs at each scenario's parameters",
    table: studies.map(({ scenario, run }) => ({
      scenario: scenario.name,
      flush: scenario.params.flush,
      tableFree: scenario.params.tableFree,
      episodes: run.episodes,
      races: run.races,
      pRace: pValueCell(run.races, run.pRace, run.ci95),
      "95% CI": pIntervalCell(run.races, run.ci95),
      pCorrupt: run.pCorrupt,
      "unmap latency mean (µs)": run.costs.unmapLatencyUs.mean,
      "free delay mean (µs)": run.costs.freeDelayUs.mean,
      "IPIs mean": run.costs.ipis.mean,
    })),
  };
}

/** One colour range for the study's heatmaps, so a colour is the same pRace in each. */
function sharedRange(studies: readonly StudyRun[]): [number, number] {
  const all = studies.flatMap((s) => s.sweep.rows.map((r) => r.pRace));
  // A rare sweep's cells have no sampling floor: its smallest positive value is the floor.
  const floor = studies.every((s) => s.sweep.manifest.engine === "rare")
    ? Math.min(1e-3, ...all.filter((p) => p > 0))
    : Math.min(...studies.map((s) => 3.7 / s.sweep.manifest.episodes));
  const [lo, hi] = decadeRange(all, floor);
  return [10 ** lo, 10 ** hi];
}

function sweepSection({ scenario, sweep }: StudyRun, zRange: [number, number]): ReportSection {
  return {
    heading: `${scenario.name}: ${scenario.title}`,
    text: [scenario.summary, sweepSummary(sweep.rows, sweep.axes)].filter(Boolean).join("\n\n"),
    figures: [heatmap(sweep, { x: "memoryPressure", y: "preemptRate", title: `pRace: ${scenario.name} (one colour scale for the three)`, zRange })],
  };
}

/** One sentence from the rows: how many cells saw no race, and where pRace peaks on the sweep's axes. */
export function sweepSummary(rows: StudyRun["sweep"]["rows"], axes: StudyRun["sweep"]["axes"]): string {
  if (rows.length && "method" in rows[0]!) return rareSweepSummary(rows, axes);
  const zero = rows.filter((r) => r.races === 0).length;
  if (zero === rows.length) return `${capital(sweepRange(rows))}.`;
  const top = rows.reduce((a, b) => (b.pRace > a.pRace ? b : a));
  const unseen = rows.filter((r) => r.races === 0);
  const seen = zero === 0 ? `Every one of the ${rows.length} cells saw races.`
    : `${zero} of ${rows.length} cells saw no race: pRace < ${fmtP(Math.max(...unseen.map((r) => r.pRaceHi)))} (95%) there.`;
  const at = axes.map(({ name }) => {
    const v = top[name]!;
    return `${name} ${typeof v === "number" ? fmtNumber(v) : v}${paramSpec(name).kind === "rate" ? " per ms" : ""}`;
  });
  return `${seen} The largest pRace is ${fmtP(top.pRace)} ${fmtInterval([top.pRaceLo, top.pRaceHi])} at ${at.join(", ")}.`;
}

/** A rare sweep in sentences: how its cells were settled, how many are not reliable, and where pRace peaks. */
function rareSweepSummary(rows: StudyRun["sweep"]["rows"], axes: StudyRun["sweep"]["axes"]): string {
  const count = (m: string) => rows.filter((r) => r.method === m).length;
  const unreliable = rows.filter((r) => !r.reliable).length;
  const how = `Of the ${rows.length} cells, ${count("explorer")} are 0 by exhaustive search, ${count("exact")} solved exactly, ` +
    `${count("importance")} estimated by importance sampling; ${unreliable === 0 ? "every estimate is reliable" : `${unreliable} not reliable`}.`;
  const positive = rows.filter((r) => r.pRace > 0);
  if (positive.length === 0) return `${how} No cell races.`;
  const top = positive.reduce((a, b) => (b.pRace > a.pRace ? b : a));
  const low = positive.reduce((a, b) => (b.pRace < a.pRace ? b : a));
  const value = top.method === "importance" ? `${fmtP(top.pRace)} ${fmtInterval([top.pRaceLo, top.pRaceHi])} (importance sampling)` : `${fmtP(top.pRace)} (exact solver)`;
  return `${how} pRace runs from ${fmtP(low.pRace)} to ${fmtP(top.pRace)}; the largest, ${value}, is at ${where(top, axes)}.`;
}

const where = (r: StudyRun["sweep"]["rows"][number], axes: StudyRun["sweep"]["axes"]) => axes.map(({ name }) => {
  const v = r[name]!;
  return `${name} ${typeof v === "number" ? fmtNumber(v) : v}${paramSpec(name).kind === "rate" ? " per ms" : ""}`;
}).join(", ");

function parameterSection(first: StudyRun | undefined): ReportSection {
  const values = first ? formatParams(first.scenario.params) : undefined;
  return {
    heading: "Parameters",
    text: `Values of ${first?.scenario.name ?? "the scenario"}; the sweeps vary memoryPressure and preemptRate, the variants tableFree.`,
    table: PARAM_SPECS.map((s) => ({
      parameter: s.name,
      value: values?.[s.name] ?? "",
      unit: s.unit,
      allowed: s.values?.join(", ") ?? "",
      meaning: s.doc,
      source: s.source,
    })),
  };
}
