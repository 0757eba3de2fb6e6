/**
 * A model of many vCPUs (MODEL.md, "Many vCPUs"): the mm's state, shared
 * (U's program counter, the PMD, the page, the outcome flags, the IPIs
 * sent), and one record per other vCPU of the mm with the variables a
 * protocol declares `per: cpu` (W's program counter, whether the vCPU runs,
 * its IPIs pending, ...). `walkers` of those vCPUs are inside GUP-fast at the
 * unmap instant; the others run with IRQs on (the protocol's `bystander`).
 * W's and the host's steps act on one vCPU; U's read every vCPU through
 * all/any/count and act on each through `each` cases.
 */
import type { Delay, State, Value, Variable } from "./state.js";

/** Closures of a many-vCPU model: g the mm's state, l the vCPU read on (a vCPU's own step), cpus every vCPU. */
export type Cpus = readonly State[];

export interface ManyEffect {
  readonly label: string;
  readonly weight?: (p: Record<string, unknown>) => number;
  readonly apply: (g: State, l: State | undefined, cpus: Cpus) => void;
}

export interface ManyStep {
  /** Names its guards read, definitions expanded, and variables its effects write. */
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
  readonly id: string;
  readonly actor: "W" | "U" | "host";
  readonly kernel: string;
  /** A step of one vCPU (W's or the host's): enabled and applied on that vCPU. U's steps read every vCPU. */
  readonly perCpu: boolean;
  readonly enabled: (g: State, l: State | undefined, cpus: Cpus) => boolean;
  /** The vCPU's own execution: only while it runs (`wRunning`), its delay paused while preempted. */
  readonly onCpu?: true;
  readonly delay?: Delay;
  readonly effects: readonly ManyEffect[];
}

export interface ManyModel {
  readonly name: string;
  readonly model: "table-free";
  /** The mm's variables, then the per-CPU ones, in the file's order. */
  readonly globals: readonly Variable[];
  readonly locals: readonly Variable[];
  readonly steps: readonly ManyStep[];
  /** W's window: the step that ends each phase, and what puts a walker there. */
  readonly window: readonly { readonly step: string; readonly enter?: (g: State, l: State) => void }[];
  /** Variables something reads (a guard, an assignment's value, an outcome, what ends an episode); the rest change nothing. */
  readonly observed: ReadonlySet<string>;
  /** Puts a vCPU that is not walking in its state; absent: the protocol has none (cpus must be walkers + 1). */
  readonly bystander?: (g: State, l: State) => void;
  readonly settled: (g: State, cpus: Cpus) => boolean;
  readonly returned: (g: State, cpus: Cpus) => boolean;
  readonly waiting: (g: State, cpus: Cpus) => boolean;
  readonly freed: (g: State, cpus: Cpus) => boolean;
}

/** How many vCPUs of each kind an episode has. */
export interface Population {
  /** vCPUs of the mm, U's included. */
  readonly cpus: number;
  /** Of the others, how many are inside GUP-fast at the unmap instant. */
  readonly walkers: number;
}

const initialOf = (vars: readonly Variable[]): State => {
  const s: State = {};
  for (const v of vars) s[v.name] = v.initial;
  return s;
};

export const initialGlobals = (m: ManyModel): State => initialOf(m.globals);

/** A walker at the unmap instant: PMD read, P's address held, in `phase` of its window, preempted or not. */
export function walkerAtUnmap(m: ManyModel, g: State, preempted: boolean, phase: number): State {
  const l = initialOf(m.locals);
  l.w = "walking";
  l.wRunning = !preempted;
  l.preemptions = preempted ? 1 : 0;
  m.window[phase]?.enter?.(g, l);
  return l;
}

/** A vCPU of the mm that is not walking, preempted or not at the unmap instant. */
export function bystanderAtUnmap(m: ManyModel, g: State, preempted: boolean): State {
  const l = initialOf(m.locals);
  m.bystander!(g, l);
  l.wRunning = !preempted;
  l.preemptions = preempted ? 1 : 0;
  return l;
}

/** The first variable outside its values, as "name = value" (numbers of the mm are totals over vCPUs, unbounded). */
export function outsideDomainMany(m: ManyModel, g: State, cpus: Cpus): string | undefined {
  const check = (v: Variable, x: Value | undefined, where: string) =>
    v.values && !(typeof v.values[0] === "number" && where === "") && !v.values.includes(x!) ? `${where}${v.name} = ${JSON.stringify(x)}` : undefined;
  for (const v of m.globals) { const r = check(v, g[v.name], ""); if (r) return r; }
  for (let i = 0; i < cpus.length; i++) for (const v of m.locals) { const r = check(v, cpus[i]![v.name], `vCPU ${i + 1}: `); if (r) return r; }
  return undefined;
}
