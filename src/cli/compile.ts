/** `tlbrace compile`: the program the compiled Monte Carlo engine runs for a scenario. */
import { programText } from "../engines/montecarlo/compile/index.js";
import { defineScenario, presetNames, withParams } from "../model/scenario.js";
import { type Options, overrides, parseCommandLine, positionals, protocolOption, settings } from "./args.js";
import type { Command } from "./command.js";
import { presetsHelp } from "./format.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  set: { type: "string", multiple: true },
  protocol: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

const help = `Usage: tlbrace compile <scenario> [--set KEY=VALUE ...] [--protocol FILE]

Prints the JavaScript the compiled Monte Carlo engine runs for the
scenario: one case per state an episode can be in when time passes,
named by the state's fields, and in each the steps that can fire there,
named by their kernel functions. The program is generated from the
protocol (data/protocols/, or --protocol FILE) and gives the interpreter's numbers bit
for bit (tlbrace run --engine interpret checks that).

Options:
  --set KEY=VALUE     change one parameter, as for tlbrace run
  --protocol FILE     a protocol or patch file in place of the scenario's
  -h, --help          show this help

Example:
  tlbrace compile seed --set tableFree=rcu-skip-sync
`;

export const compile: Command = {
  name: "compile",
  summary: SUMMARY.compile,
  get help() {
    return help + presetsHelp();
  },
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(this.help);
    const [name] = positionals("compile", given, ["<scenario>"], presetNames());
    const scenario = protocolOption(withParams(defineScenario(name!), overrides(settings(values.set))), values.protocol);
    ctx.out(programText(scenario.params));
  },
};
