/**
 * The protocol file format (YAML or JSON), as a zod schema: the shape only.
 * What the expressions mean, which names exist and which values a variable
 * takes are checked when the protocol is built (build.ts), with the file's
 * line and column.
 *
 * Two kinds of file share the format. A protocol holds everything an engine
 * reads: state variables, steps, W's window, when an episode is settled. A
 * patch names a `base` (a preset, or another file) and says what changes:
 * `replace` (a step's fields by id), `insert` (steps after or before an id),
 * `remove` (ids), added `state` and `define`, and any top-level field. The
 * built-in flush mechanisms and table-freeing modes of data/protocols/ are
 * patches without a base: pieces the model is put together from.
 */
import { z } from "zod";

export const PROTOCOL_FORMAT = "tlbrace-protocol";

const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "a step id: letters, digits, - and _").describe("A step's id, kept across versions so patches stay valid");
const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a name: letters, digits and _");
const expression = z.string().describe("An expression of the protocol language (README: Protocol files)");
const value = z.union([z.string(), z.number(), z.boolean()]);

export const variableSchema = z.strictObject({
  values: z.array(value).min(1).optional().describe("Every value the variable takes; exactly one of values and count"),
  count: z.literal(true).optional().describe("A count with no bound in the model (the explorer bounds it): preemptions"),
  initial: value.optional().describe("Its value before anything happens (required in a protocol)"),
  add: z.array(value).min(1).optional().describe("In a patch: values added to the base's variable of that name"),
  per: z.literal("cpu").optional().describe("One copy on each vCPU of the mm (W's program counter, its IPIs pending, ...); U's steps read it through all(), any(), count() and write it in `each`"),
  doc: z.string().optional(),
});

export const branchSchema = z.strictObject({
  label: z.string().min(1),
  weight: z.union([expression, z.number()]).optional().describe("An expression over the numeric parameters; absent: 1"),
  do: expression.optional().describe("Assignments joined by ;"),
});

const delay = z.union([
  z.string().describe("A delay parameter (walkUs, flushUs, ...)"),
  z.strictObject({ rate: z.string().describe("A rate parameter, per ms of W's on-CPU time (preemptRate)") }),
]);

/** One way U's step acts on a vCPU: each vCPU takes the first case whose `when` holds on it. */
export const caseSchema = z.strictObject({
  id: id.optional().describe("With one walker each case is a step of its own, under this id (required when a step has several cases)"),
  when: expression.optional().describe("On the vCPU (its per-CPU variables by name); absent: true"),
  kernel: z.string().min(1).optional().describe("The kernel function(s) for this case; absent: the step's"),
  label: z.string().optional(),
  do: expression.optional().describe("Assignments on the vCPU (and the mm's variables), joined by ;"),
});

const stepFields = {
  id,
  actor: z.enum(["W", "U", "host"]),
  kernel: z.string().min(1).describe("The kernel function(s) the step stands for"),
  when: expression.describe("The guard, apart from onCpu"),
  onCpu: z.boolean().optional().describe("W's own step: happens only while W's vCPU runs; its delay is W's on-CPU time"),
  delay: delay.optional().describe("Absent: the step happens at once when enabled"),
  label: z.string().optional().describe("What the step's one outcome is called (with do)"),
  do: expression.optional().describe("The step's one effect"),
  branches: z.array(branchSchema).min(1).optional().describe("Weighted outcomes, instead of label and do"),
  each: z.array(caseSchema).min(1).optional().describe("U's step acts on every other vCPU of the mm, each by the first case that holds on it, before its own do"),
  note: z.string().optional(),
};

export const stepSchema = z.strictObject(stepFields);
const stepChangeSchema = z.strictObject({ ...Object.fromEntries(Object.entries(stepFields).map(([k, v]) => [k, k === "id" ? v : v.optional()])) } as {
  [K in keyof typeof stepFields]: K extends "id" ? typeof stepFields[K] : z.ZodOptional<typeof stepFields[K]> });

const windowSchema = z.array(z.strictObject({
  step: id.describe("W's on-CPU step that ends this phase of the window"),
  enter: expression.optional().describe("Assignments that put W in this phase, over the unmap instant's state"),
})).min(1);

const topFields = {
  name: z.string().optional(),
  title: z.string().optional(),
  notes: z.string().optional(),
  kernel: z.array(z.string()).optional().describe("Kernel files, functions and commits the protocol stands for"),
  model: z.enum(["table-free", "pte"]).optional().describe("Which of a scenario's models it replaces: the page-table-free protocol (race, corrupt, costs; the default) or the PTE model (torn)"),
  define: z.record(name, expression).optional().describe("Named expressions, usable wherever an expression is"),
  window: windowSchema.optional().describe("W's IRQs-off window after the PMD read, phase by phase"),
  settled: expression.optional().describe("Nothing after this changes an outcome or a cost: the episode ends"),
  bystander: expression.optional().describe("Assignments that put a vCPU of the mm that is not walking in its state (with more vCPUs than walkers + 1)"),
  returned: expression.optional().describe("U has returned from the free path: unmap latency ends (default false)"),
  waiting: expression.optional().describe("U is blocked on W's answer to an IPI (default false)"),
  freed: expression.optional().describe("The page-table page has been freed: free delay ends (default false)"),
};

export const protocolSchema = z.strictObject({
  format: z.literal(PROTOCOL_FORMAT).optional(),
  ...topFields,
  state: z.record(name, variableSchema),
  steps: z.array(stepSchema).min(1),
  window: windowSchema,
  settled: expression,
});

export const patchSchema = z.strictObject({
  format: z.literal(PROTOCOL_FORMAT).optional(),
  base: z.string().optional().describe("A preset's name, or a protocol or patch file (relative to this one)"),
  ...topFields,
  state: z.record(name, variableSchema).optional().describe("Added state variables"),
  replace: z.array(stepChangeSchema).optional().describe("Steps by id: the fields given replace that step's fields"),
  insert: z.array(z.strictObject({
    after: id.optional(), before: id.optional(),
    step: stepSchema.optional(), steps: z.array(stepSchema).optional(),
  })).optional().describe("New steps, each after or before a step that exists"),
  remove: z.array(id).optional().describe("Steps to take out, by id"),
});

/** A protocol as parameters and manifests carry it: its name, which model it replaces, the whole document. */
export const protocolRefSchema = z.strictObject({
  name: z.string().min(1),
  model: z.enum(["table-free", "pte"]),
  doc: protocolSchema,
}).meta({ id: "protocolRef", description: "A protocol given in place of the built-in one (--protocol), patches applied" });

export type VariableDoc = z.infer<typeof variableSchema>;
export type BranchDoc = z.infer<typeof branchSchema>;
export type CaseDoc = z.infer<typeof caseSchema>;
export type StepDoc = z.infer<typeof stepSchema>;
export type ProtocolDoc = z.infer<typeof protocolSchema>;
export type PatchDoc = z.infer<typeof patchSchema>;
export type ModelName = NonNullable<ProtocolDoc["model"]>;

/** A file is a patch when it names a base or changes steps; otherwise a whole protocol. */
export const isPatch = (v: unknown): boolean =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !("steps" in v);
