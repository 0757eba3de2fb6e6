/**
 * Sweep results as files, and shards merged back into the whole sweep. A
 * shard file carries its manifest (Arrow: in the schema's metadata; JSON: as
 * a field), so a merge can check that the parts belong together and cover
 * every cell exactly once before it writes anything.
 */
import { extname } from "node:path";
import { tableFromIPC, tableToIPC } from "@uwdata/flechette";
import * as aq from "arquero";
import { InputError } from "../model/errors.js";
import { cellCount } from "./grid.js";
import { parseJson, readInputFile } from "./input-file.js";
import { parseFormat } from "../formats/read.js";
import { asThisModel } from "../model/version.js";
import { rowSchemaOf, sweepFileSchemaOf, sweepManifestSchema } from "../formats/sweep.js";
import { z } from "zod";
import type { SweepData, SweepManifest, SweepRow } from "./sweep.js";

const MANIFEST_KEY = "tlbrace.manifest";
export const SWEEP_FILE_FORMS = "a .arrow or .json file written by tlbrace sweep --out";

/** Arrow IPC (file format) with the manifest in the schema metadata. */
export function sweepToArrow(data: SweepData): Uint8Array {
  const table = aq.toArrow(aq.from(data.rows as SweepRow[]));
  table.schema.metadata = new Map([[MANIFEST_KEY, JSON.stringify(data.manifest)]]);
  return tableToIPC(table, { format: "file" })!;
}

export function sweepToJson(data: SweepData): string {
  return JSON.stringify(data, null, 2) + "\n";
}

/**
 * Reads a sweep written by sweepToArrow or sweepToJson, each field checked
 * against the sweep format; the rows are checked against the grid by
 * checkSweepRows once the manifest is resolved (readSweep in rerun.ts).
 */
export function readSweepFile(path: string): SweepData {
  const bytes = readInputFile(path);
  if (extname(path) === ".arrow") {
    let metadata: string | undefined, rows: unknown;
    try {
      const table = tableFromIPC(bytes);
      metadata = table.schema.metadata?.get(MANIFEST_KEY);
      rows = aq.fromArrow(new Uint8Array(bytes)).objects();
    } catch {
      throw new InputError("file", path, `${SWEEP_FILE_FORMS}; it is not an Arrow file (damaged or of another kind)`);
    }
    if (metadata === undefined) throw new InputError(path, "its schema metadata", `a ${MANIFEST_KEY} entry with the sweep's manifest (${SWEEP_FILE_FORMS})`);
    const manifest = parseJson(metadata, `${path}, metadata ${MANIFEST_KEY}`) as SweepManifest;
    parseFormat(sweepManifestSchema, asThisModel(manifest), path, "manifest");
    return { manifest, axes: manifest.axes, rows: parseFormat(z.array(rowSchemaOf(manifest)), rows, path, "rows") } as unknown as SweepData;
  }
  if (extname(path) === ".json") {
    // An older model's manifest is checked as this model reads it, and kept as written (rerun says how it was read).
    const file = parseJson(bytes.toString("utf8"), path) as { manifest?: unknown };
    const asRead = typeof file === "object" && file !== null && !Array.isArray(file) ? { ...file, manifest: asThisModel(file.manifest) } : file;
    parseFormat(sweepFileSchemaOf((asRead as { manifest?: unknown }).manifest), asRead, path);
    return file as unknown as SweepData;
  }
  throw new InputError("file", path, SWEEP_FILE_FORMS);
}

const withoutShard = ({ shard: _s, ...m }: SweepManifest) => JSON.stringify(m);

/** The whole sweep from all its shards, in any order; checks they are the shards of one sweep. */
export function mergeShards(parts: readonly { name: string; data: SweepData }[]): SweepData {
  if (parts.length === 0) throw new InputError("shards", "none", "the shard files of one sweep");
  const first = parts[0]!;
  const count = first.data.manifest.shard?.count ?? 1;
  const seen = new Map<number, string>();
  for (const { name, data } of parts) {
    const s = data.manifest.shard ?? { index: 1, count: 1 };
    if (withoutShard(data.manifest) !== withoutShard(first.data.manifest))
      throw new InputError(name, "its manifest", `the same sweep as ${first.name} (scenario, parameters, axes, seed, episodes, version)`);
    if (s.count !== count) throw new InputError(name, `shard ${s.index}/${s.count}`, `a shard of ${count}, as ${first.name}`);
    if (seen.has(s.index)) throw new InputError(name, `shard ${s.index}/${count}`, `one file per shard (${seen.get(s.index)} has it too)`);
    seen.set(s.index, name);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new InputError("shards", `${seen.size} of ${count}`, `every shard; missing ${missing.map((i) => `${i}/${count}`).join(", ")}`);
  const rows = parts.flatMap((p) => p.data.rows).sort((a, b) => a.cell - b.cell);
  const cells = cellCount(first.data.manifest);
  if (rows.length !== cells || rows.some((r, i) => r.cell !== i))
    throw new InputError("shards", `${rows.length} rows`, `one row for each of the ${cells} cells`);
  const { shard: _s, ...manifest } = first.data.manifest;
  return { manifest, axes: manifest.axes, rows };
}
