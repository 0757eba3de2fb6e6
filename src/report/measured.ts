/**
 * Where measured inputs came from, as reply text: the machine, the date, the
 * profile, and each measured parameter with its sample count.
 */
import { machineLine, type Measured } from "../model/measured.js";
import { WIDTH, wrap } from "../text/format.js";

/** The paragraph a reply gives measured inputs; none when nothing was measured. */
export function measuredLines(m: Measured | undefined): string[] {
  if (!m) return [];
  const params = Object.entries(m.params).map(([name, p]) => `${name} (n=${p.n})`).join(", ");
  return wrap(`Measured on ${machineLine(m.machine)} (${m.profile}): ${params}.`, WIDTH);
}
