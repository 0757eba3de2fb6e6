/**
 * The running kernel's build configuration: /proc/config.gz (CONFIG_IKCONFIG_PROC),
 * else the distribution's /boot/config-RELEASE. Containers often have neither.
 */
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { gunzipSync } from "node:zlib";

/** The options a profile records: what selects the flush, the table free, the PTE read and the tracing. */
export const CONFIG_OPTIONS = [
  "CONFIG_PARAVIRT", "CONFIG_KVM_GUEST", "CONFIG_XEN", "CONFIG_HYPERV", "CONFIG_PARAVIRT_TIME_ACCOUNTING",
  "CONFIG_MMU_GATHER_RCU_TABLE_FREE", "CONFIG_HAVE_RCU_TABLE_FREE", "CONFIG_PT_RECLAIM", "CONFIG_X86_BROADCAST_TLB_FLUSH",
  "CONFIG_64BIT", "CONFIG_X86_64", "CONFIG_X86_PAE", "CONFIG_GUP_GET_PXX_LOW_HIGH", "CONFIG_GUP_GET_PTE_LOW_HIGH", "CONFIG_ARM64",
  "CONFIG_KPROBES", "CONFIG_PREEMPT_RCU", "CONFIG_RCU_LAZY", "CONFIG_HZ",
] as const;

export interface KernelConfig {
  /** The file it was read from. */
  readonly source: string;
  /** Every option set: `y`, `m` or its value; an option not set is absent. */
  readonly options: ReadonlyMap<string, string>;
}

export type ConfigRead = { readonly ok: true; readonly config: KernelConfig } | { readonly ok: false; readonly why: string };

export function parseConfig(text: string, source: string): KernelConfig {
  const options = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) options.set(m[1]!, m[2]!.replace(/^"(.*)"$/, "$1"));
  }
  return { source, options };
}

export function readKernelConfig(): ConfigRead {
  const tried: string[] = [];
  const candidates: [string, (b: Buffer) => string][] = [
    ["/proc/config.gz", (b) => gunzipSync(b).toString("utf8")],
    [`/boot/config-${release()}`, (b) => b.toString("utf8")],
  ];
  for (const [path, decode] of candidates) {
    try {
      return { ok: true, config: parseConfig(decode(readFileSync(path)), path) };
    } catch (e) {
      tried.push(`${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  return { ok: false, why: `no kernel configuration readable (${tried.join("; ")})` };
}

/** The recorded options: each one's value, or "n" when it is not set. */
export function recordedOptions(c: KernelConfig): Record<string, string> {
  return Object.fromEntries(CONFIG_OPTIONS.map((o) => [o, c.options.get(o) ?? "n"]));
}

export const isSet = (c: KernelConfig | undefined, option: string): boolean => {
  const v = c?.options.get(option);
  return v === "y" || v === "m";
};
