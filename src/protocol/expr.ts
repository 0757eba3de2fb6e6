/**
 * The expression language of protocol files: a small subset of JavaScript,
 * parsed into a tree here and never handed to `eval`. Guards and weights are
 * expressions; effects are assignments separated by `;`.
 *
 *   expression  literals ('text', "text", 12, 0.5, true, false), names,
 *               ( ), !, unary -, * /, + -, < <= > >=, === !==, &&, ||, ? :,
 *               all(e), any(e), count(e): e over each other vCPU of the mm
 *               (a per-CPU condition read by U or by what ends an episode)
 *   effect      name = e | name += e | name -= e | name++ | name--, joined by ;
 *
 * Every node keeps its offset in the expression's text, so an error names the
 * line and column in the file it came from.
 */

export type Literal = string | number | boolean;

export type Expr =
  | { readonly kind: "lit"; readonly value: Literal; readonly at: number }
  | { readonly kind: "name"; readonly name: string; readonly at: number }
  | { readonly kind: "unary"; readonly op: "!" | "-"; readonly arg: Expr; readonly at: number }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly at: number }
  | { readonly kind: "cond"; readonly test: Expr; readonly then: Expr; readonly else: Expr; readonly at: number }
  | { readonly kind: "call"; readonly fn: Quantifier; readonly arg: Expr; readonly at: number };

/** Quantifiers over the vCPUs of the mm: every one, some one, how many. */
export const QUANTIFIERS = ["all", "any", "count"] as const;
export type Quantifier = (typeof QUANTIFIERS)[number];

export type BinaryOp = "*" | "/" | "+" | "-" | "<" | "<=" | ">" | ">=" | "===" | "!==" | "&&" | "||";

export interface Assignment {
  readonly target: string;
  readonly op: "=" | "+=" | "-=";
  readonly value: Expr;
  readonly at: number;
}

/** A syntax error at an offset of the expression's text. */
export class SyntaxProblem extends Error {
  constructor(readonly at: number, readonly found: string, readonly expected: string) {
    super(`${found}: expected ${expected}`);
  }
}

interface Token {
  readonly kind: "num" | "str" | "name" | "op" | "end";
  readonly text: string;
  readonly value?: Literal;
  readonly at: number;
}

const OPERATORS = ["===", "!==", "+=", "-=", "++", "--", "<=", ">=", "&&", "||", "==", "!=",
  "<", ">", "+", "-", "*", "/", "!", "?", ":", "(", ")", "=", ";"];

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const at = i;
    if (/[0-9.]/.test(c)) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) throw new SyntaxProblem(at, JSON.stringify(c), "a number");
      out.push({ kind: "num", text: m[0], value: Number(m[0]), at });
      i += m[0].length;
      if (/[A-Za-z_$]/.test(text[i] ?? "")) throw new SyntaxProblem(i, JSON.stringify(text[i]), "an operator after a number");
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new SyntaxProblem(at, "an unterminated string", `a closing ${c}`);
      const value = text.slice(i + 1, end);
      if (value.includes("\\")) throw new SyntaxProblem(at, JSON.stringify(value), "a string without escapes");
      out.push({ kind: "str", text: text.slice(i, end + 1), value, at });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i))!;
      const word = m[0];
      if (word === "true" || word === "false") out.push({ kind: "num", text: word, value: word === "true", at });
      else out.push({ kind: "name", text: word, at });
      i += word.length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new SyntaxProblem(at, JSON.stringify(c), "an operator of the protocol language (=== !== < <= > >= && || ! ? : + - * / = += -= ++ -- ;)");
    if (op === "==" || op === "!=") throw new SyntaxProblem(at, `"${op}"`, `"${op}=" (the language has only strict equality)`);
    out.push({ kind: "op", text: op, at });
    i += op.length;
  }
  out.push({ kind: "end", text: "the end", at: text.length });
  return out;
}

const describe = (t: Token) => (t.kind === "end" ? "the end" : JSON.stringify(t.text));

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token { return this.tokens[this.i]!; }
  private next(): Token { return this.tokens[this.i++]!; }
  private isOp(...ops: string[]): boolean {
    const t = this.peek();
    return t.kind === "op" && ops.includes(t.text);
  }
  private expect(op: string, what = JSON.stringify(op)): Token {
    const t = this.next();
    if (t.kind !== "op" || t.text !== op) throw new SyntaxProblem(t.at, describe(t), what);
    return t;
  }
  end(): void {
    const t = this.peek();
    if (t.kind !== "end") {
      const hint = t.kind === "op" && ["=", "+=", "-=", "++", "--"].includes(t.text) ? " (assignments belong in `do`)" : "";
      throw new SyntaxProblem(t.at, describe(t), `the end of the expression${hint}`);
    }
  }

  expression(): Expr {
    const test = this.binary(0);
    if (!this.isOp("?")) return test;
    this.next();
    const then = this.expression();
    this.expect(":", '":" of "? :"');
    return { kind: "cond", test, then, else: this.expression(), at: test.at };
  }

  private static readonly LEVELS: readonly (readonly BinaryOp[])[] = [
    ["||"], ["&&"], ["===", "!=="], ["<", "<=", ">", ">="], ["+", "-"], ["*", "/"],
  ];

  private binary(level: number): Expr {
    if (level === Parser.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    while (this.isOp(...Parser.LEVELS[level]!)) {
      const op = this.next().text as BinaryOp;
      const right = this.binary(level + 1);
      left = { kind: "binary", op, left, right, at: left.at };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp("!", "-")) {
      const t = this.next();
      return { kind: "unary", op: t.text as "!" | "-", arg: this.unary(), at: t.at };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.next();
    if (t.kind === "num" || t.kind === "str") return { kind: "lit", value: t.value!, at: t.at };
    if (t.kind === "name" && this.isOp("(")) {
      if (!(QUANTIFIERS as readonly string[]).includes(t.text)) throw new SyntaxProblem(t.at, `"${t.text}("`, `a name, or a quantifier over the vCPUs (${QUANTIFIERS.join(", ")})`);
      this.next();
      const arg = this.expression();
      this.expect(")", 'a closing ")"');
      return { kind: "call", fn: t.text as Quantifier, arg, at: t.at };
    }
    if (t.kind === "name") return { kind: "name", name: t.text, at: t.at };
    if (t.kind === "op" && t.text === "(") {
      const e = this.expression();
      this.expect(")", 'a closing ")"');
      return e;
    }
    throw new SyntaxProblem(t.at, describe(t), "a value: a name, a number, a 'string', true, false or (");
  }

  assignments(): Assignment[] {
    const out: Assignment[] = [];
    while (this.peek().kind !== "end") {
      const t = this.next();
      if (t.kind !== "name") throw new SyntaxProblem(t.at, describe(t), "an assignment to a state variable (name = value)");
      const op = this.next();
      if (op.kind === "op" && (op.text === "++" || op.text === "--")) {
        out.push({ target: t.text, op: op.text === "++" ? "+=" : "-=", value: { kind: "lit", value: 1, at: op.at }, at: t.at });
      } else if (op.kind === "op" && (op.text === "=" || op.text === "+=" || op.text === "-=")) {
        out.push({ target: t.text, op: op.text, value: this.expression(), at: t.at });
      } else {
        throw new SyntaxProblem(op.at, describe(op), '"=", "+=", "-=", "++" or "--"');
      }
      if (this.peek().kind === "end") break;
      this.expect(";", '";" between assignments');
    }
    return out;
  }
}

/** A guard, a weight or a definition. */
export function parseExpression(text: string): Expr {
  const p = new Parser(tokenize(text));
  const e = p.expression();
  p.end();
  return e;
}

/** An effect: assignments joined by `;` (an empty text changes nothing). */
export function parseAssignments(text: string): Assignment[] {
  return new Parser(tokenize(text)).assignments();
}

/** The names an expression reads. */
export function namesOf(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case "lit": break;
    case "name": out.add(e.name); break;
    case "unary": namesOf(e.arg, out); break;
    case "binary": namesOf(e.left, out); namesOf(e.right, out); break;
    case "cond": namesOf(e.test, out); namesOf(e.then, out); namesOf(e.else, out); break;
    case "call": namesOf(e.arg, out); break;
  }
  return out;
}
