/**
 * The protocol read as the interpreter (../episode.ts) runs it, once, before
 * any episode: every discrete state an episode can be in when time next
 * passes, which timed steps are enabled there, and where each one leads.
 *
 * The guards and effects of src/model/protocol.ts are evaluated on concrete
 * states, so the graph is the protocol itself, not a second copy of it. What
 * a state is: every State field but `preemptions`, a count no guard reads
 * (checked here while the graph is built).
 *
 * A transition is a tree: the fired step's branch (a uniform drawn against
 * the effects' weights when it has several), then the immediate steps that
 * fire at once, first enabled in protocol order, each a branch again. Its
 * leaves are tangible states (time passes there) or settled ones (the
 * episode ends there).
 */
import { InputError } from "../../../model/errors.js";
import { ProtocolError } from "../../../protocol/source.js";
import { canFire, copyState, type Model, outsideDomain, settledTooEarly, type State, type Step, type WindowPhase } from "../../../model/protocol.js";

/** A state's identity in the graph: every field but the preemption count. */
export function stateKey(s: State): string {
  const { preemptions: _count, ...rest } = s;
  return JSON.stringify(rest);
}

export type Tree =
  /** `then`: the immediate steps that fired on the way, after the last branch, in order. */
  | { readonly kind: "leaf"; readonly to: number; readonly returned: boolean; readonly freed: boolean; readonly then: readonly number[] }
  /** A uniform decides: effect k when it falls in the k-th part of [0, 1) as the weights cut it. */
  | { readonly kind: "branch"; readonly step: number; readonly children: readonly Tree[]; readonly then: readonly number[] };

export interface Node {
  readonly key: string;
  readonly state: State;
  /** settled: the episode ends here with this state's outcome. */
  readonly settled: boolean;
  /** Indexes into `timed` of the steps enabled here, in protocol order. */
  readonly enabled: readonly number[];
  /** Enabled, but W's own and W is preempted: the clock stands still. */
  readonly frozen: readonly boolean[];
  /** The unmapper waits on W's answer while the chain sits here. */
  readonly waiting: boolean;
  /** Per enabled timed step (same order as `enabled`): what firing it leads to. */
  readonly fire: Tree[];
}

export interface Graph {
  readonly model: Model;
  readonly steps: readonly Step[];
  /** The steps with a delay, in protocol order: the clocks. */
  readonly timed: readonly number[];
  readonly nodes: readonly Node[];
  /** From the state at the unmap instant, per phase of W's window: W running and W preempted. */
  readonly entry: readonly { readonly running: Tree; readonly preempted: Tree }[];
}

/** A guard on immediate steps that would fire forever. */
const MAX_INSTANT_STEPS = 10_000;

export function buildGraph(model: Model, start: (preempted: boolean, phase: WindowPhase) => State): Graph {
  const steps = model.steps;
  const immediate = steps.flatMap((st, i) => (st.delay ? [] : [i]));
  const timed = steps.flatMap((st, i) => (st.delay ? [i] : []));
  const nodes: Node[] = [];
  const index = new Map<string, number>();
  const pending: number[] = [];

  const nodeOf = (s: State): number => {
    const key = stateKey(s);
    const known = index.get(key);
    if (known !== undefined) return known;
    checkCountUnread(steps, s);
    const outside = outsideDomain(model, s);
    if (outside) throw new InputError(`protocol ${model.name}`, outside, "a value among the variable's values (a step writes one outside them)");
    const isSettled = model.settled(s);
    const early = isSettled ? settledTooEarly(model, s) : undefined;
    if (early) throw new ProtocolError(`protocol ${model.name}`, "settled", early, "settled only once returned and freed hold: the unmap latency and the free delay end there");
    const enabled = isSettled ? [] : timed.flatMap((i, k) => (steps[i]!.enabled(s) ? [k] : []));
    nodes.push({
      key, state: s, settled: isSettled, enabled,
      frozen: enabled.map((k) => steps[timed[k]!]!.onCpu === true && s.wRunning !== true),
      waiting: model.waiting(s), fire: [],
    });
    index.set(key, nodes.length - 1);
    if (!isSettled) pending.push(nodes.length - 1);
    return nodes.length - 1;
  };

  /** Immediate steps from `s` until none is enabled; `returned` and `freed`: a state already passed on the way counted. */
  const settle = (s: State, returned: boolean, freed: boolean, then: readonly number[] = []): Tree => {
    if (then.length > MAX_INSTANT_STEPS) throw new Error(`compile: steps without delay cycle from ${stateKey(s)}`);
    const i = immediate.find((j) => canFire(steps[j]!, s));
    if (i === undefined) {
      return { kind: "leaf", to: nodeOf(s), returned: returned || model.returned(s), freed: freed || model.freed(s), then };
    }
    return apply(i, s, (t) => settle(t, returned, freed, steps[i]!.effects.length === 1 ? [...then, i] : []), then);
  };

  /** Step i's effects on copies of s, each continued by `next`; `then`: the immediate steps fired before it. */
  const apply = (i: number, s: State, next: (t: State) => Tree, then: readonly number[] = []): Tree => {
    const effects = steps[i]!.effects;
    const after = effects.map((e) => {
      const t = copyState(s);
      e.apply(t);
      return next(t);
    });
    return effects.length === 1 ? after[0]! : { kind: "branch", step: i, children: after, then };
  };

  // The interpreter checks returned/freed right after a timed step fires, then again after the immediate steps.
  const entry = model.window.map((phase) => ({
    running: settle(start(false, phase), false, false),
    preempted: settle(start(true, phase), false, false),
  }));
  while (pending.length > 0) {
    const n = nodes[pending.shift()!]!;
    for (const k of n.enabled) {
      n.fire.push(apply(timed[k]!, n.state, (t) => settle(t, model.returned(t), model.freed(t))));
    }
  }
  return { model, steps, timed, nodes, entry };
}

/**
 * The graph drops `preemptions`; that is sound only if no guard reads it and
 * no effect's other writes depend on it. Checked on every state the graph holds.
 */
function checkCountUnread(steps: readonly Step[], s: State): void {
  const other = { ...s, preemptions: (s.preemptions as number) + 1 };
  for (const st of steps) {
    if (st.enabled(s) !== st.enabled(other)) throw new Error(`compile: the guard of ${st.id} reads the preemption count`);
    for (const e of st.effects) {
      const a = copyState(s), b = copyState(other);
      e.apply(a);
      e.apply(b);
      if (stateKey(a) !== stateKey(b)) throw new Error(`compile: the effect of ${st.id} reads the preemption count`);
    }
  }
}
