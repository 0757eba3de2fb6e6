/** `tlbrace scenarios`: the presets, in the order the kernel met them; with --kernel, the one a kernel is. */
import { type KernelMatch, parseArch, parseHypervisor, parseVersion, presetForKernel } from "../model/applies.js";
import { InputError } from "../model/errors.js";
import { kernelHistory } from "../model/history.js";
import { preset } from "../model/scenario.js";
import { ascii, columns, WIDTH, wrap } from "../text/format.js";
import { type Options, parseCommandLine, positionals } from "./args.js";
import type { Command } from "./command.js";
import { json } from "./format.js";
import { SUMMARY } from "./commands.js";

const OPTIONS = {
  long: { type: "boolean" },
  kernel: { type: "string" },
  arch: { type: "string" },
  hypervisor: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

const help = `Usage: tlbrace scenarios [options]

Lists the preset scenarios of data/scenarios/ in the order the kernel
met them: the date of the change each stands for, its flush mechanism
and table-freeing mode, and its title.

With --kernel, names the preset that applies to that kernel version on an
architecture and hypervisor (from the presets' "applies" fields), the
presets that apply under a further condition, or why none does.

Options:
  --kernel VERSION    a kernel version (6.18, or uname -r's 6.18.44-fc)
  --arch ARCH         x86_64 (default), x86-32-pae, arm64, riscv64
                      (aarch64, i686, amd64 accepted)
  --hypervisor NAME   none (bare metal, default), KVM, PVM, Hyper-V, Xen
  --long      add each preset's sentence, notes and kernel references
  --json      print the presets as JSON
  -h, --help  show this help
`;

export const scenarios: Command = {
  name: "scenarios",
  summary: SUMMARY.scenarios,
  help,
  async run(args, ctx) {
    const { values, positionals: given } = parseCommandLine(args, OPTIONS);
    if (values.help) return ctx.out(help);
    positionals("scenarios", given, []);
    if (values.kernel === undefined) {
      for (const k of ["arch", "hypervisor"] as const)
        if (values[k] !== undefined) throw new InputError(k, values[k], "only with --kernel VERSION");
    } else {
      const match = presetForKernel({
        version: parseVersion(values.kernel), arch: parseArch(values.arch ?? "x86_64"), hypervisor: parseHypervisor(values.hypervisor ?? "none"),
      });
      return ctx.out(values.json ? json(matchJson(match)) : matchText(match));
    }
    const history = kernelHistory();
    if (values.json)
      return ctx.out(json(history.map((h) => ({
        name: h.scenario.name, date: h.date, title: h.scenario.title, summary: h.scenario.summary,
        notes: h.notes, kernel: h.scenario.kernel, flush: h.scenario.params.flush, tableFree: h.scenario.params.tableFree,
      }))));
    if (!values.long) {
      const rows = history.map((h) => [h.scenario.name, h.date, h.scenario.params.flush, h.scenario.params.tableFree]);
      const [head, ...lines] = columns([["name", "date", "flush", "tableFree"], ...rows]);
      // Each preset's title under its row.
      const out = [head!, "-".repeat(head!.length),
        ...lines.flatMap((l, i) => [l, ...wrap(ascii(history[i]!.scenario.title), WIDTH - 2).map((t) => `  ${t}`)])];
      return ctx.out(out.join("\n") + "\n");
    }
    const out: string[] = [];
    for (const h of history) {
      const s = h.scenario;
      out.push(`${s.name} (${h.date || "undated"}): flush=${s.params.flush} tableFree=${s.params.tableFree}`,
        ...wrap(ascii(s.title), WIDTH - 2).map((l) => `  ${l}`),
        ...wrap(ascii(s.summary), WIDTH - 2).map((l) => `  ${l}`),
        ...(h.notes ? ["", ...wrap(ascii(h.notes), WIDTH - 2).map((l) => `  ${l}`)] : []),
        ...s.kernel.flatMap((k) => wrap(ascii(k), WIDTH - 4).map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))),
        "");
    }
    ctx.out(out.join("\n"));
  },
};

function matchJson(m: KernelMatch): object {
  const q = m.query;
  return {
    kernel: `${q.version[0]}.${q.version[1]}`, arch: q.arch, hypervisor: q.hypervisor,
    preset: m.preset, source: m.rule?.source ?? null, why: m.why,
    ...(m.preset ? { flush: preset(m.preset).params.flush, tableFree: preset(m.preset).params.tableFree } : {}),
    conditional: m.conditional.map((c) => ({ preset: c.name, when: c.rule.when, source: c.rule.source })),
  };
}

function matchText(m: KernelMatch): string {
  const q = m.query;
  const where = `Linux ${q.version[0]}.${q.version[1]} on ${q.arch}, ${q.hypervisor === "none" ? "bare metal" : `${q.hypervisor} guest`}`;
  const out: string[] = [];
  if (m.preset) {
    const s = preset(m.preset);
    out.push(`${where}: ${m.preset} (flush=${s.params.flush} tableFree=${s.params.tableFree})`,
      ...wrap(ascii(s.title), WIDTH - 2).map((l) => `  ${l}`), ...wrap(ascii(`from: ${m.rule!.source}`), WIDTH - 2).map((l) => `  ${l}`));
  } else {
    out.push(`${where}: none`, ...wrap(ascii(m.why!), WIDTH - 2).map((l) => `  ${l}`));
  }
  for (const c of m.conditional)
    out.push(...wrap(ascii(`Also, when ${c.rule.when}: ${c.name} (${c.rule.source})`), WIDTH));
  return out.join("\n") + "\n";
}
