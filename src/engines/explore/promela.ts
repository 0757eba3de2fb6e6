/**
 * The model as Promela, for spin to search on its own. Each State field is a
 * global variable over its declared domain; each move (moves.ts: the same
 * possible steps the explorer takes) becomes guarded commands, one per row
 * of its probed table (probe.ts), in a process per actor, so spin
 * interleaves W, U and the host itself. `init` picks the model: the
 * page-table-free protocol or the PTE model. Each outcome is an LTL safety
 * property `no_<outcome>`: [] !flag.
 *
 *   spin -a model.pml && gcc -O2 -o pan pan.c && ./pan -a -N no_race
 */
import { formatParams } from "../../model/params.js";
import { initialState, type State, stateDomains, type Value } from "../../model/protocol.js";
import type { Scenario } from "../../model/scenario.js";
import { MODEL_VERSION } from "../../model/version.js";
import { ascii } from "../../text/format.js";
import { checkExploreOptions, type ExploreOptions } from "./index.js";
import { type ExploredModel, modelsOf, OUTCOMES } from "./models.js";
import { type Move, moves } from "./moves.js";
import { probe } from "./probe.js";

type Field = string;
type Domains = Readonly<Record<string, readonly Value[]>>;

const ident = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "_");
/** Promela comments end at the first "*" "/". */
const comment = (s: string) => `/* ${ascii(s).replace(/\*\//g, "* /")} */`;

interface Vars {
  readonly decls: string[];
  readonly value: (f: Field, v: unknown) => string;
}

function variables(domains: Domains, start: State): Vars {
  const decls: string[] = [];
  const enums = new Set<Field>();
  for (const f of Object.keys(domains) as Field[]) {
    const values = domains[f] as readonly unknown[];
    if (values.every((v) => typeof v === "boolean")) {
      decls.push(`bool ${f} = ${start[f]};`);
    } else if (values.every((v) => typeof v === "number")) {
      decls.push(`byte ${f} = ${start[f]};  ${comment(`0 to ${Math.max(...(values as number[]))}`)}`);
    } else {
      enums.add(f);
      values.forEach((v, i) => decls.push(`#define ${f}_${ident(String(v))} ${i}`));
      decls.push(`byte ${f} = ${f}_${ident(String(start[f]))};`);
    }
  }
  return { decls, value: (f, v) => (enums.has(f) ? `${f}_${ident(String(v))}` : String(v)) };
}

/**
 * A row writing a value outside its field's declared domain cannot happen if
 * the domains are right; it becomes a failed assertion, so that spin reports
 * it if it can happen, as the explorer does.
 */
function commands(move: Move, domains: Domains, vars: Vars): string[] {
  return probe(move, domains).map((row) => {
    const when = [...row.when].map(([f, v]) => `${f} == ${vars.value(f, v)}`).join(" && ") || "true";
    const outside = [...row.set].some(([f, v]) => !(domains[f] as readonly unknown[]).includes(v));
    const set = outside ? "assert(false)" : [...row.set].map(([f, v]) => `${f} = ${vars.value(f, v)}`).join("; ") || "skip";
    return `  :: d_step { ${when} -> ${set} }`;
  });
}

function proctypes(model: ExploredModel, ms: readonly Move[], domains: Domains, vars: Vars): string[] {
  const out: string[] = [];
  for (const actor of ["W", "U", "host"] as const) {
    out.push(`proctype ${actor}_${ident(model.name)}() {`, "end:", "  do");
    for (const m of ms.filter((x) => x.step.actor === actor)) {
      out.push(`  ${comment(`${m.step.id}: ${m.step.kernel} -- ${m.effect.label}`)}`, ...commands(m, domains, vars));
    }
    out.push("  od", "}", "");
  }
  return out;
}

/** The scenario's models as one Promela program with an LTL property per outcome. */
export function promela(s: Scenario, opts: ExploreOptions = {}): string {
  const { maxPreemptions } = checkExploreOptions(opts);
  const models = modelsOf(s.params);
  // One set of globals for both models: each variable over the union of its values.
  const domains: Record<string, Value[]> = {};
  for (const m of models) {
    for (const [f, vs] of Object.entries(stateDomains(m.model, maxPreemptions))) {
      const into = (domains[f] ??= []);
      for (const v of vs) if (!into.includes(v)) into.push(v);
    }
  }
  const vars = variables(domains, { ...initialState(models[1]!.model), ...initialState(models[0]!.model) });
  const p = formatParams(s.params);
  const out = [
    "/*",
    ` * tlbrace explore --promela: scenario ${ascii(s.name)}, model v${MODEL_VERSION}, at most ${maxPreemptions} preemptions of W.`,
    ` * ${Object.entries(p).map(([k, v]) => `${k}=${ascii(String(v))}`).join(" ")}`,
    " * Generated from src/model: one guarded command per row of each step's table.",
    " * Check an outcome: spin -a this.pml && gcc -O2 -o pan pan.c && ./pan -a -N no_race",
    " */",
    "",
    ...vars.decls,
    "",
  ];
  for (const model of models) {
    out.push(comment(`The ${model.name} model: outcomes ${model.outcomes.join(", ")}.`));
    out.push(...proctypes(model, moves(model.steps, s.params, maxPreemptions), domains, vars));
  }
  out.push("init {", "  if");
  for (const model of models) {
    const n = ident(model.name);
    // Each model starts from its own initial state.
    const init = Object.entries(initialState(model.model)).map(([f, v]) => `${f} = ${vars.value(f, v)}; `).join("");
    out.push(`  :: atomic { ${init}run W_${n}(); run U_${n}(); run host_${n}() }`);
  }
  out.push("  fi", "}", "");
  for (const o of OUTCOMES) out.push(`ltl no_${o} { [] !${o} }`);
  return out.join("\n") + "\n";
}
