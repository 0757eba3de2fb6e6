import { type Distribution, exponential, formatDistribution, mean, parseDistribution } from "./distribution.js";
import { csvDelay } from "./empirical.js";
import { checkLimits } from "./limits.js";
import { InputError } from "./errors.js";
import type { PerMillisecond, Probability } from "./units.js";

/**
 * How the unmapper's TLB flush reaches the walker's vCPU.
 *  - native-ipi: flush_tlb_mm_range -> native_flush_tlb_multi, an IPI to every CPU of the mm, waits for each;
 *  - kvm-pv:     kvm_flush_tlb_multi, skips a vCPU whose steal-time state is KVM_VCPU_PREEMPTED;
 *  - hypercall:  hyperv_flush_tlb_multi / xen_flush_tlb_multi, the hypervisor flushes, no vCPU takes an IPI;
 *  - broadcast:  AMD INVLPGB+TLBSYNC or arm64 TLBI ...IS, no IPI even on bare metal.
 */
export const FLUSH_MECHANISMS = ["native-ipi", "kvm-pv", "hypercall", "broadcast"] as const;
export type FlushMechanism = (typeof FLUSH_MECHANISMS)[number];

/**
 * How the page-table page is freed after the flush.
 *  - immediate:     freed at once (x86 paravirt before 2018, khugepaged before its 2022 fix);
 *  - rcu:           MMU_GATHER_RCU_TABLE_FREE: tlb_remove_table batches, call_rcu; if the batch page
 *                   cannot be allocated, tlb_remove_table_sync_one IPIs all CPUs, then frees;
 *  - sync-ipi:      always tlb_remove_table_sync_one, then free (khugepaged after its fix);
 *  - rcu-skip-sync: as rcu, but the sync IPI is left out because the flush is believed to have IPI'd;
 *  - rcu-pt-reclaim: CONFIG_PT_RECLAIM (x86_64 since 6.14): as rcu, but when the batch page cannot be
 *                   allocated tlb_remove_table_one -> __tlb_remove_table_one frees the one table through
 *                   call_rcu, with no tlb_remove_table_sync_one IPI;
 *  - rcu-synchronize: as rcu since v7.1 (1fb3d8c20bfa) without PT_RECLAIM: a failed batch allocation
 *                   sleeps in synchronize_rcu() and then frees the table, with no IPI.
 * Each mode's steps are data/protocols/table-free/NAME.yaml; a test checks the two lists agree.
 */
export const TABLE_FREE_MODES = ["immediate", "rcu", "sync-ipi", "rcu-skip-sync", "rcu-pt-reclaim", "rcu-synchronize"] as const;
export type TableFreeMode = (typeof TABLE_FREE_MODES)[number];

/**
 * How the walker loads a PTE in ptep_get_lockless().
 *  - atomic:   one load of the whole entry (64-bit kernels);
 *  - low-high: CONFIG_GUP_GET_PXX_LOW_HIGH (CONFIG_GUP_GET_PTE_LOW_HIGH before v6.2; x86-32 PAE,
 *              MIPS32 with 64-bit physical addresses, SH with X2TLB): two 32-bit loads, low then
 *              high, then low again, retrying if it changed.
 */
export const PTE_READS = ["atomic", "low-high"] as const;
export type PteRead = (typeof PTE_READS)[number];

/**
 * When, in the PTE model, a fault may map B at the address the unmapper zapped.
 *  - after-flush:  MODEL.md's order and the premise of ptep_get_lockless()'s comment: zap, TLB flush, then B;
 *  - after-unlock: the kernel's order: zap_pte_range drops the PTE lock without flushing (unless
 *                  force_flush), so a fault may map B as soon as the PTE is none, before tlb_finish_mmu
 *                  flushes (mm/memory.c).
 */
export const PTE_REMAPS = ["after-flush", "after-unlock"] as const;
export type PteRemap = (typeof PTE_REMAPS)[number];

/** Every parameter of one episode, resolved. Delays are distributions in µs. */
export interface Params {
  readonly flush: FlushMechanism;
  readonly tableFree: TableFreeMode;
  readonly walkUs: Distribution;
  readonly preemptRate: PerMillisecond;
  readonly preemptUs: Distribution;
  readonly flushUs: Distribution;
  readonly ipiUs: Distribution;
  readonly memoryPressure: Probability;
  readonly gracePeriodUs: Distribution;
  readonly reuseUs: Distribution;
  readonly pteRead: PteRead;
  readonly lowCollision: Probability;
  readonly pteRemap: PteRemap;
  readonly faultUs: Distribution;
  readonly pteLoadGapUs: Distribution;
  /** vCPUs of the mm, the unmapper's included (MODEL.md, "Many vCPUs"). */
  readonly cpus: number;
  /** Of the mm's other vCPUs, how many are inside GUP-fast at the unmap instant. */
  readonly walkers: number;
  /**
   * A protocol given by the user (`--protocol FILE`, tr.protocol) in place of
   * the built-in one of `model`: the whole document, patches applied, so
   * workers and re-runs need no file. Absent: the built-in protocols.
   */
  readonly protocol?: ProtocolRef;
}

/** A user's protocol as parameters carry it (src/protocol/format.ts is its shape). */
export interface ProtocolRef {
  /** What it is called in titles and manifests: its name, or its file's. */
  readonly name: string;
  readonly model: "table-free" | "pte";
  readonly doc: Readonly<Record<string, unknown>>;
}
export type ParamName = Exclude<keyof Params, "protocol">;
export type DelayParam = "walkUs" | "preemptUs" | "flushUs" | "ipiUs" | "gracePeriodUs" | "reuseUs" | "faultUs" | "pteLoadGapUs";
export type NumericParam = "preemptRate" | "memoryPressure" | "lowCollision";
export type CountParam = "cpus" | "walkers";

type Kind = "enum" | "delay" | "rate" | "probability" | "count";
export interface ParamSpec {
  readonly name: ParamName;
  readonly kind: Kind;
  readonly unit: string;
  readonly doc: string;
  /** Where the default comes from; "assumed" says it is a judgement, with the reason. */
  readonly source: string;
  readonly values?: readonly string[];
  /** A count's range. */
  readonly min?: number;
  readonly max?: number;
}

/** The model of two vCPUs, one walker and the unmapper: a manifest of it is written as before there were more. */
export const ONE_WALKER = { cpus: 2, walkers: 1 } as const;
/** Whether `p` has more than the one walker and the unmapper. */
export const manyCpus = (p: Pick<Params, "cpus" | "walkers">): boolean => p.cpus !== ONE_WALKER.cpus || p.walkers !== ONE_WALKER.walkers;

/** Refuses, before any work, more vCPUs than `what` models (it reads one walker and the unmapper). */
export function oneWalkerOnly(p: Pick<Params, "cpus" | "walkers">, what: string): void {
  if (manyCpus(p))
    throw new InputError("cpus", `${p.cpus} with walkers ${p.walkers}`, `cpus 2 and walkers 1 for ${what}: many vCPUs run on Monte Carlo (run, sweep, matrix) and the exact solver`);
}

/** Defaults. Delays are exponential so that the exact solver applies to the defaults as they are. */
export const DEFAULTS: Params = {
  flush: "kvm-pv",
  tableFree: "rcu",
  walkUs: exponential(5),
  preemptRate: 0.1,
  preemptUs: exponential(3000),
  flushUs: exponential(3),
  ipiUs: exponential(3),
  memoryPressure: 0.01,
  gracePeriodUs: exponential(10000),
  reuseUs: exponential(50),
  pteRead: "atomic",
  lowCollision: 1e-6,
  pteRemap: "after-flush",
  faultUs: exponential(50),
  pteLoadGapUs: exponential(0.001),
  ...ONE_WALKER,
};

export const PARAM_SPECS: readonly ParamSpec[] = [
  { name: "flush", kind: "enum", unit: "", values: FLUSH_MECHANISMS,
    doc: "TLB flush mechanism of the unmapper", source: "MODEL.md; the seed's diagram uses kvm_flush_tlb_multi" },
  { name: "tableFree", kind: "enum", unit: "", values: TABLE_FREE_MODES,
    doc: "how the page-table page is freed after the flush", source: "MODEL.md; the seed relies on MMU_GATHER_RCU_TABLE_FREE" },
  { name: "walkUs", kind: "delay", unit: "µs",
    doc: "walker's on-CPU work between the PMD read and its last read of the PTE page",
    source: "assumed: gup_test's published GUP-fast timings give 0.5-1.1 µs per one-page call; 5 µs is a walk over several pages (data/defaults.md)" },
  { name: "preemptRate", kind: "rate", unit: "per ms on-CPU",
    doc: "rate at which the host preempts the walker's vCPU while it runs with IRQs off",
    source: "assumed: a vCPU sharing its CPU with one other thread is preempted once per ~3 ms slice, a dedicated one almost never; 1 per 10 ms between (data/defaults.md)" },
  { name: "preemptUs", kind: "delay", unit: "µs",
    doc: "how long a preemption lasts (the vCPU holds KVM_VCPU_PREEMPTED)",
    source: "host time slice: kernel/sched/fair.c sysctl_sched_base_slice 0.75 ms x (1 + ilog2(min(ncpus, 8))), 3 ms on 8+ CPUs (data/defaults.md)" },
  { name: "flushUs", kind: "delay", unit: "µs",
    doc: "time the flush itself takes, before any wait for the walker's answer",
    source: "IPI under 1 µs on bare metal, ~10 µs from a guest (a VM exit and entry; QNX hypervisor manual): 3 µs (data/defaults.md)" },
  { name: "ipiUs", kind: "delay", unit: "µs",
    doc: "round trip of tlb_remove_table_sync_one's IPI to a CPU with IRQs on",
    source: "IPI under 1 µs on bare metal, ~10 µs from a guest (a VM exit and entry; QNX hypervisor manual): 3 µs (data/defaults.md)" },
  { name: "memoryPressure", kind: "probability", unit: "",
    doc: "chance that tlb_remove_table's GFP_NOWAIT batch allocation fails",
    source: "assumed: no public failure rate for GFP_NOWAIT | __GFP_NOWARN; 1% of table frees meet a failed batch allocation (data/defaults.md)" },
  { name: "gracePeriodUs", kind: "delay", unit: "µs",
    doc: "least time from call_rcu to the callback, if every CPU has passed a quiescent state",
    source: "synchronize_rcu() measured at ~9.5 ms on a 36-CPU system (~4 ms with rcu_normal_wake_from_gp): 10 ms (data/defaults.md)" },
  { name: "reuseUs", kind: "delay", unit: "µs",
    doc: "time from the free of the page-table page to its reuse by another allocation",
    source: "assumed: a freed page goes to the per-CPU page list and is handed out again within ~50 µs (data/defaults.md)" },
  { name: "pteRead", kind: "enum", unit: "", values: PTE_READS,
    doc: "how ptep_get_lockless loads a PTE: one load, or 32-bit halves low, high, low again (CONFIG_GUP_GET_PXX_LOW_HIGH)",
    source: "include/linux/pgtable.h: ptep_get_lockless; 64-bit kernels load atomically; x86-32 PAE, MIPS32 with 64-bit physical addresses and SH with X2TLB select GUP_GET_PXX_LOW_HIGH" },
  { name: "lowCollision", kind: "probability", unit: "",
    doc: "chance that the low half of B, the PTE mapped after A was cleared, equals A's (the torn PTE read)",
    source: "assumed: about 2^-20, B a random other frame with A's flags on a PAE machine with more than 4 GB: bits 12-31 of its address match A's" },
  { name: "pteRemap", kind: "enum", unit: "", values: PTE_REMAPS,
    doc: "when a fault may map B at the zapped address: after the TLB flush (MODEL.md), or once zap_pte_range drops the PTE lock (the kernel)",
    source: "MODEL.md's order; mm/memory.c zap_pte_range flushes before pte_unmap_unlock only when force_flush, so B may come before tlb_finish_mmu's flush" },
  { name: "faultUs", kind: "delay", unit: "µs",
    doc: "time from the moment the fault may map B (pteRemap) to its stores of B's halves",
    source: "assumed: another thread touches the zapped address again within ~50 µs; no public figure (data/defaults.md)" },
  { name: "pteLoadGapUs", kind: "delay", unit: "µs",
    doc: "walker's on-CPU time between two of ptep_get_lockless's 32-bit loads (low to high, high to the re-check)",
    source: "assumed: adjacent loads a few cycles apart, 1 ns (smp_rmb() is a compiler barrier on x86); only a host preemption stretches it (data/defaults.md)" },
  { name: "cpus", kind: "count", unit: "vCPUs", min: 2, max: 512,
    doc: "vCPUs of the mm, the unmapper's included: the flush and tlb_remove_table_sync_one go to every other one",
    source: "the seed's diagram: two vCPUs; large guests have 64 to 512 (MODEL.md, Many vCPUs)" },
  { name: "walkers", kind: "count", unit: "vCPUs", min: 1, max: 511,
    doc: "vCPUs inside GUP-fast at the unmap instant (1 to cpus - 1); the others run with IRQs on and are preempted at preemptRate",
    source: "the seed's diagram: one walker; a database doing O_DIRECT I/O has one per thread (MODEL.md, Many vCPUs)" },
];

export const PARAM_NAMES: readonly ParamName[] = PARAM_SPECS.map((s) => s.name);
export const DELAY_PARAMS: readonly DelayParam[] = PARAM_SPECS.filter((s) => s.kind === "delay").map((s) => s.name as DelayParam);

export function paramSpec(name: string): ParamSpec {
  const spec = PARAM_SPECS.find((s) => s.name === name);
  if (!spec) throw new InputError("parameter", name, `one of ${PARAM_NAMES.join(", ")}`);
  return spec;
}

/** Parses one parameter value (number, numeric string, distribution form or enum name). */
export function parseParam(name: string, value: unknown): Params[ParamName] {
  const spec = paramSpec(name);
  switch (spec.kind) {
    case "enum":
      if (typeof value === "string" && spec.values!.includes(value)) return value as FlushMechanism | TableFreeMode | PteRead | PteRemap;
      throw new InputError(name, value, `one of ${spec.values!.join(", ")}`);
    case "delay":
      // Measured samples are read here, not in distribution.ts: the engines' workers load that module
      // and need no CSV reader.
      if (typeof value === "string" && /^csv:/i.test(value.trim())) return parseDistribution(name, csvDelay(name, value));
      return parseDistribution(name, value);
    case "rate": {
      const x = toNumber(value);
      if (x === undefined || !Number.isFinite(x) || x < 0) throw new InputError(name, value, "a finite rate >= 0 per ms");
      return x;
    }
    case "probability": {
      const x = toNumber(value);
      if (x === undefined || !(x >= 0 && x <= 1)) throw new InputError(name, value, "a probability from 0 to 1");
      return x;
    }
    case "count": {
      const x = toNumber(value);
      if (x === undefined || !Number.isInteger(x) || x < spec.min! || x > spec.max!) throw new InputError(name, value, `a whole number from ${spec.min} to ${spec.max}`);
      return x;
    }
  }
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return undefined;
}

/** Validates `overrides` and applies them over `base`. Throws InputError on the first bad field. */
export function resolveParams(overrides: Readonly<Record<string, unknown>> = {}, base: Params = DEFAULTS): Params {
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides))
    throw new InputError("params", overrides, "an object of parameter names to values");
  const out: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    // A user's protocol rides along as it is: it is checked when its model is built.
    if (name === "protocol") {
      if (value !== undefined && (typeof value !== "object" || value === null || !("doc" in value) || !("model" in value)))
        throw new InputError("protocol", value, "a protocol as tr.protocol gives it ({ name, model, doc })");
      if (value !== undefined) out[name] = value;
      continue;
    }
    out[name] = parseParam(name, value);
  }
  const params = out as unknown as Params;
  if (mean(params.walkUs) <= 0)
    throw new InputError("walkUs", formatDistribution(params.walkUs), "a walk time with a mean > 0 µs (the IRQs-off window must not be empty)");
  if (params.walkers > params.cpus - 1)
    throw new InputError("walkers", params.walkers, `1 to cpus - 1 = ${params.cpus - 1}: the unmapper is one of the ${params.cpus} vCPUs`);
  if (manyCpus(params) && params.pteRead === "low-high")
    throw new InputError("pteRead", "low-high", `atomic with cpus ${params.cpus} and walkers ${params.walkers}: the PTE model of the torn read has one walker (cpus 2, walkers 1)`);
  checkLimits(params);
  return params;
}

/** Parameters as flat, printable values (`exp:5` for delays): for tables, manifests and text. */
export function formatParams(p: Params): Record<ParamName, string | number> {
  const out = {} as Record<ParamName, string | number>;
  for (const { name, kind } of PARAM_SPECS) {
    const v = p[name];
    out[name] = kind === "delay" ? formatDistribution(v as Distribution) : (v as string | number);
  }
  return out;
}
