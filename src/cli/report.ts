/** `tlbrace report`: a saved result as mailing-list text or a self-contained HTML page. */
import { checkWritable, writeOutput } from "../analysis/output-file.js";
import { readResults } from "../analysis/rerun.js";
import { InputError } from "../model/errors.js";
import { reportHtml } from "../report/html.js";
import { replyOf, resultReport } from "../report/result.js";
import { parseCommandLine, positionals } from "./args.js";
import type { Command } from "./command.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  text: { type: "boolean" },
  html: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const help = `Usage: tlbrace report <file> [--text | --html OUT.html]

Turns a saved result into what goes out: plain text for a mailing-list
reply (ASCII, no tabs, at most 72 columns, ending with the command that
re-runs it), or a self-contained HTML page (charts, tables, manifest;
opens offline).

Arguments:
  <file>         a result JSON (tlbrace run --json, tr.save(x, "x.json"))
                 or a sweep file (tlbrace sweep --out x.arrow or x.json)

Options:
  --text         print the reply text (the default)
  --html FILE    write the HTML page to FILE instead
  -h, --help     show this help
`;

export const report: Command = {
  name: "report",
  summary: SUMMARY.report,
  help,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(help);
    const [file] = positionals("report", given, ["<file>"]);
    if (values.text && values.html !== undefined) throw new InputError("--html", values.html, "not together with --text: one output at a time");
    if (values.html !== undefined && !values.html.endsWith(".html")) throw new InputError("--html", values.html, "a file name ending in .html");
    if (values.html !== undefined) checkWritable(values.html, "--html");
    const results = readResults(file!);
    if (values.html !== undefined) {
      writeOutput(values.html, reportHtml(resultReport(results)), "--html");
      ctx.out(`${values.html}\n`);
    } else {
      ctx.out(results.map(replyOf).join("\n"));
    }
  },
};
