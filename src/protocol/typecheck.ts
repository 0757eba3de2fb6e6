/**
 * What an expression of a protocol means: its type, checked against the
 * state variables' values, the definitions and (in weights) the numeric
 * parameters; then a closure that evaluates it. A closure walks the parsed
 * tree: nothing is evaluated as JavaScript source.
 */
import type { Assignment, Expr, Literal } from "./expr.js";

export type Value = string | number | boolean;
export type Type =
  | { readonly kind: "bool" }
  | { readonly kind: "num" }
  /** `values`: every string it can be, when known. */
  | { readonly kind: "str"; readonly values?: ReadonlySet<string> };

export interface Variable {
  readonly name: string;
  /** Every value; absent for a count. */
  readonly values?: readonly Value[];
  readonly initial: Value;
}

/** A problem at an offset of the expression's text: what was found and what is allowed. */
export class TypeProblem extends Error {
  constructor(readonly at: number, readonly found: string, readonly expected: string) {
    super(`${found}: expected ${expected}`);
  }
}

/**
 * A closure over a state. A protocol of many vCPUs keeps the mm's state in
 * `g` and each vCPU's own variables in a record of its own: `l` is the vCPU
 * an expression is read on, `cpus` every one (for all, any, count). A
 * protocol of one walker has one record: `g`.
 */
export type Fn = (g: Record<string, Value>, l?: Record<string, Value>, cpus?: readonly Record<string, Value>[]) => Value;

export interface Scope {
  readonly variables: ReadonlyMap<string, Variable>;
  /** Definitions by name, with their checked type and closure. */
  readonly defs: ReadonlyMap<string, { readonly type: Type; readonly fn: Fn }>;
  /** Numeric parameters a weight may read; none elsewhere. */
  readonly params?: readonly string[];
  /**
   * Per-CPU variables (`per: cpu`) and the definitions that read them: one
   * copy on each vCPU of the mm. Absent: a protocol written for one walker.
   */
  readonly local?: ReadonlySet<string>;
  /** The expression is read on one vCPU: a step of W or of the host, a case of `each`, the inside of a quantifier. */
  readonly onCpu?: boolean;
  /**
   * Build closures over many vCPUs (g, l, cpus), where per-CPU names outside
   * a vCPU's own expressions must sit in a quantifier; otherwise over one
   * record, where every name is the one walker's (files written for one
   * walker stay valid) and a quantifier reads the one walker.
   */
  readonly many?: boolean;
  /** The definitions' text, for what a step reads. */
  readonly defText?: ReadonlyMap<string, string>;
}

export function typeOfVariable(v: Variable): Type {
  if (!v.values) return { kind: "num" };
  const first = v.values[0];
  if (typeof first === "boolean") return { kind: "bool" };
  if (typeof first === "number") return { kind: "num" };
  return { kind: "str", values: new Set(v.values as string[]) };
}

const typeOfLiteral = (x: Literal): Type =>
  typeof x === "boolean" ? { kind: "bool" } : typeof x === "number" ? { kind: "num" } : { kind: "str", values: new Set([x]) };

const KIND_WORD = { bool: "true or false", num: "a number", str: "a string" } as const;

function names(scope: Scope): string {
  const all = [...scope.variables.keys(), ...scope.defs.keys(), ...(scope.params ?? [])];
  return all.length > 12 ? `${all.slice(0, 12).join(", ")}, ...` : all.join(", ");
}

function list(values: ReadonlySet<string>): string {
  return [...values].map((v) => `'${v}'`).join(", ");
}

function need(e: Expr, t: Type, kind: Type["kind"], what: string): void {
  if (t.kind !== kind) throw new TypeProblem(e.at, `${what} of type ${t.kind === "str" ? "string" : t.kind === "num" ? "number" : "boolean"}`, KIND_WORD[kind]);
}

/** The strings `t` may be, checked against the variable `v`'s values when `t`'s are known. */
function checkStringsIn(e: Expr, t: Type, v: Variable | undefined, context: string): void {
  // Two variables may share some values only: comparing them is fine.
  if (t.kind !== "str" || !t.values || !v?.values || (context.startsWith("a comparison") && e.kind === "name")) return;
  const allowed = new Set(v.values as string[]);
  const outside = [...t.values].find((x) => !allowed.has(x));
  if (outside !== undefined) throw new TypeProblem(e.at, `'${outside}'`, `${context} one of ${v.name}'s values (${list(allowed)})`);
}

/** The variable an expression is, if it is one plain name. */
const variableOf = (e: Expr, scope: Scope): Variable | undefined => (e.kind === "name" ? scope.variables.get(e.name) : undefined);

export function typeOf(e: Expr, scope: Scope): Type {
  switch (e.kind) {
    case "lit": return typeOfLiteral(e.value);
    case "call": {
      if (scope.onCpu && scope.many) throw new TypeProblem(e.at, `${e.fn}() inside an expression read on one vCPU`, "the vCPU's own variables by name (a quantifier reads every vCPU, from U's steps and the end of an episode)");
      const t = typeOf(e.arg, { ...scope, onCpu: true });
      need(e.arg, t, "bool", `the condition of ${e.fn}()`);
      return e.fn === "count" ? { kind: "num" } : { kind: "bool" };
    }
    case "name": {
      if (scope.many && scope.local?.has(e.name) && !scope.onCpu)
        throw new TypeProblem(e.at, `"${e.name}", a per-CPU name, outside all(), any() or count()`, "a quantifier around it: U's steps and the end of an episode read every vCPU's (or an `each` case, which acts on one)");
      const v = scope.variables.get(e.name);
      if (v) return typeOfVariable(v);
      const d = scope.defs.get(e.name);
      if (d) return d.type;
      if (scope.params?.includes(e.name)) return { kind: "num" };
      throw new TypeProblem(e.at, `"${e.name}"`, `a known name (${names(scope)})`);
    }
    case "unary": {
      const t = typeOf(e.arg, scope);
      need(e.arg, t, e.op === "!" ? "bool" : "num", `the operand of ${e.op}`);
      return t;
    }
    case "cond": {
      need(e.test, typeOf(e.test, scope), "bool", "the condition of ? :");
      const a = typeOf(e.then, scope), b = typeOf(e.else, scope);
      need(e.else, b, a.kind, "the second branch of ? :");
      if (a.kind === "str" && b.kind === "str")
        return { kind: "str", ...(a.values && b.values ? { values: new Set([...a.values, ...b.values]) } : {}) };
      return a;
    }
    case "binary": {
      const a = typeOf(e.left, scope), b = typeOf(e.right, scope);
      switch (e.op) {
        case "&&": case "||":
          need(e.left, a, "bool", `the left of ${e.op}`);
          need(e.right, b, "bool", `the right of ${e.op}`);
          return { kind: "bool" };
        case "===": case "!==":
          need(e.right, b, a.kind, `the right of ${e.op}`);
          checkStringsIn(e.right, b, variableOf(e.left, scope), "a comparison with");
          checkStringsIn(e.left, a, variableOf(e.right, scope), "a comparison with");
          return { kind: "bool" };
        case "<": case "<=": case ">": case ">=":
          need(e.left, a, "num", `the left of ${e.op}`);
          need(e.right, b, "num", `the right of ${e.op}`);
          return { kind: "bool" };
        default:
          need(e.left, a, "num", `the left of ${e.op}`);
          need(e.right, b, "num", `the right of ${e.op}`);
          return { kind: "num" };
      }
    }
  }
}

type Env = Record<string, Value>;

/** A closure evaluating `e` on a state (or, for weights, on the parameters). */
export function evaluator(e: Expr, scope: Scope): Fn {
  switch (e.kind) {
    case "lit": { const v = e.value; return () => v; }
    case "call": return quantifier(e.fn, evaluator(e.arg, { ...scope, onCpu: true }), scope.many === true);
    case "name": {
      const n = e.name;
      const d = scope.defs.get(n);
      if (d && !scope.variables.has(n)) return d.fn;
      if (scope.many && scope.local?.has(n)) return (_g, l) => l![n]!;
      return (s) => s[n]!;
    }
    case "unary": case "cond": case "binary":
      return scope.many ? manyEvaluator(e, scope) : oneEvaluator(e, scope);
  }
}

/** Closures over one record: the form every engine of one walker runs. */
function oneEvaluator(e: Expr & { kind: "unary" | "cond" | "binary" }, scope: Scope): (s: Env) => Value {
  switch (e.kind) {
    case "unary": {
      const a = evaluator(e.arg, scope);
      return e.op === "!" ? (s) => !a(s) : (s) => -(a(s) as number);
    }
    case "cond": {
      const t = evaluator(e.test, scope), a = evaluator(e.then, scope), b = evaluator(e.else, scope);
      return (s) => (t(s) ? a(s) : b(s));
    }
    case "binary": {
      const a = evaluator(e.left, scope), b = evaluator(e.right, scope);
      switch (e.op) {
        case "&&": return (s) => a(s) && b(s);
        case "||": return (s) => a(s) || b(s);
        case "===": return (s) => a(s) === b(s);
        case "!==": return (s) => a(s) !== b(s);
        case "<": return (s) => (a(s) as number) < (b(s) as number);
        case "<=": return (s) => (a(s) as number) <= (b(s) as number);
        case ">": return (s) => (a(s) as number) > (b(s) as number);
        case ">=": return (s) => (a(s) as number) >= (b(s) as number);
        case "+": return (s) => (a(s) as number) + (b(s) as number);
        case "-": return (s) => (a(s) as number) - (b(s) as number);
        case "*": return (s) => (a(s) as number) * (b(s) as number);
        case "/": return (s) => (a(s) as number) / (b(s) as number);
      }
    }
  }
}

/** The same over many vCPUs: every closure passes the mm, the vCPU and every vCPU on. */
function manyEvaluator(e: Expr & { kind: "unary" | "cond" | "binary" }, scope: Scope): Fn {
  switch (e.kind) {
    case "unary": {
      const a = evaluator(e.arg, scope);
      return e.op === "!" ? (g, l, c) => !a(g, l, c) : (g, l, c) => -(a(g, l, c) as number);
    }
    case "cond": {
      const t = evaluator(e.test, scope), a = evaluator(e.then, scope), b = evaluator(e.else, scope);
      return (g, l, c) => (t(g, l, c) ? a(g, l, c) : b(g, l, c));
    }
    case "binary": {
      const a = evaluator(e.left, scope), b = evaluator(e.right, scope);
      switch (e.op) {
        case "&&": return (g, l, c) => a(g, l, c) && b(g, l, c);
        case "||": return (g, l, c) => a(g, l, c) || b(g, l, c);
        case "===": return (g, l, c) => a(g, l, c) === b(g, l, c);
        case "!==": return (g, l, c) => a(g, l, c) !== b(g, l, c);
        case "<": return (g, l, c) => (a(g, l, c) as number) < (b(g, l, c) as number);
        case "<=": return (g, l, c) => (a(g, l, c) as number) <= (b(g, l, c) as number);
        case ">": return (g, l, c) => (a(g, l, c) as number) > (b(g, l, c) as number);
        case ">=": return (g, l, c) => (a(g, l, c) as number) >= (b(g, l, c) as number);
        case "+": return (g, l, c) => (a(g, l, c) as number) + (b(g, l, c) as number);
        case "-": return (g, l, c) => (a(g, l, c) as number) - (b(g, l, c) as number);
        case "*": return (g, l, c) => (a(g, l, c) as number) * (b(g, l, c) as number);
        case "/": return (g, l, c) => (a(g, l, c) as number) / (b(g, l, c) as number);
      }
    }
  }
}

/** all, any or count over the vCPUs; with one walker, over the one record. */
function quantifier(fn: "all" | "any" | "count", a: Fn, many: boolean): Fn {
  if (!many) return fn === "count" ? (s) => (a(s) ? 1 : 0) : a;
  switch (fn) {
    case "all": return (g, _l, cpus) => { for (const c of cpus!) if (!a(g, c, cpus)) return false; return true; };
    case "any": return (g, _l, cpus) => { for (const c of cpus!) if (a(g, c, cpus)) return true; return false; };
    case "count": return (g, _l, cpus) => { let n = 0; for (const c of cpus!) if (a(g, c, cpus)) n++; return n; };
  }
}

/** What an effect does to a state: g, and on many vCPUs the vCPU `l` it acts on and every one. */
export type EffectFn = (g: Env, l?: Env, cpus?: readonly Env[]) => void;

/** Checks assignments (targets are state variables, values of their type and within their values) and builds the effect. */
export function effect(list: readonly Assignment[], scope: Scope): EffectFn {
  const parts = list.map((a) => {
    const v = scope.variables.get(a.target);
    if (!v) throw new TypeProblem(a.at, `"${a.target}"`, `a state variable to assign (${[...scope.variables.keys()].join(", ")})`);
    if (scope.many && scope.local?.has(a.target) && !scope.onCpu)
      throw new TypeProblem(a.at, `"${a.target}", a per-CPU variable, assigned by U`, "an assignment in an `each` case, which acts on every vCPU");
    const target = typeOfVariable(v);
    const t = typeOf(a.value, scope);
    if (a.op !== "=") need(a.value, target, "num", `${a.target}, the target of ${a.op},`);
    need(a.value, t, target.kind, `the value assigned to ${a.target}`);
    checkStringsIn(a.value, t, v, "a value assigned to");
    if (a.op === "=" && a.value.kind === "lit" && v.values && !v.values.includes(a.value.value))
      throw new TypeProblem(a.value.at, JSON.stringify(a.value.value), `one of ${v.name}'s values (${v.values.join(", ")})`);
    return { name: a.target, op: a.op, fn: evaluator(a.value, scope), local: scope.many === true && scope.local?.has(a.target) === true };
  });
  if (scope.many) {
    return (g, l, cpus) => {
      for (const { name, op, fn, local } of parts) {
        const s = local ? l! : g;
        const x = fn(g, l, cpus);
        s[name] = op === "=" ? x : op === "+=" ? (s[name] as number) + (x as number) : (s[name] as number) - (x as number);
      }
    };
  }
  if (parts.length === 1) {
    const { name, op, fn } = parts[0]!;
    if (op === "=") return (s) => { s[name] = fn(s); };
  }
  return (s) => {
    for (const { name, op, fn } of parts) {
      s[name] = op === "=" ? fn(s) : op === "+=" ? (s[name] as number) + (fn(s) as number) : (s[name] as number) - (fn(s) as number);
    }
  };
}
