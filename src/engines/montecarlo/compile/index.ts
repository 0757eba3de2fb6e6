/**
 * The compiled engine in three steps, as Arquero compiles expressions: read
 * the protocol (./graph.ts), write the program (./codegen.ts), turn it into a
 * function. Graphs are kept per protocol and functions per program source,
 * so a sweep compiles once and then only fills in each cell's constants.
 */
import { unmapInstantState } from "../../../model/entry.js";
import { oneWalkerOnly, type Params } from "../../../model/params.js";
import { modelKey, modelOf } from "../../../model/protocol.js";
import { type Histogram, record } from "../../../stats/histogram.js";
import { buildGraph, type Graph } from "./graph.js";
import { type DrawMode, type Program, writeProgram } from "./codegen.js";
import { UNIFORM } from "./samplers.js";

/** What a block of episodes adds up: counts across blocks, sums of this block only. */
export interface BlockAccumulator {
  races: number;
  corrupts: number;
  latency: number;
  free: number;
  ipis: number;
  wait: number;
}

/** Runs `episodes` episodes from generator state `words` into the histograms (latency, free, IPIs, wait) and `acc`. */
export type BlockRunner = (words: ArrayLike<number>, episodes: number, hist: readonly Histogram[], acc: BlockAccumulator) => void;
/** Runs `episodes` episodes of the PTE model from generator state `words`; the torn reads among them. */
export type TornRunner = (words: ArrayLike<number>, episodes: number) => number;

/** What a program calls; see Program.source. */
export interface Runtime {
  readonly record?: typeof record;
  readonly stuck: (state: number) => Error;
  readonly [name: string]: unknown;
}

type Factory<R> = (K: Float64Array, A: readonly Float64Array[], $: Runtime) => R;


const graphs = new Map<string, Graph>();
const factories = new Map<string, Factory<unknown>>();

/** Which model: the page-table-free protocol (race, corrupt, costs) or the PTE model (torn). */
export type ModelKind = "protocol" | "pte";

export function graphOf(p: Params, kind: ModelKind = "protocol"): Graph {
  oneWalkerOnly(p, "the compiled program");
  const model = kind === "pte" ? "pte" : "table-free";
  const key = modelKey(p, model);
  let g = graphs.get(key);
  if (!g) {
    const m = modelOf(p, model);
    g = buildGraph(m, (preempted, phase) => unmapInstantState(m, preempted, phase));
    graphs.set(key, g);
  }
  return g;
}

/** The program for these parameters: its source and the constants it runs with. */
export function programOf(p: Params, mode: DrawMode = "plain", kind: ModelKind = "protocol"): Program {
  return writeProgram(graphOf(p, kind), p, mode, kind === "pte" ? "torn" : "race");
}

/** The program's function, made once per source. */
export function instantiate<R>(prog: Program, runtime: Omit<Runtime, "stuck">): R {
  let make = factories.get(prog.source) as Factory<R> | undefined;
  if (!make) {
    make = new Function("K", "A", "$", prog.source) as Factory<R>;
    factories.set(prog.source, make as Factory<unknown>);
  }
  return make(prog.numbers, prog.arrays, { ...runtime, stuck: (state) => new Error(`episode stuck in state ${prog.states[state]}`) });
}

/**
 * Runners by parameters: a run's or a sweep cell's tasks share them, and a
 * runner keeps nothing between calls (every block starts from its own
 * generator state), so the program is written once per parameter set.
 */
const runners = new Map<string, unknown>();
const RUNNERS_KEPT = 64;

function cached<R>(key: string, make: () => R): R {
  let r = runners.get(key) as R | undefined;
  if (r === undefined) {
    r = make();
    if (runners.size >= RUNNERS_KEPT) runners.delete(runners.keys().next().value!);
    runners.set(key, r);
  }
  return r;
}

/** A block runner for these parameters. */
export function compiledRunner(p: Params): BlockRunner {
  return cached(`plain ${JSON.stringify(p)}`, () => instantiate<BlockRunner>(programOf(p), { record }));
}

/** A torn-read counter for these parameters (the PTE model). */
export function compiledTornRunner(p: Params): TornRunner {
  return cached(`torn ${JSON.stringify(p)}`, () => instantiate<TornRunner>(programOf(p, "torn", "pte"), { record }));
}

/**
 * The program as text for a reader: the source that runs, with the inlined
 * generator written `u = U();` once it has been shown, and the constants with
 * the values these parameters give them.
 */
export function programText(p: Params, kind: ModelKind = "protocol"): string {
  const prog = programOf(p, kind === "pte" ? "torn" : "plain", kind);
  const names = [...prog.source.matchAll(/^const (\w+) = K\[(\d+)\];$/gm)];
  return [
    "// The compiled Monte Carlo engine's program for these parameters: the body of",
    "// function (K, A, record, stuck), returning run(words, episodes, hist, acc).",
    "// u = U(); stands for one uniform from the generator, inlined as:",
    `//   ${UNIFORM}`,
    "// Constants (K):",
    ...names.map(([, name, i]) => `//   ${name} = ${prog.numbers[Number(i)]}`),
    ...(prog.arrays.length ? [`// Sample arrays (A): ${prog.arrays.map((a) => `${a.length} values`).join(", ")}`] : []),
    prog.source.split(UNIFORM).join("u = U();"),
  ].join("\n") + "\n";
}
