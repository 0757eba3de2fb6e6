/**
 * Output for people and for programs. Text is meant to be pasted into a
 * mailing-list reply: ASCII only, no tabs, at most 72 columns.
 */
import { COSTS, type CostName, type RunData } from "../engines/montecarlo/run.js";
import { DEFAULTS, formatParams, PARAM_SPECS } from "../model/params.js";
import { presetNames, type Scenario } from "../model/scenario.js";
import { ascii, columns as table, fit, fmtP as probability, fmtQuantity as quantity, WIDTH, wrap } from "../text/format.js";







/** A word as a POSIX shell reads it back. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A command line wrapped with backslash continuations, so it can be pasted back into a shell. */
export function commandLine(words: readonly string[], indent = "  ", width = WIDTH): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const w of words.map(shellWord)) {
    if (line.trim() && (line + " " + w + " \\").length > width) {
      lines.push(line + " \\");
      line = indent + "    " + w;
    } else {
      line = line.trim() ? `${line} ${w}` : indent + w;
    }
  }
  lines.push(line);
  return lines;
}

/** RFC 4180 CSV: a header row, then one line per row; numbers in full precision. */
export function csv(columns: readonly string[], rows: readonly Readonly<Record<string, unknown>>[]): string {
  const cell = (v: unknown) => {
    const s = v === undefined || v === null ? "" : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map(cell).join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}

/** JSON as printed: indented, one trailing newline. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** What a run's text block needs besides the result. */
export interface RunReportInput {
  readonly scenario: Scenario;
  readonly result: RunData;
  /** Parameter names given with --set. */
  readonly set: ReadonlySet<string>;
  /** The command line that reproduces the run, one word per item. */
  readonly rerun: readonly string[];
}

const COST_LABELS: Readonly<Record<CostName, string>> = {
  unmapLatencyUs: "unmap latency (us)",
  freeDelayUs: "free delay (us)",
  ipis: "IPIs to the walker",
  waitUs: "unmapper wait (us)",
};

/** The plain-text block of `tlbrace run`. */
export function runReport({ scenario, result: r, set, rerun }: RunReportInput): string {
  const values = formatParams(scenario.params);
  const defaults = formatParams(DEFAULTS);
  const params = PARAM_SPECS.map(({ name, unit }) => [
    name,
    fit(String(values[name]), 30),
    unit,
    set.has(name) ? "set" : values[name] === defaults[name] ? "default" : "preset",
  ]);
  const outcome = (label: string, n: number, p: number, [lo, hi]: readonly [number, number]) =>
    [label, String(n), probability(p), `${probability(lo)} .. ${probability(hi)}`];
  const costs = COSTS.map((c) => {
    const s = r.costs[c];
    return [COST_LABELS[c], quantity(s.mean), quantity(s.p50), quantity(s.p99), quantity(s.max)];
  });
  const m = r.manifest;
  const lines = [
    ...wrap(`${scenario.name}: ${scenario.title}`, WIDTH, "  "),
    "",
    ...table([["parameter", "value", "unit", "from"], ...params]),
    "(from: set = --set, preset = the scenario's, default = the model's)",
    "",
    `${r.episodes} episodes`,
    ...table([["outcome", "count", "p", "95% interval"],
      outcome("race", r.races, r.pRace, r.ci95),
      outcome("corrupt", r.corrupts, r.pCorrupt, r.corruptCi95)], [false, true, true]),
    "(race: the walker read the page after its free; corrupt: after its",
    "reuse. Intervals are exact Clopper-Pearson.)",
    "",
    ...table([["cost per episode", "mean", "p50", "p99", "max"], ...costs], [false, true, true, true, true]),
    "",
    `seed ${m.seed}, engine ${m.engine}, model ${m.modelVersion}, tlbrace ${m.version}`,
    "re-run with:",
    ...commandLine(rerun),
  ];
  return ascii(lines.join("\n")) + "\n";
}

/** The closing paragraph of a command's help: the preset names, wrapped. */
export function presetsHelp(): string {
  return ["", ...wrap(`Presets: ${presetNames().join(", ")}`, WIDTH, "  ")].join("\n") + "\n";
}
