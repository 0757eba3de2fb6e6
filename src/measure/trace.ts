/**
 * The kernel's side of a measurement window, traced with bpftrace:
 *  - each cross-CPU function call (csd): queued (csd:csd_queue_cpu), started
 *    and finished on the target (csd:csd_function_entry/exit), matched by the
 *    csd pointer, named by its callback (flush_tlb_func, tlb_remove_table_smp_sync);
 *  - each remote TLB flush the churn thread starts (tlb:tlb_flush, reason
 *    TLB_REMOTE_SEND_IPI) and the flushes of the whole machine by reason;
 *  - IPIs sent, by callback (ipi:ipi_send_cpu, ipi:ipi_send_cpumask);
 *  - where kprobes exist, the GUP-fast entry point's duration.
 * Times are bpftrace's nsecs: CLOCK_MONOTONIC, as the load helper's.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { onPath, TRACEFS } from "./capabilities.js";

/** The thread name the load helper's churn thread takes, as bpftrace's comm sees it. */
export const CHURN_COMM = "tlbrace-churn";

const CSD = ["csd:csd_queue_cpu", "csd:csd_function_entry", "csd:csd_function_exit"];

export interface TracePlan {
  /** The GUP-fast function to time with a kprobe and kretprobe, where kprobes exist. */
  readonly gupProbe?: string;
  /** Ends bpftrace by itself after this many seconds, should tlbrace not (a crash). */
  readonly maxSeconds: number;
  /** TLB_REMOTE_SEND_IPI's number in enum tlb_flush_reason (remoteSendIpiReason()). */
  readonly remoteSendIpi: number;
}

/** Which tracepoints this kernel has, as tracefs lists them. */
export function hasTracepoint(name: string): boolean {
  return existsSync(join(TRACEFS, "events", ...name.split(":")));
}

export interface Script {
  readonly text: string;
  /** What the kernel lacks, so the profile can say what was not traced. */
  readonly missing: readonly string[];
}

export function traceScript(plan: TracePlan, has: (tp: string) => boolean = hasTracepoint): Script {
  const missing: string[] = [];
  const lines: string[] = [`interval:s:${Math.ceil(plan.maxSeconds)} { exit(); }`];
  if (CSD.every(has)) {
    lines.push(
      `tracepoint:csd:csd_queue_cpu { @q[args->csd] = nsecs; @qc[args->csd] = comm == "${CHURN_COMM}" ? 1 : 0; }`,
      "tracepoint:csd:csd_function_entry /@q[args->csd]/ { @e[args->csd] = nsecs; }",
      "tracepoint:csd:csd_function_exit /@e[args->csd]/ {",
      '  printf("csd %s %d %lld %lld %lld %d\\n", ksym(args->func), cpu, @q[args->csd], @e[args->csd], nsecs, @qc[args->csd]);',
      "  delete(@q[args->csd]); delete(@e[args->csd]); delete(@qc[args->csd]); }",
    );
  } else {
    missing.push(...CSD.filter((t) => !has(t)));
  }
  if (has("tlb:tlb_flush")) {
    lines.push(
      "tracepoint:tlb:tlb_flush { @reason[args->reason] = count(); }",
      `tracepoint:tlb:tlb_flush /args->reason == ${plan.remoteSendIpi} && comm == "${CHURN_COMM}"/ { printf("rf %lld\\n", nsecs); }`,
    );
  } else missing.push("tlb:tlb_flush");
  for (const tp of ["ipi:ipi_send_cpu", "ipi:ipi_send_cpumask"])
    if (has(tp)) lines.push(`tracepoint:${tp} { @ipi[ksym(args->callback)] = count(); }`);
    else missing.push(tp);
  if (plan.gupProbe) {
    lines.push(
      `kprobe:${plan.gupProbe} { @g[tid] = nsecs; }`,
      `kretprobe:${plan.gupProbe} /@g[tid]/ { printf("gup %lld\\n", nsecs - @g[tid]); delete(@g[tid]); }`,
    );
  }
  // Only the counts are printed at the end; the matching maps are cleared first.
  const scratch = [...(CSD.every(has) ? ["@q", "@e", "@qc"] : []), ...(plan.gupProbe ? ["@g"] : [])];
  if (scratch.length) lines.push(`END { ${scratch.map((m) => `clear(${m});`).join(" ")} }`);
  return { text: lines.join("\n") + "\n", missing };
}

/** The reason names of tlb:tlb_flush, read from its format file: number -> name. */
export function flushReasons(): Record<string, string> {
  try {
    const fmt = readFileSync(join(TRACEFS, "events/tlb/tlb_flush/format"), "utf8");
    return Object.fromEntries([...fmt.matchAll(/\{\s*(\d+),\s*"([^"]+)"\s*\}/g)].map((m) => [m[1]!, m[2]!]));
  } catch {
    return {};
  }
}

/**
 * The number of TLB_REMOTE_SEND_IPI, the reason native_flush_tlb_multi traces
 * before it sends the flush IPIs: by its name in the format file, else 4, its
 * place in enum tlb_flush_reason since it was added.
 */
export function remoteSendIpiReason(reasons: Readonly<Record<string, string>> = flushReasons()): number {
  const found = Object.entries(reasons).find(([, name]) => /remote ipi send/i.test(name));
  return found ? Number(found[0]) : 4;
}

/** One cross-CPU function call: callback, target CPU, queued/entered/exited (ns), queued by the churn thread. */
export interface CsdCall {
  readonly func: string;
  readonly cpu: number;
  readonly queued: number;
  readonly entered: number;
  readonly exited: number;
  readonly fromChurn: boolean;
}

export interface TraceResult {
  readonly csd: readonly CsdCall[];
  /** Remote flushes started by the churn thread (ns). */
  readonly remoteFlushes: readonly number[];
  readonly flushReasons: Readonly<Record<string, number>>;
  readonly ipis: Readonly<Record<string, number>>;
  readonly gup: readonly number[];
  readonly lostEvents: number;
  readonly missing: readonly string[];
}

export function parseTrace(lines: readonly string[], missing: readonly string[]): TraceResult {
  const csd: CsdCall[] = [], remoteFlushes: number[] = [], gup: number[] = [];
  let reasons: Record<string, number> = {}, ipis: Record<string, number> = {}, lost = 0;
  for (const line of lines) {
    if (!line.trim()) continue;
    let o: { type?: string; data?: unknown };
    try {
      o = JSON.parse(line) as typeof o;
    } catch {
      continue;
    }
    if (o.type === "lost_events") lost += Number((o.data as { events?: number }).events ?? 0);
    if (o.type === "map") {
      const data = o.data as Record<string, Record<string, number>>;
      if (data["@reason"]) reasons = data["@reason"];
      if (data["@ipi"]) ipis = data["@ipi"];
    }
    if (o.type !== "printf" || typeof o.data !== "string") continue;
    for (const row of o.data.split("\n")) {
      const p = row.split(" ");
      switch (p[0]) {
        case "csd": csd.push({ func: p[1]!, cpu: Number(p[2]), queued: Number(p[3]), entered: Number(p[4]), exited: Number(p[5]), fromChurn: p[6] === "1" }); break;
        case "rf": remoteFlushes.push(Number(p[1])); break;
        case "gup": gup.push(Number(p[1])); break;
      }
    }
  }
  return { csd, remoteFlushes, flushReasons: reasons, ipis, gup, lostEvents: lost, missing };
}

export interface RunningTrace {
  readonly child: ChildProcess;
  /** Resolves once the probes are attached. */
  readonly attached: Promise<void>;
  /** Ends the trace (SIGINT: bpftrace prints its counts and exits) and gives what it saw. */
  readonly stop: () => Promise<TraceResult>;
}

export function startTrace(bpftrace: string, script: Script): RunningTrace {
  // Through setpriv where there is one: bpftrace then dies with tlbrace (PR_SET_PDEATHSIG), even when tlbrace is killed.
  const setpriv = onPath("setpriv");
  const [exe, ...args] = [...(setpriv ? [setpriv, "--pdeathsig", "KILL", "--"] : []), bpftrace, "-f", "json", "-e", script.text];
  const child = spawn(exe!, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const lines: string[] = [];
  let partial = "", err = "";
  let onAttached: () => void = () => {}, onFailed: (e: Error) => void = () => {};
  const attached = new Promise<void>((resolve, reject) => { onAttached = resolve; onFailed = reject; });
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const l of parts) {
      if (l.includes('"attached_probes"')) onAttached();
      lines.push(l);
    }
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => { err += chunk; });
  const closed = new Promise<number | null>((resolve) => {
    child.on("error", (e) => { onFailed(e); resolve(null); });
    child.on("close", (code) => {
      // bpftrace's complaint about RLIMIT_MEMLOCK is a warning: it runs anyway.
      onFailed(new Error(`bpftrace exited (${code}) before its probes were attached: ${err.split("\n").filter((l) => l && !/RLIMIT_MEMLOCK/.test(l)).join(" ").slice(0, 400)}`));
      resolve(code);
    });
  });
  return {
    child,
    attached,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      await closed;
      if (partial) lines.push(partial);
      return parseTrace(lines, script.missing);
    },
  };
}
