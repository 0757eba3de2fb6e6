/**
 * The race of MODEL.md, written once as a transition system: a small state and
 * the steps of the walker W, the unmapper U and the host. Each engine reads it:
 * Monte Carlo gives the steps' delays their distributions and runs them in
 * time; the explorer ignores time and tries every order; the exact solver reads
 * exponential delays as rates. Step names are the kernel's, so a kernel reader
 * can check each step against the source.
 */
import type { DelayParam, FlushMechanism, Params, TableFreeMode } from "./params.js";

/**
 * Walker program counter. `walking`: PMD read, P's address held, reads of P
 * under way. `low-read` and `high-read` are the halves of a PTE read as two
 * 32-bit loads (the PTE model of torn-pte.ts).
 */
export type WalkerPc = "idle" | "irqs-off" | "walking" | "low-read" | "high-read" | "read-done" | "done";
/**
 * Unmapper program counter, in the order of free_pgtables -> tlb_finish_mmu.
 * The PTE model (torn-pte.ts) uses `zapping` (low half cleared), `cleared`,
 * the flush, then `remapping` (B's high half written) and `remapped`.
 */
export type UnmapperPc =
  | "start" | "zapping" | "cleared" | "flushing" | "flush-wait" | "flushed"
  | "sync" | "sync-sent" | "sync-wait" | "rcu" | "gp" | "gp-done"
  | "freed" | "reused" | "remapping" | "remapped";
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
      "rcu", "gp", "gp-done", "freed", "reused", "remapping", "remapped"],
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

/** The structural choices that select which steps exist. */
export interface Protocol {
  readonly flush: FlushMechanism;
  readonly tableFree: TableFreeMode;
  readonly steps: readonly Step[];
}

/** W is inside local_irq_save .. local_irq_restore (preempted or not). */
const inIrqsOff = (s: State) =>
  s.w === "irqs-off" || s.w === "walking" || s.w === "low-read" || s.w === "high-read" || s.w === "read-done";
const irqsOn = (s: State) => s.w === "idle" || s.w === "done";
/** The unmapper has returned from the free path: the episode's unmap latency ends here. */
export const unmapReturned = (s: State) => s.u === "gp" || s.u === "gp-done" || s.u === "freed" || s.u === "reused";
/** U is blocked on W's answer to an IPI (beyond the IPI's own round trip). */
export const unmapperWaiting = (s: State) => s.u === "flush-wait" || s.u === "sync-wait";
/** Nothing that happens after this can change the outcome or a cost. */
export const settled = (s: State) => (s.w === "done" || s.w === "idle") && (s.page !== "live");

/** A step with one outcome. */
export const one = (label: string, apply: (s: State) => void): Effect[] => [{ label, apply }];

const sendIpiToW = (s: State) => {
  s.ipiPending++;
  s.ipis++;
};

/** P's reads in the page-table-free model: the last read decides race and corrupt. */
const readsOfP: readonly Step[] = [
  // Reads of P repeat until the walk's work is done; the page only gets worse
  // (live -> freed -> reused), so the last read decides the outcome.
  { id: "pte-read", actor: "W", kernel: "gup_fast_pte_range: ptep_get_lockless(P)",
    enabled: (s) => s.w === "walking", onCpu: true,
    delay: { param: "walkUs" },
    effects: one("last read of P", (s) => {
      if (s.page !== "live") s.race = true;
      if (s.page === "reused") s.corrupt = true;
      s.w = "read-done";
    }) },
];

/**
 * The walker: IRQs off, the PMD read, `reads` (from `walking` to
 * `read-done`), IRQs on, and the IPI handler. The PTE model passes its own reads.
 */
export function walkerSteps(reads: readonly Step[] = readsOfP): Step[] {
  return [
    { id: "irq-disable", actor: "W", kernel: "local_irq_save (gup_fast)",
      enabled: (s) => s.w === "idle", onCpu: true,
      effects: one("IRQs off", (s) => { s.w = "irqs-off"; }) },
    { id: "pmd-read", actor: "W", kernel: "gup_fast_pmd_range: pmdp_get_lockless",
      enabled: (s) => s.w === "irqs-off", onCpu: true,
      effects: one("PMD read", (s) => { s.w = s.pmd === "present" ? "walking" : "read-done"; }) },
    ...reads,
    { id: "irq-enable", actor: "W", kernel: "local_irq_restore (gup_fast)",
      enabled: (s) => s.w === "read-done", onCpu: true,
      effects: one("IRQs on", (s) => { s.w = "done"; s.rcuWaitsForW = false; }) },
    // An IPI is taken only by a running vCPU with IRQs on.
    { id: "ipi-ack", actor: "W", kernel: "flush_tlb_func / tlb_remove_table_smp_sync (IPI handler)",
      enabled: (s) => s.ipiPending > 0 && irqsOn(s), onCpu: true,
      effects: one("IPI answered", (s) => { s.ipiPending--; }) },
  ];
}

/** The host's preemption of W's vCPU and its return. */
export function hostSteps(): Step[] {
  return [
    { id: "preempt", actor: "host", kernel: "vCPU scheduled out: kvm_steal_time_set_preempted (KVM_VCPU_PREEMPTED)",
      enabled: inIrqsOff, onCpu: true,
      delay: { rate: "preemptRate" },
      effects: one("W preempted", (s) => { s.wRunning = false; s.preemptions++; }) },
    { id: "resume", actor: "host", kernel: "vCPU scheduled in: record_steal_time (flushes if KVM_VCPU_FLUSH_TLB)",
      enabled: (s) => !s.wRunning,
      delay: { param: "preemptUs" },
      effects: one("W resumed", (s) => { s.wRunning = true; s.flushTlbPending = false; }) },
  ];
}

/** The TLB flush by `flush`, from U's `cleared` (the entry is gone) to `flushed`. */
export function flushSteps(flush: FlushMechanism): Step[] {
  const startFlush: Step[] = (() => {
    switch (flush) {
      case "native-ipi":
        return [{ id: "flush-ipi", actor: "U" as const, kernel: "flush_tlb_mm_range -> native_flush_tlb_multi: IPI",
          enabled: (s: State) => s.u === "cleared",
          effects: one("flush IPI sent to W", (s) => { sendIpiToW(s); s.u = "flushing"; }) }];
      case "kvm-pv":
        return [
          { id: "flush-skip", actor: "U" as const, kernel: "kvm_flush_tlb_multi: W is KVM_VCPU_PREEMPTED, set KVM_VCPU_FLUSH_TLB, no IPI",
            enabled: (s: State) => s.u === "cleared" && !s.wRunning,
            effects: one("W skipped", (s) => { s.flushTlbPending = true; s.u = "flushing"; }) },
          { id: "flush-ipi", actor: "U" as const, kernel: "kvm_flush_tlb_multi -> native_flush_tlb_multi: IPI",
            enabled: (s: State) => s.u === "cleared" && s.wRunning,
            effects: one("flush IPI sent to W", (s) => { sendIpiToW(s); s.u = "flushing"; }) },
        ];
      case "hypercall":
        return [{ id: "flush-hypercall", actor: "U" as const, kernel: "hyperv_flush_tlb_multi / xen_flush_tlb_multi: hypercall, no IPI",
          enabled: (s: State) => s.u === "cleared",
          effects: one("hypervisor flushes", (s) => { s.u = "flushing"; }) }];
      case "broadcast":
        return [{ id: "flush-broadcast", actor: "U" as const, kernel: "INVLPGB+TLBSYNC / TLBI VAE1IS+DSB ISH: no IPI",
          enabled: (s: State) => s.u === "cleared",
          effects: one("broadcast invalidation", (s) => { s.u = "flushing"; }) }];
    }
  })();
  return [
    ...startFlush,
    { id: "flush-done", actor: "U", kernel: "tlb_finish_mmu -> tlb_flush_mmu_tlbonly: local part of the flush",
      enabled: (s) => s.u === "flushing",
      delay: { param: "flushUs" },
      effects: one("flush issued", (s) => { s.u = "flush-wait"; }) },
    // native_flush_tlb_multi waits (smp_call_function_many_cond, wait=true) for every IPI'd CPU.
    { id: "flush-acked", actor: "U", kernel: "smp_call_function_many_cond: all targets answered",
      enabled: (s) => s.u === "flush-wait" && s.ipiPending === 0,
      effects: one("flush complete", (s) => { s.u = "flushed"; }) },
  ];
}

const pmdClear: Step = {
  id: "pmd-clear", actor: "U", kernel: "free_pmd_range: pmd_clear; pte_free_tlb -> tlb_remove_table",
  enabled: (s) => s.u === "start",
  effects: one("PMD cleared", (s) => { s.pmd = "clear"; s.u = "cleared"; }),
};

const freeNow = (s: State) => { s.page = "freed"; s.u = "freed"; };

function freeSteps(mode: TableFreeMode): Step[] {
  const batch: Step = {
    id: "batch-alloc", actor: "U", kernel: "tlb_remove_table: __get_free_page(GFP_NOWAIT) for the batch",
    enabled: (s) => s.u === "flushed",
    effects: [
      { label: "batch allocation failed", weight: (p) => p.memoryPressure,
        // tlb_remove_table_one: sync IPI then free; the skip variant frees at once.
        apply: mode === "rcu-skip-sync" ? freeNow : (s) => { s.u = "sync"; } },
      { label: "batch allocated", weight: (p) => 1 - p.memoryPressure,
        apply: (s) => { s.u = "rcu"; } },
    ],
  };
  const sync: Step[] = [
    { id: "sync-ipi", actor: "U", kernel: "tlb_remove_table_sync_one: smp_call_function(tlb_remove_table_smp_sync)",
      enabled: (s) => s.u === "sync",
      effects: one("sync IPI sent to W", (s) => { sendIpiToW(s); s.u = "sync-sent"; }) },
    { id: "sync-sent", actor: "U", kernel: "smp_call_function: IPI round trip",
      enabled: (s) => s.u === "sync-sent",
      delay: { param: "ipiUs" },
      effects: one("IPI delivered", (s) => { s.u = "sync-wait"; }) },
    { id: "sync-acked", actor: "U", kernel: "tlb_remove_table_one: __tlb_remove_table after every CPU answered",
      enabled: (s) => s.u === "sync-wait" && s.ipiPending === 0,
      effects: one("P freed", freeNow) },
  ];
  const rcu: Step[] = [
    { id: "call-rcu", actor: "U", kernel: "tlb_table_flush -> tlb_remove_table_free: call_rcu(tlb_remove_table_rcu)",
      enabled: (s) => s.u === "rcu",
      effects: one("call_rcu", (s) => { s.rcuWaitsForW = inIrqsOff(s); s.u = "gp"; }) },
    { id: "gp-elapsed", actor: "U", kernel: "RCU grace period: least duration",
      enabled: (s) => s.u === "gp",
      delay: { param: "gracePeriodUs" },
      effects: one("grace period time passed", (s) => { s.u = "gp-done"; }) },
    // The grace period ends only once W has left its IRQs-off section (a quiescent state).
    { id: "rcu-free", actor: "U", kernel: "tlb_remove_table_rcu -> __tlb_batch_free_encoded_pages",
      enabled: (s) => s.u === "gp-done" && !s.rcuWaitsForW,
      effects: one("P freed", freeNow) },
  ];
  switch (mode) {
    case "immediate":
      return [{ id: "free", actor: "U", kernel: "pte_free: free the page at once",
        enabled: (s) => s.u === "flushed", effects: one("P freed", freeNow) }];
    case "sync-ipi":
      return [{ id: "to-sync", actor: "U", kernel: "collapse_huge_page: tlb_remove_table_sync_one before free",
        enabled: (s) => s.u === "flushed", effects: one("sync before free", (s) => { s.u = "sync"; }) }, ...sync];
    case "rcu":
      return [batch, ...sync, ...rcu];
    case "rcu-skip-sync":
      return [batch, ...rcu];
  }
}

const reuse: Step = {
  id: "reuse", actor: "U", kernel: "page allocator hands P out again; new owner overwrites it",
  enabled: (s) => s.page === "freed",
  delay: { param: "reuseUs" },
  effects: one("P reused", (s) => { s.page = "reused"; s.u = "reused"; }),
};

/** The steps for one flush mechanism and table-freeing mode. */
export function protocol(flush: FlushMechanism, tableFree: TableFreeMode): Protocol {
  return {
    flush,
    tableFree,
    steps: [...walkerSteps(), pmdClear, ...flushSteps(flush), ...freeSteps(tableFree), reuse, ...hostSteps()],
  };
}

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
