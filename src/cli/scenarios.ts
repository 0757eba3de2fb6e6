/** `tlbrace scenarios`: the presets, in the order the kernel met them. */
import { kernelHistory } from "../model/history.js";
import { ascii, columns, WIDTH, wrap } from "../text/format.js";
import { type Options, parseCommandLine, positionals } from "./args.js";
import type { Command } from "./command.js";
import { json } from "./format.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  long: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

const help = `Usage: tlbrace scenarios [options]

Lists the preset scenarios of data/scenarios/ in the order the kernel
met them: the date of the change each stands for, its flush mechanism
and table-freeing mode, and its title.

Options:
  --long      add each preset's sentence, notes and kernel references
  --json      print the presets as JSON
  -h, --help  show this help
`;

export const scenarios: Command = {
  name: "scenarios",
  summary: SUMMARY.scenarios,
  help,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(help);
    positionals("scenarios", given, []);
    const history = kernelHistory();
    if (values.json)
      return ctx.out(json(history.map((h) => ({
        name: h.scenario.name, date: h.date, title: h.scenario.title, summary: h.scenario.summary,
        notes: h.notes, kernel: h.scenario.kernel, flush: h.scenario.params.flush, tableFree: h.scenario.params.tableFree,
      }))));
    if (!values.long) {
      const rows = history.map((h) => [h.scenario.name, h.date, h.scenario.params.flush, h.scenario.params.tableFree]);
      const [head, ...lines] = columns([["name", "date", "flush", "tableFree"], ...rows]);
      // Each preset's title under its row.
      const out = [head!, "-".repeat(head!.length),
        ...lines.flatMap((l, i) => [l, ...wrap(ascii(history[i]!.scenario.title), WIDTH - 2).map((t) => `  ${t}`)])];
      return ctx.out(out.join("\n") + "\n");
    }
    const out: string[] = [];
    for (const h of history) {
      const s = h.scenario;
      out.push(`${s.name} (${h.date || "undated"}): flush=${s.params.flush} tableFree=${s.params.tableFree}`,
        ...wrap(ascii(s.title), WIDTH - 2).map((l) => `  ${l}`),
        ...wrap(ascii(s.summary), WIDTH - 2).map((l) => `  ${l}`),
        ...(h.notes ? ["", ...wrap(ascii(h.notes), WIDTH - 2).map((l) => `  ${l}`)] : []),
        ...s.kernel.flatMap((k) => wrap(ascii(k), WIDTH - 4).map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))),
        "");
    }
    ctx.out(out.join("\n"));
  },
};
