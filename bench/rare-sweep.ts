/**
 * A 21 x 21 rare-event sweep (`sweep --rare`) whose cells lie between 1e-14
 * and 1e-5, with uniform preemptions and a lognormal walk: its time with
 * proposals shared from anchors, against the sum of per-cell times when
 * every cell adapts from scratch. Each cell of kvm-pv + rcu-skip-sync with an
 * instant flush has the closed form memoryPressure x λm/(1 + λm) (λ the
 * preemption rate, m the mean preemption), printed as the largest deviation
 * in intervals' half-widths.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { grid, logRange } from "../src/analysis/grid.js";
import { runRareSweep } from "../src/analysis/rare-sweep.js";
import { defineScenario } from "../src/model/scenario.js";

export async function rareSweep(workers: number) {
  const s = defineScenario({ base: "skip-sync-kvm", params: { flushUs: 0, preemptUs: "uniform:0:400", walkUs: "lognormal:5:1" } });
  const g = grid(s, { memoryPressure: logRange(1e-9, 1e-3, 21), preemptRate: logRange(5e-5, 5e-2, 21) });
  const run = async (share: boolean) => {
    let cellSeconds = 0, anchorSeconds = 0;
    const t0 = performance.now();
    const d = await runRareSweep(g, { episodes: 2000, seed: 1, share }, { workers,
      onCellSeconds: (_, x) => { cellSeconds += x; }, onAnchorSeconds: (_, x) => { anchorSeconds += x; } });
    return { d, seconds: (performance.now() - t0) / 1000, cellSeconds, anchorSeconds };
  };
  const shared = await run(true);
  const scratch = await run(false);
  const rows = shared.d.rows;
  const lm = (rate: number) => (rate / 1000) * 200;
  const deviation = Math.max(...rows.map((r) => {
    const want = (r.memoryPressure as number) * lm(r.preemptRate as number) / (1 + lm(r.preemptRate as number));
    return Math.abs(r.pRace - want) / ((r.pRaceHi - r.pRaceLo) / 2);
  }));
  const out = {
    cells: rows.length, workers,
    pRaceRange: [Math.min(...rows.map((r) => r.pRace)), Math.max(...rows.map((r) => r.pRace))],
    maxRelativeError: Math.max(...rows.map((r) => (r.relativeError as number | null) ?? Infinity)),
    unreliable: rows.filter((r) => !r.reliable).length,
    seconds: Number(shared.seconds.toFixed(2)),
    anchorSeconds: Number(shared.anchorSeconds.toFixed(2)),
    sharedCellSeconds: Number(shared.cellSeconds.toFixed(2)),
    scratchSeconds: Number(scratch.seconds.toFixed(2)),
    scratchCellSeconds: Number(scratch.cellSeconds.toFixed(2)),
    ratio: Number((scratch.cellSeconds / shared.seconds).toFixed(2)),
    maxDeviationInHalfWidths: Number(deviation.toFixed(2)),
  };
  console.log(`7. rare sweep 21 x 21, cells ${out.pRaceRange[0].toExponential(1)}..${out.pRaceRange[1].toExponential(1)}, ${workers} workers: ` +
    `${out.seconds} s (anchors ${out.anchorSeconds} s of work); every cell from scratch: ${out.scratchCellSeconds} s of work ` +
    `(${out.ratio} x); largest relative error ${out.maxRelativeError.toFixed(3)}, ${out.unreliable} unreliable; ` +
    `closed form within ${out.maxDeviationInHalfWidths} half-widths`);
  return out;
}

// Alone (`node --import tsx bench/rare-sweep.ts`): this part only, recorded in results.json beside the others.
if (import.meta.url === `file://${process.argv[1]}`) {
  const file = new URL("./results.json", import.meta.url);
  const results = JSON.parse(readFileSync(file, "utf8"));
  results.rareSweep = { date: new Date().toISOString().slice(0, 10), loadAverage: loadavg()[0], ...await rareSweep(Number(process.argv[2] ?? 2)) };
  writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
}
