/**
 * What the machine the tests run on should report, from evidence read here
 * and not through tlbrace's own code: the boot log ("Hypervisor detected:
 * ..." and the flush a guest set up), /sys/hypervisor/type, and CPUID leaf
 * 0x40000000 (the hypervisor's signature), each only where it is readable.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface MachineEvidence {
  /** The kernel's log, when this process may read it. */
  readonly bootLog: string[] | null;
  /** "Hypervisor detected: X" in the log; null when the log has none; undefined when the log is unreadable. */
  readonly detected: string | null | undefined;
  readonly sysHypervisor: string | undefined;
  /** CPUID 0x40000000's 12-byte signature ("" when none); undefined where it could not be read (no C compiler, not x86). */
  readonly cpuidSignature: string | undefined;
  /** /proc/cpuinfo's `hypervisor` flag. */
  readonly guestFlag: boolean;
}

const read = (p: string) => {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
};

function cpuidSignature(): string | undefined {
  if (process.arch !== "x64" && process.arch !== "ia32") return undefined;
  const dir = mkdtempSync(join(tmpdir(), "tlbrace-cpuid-"));
  try {
    writeFileSync(join(dir, "c.c"), `#include <cpuid.h>
#include <stdio.h>
#include <string.h>
int main(void) { unsigned a, b, c, d; char s[13]; __cpuid(0x40000000, a, b, c, d);
  memcpy(s, &b, 4); memcpy(s + 4, &c, 4); memcpy(s + 8, &d, 4); s[12] = 0; fputs(s, stdout); return 0; }
`);
    const cc = spawnSync("cc", ["-o", join(dir, "c"), join(dir, "c.c")], { encoding: "utf8" });
    if (cc.status !== 0) return undefined;
    const r = spawnSync(join(dir, "c"), [], { encoding: "latin1" });
    return r.status === 0 ? r.stdout.replace(/\0+$/, "").trim() : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function machineEvidence(): MachineEvidence {
  const d = spawnSync("dmesg", [], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const bootLog = d.status === 0 && typeof d.stdout === "string" ? d.stdout.split("\n") : null;
  const detected = bootLog === null ? undefined
    : bootLog.map((l) => /Hypervisor detected:\s*(.+)$/.exec(l)?.[1]?.trim()).find((x) => x) ?? null;
  const flags = /^(flags|Features)\s*:\s*(.*)$/m.exec(read("/proc/cpuinfo") ?? "")?.[2]?.split(/\s+/) ?? [];
  return { bootLog, detected, sysHypervisor: read("/sys/hypervisor/type")?.trim() || undefined, cpuidSignature: cpuidSignature(),
    guestFlag: flags.includes("hypervisor") };
}

/** The flush the boot log says the guest set up, or bare metal's; undefined where the log does not say. */
export function flushFromLog(e: MachineEvidence): string | undefined {
  if (!e.bootLog) return undefined;
  if (e.bootLog.some((l) => /KVM setup pv remote TLB flush/.test(l))) return "kvm-pv";
  if (e.bootLog.some((l) => /pvm-pv: remote TLB flushes via/.test(l))) return "hypercall";
  if (!e.guestFlag && e.detected === null && process.arch === "x64") return "native-ipi";
  return undefined;
}
