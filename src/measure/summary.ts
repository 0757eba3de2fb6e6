/**
 * A profile as text for people (72 columns, ASCII): the machine, the
 * model's choices with their evidence, each parameter measured or why not
 * (with the samples' median and p99 against the model's default), and the
 * cross-checks of the preemption count.
 */
import { profileFile } from "./profile-file.js";
import type { Profile } from "../formats/profile.js";
import { readColumn, parseCsvSpec } from "../model/empirical.js";
import { machineLine } from "../model/measured.js";
import { aboutHypervisor } from "./hypervisors.js";
import { DEFAULTS, formatParams, PARAM_SPECS, type ParamName } from "../model/params.js";
import { ascii, columns, fmtNumber, fmtUs, WIDTH, wrap } from "../text/format.js";

/** Sorted samples' quantile q (nearest rank). */
export function quantileOf(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The samples behind each `csv:` value of a profile, sorted: measured values and bounds. */
export function profileSamples(profile: Profile, path: string): Partial<Record<ParamName, { samples: number[]; bound: boolean }>> {
  const out: Partial<Record<ParamName, { samples: number[]; bound: boolean }>> = {};
  for (const [name, e] of Object.entries(profile.params)) {
    const value = e.measured ? e.value : e.bound?.value;
    if (typeof value !== "string" || !value.startsWith("csv:")) continue;
    const { path: file, column } = parseCsvSpec(name, value);
    out[name as ParamName] = { samples: [...readColumn(profileFile(path, file, `${path}: params.${name}`), column)].sort((a, b) => a - b), bound: !e.measured };
  }
  return out;
}

const para = (text: string, indent = "  ") => wrap(text, WIDTH, indent);

export function profileText(profile: Profile, path: string): string {
  const m = profile.machine;
  const samples = profileSamples(profile, path);
  const defaults = formatParams(DEFAULTS);
  const rows = PARAM_SPECS.map(({ name, kind }) => {
    const e = profile.params[name];
    const s = samples[name];
    const value = !e ? "-" : e.measured
      ? s ? `median ${fmtUs(quantileOf(s.samples, 0.5))}, p99 ${fmtUs(quantileOf(s.samples, 0.99))}`
        : kind === "rate" ? `${fmtNumber(Number(e.value))} per ms` : String(e.value)
      : s ? `(bound: median ${fmtUs(quantileOf(s.samples, 0.5))})` : "-";
    return [name, e?.measured ? "yes" : "no", e?.measured ? String(e.n) : "", value, String(defaults[name])];
  });
  const choice = (label: string, c: Profile["machine"]["flush"]) =>
    para(`${label}: ${c.value ?? "open"}${c.kernel ? ` (the kernel: ${c.kernel})` : ""}. ${c.evidence.join("; ")}${c.why ? `. ${c.why}` : ""}`);
  const missing = Object.entries(profile.params).filter(([, e]) => !e.measured)
    .flatMap(([name, e]) => (e.measured ? [] : para(`${name}: ${e.why}`)));
  const pre = profile.observations.preemption;
  const skips = profile.observations.flushSkips;
  const lines = [
    ...para(`Machine: ${machineLine(m)}`),
    ...(aboutHypervisor(m.hypervisor) ? para(aboutHypervisor(m.hypervisor)!) : []),
    `Window: ${profile.window.seconds.toFixed(1)} s of ${profile.window.requestedSeconds} s` +
      (profile.window.interrupted ? " (interrupted; the profile holds what was measured)" : ""),
    "",
    "The model's choices for this kernel:",
    ...choice("flush", m.flush),
    ...choice("tableFree", m.tableFree),
    ...choice("pteRead", m.pteRead),
    ...para(`Matching preset: ${m.preset ?? "none"}${m.presets.length > 1 ? ` (also ${m.presets.slice(1).join(", ")})` : ""}.` +
      (m.row ? ` Kernel timeline row: ${m.row}.` : ""), ""),
    "",
    ...columns([["parameter", "measured", "n", "value", "default"], ...rows]),
    "",
    ...(missing.length ? ["Not measured:", ...missing, ""] : []),
    ...(pre ? [...para(`Preemption cross-check (CPU ${pre.busyCpu}, ${fmtNumber(pre.windowMs)} ms): ` +
      `${pre.preemptions} host preemptions, ${fmtNumber(pre.hostMs)} ms; steal by the scheduler's account of the thread ` +
      `(wall less run time and run-queue wait, within a tick) ${pre.stolenMs === null ? "n/a" : `${fmtNumber(pre.stolenMs)} ms`}, ` +
      `by /proc/stat ${pre.procStatStealMs ?? "n/a"} ms (10 ms ticks); ` +
      `guest switches ${fmtNumber(pre.guestSwitchMs)} ms; other gaps (interrupts, exits) ${fmtNumber(pre.otherMs)} ms.`, ""), ""] : []),
    ...(skips ? [...para(`Flush IPIs to the busy vCPU: ${skips.running.withIpi}/${skips.running.flushes} of the flushes while it ran, ` +
      `${skips.hostGap.withIpi}/${skips.hostGap.flushes} while the host had it, ` +
      `${skips.switchedOut.withIpi}/${skips.switchedOut.flushes} while the guest ran another task.`, ""), ""] : []),
    `Wrote ${path} and ${profile.samples.length} CSV files of samples.`,
  ];
  return ascii(lines.join("\n")) + "\n";
}
