/**
 * A heatmap as characters, for a mailing-list reply: one character per cell,
 * darker for a higher probability, one symbol per decade, with a legend. A
 * cell that saw nothing gets its own symbol, so "no race seen" is never read
 * as "small".
 */
import { fmtNumber, fmtP, WIDTH, wrap } from "./format.js";

export interface AsciiHeatmapInput {
  /** Values across, left to right. */
  readonly x: { readonly name: string; readonly values: readonly (number | string)[] };
  /** Values down the side; drawn with the last value at the top. */
  readonly y: { readonly name: string; readonly values: readonly (number | string)[] };
  /** z[i][j]: the value at y.values[i], x.values[j]; 0 means nothing seen. */
  readonly z: readonly (readonly number[])[];
  /** What z is, for the legend ("pRace"). */
  readonly label: string;
  /**
   * The values the legend's bins are drawn from (default: z). Maps meant to
   * be compared pass the values of all of them, so a symbol means the same
   * in each.
   */
  readonly scale?: readonly number[];
}

const NONE = "."; // nothing seen: not "small"
const RAMP = ["-", ":", "=", "+", "*", "#", "@"];

const label = (v: number | string) => (typeof v === "number" ? fmtNumber(v) : v);

/**
 * Bin edges on a log scale over the positive values: whole decades when they
 * span many, halves or quarters of a decade when few, at most RAMP.length bins.
 * Edges sit on multiples of the step, so a legend reads 1e-3, 3.16e-3, 1e-2.
 */
function edges(values: readonly number[]): number[] {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return [];
  const lo = Math.log10(Math.min(...positive)), hi = Math.log10(Math.max(...positive));
  for (const step of [0.25, 0.5, 1]) {
    const first = Math.floor(lo / step) * step, last = Math.floor(hi / step) * step;
    if (Math.round((last - first) / step) + 1 <= RAMP.length || step === 1) {
      const n = Math.min(RAMP.length, Math.round((last - first) / step) + 1);
      return Array.from({ length: n }, (_, k) => last - (n - 1 - k) * step);
    }
  }
  return [];
}

export function asciiHeatmap({ x, y, z, label: what, scale }: AsciiHeatmapInput): string[] {
  // Bin k holds [10^e[k], 10^e[k+1]); the lowest also holds anything below.
  const e = edges(scale ?? z.flat());
  const symbol = (v: number) => {
    if (!(v > 0)) return NONE;
    const x = Math.log10(v);
    let k = 0;
    while (k + 1 < e.length && x >= e[k + 1]! - 1e-12) k++;
    return RAMP[k]!;
  };
  const yLabels = y.values.map(label);
  const side = Math.max(y.name.length, ...yLabels.map((s) => s.length));
  // Two characters per cell while they fit, else one.
  const room = WIDTH - side - 3;
  const step = x.values.length * 2 <= room ? 2 : 1;
  const lines = [`${y.name.padStart(side)} |`];
  for (let i = y.values.length - 1; i >= 0; i--) {
    const row = z[i]!.map((v) => symbol(v).padEnd(step)).join("").trimEnd();
    lines.push(`${yLabels[i]!.padStart(side)} | ${row}`);
  }
  const span = x.values.length * step;
  lines.push(`${" ".repeat(side)} +-${"-".repeat(span)}`);
  const first = label(x.values[0]!), last = label(x.values.at(-1)!);
  const gap = Math.max(1, span - first.length - last.length);
  lines.push(`${" ".repeat(side)}   ${first}${" ".repeat(gap)}${last}`);
  lines.push(`${" ".repeat(side)}   ${x.name} (${x.values.length} values)`);
  lines.push("");
  const at = (k: number) => fmtP(10 ** e[k]!);
  const legend = [`${NONE} none seen`, ...e.map((_, k) =>
    e.length === 1 ? `${RAMP[k]} any > 0` :
    k === 0 ? `${RAMP[k]} < ${at(1)}` :
    k === e.length - 1 ? `${RAMP[k]} >= ${at(k)}` : `${RAMP[k]} ${at(k)}..${at(k + 1)}`)];
  // Each legend entry stays whole on a line.
  const glue = "\u0001";
  lines.push(...wrap(`${what}: ${legend.map((l) => l.replace(/ /g, glue)).join(", ")}`, WIDTH, "  ").map((l) => l.replaceAll(glue, " ")));
  return lines;
}
