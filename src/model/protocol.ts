/**
 * The race of MODEL.md, written once as a transition system: a small state and
 * the steps of the walker W, the unmapper U and the host. Each engine reads it:
 * Monte Carlo gives the steps' delays their distributions and runs them in
 * time; the explorer ignores time and tries every order; the exact solver reads
 * exponential delays as rates. Step names are the kernel's, so a kernel reader
 * can check each step against the source.
 */
import type { FlushMechanism, TableFreeMode } from "./params.js";
import { freeSteps } from "./table-free.js";
import { inIrqsOff, irqsOn, type Model, one, sendIpiToW, type State, type Step } from "./state.js";

export {
  type Actor, canFire, copyState, type Delay, type Effect, inIrqsOff, initialState, irqsOn, MAX_IPIS, type Model, one,
  type PteHalf, type State, stateDomains, type Step, type UnmapperPc, type WalkerPc, type WindowPhase,
} from "./state.js";

/** The structural choices that select which steps exist. */
export interface Protocol extends Model {
  readonly flush: FlushMechanism;
  readonly tableFree: TableFreeMode;
}

/** The unmapper has returned from the free path: the episode's unmap latency ends here. */
export const unmapReturned = (s: State) => s.u === "gp" || s.u === "gp-done" || s.u === "freed" || s.u === "reused";
/** U is blocked on W's answer to an IPI (beyond the IPI's own round trip). */
export const unmapperWaiting = (s: State) => s.u === "flush-wait" || s.u === "sync-wait";
/** Nothing that happens after this can change the outcome or a cost. */
export const settled = (s: State) => (s.w === "done" || s.w === "idle") && (s.page !== "live");

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

const reuse: Step = {
  id: "reuse", actor: "U", kernel: "page allocator hands P out again; new owner overwrites it",
  enabled: (s) => s.page === "freed",
  delay: { param: "reuseUs" },
  effects: one("P reused", (s) => { s.page = "reused"; s.u = "reused"; }),
};

const pmdClear: Step = {
  id: "pmd-clear", actor: "U", kernel: "free_pmd_range: pmd_clear; pte_free_tlb -> tlb_remove_table",
  enabled: (s) => s.u === "start",
  effects: one("PMD cleared", (s) => { s.pmd = "clear"; s.u = "cleared"; }),
};

/** The steps for one flush mechanism and table-freeing mode. */
export function protocol(flush: FlushMechanism, tableFree: TableFreeMode): Protocol {
  return {
    flush,
    tableFree,
    steps: [...walkerSteps(), pmdClear, ...flushSteps(flush), ...freeSteps(tableFree), reuse, ...hostSteps()],
    // Reads of P go on through the whole walk; the unmap instant falls anywhere in it.
    window: [{ step: "pte-read" }],
    settled,
  };
}

