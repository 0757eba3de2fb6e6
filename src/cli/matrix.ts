/** `tlbrace matrix`: every flush mechanism against every table-freeing mode, answered by the three engines. */
import { checkMatrixOptions, MATRIX_DEFAULTS, matrixRows, runMatrix } from "../analysis/matrix.js";
import { Matrix } from "../api/matrix.js";
import { counterexampleText } from "../engines/explore/index.js";
import { defineScenario } from "../model/scenario.js";
import { ENGINE_HELP, engineOption, episodesOption, type Options, overrides, parseCommandLine, positionals, PROFILE_HELP, profileOption, PROTOCOL_HELP, protocolOption, seedOption, settings, UsageError, wholeNumber, WORKERS_HELP, workersOption } from "./args.js";
import { applyProfile } from "../measure/apply.js";
import type { Command } from "./command.js";
import { csv } from "../text/csv.js";
import { json, presetsHelp } from "./format.js";
import { progressLine } from "./progress.js";
import { SUMMARY } from "./commands.js";
import { RARE_OPTIONS, rareOptionsOf } from "./rare-options.js";
import { RARE_DEFAULTS } from "../engines/rare/estimate.js";

const OPTIONS = {
  base: { type: "string" },
  set: { type: "string", multiple: true },
  profile: { type: "string" },
  protocol: { type: "string" },
  episodes: { type: "string" },
  seed: { type: "string" },
  "max-preemptions": { type: "string" },
  "max-states": { type: "string" },
  workers: { type: "string" },
  engine: { type: "string" },
  counterexamples: { type: "boolean" },
  json: { type: "boolean" },
  csv: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...RARE_OPTIONS,
} as const satisfies Options;

const help = `Usage: tlbrace matrix [options]

Computes the verdict matrix: each of the 4 flush mechanisms against each
of the 6 table-freeing modes, all other parameters from one scenario.
Per cell: the explorer's verdict on the race (SAFE, or UNSAFE with a
shortest counterexample), the Monte Carlo pRace with its 95% interval,
and the exact pRace where every delay is exponential. Cells where the
engines disagree are named. Nothing is stored: every number is
computed now.

Options:
  --base SCENARIO     the scenario the cells share (default seed)
  --set KEY=VALUE     change one of its parameters; repeat for more
${PROFILE_HELP}
${PROTOCOL_HELP}
  --episodes N        Monte Carlo episodes per cell (default ${MATRIX_DEFAULTS.episodes})
  --seed S            random seed (default ${MATRIX_DEFAULTS.seed}); cell j uses stream j
  --max-preemptions K explorer: preemptions of W tried (default 2)
  --max-states N      explorer: state limit per cell (default 1e6)
  --counterexamples   after the grid, each unsafe cell's shortest race
  --json              print {base, rows, manifests} as JSON
  --csv               print one CSV row per cell
  --rare              estimate each cell's pRace to --rel-error with the
                      rare-event estimator, or settle it exactly (the
                      explorer, the exact solver); --episodes is then
                      each cell's plain pilot, and each cell says its
                      method, relative error and whether it is reliable
  --rel-error X       with --rare: the relative half-width of the 95%
                      interval to reach (default ${RARE_DEFAULTS.relError})
  --max-episodes N    with --rare: the most episodes one cell's estimate
                      may spend (default ${RARE_DEFAULTS.maxEpisodes})
${WORKERS_HELP}
${ENGINE_HELP}
  -h, --help          show this help

Examples:
  tlbrace matrix
  tlbrace matrix --episodes 1e5 --counterexamples
  tlbrace matrix --set memoryPressure=0.5 --set preemptRate=10 --csv
  tlbrace matrix --rare --set walkUs=lognormal:5:1 --set memoryPressure=1e-6
`;

export const matrix: Command = {
  name: "matrix",
  summary: SUMMARY.matrix,
  get help() {
    return help + presetsHelp();
  },
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(this.help);
    // Validate everything before the first episode.
    positionals("matrix", given, []);
    if (values.json && values.csv) throw new UsageError("--json and --csv: choose one");
    const base = protocolOption(applyProfile(defineScenario(values.base ?? "seed"), profileOption(values.profile), overrides(settings(values.set))), values.protocol);
    const whole = (flag: string, text: string | undefined) =>
      text === undefined ? undefined : wholeNumber(flag, text, "a whole number");
    const opts = {
      base,
      episodes: episodesOption(values.episodes, MATRIX_DEFAULTS.episodes),
      seed: seedOption(values.seed, MATRIX_DEFAULTS.seed),
      ...optional("maxPreemptions", whole("max-preemptions", values["max-preemptions"])),
      ...optional("maxStates", whole("max-states", values["max-states"])),
    };
    const rare = rareOptionsOf(values, opts.seed);
    if (rare && values.engine === "interpret") throw new UsageError("--engine interpret: not with --rare; the estimator runs the compiled engine's tilted programs");
    const all = { ...opts, ...(rare ? { rare: true, relError: rare.relError, maxEpisodes: rare.maxEpisodes } : {}) };
    checkMatrixOptions(all);

    const progress = progressLine(ctx.err, "matrix", "episodes");
    const data = await runMatrix(all, { workers: workersOption(values.workers, ctx.err), engine: engineOption(values.engine), onProgress: progress.update, signal: ctx.signal })
      .finally(progress.clear);
    const m = new Matrix(data);

    if (values.json) return ctx.out(json(m.toJSON()));
    if (values.csv) {
      const rows = matrixRows(data);
      return ctx.out(csv(Object.keys(rows[0]!), rows as unknown as Record<string, unknown>[]));
    }
    const out = [m.text()];
    if (values.counterexamples)
      for (const c of data.cells)
        if (c.explore.outcomes.race.verdict === "UNSAFE")
          out.push("", `${c.flush} / ${c.tableFree}`, counterexampleText(c.explore, "race"));
    ctx.out(out.join("\n") + "\n");
  },
};

const optional = <K extends string>(key: K, v: number | undefined): Partial<Record<K, number>> =>
  (v === undefined ? {} : { [key]: v }) as Partial<Record<K, number>>;
