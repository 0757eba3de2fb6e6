/** Writing a sweep where --out says, in the format its extension names. */
import { extname } from "node:path";
import { checkWritable, writeOutput } from "../analysis/output-file.js";
import { sweepToArrow, sweepToJson } from "../analysis/shards.js";
import type { SweepData } from "../analysis/sweep.js";
import { InputError } from "../model/errors.js";
import { sweepCsv } from "../text/csv.js";

const FORMS = "a file name ending in .arrow, .json or .csv";

export { sweepCsv };

/** `--out`: its extension names a format, and it can be written (checked before any work). */
export function outputFile(path: string): string {
  if (![".arrow", ".json", ".csv"].includes(extname(path))) throw new InputError("out", path, FORMS);
  return checkWritable(path, "out");
}

export function writeSweep(path: string, data: SweepData): void {
  const ext = extname(path);
  writeOutput(path, ext === ".arrow" ? sweepToArrow(data) : ext === ".json" ? sweepToJson(data) : sweepCsv(data));
}
