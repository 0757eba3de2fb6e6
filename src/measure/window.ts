/**
 * One measurement window: bpftrace attached first (when it can run), then
 * the load helper for `seconds`, then the trace ended. Bounded by `seconds`;
 * an abort (Ctrl-C, the notebook's interrupt) ends the window early and
 * keeps what was measured until then.
 */
import { readFileSync, rmSync } from "node:fs";
import type { Capabilities } from "./capabilities.js";
import { buildHelper, helperDir, LOAD_DEFAULTS, type LoadOptions, type LoadResult, startHelper } from "./load.js";
import { remoteSendIpiReason, type RunningTrace, startTrace, traceScript, type TraceResult } from "./trace.js";

export interface WindowOptions {
  readonly seconds: number;
  readonly busyCpu: number;
  /** The GUP-fast function to time, where kprobes exist. */
  readonly gupProbe?: string;
  readonly signal?: AbortSignal;
  /** Seconds of the window gone, and its length. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface WindowResult {
  readonly started: Date;
  readonly load: LoadResult | null;
  /** Why the load helper did not run. */
  readonly loadWhy?: string;
  readonly trace: TraceResult | null;
  readonly traceWhy?: string;
  readonly loadOptions: LoadOptions;
  /** The window in CLOCK_MONOTONIC ns (process.hrtime is that clock on Linux), the helper's own when it ran. */
  readonly bounds: readonly [number, number];
  /** /proc/stat before and after, for steal time. */
  readonly procStat: readonly [string, string];
  readonly interrupted: boolean;
}

/** How long bpftrace may take to compile and attach its probes. */
const ATTACH_TIMEOUT_MS = 60_000;

const procStat = () => {
  try {
    return readFileSync("/proc/stat", "utf8");
  } catch {
    return "";
  }
};

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  if (signal?.aborted) return resolve();
  const t = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
});

export async function measureWindow(caps: Capabilities, o: WindowOptions): Promise<WindowResult> {
  const loadOptions: LoadOptions = { ...LOAD_DEFAULTS, seconds: o.seconds, busyCpu: o.busyCpu };
  let trace: RunningTrace | undefined;
  let traceWhy: string | undefined = caps.bpftrace.ok ? undefined : caps.bpftrace.detail;
  let helper: ReturnType<typeof startHelper> | undefined;
  const dir = caps.compiler.ok ? helperDir() : undefined;
  // An exit that skips the finally below (a second Ctrl-C, an uncaught error) still ends the children and removes the folder.
  const cleanUp = () => {
    trace?.child.kill("SIGINT");
    helper?.child.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", cleanUp);
  try {
    const built = dir ? await buildHelper(caps.compiler.path!, dir, o.signal) : { ok: false as const, why: caps.compiler.detail };
    if (caps.bpftrace.ok && !o.signal?.aborted) {
      trace = startTrace(caps.bpftrace.path!, traceScript({
        maxSeconds: o.seconds + 120, remoteSendIpi: remoteSendIpiReason(),
        ...(o.gupProbe ? { gupProbe: o.gupProbe } : {}),
      }));
      // The timer must not outlive the wait: it would keep the process alive.
      const waited = new AbortController();
      o.signal?.addEventListener("abort", () => waited.abort(), { once: true });
      const attached = await Promise.race([
        trace.attached.then(() => undefined, (e: Error) => e.message),
        sleep(ATTACH_TIMEOUT_MS, waited.signal).then(() => o.signal?.aborted ? "interrupted before bpftrace was attached"
          : waited.signal.aborted ? undefined : `bpftrace did not attach its probes within ${ATTACH_TIMEOUT_MS / 1000} s`),
      ]);
      waited.abort();
      if (attached !== undefined) {
        traceWhy = attached;
        trace.child.kill("SIGINT");
        trace = undefined;
      }
    }
    const started = new Date();
    const before = procStat();
    const from = Number(process.hrtime.bigint());
    const t0 = performance.now();
    const tick = setInterval(() => o.onProgress?.(Math.min(o.seconds, (performance.now() - t0) / 1000), o.seconds), 250);
    let load: LoadResult | null = null;
    let loadWhy: string | undefined = built.ok ? undefined : built.why;
    try {
      if (built.ok && !o.signal?.aborted) {
        const running = helper = startHelper(built.exe, loadOptions);
        const stop = () => running.child.kill("SIGINT");
        o.signal?.addEventListener("abort", stop, { once: true });
        load = await running.done.catch((e: Error) => { loadWhy = e.message; return null; });
        o.signal?.removeEventListener("abort", stop);
      } else {
        // Without the helper the window is still traced: the machine's own activity.
        await sleep(o.seconds * 1000, o.signal);
      }
    } finally {
      clearInterval(tick);
    }
    o.onProgress?.(o.seconds, o.seconds);
    const to = Number(process.hrtime.bigint());
    const after = procStat();
    const traced = trace ? await trace.stop() : null;
    return {
      started, load, ...(loadWhy ? { loadWhy } : {}), trace: traced, ...(traceWhy ? { traceWhy } : {}),
      loadOptions, procStat: [before, after], bounds: load ? [load.t0, load.t1] : [from, to], interrupted: o.signal?.aborted === true || load?.interrupted === true,
    };
  } finally {
    process.removeListener("exit", cleanUp);
    trace?.child.kill("SIGINT");
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
