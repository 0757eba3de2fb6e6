/**
 * Long work in a notebook: a progress display that updates in place, and the
 * notebook's interrupt turned into an abort of the engines, which tslab
 * alone would leave running after it fails the cell.
 */
import { displayBundle, inKernel, newDisplayId, onInterrupt } from "../notebook/display.js";
import { escapeHtml } from "../text/html.js";
import type { Execution } from "../engines/montecarlo/pool.js";

/** A progress display for `label`, or nothing outside a kernel. */
export function notebookProgress(label: string, unit: string): ((done: number, total: number) => void) | undefined {
  if (!inKernel()) return undefined;
  const displayId = newDisplayId();
  let shown = false;
  return (done, total) => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    const text = `${label}: ${done} of ${total} ${unit} (${pct}%)`;
    const html = `<div style="font-family:monospace">${escapeHtml(label)} <progress value="${done}" max="${total}"></progress> ${pct}%</div>`;
    displayBundle({ "text/plain": text, "text/html": html }, { displayId, update: shown });
    shown = true;
  };
}

/**
 * Runs `work` with an abort signal that also fires on the notebook's
 * interrupt button, and with a progress display unless the caller brought
 * its own.
 */
export async function withNotebookControls<T>(
  exec: Execution, label: string, unit: string, work: (exec: Execution) => Promise<T>,
): Promise<T> {
  if (!inKernel()) return work(exec);
  const controller = new AbortController();
  const interrupt = () => controller.abort(new Error("interrupted"));
  const outer = exec.signal;
  if (outer?.aborted) controller.abort(outer.reason);
  outer?.addEventListener("abort", () => controller.abort(outer.reason), { once: true });
  const stopListening = onInterrupt(interrupt);
  try {
    return await work({ ...exec, signal: controller.signal, onProgress: exec.onProgress ?? notebookProgress(label, unit) });
  } finally {
    stopListening();
  }
}
