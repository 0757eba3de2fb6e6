/**
 * Which preset a kernel is: each preset's `applies` field in
 * data/scenarios/*.json lists the kernel versions, architectures and
 * hypervisors it stands for, so a preset added later says where it applies
 * in its own file and no code changes. A rule with `when` is conditional (a
 * CPU feature, a code path); without it, at most one preset applies.
 */
import { readdirSync, readFileSync } from "node:fs";
import { InputError } from "./errors.js";
import { presetNames } from "./scenario.js";

const PRESET_DIR = new URL("../../data/scenarios/", import.meta.url);

/** Architectures as the rules name them. */
export const ARCHES = ["x86_64", "x86-32-pae", "arm64", "riscv64"] as const;
export type Arch = (typeof ARCHES)[number];
/** Hypervisors as `tlbrace measure` reports them; "none" is bare metal. */
export const HYPERVISORS = ["none", "KVM", "PVM", "Hyper-V", "Xen"] as const;
export type Hypervisor = (typeof HYPERVISORS)[number];

/** Other spellings: uname -m, and the names measure's boot-log reading gives. */
const ARCH_ALIASES: Readonly<Record<string, Arch>> = {
  x86_64: "x86_64", amd64: "x86_64", "x86-64": "x86_64",
  "x86-32-pae": "x86-32-pae", "x86-32": "x86-32-pae", i386: "x86-32-pae", i686: "x86-32-pae", x86: "x86-32-pae",
  arm64: "arm64", aarch64: "arm64", riscv64: "riscv64", riscv: "riscv64",
};
const HYPERVISOR_ALIASES: Readonly<Record<string, Hypervisor>> = {
  none: "none", "bare-metal": "none", baremetal: "none", kvm: "KVM", pvm: "PVM", "hyper-v": "Hyper-V",
  hyperv: "Hyper-V", "microsoft hyper-v": "Hyper-V", xen: "Xen", "xen pv": "Xen", "xen hvm": "Xen",
};

/** A kernel version as major.minor. */
export type Version = readonly [number, number];

export interface AppliesRule {
  /** First version it applies to (inclusive), or null: since before the history starts. */
  readonly from: Version | null;
  /** First version it no longer applies to, or null: still applies. */
  readonly until: Version | null;
  readonly arches: readonly Arch[];
  readonly hypervisors: readonly Hypervisor[];
  /** A condition beyond version, arch and hypervisor; absent for the preset that applies by default. */
  readonly when?: string;
  /** The commits or evidence the range rests on. */
  readonly source: string;
}

export function parseVersion(text: string, field = "kernel"): Version {
  const m = typeof text === "string" ? /^v?(\d+)\.(\d+)(?:[.\-+_ ].*)?$/.exec(text.trim()) : null;
  if (!m) throw new InputError(field, text, "a kernel version such as 6.18 or 6.18.44-fc (major.minor first)");
  return [Number(m[1]), Number(m[2])];
}

export const formatVersion = (v: Version): string => `${v[0]}.${v[1]}`;
export const compareVersions = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1];

export function parseArch(text: string): Arch {
  const a = ARCH_ALIASES[String(text).trim().toLowerCase()];
  if (!a) throw new InputError("arch", text, `one of ${ARCHES.join(", ")} (or aarch64, i686, amd64)`);
  return a;
}

export function parseHypervisor(text: string): Hypervisor {
  const h = HYPERVISOR_ALIASES[String(text).trim().toLowerCase()];
  if (!h) throw new InputError("hypervisor", text, `one of ${HYPERVISORS.join(", ")} (none: bare metal)`);
  return h;
}

let rules: Map<string, readonly AppliesRule[]> | undefined;

function ruleOf(file: string, i: number, raw: unknown): AppliesRule {
  const at = `applies[${i}] of data/scenarios/${file}`;
  if (typeof raw !== "object" || raw === null) throw new InputError(at, raw, "{kernels, arches, hypervisors, source, when?}");
  const r = raw as Record<string, unknown>;
  const k = r.kernels;
  if (!Array.isArray(k) || k.length !== 2 || !k.every((x) => x === null || typeof x === "string"))
    throw new InputError(`${at}.kernels`, k, '[from, until]: versions such as "6.14", null for an open end');
  const [from, until] = k.map((x) => (x === null ? null : parseVersion(x as string, `${at}.kernels`))) as [Version | null, Version | null];
  if (from && until && compareVersions(from, until) >= 0) throw new InputError(`${at}.kernels`, k, "from before until");
  const list = <T extends string>(name: string, parse: (s: string) => T): T[] => {
    const v = r[name];
    if (!Array.isArray(v) || v.length === 0) throw new InputError(`${at}.${name}`, v, "a non-empty list");
    return v.map((x) => {
      try {
        return parse(x as string);
      } catch (e) {
        if (e instanceof InputError) throw new InputError(`${at}.${name}`, x, e.allowed);
        throw e;
      }
    });
  };
  const oneOf = <T extends string>(names: readonly T[]) => (s: string): T => {
    if ((names as readonly string[]).includes(s)) return s as T;
    throw new InputError("", s, `one of ${names.join(", ")}`);
  };
  const arches = list("arches", oneOf(ARCHES));
  const hypervisors = list("hypervisors", oneOf(HYPERVISORS));
  if (r.when !== undefined && (typeof r.when !== "string" || r.when === "")) throw new InputError(`${at}.when`, r.when, "a sentence");
  if (typeof r.source !== "string" || r.source === "") throw new InputError(`${at}.source`, r.source, "the commits the range rests on");
  return { from, until, arches, hypervisors, ...(r.when ? { when: r.when as string } : {}), source: r.source };
}

function readRules(): Map<string, readonly AppliesRule[]> {
  const out = new Map<string, readonly AppliesRule[]>();
  for (const file of readdirSync(PRESET_DIR).filter((f) => f.endsWith(".json")).sort()) {
    const raw = JSON.parse(readFileSync(new URL(file, PRESET_DIR), "utf8")) as { name: string; applies?: unknown };
    if (raw.applies === undefined) continue;
    if (!Array.isArray(raw.applies)) throw new InputError(`applies of data/scenarios/${file}`, raw.applies, "a list of rules");
    out.set(raw.name, raw.applies.map((a, i) => ruleOf(file, i, a)));
  }
  return out;
}

/** Every preset's rules, in preset order; presets with none (proposals, configurations no kernel shipped) are absent. */
export function appliesRules(): ReadonlyMap<string, readonly AppliesRule[]> {
  return (rules ??= readRules());
}

const inRange = (v: Version, r: AppliesRule) =>
  (r.from === null || compareVersions(v, r.from) >= 0) && (r.until === null || compareVersions(v, r.until) < 0);

const rangeText = (r: AppliesRule) =>
  r.from && r.until ? `${formatVersion(r.from)} to ${formatVersion(r.until)} (not included)`
    : r.from ? `${formatVersion(r.from)} on` : r.until ? `before ${formatVersion(r.until)}` : "every version";

export interface KernelQuery {
  readonly version: Version;
  readonly arch: Arch;
  readonly hypervisor: Hypervisor;
}

export interface KernelMatch {
  readonly query: KernelQuery;
  /** The preset that applies by default, or null. */
  readonly preset: string | null;
  /** The rule it matched. */
  readonly rule: AppliesRule | null;
  /** Presets that apply under a further condition. */
  readonly conditional: readonly { name: string; rule: AppliesRule }[];
  /** When no preset applies by default: why, from the rules that came closest. */
  readonly why: string | null;
}

export function presetForKernel(q: KernelQuery): KernelMatch {
  const all = [...appliesRules()].flatMap(([name, rs]) => rs.map((rule) => ({ name, rule })));
  const hits = all.filter(({ rule }) => inRange(q.version, rule) && rule.arches.includes(q.arch) && rule.hypervisors.includes(q.hypervisor));
  const main = hits.filter((h) => h.rule.when === undefined);
  if (main.length > 1) throw new Error(`presets ${main.map((m) => m.name).join(", ")} both apply to ${formatVersion(q.version)} ${q.arch} ${q.hypervisor}`);
  const conditional = hits.filter((h) => h.rule.when !== undefined);
  if (main.length === 1) return { query: q, preset: main[0]!.name, rule: main[0]!.rule, conditional, why: null };
  // No preset: say which rules cover this arch and hypervisor at other versions, or that none covers them at all.
  const place = all.filter(({ rule }) => rule.arches.includes(q.arch) && rule.hypervisors.includes(q.hypervisor) && rule.when === undefined);
  const who = q.hypervisor === "none" ? `${q.arch} bare metal` : `${q.arch} under ${q.hypervisor}`;
  const why = place.length
    ? `no preset covers ${who} at ${formatVersion(q.version)}; presets for ${who}: ` +
      place.map(({ name, rule }) => `${name} (${rangeText(rule)})`).join(", ")
    : `no preset covers ${who} at any version`;
  return { query: q, preset: null, rule: null, conditional, why };
}

/** The rows of the kernel timeline: the places the presets' rules name. */
export const TIMELINE_ROWS: readonly { label: string; arch: Arch; hypervisor: Hypervisor }[] = [
  { label: "x86_64 bare metal", arch: "x86_64", hypervisor: "none" },
  { label: "x86_64 KVM guest", arch: "x86_64", hypervisor: "KVM" },
  { label: "x86_64 PVM guest", arch: "x86_64", hypervisor: "PVM" },
  // Xen PV's history is the longer one (an immediate free before 4.14); Hyper-V's hypercall flush came with RCU table free.
  { label: "x86_64 Xen PV/Hyper-V guest", arch: "x86_64", hypervisor: "Xen" },
  { label: "x86-32 PAE bare metal", arch: "x86-32-pae", hypervisor: "none" },
  { label: "arm64", arch: "arm64", hypervisor: "none" },
  { label: "riscv64", arch: "riscv64", hypervisor: "none" },
];

/** The timeline row of a machine (uname -m and measure's hypervisor name), or null when none fits. */
export function rowOf(arch: string, hypervisor: string | null): string | null {
  const a = ARCH_ALIASES[arch.toLowerCase()];
  const h = hypervisor === null ? "none" : HYPERVISOR_ALIASES[hypervisor.toLowerCase()];
  if (!a || !h) return null;
  const hv = h === "Hyper-V" ? "Xen" : h;
  const row = TIMELINE_ROWS.find((r) => r.arch === a && (r.hypervisor === hv || (a !== "x86_64" && a !== "x86-32-pae")));
  return row?.label ?? null;
}

/** Every version any rule starts or ends at, in order: where the timeline's cells change. */
export function ruleVersions(): Version[] {
  const seen = new Map<string, Version>();
  for (const rs of appliesRules().values())
    for (const r of rs) for (const v of [r.from, r.until]) if (v) seen.set(formatVersion(v), v);
  return [...seen.values()].sort(compareVersions);
}

/** Presets named by rules that are not presets (a renamed file): a check for the tests. */
export const unknownPresets = (): string[] => [...appliesRules().keys()].filter((n) => !presetNames().includes(n));
