/** `tlbrace protocol`: a preset's protocol in the file format, and the check of a protocol file. */
import { stringify } from "yaml";
import { InputError } from "../model/errors.js";
import { preset, presetNames } from "../model/scenario.js";
import type { ModelName } from "../model/state.js";
import { buildModel } from "../protocol/build.js";
import { PROTOCOL_FORMAT, type ProtocolDoc } from "../protocol/format.js";
import { builtinDoc } from "../protocol/library.js";
import { lintProtocol } from "../protocol/lint.js";
import { protocolFromFile } from "../protocol/load.js";
import { type Options, parseCommandLine } from "./args.js";
import { UsageError } from "./command.js";
import { SUMMARY } from "./commands.js";
import type { Command } from "./command.js";

const OPTIONS = {
  json: { type: "boolean" },
  model: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

const help = `Usage: tlbrace protocol show <scenario | FILE> [--model M] [--json]
       tlbrace protocol check FILE

show prints a protocol in the file format (YAML; --json for JSON): a
preset's, put together from data/protocols/ for its flush and tableFree
(or, with --model pte, the PTE model for its flush, pteRead and pteRemap),
or a file's with its patches applied. Save it, edit it, and run it with
--protocol FILE on run, sweep, exact, explore and matrix.

check reads FILE (a protocol or a patch), reports any error with its
file:line:column and step (exit 2), then what may still be wrong: steps
that never fire, states where nothing can happen before the episode is
settled, branch weights that need not sum to 1, variables nothing reads.

Options:
  --model M    table-free (default) or pte
  --json       JSON instead of YAML (show)
  -h, --help   show this help

Examples:
  tlbrace protocol show seed > seed.yaml
  tlbrace protocol check examples/protocols/v7.1-synchronize-rcu.yaml
`;

function docOf(target: string, model: ModelName): ProtocolDoc {
  if (presetNames().includes(target)) return builtinDoc(preset(target).params, model);
  if (/[./]/.test(target)) return protocolFromFile(target);
  throw new InputError("protocol show", target, `a preset (${presetNames().join(", ")}) or a protocol file`);
}

export const protocol: Command = {
  name: "protocol",
  summary: SUMMARY.protocol,
  help,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(this.help);
    const [action, target, ...extra] = given;
    if (action !== "show" && action !== "check") throw new InputError("protocol", action ?? "nothing", "show or check (see tlbrace protocol --help)");
    if (target === undefined) throw new UsageError(`protocol ${action}: ${action === "show" ? "<scenario | FILE>" : "FILE"} is missing`);
    if (extra.length > 0) throw new UsageError(`protocol ${action}: one ${action === "show" ? "scenario or file" : "file"}, not ${given.length - 1}`);
    const model = (values.model ?? "table-free") as ModelName;
    if (model !== "table-free" && model !== "pte") throw new InputError("--model", values.model, "table-free or pte");
    if (action === "show") {
      const doc = docOf(target, model);
      const { format: _f, ...rest } = doc as ProtocolDoc & { format?: string };
      const out = { format: PROTOCOL_FORMAT, ...rest };
      return ctx.out(values.json ? JSON.stringify(out, null, 2) + "\n" : stringify(out, { lineWidth: 0 }));
    }
    const doc = protocolFromFile(target);
    const m = buildModel(doc);
    const findings = lintProtocol(doc, m);
    const head = `${target}: ${m.model} protocol "${m.name}", ${m.variables.length} state variables, ${m.steps.length} steps: builds`;
    ctx.out([head, ...(findings.length === 0 ? ["no findings"] : findings.map((f) => `${f.kind}: ${f.text}`))].join("\n") + "\n");
  },
};
