/** `tlbrace rerun`: runs a result's manifest again and checks the numbers are the same. */
import { compareNumbers, readRecorded, recordedNumbers, rerun as rerunManifest } from "../analysis/rerun.js";
import { olderModelText } from "../report/reply.js";
import { replyOf } from "../report/result.js";
import { engineOption, parseCommandLine, positionals, workersOption } from "./args.js";
import { type Command, Mismatch } from "./command.js";
import { json } from "./format.js";
import { progressLine } from "./progress.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  json: { type: "boolean" },
  workers: { type: "string" },
  engine: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const help = `Usage: tlbrace rerun <file> [options]

Runs again what a file records and, where the file holds the numbers
too, checks that the new ones are identical, number for number.

Arguments:
  <file>        one of:
                - a result JSON (tlbrace run --json, tr.save(x, "x.json"))
                - a sweep file (tlbrace sweep --out x.arrow or x.json)
                - a bare manifest (a result's "manifest" field)
                - a study's out/manifest.json (every run and sweep)

Options:
  --json        print {name, identical, compared, differences,
                manifest} per entry instead of text
  --workers N   worker threads (default: all cores; no number changes)
  -h, --help    show this help

Exit status 3 when a re-run gives different numbers.
`;

export const rerun: Command = {
  name: "rerun",
  summary: SUMMARY.rerun,
  help,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(help);
    const [file] = positionals("rerun", given, ["<file>"]);
    const recorded = readRecorded(file!);
    const workers = workersOption(values.workers, ctx.err), engine = engineOption(values.engine);
    const reports: object[] = [];
    let differ = 0;
    for (const r of recorded) {
      const progress = progressLine(ctx.err, `rerun ${r.name}`, "episodes");
      const again = await rerunManifest(r.manifest, { workers, engine, onProgress: progress.update, signal: ctx.signal }).finally(progress.clear);
      const numbers = recordedNumbers(again);
      const check = compareNumbers(r, numbers);
      const diff = check?.differences;
      if (r.olderModel && !values.json) ctx.out(`${r.name}: ${olderModelText(r.olderModel)}\n`);
      if (diff?.length) differ++;
      if (values.json) {
        reports.push({ name: r.name, identical: diff ? diff.length === 0 : null, compared: check?.compared ?? 0,
          differences: diff ?? [], ...(r.olderModel ? { olderModel: r.olderModel } : {}), manifest: again.data.manifest, result: numbers });
      } else if (!diff) {
        ctx.out(`${r.name}: re-run (the file holds no numbers to compare)\n\n`);
        ctx.out(replyOf(again));
        ctx.out("\n");
      } else if (diff.length === 0) {
        ctx.out(`${r.name}: identical, ${check!.compared} numbers compared\n`);
      } else {
        ctx.out(`${r.name}: DIFFERENT\n${diff.map((d) => `  ${d}\n`).join("")}`);
      }
    }
    if (values.json) ctx.out(json(reports));
    if (differ) throw new Mismatch(`${differ} of ${recorded.length} re-runs gave different numbers`);
  },
};
