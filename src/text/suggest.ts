/** "Did you mean": the allowed name closest to a misspelled one, if any is close. */

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest name within a third of its length (case ignored), or undefined. */
export function closest(value: string, names: readonly string[]): string | undefined {
  if (value.length === 0 || value.length > 100) return undefined;
  let best: string | undefined, bestD = Infinity;
  for (const n of names) {
    const d = editDistance(value.toLowerCase(), n.toLowerCase());
    if (d < bestD) { best = n; bestD = d; }
  }
  return best !== undefined && bestD > 0 && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}
