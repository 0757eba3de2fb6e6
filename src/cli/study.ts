/** `tlbrace study`: the seed study, written to a folder as report, reply text and CSV. */
import { EPISODES_ALLOWED, parseCommandLine, positionals, SEED_ALLOWED, wholeNumber } from "./args.js";
import { type Command, Interrupted } from "./command.js";
import { progressLine } from "./progress.js";

/** The contract of src/analysis/study.ts. */
interface StudyOptions {
  readonly out: string;
  readonly episodes?: number;
  readonly seed?: number;
  readonly onProgress?: (...report: unknown[]) => void;
  readonly signal?: AbortSignal;
}
interface StudyModule {
  runStudy(options: StudyOptions): Promise<{ readonly files: readonly string[] }>;
}

// A computed specifier: the CLI builds and its other commands work whether or
// not the study module is part of this build.
const STUDY_MODULE = "../analysis/study.js";

async function loadStudy(): Promise<StudyModule> {
  try {
    return (await import(STUDY_MODULE)) as StudyModule;
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" && String((e as Error).message).includes("study.js"))
      throw new Error("study: the study job is not part of this build");
    throw e;
  }
}

const OPTIONS = {
  out: { type: "string" },
  episodes: { type: "string" },
  seed: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export const DEFAULT_OUT = "out";

const help = `Usage: tlbrace study [options]

Runs the seed study and writes it to a folder: an HTML report, a
plain-text reply for the mailing list and the CSV behind them. Prints
the files written, one per line.

Options:
  --out DIR      folder to write to (default ${DEFAULT_OUT})
  --episodes N   episodes per run (default: the study's own)
  --seed S       random seed (default: the study's own)
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
  summary: "run the seed study and write report, reply and CSV to a folder",
  help,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(help);
    positionals("study", given, []);
    const options: StudyOptions = {
      out: values.out ?? DEFAULT_OUT,
      ...(values.episodes !== undefined && { episodes: wholeNumber("episodes", values.episodes, EPISODES_ALLOWED) }),
      ...(values.seed !== undefined && { seed: wholeNumber("seed", values.seed, SEED_ALLOWED) }),
    };
    const { runStudy } = await loadStudy();
    const progress = progressLine(ctx.err, "study", "steps");
    // The study may not watch the signal; stop waiting for it anyway.
    const { files } = await Promise.race([
      runStudy({ ...options, onProgress: showProgress(progress.update), signal: ctx.signal }),
      rejectOnAbort(ctx.signal),
    ]).finally(progress.clear);
    ctx.out(files.map((f) => `${f}\n`).join(""));
  },
};
