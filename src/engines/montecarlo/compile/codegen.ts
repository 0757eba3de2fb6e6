/**
 * Writes the program for one graph (./graph.ts) and one set of sampler
 * shapes: a loop over episodes whose body is a switch over the graph's
 * states. In each state the clocks of the enabled steps race; the first to
 * run out fires, and the step's transition tree leads to the next state.
 *
 * The interpreter draws a clock when the scan of a state finds its step
 * enabled and its clock unset. Which clocks those are is known here for every
 * transition (the enabled steps of the next state that were not running
 * before), so the program draws them at the end of the transition, in the
 * same order, and needs no unset marks. The random generator runs inline on
 * locals (./samplers.ts).
 *
 * `tlbrace compile SCENARIO` prints the program: each case is named by its
 * state and each transition by its kernel step.
 */
import { ENTRY_CLOCKS, preemptedAtUnmap, unmapInstantState } from "../../../model/entry.js";
import type { Params } from "../../../model/params.js";
import type { State, Step } from "../../../model/protocol.js";
import type { Graph, Node, Tree } from "./graph.js";
import { Constants, type Draws, plainDraws, type SamplerCode } from "./samplers.js";
import { tiltedDraws } from "./tilted.js";

/** The interpreter's guard on runaway episodes; the same bound, the same message. */
export const MAX_EVENTS = 1_000_000;

/**
 * plain: the interpreter's draws, bit for bit, costs into histograms;
 * tilted: draws from the rare-event estimator's proposals, each episode
 * handed to its `begin` and `end` (src/engines/rare/draws.ts).
 */
export type DrawMode = "plain" | "tilted";

export interface Program {
  /**
   * The body of `function (K, A, $)`. Plain, it returns `run(words, episodes,
   * hist, acc)`; tilted, `run(episodes)`. `$` holds what the program calls:
   * record and stuck; tilted, also draw, V, begin, end and nq.
   */
  readonly source: string;
  readonly numbers: Float64Array;
  readonly arrays: readonly Float64Array[];
  /** Per state case, the state as JSON: what the "episode stuck" error names. */
  readonly states: readonly string[];
  /** Tilted: the name of each draw site, by index. */
  readonly sites: readonly string[];
}

const clock = (c: number) => `c${c}`;
const comment = (text: string) => `/* ${text.replace(/\*\//g, "* /")} */`;

/** A state as the fields that differ from the state before anything happens. */
function describe(s: State): string {
  const start = unmapInstantState(false) as unknown as Record<string, unknown>;
  const fields = Object.entries(s).filter(([f, v]) => f !== "preemptions" && f !== "w" && start[f] !== v);
  return [`w=${s.w}`, ...fields.map(([f, v]) => `${f}=${String(v)}`)].join(" ");
}

export function writeProgram(g: Graph, p: Params, mode: DrawMode = "plain"): Program {
  const k = new Constants();
  const sites: string[] = [];
  const draws: Draws = mode === "plain" ? plainDraws(k) : tiltedDraws(k, sites);
  const { steps, timed, nodes } = g;
  const stepAt = (i: number): Step => steps[i]!;

  // One sampler per clock, and the two equilibrium laws of the unmap instant (model/entry.ts).
  const samplers: SamplerCode[] = timed.map((i, c) => {
    const d = stepAt(i).delay!, site = `clock of ${stepAt(i).id}`;
    return "rate" in d ? draws.rate(`s${c}_`, p[d.rate], site) : draws.clock(`s${c}_`, p[d.param], site);
  });
  const walk = timed.findIndex((i) => stepAt(i).id === ENTRY_CLOCKS.walk);
  const resume = timed.findIndex((i) => stepAt(i).id === ENTRY_CLOCKS.resume);
  if (walk < 0 || resume < 0) throw new Error(`compile: the protocol has no ${ENTRY_CLOCKS.walk} or ${ENTRY_CLOCKS.resume} step`);
  const walkRest = draws.equilibrium("walkRest_", p.walkUs, "walk left at the unmap");
  const resumeRest = draws.equilibrium("resumeRest_", p.preemptUs, "preemption left at the unmap");
  const pPreempted = k.number("pPreempted", preemptedAtUnmap(p));

  // Branch weights, as the interpreter evaluates them.
  const weights = new Map<number, string[]>();
  const weightsOf = (i: number): string[] => {
    let w = weights.get(i);
    if (!w) {
      w = stepAt(i).effects.map((e, j) => k.number(`w${i}_${j}`, e.weight ? e.weight(p) : 1));
      weights.set(i, w);
    }
    return w;
  };

  /**
   * A transition tree as code. `running`: the clocks set before it; the next
   * state's enabled clocks not among them are drawn at the leaf.
   */
  const tree = (t: Tree, running: readonly number[], indent: string, jump: string): string => {
    if (t.kind === "branch") {
      const w = weightsOf(t.step);
      const effects = stepAt(t.step).effects;
      // The interpreter's fire(): effect j if x < w[j], after subtracting the weights before it; else the last.
      const st = stepAt(t.step);
      const arm = (j: number): string => {
        const body = `${indent}  ${comment(effects[j]!.label)}\n${tree(t.children[j]!, running, indent + "  ", jump)}`;
        if (j === effects.length - 1) return `{\n${body}${indent}}`;
        return `if (x < ${w[j]}) {\n${body}${indent}} else { x -= ${w[j]}; ${arm(j + 1)} }`;
      };
      const named = [...t.then.map(stepAt), st].map((x) => `${indent}${comment(`then ${x.actor}: ${x.kernel}`)}\n`).join("");
      return `${named}${indent}${draws.uniform(`branch of ${st.id}`)} x = u;\n${indent}${arm(0)}\n`;
    }
    const to = nodes[t.to]!;
    const lines: string[] = t.then.map((i) => comment(`then ${stepAt(i).actor}: ${stepAt(i).kernel}`));
    if (t.returned) lines.push("if (ret !== ret) ret = t;");
    if (t.freed) lines.push("if (freed !== freed) freed = t;");
    if (!to.settled) for (const c of to.enabled) if (!running.includes(c)) lines.push(samplers[c]!.draw(clock(c)));
    lines.push(`st = ${t.to};${jump}`);
    return lines.map((l) => `${indent}${l}\n`).join("");
  };

  const stateCase = (n: Node, id: number): string => {
    const head = `      case ${id}: ${comment(describe(n.state))}\n`;
    if (n.settled) {
      return head + `        race = ${+n.state.race}; corrupt = ${+n.state.corrupt}; ipis = ${n.state.ipis}; break episode;\n`;
    }
    const racing = n.enabled.filter((_, j) => !n.frozen[j]);
    const lines: string[] = [];
    // The interpreter's scan: the smallest clock wins, the first in protocol order on a tie.
    lines.push(`dt = ${clock(racing[0] ?? 0)}; best = ${racing[0] ?? -1};`);
    for (const c of racing.slice(1)) lines.push(`if (${clock(c)} < dt) { dt = ${clock(c)}; best = ${c}; }`);
    lines.push(`if (best < 0 || dt === Infinity) throw stuck(${id});`);
    lines.push(n.waiting ? "t += dt; wait += dt;" : "t += dt;");
    if (racing.length > 1) lines.push(racing.map((c) => `${clock(c)} -= dt;`).join(" "));
    lines.push("switch (best) {");
    n.enabled.forEach((c, j) => {
      if (n.frozen[j]) return;
      const st = stepAt(timed[c]!);
      lines.push(`  case ${c}: ${comment(`${st.actor}: ${st.kernel}`)}`);
      lines.push(...tree(n.fire[j]!, n.enabled.filter((x) => x !== c), "    ", " continue;").trimEnd().split("\n"));
    });
    lines.push("}");
    return head + lines.map((l) => `        ${l}`).join("\n") + "\n";
  };

  const entry = (preempted: boolean): string => {
    const lines = [walkRest.draw(clock(walk))];
    if (preempted) lines.push(resumeRest.draw(clock(resume)));
    const set = preempted ? [walk, resume] : [walk];
    return lines.map((l) => `      ${l}\n`).join("") + tree(preempted ? g.entry.preempted : g.entry.running, set, "      ", "");
  };

  // Written before the declarations are read: the trees declare the branch weights they use.
  const coin = draws.uniform("W preempted at the unmap");
  const entries = [entry(true).trimEnd(), entry(false).trimEnd()];
  const cases = nodes.map((n, i) => stateCase(n, i).trimEnd());
  const clocks = timed.map((_, c) => `${clock(c)} = 0`);
  const kept = [...samplers, walkRest, resumeRest].flatMap((s) => s.locals);
  const plain = mode === "plain";
  const source = [
    `"use strict";`,
    ...k.decls,
    plain ? `const { record } = $, stuck = $.stuck;` : `const { stuck, draw, V, begin, end, nq } = $;`,
    plain ? `return function run(words, episodes, hist, acc) {` : `return function run(episodes) {`,
    `  let s01 = ${plain ? "words[0] | 0" : "0"}, s00 = ${plain ? "words[1] | 0" : "0"}, s11 = ${plain ? "words[2] | 0" : "0"}, s10 = ${plain ? "words[3] | 0" : "0"}, h = 0, l = 0, a0 = 0, a1 = 0, t0 = 0;`,
    `  let u = 0, v = 0, x = 0, y = 0, w = 0, b = 0, lo = 0, hi = 0, mid = 0;`,
    ...(kept.length ? [`  let ${kept.join(", ")};`] : []),
    ...(plain ? [`  const hLatency = hist[0], hFree = hist[1], hIpis = hist[2], hWait = hist[3];`] : []),
    `  let ${clocks.join(", ")};`,
    `  let races = 0, corrupts = 0, latency = 0, free = 0, ipisSum = 0, waitSum = 0;`,
    `  for (let e = 0; e < episodes; e++) {`,
    `    let t = 0, ret = NaN, freed = NaN, wait = 0, dt = 0, best = -1, st = -1, race = 0, corrupt = 0, ipis = 0;`,
    ...(plain ? [] : [`    begin();`]),
    `    ${coin}`,
    `    if (u < ${pPreempted}) {`,
    entries[0]!,
    `    } else {`,
    entries[1]!,
    `    }`,
    `    episode: for (let events = 0; ; events++) {`,
    `      if (events > ${MAX_EVENTS}) throw new Error("episode exceeded ${MAX_EVENTS} events: check preemptRate and preemptUs");`,
    `      switch (st) {`,
    ...cases,
    `      }`,
    `    }`,
    ...(plain ? [
      `    races += race; corrupts += corrupt;`,
      `    record(hLatency, ret); record(hFree, freed); record(hIpis, ipis); record(hWait, wait);`,
      `    latency += ret; free += freed; ipisSum += ipis; waitSum += wait;`,
      `  }`,
      `  acc.races += races; acc.corrupts += corrupts;`,
      `  acc.latency = latency; acc.free = free; acc.ipis = ipisSum; acc.wait = waitSum;`,
    ] : [
      `    end(race, corrupt);`,
      `  }`,
    ]),
    `};`,
  ].join("\n");
  return { source, numbers: Float64Array.from(k.numbers), arrays: k.arrays, states: nodes.map((n) => n.key), sites };
}
