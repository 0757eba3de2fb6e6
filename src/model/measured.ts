/**
 * Which parameters of a scenario were measured on a real machine, there and
 * when: carried by the scenario into every result's manifest and reply, so a
 * number run on measured inputs says where they came from.
 */
import type { Count } from "./units.js";

/** The machine a profile was measured on, as a reply names it. */
export interface MeasuredMachine {
  /** `uname -r`. */
  readonly kernel: string;
  readonly arch: string;
  /** The hypervisor the guest runs under (`KVM`, `Xen`, ...), or null on bare metal or when unknown. */
  readonly hypervisor: string | null;
  readonly cores: number;
  /** When the measurement window started (ISO 8601, UTC). */
  readonly date: string;
}

/** How one parameter was measured, and on how many samples or observations. */
export interface MeasuredParam {
  readonly method: string;
  readonly n: Count;
}

export interface Measured {
  /** The profile file as it was named when applied. */
  readonly profile: string;
  readonly machine: MeasuredMachine;
  /** Only the parameters whose value is the measured one. */
  readonly params: Readonly<Record<string, MeasuredParam>>;
}

/** `measured` without the parameters in `names` (changed since); undefined when none is left. */
export function withoutMeasured(m: Measured | undefined, names: Iterable<string>): Measured | undefined {
  if (!m) return undefined;
  const drop = new Set(names);
  const params = Object.fromEntries(Object.entries(m.params).filter(([k]) => !drop.has(k)));
  return Object.keys(params).length ? { ...m, params } : undefined;
}

/** One line for replies: `Linux 6.18.44 x86_64, KVM guest, 2 cores, 2025-06-01 12:00 UTC`. */
export function machineLine(m: MeasuredMachine): string {
  const where = m.hypervisor ? `${m.hypervisor} guest` : "no hypervisor seen";
  return `Linux ${m.kernel} ${m.arch}, ${where}, ${m.cores} cores, ${m.date.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC")}`;
}
