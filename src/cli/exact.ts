/** `tlbrace exact`: the scenario as a continuous-time Markov chain, solved exactly. */
import { checkExactOptions, type ExactResult, solveExact } from "../engines/exact/index.js";
import { sensitivity } from "../engines/exact/sensitivity.js";
import { defineScenario, presetNames, type Scenario, withParams } from "../model/scenario.js";
import { approximationNote, exactReply } from "../report/exact.js";
import { type Options, overrides, parseCommandLine, positionals, PROFILE_HELP, profileOption, PROTOCOL_HELP, protocolOption, settings } from "./args.js";
import { applyProfile } from "../measure/apply.js";
import type { Command } from "./command.js";
import { json, presetsHelp } from "./format.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  set: { type: "string", multiple: true },
  profile: { type: "string" },
  protocol: { type: "string" },
  approximate: { type: "boolean" },
  sensitivity: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

const help = `Usage: tlbrace exact <scenario> [options]

Solves the scenario as a continuous-time Markov chain: the race and
corruption probabilities per walk overlapping an unmap, exactly (down
to 1e-12 and below, where sampling sees nothing), and the expected
costs. Every delay must be exponential (exp:MEAN) or 0.

Arguments:
  <scenario>          a preset name (see the list below)

Options:
  --set KEY=VALUE     change one parameter; repeat for more (as for run)
${PROFILE_HELP}
${PROTOCOL_HELP}
  --approximate       solve a non-exponential delay as the exponential of
                      the same mean, and say so (default: refuse)
  --sensitivity       add the elasticity d ln pRace / d ln x of each
                      numeric parameter, and pRace at x / 2 and x * 2
  --json              print one JSON object instead of text
  -h, --help          show this help

Examples:
  tlbrace exact seed --set tableFree=rcu-skip-sync --sensitivity
  tlbrace exact seed --set tableFree=rcu-skip-sync \\
      --set memoryPressure=1e-6 --set preemptRate=1e-4 --json
  tlbrace exact seed --set walkUs=uniform:2:8 --approximate
`;

export const exact: Command = {
  name: "exact",
  summary: SUMMARY.exact,
  get help() {
    return help + presetsHelp();
  },
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(this.help);
    const [name] = positionals("exact", given, ["<scenario>"], presetNames());
    const set = settings(values.set);
    const scenario = protocolOption(applyProfile(defineScenario(name!), profileOption(values.profile), overrides(set)), values.protocol);
    const opts = checkExactOptions({ approximate: values.approximate ?? false });
    const result = solveExact(scenario, opts);
    const sens = values.sensitivity ? sensitivity(scenario, opts) : undefined;

    if (values.json) {
      ctx.out(json({
        scenario: scenario.name,
        title: scenario.title,
        params: result.manifest.params,
        set: overrides(set),
        approximated: result.approximated,
        ...approximationJson(scenario, result),
        pRace: result.pRace,
        pCorrupt: result.pCorrupt,
        pTorn: result.pTorn,
        costs: result.costs,
        states: result.states,
        transitions: result.transitions,
        residual: result.residual,
        tornChain: result.tornChain,
        seconds: result.seconds,
        ...(sens ? { sensitivity: { step: sens.step, factor: sens.factor, rows: sens.rows } } : {}),
        manifest: result.manifest,
      }));
    } else {
      ctx.out(exactReply(scenario, result, sens));
    }
  },
};

/** `warning` and the `check` command, when a delay was approximated. */
function approximationJson(s: Scenario, r: ExactResult) {
  const note = approximationNote(s, r);
  return note ? { warning: note.text, ...(note.check ? { check: note.check.join(" ") } : {}) } : {};
}
