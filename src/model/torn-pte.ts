/**
 * The torn PTE read of MODEL.md, at the level of 32-bit loads and stores.
 *
 * On x86-32 PAE a PTE is 64 bits and ptep_get_lockless()
 * (CONFIG_GUP_GET_PXX_LOW_HIGH; GUP_GET_PTE_LOW_HIGH before v6.2) loads it
 * in halves: low, high, then low again, retrying if the low half changed.
 * Writers order their stores so that the retry catches a change:
 * native_set_pte writes high then low, and native_pte_clear /
 * native_ptep_get_and_clear clear low then high. That is enough only while
 * the PTE cannot go A -> none -> B (B another present page) between the
 * walker's loads; the comment in include/linux/pgtable.h rests this on the
 * TLB flush between none and B, which W blocks by keeping IRQs off. If B can
 * come in anyway and B's low half equals A's, the re-check passes and W
 * accepts A's low half with the high half it loaded in between (0, while
 * the PTE was none), a value the PTE never held.
 *
 * The unmapper here zaps one PTE (zap_pte_range), flushes the TLB by the
 * same mechanism steps as the page-table-free model, and a fault on another
 * vCPU maps B at the address: after the flush (`pteRemap` after-flush,
 * MODEL.md's order and the comment's premise, so only a flush that sends W
 * no IPI lets B in), or as soon as the PTE is none (after-unlock, the
 * kernel's order: zap_pte_range drops the PTE lock and flushes before
 * pte_unmap_unlock only when force_flush is set, so B may come before
 * tlb_finish_mmu's flush whatever the flush mechanism). The page-table page
 * itself stays: race and corrupt cannot happen in this model, only torn.
 *
 * In time, W's three loads are `pteLoadGapUs` of on-CPU time apart, so the
 * zap and the fault must fall into those gaps: the unmap instant may fall in
 * either, and a host preemption stretches them.
 *
 * The clear is native_pte_clear's, low then high; native_ptep_get_and_clear
 * did the same (xchg of the low half) until it became one 64-bit cmpxchg,
 * which changes no verdict: the torn value needs the high half loaded after
 * the whole clear.
 *
 * Assumption: A's and B's high halves differ from each other and from 0
 * (physical memory above 4 GB, or _PAGE_NX, bit 63, set on data pages), so a
 * present value with a high half of 0 is one the PTE never held.
 *
 * Not modelled, and the kernel says more here: gup_fast_pte_range re-reads
 * the PTE after try_grab_folio_fast and drops the folio when the values
 * differ, so an accepted torn value costs a transient reference on the wrong
 * page unless that re-check is fooled too. `torn` is MODEL.md's outcome: the
 * value ptep_get_lockless accepts.
 */
import type { FlushMechanism, Params, PteRead, PteRemap } from "./params.js";
import { flushSteps, hostSteps, walkerSteps } from "./protocol.js";
import { type Model, one, type State, type Step, type WindowPhase } from "./state.js";

export interface PteProtocol extends Model {
  readonly flush: FlushMechanism;
  readonly pteRead: PteRead;
  readonly pteRemap: PteRemap;
}

/** Whether the PTE can be read torn at all: only when it is loaded in halves. */
export const canTear = (p: Pick<Params, "pteRead">): boolean => p.pteRead === "low-high";

/** The value W accepted is present and neither A nor B. */
export function tornValue(s: Pick<State, "wLow" | "wHigh" | "bLow">): boolean {
  if (s.wLow === "0") return false; // not present: gup_fast falls back to the slow path
  const isA = s.wLow === "A" && s.wHigh === "A";
  const isB = s.wLow === s.bLow && s.wHigh === "B";
  return !isA && !isB;
}

const accept = (s: State) => {
  if (tornValue(s)) s.torn = true;
  s.w = "read-done";
};

/** W's load of the PTE: the whole entry at once, or low, high, low again with retry. */
function loads(pteRead: PteRead): Step[] {
  if (pteRead === "atomic") {
    return [
      { id: "pte-load", actor: "W", kernel: "ptep_get_lockless: ptep_get(ptep), one 64-bit load",
        enabled: (s) => s.w === "walking", onCpu: true,
        delay: { param: "walkUs" },
        effects: one("PTE read whole", (s) => { s.wLow = s.pteLow; s.wHigh = s.pteHigh; accept(s); }) },
    ];
  }
  return [
    // The walk's work up to this PTE; a retry waits it again, which only the timed engines would notice.
    { id: "pte-load-low", actor: "W", kernel: "ptep_get_lockless: pte.pte_low = ptep->pte_low",
      enabled: (s) => s.w === "walking", onCpu: true,
      delay: { param: "walkUs" },
      effects: one("low half loaded", (s) => { s.wLow = s.pteLow; s.w = "low-read"; }) },
    { id: "pte-load-high", actor: "W", kernel: "ptep_get_lockless: smp_rmb(); pte.pte_high = ptep->pte_high",
      enabled: (s) => s.w === "low-read", onCpu: true,
      delay: { param: "pteLoadGapUs" },
      effects: one("high half loaded", (s) => { s.wHigh = s.pteHigh; s.w = "high-read"; }) },
    // The re-check is one load; which of the two steps it is depends on what it finds.
    { id: "pte-recheck", actor: "W", kernel: "ptep_get_lockless: smp_rmb(); pte.pte_low == ptep->pte_low, accept",
      enabled: (s) => s.w === "high-read" && s.pteLow === s.wLow, onCpu: true,
      delay: { param: "pteLoadGapUs" },
      effects: one("low half unchanged: value accepted", accept) },
    { id: "pte-retry", actor: "W", kernel: "ptep_get_lockless: pte.pte_low != ptep->pte_low, retry",
      enabled: (s) => s.w === "high-read" && s.pteLow !== s.wLow, onCpu: true,
      delay: { param: "pteLoadGapUs" },
      effects: one("low half changed: retry", (s) => { s.w = "walking"; }) },
  ];
}

/** W's window, load by load: before the first load, or between two of them with the halves it holds. */
function window(pteRead: PteRead): WindowPhase[] {
  if (pteRead === "atomic") return [{ step: "pte-load" }];
  return [
    { step: "pte-load-low" },
    { step: "pte-load-high", enter: (s) => { s.wLow = s.pteLow; s.w = "low-read"; } },
    { step: "pte-recheck", enter: (s) => { s.wLow = s.pteLow; s.wHigh = s.pteHigh; s.w = "high-read"; } },
  ];
}

/** U's zap of A (low half first). */
function zapSteps(): Step[] {
  return [
    { id: "pte-clear-low", actor: "U", kernel: "zap_pte_range -> ptep_get_and_clear -> native_pte_clear: ptep->pte_low = 0",
      enabled: (s) => s.u === "start",
      effects: one("PTE low half cleared", (s) => { s.pteLow = "0"; s.u = "zapping"; }) },
    { id: "pte-clear-high", actor: "U", kernel: "native_pte_clear: smp_wmb(); ptep->pte_high = 0",
      enabled: (s) => s.u === "zapping",
      effects: one("PTE high half cleared: PTE none", (s) => { s.pteHigh = "0"; s.u = "cleared"; }) },
  ];
}

/**
 * The fault that maps B (high half first), on another vCPU: its progress is
 * the PTE's halves themselves, so it runs alongside the unmapper's flush.
 */
function remapSteps(pteRemap: PteRemap): Step[] {
  const none = (s: State) => s.pteLow === "0" && s.pteHigh === "0";
  const may = pteRemap === "after-flush" ? (s: State) => none(s) && s.u === "flushed" : none;
  const store = "do_anonymous_page -> set_pte_at -> native_set_pte: ptep->pte_high = B.high";
  const kernel = pteRemap === "after-flush" ? store : `zap_pte_range: pte_unmap_unlock, no flush yet; ${store}`;
  return [
    { id: "pte-set-high", actor: "U", kernel,
      enabled: may,
      delay: { param: "faultUs" },
      effects: [
        { label: "B's high half stored; B's low half equals A's", weight: (p) => p.lowCollision,
          apply: (s) => { s.pteHigh = "B"; s.bLow = "A"; } },
        { label: "B's high half stored; B's low half differs", weight: (p) => 1 - p.lowCollision,
          apply: (s) => { s.pteHigh = "B"; s.bLow = "B"; } },
      ] },
    { id: "pte-set-low", actor: "U", kernel: "native_set_pte: smp_wmb(); ptep->pte_low = B.low",
      enabled: (s) => s.pteHigh === "B" && s.pteLow === "0",
      effects: one("PTE = B", (s) => { s.pteLow = s.bLow; }) },
  ];
}

/** The PTE model for one flush mechanism, way of loading the PTE and order of the fault. */
export function pteProtocol(p: Pick<Params, "flush" | "pteRead" | "pteRemap">): PteProtocol {
  return {
    flush: p.flush,
    pteRead: p.pteRead,
    pteRemap: p.pteRemap,
    steps: [...walkerSteps(loads(p.pteRead)), ...zapSteps(), ...flushSteps(p.flush), ...remapSteps(p.pteRemap), ...hostSteps()],
    window: window(p.pteRead),
    // Once W has accepted a value, torn is decided.
    settled: (s) => s.w === "read-done" || s.w === "done",
  };
}
