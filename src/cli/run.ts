/** `tlbrace run`: one Monte Carlo run of a scenario. */
import { checkRunOptions, simulate } from "../engines/montecarlo/run.js";
import { defineScenario, presetNames } from "../model/scenario.js";
import { COMMON_OPTIONS, episodesOption, overrides, parseCommandLine, positionals, PROFILE_HELP, profileOption, seedOption, settings, WORKERS_HELP, workersOption } from "./args.js";
import { applyProfile } from "../measure/apply.js";
import type { Command } from "./command.js";
import { runReply } from "../report/reply.js";
import { runJson } from "../report/result.js";
import { json, presetsHelp } from "./format.js";
import { progressLine } from "./progress.js";

/** ~0.5 s on one core: enough to see rates down to ~1e-5 without making people wait. */
export const RUN_EPISODES = 200_000;
export const DEFAULT_SEED = 1;

const OPTIONS = { ...COMMON_OPTIONS, json: { type: "boolean" } } as const;

const help = `Usage: tlbrace run <scenario> [options]

Runs the Monte Carlo engine on a scenario and prints the race
probability with its 95% interval, the costs, and the command that
re-runs it. The numbers do not depend on --workers.

Arguments:
  <scenario>          a preset name (see the list below)

Options:
  --set KEY=VALUE     change one parameter; repeat for more. VALUE is a
                      number, exp:MEAN, uniform:MIN:MAX,
                      lognormal:MEDIAN:SIGMA (times in us), measured
                      samples csv:PATH:COLUMN, or a name
                      (flush=native-ipi, tableFree=sync-ipi)
${PROFILE_HELP}
  --episodes N        episodes to sample (default ${RUN_EPISODES}; 1e6 works)
  --seed S            random seed (default ${DEFAULT_SEED}); same seed, same numbers
  --json              print one JSON object instead of text
${WORKERS_HELP}
  -h, --help          show this help

Examples:
  tlbrace run seed
  tlbrace run seed --set memoryPressure=0.5 --set preemptRate=10
  tlbrace run seed --set tableFree=immediate --episodes 1e6 --json
  tlbrace run seed --profile out/measure/profile.json
`;

export const run: Command = {
  name: "run",
  summary: "simulate one scenario: race probability, 95% interval, costs",
  get help() {
    return help + presetsHelp();
  },
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(this.help);
    // Validate everything before the first episode.
    const [name] = positionals("run", given, ["<scenario>"], presetNames());
    const preset = defineScenario(name!);
    const set = settings(values.set);
    const scenario = applyProfile(preset, profileOption(values.profile), overrides(set));
    const opts = checkRunOptions({
      episodes: episodesOption(values.episodes, RUN_EPISODES),
      seed: seedOption(values.seed, DEFAULT_SEED),
    });

    const progress = progressLine(ctx.err, `run ${scenario.name}`, "episodes");
    const result = await simulate(scenario, opts, 0, { workers: workersOption(values.workers), onProgress: progress.update, signal: ctx.signal })
      .finally(progress.clear);

    if (values.json) {
      const { manifest, ...fields } = runJson(scenario, result);
      ctx.out(json({ ...fields, set: overrides(set), manifest }));
    } else {
      ctx.out(runReply(scenario, result));
    }
  },
};
