/**
 * The seed study as plain text for a mailing-list reply: ASCII, no tabs,
 * at most 72 columns, numbers with their intervals and counts.
 */
import type { StudyResult } from "../analysis/study.js";
import { ascii, fmtInterval, fmtP, textTable, wrap as wrapLines } from "../text/format.js";
import { sweepSummary } from "./study.js";

/** A paragraph wrapped to 72 columns; continuation lines get `indent`. */
const wrap = (text: string, indent = "") => wrapLines(text, undefined, indent).join("\n");

export function replyText(result: StudyResult): string {
  const table = textTable(
    ["scenario", "races/episodes", "pRace", "95% CI"],
    result.studies.map(({ scenario, run }) => [scenario.name, `${run.races}/${run.episodes}`, fmtP(run.pRace), fmtInterval(run.ci95)]),
  );
  const sweeps = result.studies.map(({ scenario, sweep }) => wrap(`${scenario.name}: ${sweepSummary(sweep.rows)}`, "  "));
  const cells = result.studies[0]?.sweep.rows.length ?? 0;
  return ascii([
    wrap(`KVM paravirt flush (kvm_flush_tlb_multi) with three ways of freeing the page-table page; ` +
      `one walk overlapping one unmap per episode, seed ${result.seed}.`),
    "",
    ...result.studies.map(({ scenario }) => wrap(`${scenario.name}: ${scenario.title} (tableFree ${scenario.params.tableFree})`, "  ")),
    "",
    table,
    "",
    wrap(`Swept over memoryPressure 0..1 x preemptRate 0.01..100 per ms (${cells} cells, ${result.episodes} episodes each):`),
    ...sweeps,
    "",
  ].join("\n"));
}

