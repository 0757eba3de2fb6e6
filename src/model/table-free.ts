/**
 * How the unmapper frees the page-table page P after the flush: one list of
 * steps per table-freeing mode, from U's `flushed` to P freed (`freed`).
 * mm/mmu_gather.c is the kernel's side of every mode but `immediate`.
 */
import type { TableFreeMode } from "./params.js";
import { inIrqsOff, one, sendIpiToW, type State, type Step } from "./state.js";

const freeNow = (s: State) => { s.page = "freed"; s.u = "freed"; };

/** What tlb_remove_table_one does with the table when the batch page cannot be allocated. */
function onFailedBatch(mode: TableFreeMode): (s: State) => void {
  switch (mode) {
    // The optimisation leaves out the sync IPI and frees at once.
    case "rcu-skip-sync": return freeNow;
    // CONFIG_PT_RECLAIM: __tlb_remove_table_one is call_rcu for the one table, no IPI.
    case "rcu-pt-reclaim": return (s) => { s.u = "rcu-one"; };
    // tlb_remove_table_sync_one, then __tlb_remove_table.
    default: return (s) => { s.u = "sync"; };
  }
}

export function freeSteps(mode: TableFreeMode): Step[] {
  const batch: Step = {
    id: "batch-alloc", actor: "U", kernel: "tlb_remove_table: __get_free_page(GFP_NOWAIT) for the batch",
    enabled: (s) => s.u === "flushed",
    effects: [
      { label: "batch allocation failed", weight: (p) => p.memoryPressure, apply: onFailedBatch(mode) },
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
  // tlb_remove_table calls tlb_table_invalidate (a flush) before tlb_remove_table_one, so the call_rcu
  // comes after a flush here too, as in the model's order.
  const rcuOne: Step = {
    id: "call-rcu-one", actor: "U", kernel: "tlb_remove_table_one -> __tlb_remove_table_one: call_rcu(__tlb_remove_table_one_rcu)",
    enabled: (s) => s.u === "rcu-one",
    effects: one("call_rcu for the one table", (s) => { s.rcuWaitsForW = inIrqsOff(s); s.u = "gp"; }),
  };
  const rcu: Step[] = [
    { id: "call-rcu", actor: "U", kernel: "tlb_table_flush -> tlb_remove_table_free: call_rcu(tlb_remove_table_rcu)",
      enabled: (s) => s.u === "rcu",
      effects: one("call_rcu", (s) => { s.rcuWaitsForW = inIrqsOff(s); s.u = "gp"; }) },
    { id: "gp-elapsed", actor: "U", kernel: "RCU grace period: least duration",
      enabled: (s) => s.u === "gp",
      delay: { param: "gracePeriodUs" },
      effects: one("grace period time passed", (s) => { s.u = "gp-done"; }) },
    // The grace period ends only once W has left its IRQs-off section (a quiescent state).
    { id: "rcu-free", actor: "U",
      kernel: mode === "rcu-pt-reclaim"
        ? "tlb_remove_table_rcu / __tlb_remove_table_one_rcu -> __tlb_remove_table"
        : "tlb_remove_table_rcu -> __tlb_batch_free_encoded_pages",
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
    case "rcu-pt-reclaim":
      return [batch, rcuOne, ...rcu];
  }
}
