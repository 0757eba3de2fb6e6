/** `tlbrace merge`: the shards of a sweep joined into the whole sweep. */
import { readSweep } from "../analysis/rerun.js";
import { mergeShards } from "../analysis/shards.js";
import { parseCommandLine, UsageError } from "./args.js";
import type { Command } from "./command.js";
import { json } from "./format.js";
import { outputFile, sweepCsv, writeSweep } from "./output.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  out: { type: "string" },
  csv: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const help = `Usage: tlbrace merge FILE... [--out FILE | --csv | --json]

Joins the shards written by \`tlbrace sweep --shard I/N --out FILE\` into
the whole sweep, after checking that they are the N shards of one sweep
(same scenario, parameters, axes, seed, episodes and version), each once.
The result equals the sweep run without --shard.

Options:
  --out FILE   write .arrow, .json or .csv (by extension)
  --csv        print CSV (the default)
  --json       print {manifest, axes, rows} as JSON
  -h, --help   show this help

Example:
  tlbrace merge part-*.arrow --out sweep.arrow
`;

export const merge: Command = {
  name: "merge",
  summary: SUMMARY.merge,
  help,
  async run(args, ctx) {
    const { values, positionals: files } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(help);
    if (files.length === 0) throw new UsageError("merge: FILE is missing; give the shard files");
    if ([values.out !== undefined, values.csv, values.json].filter(Boolean).length > 1)
      throw new UsageError("--out, --csv and --json: choose one");
    const out = values.out === undefined ? undefined : outputFile(values.out);
    const data = mergeShards(files.map((name) => ({ name, data: readSweep(name).data })));
    if (out) {
      writeSweep(out, data);
      ctx.err.write(`wrote ${out} (${data.rows.length} cells from ${files.length} shards)\n`);
      return;
    }
    ctx.out(values.json ? json(data) : sweepCsv(data));
  },
};
