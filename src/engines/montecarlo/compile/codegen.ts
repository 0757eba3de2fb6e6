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
import { phaseDelay, phaseWeights, preemptedAtUnmap, RESUME_STEP, unmapInstantState } from "../../../model/entry.js";
import type { Params } from "../../../model/params.js";
import { flag, ipisOf, type Model, type State, type Step } from "../../../model/protocol.js";
import { MAX_EVENTS } from "../episode.js";
import type { Graph, Node, Tree } from "./graph.js";
import { Constants, type Draws, plainDraws, type SamplerCode } from "./samplers.js";
import { tiltedDraws } from "./tilted.js";


/**
 * plain: the interpreter's draws, bit for bit, race, corruption and costs
 * into histograms; torn: the same draws, counting torn PTE reads (the PTE
 * model); tilted: draws from the rare-event estimator's proposals, each
 * episode handed to its `begin` and `end` (src/engines/rare/draws.ts) with
 * its race and corruption, or (the PTE model) its torn read.
 */
export type DrawMode = "plain" | "torn" | "tilted";

export interface Program {
  /**
   * The body of `function (K, A, $)`. Plain, it returns `run(words, episodes,
   * hist, acc)`; torn, `run(words, episodes)` giving the torn reads; tilted,
   * `run(episodes)`. `$` holds what the program calls: record and stuck;
   * tilted, also draw, V, begin, end and nq.
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
function describe(m: Model, s: State): string {
  const start = unmapInstantState(m, false);
  const fields = Object.entries(s).filter(([f, v]) => f !== "preemptions" && f !== "w" && start[f] !== v);
  return [`w=${s.w}`, ...fields.map(([f, v]) => `${f}=${String(v)}`)].join(" ");
}

/** What a tilted program hands to `end` as the outcome the estimator targets. */
export type Target = "race" | "torn";

export function writeProgram(g: Graph, p: Params, mode: DrawMode = "plain", target: Target = "race"): Program {
  const k = new Constants();
  const sites: string[] = [];
  const draws: Draws = mode === "tilted" ? tiltedDraws(k, sites) : plainDraws(k);
  const { steps, timed, nodes } = g;
  const stepAt = (i: number): Step => steps[i]!;

  // One sampler per clock, and the two equilibrium laws of the unmap instant (model/entry.ts).
  const samplers: SamplerCode[] = timed.map((i, c) => {
    const d = stepAt(i).delay!, site = `clock of ${stepAt(i).id}`;
    return "rate" in d ? draws.rate(`s${c}_`, p[d.rate], site) : draws.clock(`s${c}_`, p[d.param], site);
  });
  // The unmap instant (model/entry.ts): the coin, the phase of W's window, the rest of the phase's work.
  const resume = timed.findIndex((i) => stepAt(i).id === RESUME_STEP);
  if (resume < 0) throw new Error(`compile: the model has no ${RESUME_STEP} step`);
  const window = g.model.window;
  const phases = window.map((ph, j) => {
    const at = timed.findIndex((i) => stepAt(i).id === ph.step);
    if (at < 0) throw new Error(`compile: window phase ${ph.step} is not a step with a delay`);
    const name = window.length === 1 ? "walk left at the unmap" : `${ph.step} left at the unmap`;
    return { at, rest: draws.equilibrium(`phase${j}Rest_`, phaseDelay(g.model, ph, p), name) };
  });
  const resumeRest = draws.equilibrium("resumeRest_", p.preemptUs, "preemption left at the unmap");
  const pPreempted = k.number("pPreempted", preemptedAtUnmap(p));
  // The interpreter's running sums of the phase weights, as it adds them up.
  const phaseCdf = phaseWeights(g.model, p).map((_, j, w) => w.slice(0, j + 1).reduce((a, b) => a + b, 0));
  const phaseBounds = phaseCdf.slice(0, -1).map((c, j) => k.number(`phaseCdf${j}`, c));

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
    const head = `      case ${id}: ${comment(describe(g.model, n.state))}\n`;
    if (n.settled) {
      return head + `        race = ${+flag(n.state, "race")}; corrupt = ${+flag(n.state, "corrupt")}; torn = ${+flag(n.state, "torn")}; ipis = ${ipisOf(n.state)}; break episode;\n`;
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

  /** The clocks set at the unmap instant in phase j, then its tree. */
  const entry = (preempted: boolean, j: number, indent: string): string => {
    const { at, rest } = phases[j]!;
    const lines = [rest.draw(clock(at))];
    if (preempted) lines.push(resumeRest.draw(clock(resume)));
    const set = preempted ? [at, resume] : [at];
    const e = g.entry[j]!;
    return lines.map((l) => `${indent}${l}\n`).join("") + tree(preempted ? e.preempted : e.running, set, indent, "");
  };
  /** Both sides of the coin; with several phases, a switch on the phase drawn after it. */
  const entries = (preempted: boolean): string => {
    if (phases.length === 1) return entry(preempted, 0, "      ").trimEnd();
    return [`      switch (phase) {`,
      ...phases.map((_, j) => `        case ${j}: ${comment(`unmap in ${window[j]!.step}`)}\n${entry(preempted, j, "          ").trimEnd()}\n          break;`),
      `      }`].join("\n");
  };

  // Written before the declarations are read: the trees declare the branch weights they use.
  const coin = draws.uniform("W preempted at the unmap");
  const phaseDraw = phases.length === 1 ? "" : draws.uniform("phase of W's window at the unmap");
  const entryCode = [entries(true), entries(false)];
  const cases = nodes.map((n, i) => stateCase(n, i).trimEnd());
  const clocks = timed.map((_, c) => `${clock(c)} = 0`);
  const kept = [...samplers, ...phases.map((ph) => ph.rest), resumeRest].flatMap((s) => s.locals);
  const plain = mode === "plain", torn = mode === "torn";
  const source = [
    `"use strict";`,
    ...k.decls,
    mode === "tilted" ? `const { stuck, draw, V, begin, end, nq } = $;` : `const { record } = $, stuck = $.stuck;`,
    plain ? `return function run(words, episodes, hist, acc) {` : torn ? `return function run(words, episodes) {` : `return function run(episodes) {`,
    mode === "tilted" ? `  let s01 = 0, s00 = 0, s11 = 0, s10 = 0, h = 0, l = 0, a0 = 0, a1 = 0, t0 = 0;`
      : `  let s01 = words[0] | 0, s00 = words[1] | 0, s11 = words[2] | 0, s10 = words[3] | 0, h = 0, l = 0, a0 = 0, a1 = 0, t0 = 0;`,
    `  let u = 0, v = 0, x = 0, y = 0, w = 0, b = 0, lo = 0, hi = 0, mid = 0;`,
    ...(kept.length ? [`  let ${kept.join(", ")};`] : []),
    ...(plain ? [`  const hLatency = hist[0], hFree = hist[1], hIpis = hist[2], hWait = hist[3];`] : []),
    `  let ${clocks.join(", ")};`,
    `  let races = 0, corrupts = 0, torns = 0, latency = 0, free = 0, ipisSum = 0, waitSum = 0;`,
    `  for (let e = 0; e < episodes; e++) {`,
    `    let t = 0, ret = NaN, freed = NaN, wait = 0, dt = 0, best = -1, st = -1, race = 0, corrupt = 0, torn = 0, ipis = 0, phase = 0;`,
    ...(mode === "tilted" ? [`    begin();`] : []),
    `    ${coin}`,
    `    const preempted = u < ${pPreempted};`,
    ...(phaseDraw ? [`    ${phaseDraw} x = u;`, `    ${phaseBounds.map((b, j) => `if (phase === ${j} && x >= ${b}) phase = ${j + 1};`).join(" ")}`] : []),
    `    if (preempted) {`,
    entryCode[0]!,
    `    } else {`,
    entryCode[1]!,
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
    ] : torn ? [
      `    torns += torn;`,
      `  }`,
      `  return torns;`,
    ] : [
      target === "torn" ? `    end(torn, 0);` : `    end(race, corrupt);`,
      `  }`,
    ]),
    `};`,
  ].join("\n");
  return { source, numbers: Float64Array.from(k.numbers), arrays: k.arrays, states: nodes.map((n) => n.key), sites };
}
