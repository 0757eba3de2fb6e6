/**
 * A protocol document built into the model the engines read: every
 * expression parsed and type-checked (names, values, assignments, weights),
 * then turned into closures. Every error names file:line:column, the step
 * and what is allowed.
 */
import { DELAY_PARAMS, type DelayParam, PARAM_SPECS, type Params } from "../model/params.js";
import {
  type Actor, type Delay, type Effect, IPIS, type Model, type ModelName, OUTCOME_VARIABLES, PRIMITIVES, type State,
  type Step, type Variable, type WindowPhase,
} from "../model/state.js";
import type { ManyEffect, ManyModel, ManyStep } from "../model/population.js";
import { type Expr, namesOf, parseAssignments, parseExpression, SyntaxProblem } from "./expr.js";
import type { BranchDoc, CaseDoc, ProtocolDoc, StepDoc } from "./format.js";
import { where } from "./places.js";
import { ProtocolError } from "./source.js";
import { effect, type EffectFn, evaluator, type Fn, type Scope, type Type, TypeProblem, typeOf } from "./typecheck.js";

/** The step whose delay the unmap instant's preemption continues (model/entry.ts). */
export const RESUME_STEP = "resume";

const RATE_PARAMS = PARAM_SPECS.filter((s) => s.kind === "rate").map((s) => s.name);
const NUMERIC_PARAMS = PARAM_SPECS.filter((s) => s.kind === "rate" || s.kind === "probability").map((s) => s.name);

/** Runs `f` on a piece of text, turning its problems into errors at the right place. */
function at<T>(obj: object, field: string, context: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SyntaxProblem || e instanceof TypeProblem) throw new ProtocolError(where(obj, field, e.at), context, e.found, e.expected);
    throw e;
  }
}

function variables(doc: ProtocolDoc): Variable[] {
  const out: Variable[] = [];
  for (const [name, v] of Object.entries(doc.state)) {
    const ctx = `state ${name}`;
    const fail = (field: string, found: string, allowed: string): never => { throw new ProtocolError(where(v, field, 0, where(doc.state, name)), ctx, found, allowed); };
    if (v.add) fail("add", "add", "values (add belongs in a patch over a base that has the variable)");
    if ((v.values === undefined) === (v.count === undefined)) fail("values", "a variable", "exactly one of values and count: true");
    if (v.initial === undefined) fail("initial", "no initial value", "initial: its value before anything happens");
    if (v.values) {
      const kinds = new Set(v.values.map((x) => typeof x));
      if (kinds.size > 1) fail("values", `values of ${kinds.size} types`, "values all strings, all numbers or all true/false");
      if (new Set(v.values).size !== v.values.length) fail("values", "a repeated value", "each value once");
      if (!v.values.includes(v.initial!)) fail("initial", JSON.stringify(v.initial), `one of its values (${v.values.join(", ")})`);
    } else if (!(typeof v.initial === "number" && Number.isInteger(v.initial) && v.initial >= 0)) {
      fail("initial", JSON.stringify(v.initial), "a count's initial value: an integer >= 0");
    }
    out.push({ name, ...(v.values ? { values: v.values } : {}), initial: v.initial! });
  }
  const byName = new Map(out.map((v) => [v.name, v]));
  for (const [name, kind] of Object.entries(PRIMITIVES)) {
    const v = byName.get(name);
    const fail = (found: string) => {
      throw new ProtocolError(where(v ? doc.state[name]! : doc, v ? "values" : "state"), `state ${name}`, found,
        `a variable ${name} ${kind === "count" ? "with count: true" : `with ${kind} values`} (the engines read it: ${PRIMITIVES_DOC[name as keyof typeof PRIMITIVES]})`);
    };
    if (!v) fail("no such variable");
    else if (kind === "count" ? v.values !== undefined : typeof v.values?.[0] !== kind) fail(kind === "count" ? "values" : "its values");
  }
  if (!byName.get("w")!.values!.includes("walking"))
    throw new ProtocolError(where(doc.state.w!, "values"), "state w", "values without 'walking'", "'walking' among w's values: the unmap instant puts W there");
  for (const name of OUTCOME_VARIABLES) {
    const v = byName.get(name);
    if (v && typeof v.values?.[0] !== "boolean") throw new ProtocolError(where(doc.state[name]!, "values"), `state ${name}`, "its values", "true and false: an outcome the engines count");
  }
  const ipis = byName.get(IPIS);
  // A count of IPIs: whole, so that a result's mean over its episodes can be checked (src/analysis/cost-checks.ts).
  if (ipis && ipis.values && !ipis.values.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0))
    throw new ProtocolError(where(doc.state[IPIS]!, "values"), `state ${IPIS}`, "its values", "whole numbers >= 0: the IPIs sent to W, a cost counted per episode");
  return out;
}

const PRIMITIVES_DOC: Record<keyof typeof PRIMITIVES, string> = {
  w: "the unmap instant puts W in 'walking'",
  wRunning: "W's on-CPU steps happen only while it is true",
  preemptions: "the explorer bounds the host's preemptions with it",
  u: "U's program counter",
};

/** The per-CPU variables and the definitions that read them, directly or through another. */
function localNames(doc: ProtocolDoc): Set<string> {
  const local = new Set(Object.entries(doc.state).filter(([, v]) => v.per === "cpu").map(([n]) => n));
  if (local.size === 0) return local;
  const defs = Object.entries(doc.define ?? {}).flatMap(([n, text]) => {
    try { return [[n, namesOf(parseExpression(text))] as const]; } catch { return []; }
  });
  for (let grew = true; grew;) {
    grew = false;
    for (const [n, names] of defs) if (!local.has(n) && [...names].some((x) => local.has(x))) { local.add(n); grew = true; }
  }
  return local;
}

function definitions(doc: ProtocolDoc, vars: ReadonlyMap<string, Variable>, local: ReadonlySet<string>, many: boolean): Scope["defs"] {
  const defs = new Map<string, { type: Type; fn: Fn }>();
  const parsed = new Map<string, Expr>();
  for (const [name, text] of Object.entries(doc.define ?? {})) {
    if (vars.has(name)) throw new ProtocolError(where(doc.define!, name), `define ${name}`, JSON.stringify(name), "a name no state variable has");
    parsed.set(name, at(doc.define!, name, `define ${name}`, () => parseExpression(text)));
  }
  // Definitions may use each other: each is checked once the ones it names are.
  const visiting = new Set<string>();
  const visit = (name: string): void => {
    if (defs.has(name)) return;
    if (visiting.has(name)) throw new ProtocolError(where(doc.define!, name), `define ${name}`, "a definition that uses itself", "definitions without cycles");
    visiting.add(name);
    const e = parsed.get(name)!;
    for (const n of namesIn(e)) if (parsed.has(n) && !vars.has(n)) visit(n);
    // A definition may read per-CPU names: where it is used decides whether that is allowed.
    const scope: Scope = { variables: vars, defs, local, many, onCpu: local.has(name) };
    const type = at(doc.define!, name, `define ${name}`, () => typeOf(e, scope));
    defs.set(name, { type, fn: evaluator(e, scope) });
  };
  for (const name of parsed.keys()) visit(name);
  return defs;
}

function namesIn(e: Expr): string[] {
  switch (e.kind) {
    case "lit": return [];
    case "name": return [e.name];
    case "unary": return namesIn(e.arg);
    case "binary": return [...namesIn(e.left), ...namesIn(e.right)];
    case "cond": return [...namesIn(e.test), ...namesIn(e.then), ...namesIn(e.else)];
    case "call": return namesIn(e.arg);
  }
}

/** A boolean expression over the state. */
function predicate(obj: object, field: string, text: string, context: string, scope: Scope): Fn & ((s: State) => boolean) {
  return at(obj, field, context, () => {
    const e = parseExpression(text);
    const t = typeOf(e, scope);
    if (t.kind !== "bool") throw new TypeProblem(e.at, `an expression of type ${t.kind === "num" ? "number" : "string"}`, "a condition (true or false)");
    const fn = evaluator(e, scope);
    return fn as Fn & ((s: State) => boolean);
  });
}

function assignments(obj: object, field: string, text: string, context: string, scope: Scope): EffectFn {
  return at(obj, field, context, () => effect(parseAssignments(text), scope));
}

function delayOf(st: StepDoc): Delay | undefined {
  const d = st.delay;
  if (d === undefined) return undefined;
  if (typeof d === "string") {
    if (!(DELAY_PARAMS as readonly string[]).includes(d))
      throw new ProtocolError(where(st, "delay"), `step ${st.id}, delay`, JSON.stringify(d), `a delay parameter (${DELAY_PARAMS.join(", ")}) or { rate: ${RATE_PARAMS.join(" | ")} }`);
    return { param: d as DelayParam };
  }
  if (!RATE_PARAMS.includes(d.rate as never))
    throw new ProtocolError(where(d, "rate"), `step ${st.id}, delay`, JSON.stringify(d.rate), `a rate parameter (${RATE_PARAMS.join(", ")})`);
  return { rate: d.rate as "preemptRate" };
}

function weightOf(b: BranchDoc, context: string): Effect["weight"] {
  if (b.weight === undefined) return undefined;
  if (typeof b.weight === "number") {
    if (!(b.weight >= 0 && b.weight <= 1)) throw new ProtocolError(where(b, "weight"), `${context}, weight`, String(b.weight), "a probability from 0 to 1");
    const w = b.weight;
    return () => w;
  }
  const text = b.weight;
  return at(b, "weight", `${context}, weight`, () => {
    const e = parseExpression(text);
    // Weights are numbers from the parameters; the state is not theirs to read.
    const scope: Scope = { variables: new Map(), defs: new Map(), params: NUMERIC_PARAMS };
    const t = typeOf(e, scope);
    if (t.kind !== "num") throw new TypeProblem(e.at, `an expression of type ${t.kind === "bool" ? "boolean" : "string"}`, `a number from the parameters (${NUMERIC_PARAMS.join(", ")})`);
    return evaluator(e, scope) as unknown as (p: Params) => number;
  });
}

/** A step as built in either form: closures over one record, or over the mm and its vCPUs. */
interface Built {
  /** Names its guards read (definitions expanded) and variables its effects write: the engine of many vCPUs re-reads only what a step can change. */
  readonly reads: ReadonlySet<string>;
  readonly writes: ReadonlySet<string>;
  readonly id: string;
  readonly actor: Actor;
  readonly kernel: string;
  readonly perCpu: boolean;
  readonly enabled: Fn;
  readonly onCpu?: true;
  readonly delay?: Delay;
  readonly effects: readonly { readonly label: string; readonly weight?: Effect["weight"]; readonly apply: EffectFn }[];
}

const and = (a: Fn, b: Fn): Fn => (g, l, cpus) => (a(g, l, cpus) as boolean) && (b(g, l, cpus) as boolean);
const then = (a: EffectFn, b: EffectFn): EffectFn => (g, l, cpus) => { a(g, l, cpus); b(g, l, cpus); };
const always: Fn = () => true;

/**
 * One step of the file. U's step with `each` cases acts on every vCPU by the
 * first case that holds on it: over many vCPUs that is one step; with one
 * walker each case is a step of its own (its guard the step's and the case's,
 * its effect the case's then the step's), so that a counterexample names the
 * case that happened.
 */
function steps(st: StepDoc, scope: Scope): Built[] {
  const ctx = `step ${st.id}`;
  const perCpu = st.actor !== "U";
  const own: Scope = { ...scope, onCpu: perCpu };
  const enabled = predicate(st, "when", st.when, `${ctx}, when`, own);
  if (st.branches && (st.do !== undefined || st.label !== undefined))
    throw new ProtocolError(where(st, "branches"), ctx, "branches with do or label", "either branches, or do and label");
  if (st.each && (perCpu || st.branches))
    throw new ProtocolError(where(st, "each"), ctx, perCpu ? `each on a step of ${st.actor}` : "each with branches", perCpu ? "each on U's steps only (W's and the host's act on their own vCPU)" : "either branches, or each with do and label");
  const effects = st.branches
    ? st.branches.map((b, k) => {
      const bctx = `${ctx}, branch ${k + 1} (${b.label})`;
      const weight = weightOf(b, bctx);
      return { label: b.label, ...(weight ? { weight } : {}), apply: assignments(b, "do", b.do ?? "", `${bctx}, do`, own) };
    })
    : [{ label: st.label ?? st.id, apply: assignments(st, "do", st.do ?? "", `${ctx}, do`, own) }];
  if (st.branches && st.branches.length > 1 && st.branches.some((b) => b.weight === undefined))
    throw new ProtocolError(where(st, "branches"), ctx, "a branch without a weight", "a weight on every branch of a step with several");
  const delay = delayOf(st);
  const base = {
    actor: st.actor as Actor, perCpu, ...footprint(st, scope),
    ...(st.onCpu ? { onCpu: true as const } : {}),
    ...(delay ? { delay } : {}),
  };
  if (!st.each) return [{ ...base, id: st.id, kernel: st.kernel, enabled, effects }];
  const cases = st.each.map((c, k) => caseOf(st, c, k, { ...scope, onCpu: true }));
  if (scope.many) {
    const apply: EffectFn = (g, _l, cpus) => {
      for (const l of cpus!) {
        for (const c of cases) if (c.when(g, l, cpus)) { c.apply(g, l, cpus); break; }
      }
      effects[0]!.apply(g, undefined, cpus);
    };
    return [{ ...base, id: st.id, kernel: st.kernel, enabled, effects: [{ label: st.label ?? st.id, apply }] }];
  }
  if (cases.length > 1) {
    const k = st.each.findIndex((c) => c.id === undefined);
    if (k >= 0) throw new ProtocolError(where(st.each[k]!, "when"), `${ctx}, case ${k + 1}`, "a case without an id", "an id on each case of a step with several: with one walker each case is a step of its own");
  }
  return cases.map((c) => ({
    ...base, id: c.id ?? st.id, kernel: c.kernel ?? st.kernel,
    enabled: and(enabled, c.when),
    effects: [{ label: c.label ?? st.label ?? st.id, apply: then(c.apply, effects[0]!.apply) }],
  }));
}

/** The names `text` reads (an expression, or the values of assignments), definitions expanded, added to `into`. */
function namesRead(text: string | undefined, defText: ReadonlyMap<string, string> | undefined, vars: ReadonlyMap<string, unknown>, into: Set<string>, assigns = false): void {
  if (text === undefined) return;
  const pending = assigns ? parseAssignments(text).flatMap((a) => [...namesOf(a.value)]) : [...namesOf(parseExpression(text))];
  while (pending.length > 0) {
    const n = pending.pop()!;
    if (into.has(n)) continue;
    into.add(n);
    const d = defText?.get(n);
    if (d !== undefined && !vars.has(n)) pending.push(...namesOf(parseExpression(d)));
  }
}

/**
 * Variables something reads: a guard, the value of an assignment, what ends
 * an episode, an outcome. The others (flushTlbPending in the built-in
 * protocol) change nothing that happens, and the exact solver of many vCPUs
 * leaves them out of its states.
 */
function observed(doc: ProtocolDoc, scope: Scope): Set<string> {
  const out = new Set<string>([...OUTCOME_VARIABLES, IPIS]);
  const r = (t: string | undefined, assigns = false) => namesRead(t, scope.defText, scope.variables, out, assigns);
  for (const st of doc.steps) {
    r(st.when); r(st.do, true);
    for (const b of st.branches ?? []) r(b.do, true);
    for (const c of st.each ?? []) { r(c.when); r(c.do, true); }
  }
  for (const ph of doc.window) r(ph.enter, true);
  r(doc.bystander, true);
  for (const f of ["settled", "returned", "waiting", "freed"] as const) r(doc[f]);
  return out;
}

/** What a step's guards read and its effects write, by name. */
function footprint(st: StepDoc, scope: Scope): { reads: Set<string>; writes: Set<string> } {
  const reads = new Set<string>(), writes = new Set<string>();
  const read = (text: string | undefined) => namesRead(text, scope.defText, scope.variables, reads);
  const write = (text: string | undefined) => { for (const a of parseAssignments(text ?? "")) writes.add(a.target); };
  read(st.when);
  write(st.do);
  for (const b of st.branches ?? []) write(b.do);
  for (const c of st.each ?? []) { read(c.when); write(c.do); }
  return { reads, writes };
}

function caseOf(st: StepDoc, c: CaseDoc, k: number, scope: Scope) {
  const ctx = `step ${st.id}, case ${k + 1}`;
  return {
    id: c.id, kernel: c.kernel, label: c.label,
    when: c.when === undefined ? always : predicate(c, "when", c.when, `${ctx}, when`, scope),
    apply: assignments(c, "do", c.do ?? "", `${ctx}, do`, scope),
  };
}

/** Parsed once for both forms: the variables, the per-CPU names and each form's scope. */
function scopes(doc: ProtocolDoc) {
  const vars = variables(doc);
  const byName = new Map(vars.map((v) => [v.name, v]));
  const local = localNames(doc);
  const defText = new Map(Object.entries(doc.define ?? {}));
  const scope = (many: boolean): Scope => ({ variables: byName, defs: definitions(doc, byName, local, many), local, many, defText });
  return { vars, local, scope };
}

function checkIds(doc: ProtocolDoc, built: readonly Built[]): void {
  const ids = new Set<string>();
  for (const st of doc.steps) {
    if (ids.has(st.id)) throw new ProtocolError(where(st, "id"), `step ${st.id}`, JSON.stringify(st.id), "an id no other step has");
    ids.add(st.id);
  }
  const seen = new Set<string>();
  for (const b of built) {
    if (seen.has(b.id)) throw new ProtocolError(where(doc, "steps"), `step ${b.id}`, JSON.stringify(b.id), "an id no other step or case has");
    seen.add(b.id);
  }
}

function checkResume(doc: ProtocolDoc, built: readonly Built[]): void {
  const resume = built.find((s) => s.id === RESUME_STEP);
  if (!resume || !resume.delay || !("param" in resume.delay) || resume.delay.param !== "preemptUs")
    throw new ProtocolError(where(doc, "steps"), "steps", resume ? `step ${RESUME_STEP} without delay preemptUs` : `no step ${RESUME_STEP}`,
      `a host step ${RESUME_STEP} with delay preemptUs: the unmap instant may fall inside a preemption and continues it there`);
}

function windowOf(doc: ProtocolDoc, built: readonly Built[], scope: Scope) {
  return doc.window.map((ph, k) => {
    const st = built.find((s) => s.id === ph.step);
    if (!st || !st.onCpu || !st.delay || !("param" in st.delay))
      throw new ProtocolError(where(ph, "step"), `window phase ${k + 1}`, JSON.stringify(ph.step), "the id of one of W's onCpu steps with a delay parameter (W's work in that phase)");
    return { step: ph.step, ...(ph.enter ? { enter: assignments(ph, "enter", ph.enter, `window phase ${k + 1}, enter`, { ...scope, onCpu: true }) } : {}) };
  });
}

/** The protocol's per-CPU names, for engines that need to know whether it describes many vCPUs. */
export const perCpuVariables = (doc: ProtocolDoc): string[] => Object.entries(doc.state).filter(([, v]) => v.per === "cpu").map(([n]) => n);

export function buildModel(doc: ProtocolDoc): Model {
  const { vars, scope: scopeOf } = scopes(doc);
  const scope = scopeOf(false);
  const built = doc.steps.flatMap((st) => steps(st, scope));
  checkIds(doc, built);
  checkResume(doc, built);
  const window = windowOf(doc, built, scope) as WindowPhase[];
  if (doc.bystander !== undefined) assignments(doc, "bystander", doc.bystander, "bystander", { ...scope, onCpu: true });
  const never = () => false;
  const optional = (field: "returned" | "waiting" | "freed") =>
    doc[field] === undefined ? never : predicate(doc, field, doc[field]!, field, scope);
  return {
    name: doc.name ?? "protocol",
    model: (doc.model ?? "table-free") as ModelName,
    variables: vars,
    steps: built.map(({ perCpu: _p, ...st }) => st as unknown as Step),
    window,
    settled: predicate(doc, "settled", doc.settled, "settled", scope),
    returned: optional("returned"),
    waiting: optional("waiting"),
    freed: optional("freed"),
  };
}

/**
 * The protocol over many vCPUs: the same file, its per-CPU variables one
 * record per vCPU. A protocol that declares none describes one walker and is
 * refused here, naming what to add.
 */
export function buildManyModel(doc: ProtocolDoc): ManyModel {
  const { vars, local, scope: scopeOf } = scopes(doc);
  if (![...local].some((n) => vars.some((v) => v.name === n)))
    throw new ProtocolError(where(doc, "state"), `protocol ${doc.name ?? "protocol"}`, "no per-CPU variable", "variables marked per: cpu (w, wRunning, ...) to run with more than one walker: the protocol describes one walker");
  if ((doc.model ?? "table-free") !== "table-free")
    throw new ProtocolError(where(doc, "model"), `protocol ${doc.name ?? "protocol"}`, `model ${doc.model}`, "the page-table-free protocol: the PTE model has one walker");
  for (const name of Object.keys(PRIMITIVES).filter((n) => n !== "u"))
    if (!local.has(name)) throw new ProtocolError(where(doc.state[name] ?? doc, doc.state[name] ? "values" : "state"), `state ${name}`, "a variable of the mm", "per: cpu: each vCPU has its own");
  const scope = scopeOf(true);
  const built = doc.steps.flatMap((st) => steps(st, scope));
  checkIds(doc, built);
  checkResume(doc, built);
  const window = windowOf(doc, built, scope) as ManyModel["window"];
  const bystander = doc.bystander === undefined ? undefined : assignments(doc, "bystander", doc.bystander, "bystander", { ...scope, onCpu: true });
  const never = () => false;
  const whole = (field: "settled" | "returned" | "waiting" | "freed") => {
    if (doc[field] === undefined) return never;
    const f = predicate(doc, field, doc[field]!, field, scope);
    return (g: State, cpus: readonly State[]) => f(g, undefined, cpus) as boolean;
  };
  return {
    name: doc.name ?? "protocol",
    model: "table-free",
    globals: vars.filter((v) => !local.has(v.name)),
    locals: vars.filter((v) => local.has(v.name)),
    steps: built.map((b) => ({ ...b, actor: b.actor, enabled: b.enabled as ManyStep["enabled"], effects: b.effects as readonly ManyEffect[] })),
    window,
    observed: observed(doc, scope),
    ...(bystander ? { bystander: bystander as (g: State, l: State) => void } : {}),
    settled: whole("settled"), returned: whole("returned"), waiting: whole("waiting"), freed: whole("freed"),
  };
}
