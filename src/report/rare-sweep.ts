/** The reply for a rare-event sweep: what varied, how each cell was settled, the decade heatmap, the highest cells. */
import type { SweepData } from "../analysis/sweep.js";
import type { RareSweepRow } from "../analysis/rare-sweep.js";
import type { Scenario } from "../model/scenario.js";
import { decadeHeatmap } from "../text/decades.js";
import { ascii, fmtInterval, fmtNumber, fmtP, textTable, wrap } from "../text/format.js";

export function rareSweepReply(scenario: Scenario, d: SweepData, rerun: string[]): string {
  const m = d.manifest;
  const rows = d.rows as unknown as readonly RareSweepRow[];
  const p = scenario.params;
  const count = (f: (r: RareSweepRow) => boolean) => rows.filter(f).length;
  const relError = m.options?.relError ?? 0.1;
  const lines = [
    ...wrap(`${scenario.name}: ${scenario.title}`, 72, "  "), "",
    ...wrap(`Swept ${d.axes.map((a) => `${a.name} (${a.values.length})`).join(" x ")}: ${rows.length} cells, flush ${p.flush}, ` +
      `tableFree ${p.tableFree} unless varied; each cell to ${100 * relError}% relative error (95% interval) by importance sampling, ` +
      `or settled exactly.${m.shard ? ` Shard ${m.shard.index} of ${m.shard.count}.` : ""}`),
    ...wrap(`Methods: ${count((r) => r.method === "importance")} cells by importance sampling, ${count((r) => r.method === "exact")} by the exact solver, ` +
      `${count((r) => r.method === "explorer")} are 0 by exhaustive search. ${count((r) => !r.reliable)} cells are not reliable.`),
    "",
  ];
  const positive = rows.filter((r) => r.pRace > 0);
  const errors = rows.map((r) => r.relativeError).filter((e): e is number => e !== null);
  if (positive.length) lines.push(...wrap(`pRace from ${fmtP(Math.min(...positive.map((r) => r.pRace)))} to ${fmtP(Math.max(...positive.map((r) => r.pRace)))}` +
    `; the largest relative error ${(100 * Math.max(0, ...errors)).toFixed(1)}%.`), "");
  if (d.axes.length === 2 && rows.length === d.axes[0]!.values.length * d.axes[1]!.values.length) {
    const [xa, ya] = d.axes as [SweepData["axes"][0], SweepData["axes"][0]];
    const at = new Map(rows.map((r) => [`${String(r[xa.name])}|${String(r[ya.name])}`, r]));
    const cells = ya.values.map((yv) => xa.values.map((xv) => {
      const r = at.get(`${String(xv)}|${String(yv)}`)!;
      return { p: r.pRace, settled: r.method !== "importance", reliable: r.reliable };
    }));
    lines.push(...decadeHeatmap({ x: { name: xa.name, values: xa.values }, y: { name: ya.name, values: ya.values }, cells }), "");
  }
  const names = d.axes.map((a) => a.name);
  const top = [...rows].sort((a, b) => b.pRace - a.pRace || a.cell - b.cell).slice(0, 5);
  lines.push("The cells with the highest pRace:",
    ...textTable([...names, "method", "pRace", "95% CI"], top.map((r) => [...names.map((n) => (typeof r[n] === "number" ? fmtNumber(r[n] as number) : String(r[n]))), r.method, fmtP(r.pRace),
      fmtInterval([r.pRaceLo, r.pRaceHi])])).split("\n"));
  const bad = rows.filter((r) => !r.reliable).slice(0, 3);
  if (bad.length) lines.push("", ...bad.flatMap((r) => wrap(`Not reliable, cell ${r.cell}: ${r.problems}.`)));
  lines.push("", ...rerun);
  return ascii(lines.join("\n")) + "\n";
}
