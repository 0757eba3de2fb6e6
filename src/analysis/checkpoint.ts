/**
 * Checkpoints of a sweep: a JSON-lines file, the sweep's manifest on the
 * first line, then one row per finished cell, appended in cell order as cells
 * complete. Rows only ever leave runSweep in cell order, so a checkpoint is
 * always a prefix of the sweep: resuming runs the cells after it, and a row
 * is either in the file whole or computed again, never counted twice. A last
 * line cut short by a crash is dropped.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { InputError } from "../model/errors.js";
import type { SweepManifest, SweepRow } from "./sweep.js";

export interface Checkpoint {
  /** Rows already done, in cell order. */
  readonly done: readonly SweepRow[];
  readonly append: (row: SweepRow) => void;
}

/**
 * Opens `path` for the sweep of `manifest`: continues it if it holds the same
 * sweep, starts it if it does not exist. `mustExist` is --resume's check.
 */
export function openCheckpoint(path: string, manifest: SweepManifest, firstCell: number, mustExist = false): Checkpoint {
  const header = JSON.stringify(manifest);
  let done: SweepRow[] = [];
  if (existsSync(path)) {
    const lines = readFileSync(path, "utf8").split("\n");
    if (lines[0] !== header)
      throw new InputError("checkpoint", path, "a checkpoint of this same sweep (scenario, parameters, axes, seed, episodes, shard, version)");
    for (const line of lines.slice(1)) {
      if (line.trim() === "") continue;
      let row: SweepRow;
      try { row = JSON.parse(line) as SweepRow; } catch { break; }
      if (row.cell !== firstCell + done.length) throw new InputError("checkpoint", path, `rows of consecutive cells from ${firstCell}; found cell ${row.cell}`);
      done.push(row);
    }
    // Rewrite without a torn last line, so appends start on a line of their own.
    writeFileSync(path, [header, ...done.map((r) => JSON.stringify(r))].join("\n") + "\n");
  } else if (mustExist) {
    throw new InputError("resume", path, "an existing checkpoint file written by --checkpoint");
  } else {
    writeFileSync(path, header + "\n");
  }
  return { done, append: (row) => appendFileSync(path, JSON.stringify(row) + "\n") };
}
