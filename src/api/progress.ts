/**
 * Long work in a notebook: a progress display that updates in place, and the
 * notebook's interrupt turned into an abort of the engines, which tslab
 * alone would leave running after it fails the cell. After an interrupt the
 * progress display and the cell's error say, in one line each, how far the
 * work got and what of it is kept.
 */
import { existsSync, readFileSync } from "node:fs";
import { inspect } from "node:util";
import { displayBundle, inKernel, newDisplayId, onInterrupt } from "../notebook/display.js";
import { escapeHtml } from "../text/html.js";
import type { Execution } from "../engines/montecarlo/pool.js";

/** The error an interrupted cell ends with: one line, no stack (there is no fault to trace). */
export class Interrupted extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Interrupted";
  }
  [inspect.custom](): string {
    return `${this.name}: ${this.message}`;
  }
}

export interface NotebookProgress {
  readonly update: (done: number, total: number) => void;
  /** The last numbers shown: how far the work got. */
  readonly last: () => { done: number; total: number };
  /** Replaces the bar with a closing line. */
  readonly finish: (text: string) => void;
}

/** A progress display for `label`, or nothing outside a kernel. */
export function notebookProgress(label: string, unit: string): NotebookProgress | undefined {
  if (!inKernel()) return undefined;
  const displayId = newDisplayId();
  let shown = false;
  let last = { done: 0, total: 0 };
  const show = (text: string, html: string) => {
    displayBundle({ "text/plain": text, "text/html": html }, { displayId, update: shown });
    shown = true;
  };
  return {
    update: (done, total) => {
      last = { done, total };
      const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
      show(`${label}: ${done} of ${total} ${unit} (${pct}%)`,
        `<div style="font-family:monospace">${escapeHtml(label)} <progress value="${done}" max="${total}"></progress> ${pct}%</div>`);
    },
    last: () => last,
    finish: (text) => show(text, `<div style="font-family:monospace">${escapeHtml(text)}</div>`),
  };
}

/** Rows a checkpoint file holds (its first line is the sweep's manifest). */
function checkpointRows(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, "utf8").split("\n").slice(1).filter((l) => l.trim() !== "").length;
}

/** What an interrupted piece of work keeps: nothing, or the cells in its checkpoint file. */
function keptText(checkpoint: string | undefined): string {
  if (checkpoint === undefined) return "nothing is kept: running the cell again starts over";
  const n = checkpointRows(checkpoint);
  return `${n} finished cell${n === 1 ? " is" : "s are"} kept in ${checkpoint}: running the cell again continues from there`;
}

/**
 * Runs `work` with an abort signal that also fires on the notebook's
 * interrupt button, and with a progress display unless the caller brought
 * its own. `checkpoint`: the file finished cells go to, named after an
 * interrupt as what is kept.
 */
export async function withNotebookControls<T>(
  exec: Execution, label: string, unit: string, work: (exec: Execution) => Promise<T>, checkpoint?: string,
): Promise<T> {
  if (!inKernel()) return work(exec);
  const controller = new AbortController();
  let interrupted = false;
  const interrupt = () => { interrupted = true; controller.abort(new Interrupted(`${label} stopped`)); };
  const outer = exec.signal;
  if (outer?.aborted) controller.abort(outer.reason);
  outer?.addEventListener("abort", () => controller.abort(outer.reason), { once: true });
  const progress = exec.onProgress ? undefined : notebookProgress(label, unit);
  const stopListening = onInterrupt(interrupt);
  try {
    return await work({ ...exec, signal: controller.signal, onProgress: exec.onProgress ?? progress?.update });
  } catch (e) {
    if (!interrupted) throw e;
    const { done, total } = progress?.last() ?? { done: 0, total: 0 };
    const got = `at ${done} of ${total} ${unit}; ${keptText(checkpoint)}`;
    progress?.finish(`${label}: interrupted ${got}`);
    throw new Interrupted(`${label} stopped ${got}`);
  } finally {
    stopListening();
  }
}
