/**
 * The load and user-space clocks of a measurement window: native/measure-load.c,
 * built with the system's C compiler into a fresh temporary folder and run
 * for the window. Its output (samples kept in memory, printed at the end) is
 * parsed here into plain data.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { processAlive } from "../analysis/output-file.js";

const SOURCE = fileURLToPath(new URL("../../native/measure-load.c", import.meta.url));

/** What the helper is asked to do. */
export interface LoadOptions {
  readonly seconds: number;
  /** The CPU of the pinned busy thread, or -1 for none. */
  readonly busyCpu: number;
  /** Gaps of the busy thread's clock shorter than this are not recorded (ns). */
  readonly gapNs: number;
  /** munmap churn, one iteration per period; a collapse (the sync IPI) every `collapseEvery` iterations. */
  readonly churnPeriodUs: number;
  readonly collapseEvery: number;
  /** membarrier(MEMBARRIER_CMD_GLOBAL), one per period. */
  readonly rcuPeriodUs: number;
  /** vmsplice of one page, one per period. */
  readonly vmsplicePeriodUs: number;
}

export const LOAD_DEFAULTS: Omit<LoadOptions, "seconds" | "busyCpu"> = {
  gapNs: 2000,
  churnPeriodUs: 1000,
  collapseEvery: 50,
  rcuPeriodUs: 2000,
  vmsplicePeriodUs: 2000,
};

/**
 * A gap of the busy thread's clock: start (CLOCK_MONOTONIC ns), length (ns),
 * whether the guest switched it out, and the wall time its CPU clock did not
 * count since the previous gap (ns; steal time where the guest accounts it).
 */
export interface Gap {
  readonly start: number;
  readonly length: number;
  readonly guestSwitch: boolean;
  readonly stolen: number;
}

export interface BusySummary {
  readonly cpu: number;
  readonly t0: number;
  readonly t1: number;
  /** The thread's run time and guest run-queue wait over the window (schedstat, ns). */
  readonly execNs: number;
  readonly waitNs: number;
  readonly switches: number;
}

export interface LoadResult {
  /** The window, CLOCK_MONOTONIC ns. */
  readonly t0: number;
  readonly t1: number;
  readonly interrupted: boolean;
  readonly cpus: number;
  readonly gaps: readonly Gap[];
  readonly busy: BusySummary | null;
  /** membarrier: 1 worked, a negative errno, or 0 not tried. */
  readonly membarrier: number;
  /** Each synchronize_rcu() as [start ns, duration ns]. */
  readonly graces: readonly (readonly [number, number])[];
  readonly vmsplice: number;
  readonly splices: readonly number[];
  readonly churn: { readonly iterations: number; readonly collapses: number; readonly collapseErrors: number; readonly collapseErrno: number } | null;
  /** Samples dropped because a series was full. */
  readonly dropped: Readonly<Record<string, number>>;
}

/**
 * Builds the helper in a fresh folder of `dir` (made when the build
 * starts); returns its path, or why it could not be built. An abort stops
 * the compiler at once. The caller removes `dir` whatever happens.
 */
export async function buildHelper(compiler: string, dir: string, signal?: AbortSignal): Promise<{ ok: true; exe: string } | { ok: false; why: string }> {
  const exe = join(dir, "measure-load");
  const r = await new Promise<{ status: number | null; stderr: string; error?: Error }>((resolve) => {
    const child = spawn(compiler, ["-O2", "-pthread", "-o", exe, SOURCE], { stdio: ["ignore", "ignore", "pipe"], timeout: 60_000, ...(signal ? { signal } : {}) });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (t: string) => { stderr += t; });
    child.on("error", (error) => resolve({ status: null, stderr, error }));
    child.on("close", (status) => resolve({ status, stderr }));
  });
  if (r.status === 0) return { ok: true, exe };
  if (signal?.aborted) return { ok: false, why: "interrupted while the load helper was being built" };
  return { ok: false, why: `${compiler} could not build ${SOURCE}: ${(r.stderr || r.error?.message || "").trim().split("\n")[0]}` };
}

const PREFIX = "tlbrace-measure-";

/**
 * A fresh temporary folder for the helper, named after this process. Folders
 * left by a tlbrace that was killed (its process gone) are removed first.
 */
export function helperDir(): string {
  for (const name of readdirSync(tmpdir())) {
    const pid = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid === undefined || processAlive(Number(pid))) continue;
    try {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    } catch { /* another user's: not ours to remove */ }
  }
  return mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`));
}

export function helperArgs(o: LoadOptions): string[] {
  return [
    `seconds=${o.seconds}`, `busy-cpu=${o.busyCpu}`, `gap-ns=${o.gapNs}`,
    `churn=1`, `churn-period-us=${o.churnPeriodUs}`, `collapse-every=${o.collapseEvery}`,
    `rcu=1`, `rcu-period-us=${o.rcuPeriodUs}`, `vmsplice=1`, `vmsplice-period-us=${o.vmsplicePeriodUs}`,
    `parent=${process.pid}`,
  ];
}

/** Starts the helper; `done` resolves with its parsed output. SIGINT to `child` ends the window early. */
export function startHelper(exe: string, o: LoadOptions): { child: ChildProcess; done: Promise<LoadResult> } {
  // Its own process group: a terminal's Ctrl-C reaches tlbrace, which ends the window once.
  const child = spawn(exe, helperArgs(o), { stdio: ["ignore", "pipe", "pipe"], detached: true });
  // A running program needs no file: its folder goes at once, so even a killed tlbrace leaves none.
  child.once("spawn", () => rmSync(dirname(exe), { recursive: true, force: true }));
  const out: Buffer[] = [], err: Buffer[] = [];
  child.stdout!.on("data", (b: Buffer) => out.push(b));
  child.stderr!.on("data", (b: Buffer) => err.push(b));
  const done = new Promise<LoadResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const text = Buffer.concat(out).toString("utf8");
      if (code !== 0 || !text.startsWith("tlbrace-measure-load 1"))
        return reject(new Error(`the load helper failed (${signal ?? `exit ${code}`}): ${Buffer.concat(err).toString("utf8").trim()}`));
      resolve(parseHelperOutput(text));
    });
  });
  return { child, done };
}

export function parseHelperOutput(text: string): LoadResult {
  const gaps: Gap[] = [];
  const graces: [number, number][] = [];
  const splices: number[] = [];
  const dropped: Record<string, number> = {};
  let window = [0, 0, 0, 1], busy: BusySummary | null = null, membarrier = 0, vmsplice = 0;
  let churn: LoadResult["churn"] = null;
  for (const line of text.split("\n")) {
    const [tag, ...rest] = line.split(" ");
    const x = rest.map(Number);
    switch (tag) {
      case "gap": gaps.push({ start: x[0]!, length: x[1]!, guestSwitch: x[2] === 1, stolen: x[3]! }); break;
      case "gp": graces.push([x[0]!, x[1]!]); break;
      case "vms": splices.push(x[0]!); break;
      case "window": window = x; break;
      case "busy": busy = { cpu: x[0]!, t0: x[1]!, t1: x[2]!, execNs: x[4]! - x[3]!, waitNs: x[6]! - x[5]!, switches: x[7]! }; break;
      case "membarrier": membarrier = x[0]!; break;
      case "vmsplice": vmsplice = x[0]!; break;
      case "churn": churn = { iterations: x[0]!, collapses: x[1]!, collapseErrors: x[2]!, collapseErrno: x[3]! }; break;
      case "dropped": dropped[rest[0]!] = Number(rest[1]); break;
    }
  }
  return { t0: window[0]!, t1: window[1]!, interrupted: window[2] === 1, cpus: window[3]!, gaps, busy, membarrier, graces, vmsplice, splices, churn, dropped };
}
