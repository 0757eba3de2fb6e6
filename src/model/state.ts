/**
 * What every model of the race is made of: the state both vCPUs and the host
 * act on, steps with guards, delays and weighted effects, and the shape the
 * engines read a model in (its steps, the phases of W's window an unmap can
 * fall in, and when an episode is over). The page-table-free protocol
 * (protocol.ts) and the PTE model (torn-pte.ts) are both such models.
 */
import type { DelayParam, Params } from "./params.js";

/**
 * Walker program counter. `walking`: PMD read, P's address held, reads of P
 * under way. `low-read` and `high-read` are the halves of a PTE read as two
 * 32-bit loads (the PTE model of torn-pte.ts).
 */
export type WalkerPc = "idle" | "irqs-off" | "walking" | "low-read" | "high-read" | "read-done" | "done";
/**
 * Unmapper program counter, in the order of free_pgtables -> tlb_finish_mmu.
 * The PTE model (torn-pte.ts) uses `zapping` (low half cleared), `cleared`
 * and the flush; the fault that maps B is read off the PTE's halves.
 */
export type UnmapperPc =
  | "start" | "zapping" | "cleared" | "flushing" | "flush-wait" | "flushed"
  | "sync" | "sync-sent" | "sync-wait" | "rcu" | "rcu-one" | "gp" | "gp-done"
  | "freed" | "reused";
/**
 * A 32-bit half of a PTE in the PTE model: A's bits, B's bits, or 0. A and B
 * are present, so their low halves hold _PAGE_PRESENT and are never 0.
 */
export type PteHalf = "A" | "B" | "0";

export interface State {
  w: WalkerPc;
  /** false while the host has W scheduled out (steal time holds KVM_VCPU_PREEMPTED). */
  wRunning: boolean;
  /** KVM_VCPU_FLUSH_TLB: set by kvm_flush_tlb_multi instead of an IPI; the host flushes on resume. */
  flushTlbPending: boolean;
  /** IPIs sent to W and not yet answered. */
  ipiPending: number;
  /** IPIs sent to W in all (a cost). */
  ipis: number;
  /** Host preemptions of W so far (the explorer bounds it). */
  preemptions: number;
  u: UnmapperPc;
  pmd: "present" | "clear";
  page: "live" | "freed" | "reused";
  /** call_rcu was made while W was inside its IRQs-off section: the grace period waits for W. */
  rcuWaitsForW: boolean;
  race: boolean;
  corrupt: boolean;
  /** The PTE model only: the PTE's two halves as they are in memory. */
  pteLow: PteHalf;
  pteHigh: PteHalf;
  /** The PTE model only: the halves W has loaded (pte.pte_low, pte.pte_high in ptep_get_lockless). */
  wLow: PteHalf;
  wHigh: PteHalf;
  /** The PTE model only: B's low half, A's bits when they collide (lowCollision). */
  bLow: "A" | "B";
  /** The PTE model only: W accepted a present PTE value the PTE never held. */
  torn: boolean;
}

/** The largest number of IPIs sent to W in one episode: the flush's and tlb_remove_table_sync_one's. */
export const MAX_IPIS = 2;

/**
 * Every value each State field can take, for engines that enumerate states
 * (the explorer's state codes, the Promela export). `preemptions` is bounded
 * by the caller: the model itself puts no bound on it.
 */
export function stateDomains(maxPreemptions: number): { readonly [K in keyof State]: readonly State[K][] } {
  const upTo = (n: number) => Array.from({ length: n + 1 }, (_, i) => i);
  const bool = [false, true];
  return {
    w: ["idle", "irqs-off", "walking", "low-read", "high-read", "read-done", "done"],
    wRunning: bool,
    flushTlbPending: bool,
    ipiPending: upTo(MAX_IPIS),
    ipis: upTo(MAX_IPIS),
    preemptions: upTo(maxPreemptions),
    u: ["start", "zapping", "cleared", "flushing", "flush-wait", "flushed", "sync", "sync-sent", "sync-wait",
      "rcu", "rcu-one", "gp", "gp-done", "freed", "reused"],
    pmd: ["present", "clear"],
    page: ["live", "freed", "reused"],
    rcuWaitsForW: bool,
    race: bool,
    corrupt: bool,
    pteLow: ["A", "B", "0"],
    pteHigh: ["A", "B", "0"],
    wLow: ["A", "B", "0"],
    wHigh: ["A", "B", "0"],
    bLow: ["A", "B"],
    torn: bool,
  };
}

export type Actor = "W" | "U" | "host";

/** How long a step takes once enabled: a delay parameter, or an exponential rate per ms. */
export type Delay = { readonly param: DelayParam } | { readonly rate: "preemptRate" };

/** One outcome of a step; a step with several is a probabilistic branch. */
export interface Effect {
  readonly label: string;
  /** Probability of this branch; absent means 1. Branch weights of a step sum to 1. */
  readonly weight?: (p: Params) => number;
  readonly apply: (s: State) => void;
}

export interface Step {
  readonly id: string;
  readonly actor: Actor;
  /** The kernel function(s) this step stands for. */
  readonly kernel: string;
  /** The guard, apart from `onCpu`. */
  readonly enabled: (s: State) => boolean;
  /**
   * The step is W's execution (or the host preempting it): it happens only while
   * W's vCPU runs, and its delay counts W's on-CPU time, paused while preempted.
   */
  readonly onCpu?: true;
  /** Absent: the step happens at once when enabled, before time moves. */
  readonly delay?: Delay;
  readonly effects: readonly Effect[];
}

/**
 * A part of W's IRQs-off window after the PMD read: the unmap instant falls in
 * it with probability proportional to the mean of its step's delay (entry.ts).
 */
export interface WindowPhase {
  /** The id of W's on-CPU step that ends the phase; its delay is W's work in the phase. */
  readonly step: string;
  /** W's state in the phase, written over the unmap instant's start state; absent: W is `walking`. */
  readonly enter?: (s: State) => void;
}

/** A model as the engines read it. */
export interface Model {
  readonly steps: readonly Step[];
  /** W's IRQs-off window after the PMD read, phase by phase, in the order W goes through them. */
  readonly window: readonly WindowPhase[];
  /** Nothing that happens after this can change the model's outcomes (or, in the page-table-free protocol, a cost). */
  readonly settled: (s: State) => boolean;
}

/** W is inside local_irq_save .. local_irq_restore (preempted or not). */
export const inIrqsOff = (s: State) =>
  s.w === "irqs-off" || s.w === "walking" || s.w === "low-read" || s.w === "high-read" || s.w === "read-done";
export const irqsOn = (s: State) => s.w === "idle" || s.w === "done";

/** A step with one outcome. */
export const one = (label: string, apply: (s: State) => void): Effect[] => [{ label, apply }];

export const sendIpiToW = (s: State) => {
  s.ipiPending++;
  s.ipis++;
};

/** The state before anything happens: W about to disable IRQs, U about to clear the PMD. */
export function initialState(): State {
  return {
    w: "idle", wRunning: true, flushTlbPending: false, ipiPending: 0, ipis: 0, preemptions: 0,
    u: "start", pmd: "present", page: "live", rcuWaitsForW: false, race: false, corrupt: false,
    pteLow: "A", pteHigh: "A", wLow: "0", wHigh: "0", bLow: "B", torn: false,
  };
}

export const copyState = (s: State): State => ({ ...s });

/** Whether `step` can happen now: its guard holds and, for W's own steps, W's vCPU runs. */
export const canFire = (step: Step, s: State): boolean => step.enabled(s) && (!step.onCpu || s.wRunning);
