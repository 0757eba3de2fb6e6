/**
 * A profile's `params`: for each model parameter, how the window measured
 * it and its value, or why it was not measured. Every value comes from
 * samples seen in the window; none is made up, and none is kept when
 * nothing was seen.
 */
import type { ProfileParam } from "../formats/profile.js";
import { PARAM_NAMES, type ParamName } from "../model/params.js";
import type { Capabilities } from "./capabilities.js";
import type { Choice, ModelChoices } from "./choices.js";
import { type CallLatency, FLUSH_CALLBACK, type FlushSkips, SYNC_CALLBACK } from "./ipi.js";
import { LOAD_DEFAULTS, type LoadResult } from "./load.js";
import { type Preemptions, STEAL_MIN_US, GAP_MIN_US } from "./preemption.js";
import type { TraceResult } from "./trace.js";

export interface Observed {
  readonly caps: Capabilities;
  readonly choices: ModelChoices;
  readonly load: LoadResult | null;
  readonly loadWhy?: string;
  readonly trace: TraceResult | null;
  readonly traceWhy?: string;
  readonly preemption: Preemptions | null;
  readonly flushCalls: readonly CallLatency[] | null;
  readonly syncCalls: readonly CallLatency[] | null;
  readonly skips: FlushSkips | null;
  readonly busyCpu: number;
  readonly churnCpus: string;
  readonly gupProbe?: string;
  readonly rcuLazy: boolean;
}

const not = (why: string): ProfileParam => ({ measured: false, why });
const fmt = (x: number) => Number(x.toPrecision(4));

function choiceParam(c: Choice<string>, n: number): ProfileParam {
  if (c.value === null) return not(c.why ?? "nothing on this machine decides it");
  return {
    measured: true, method: `detected: ${c.evidence.join("; ")}`, n, value: c.value,
    ...(c.kernel ? { note: c.why ?? `the kernel does ${c.kernel}` } : {}),
  };
}

/** Why tracing gave nothing for `what`. */
function untraced(o: Observed, tracepoint: string): string | undefined {
  if (!o.trace) return o.traceWhy ?? o.caps.bpftrace.detail;
  if (o.trace.missing.includes(tracepoint)) return `this kernel has no ${tracepoint} tracepoint`;
  return undefined;
}

function callParam(o: Observed, calls: readonly CallLatency[] | null, func: string, file: string, what: string): ProfileParam {
  const missing = untraced(o, "csd:csd_queue_cpu");
  if (missing) return not(missing);
  if (!calls?.length) return not(`no ${func} calls were seen in the window${o.load ? "" : ` (the load did not run: ${o.loadWhy})`}`);
  return {
    measured: true, n: calls.length, value: `csv:${file}:answerUs`,
    method: `bpftrace: csd:csd_queue_cpu to csd:csd_function_exit of ${func}, matched by the csd pointer: ${what}; ` +
      `answerUs is the round trip to a target that answers (queued to handler end), on CPUs ${[...new Set(calls.map((c) => c.cpu))].sort().join(", ")}`,
  };
}

function walkParam(o: Observed): ProfileParam {
  const bound = o.load && o.load.splices.length ? {
    bound: {
      method: "vmsplice(2) of one page into a pipe, timed with CLOCK_MONOTONIC in user space: the syscall walks the page with " +
        "get_user_pages_fast, and adds its entry, the pipe's work and its exit, so this bounds a one-page walk from above",
      n: o.load.splices.length, value: "csv:walk-bound.csv:vmspliceUs",
    },
  } : {};
  if (o.gupProbe && o.trace?.gup.length)
    return { measured: true, n: o.trace.gup.length, value: "csv:gup-fast.csv:walkUs",
      method: `bpftrace: kprobe to kretprobe of ${o.gupProbe}, every call in the window (including the slow path when GUP-fast falls back)` };
  const why = !o.caps.kprobes.ok ? `the walk's IRQs-off time needs a kretprobe on the GUP-fast entry point: ${o.caps.kprobes.detail}`
    : !o.gupProbe ? "no GUP-fast entry point in /proc/kallsyms to probe"
    : untraced(o, "kprobe") ?? `no ${o.gupProbe} calls were seen in the window`;
  return { measured: false, why: `${why}; the default is kept`, ...bound };
}

function preemptParams(o: Observed): { preemptRate: ProfileParam; preemptUs: ProfileParam } {
  const p = o.preemption;
  if (!p) {
    const why = o.load ? "the busy thread did not run (one CPU, or it could not be pinned)" : `the load helper did not run: ${o.loadWhy}`;
    return { preemptRate: not(why), preemptUs: not(why) };
  }
  const rule = p.by === "steal"
    ? `gaps with at least ${STEAL_MIN_US} us of steal time (the wall time its CLOCK_THREAD_CPUTIME_ID did not count: ` +
      "CONFIG_PARAVIRT_TIME_ACCOUNTING leaves steal out) and no guest context switch; the length is the steal"
    : `gaps of at least ${GAP_MIN_US} us with no guest context switch; without steal accounting (CONFIG_PARAVIRT_TIME_ACCOUNTING) ` +
      "exits that left the vCPU running cannot be told apart, so this is an upper bound";
  const base = `a thread pinned to CPU ${o.busyCpu} reading CLOCK_MONOTONIC in a loop; host preemptions are its ${rule}`;
  if (p.rate === null) {
    const why = `no host preemption was seen in ${fmt(p.onCpuMs)} ms of on-CPU time on CPU ${o.busyCpu} ` +
      `(a rate below about ${fmt(3.7 / p.onCpuMs)} per ms at 95%)`;
    return { preemptRate: not(why), preemptUs: not(why) };
  }
  return {
    preemptRate: { measured: true, n: p.host.length, value: p.rate, method: `${base}; the count per ms of the thread's on-CPU time (${fmt(p.onCpuMs)} ms)` },
    preemptUs: { measured: true, n: p.host.length, value: "csv:preemptions.csv:preemptUs", method: base },
  };
}

function graceParam(o: Observed): ProfileParam {
  const l = o.load;
  if (!l) return not(`the load helper did not run: ${o.loadWhy}`);
  if (l.membarrier < 0) return not(`membarrier(MEMBARRIER_CMD_GLOBAL) is not available here (errno ${-l.membarrier})`);
  if (!l.graces.length) return not("no membarrier call finished in the window");
  return {
    measured: true, n: l.graces.length, value: "csv:grace-period.csv:gracePeriodUs",
    method: "membarrier(MEMBARRIER_CMD_GLOBAL) runs synchronize_rcu(); each call timed with CLOCK_MONOTONIC, one every " +
      `${LOAD_DEFAULTS.rcuPeriodUs / 1000} ms, off CPU ${o.busyCpu}, whose busy user thread passes a quiescent state only at its ticks` +
      (o.rcuLazy ? "; call_rcu callbacks such as tlb_remove_table_rcu may wait longer, batched lazily (CONFIG_RCU_LAZY=y)" : ""),
  };
}

export function profileParams(o: Observed): Record<ParamName, ProfileParam> {
  const flushObs = o.skips ? o.skips.running.flushes + o.skips.hostGap.flushes + o.skips.switchedOut.flushes : 0;
  const params: Partial<Record<ParamName, ProfileParam>> = {
    flush: choiceParam(o.choices.flush, Math.max(1, flushObs)),
    tableFree: choiceParam(o.choices.tableFree, 1),
    pteRead: choiceParam(o.choices.pteRead, 1),
    walkUs: walkParam(o),
    ...preemptParams(o),
    flushUs: callParam(o, o.flushCalls, FLUSH_CALLBACK, "ipi-flush.csv",
      `the flush IPIs of TLB flushes (flush_tlb_mm_range -> on_each_cpu_cond_mask); the load unmapped 2 MiB-aligned ranges on CPUs ${o.churnCpus} while a thread of the same mm ran on CPU ${o.busyCpu}`),
    ipiUs: callParam(o, o.syncCalls, SYNC_CALLBACK, "ipi-sync.csv",
      "the sync IPIs of tlb_remove_table_sync_one; the load collapsed 512 small pages with MADV_COLLAPSE (collapse_huge_page sends it)"),
    memoryPressure: not("a failed tlb_remove_table batch allocation (GFP_NOWAIT) has no tracepoint; counting them needs kprobes on " +
      `tlb_remove_table and tlb_remove_table_one${o.caps.kprobes.ok ? "" : ` (${o.caps.kprobes.detail})`}`),
    gracePeriodUs: graceParam(o),
    reuseUs: not("the time from a page table's free to its reuse needs the freed page's address, which no tracepoint gives"),
    lowCollision: not("a property of two PTEs' physical addresses on x86-32 PAE, not something a running machine shows"),
  };
  // Every parameter of the model has an entry, in the model's order.
  return Object.fromEntries(PARAM_NAMES.map((n) => [n, params[n] ?? not("tlbrace measure has no method for it")])) as Record<ParamName, ProfileParam>;
}
