/** `tlbrace explore`: every interleaving of a scenario's steps; SAFE or UNSAFE with a shortest counterexample. */
import { checkExploreOptions, explore as exploreScenario, type ExploreResult, exploreText, MAX_PREEMPTIONS, MAX_STATES, OUTCOMES } from "../engines/explore/index.js";
import { promela } from "../engines/explore/promela.js";
import { InputError } from "../model/errors.js";
import { defineScenario, presetNames, withParams } from "../model/scenario.js";
import { type Options, overrides, parseCommandLine, positionals, protocolOption, settings, UsageError, wholeNumber } from "./args.js";
import type { Command } from "./command.js";
import { json, presetsHelp } from "./format.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  set: { type: "string", multiple: true },
  protocol: { type: "string" },
  "max-preemptions": { type: "string" },
  "max-states": { type: "string" },
  json: { type: "boolean" },
  promela: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

const help = `Usage: tlbrace explore <scenario> [options]

Tries every interleaving of the scenario's steps, time ignored, with the
host preempting the walker's vCPU at most K times. For each outcome
(race, corrupt, torn): SAFE, or UNSAFE with a shortest counterexample
drawn in two columns, vCPU W and vCPU U, as in the seed's mail.

Arguments:
  <scenario>            a preset name (see the list below)

Options:
  --set KEY=VALUE       change one parameter; repeat for more (as for run)
  --protocol FILE       a protocol or patch file (YAML or JSON) in place of
                        the scenario's protocol; its parameters are kept
  --max-preemptions K   preemptions of W allowed (default 2, at most ${MAX_PREEMPTIONS})
  --max-states N        stop a search after N states (default 1e6, at
                        most 1e7); the verdicts not reached are UNKNOWN
  --json                print one JSON object instead of text
  --promela             print the model as Promela for spin instead
  -h, --help            show this help

Examples:
  tlbrace explore seed
  tlbrace explore seed --set tableFree=immediate
  tlbrace explore torn-pte --max-preemptions 1 --json
  tlbrace explore seed --promela > seed.pml && spin -a seed.pml
`;

/** A flag's value as a whole number; the range is the engine's to check, under the flag's name. */
function option(flag: string, text: string | undefined, allowed: string): number | undefined {
  return text === undefined ? undefined : wholeNumber(flag, text, allowed);
}

/** The result as JSON: per outcome its verdict, the size of its search and the counterexample's steps. */
export function exploreJson(r: ExploreResult, title: string, set: Record<string, string>) {
  return {
    scenario: r.scenario,
    title,
    params: r.manifest.params,
    set,
    maxPreemptions: r.maxPreemptions,
    maxStates: r.maxStates,
    complete: r.complete,
    states: r.states,
    transitions: r.transitions,
    seconds: r.seconds,
    outcomes: Object.fromEntries(OUTCOMES.map((o) => {
      const v = r.outcomes[o];
      return [o, {
        verdict: v.verdict,
        states: v.states,
        transitions: v.transitions,
        counterexample: v.counterexample
          ? v.counterexample.map((t, i) => ({ n: i + 1, vcpu: t.actor, step: t.step, kernel: t.kernel, label: t.label }))
          : null,
      }];
    })),
    manifest: r.manifest,
  };
}

const FLAGS: Readonly<Record<string, string>> = { maxPreemptions: "max-preemptions", maxStates: "max-states" };

/** The engine's errors name its options; on the command line, name the flags. */
function underFlagNames<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InputError && FLAGS[e.field]) throw new InputError(FLAGS[e.field]!, e.value, e.allowed);
    throw e;
  }
}

export const explore: Command = {
  name: "explore",
  summary: SUMMARY.explore,
  get help() {
    return help + presetsHelp();
  },
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(this.help);
    const [name] = positionals("explore", given, ["<scenario>"], presetNames());
    const set = settings(values.set);
    const scenario = protocolOption(withParams(defineScenario(name!), overrides(set)), values.protocol);
    if (values.json && values.promela) throw new UsageError("--json and --promela: choose one");
    const opts = underFlagNames(() => checkExploreOptions({
      maxPreemptions: option("max-preemptions", values["max-preemptions"], `a whole number from 0 to ${MAX_PREEMPTIONS}`),
      maxStates: option("max-states", values["max-states"], `a whole number from 1 to ${MAX_STATES} (1e7)`),
    }));

    if (values.promela) return ctx.out(promela(scenario, opts));
    const result = exploreScenario(scenario, opts);
    if (!result.complete)
      ctx.err.write(`tlbrace: the state limit (${result.maxStates}) stopped the search; the figures are partial (raise --max-states)\n`);
    ctx.out(values.json ? json(exploreJson(result, scenario.title, overrides(set))) : exploreText(result, scenario.title) + "\n");
  },
};
