/**
 * The model's structural choices for the running kernel: which flush reaches
 * the walker's vCPU, how page tables are freed, how a PTE is read; each from
 * the kernel's configuration and what the kernel showed (boot log, symbols,
 * traced flushes), with that evidence written out. Where nothing decides a
 * choice, it is left open with the reason, never guessed.
 */
import { type FlushMechanism, type PteRead, TABLE_FREE_MODES, type TableFreeMode } from "../model/params.js";
import { preset, presetNames, type Scenario } from "../model/scenario.js";
import { kernelHistory } from "../model/history.js";
import { parseArch, parseHypervisor, parseVersion, presetForKernel, rowOf } from "../model/applies.js";
import type { FlushSkips } from "./ipi.js";
import { isSet, type KernelConfig } from "./kernel-config.js";
import type { MachineFacts } from "./machine.js";

export interface Choice<T extends string> {
  /** What the model runs; null when nothing here decides it. */
  readonly value: T | null;
  /** What the kernel does, when the model names it otherwise or lacks it. */
  readonly kernel?: string;
  readonly evidence: readonly string[];
  /** Why the value is open, or stands in for the kernel's mode. */
  readonly why?: string;
}

export interface ModelChoices {
  readonly flush: Choice<FlushMechanism>;
  readonly tableFree: Choice<TableFreeMode>;
  readonly pteRead: Choice<PteRead>;
  /** Presets with this flush and table free, best first (the same PTE read, then kernel order). */
  readonly presets: readonly string[];
}

/** The table-freeing mode of CONFIG_PT_RECLAIM kernels (6.14+ on x86_64). */
export const PT_RECLAIM_MODE = "rcu-pt-reclaim";

const configOf = (f: MachineFacts): KernelConfig | undefined => (f.config.ok ? f.config.config : undefined);

function skipEvidence(s: FlushSkips): string {
  return `traced remote flushes of the churn thread: ${s.running.withIpi} of ${s.running.flushes} sent the busy vCPU ` +
    `an IPI while it ran, ${s.hostGap.withIpi} of ${s.hostGap.flushes} while the host had it (steal time)`;
}

export function detectFlush(f: MachineFacts, skips: FlushSkips | null): Choice<FlushMechanism> {
  const c = configOf(f);
  const evidence: string[] = [];
  const pick = (value: FlushMechanism, why?: string): Choice<FlushMechanism> => ({ value, evidence, ...(why ? { why } : {}) });
  if (skips) evidence.push(skipEvidence(skips));
  const built = ["kvm_flush_tlb_multi", "pvm_flush_tlb_multi", "hyperv_flush_tlb_multi", "xen_flush_tlb_multi", "native_flush_tlb_multi"]
    .filter((s) => f.symbols?.has(s));
  if (built.length) evidence.push(`built in (/proc/kallsyms): ${built.join(", ")}; which one is used is decided at boot`);
  if (f.arch === "aarch64" || f.arch === "arm64" || isSet(c, "CONFIG_ARM64")) {
    evidence.push(`${f.arch}: TLB invalidation is broadcast (TLBI ...IS), no IPI`);
    return pick("broadcast");
  }
  const line = (re: RegExp) => f.bootLog?.find((l) => re.test(l));
  const kvm = line(/KVM setup pv remote TLB flush/i);
  if (kvm) {
    evidence.unshift(`boot log: "${kvm}" (kvm_guest_init sets pv_ops.mmu.flush_tlb_multi = kvm_flush_tlb_multi)`);
    return pick("kvm-pv");
  }
  // A PVM "pv-lite" build installs pvm_flush_tlb_multi: the host flushes, and no flush IPI is sent.
  const pvm = line(/pvm-pv: remote TLB flushes via (\S+)/i);
  if (pvm) {
    evidence.unshift(`boot log: "${pvm}" (pv_ops.mmu.flush_tlb_multi = pvm_flush_tlb_multi: a hypercall, no flush IPI)`);
    return pick("hypercall");
  }
  const hyperv = line(/Hyper-V.*(hypercall|TLB flush)/i);
  if (hyperv) {
    evidence.unshift(`boot log: "${hyperv}"`);
    return pick("hypercall");
  }
  if (f.hypervisor === "Xen" && f.symbols?.has("xen_flush_tlb_multi")) {
    evidence.unshift("Xen guest with xen_flush_tlb_multi: the hypervisor flushes");
    return pick("hypercall");
  }
  if (f.cpuFlags.includes("invlpgb") && isSet(c, "CONFIG_X86_BROADCAST_TLB_FLUSH")) {
    evidence.unshift("CPU flag invlpgb with CONFIG_X86_BROADCAST_TLB_FLUSH=y: INVLPGB broadcast flush");
    return pick("broadcast");
  }
  if (!f.cpuFlags.includes("hypervisor")) {
    evidence.unshift("no hypervisor flag in /proc/cpuinfo: bare metal, native_flush_tlb_multi");
    return pick("native-ipi");
  }
  if (skips && skips.running.flushes >= 20 && skips.running.withIpi === 0) {
    evidence.unshift("remote flushes sent no IPI to a running vCPU: the hypervisor or the hardware flushes");
    return pick(f.hypervisor ? "hypercall" : "broadcast");
  }
  if (skips && skips.hostGap.flushes > 0 && skips.hostGap.withIpi === 0 && skips.running.withIpi > 0.9 * skips.running.flushes) {
    evidence.unshift("the flush skipped the vCPU whenever the host had it and IPI'd it otherwise: kvm_flush_tlb_multi");
    return pick("kvm-pv");
  }
  return { value: null, evidence, why: `a guest of ${f.hypervisor ?? "an unknown hypervisor"} whose boot log does not say which flush it set up` +
    (f.bootLog === null ? " (the log is not readable: run as root)" : "") + "; kvm_flush_tlb_multi is used only when the host offers KVM_FEATURE_PV_TLB_FLUSH" };
}

export function detectTableFree(f: MachineFacts, syncCalls: number | null): Choice<TableFreeMode> {
  const c = configOf(f);
  if (!c) return { value: null, evidence: [], why: f.config.ok ? "no kernel configuration" : f.config.why };
  const evidence = [`${c.source}: CONFIG_MMU_GATHER_RCU_TABLE_FREE=${c.options.get("CONFIG_MMU_GATHER_RCU_TABLE_FREE") ?? "n"}, ` +
    `CONFIG_PT_RECLAIM=${c.options.get("CONFIG_PT_RECLAIM") ?? "n"}`];
  if (f.symbols?.has("__tlb_remove_table_one_rcu")) evidence.push("built in (/proc/kallsyms): __tlb_remove_table_one_rcu");
  if (syncCalls !== null) evidence.push(`traced: ${syncCalls} tlb_remove_table_smp_sync calls (tlb_remove_table_sync_one, from the load's MADV_COLLAPSE)`);
  const rcu = isSet(c, "CONFIG_MMU_GATHER_RCU_TABLE_FREE") || isSet(c, "CONFIG_HAVE_RCU_TABLE_FREE");
  if (rcu && isSet(c, "CONFIG_PT_RECLAIM")) {
    if ((TABLE_FREE_MODES as readonly string[]).includes(PT_RECLAIM_MODE))
      return { value: PT_RECLAIM_MODE as TableFreeMode, evidence };
    return { value: "rcu", kernel: PT_RECLAIM_MODE, evidence,
      why: `this tlbrace's model has no ${PT_RECLAIM_MODE} mode (CONFIG_PT_RECLAIM: a failed batch allocation frees the one ` +
        "table through call_rcu, __tlb_remove_table_one, with no sync IPI); rcu stands in for it, with the sync IPI on that path instead" };
  }
  if (rcu) return { value: "rcu", evidence };
  return { value: "immediate", evidence: [...evidence, "without RCU table free, page tables are freed right after the flush"] };
}

export function detectPteRead(f: MachineFacts): Choice<PteRead> {
  const c = configOf(f);
  if (isSet(c, "CONFIG_GUP_GET_PXX_LOW_HIGH") || isSet(c, "CONFIG_GUP_GET_PTE_LOW_HIGH"))
    return { value: "low-high", evidence: [`${c!.source}: CONFIG_GUP_GET_PXX_LOW_HIGH=y (ptep_get_lockless reads 32-bit halves)`] };
  if (isSet(c, "CONFIG_64BIT") || isSet(c, "CONFIG_X86_64") || isSet(c, "CONFIG_ARM64"))
    return { value: "atomic", evidence: [`${c!.source}: a 64-bit kernel (ptep_get_lockless is one load)`] };
  if (/64/.test(f.arch)) return { value: "atomic", evidence: [`uname -m ${f.arch}: a 64-bit kernel (ptep_get_lockless is one load)`] };
  return { value: null, evidence: [], why: f.config.ok ? `a 32-bit kernel (${f.arch}) without CONFIG_GUP_GET_PXX_LOW_HIGH` : f.config.why };
}

/** Where a machine is, for the presets' applies rules: its kernel release, uname -m and hypervisor. */
export interface MachinePlace {
  readonly kernel: string;
  readonly arch: string;
  readonly hypervisor: string | null;
}

/** The presets whose applies rules name this machine's kernel, arch and hypervisor (default one first); none when any is unknown. */
export function presetsForPlace(p: MachinePlace): string[] {
  try {
    const m = presetForKernel({ version: parseVersion(p.kernel), arch: parseArch(p.arch), hypervisor: parseHypervisor(p.hypervisor ?? "none") });
    return [...(m.preset ? [m.preset] : []), ...m.conditional.map((c) => c.name)];
  } catch {
    return [];
  }
}

/** The kernel-timeline row of a machine (notebook 04), or null when it is in none. */
export const machineRow = (p: MachinePlace): string | null => rowOf(p.arch, p.hypervisor);

/**
 * Presets with this flush and table free; those whose applies rules name
 * this machine first, then those with the same PTE read, then kernel order.
 */
export function matchingPresets(flush: FlushMechanism | null, tableFree: TableFreeMode | null, pteRead: PteRead | null,
  place?: MachinePlace): string[] {
  if (flush === null || tableFree === null) return [];
  const order = kernelHistory().map((h) => h.scenario.name);
  const here = place ? presetsForPlace(place) : [];
  const rank = (s: Scenario) => (here.includes(s.name) ? 0 : 2e6) + (s.params.pteRead === pteRead ? 0 : 1) * 1e6 + order.indexOf(s.name);
  return presetNames().map(preset).filter((s) => s.params.flush === flush && s.params.tableFree === tableFree)
    .sort((a, b) => rank(a) - rank(b)).map((s) => s.name);
}

export function modelChoices(f: MachineFacts, skips: FlushSkips | null, syncCalls: number | null): ModelChoices {
  const flush = detectFlush(f, skips), tableFree = detectTableFree(f, syncCalls), pteRead = detectPteRead(f);
  return { flush, tableFree, pteRead, presets: matchingPresets(flush.value, tableFree.value, pteRead.value, f) };
}

