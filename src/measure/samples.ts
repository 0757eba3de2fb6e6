/**
 * A measurement window's samples as the CSV files of a profile: one file
 * per measured delay, times in µs, the column the profile names and the
 * raw columns it came from. Only samples observed inside the window.
 */
import type { Microseconds } from "../model/units.js";
import { csv } from "../text/csv.js";
import { type CallLatency } from "./ipi.js";
import type { Preemptions } from "./preemption.js";

export interface SampleFile {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly Record<string, number | string>[];
  readonly what: string;
}

/** ns to µs, kept to the ns. */
export const us = (ns: number): Microseconds => Math.round(ns) / 1000;

export function latencyFile(file: string, func: string, calls: readonly CallLatency[]): SampleFile {
  return {
    file,
    columns: ["answerUs", "deliveryUs", "handlerUs", "cpu"],
    rows: calls.map((c) => ({ ...c })),
    what: `${func} cross-CPU calls: queued -> handler start (deliveryUs), handler (handlerUs), queued -> handler end (answerUs), target CPU`,
  };
}

export function graceFile(graces: readonly (readonly [number, number])[], t0: number): SampleFile {
  return {
    file: "grace-period.csv",
    columns: ["gracePeriodUs", "startUs"],
    rows: graces.map(([start, d]) => ({ gracePeriodUs: us(d), startUs: us(start - t0) })),
    what: "membarrier(MEMBARRIER_CMD_GLOBAL) durations: one synchronize_rcu() each",
  };
}

export function preemptionFiles(p: Preemptions, t0: number): SampleFile[] {
  return [
    {
      file: "preemptions.csv",
      columns: ["preemptUs", "startUs"],
      rows: p.host.map((h) => ({ preemptUs: Math.round(h.us * 1000) / 1000, startUs: us(h.start - t0) })),
      what: "host preemptions of the busy vCPU: their length and start in the window",
    },
    {
      file: "gaps.csv",
      columns: ["startUs", "lengthUs", "stolenUs", "kind"],
      rows: p.gaps.map((g) => ({ startUs: us(g.start - t0), lengthUs: us(g.length), stolenUs: us(g.stolen), kind: g.kind })),
      what: "every gap of the busy thread's clock: guest-switch, host-preemption or other (interrupts, exits that kept the vCPU running)",
    },
  ];
}

export function spliceFile(splices: readonly number[]): SampleFile {
  return {
    file: "walk-bound.csv",
    columns: ["vmspliceUs"],
    rows: splices.map((d) => ({ vmspliceUs: us(d) })),
    what: "vmsplice(2) of one page, timed in user space: an upper bound on a one-page GUP-fast walk",
  };
}

export function gupFile(gup: readonly number[], probe: string): SampleFile {
  return {
    file: "gup-fast.csv",
    columns: ["walkUs"],
    rows: gup.map((d) => ({ walkUs: us(d) })),
    what: `${probe} durations, kprobe to kretprobe`,
  };
}

export const sampleCsv = (s: SampleFile): string => csv(s.columns, s.rows);
