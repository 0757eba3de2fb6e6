/**
 * What the running machine says about itself without tracing: kernel release,
 * architecture, cores, the hypervisor, the kernel's symbols and its boot log.
 * Each source may be missing (a container, an unprivileged user); what was not
 * readable is said, never guessed.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, machine, release } from "node:os";
import { type ConfigRead, readKernelConfig } from "./kernel-config.js";

/** Kernel functions whose presence tells which flush and free code the kernel was built with. */
export const SYMBOLS = [
  "kvm_flush_tlb_multi", "pvm_flush_tlb_multi", "native_flush_tlb_multi", "hyperv_flush_tlb_multi", "xen_flush_tlb_multi",
  "tlb_remove_table_sync_one", "tlb_remove_table_smp_sync", "__tlb_remove_table_one_rcu", "tlb_remove_table_rcu",
  "gup_fast_fallback", "internal_get_user_pages_fast", "get_user_pages_fast",
] as const;

export interface MachineFacts {
  readonly kernel: string;
  readonly arch: string;
  readonly cores: number;
  /** From the boot log ("Hypervisor detected: KVM") or /sys/hypervisor/type; null when none is seen. */
  readonly hypervisor: string | null;
  /** The CPU flags that matter here: `hypervisor` (a guest), `invlpgb` (AMD broadcast TLB flush). */
  readonly cpuFlags: readonly string[];
  readonly config: ConfigRead;
  /** SYMBOLS found in /proc/kallsyms; null when it is not readable. */
  readonly symbols: ReadonlySet<string> | null;
  /** Boot log lines about hypervisors and TLB flushing; null when the log is not readable. */
  readonly bootLog: readonly string[] | null;
  /** Why the boot log or the symbols are missing. */
  readonly notes: readonly string[];
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

function cpuFlags(): string[] {
  const info = read("/proc/cpuinfo") ?? "";
  const line = /^(flags|Features)\s*:\s*(.*)$/m.exec(info)?.[2] ?? "";
  const flags = new Set(line.split(/\s+/));
  return ["hypervisor", "invlpgb"].filter((f) => flags.has(f));
}

function kernelSymbols(): Set<string> | null {
  const text = read("/proc/kallsyms");
  if (text === undefined) return null;
  const wanted = new Set<string>(SYMBOLS);
  const found = new Set<string>();
  for (const line of text.split("\n")) {
    const name = line.slice(line.lastIndexOf(" ") + 1).split("\t")[0]!;
    if (wanted.has(name)) found.add(name);
  }
  return found;
}

// PVM's guests log as "pvm-pv:" (pv-lite builds) or "pvm-guest:" (the public tree).
const BOOT_LOG = /Hypervisor detected|remote TLB flush|TLB flush|pv_ops|paravirtualized kernel|Xen|Hyper-V|pvm-pv:|pvm-guest:/i;

function bootLog(): string[] | null {
  const r = spawnSync("dmesg", [], { encoding: "utf8", timeout: 5000, stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0 || typeof r.stdout !== "string") return null;
  return r.stdout.split("\n").filter((l) => BOOT_LOG.test(l) && !/command line/i.test(l)).map((l) => l.replace(/^\[\s*[\d.]+\]\s*/, ""));
}

function hypervisorOf(log: readonly string[] | null, flags: readonly string[]): string | null {
  const named = log?.map((l) => /Hypervisor detected:\s*(.+)$/.exec(l)?.[1]).find((x) => x);
  if (named) return named.trim();
  const sys = read("/sys/hypervisor/type")?.trim();
  if (sys) return sys === "xen" ? "Xen" : sys;
  // The clock a guest runs on names its hypervisor.
  const clock = read("/sys/devices/system/clocksource/clocksource0/current_clocksource")?.trim() ?? "";
  const byClock = ({ "kvm-clock": "KVM", xen: "Xen", hyperv_clocksource_tsc_page: "Hyper-V" } as Record<string, string>)[clock];
  if (byClock) return byClock;
  return flags.includes("hypervisor") ? "unknown hypervisor" : null;
}

export function machineFacts(): MachineFacts {
  const flags = cpuFlags();
  const log = bootLog();
  const symbols = kernelSymbols();
  const hypervisor = hypervisorOf(log, flags);
  // Without the boot log, kvm-clock names KVM; a PVM guest runs on kvm-clock too, and only its boot log tells them apart.
  const byClockOnly = log === null && hypervisor === "KVM" && read("/sys/hypervisor/type") === undefined;
  const notes = [
    ...(log === null ? ["the kernel log is not readable (dmesg needs root where kernel.dmesg_restrict=1)"] : []),
    ...(byClockOnly ? ["the hypervisor is named from the clocksource (kvm-clock), which PVM guests use as well; the boot log names it"] : []),
    ...(symbols === null ? ["/proc/kallsyms is not readable"] : []),
  ];
  return {
    kernel: release(),
    arch: machine(),
    cores: cpus().length,
    hypervisor,
    cpuFlags: flags,
    config: readKernelConfig(),
    symbols,
    bootLog: log,
    notes,
  };
}
