/**
 * A single self-overwriting progress line on stderr, shown only when stderr is
 * a terminal: logs and pipes get no control characters and no noise.
 */

export interface ProgressLine {
  /** `done` of `total` units; `note` replaces the count when a job reports steps, not units. */
  update(done: number, total: number, note?: string): void;
  /** Removes the line, so results and errors start on a clean line. */
  clear(): void;
}

const THROTTLE_MS = 100;

export function progressLine(stream: NodeJS.WriteStream, label: string, unit: string): ProgressLine {
  if (!stream.isTTY) return { update() {}, clear() {} };
  const start = performance.now();
  let last = -Infinity;
  let shown = false;
  return {
    update(done, total, note) {
      const now = performance.now();
      if (now - last < THROTTLE_MS && done < total) return;
      last = now;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const elapsed = (now - start) / 1000;
      const eta = frac > 0 && frac < 1 ? `  ~${Math.ceil((elapsed * (1 - frac)) / frac)} s left` : "";
      const count = note ?? `${done}/${total} ${unit}`;
      const line = `${label}: ${(100 * frac).toFixed(0).padStart(3)}%  ${count}${eta}`;
      stream.write(`\r\x1b[K${line.slice(0, Math.max(20, (stream.columns || 80) - 1))}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write("\r\x1b[K");
      shown = false;
    },
  };
}
