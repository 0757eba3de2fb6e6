/** `tlbrace study`: the seed study, written to a folder as report, reply text and CSV. */
import { runStudy, STUDY_DEFAULTS, type StudyOptions } from "../analysis/study.js";
import { engineOption, EPISODES_ALLOWED, parseCommandLine, positionals, SEED_ALLOWED, UsageError, wholeNumber } from "./args.js";
import { RARE_OPTIONS, rareOptionsOf } from "./rare-options.js";
import { RARE_DEFAULTS } from "../engines/rare/estimate.js";
import { type Command, Interrupted } from "./command.js";
import { progressLine } from "./progress.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  out: { type: "string" },
  episodes: { type: "string" },
  "run-episodes": { type: "string" },
  seed: { type: "string" },
  engine: { type: "string" },
  help: { type: "boolean", short: "h" },
  ...RARE_OPTIONS,
} as const;

export const DEFAULT_OUT = "out";

const help = `Usage: tlbrace study [options]

Runs the seed study and writes it to a folder: an HTML report, a
plain-text reply for the mailing list and the CSV behind them. Prints
the files written, one per line.

Options:
  --out DIR      folder to write to (default ${DEFAULT_OUT})
  --episodes N   episodes per sweep cell (default 20000)
  --run-episodes N
                 episodes of each single run (default 100 x
                 --episodes, at most 2e6)
  --seed S       random seed (default 1)
  --engine E     compiled (default) or interpret; same numbers
  --rare         each sweep by the rare-event path: every cell's pRace
                 to --rel-error by importance sampling, or settled by
                 the explorer or the exact solver; --episodes is then
                 each cell's plain pilot. The single runs stay plain
                 Monte Carlo
  --rel-error X  with --rare: the relative half-width of the 95%
                 interval to reach (default ${RARE_DEFAULTS.relError})
  --max-episodes N
                 with --rare: the most episodes one cell's estimate
                 may spend (default ${RARE_DEFAULTS.maxEpisodes})
  -h, --help     show this help

Progress goes to stderr when it is a terminal.
`;

/** Progress as the study reports it: (done, total) counts, or a step's name. */
function showProgress(update: (done: number, total: number, note?: string) => void) {
  return (...report: unknown[]) => {
    const [done, total] = report;
    const note = report.find((x): x is string => typeof x === "string");
    if (typeof done === "number" && typeof total === "number") update(done, total, note);
    else if (note !== undefined) update(0, 0, note);
  };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason ?? new Interrupted()), { once: true });
  });
}

export const study: Command = {
  name: "study",
  summary: SUMMARY.study,
  help,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(help);
    positionals("study", given, []);
    const seed = values.seed === undefined ? undefined : wholeNumber("seed", values.seed, SEED_ALLOWED);
    const rare = rareOptionsOf(values, seed ?? STUDY_DEFAULTS.seed);
    if (rare && values.engine === "interpret") throw new UsageError("--engine interpret: not with --rare; the estimator runs the compiled engine's tilted programs");
    const options: StudyOptions = {
      out: values.out ?? DEFAULT_OUT,
      ...(values.episodes !== undefined && { episodes: wholeNumber("episodes", values.episodes, EPISODES_ALLOWED) }),
      ...(values["run-episodes"] !== undefined && { runEpisodes: wholeNumber("run-episodes", values["run-episodes"], EPISODES_ALLOWED) }),
      ...(seed !== undefined && { seed }),
      ...(values.engine !== undefined && { engine: engineOption(values.engine) }),
      ...(rare && { rare: true, relError: rare.relError, maxEpisodes: rare.maxEpisodes }),
    };
    const progress = progressLine(ctx.err, "study", "steps");
    // The study may not watch the signal; stop waiting for it anyway.
    const { files } = await Promise.race([
      runStudy({ ...options, onProgress: showProgress(progress.update), signal: ctx.signal }),
      rejectOnAbort(ctx.signal),
    ]).finally(progress.clear);
    ctx.out(files.map((f) => `${f}\n`).join(""));
  },
};
