/**
 * Checkpoints of a sweep: a JSON-lines file, the sweep's manifest on the
 * first line, then one row per finished cell, appended in cell order as cells
 * complete (src/formats/checkpoint.ts). Rows only ever leave runSweep in cell
 * order, so a checkpoint is always a prefix of the sweep: resuming runs the
 * cells after it, and a row is either in the file whole or computed again,
 * never counted twice. A last line cut short by a crash (no newline after
 * it) is dropped; every other line must be a row of this sweep's grid.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { parseFormat, place } from "../formats/read.js";
import { rowSchemaOf } from "../formats/sweep.js";
import { InputError } from "../model/errors.js";
import type { Grid } from "./grid.js";
import { checkWritable, writeOutput } from "./output-file.js";
import { checkSweepRows } from "./sweep-rows.js";
import type { SweepManifest, SweepRow } from "./sweep.js";

export interface Checkpoint {
  /** Rows already done, in cell order. */
  readonly done: readonly SweepRow[];
  readonly append: (row: SweepRow) => void;
}

/** The sweep a checkpoint belongs to: its manifest, grid and cells [from, to). */
export interface CheckpointOf {
  readonly manifest: SweepManifest;
  readonly grid: Grid;
  readonly from: number;
  readonly to: number;
}

const FIELD = "checkpoint";

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new InputError(FIELD, path, `a readable checkpoint file (${(e as NodeJS.ErrnoException).code ?? "unreadable"})`);
  }
}

/** The rows a checkpoint holds, each checked against the sweep. */
function readRows(path: string, text: string, sweep: CheckpointOf): SweepRow[] {
  const lines = text.split("\n");
  if (lines[0] !== JSON.stringify(sweep.manifest))
    throw new InputError(FIELD, path, "a checkpoint of this same sweep (scenario, parameters, axes, seed, episodes, shard, version)");
  // The text after the last newline is a line cut short, if anything.
  const whole = lines.slice(1, -1);
  const rows = whole.map((line, i) => {
    const where = `line ${i + 2}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError(place(path, where), line, "a row of the sweep as JSON; only a last line without a newline may be cut short");
    }
    return parseFormat(rowSchemaOf(sweep.manifest), value, path, where) as SweepRow;
  });
  if (rows.length > sweep.to - sweep.from)
    throw new InputError(place(path, `line ${sweep.to - sweep.from + 2}`), `${rows.length} rows`, `at most the sweep's ${sweep.to - sweep.from} cells`);
  checkSweepRows(rows, sweep.grid, sweep.manifest.episodes, sweep.from, (i, f) => place(path, `line ${i + 2}`, f ? [f] : []), sweep.manifest.engine);
  return rows;
}

/**
 * Opens `path` for `sweep`: continues it if it holds the same sweep, starts
 * it if it does not exist. `mustExist` is --resume's check.
 */
export function openCheckpoint(path: string, sweep: CheckpointOf, mustExist = false): Checkpoint {
  checkWritable(path, FIELD);
  const header = JSON.stringify(sweep.manifest);
  let done: SweepRow[] = [];
  if (existsSync(path)) {
    done = readRows(path, readText(path), sweep);
    // Rewrite without a torn last line, so appends start on a line of their own.
    writeOutput(path, [header, ...done.map((r) => JSON.stringify(r))].join("\n") + "\n", FIELD);
  } else if (mustExist) {
    throw new InputError("resume", path, "an existing checkpoint file written by --checkpoint");
  } else {
    writeOutput(path, header + "\n", FIELD);
  }
  return {
    done,
    append: (row) => {
      try {
        appendFileSync(path, JSON.stringify(row) + "\n");
      } catch (e) {
        throw new InputError(FIELD, path, `a file that can be written; appending a row failed (${(e as NodeJS.ErrnoException).code ?? e})`);
      }
    },
  };
}
