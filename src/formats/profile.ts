/**
 * profile.json, written by `tlbrace measure` (and tr.measure) and read by
 * `--profile` and tr.scenario({ profile }): the machine, its kernel's choices
 * for the model, and for every model parameter either how it was measured,
 * on how many samples, and its value (a distribution the model accepts;
 * `csv:FILE:COLUMN` for samples, FILE relative to the profile's folder), or
 * why it was not.
 */
import { z } from "zod";

export const PROFILE_FORMAT = "tlbrace-profile";
export const PROFILE_VERSION = 1;

const text = z.string();
const count = z.number().int().min(0);

const choice = z.object({
  value: z.string().nullable().describe("What the model runs; null when nothing on this machine decides it"),
  kernel: z.string().optional().describe("What the kernel does, where the model lacks that mode and `value` stands in"),
  evidence: z.array(text).describe("What the choice rests on: configuration options, boot log lines, traced events"),
  why: z.string().optional().describe("Why `value` is null or stands in for `kernel`"),
});

export const machineSchema = z.object({
  kernel: text.describe("uname -r"),
  arch: text.describe("uname -m"),
  hypervisor: z.string().nullable().describe("The hypervisor the guest runs under; null when none is seen"),
  cores: z.number().int().min(1),
  date: z.iso.datetime().describe("When the measurement window started (UTC)"),
});

const measuredParam = z.object({
  measured: z.literal(true),
  method: text.describe("How it was measured"),
  n: count.describe("Samples, or for a detected choice the observations it rests on"),
  value: z.union([z.string(), z.number()]).describe("A value the model accepts: a number, a name, or csv:FILE:COLUMN with FILE in the profile's folder"),
  note: z.string().optional().describe("What the value leaves out, where it stands in for something the model lacks"),
});

const unmeasuredParam = z.object({
  measured: z.literal(false),
  why: text.describe("What was missing: kprobes, root, bpftrace, or no events in the window"),
  bound: z.object({
    method: text,
    n: count,
    value: z.union([z.string(), z.number()]),
  }).optional().describe("A measured bound, not used as the value"),
});

const flushTally = z.object({ flushes: count, withIpi: count });

export const profileSchema = z.object({
  format: z.literal(PROFILE_FORMAT),
  formatVersion: z.literal(PROFILE_VERSION),
  tool: z.object({ version: text, commit: z.string().nullable() }),
  machine: machineSchema.extend({
    config: z.object({
      source: text.describe("The file read: /proc/config.gz or /boot/config-RELEASE"),
      options: z.record(z.string(), z.string()).describe("The options that decide the model's choices: their value, n when not set"),
    }).nullable(),
    configWhy: z.string().optional(),
    flush: choice,
    tableFree: choice,
    pteRead: choice,
    preset: z.string().nullable().describe("The preset whose flush and tableFree are this machine's"),
    presets: z.array(text).describe("Every such preset, best first"),
    row: z.string().nullable().optional().describe("The machine's row of the kernel timeline (notebook 04): its architecture and hypervisor"),
    notes: z.array(text),
  }),
  window: z.object({
    requestedSeconds: z.number().positive(),
    seconds: z.number().min(0).describe("How long the window lasted"),
    interrupted: z.boolean(),
  }),
  capabilities: z.record(z.string(), z.object({ ok: z.boolean(), detail: text })),
  params: z.record(z.string(), z.discriminatedUnion("measured", [measuredParam, unmeasuredParam])),
  observations: z.object({
    flushesByReason: z.record(z.string(), count).nullable().describe("tlb:tlb_flush events by reason, the whole machine"),
    callsByCallback: z.record(z.string(), count).nullable().describe("Cross-CPU calls completed in the window, by callback"),
    ipisByCallback: z.record(z.string(), count).nullable(),
    flushSkips: z.object({ running: flushTally, hostGap: flushTally, switchedOut: flushTally }).nullable()
      .describe("The churn thread's remote flushes by the busy vCPU's state, and how many sent it an IPI"),
    preemption: z.object({
      busyCpu: z.number().int(),
      by: z.enum(["steal", "length"]),
      windowMs: z.number(),
      onCpuMs: z.number(),
      guestSwitchMs: z.number(),
      hostMs: z.number(),
      otherMs: z.number(),
      stolenMs: z.number().nullable().describe("Steal by the scheduler's account of the busy thread: wall less run time and run-queue wait"),
      procStatStealMs: z.number().nullable().describe("Steal of the busy CPU in /proc/stat, in 10 ms ticks"),
      gaps: count,
      preemptions: count,
    }).nullable(),
    load: z.object({
      churnIterations: count,
      collapses: count,
      collapseErrors: count,
      membarrierCalls: count,
      vmspliceCalls: count,
    }).nullable(),
    lostEvents: count,
    untraced: z.array(text).describe("Tracepoints this kernel lacks"),
  }),
  samples: z.array(z.object({
    file: text,
    columns: z.array(text),
    rows: count,
    what: text,
  })),
});

export type Profile = z.infer<typeof profileSchema>;
export type ProfileParam = Profile["params"][string];
export type ProfileChoice = z.infer<typeof choice>;

/** The provenance a manifest carries (model/measured.ts): checked when a manifest is read back. */
export const measuredSchema = z.object({
  profile: text,
  machine: machineSchema,
  params: z.record(z.string(), z.object({ method: text, n: count })),
});
