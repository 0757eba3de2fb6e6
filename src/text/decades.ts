/**
 * A rare-event sweep's heatmap as characters, in decade bands: each cell
 * shows N for a pRace in [1e-N, 1e-(N-1)), so a reply reads the order of
 * magnitude of every cell across ten or more decades; "0" marks a cell that
 * is 0 by exhaustive search or exactly, "." one where no race was reached,
 * and "?" after a cell an estimate that is not reliable.
 */
import { fmtNumber, WIDTH, wrap } from "./format.js";

export interface DecadeCell {
  readonly p: number;
  /** 0 by the explorer's exhaustive search or the exact solver. */
  readonly settled: boolean;
  readonly reliable: boolean;
}

export interface DecadeHeatmapInput {
  readonly x: { readonly name: string; readonly values: readonly (number | string)[] };
  /** Drawn with the last value at the top. */
  readonly y: { readonly name: string; readonly values: readonly (number | string)[] };
  /** cells[i][j]: at y.values[i], x.values[j]. */
  readonly cells: readonly (readonly DecadeCell[])[];
}

const label = (v: number | string) => (typeof v === "number" ? fmtNumber(v) : v);

/** The decade band of p > 0: N with 1e-N <= p < 1e-(N-1). */
export const decadeOf = (p: number): number => -Math.floor(Math.log10(p) + 1e-12);

export function decadeHeatmap({ x, y, cells }: DecadeHeatmapInput): string[] {
  const yLabels = y.values.map(label);
  const side = Math.max(y.name.length, ...yLabels.map((s) => s.length));
  const text = (c: DecadeCell) => (c.p > 0 ? String(decadeOf(c.p)) : c.settled ? "0" : ".") + (c.reliable ? "" : "?");
  // Three characters a cell while they fit (two digits and a mark), else two.
  const step = x.values.length * 3 <= WIDTH - side - 3 ? 3 : 2;
  const lines = [`${y.name.padStart(side)} |`];
  for (let i = y.values.length - 1; i >= 0; i--)
    lines.push(`${yLabels[i]!.padStart(side)} | ${cells[i]!.map((c) => text(c).slice(0, step).padEnd(step)).join("").trimEnd()}`);
  const span = x.values.length * step;
  lines.push(`${" ".repeat(side)} +-${"-".repeat(span)}`);
  const first = label(x.values[0]!), last = label(x.values.at(-1)!);
  lines.push(`${" ".repeat(side)}   ${first}${" ".repeat(Math.max(1, span - first.length - last.length))}${last}`);
  lines.push(`${" ".repeat(side)}   ${x.name} (${x.values.length} values)`, "");
  const flat = cells.flat();
  const legend = ["N: pRace from 1e-N up to 1e-(N-1)"];
  if (flat.some((c) => c.p === 0 && c.settled)) legend.push("0: 0 by exhaustive search or the exact solver");
  if (flat.some((c) => c.p === 0 && !c.settled)) legend.push(".: no race reached");
  if (flat.some((c) => !c.reliable)) legend.push(step === 3 ? "?: not reliable (the cell's row says why)" : `${flat.filter((c) => !c.reliable).length} cells not reliable (their rows say why)`);
  lines.push(...wrap(legend.join("; "), WIDTH, "  "));
  return lines;
}
