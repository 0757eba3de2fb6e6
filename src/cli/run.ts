/** `tlbrace run`: one Monte Carlo run of a scenario. */
import { checkRunOptions, simulate } from "../engines/montecarlo/run.js";
import { defineScenario, presetNames } from "../model/scenario.js";
import { estimateRare, RARE_DEFAULTS } from "../engines/rare/estimate.js";
import type { Execution } from "../engines/montecarlo/pool.js";
import type { Scenario } from "../model/scenario.js";
import { rareReply } from "../report/rare.js";
import {
  COMMON_OPTIONS, ENGINE_HELP, engineOption, episodesOption, overrides, type Parsed, parseCommandLine, positionals,
  PROFILE_HELP, profileOption, PROTOCOL_HELP, protocolOption, seedOption, type Setting, settings, UsageError, WORKERS_HELP, workersOption,
} from "./args.js";
import { applyProfile } from "../measure/apply.js";
import type { Command, Context } from "./command.js";
import { runReply } from "../report/reply.js";
import { rareJson, runJson } from "../report/result.js";
import { json, presetsHelp } from "./format.js";
import { progressLine } from "./progress.js";
import { rareOptionsOf } from "./rare-options.js";
import { SUMMARY } from "./commands.js";

/** ~0.5 s on one core: enough to see rates down to ~1e-5 without making people wait. */
export const RUN_EPISODES = 200_000;
export const DEFAULT_SEED = 1;

const OPTIONS = {
  ...COMMON_OPTIONS,
  json: { type: "boolean" },
  rare: { type: "boolean" },
  "rel-error": { type: "string" },
  "max-episodes": { type: "string" },
} as const;

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
${PROTOCOL_HELP}
  --episodes N        episodes to sample (default ${RUN_EPISODES}; 1e6 works)
  --seed S            random seed (default ${DEFAULT_SEED}); same seed, same numbers
  --json              print one JSON object instead of text
  --rare              estimate pRace with the rare-event estimator
                      (importance sampling adapted by cross-entropy):
                      down to 1e-12 and below, any kind of delay
  --rel-error X       with --rare: stop at this relative half-width of
                      the 95% interval (default ${RARE_DEFAULTS.relError})
  --max-episodes N    with --rare: the most episodes to spend
                      (default ${RARE_DEFAULTS.maxEpisodes})
${WORKERS_HELP}
${ENGINE_HELP}
  -h, --help          show this help

Examples:
  tlbrace run seed
  tlbrace run seed --set memoryPressure=0.5 --set preemptRate=10
  tlbrace run seed --set tableFree=immediate --episodes 1e6 --json
  tlbrace run seed --set tableFree=rcu-skip-sync --set memoryPressure=1e-6 \\
      --set walkUs=lognormal:5:1 --rare
  tlbrace run seed --profile out/measure/profile.json
`;

export const run: Command = {
  name: "run",
  summary: SUMMARY.run,
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
    const scenario = protocolOption(applyProfile(preset, profileOption(values.profile), overrides(set)), values.protocol);
    const exec = { workers: workersOption(values.workers, ctx.err), engine: engineOption(values.engine) };
    if (values.rare) return runRare(scenario, set, values, exec, ctx);
    for (const flag of ["rel-error", "max-episodes"] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag}: only with --rare`);
    const opts = checkRunOptions({
      episodes: episodesOption(values.episodes, RUN_EPISODES),
      seed: seedOption(values.seed, DEFAULT_SEED),
    });

    const progress = progressLine(ctx.err, `run ${scenario.name}`, "episodes");
    const result = await simulate(scenario, opts, 0, { ...exec, onProgress: progress.update, signal: ctx.signal })
      .finally(progress.clear);

    if (values.json) {
      const { manifest, ...fields } = runJson(scenario, result);
      ctx.out(json({ ...fields, set: overrides(set), manifest }));
    } else {
      ctx.out(runReply(scenario, result));
    }
  },
};

type Values = Parsed<typeof OPTIONS>["values"];

/** `run --rare`: the rare-event estimator, its options checked before any work. */
async function runRare(scenario: Scenario, set: Setting[], values: Values, exec: Execution, ctx: Context): Promise<void> {
  if (values.episodes !== undefined) throw new UsageError("--episodes: not with --rare; the estimator takes what --rel-error needs, up to --max-episodes");
  if (values.engine === "interpret") throw new UsageError("--engine interpret: not with --rare; the estimator runs the compiled engine's tilted programs");
  const opts = rareOptionsOf(values, seedOption(values.seed, DEFAULT_SEED))!;
  const progress = progressLine(ctx.err, `rare ${scenario.name}`, "episodes");
  const result = await estimateRare(scenario, opts, { ...exec, onProgress: progress.update, signal: ctx.signal }).finally(progress.clear);
  if (values.json) {
    const { manifest, ...fields } = rareJson(scenario, result);
    ctx.out(json({ ...fields, set: overrides(set), manifest }));
  } else {
    ctx.out(rareReply(scenario, result));
  }
}
