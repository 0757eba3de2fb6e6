/**
 * A protocol document built into the model the engines read: every
 * expression parsed and type-checked (names, values, assignments, weights),
 * then turned into closures. Every error names file:line:column, the step
 * and what is allowed.
 */
import { DELAY_PARAMS, type DelayParam, PARAM_SPECS, type Params } from "../model/params.js";
import {
  type Actor, type Delay, type Effect, IPIS, type Model, type ModelName, OUTCOME_VARIABLES, PRIMITIVES, type State,
  type Step, type Value, type Variable, type WindowPhase,
} from "../model/state.js";
import { type Expr, parseAssignments, parseExpression, SyntaxProblem } from "./expr.js";
import type { BranchDoc, ProtocolDoc, StepDoc } from "./format.js";
import { where } from "./places.js";
import { ProtocolError } from "./source.js";
import { effect, evaluator, type Scope, type Type, TypeProblem, typeOf, typeOfVariable } from "./typecheck.js";

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

function definitions(doc: ProtocolDoc, vars: ReadonlyMap<string, Variable>): Scope["defs"] {
  const defs = new Map<string, { type: Type; fn: (s: Record<string, Value>) => Value }>();
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
    const scope: Scope = { variables: vars, defs };
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
  }
}

/** A boolean expression over the state. */
function predicate(obj: object, field: string, text: string, context: string, scope: Scope): (s: State) => boolean {
  return at(obj, field, context, () => {
    const e = parseExpression(text);
    const t = typeOf(e, scope);
    if (t.kind !== "bool") throw new TypeProblem(e.at, `an expression of type ${t.kind === "num" ? "number" : "string"}`, "a condition (true or false)");
    const fn = evaluator(e, scope);
    return fn as (s: State) => boolean;
  });
}

function assignments(obj: object, field: string, text: string, context: string, scope: Scope): (s: State) => void {
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

function step(st: StepDoc, scope: Scope): Step {
  const ctx = `step ${st.id}`;
  const enabled = predicate(st, "when", st.when, `${ctx}, when`, scope);
  if (st.branches && (st.do !== undefined || st.label !== undefined))
    throw new ProtocolError(where(st, "branches"), ctx, "branches with do or label", "either branches, or do and label");
  const effects: Effect[] = st.branches
    ? st.branches.map((b, k) => {
      const bctx = `${ctx}, branch ${k + 1} (${b.label})`;
      const weight = weightOf(b, bctx);
      return { label: b.label, ...(weight ? { weight } : {}), apply: assignments(b, "do", b.do ?? "", `${bctx}, do`, scope) };
    })
    : [{ label: st.label ?? st.id, apply: assignments(st, "do", st.do ?? "", `${ctx}, do`, scope) }];
  if (st.branches && st.branches.length > 1 && st.branches.some((b) => b.weight === undefined))
    throw new ProtocolError(where(st, "branches"), ctx, "a branch without a weight", "a weight on every branch of a step with several");
  const delay = delayOf(st);
  return {
    id: st.id, actor: st.actor as Actor, kernel: st.kernel, enabled,
    ...(st.onCpu ? { onCpu: true as const } : {}),
    ...(delay ? { delay } : {}),
    effects,
  };
}

export function buildModel(doc: ProtocolDoc): Model {
  const vars = variables(doc);
  const byName = new Map(vars.map((v) => [v.name, v]));
  const scope: Scope = { variables: byName, defs: definitions(doc, byName) };
  const ids = new Set<string>();
  for (const st of doc.steps) {
    if (ids.has(st.id)) throw new ProtocolError(where(st, "id"), `step ${st.id}`, JSON.stringify(st.id), "an id no other step has");
    ids.add(st.id);
  }
  const steps = doc.steps.map((st) => step(st, scope));
  const resume = steps.find((s) => s.id === RESUME_STEP);
  if (!resume || !resume.delay || !("param" in resume.delay) || resume.delay.param !== "preemptUs")
    throw new ProtocolError(where(doc, "steps"), "steps", resume ? `step ${RESUME_STEP} without delay preemptUs` : `no step ${RESUME_STEP}`,
      `a host step ${RESUME_STEP} with delay preemptUs: the unmap instant may fall inside a preemption and continues it there`);
  const window: WindowPhase[] = doc.window.map((ph, k) => {
    const st = steps.find((s) => s.id === ph.step);
    if (!st || !st.onCpu || !st.delay || !("param" in st.delay))
      throw new ProtocolError(where(ph, "step"), `window phase ${k + 1}`, JSON.stringify(ph.step), "the id of one of W's onCpu steps with a delay parameter (W's work in that phase)");
    return { step: ph.step, ...(ph.enter ? { enter: assignments(ph, "enter", ph.enter, `window phase ${k + 1}, enter`, scope) } : {}) };
  });
  const never = () => false;
  const optional = (field: "returned" | "waiting" | "freed") =>
    doc[field] === undefined ? never : predicate(doc, field, doc[field]!, field, scope);
  return {
    name: doc.name ?? "protocol",
    model: (doc.model ?? "table-free") as ModelName,
    variables: vars,
    steps,
    window,
    settled: predicate(doc, "settled", doc.settled, "settled", scope),
    returned: optional("returned"),
    waiting: optional("waiting"),
    freed: optional("freed"),
  };
}
