/**
 * The verdict matrix as the notebook sees it. Its text is a 4 x 5 grid for
 * an email; its rich display is the same grid in colour, each cell linking
 * to its counterexample (two columns, one per vCPU) or to why it is safe
 * (how many states and transitions the explorer searched).
 */
import { madeBy } from "../report/reply.js";
import { measuredLines } from "../report/measured.js";
import { commandLine } from "../text/shell.js";
import { ascii } from "../text/format.js";
import { inspect } from "node:util";
import {
  disagreements, isRareRow, type MatrixCell, matrixCell, type MatrixData, type MatrixRow, matrixRows, matrixTable, type RareMatrixRow,
} from "../analysis/matrix.js";
import { SAFE_CHECK_PREEMPTIONS } from "../engines/rare/estimate.js";
import { fmtRelError, rareCellWording, rareValueCell } from "../text/wording.js";
import { cellLabel, matrixChart, type MatrixChartOptions, VERDICT_COLOURS } from "../charts/matrix.js";
import { counterexampleText, type ExploreOutcome } from "../engines/explore/index.js";
import type { SweepManifest } from "../analysis/sweep.js";
import { columns, fmtP, wrap } from "../text/format.js";
import { escapeHtml } from "../text/html.js";
import { Chart } from "./chart.js";
import { type Showable, showableTable, showBundle, type Table } from "./show.js";

/** Each display's anchors get their own prefix, so two matrices on one page link to their own cells. */
let displays = 0;

const FIRST = 10; // "native-ipi"
const CELL = 10;  // five columns of it fit in 72
/** Modes side by side; more go into another block below. */
const PER_BLOCK = 5;

/** A column heading in lines of at most `width`, broken after hyphens: "rcu-skip-sync" -> "rcu-skip-", "sync". */
function headingLines(name: string, width: number): string[] {
  const lines: string[] = [];
  for (const part of name.split(/(?<=-)/)) {
    if (lines.length && lines[lines.length - 1]!.length + part.length <= width) lines[lines.length - 1] += part;
    else lines.push(part);
  }
  return lines;
}

export class Matrix implements Showable {
  readonly data: MatrixData;
  constructor(data: MatrixData) {
    this.data = data;
  }
  /** One plain row per cell; a rare matrix's rows also say each cell's method, relative error, reliable and problems. */
  get rows(): (MatrixRow | RareMatrixRow)[] { return matrixRows(this.data); }
  /** The Monte Carlo sweep's manifest; each explorer and exact result carries its own. */
  get manifest(): SweepManifest { return this.data.sweep.manifest; }

  /** An Arquero table, one row per cell: verdicts, pRace with its interval, exact pRace. */
  table(): Table & Showable {
    return showableTable(matrixTable(this.data), 16);
  }

  /** The colour-coded figure. */
  chart(options: MatrixChartOptions = {}): Chart {
    return new Chart(matrixChart(this.rows, options), `verdict matrix over ${this.data.base.name} (flush x tableFree)`);
  }

  /** The cell of one flush mechanism and table-freeing mode, with every engine's full result. */
  cell(flush: string, tableFree: string): MatrixCell {
    return matrixCell(this.data, flush, tableFree);
  }

  /** A cell's counterexample in two columns, or why the outcome is unreachable. */
  counterexample(flush: string, tableFree: string, outcome: ExploreOutcome = "race"): string {
    return counterexampleText(this.cell(flush, tableFree).explore, outcome);
  }

  /** Every cell where the engines disagree, in words; empty when they all agree. */
  disagreements(): string[] {
    return this.data.cells.flatMap((c) => disagreements(c).map((d) => `${c.flush}/${c.tableFree}: ${d}`));
  }

  text(): string {
    const d = this.data;
    const m = d.sweep.manifest;
    const rare = d.rare;
    const rows = new Map(this.rows.map((r) => [`${r.flush}/${r.tableFree}`, r]));
    const rareRow = (c: MatrixCell) => rows.get(`${c.flush}/${c.tableFree}`) as RareMatrixRow;
    const blocks: string[][] = [];
    for (let at = 0; at < d.tableFrees.length; at += PER_BLOCK) {
      const modes = d.tableFrees.slice(at, at + PER_BLOCK);
      const headings = modes.map((t) => headingLines(t, CELL));
      const depth = Math.max(...headings.map((h) => h.length));
      const grid: string[][] = [
        ...Array.from({ length: depth }, (_, i) => [i === depth - 1 ? "flush" : "", ...headings.map((h) => h[i] ?? "")]),
        ["-".repeat(FIRST), ...modes.map(() => "-".repeat(CELL))],
      ];
      for (const f of d.flushes) {
        const line = modes.map((t) => this.cell(f, t));
        grid.push([f, ...line.map((c) => c.explore.outcomes.race.verdict)]);
        if (rare) {
          const r = line.map(rareRow);
          grid.push(["  pRace", ...r.map(rareValueCell)]);
          grid.push(["  method", ...r.map((x) => x.method)]);
          grid.push(["  rel.err", ...r.map((x) => (x.relativeError === null ? "-" : x.relativeError === 0 ? "0" : fmtRelError(x.relativeError)) + (x.reliable ? "" : " !"))]);
          continue;
        }
        grid.push(["  MC", ...line.map((c) => fmtP(c.montecarlo.pRace))]);
        grid.push(["  exact", ...line.map((c) => (c.exact ? fmtP(c.exact.pRace) : "n/a"))]);
      }
      blocks.push(columns(grid));
    }
    const off = this.disagreements();
    const safe = rare ? d.cells.filter((c) => rareRow(c).method === "explorer").length : 0;
    return [
      ...wrap(rare
        ? `Verdict matrix over ${d.base.name}: each cell's pRace to ${fmtRelError(rare.relError)} relative error (95% interval) by importance sampling, ` +
          `or settled by the explorer or the exact solver; ${m.episodes} plain pilot episodes per cell, seed ${m.seed}; ` +
          `explorer with at most ${d.explore.maxPreemptions} preemptions of W`
        : `Verdict matrix over ${d.base.name}: ${m.episodes} Monte Carlo episodes per cell, seed ${m.seed}; ` +
          `explorer with at most ${d.explore.maxPreemptions} preemptions of W`),
      ...measuredLines(d.base.measured),
      "",
      ...blocks.flatMap((b, i) => (i === 0 ? b : ["", ...b])),
      "",
      ...(rare ? [
        ...wrap("Rows: the explorer's verdict on the race, pRace, how it was reached (explorer: 0 by exhaustive search; exact: " +
          "the exact solver; importance: importance sampling), the relative half-width of its 95% interval (! not reliable)."),
        "",
        ...d.cells.filter((c) => rareRow(c).method !== "explorer")
          .flatMap((c) => wrap(`${c.flush} / ${c.tableFree}: ${rareCellWording(rareRow(c), SAFE_CHECK_PREEMPTIONS)}`, 72, "  ")),
        ...(safe ? wrap(`${safe} cells settled by the explorer: ${rareCellWording({ ...rareRow(d.cells.find((c) => rareRow(c).method === "explorer")!) }, SAFE_CHECK_PREEMPTIONS)}.`) : []),
        "",
      ] : wrap("Rows: the explorer's verdict on the race, the Monte Carlo pRace (95% intervals: .table(), --csv), " +
        "the exact pRace (n/a where a delay is not exponential).")),
      ...(off.length ? off.flatMap((x) => wrap(`DISAGREE ${x}`, 72, "  ")) : ["The three engines agree in every cell."]),
      ...wrap("Counterexamples: .show() links each cell to its own; tlbrace matrix --counterexamples prints them."),
    ].join("\n");
  }

  /** For a mailing-list reply: the matrix and the command that computes it again. */
  reply(): string {
    const d = this.data, m = d.sweep.manifest;
    const words = ["tlbrace", "matrix", ...(d.base.name === "seed" ? [] : ["--base", d.base.name]),
      ...(d.base.measured ? ["--profile", d.base.measured.profile] : []),
      "--episodes", String(m.episodes), "--seed", String(m.seed), "--max-preemptions", String(d.explore.maxPreemptions),
      ...(d.rare ? ["--rare", "--rel-error", String(d.rare.relError), "--max-episodes", String(d.rare.maxEpisodes)] : [])];
    return ascii([this.text(), "", `${madeBy(m)}.`, "Re-run with:", ...commandLine(words)].join("\n")) + "\n";
  }

  show(): void {
    showBundle(this.text(), this.html());
  }

  /** The grid with a link from each cell to its explanation below it. */
  html(): string {
    const d = this.data;
    const id = `tlbrace-matrix-${++displays}`;
    const anchor = (c: MatrixCell) => `${id}-${c.flush}-${c.tableFree}`;
    const byRow = new Map(this.rows.map((r) => [`${r.flush}/${r.tableFree}`, r]));
    const td = (c: MatrixCell) => {
      const r = byRow.get(`${c.flush}/${c.tableFree}`)!;
      const [verdict, ...rest] = cellLabel(r);
      const ink = r.race === "UNKNOWN" ? "#222" : "#fff";
      return `<td style="background:${VERDICT_COLOURS[r.race]};color:${ink};padding:6px 10px;text-align:left">` +
        // The fragment opens the cell's <details> where the browser does so itself; the click handler elsewhere.
        `<a href="#${anchor(c)}" onclick="var e=document.getElementById('${anchor(c)}');if(e)e.open=true;" ` +
        `style="color:${ink};font-weight:bold">${escapeHtml(verdict!)}</a><br>` +
        `${rest.map(escapeHtml).join("<br>")}${r.disagreement ? "<br><b>DISAGREE</b>" : ""}</td>`;
    };
    const grid = `<table style="border-collapse:separate;border-spacing:3px">` +
      `<tr><th>flush \\ tableFree</th>${d.tableFrees.map((t) => `<th>${escapeHtml(t)}</th>`).join("")}</tr>` +
      d.flushes.map((f) => `<tr><th style="text-align:left">${escapeHtml(f)}</th>` +
        d.tableFrees.map((t) => td(this.cell(f, t))).join("") + "</tr>").join("") + "</table>";
    const details = d.cells.map((c) => {
      const r = byRow.get(`${c.flush}/${c.tableFree}`)!;
      const mc = isRareRow(r) ? `rare-event path: ${rareCellWording(r, SAFE_CHECK_PREEMPTIONS)}`
        : `Monte Carlo: ${r.races} races in ${r.episodes} episodes, pRace ${fmtP(r.pRace)} [${fmtP(r.pRaceLo)}, ${fmtP(r.pRaceHi)}]`;
      const exact = c.exact ? `exact: pRace ${fmtP(c.exact.pRace)} (${c.exact.states} states)` : `exact: does not apply (${c.exactWhy})`;
      return `<details id="${anchor(c)}"><summary>${escapeHtml(`${c.flush} / ${c.tableFree}: race ${r.race}`)}</summary>` +
        `<pre>${escapeHtml([counterexampleText(c.explore, "race"), "", counterexampleText(c.explore, "corrupt"), "", mc, exact,
          ...(r.disagreement ? [`DISAGREE: ${r.disagreement}`] : [])].join("\n"))}</pre></details>`;
    }).join("\n");
    return `<p><b>Verdict matrix</b> over ${escapeHtml(d.base.name)}: click a cell for its counterexample, ` +
      `or for the size of the search that found none.` +
      (d.rare ? ` Each pRace is the rare-event path's, to ${escapeHtml(fmtRelError(d.rare.relError))} relative error (95% interval), ` +
        `with how it was reached: exhaustive search, the exact solver, or importance sampling.` : "") +
      `</p>${grid}${details}`;
  }

  toJSON() {
    return {
      base: { name: this.data.base.name, preset: this.data.base.preset ?? null },
      explore: this.data.explore,
      rows: this.rows,
      manifests: {
        // A rare matrix's cells come from a rare sweep: its manifest under its own name.
        ...(this.data.rare ? { rare: this.data.sweep.manifest } : { montecarlo: this.data.sweep.manifest }),
        explore: this.data.cells.map((c) => c.explore.manifest),
        exact: this.data.cells.flatMap((c) => (c.exact ? [c.exact.manifest] : [])),
      },
    };
  }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}
