/**
 * `tlbrace protocol check`: what a protocol that builds may still get wrong.
 * Every state W, U and the host can reach from the start (time ignored, at
 * most two preemptions, every branch whose weight can be > 0) is visited:
 * steps that never fire, states where nothing can happen although the
 * episode is not settled, branch weights that need not sum to 1, and state
 * variables nothing reads.
 */
import { DEFAULTS, type Params } from "../model/params.js";
import { canFire, copyState, initialState, type Model, type State } from "../model/state.js";
import { namesOf, parseAssignments, parseExpression } from "./expr.js";
import type { ProtocolDoc } from "./format.js";

export interface Finding {
  readonly kind: "unreachable" | "stuck" | "weights" | "unused";
  readonly text: string;
}

const MAX_STATES = 200_000;
const PREEMPTIONS = 2;

/** Parameter points at which branch weights are summed: the defaults and a spread of probabilities and rates. */
function points(): Params[] {
  return [0, 1e-6, 0.01, 0.3, 0.5, 0.999, 1].map((x) => ({ ...DEFAULTS, memoryPressure: x, lowCollision: x, preemptRate: x * 10 }));
}

export function lintProtocol(doc: ProtocolDoc, model: Model): Finding[] {
  const out: Finding[] = [];
  const at = points();
  for (const st of model.steps) {
    if (st.effects.length < 2) continue;
    for (const p of at) {
      const sum = st.effects.reduce((a, e) => a + (e.weight ? e.weight(p) : 1), 0);
      if (Math.abs(sum - 1) > 1e-12) {
        out.push({ kind: "weights", text: `step ${st.id}: branch weights sum to ${sum} at memoryPressure ${p.memoryPressure}, lowCollision ${p.lowCollision}` });
        break;
      }
    }
  }
  const fired = new Set<string>();
  const seen = new Set<string>();
  const queue: State[] = [initialState(model)];
  let stuck = 0;
  while (queue.length > 0 && seen.size < MAX_STATES) {
    const s = queue.shift()!;
    const key = JSON.stringify(s);
    if (seen.has(key)) continue;
    seen.add(key);
    if (model.settled(s)) continue;
    let any = false;
    for (const st of model.steps) {
      const bounded = st.delay !== undefined && "rate" in st.delay;
      if (!canFire(st, s)) continue;
      any = true;
      if (bounded && (s.preemptions as number) >= PREEMPTIONS) continue;
      fired.add(st.id);
      for (const e of st.effects) {
        if (e.weight && at.every((p) => !(e.weight!(p) > 0))) continue;
        const t = copyState(s);
        e.apply(t);
        queue.push(t);
      }
    }
    if (!any && stuck++ < 3) {
      const fields = Object.entries(s).filter(([k, v]) => v !== initialState(model)[k] || k === "w" || k === "u").map(([k, v]) => `${k}=${String(v)}`);
      out.push({ kind: "stuck", text: `nothing can happen in a state that is not settled: ${fields.join(" ")}` });
    }
  }
  for (const st of model.steps) if (!fired.has(st.id)) out.push({ kind: "unreachable", text: `step ${st.id} never fires (from the start, at most ${PREEMPTIONS} preemptions)` });
  const read = new Set<string>(["w", "wRunning", "preemptions", "u", "race", "corrupt", "torn", "ipis"]);
  const texts = [doc.settled, doc.returned, doc.waiting, doc.freed, ...Object.values(doc.define ?? {}),
    ...doc.steps.map((s) => s.when)].filter((x): x is string => typeof x === "string");
  for (const t of texts) namesOf(parseExpression(t), read);
  const effects = [...doc.steps.flatMap((s) => [s.do, ...(s.branches ?? []).map((b) => b.do)]), ...doc.window.map((w) => w.enter)]
    .filter((x): x is string => typeof x === "string");
  for (const t of effects) for (const a of parseAssignments(t)) namesOf(a.value, read);
  for (const v of model.variables) if (!read.has(v.name)) out.push({ kind: "unused", text: `state ${v.name} is never read (no guard, effect or definition uses it)` });
  return out;
}
