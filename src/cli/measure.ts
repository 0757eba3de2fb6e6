/** `tlbrace measure`: this machine's delays and its kernel's flush and free code, as a profile. */
import { MEASURE_DEFAULTS, MAX_SECONDS, measure as measureMachine } from "../measure/measure.js";
import { profileText } from "../measure/summary.js";
import { InputError } from "../model/errors.js";
import { type Options, parseCommandLine, positionals } from "./args.js";
import { type Command, Interrupted } from "./command.js";
import { json } from "./format.js";
import { progressLine } from "./progress.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  seconds: { type: "string" },
  out: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

const help = `Usage: tlbrace measure [options]

Measures this machine for a few seconds and writes a profile: DIR/
profile.json and one CSV of samples per measured delay. It runs its own
load (munmap churn, MADV_COLLAPSE, membarrier) beside a thread pinned to
the last CPU, and traces cross-CPU calls and TLB flushes with bpftrace.
It reads the kernel's configuration and boot log for the model's flush,
tableFree and pteRead and the preset they match. Without root, bpftrace,
tracefs, kprobes or a kernel configuration it writes what it could
measure, and for every other parameter why not.

Options:
  --seconds N    length of the window (default ${MEASURE_DEFAULTS.seconds}, at most ${MAX_SECONDS})
  --out DIR      the profile's folder (default ${MEASURE_DEFAULTS.out})
  --json         print profile.json instead of the summary
  -h, --help     show this help

Ctrl-C ends the window early and keeps what was measured (exit 130).
Use the profile with run, sweep, exact and matrix:
  tlbrace run seed --profile ${MEASURE_DEFAULTS.out}/profile.json
`;

export const measure: Command = {
  name: "measure",
  summary: SUMMARY.measure,
  help,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(help);
    positionals("measure", given, []);
    const text = values.seconds;
    const seconds = text === undefined ? undefined : /^\s*[0-9]+(\.[0-9]+)?\s*$/.test(text) ? Number(text) : NaN;
    if (Number.isNaN(seconds)) throw new InputError("seconds", text, `a number of seconds from 1 to ${MAX_SECONDS}`);
    const progress = progressLine(ctx.err, "measure", "s");
    const m = await measureMachine({
      ...(seconds === undefined ? {} : { seconds }), ...(values.out === undefined ? {} : { out: values.out }),
      signal: ctx.signal, onProgress: (done, total) => progress.update(done, total, `${done.toFixed(1)}/${total} s`),
    }).finally(progress.clear);
    ctx.out(values.json ? json(m.profile) : profileText(m.profile, m.path));
    if (m.profile.window.interrupted) throw new Interrupted();
  },
};
