/**
 * Cross-CPU calls as the model's delays, and what the flush did to the busy
 * vCPU. A call's delivery is queue -> handler start on the target, its
 * answer queue -> handler end (when smp_call_function_many_cond's wait for
 * that CPU ends). Remote flushes started by the churn thread are matched with
 * the flush IPI they queued for the busy CPU, and sorted by what that vCPU
 * was doing at the moment: running, taken by the host, or switched out by
 * the guest. A flush that skips preempted vCPUs (kvm_flush_tlb_multi) sends
 * none while the host has it and one while it runs.
 */
import type { Microseconds } from "../model/units.js";
import type { ClassifiedGap } from "./preemption.js";
import type { CsdCall } from "./trace.js";

/** The flush callback and tlb_remove_table_sync_one's callback, as ksym names them. */
export const FLUSH_CALLBACK = "flush_tlb_func";
export const SYNC_CALLBACK = "tlb_remove_table_smp_sync";

export interface CallLatency {
  readonly deliveryUs: Microseconds;
  readonly handlerUs: Microseconds;
  readonly answerUs: Microseconds;
  readonly cpu: number;
}

/** The calls of `func` queued inside the window [t0, t1] (ns), as latencies. */
export function latencies(csd: readonly CsdCall[], func: string, t0: number, t1: number): CallLatency[] {
  return csd
    .filter((c) => c.func === func && c.queued >= t0 && c.exited <= t1)
    .map((c) => ({ deliveryUs: (c.entered - c.queued) / 1000, handlerUs: (c.exited - c.entered) / 1000, answerUs: (c.exited - c.queued) / 1000, cpu: c.cpu }));
}

/** How many calls each callback had in the window. */
export function callsByCallback(csd: readonly CsdCall[], t0: number, t1: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of csd) if (c.queued >= t0 && c.exited <= t1) out[c.func] = (out[c.func] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

export interface FlushTally {
  readonly flushes: number;
  /** Of those, the flushes that queued a flush IPI for the busy CPU. */
  readonly withIpi: number;
}

export interface FlushSkips {
  readonly running: FlushTally;
  readonly hostGap: FlushTally;
  readonly switchedOut: FlushTally;
}

/** How long after a remote flush is traced its IPIs are looked for (ns): they are queued right after. */
const MATCH_NS = 2_000_000;

/**
 * Each remote flush of the churn thread (times in ns, within the busy
 * thread's window), the busy vCPU's state at that moment, and whether the
 * flush queued an IPI for it before the next flush.
 */
export function flushSkips(remoteFlushes: readonly number[], csd: readonly CsdCall[], gaps: readonly ClassifiedGap[],
  busyCpu: number, t0: number, t1: number): FlushSkips {
  const flushes = remoteFlushes.filter((t) => t >= t0 && t <= t1).sort((a, b) => a - b);
  const ipis = csd.filter((c) => c.fromChurn && c.func === FLUSH_CALLBACK && c.cpu === busyCpu).map((c) => c.queued).sort((a, b) => a - b);
  const starts = gaps.map((g) => g.start);
  const tally = { running: { flushes: 0, withIpi: 0 }, hostGap: { flushes: 0, withIpi: 0 }, switchedOut: { flushes: 0, withIpi: 0 } };
  let j = 0;
  flushes.forEach((t, i) => {
    const until = Math.min(flushes[i + 1] ?? Infinity, t + MATCH_NS);
    while (j < ipis.length && ipis[j]! < t) j++;
    const withIpi = j < ipis.length && ipis[j]! < until;
    const g = gaps[lastAtOrBefore(starts, t)];
    const inside = g !== undefined && t < g.start + g.length;
    const state = !inside || g.kind === "other" ? "running" : g.kind === "host-preemption" ? "hostGap" : "switchedOut";
    tally[state].flushes++;
    if (withIpi) tally[state].withIpi++;
  });
  return tally;
}

function lastAtOrBefore(sorted: readonly number[], t: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
