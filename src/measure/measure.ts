/**
 * `tlbrace measure`: one window on this machine, turned into a profile
 * folder: profile.json and one CSV of samples per measured delay.
 */
import { checkWritableFolder, writeOutput } from "../analysis/output-file.js";
import { join } from "node:path";
import { gitCommit, PACKAGE_VERSION } from "../engines/manifest.js";
import { parseFile } from "../formats/issues.js";
import { type Profile, type ProfileChoice, PROFILE_FORMAT, PROFILE_VERSION, profileSchema } from "../formats/profile.js";
import { InputError } from "../model/errors.js";
import { capabilities } from "./capabilities.js";
import { type Choice, machineRow, modelChoices } from "./choices.js";
import { profileParams } from "./estimates.js";
import { callsByCallback, FLUSH_CALLBACK, flushSkips, latencies, SYNC_CALLBACK } from "./ipi.js";
import { isSet, recordedOptions } from "./kernel-config.js";
import { machineFacts } from "./machine.js";
import { hostPreemptions, stealMs } from "./preemption.js";
import { graceFile, gupFile, latencyFile, preemptionFiles, type SampleFile, sampleCsv, spliceFile } from "./samples.js";
import { flushReasons } from "./trace.js";
import { measureWindow } from "./window.js";

export interface MeasureOptions {
  /** Length of the window (default 10 s). */
  readonly seconds?: number;
  /** The profile's folder (default out/measure). */
  readonly out?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export const MEASURE_DEFAULTS = { seconds: 10, out: "out/measure" } as const;
export const MAX_SECONDS = 3600;

export interface Measurement {
  readonly profile: Profile;
  /** The profile's folder and profile.json in it. */
  readonly dir: string;
  readonly path: string;
  readonly files: readonly SampleFile[];
}

export function checkMeasureOptions(o: MeasureOptions): { seconds: number; out: string } {
  const seconds = o.seconds ?? MEASURE_DEFAULTS.seconds;
  if (typeof seconds !== "number" || !(seconds >= 1 && seconds <= MAX_SECONDS))
    throw new InputError("seconds", seconds, `a number of seconds from 1 to ${MAX_SECONDS}`);
  const out = o.out ?? MEASURE_DEFAULTS.out;
  if (typeof out !== "string" || out.trim() === "") throw new InputError("out", out, "the path of a folder for profile.json and its CSV files");
  return { seconds, out };
}

const choiceJson = (c: Choice<string>): ProfileChoice => ({ ...c, evidence: [...c.evidence] });

/** GUP-fast's entry point in this kernel, newest name first. */
const GUP_ENTRY = ["gup_fast_fallback", "internal_get_user_pages_fast", "get_user_pages_fast"];

export async function measure(opts: MeasureOptions = {}): Promise<Measurement> {
  const { seconds, out } = checkMeasureOptions(opts);
  checkWritableFolder(out, "out");
  const facts = machineFacts();
  const config = facts.config.ok ? facts.config.config : undefined;
  const caps = capabilities(config ? isSet(config, "CONFIG_KPROBES") : undefined);
  // The busy thread takes the last CPU; the load runs on the others.
  const busyCpu = facts.cores >= 2 ? facts.cores - 1 : -1;
  const churnCpus = busyCpu > 0 ? (busyCpu === 1 ? "0" : `0-${busyCpu - 1}`) : "0";
  const gupProbe = caps.kprobes.ok ? GUP_ENTRY.find((s) => facts.symbols?.has(s)) : undefined;

  const w = await measureWindow(caps, {
    seconds, busyCpu, ...(gupProbe ? { gupProbe } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const [t0, t1] = w.bounds;
  const load = w.load, trace = w.trace;
  const preemption = load?.busy ? hostPreemptions(load.gaps, load.busy, isSet(config, "CONFIG_PARAVIRT_TIME_ACCOUNTING")) : null;
  const flushCalls = trace ? latencies(trace.csd, FLUSH_CALLBACK, t0, t1) : null;
  const syncCalls = trace ? latencies(trace.csd, SYNC_CALLBACK, t0, t1) : null;
  const skips = trace && preemption && !trace.missing.includes("tlb:tlb_flush")
    ? flushSkips(trace.remoteFlushes, trace.csd, preemption.gaps, busyCpu, t0, t1) : null;
  const choices = modelChoices(facts, skips, syncCalls ? syncCalls.length : null);
  const params = profileParams({
    caps, choices, load, trace, preemption, flushCalls, syncCalls, skips, busyCpu, churnCpus,
    ...(w.loadWhy ? { loadWhy: w.loadWhy } : {}), ...(w.traceWhy ? { traceWhy: w.traceWhy } : {}),
    ...(gupProbe ? { gupProbe } : {}), rcuLazy: isSet(config, "CONFIG_RCU_LAZY"),
  });

  const files: SampleFile[] = [
    ...(flushCalls?.length ? [latencyFile("ipi-flush.csv", FLUSH_CALLBACK, flushCalls)] : []),
    ...(syncCalls?.length ? [latencyFile("ipi-sync.csv", SYNC_CALLBACK, syncCalls)] : []),
    ...(load?.graces.length ? [graceFile(load.graces, t0)] : []),
    ...(preemption ? preemptionFiles(preemption, t0) : []),
    ...(load?.splices.length ? [spliceFile(load.splices)] : []),
    ...(gupProbe && trace?.gup.length ? [gupFile(trace.gup, gupProbe)] : []),
  ];
  const reasons = flushReasons();
  const busySteal = (i: 0 | 1) => stealMs(w.procStat[i], busyCpu);
  const before = busySteal(0), after = busySteal(1);
  const profile: Profile = {
    format: PROFILE_FORMAT,
    formatVersion: PROFILE_VERSION,
    tool: { version: PACKAGE_VERSION, commit: gitCommit() },
    machine: {
      kernel: facts.kernel, arch: facts.arch, hypervisor: facts.hypervisor, cores: facts.cores, date: w.started.toISOString(),
      config: config ? { source: config.source, options: recordedOptions(config) } : null,
      ...(facts.config.ok ? {} : { configWhy: facts.config.why }),
      flush: choiceJson(choices.flush), tableFree: choiceJson(choices.tableFree), pteRead: choiceJson(choices.pteRead),
      preset: choices.presets[0] ?? null, presets: [...choices.presets], row: machineRow(facts),
      notes: [...facts.notes],
    },
    window: { requestedSeconds: seconds, seconds: Math.max(0, (t1 - t0) / 1e9), interrupted: w.interrupted },
    capabilities: { ...caps },
    params,
    observations: {
      flushesByReason: trace ? Object.fromEntries(Object.entries(trace.flushReasons).map(([k, v]) => [reasons[k] ?? `reason ${k}`, v])) : null,
      callsByCallback: trace ? callsByCallback(trace.csd, t0, t1) : null,
      ipisByCallback: trace ? Object.fromEntries(Object.entries(trace.ipis).map(([k, v]) => [k === "0" ? "(none)" : k, v])) : null,
      flushSkips: skips,
      preemption: preemption ? {
        busyCpu, by: preemption.by, windowMs: preemption.windowMs, onCpuMs: preemption.onCpuMs, guestSwitchMs: preemption.guestSwitchMs,
        hostMs: preemption.hostMs, otherMs: preemption.otherMs, stolenMs: preemption.stolenMs,
        procStatStealMs: before !== null && after !== null ? after - before : null,
        gaps: preemption.gaps.length, preemptions: preemption.host.length,
      } : null,
      load: load ? {
        churnIterations: load.churn?.iterations ?? 0, collapses: load.churn?.collapses ?? 0, collapseErrors: load.churn?.collapseErrors ?? 0,
        membarrierCalls: load.graces.length, vmspliceCalls: load.splices.length,
      } : null,
      lostEvents: trace?.lostEvents ?? 0,
      untraced: [...(trace?.missing ?? [])],
    },
    samples: files.map((f) => ({ file: f.file, columns: [...f.columns], rows: f.rows.length, what: f.what })),
  };
  // The file is checked against its own format before it is written.
  const checked = parseFile(profileSchema, JSON.parse(JSON.stringify(profile)), "profile.json");
  // Each file whole or absent; profile.json last, so a profile never names samples that were not written.
  for (const f of files) writeOutput(join(out, f.file), sampleCsv(f), "out");
  const path = join(out, "profile.json");
  writeOutput(path, JSON.stringify(checked, null, 2) + "\n", "out");
  return { profile: checked, dir: out, path, files };
}
