/**
 * The subcommands by name, with their one-line summaries, each loaded only
 * when it runs: `tlbrace --help` and `--version` load no engine.
 */
import type { Command } from "./command.js";

interface Entry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const SUMMARY = {
  run: "simulate one scenario: race probability, 95% interval, costs",
  sweep: "simulate a grid of parameter values, one CSV/JSON row per cell",
  merge: "join the shards of a sweep (--shard I/N) into the whole sweep",
  study: "run the seed study and write report, reply and CSV to a folder",
  report: "a saved result as reply text or an HTML page",
  rerun: "re-run a result from its manifest and check the numbers",
  exact: "solve one scenario exactly as a Markov chain: pRace, costs",
  explore: "every interleaving: SAFE, or UNSAFE with a counterexample",
  matrix: "flush mechanism x table-freeing mode: verdict, pRace, exact",
  scenarios: "list the preset scenarios in the order the kernel met them",
  measure: "measure this machine: delays, flush and free code, a profile",
  compile: "print the program the compiled Monte Carlo engine runs",
  protocol: "print a preset's protocol as a file, or check a protocol file",
} as const;

export const COMMANDS: readonly Entry[] = [
  { name: "run", summary: SUMMARY.run, load: async () => (await import("./run.js")).run },
  { name: "sweep", summary: SUMMARY.sweep, load: async () => (await import("./sweep.js")).sweep },
  { name: "merge", summary: SUMMARY.merge, load: async () => (await import("./merge.js")).merge },
  { name: "study", summary: SUMMARY.study, load: async () => (await import("./study.js")).study },
  { name: "report", summary: SUMMARY.report, load: async () => (await import("./report.js")).report },
  { name: "rerun", summary: SUMMARY.rerun, load: async () => (await import("./rerun.js")).rerun },
  { name: "exact", summary: SUMMARY.exact, load: async () => (await import("./exact.js")).exact },
  { name: "explore", summary: SUMMARY.explore, load: async () => (await import("./explore.js")).explore },
  { name: "matrix", summary: SUMMARY.matrix, load: async () => (await import("./matrix.js")).matrix },
  { name: "scenarios", summary: SUMMARY.scenarios, load: async () => (await import("./scenarios.js")).scenarios },
  { name: "measure", summary: SUMMARY.measure, load: async () => (await import("./measure.js")).measure },
  { name: "compile", summary: SUMMARY.compile, load: async () => (await import("./compile.js")).compile },
  { name: "protocol", summary: SUMMARY.protocol, load: async () => (await import("./protocol.js")).protocol },
];
