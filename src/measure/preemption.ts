/**
 * Host preemptions of a vCPU, from the gaps in a pinned busy thread's clock.
 *
 * A gap is time the thread did not run. The guest switched it out (its
 * context-switch count changed), or the vCPU left the guest: for an
 * interrupt, an exit to the host that kept the vCPU running, or a host
 * preemption, when the host scheduled the vCPU's thread out. Only the last
 * sets KVM_VCPU_PREEMPTED, which kvm_flush_tlb_multi reads, and only it is
 * steal time: with CONFIG_PARAVIRT_TIME_ACCOUNTING the guest leaves steal out
 * of a thread's CPU clock, so the wall time a gap's CPU clock did not count
 * is the time the host had the vCPU. A host preemption is a gap (not a guest
 * switch) with at least STEAL_MIN_US of steal; its length is that steal.
 *
 * Without steal accounting a gap cannot be told from an exit: every gap of
 * at least GAP_MIN_US counts, and the method says it is an upper bound.
 */
import type { Microseconds, PerMillisecond } from "../model/units.js";
import type { BusySummary, Gap } from "./load.js";

/** Steal time in one gap below this is read noise (the two clocks are read a few hundred ns apart). */
export const STEAL_MIN_US: Microseconds = 5;
/** Without steal accounting: the least gap counted, above a guest interrupt's few µs. */
export const GAP_MIN_US: Microseconds = 10;

export type GapKind = "guest-switch" | "host-preemption" | "other";

export interface ClassifiedGap extends Gap {
  readonly kind: GapKind;
}

export interface Preemptions {
  /** How gaps were told apart: by the steal time in them, or by length alone. */
  readonly by: "steal" | "length";
  readonly gaps: readonly ClassifiedGap[];
  /** The host preemptions: start (ns) and length (µs). */
  readonly host: readonly { readonly start: number; readonly us: Microseconds }[];
  /** The busy thread's time on a running vCPU (ms): the window less guest switches and host preemptions. */
  readonly onCpuMs: number;
  /** Host preemptions per ms of on-CPU time, or null when none was seen. */
  readonly rate: PerMillisecond | null;
  readonly windowMs: number;
  readonly guestSwitchMs: number;
  readonly hostMs: number;
  /** Time of the gaps that were neither (interrupts, exits that kept the vCPU running), ms. */
  readonly otherMs: number;
  /**
   * Steal over the window by the guest scheduler's own account of the thread
   * (wall time less its run time and run-queue wait, from schedstat; within a
   * tick), ms: with steal accounting, a cross-check of hostMs.
   */
  readonly stolenMs: number | null;
}

const hostLength = (g: Gap, by: "steal" | "length"): Microseconds =>
  by === "steal" ? Math.min(g.stolen, g.length) / 1000 : g.length / 1000;

/** Classifies the busy thread's gaps; `stealAccounting`: the kernel has CONFIG_PARAVIRT_TIME_ACCOUNTING. */
export function hostPreemptions(gaps: readonly Gap[], busy: BusySummary, stealAccounting: boolean): Preemptions {
  const by = stealAccounting ? "steal" : "length";
  const least = by === "steal" ? STEAL_MIN_US : GAP_MIN_US;
  const classified: ClassifiedGap[] = gaps.map((g) => ({
    ...g, kind: g.guestSwitch ? "guest-switch" : hostLength(g, by) >= least ? "host-preemption" : "other",
  }));
  const host = classified.filter((g) => g.kind === "host-preemption").map((g) => ({ start: g.start, us: hostLength(g, by) }));
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const windowMs = (busy.t1 - busy.t0) / 1e6;
  const guestSwitchMs = sum(classified.filter((g) => g.kind === "guest-switch").map((g) => g.length)) / 1e6;
  const hostMs = sum(host.map((h) => h.us)) / 1000;
  const otherMs = sum(classified.filter((g) => g.kind !== "guest-switch").map((g) => g.length)) / 1e6 - hostMs;
  const onCpuMs = windowMs - guestSwitchMs - hostMs;
  return {
    by,
    gaps: classified,
    host,
    onCpuMs,
    rate: host.length > 0 && onCpuMs > 0 ? host.length / onCpuMs : null,
    windowMs,
    guestSwitchMs,
    hostMs,
    otherMs,
    stolenMs: stealAccounting ? (busy.t1 - busy.t0 - busy.execNs - busy.waitNs) / 1e6 : null,
  };
}

/** Steal time of one CPU from /proc/stat, in ms (the 8th value, in USER_HZ ticks of 10 ms). */
export function stealMs(procStat: string, cpu: number): number | null {
  const line = procStat.split("\n").find((l) => l.startsWith(`cpu${cpu} `));
  const steal = line?.trim().split(/\s+/)[8];
  return steal === undefined ? null : Number(steal) * 10;
}
