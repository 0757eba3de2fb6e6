/** `tlbrace sweep`: one Monte Carlo run per cell of a grid of parameter values. */
import { type AxisValue, grid, logRange, range } from "../analysis/grid.js";
import { cellCount } from "../analysis/grid.js";
import { checkShard, runSweep, type Shard, shardCells, type SweepRow } from "../analysis/sweep.js";
import { outputFile, sweepCsv, writeSweep } from "./output.js";
import { checkRunOptions } from "../engines/montecarlo/run.js";
import { InputError } from "../model/errors.js";
import { paramSpec } from "../model/params.js";
import { defineScenario, presetNames } from "../model/scenario.js";
import { COMMON_OPTIONS, ENGINE_HELP, engineOption, episodesOption, overrides, parseCommandLine, positionals, profileOption, protocolOption, seedOption, settings, UsageError, WORKERS_HELP, workersOption } from "./args.js";
import { applyProfile } from "../measure/apply.js";
import type { Command } from "./command.js";
import { json, presetsHelp } from "./format.js";
import { progressLine } from "./progress.js";
import { DEFAULT_SEED } from "./run.js";
import { RARE_HELP, RARE_OPTIONS, rareOptionsOf } from "./rare-options.js";
import { runRareSweep } from "../analysis/rare-sweep.js";
import { SUMMARY } from "./commands.js";

/** Episodes from which a sweep says what it will cost before it starts (minutes, on a laptop). */
const LARGE_SWEEP = 1e8;
const ESTIMATE_AFTER_S = 3;

/** 3.2 h, 12 min, 40 s. */
function durationText(seconds: number): string {
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : seconds >= 60 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;
}

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
  ...RARE_OPTIONS,
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
  --protocol FILE        a protocol or patch file (YAML or JSON) in place
                         of the scenario's protocol; its parameters are kept
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
${RARE_HELP}
                         With --rare, --episodes is each cell's plain
                         pilot (the costs, and a check); each row says
                         its method, relativeError, reliable, problems
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
    const g = grid(protocolOption(applyProfile(preset, profileOption(values.profile), overrides(set)), values.protocol), axes);
    const opts = checkRunOptions({
      episodes: episodesOption(values.episodes, SWEEP_EPISODES),
      seed: seedOption(values.seed, DEFAULT_SEED),
    });

    const rare = rareOptionsOf(values, opts.seed);
    if (rare && values.engine === "interpret") throw new UsageError("--engine interpret: not with --rare; the estimator runs the compiled engine's tilted programs");
    const shard = values.shard === undefined ? undefined : checkShard(parseShard(values.shard), cellCount(g));
    const out = values.out === undefined ? undefined : outputFile(values.out);
    if (out && (values.csv || values.json)) throw new UsageError("--out writes the format its extension names; leave out --csv and --json");

    if (values.checkpoint !== undefined && values.resume !== undefined) throw new UsageError("--checkpoint and --resume: choose one");
    const checkpoint = values.resume ?? values.checkpoint;
    const workers = workersOption(values.workers, ctx.err), engine = engineOption(values.engine);
    // A large sweep says its size before it starts, and its time once a few seconds of work have measured this machine's rate.
    const [from, to] = shard ? shardCells(cellCount(g), shard) : [0, cellCount(g)];
    const large = (to - from) * opts.episodes >= LARGE_SWEEP;
    const started = performance.now();
    // The size once every input is checked (the checkpoint is read when the sweep starts): bad input stays one line.
    let sized = !large, estimated = !large;
    const estimate = (done: number, total: number) => {
      if (!sized) {
        sized = true;
        ctx.err.write(`tlbrace: sweep ${preset.name}: ${to - from} cells x ${opts.episodes} episodes = ${((to - from) * opts.episodes).toExponential(1)} episodes` +
          `${checkpoint === undefined ? "; --checkpoint FILE keeps finished cells if it is stopped" : ""}\n`);
      }
      const seconds = (performance.now() - started) / 1000;
      if (estimated || seconds < ESTIMATE_AFTER_S || done === 0) return;
      estimated = true;
      ctx.err.write(`tlbrace: sweep ${preset.name}: about ${durationText((seconds * (total - done)) / done)} to go at the rate of its first ${Math.round(seconds)} s\n`);
    };
    const progress = progressLine(ctx.err, `sweep ${preset.name}`, "episodes");
    const cells = (done: number, total: number) => {
      estimate(done, total);
      progress.update(done, total, `${Math.floor(done / opts.episodes)}/${total / opts.episodes} cells`);
    };
    // Plain CSV to stdout streams row by row, so memory stays flat however many cells.
    const stream = !out && !values.json && checkpoint === undefined;
    let header = false;
    const onRow = stream ? (row: SweepRow) => {
      ctx.out(sweepCsv({ axes: g.axes, rows: [row] }).split("\n").slice(header ? 1 : 0).join("\n"));
      header = true;
    } : undefined;
    const exec = {
      workers, engine, shard, checkpoint, resume: values.resume !== undefined,
      onProgress: cells, signal: ctx.signal, onRow, keepRows: !stream,
    };
    const data = await (rare ? runRareSweep(g, { ...opts, relError: rare.relError, maxEpisodes: rare.maxEpisodes }, exec) : runSweep(g, opts, exec)).catch((e: unknown) => {
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
