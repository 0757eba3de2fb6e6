/**
 * Checkpoints of a sweep: a JSON-lines file, the sweep's manifest on the
 * first line, then one row per finished cell, appended in cell order as cells
 * complete (src/formats/checkpoint.ts). Rows only ever leave runSweep in cell
 * order, so a checkpoint is always a prefix of the sweep: resuming runs the
 * cells after it, and a row is either in the file whole or computed again,
 * never counted twice. A last line cut short by a crash (no newline after
 * it) is dropped; every other line must be a row of this sweep's grid.
 */
import { closeSync, constants, existsSync, openSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { parseFormat, place } from "../formats/read.js";
import { rowSchemaOf } from "../formats/sweep.js";
import { InputError } from "../model/errors.js";
import { readRegularFile } from "../model/read-file.js";
import type { Grid } from "./grid.js";
import { checkWritable, failure, openAppend, processAlive, writeOutput } from "./output-file.js";
import { checkSweepRows } from "./sweep-rows.js";
import type { SweepManifest, SweepRow } from "./sweep.js";

export interface Checkpoint {
  /** Rows already done, in cell order. */
  readonly done: readonly SweepRow[];
  readonly append: (row: SweepRow) => void;
  /** Closes the file and lets another sweep take it. */
  readonly close: () => void;
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
  return readRegularFile(path, FIELD, "a readable checkpoint file").toString("utf8");
}

/** The manifest fields in which a checkpoint's first line differs from this sweep's, with this sweep's values. */
function whatDiffers(line: string, now: object): string {
  let then: unknown;
  try {
    then = JSON.parse(line);
  } catch {
    return "; its first line is not a manifest";
  }
  if (typeof then !== "object" || then === null) return "; its first line is not a manifest";
  const found: string[] = [];
  const walk = (a: unknown, b: unknown, at: string) => {
    if (found.length >= 4) return;
    if (typeof a === "object" && a !== null && typeof b === "object" && b !== null && !Array.isArray(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], at ? `${at}.${k}` : k);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      // This sweep's value only: the file's is not quoted.
      const value = JSON.stringify(b) ?? "absent";
      found.push(`${at} (now ${value.length > 40 ? `${value.slice(0, 37)}...` : value})`);
    }
  };
  walk(then, now, "");
  return found.length ? `; it differs in ${found.join(", ")}` : "";
}

/** The rows a checkpoint holds, each checked against the sweep. */
function readRows(path: string, text: string, sweep: CheckpointOf): SweepRow[] {
  const lines = text.split("\n");
  if (lines[0] !== JSON.stringify(sweep.manifest))
    throw new InputError(FIELD, path, `a checkpoint of this same sweep (scenario, parameters, axes, seed, episodes, shard, version)${whatDiffers(lines[0]!, sweep.manifest)}`);
  // The text after the last newline is a line cut short, if anything.
  const whole = lines.slice(1, -1);
  const rows = whole.map((line, i) => {
    const where = `line ${i + 2}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new InputError(place(path, where), `a line of ${line.length} characters`, "a row of the sweep as JSON; only a last line without a newline may be cut short");
    }
    return parseFormat(rowSchemaOf(sweep.manifest), value, path, where) as SweepRow;
  });
  if (rows.length > sweep.to - sweep.from)
    throw new InputError(place(path, `line ${sweep.to - sweep.from + 2}`), `${rows.length} rows`, `at most the sweep's ${sweep.to - sweep.from} cells`);
  checkSweepRows(rows, sweep.grid, sweep.manifest.episodes, sweep.from, (i, f) => place(path, `line ${i + 2}`, f ? [f] : []), sweep.manifest.engine);
  return rows;
}

/**
 * Takes the lock of checkpoint `path` (a file `path.lock` holding this
 * process's id and host) and returns its release; refuses while another live
 * process holds it. A lock left by a process that is gone is taken over.
 */
function lock(path: string): () => void {
  const lockPath = `${path}.lock`;
  const me = `${process.pid} ${hostname()}`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      try {
        writeSync(fd, `${me}\n`);
      } finally {
        closeSync(fd);
      }
      const release = () => {
        process.removeListener("exit", release);
        try {
          unlinkSync(lockPath);
        } catch { /* already gone */ }
      };
      // An interrupted sweep exits through process.exit: the lock goes with it.
      process.on("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0)
        throw new InputError(FIELD, path, `a checkpoint whose lock ${lockPath} can be made (${failure(e)})`);
    }
    let holder = "";
    try {
      holder = readRegularFile(lockPath, FIELD, "a lock file", 200).toString("utf8").trim();
    } catch { /* a lock that cannot be read is held by nobody we can name */ }
    const [pid, host] = holder.split(" ");
    if (host !== undefined && host !== hostname())
      throw new InputError(FIELD, path, `a checkpoint no other sweep is writing; process ${pid} on ${host} holds ${lockPath} (remove that file if that sweep has ended)`);
    if (/^\d+$/.test(pid ?? "") && processAlive(Number(pid)))
      throw new InputError(FIELD, path, `a checkpoint no other sweep is writing; process ${pid} is running a sweep on it (${lockPath}): wait for it to end or stop it`);
    // Left by a sweep that was killed: take it over.
    try {
      unlinkSync(lockPath);
    } catch { /* taken by another: the next attempt says so */ }
  }
}

/**
 * Opens `path` for `sweep`: continues it if it holds the same sweep, starts
 * it if it does not exist. `mustExist` is --resume's check. Only one sweep
 * at a time may write a checkpoint: a second one is refused.
 */
export function openCheckpoint(path: string, sweep: CheckpointOf, mustExist = false): Checkpoint {
  checkWritable(path, FIELD);
  const release = lock(path);
  try {
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
    const file = openAppend(path, FIELD);
    return {
      done,
      append: (row) => file.append(JSON.stringify(row) + "\n"),
      close: () => {
        file.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
