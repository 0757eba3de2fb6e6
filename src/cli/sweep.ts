/** `tlbrace sweep`: one Monte Carlo run per cell of a grid of parameter values. */
import { type AxisValue, grid, logRange, range } from "../analysis/grid.js";
import { cellCount } from "../analysis/grid.js";
import { checkShard, runSweep, type Shard, type SweepRow } from "../analysis/sweep.js";
import { outputFile, sweepCsv, writeSweep } from "./output.js";
import { checkRunOptions } from "../engines/montecarlo/run.js";
import { InputError } from "../model/errors.js";
import { paramSpec } from "../model/params.js";
import { defineScenario, presetNames } from "../model/scenario.js";
import { COMMON_OPTIONS, ENGINE_HELP, engineOption, episodesOption, overrides, parseCommandLine, positionals, profileOption, seedOption, settings, UsageError, WORKERS_HELP, workersOption } from "./args.js";
import { applyProfile } from "../measure/apply.js";
import type { Command } from "./command.js";
import { json, presetsHelp } from "./format.js";
import { progressLine } from "./progress.js";
import { DEFAULT_SEED } from "./run.js";
import { SUMMARY } from "./commands.js";

/** Per cell: a 21 x 21 grid then takes ~10-30 s. */
export const SWEEP_EPISODES = 20_000;

const OPTIONS = {
  ...COMMON_OPTIONS,
  vary: { type: "string", multiple: true },
  csv: { type: "boolean" },
  json: { type: "boolean" },
  shard: { type: "string" },
  out: { type: "string" },
  checkpoint: { type: "string" },
  resume: { type: "string" },
} as const;

/** The most values one axis may have (as range() allows). */
const MAX_POINTS = 10_000;
const VARY_FORMS = "NAME=FROM:TO:N, NAME=log:FROM:TO:N or NAME=V1,V2,...";

const help = `Usage: tlbrace sweep <scenario> --vary SPEC [--vary SPEC]... [options]

Runs the scenario once per cell of a grid and prints one row per cell:
the axis values, races, pRace with its 95% interval (pRaceLo, pRaceHi),
pCorrupt and the costs. Cell j draws from random stream (seed, j), so
its numbers do not depend on the other cells.

Arguments:
  <scenario>             a preset name (see the list below)

Options:
  --vary NAME=FROM:TO:N  N evenly spaced values from FROM to TO
  --vary NAME=log:FROM:TO:N
                         N values evenly spaced on a log scale
  --vary NAME=V1,V2,...  the values listed (numbers, exp:5, kvm-pv, ...)
                         The first --vary changes slowest.
  --set KEY=VALUE        change a parameter that is not varied; repeat
  --profile FILE         a profile.json of tlbrace measure: its measured
                         values replace the scenario's; --set and --vary
                         still win
  --episodes N           episodes per cell (default ${SWEEP_EPISODES})
  --seed S               random seed (default ${DEFAULT_SEED})
  --csv                  print CSV (the default)
  --json                 print {manifest, axes, rows} as JSON
  --shard I/N            run only shard I of N (contiguous cell
                         ranges); tlbrace merge joins the parts
  --out FILE             write to FILE instead of stdout: .arrow (Arrow
                         IPC with the manifest), .json or .csv
  --checkpoint FILE      append each finished cell to FILE; continue
                         after the cells of this sweep FILE holds
  --resume FILE          continue the sweep checkpointed in FILE
${WORKERS_HELP.replace("--workers N", "--workers N   ")}
${ENGINE_HELP.replace("--engine E", "--engine E   ").replace(/\n {22}/, "\n                         ")}
  -h, --help             show this help

Progress goes to stderr when it is a terminal. Ctrl-C keeps the cells
finished so far in the checkpoint. Results do not depend on --workers,
--shard or resuming: merged shards equal the unsharded sweep.

Examples:
  tlbrace sweep seed --vary memoryPressure=0:1:11 \\
      --vary preemptRate=log:0.01:100:9 --episodes 1e4 > sweep.csv
  tlbrace sweep seed --vary memoryPressure=0:1:11 --shard 3/4 \\
      --out part-3.arrow
`;

/** `--shard I/N`; checkShard checks the range. */
export function parseShard(text: string): Shard {
  const m = /^\s*([0-9]+)\s*\/\s*([0-9]+)\s*$/.exec(text);
  if (!m) throw new InputError("shard", text, "I/N with whole numbers 1 <= I <= N, such as 3/16");
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** Parses one --vary into its parameter name and values; grid() validates the values. */
export function parseVary(spec: string): [string, AxisValue[]] {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new InputError("--vary", spec, VARY_FORMS);
  const name = spec.slice(0, eq).trim();
  paramSpec(name);
  const body = spec.slice(eq + 1).trim();
  const field = `--vary ${name}`;
  const parts = body.split(":");
  const num = (s: string) => {
    const x = s.trim() === "" ? NaN : Number(s);
    if (!Number.isFinite(x)) throw new InputError(field, body, VARY_FORMS);
    return x;
  };
  const count = (s: string) => {
    const n = /^\s*[0-9]+\s*$/.test(s) ? Number(s) : NaN;
    if (!(n >= 1 && n <= MAX_POINTS)) throw new InputError(field, body, `${VARY_FORMS}, with N from 1 to ${MAX_POINTS}`);
    return n;
  };
  if (!body.includes(",")) {
    if (parts[0] === "log") {
      if (parts.length !== 4) throw new InputError(field, body, VARY_FORMS);
      const [from, to] = [num(parts[1]!), num(parts[2]!)];
      if (!(from > 0 && to > 0)) throw new InputError(field, body, "log:FROM:TO:N with FROM and TO > 0");
      return [name, logRange(from, to, count(parts[3]!))];
    }
    if (parts.length === 3 && parts.every((p) => p.trim() !== "" && Number.isFinite(Number(p))))
      return [name, range(num(parts[0]!), num(parts[1]!), count(parts[2]!))];
  }
  const values = body.split(",").map((v) => v.trim());
  if (values.some((v) => v === "")) throw new InputError(field, body, VARY_FORMS);
  // Numbers stay numbers, so JSON rows carry numbers for numeric axes.
  return [name, values.map((v) => (Number.isFinite(Number(v)) ? Number(v) : v))];
}

export const sweep: Command = {
  name: "sweep",
  summary: SUMMARY.sweep,
  get help() {
    return help + presetsHelp();
  },
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(this.help);
    const [name] = positionals("sweep", given, ["<scenario>"], presetNames());
    if (values.csv && values.json) throw new UsageError("--csv and --json: choose one");
    const preset = defineScenario(name!);
    const set = settings(values.set);
    if (!values.vary?.length) throw new UsageError(`sweep: --vary is missing; expected ${VARY_FORMS}`);
    const axes: Record<string, AxisValue[]> = {};
    for (const [axis, list] of values.vary.map(parseVary)) {
      if (axis in axes) throw new InputError("--vary", axis, "each parameter varied once");
      if (set.some((s) => s.key === axis)) throw new InputError("--set", axis, "a parameter that is not also given to --vary");
      axes[axis] = list;
    }
    const g = grid(applyProfile(preset, profileOption(values.profile), overrides(set)), axes);
    const opts = checkRunOptions({
      episodes: episodesOption(values.episodes, SWEEP_EPISODES),
      seed: seedOption(values.seed, DEFAULT_SEED),
    });

    const shard = values.shard === undefined ? undefined : checkShard(parseShard(values.shard), cellCount(g));
    const out = values.out === undefined ? undefined : outputFile(values.out);
    if (out && (values.csv || values.json)) throw new UsageError("--out writes the format its extension names; leave out --csv and --json");

    const progress = progressLine(ctx.err, `sweep ${preset.name}`, "episodes");
    const cells = (done: number, total: number) =>
      progress.update(done, total, `${Math.floor(done / opts.episodes)}/${total / opts.episodes} cells`);
    if (values.checkpoint !== undefined && values.resume !== undefined) throw new UsageError("--checkpoint and --resume: choose one");
    const checkpoint = values.resume ?? values.checkpoint;
    // Plain CSV to stdout streams row by row, so memory stays flat however many cells.
    const stream = !out && !values.json && checkpoint === undefined;
    let header = false;
    const onRow = stream ? (row: SweepRow) => {
      ctx.out(sweepCsv({ axes: g.axes, rows: [row] }).split("\n").slice(header ? 1 : 0).join("\n"));
      header = true;
    } : undefined;
    const data = await runSweep(g, opts, {
      workers: workersOption(values.workers), engine: engineOption(values.engine), shard, checkpoint, resume: values.resume !== undefined,
      onProgress: cells, signal: ctx.signal, onRow, keepRows: !stream,
    }).catch((e: unknown) => {
      if (ctx.signal.aborted && checkpoint !== undefined)
        ctx.err.write(`tlbrace: finished cells are kept in ${checkpoint}; --resume ${checkpoint} continues\n`);
      throw e;
    }).finally(progress.clear);
    if (out) {
      writeSweep(out, data);
      ctx.err.write(`wrote ${out} (${data.rows.length} cells${shard ? `, shard ${shard.index}/${shard.count}` : ""})\n`);
      return;
    }
    if (!stream) ctx.out(values.json ? json(data) : sweepCsv(data));
  },
};
