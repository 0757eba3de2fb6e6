/**
 * Breadth-first search over every interleaving of a model's moves, with each
 * state kept once (by its code). States are discovered in order of their
 * distance from the start, so the first state found where an outcome holds
 * ends a shortest path to it: the counterexample.
 */
import { copyState, type Model, type State } from "../../model/protocol.js";
import { codec } from "./codec.js";
import type { Move } from "./moves.js";

/** One step of a counterexample: who, which protocol step, its kernel name and what happened. */
export interface TraceStep {
  readonly actor: "W" | "U" | "host";
  /** The protocol step's id. */
  readonly step: string;
  readonly kernel: string;
  readonly label: string;
}

export interface SearchResult {
  readonly states: number;
  readonly transitions: number;
  /** false when the state limit stopped the search. */
  readonly complete: boolean;
  /** Per outcome that was reached, a shortest path to it. */
  readonly found: ReadonlyMap<string, readonly TraceStep[]>;
}

export interface SearchInput {
  readonly moves: readonly Move[];
  readonly start: State;
  /** The model whose variables the states hold. */
  readonly model: Pick<Model, "variables">;
  /** Outcome name -> whether it holds in a state. */
  readonly outcomes: ReadonlyMap<string, (s: State) => boolean>;
  readonly maxPreemptions: number;
  readonly maxStates: number;
}

export function search(input: SearchInput): SearchResult {
  const { moves, start, outcomes, maxStates } = input;
  const { encode, decode } = codec(input.model, input.maxPreemptions);
  // Per discovered state: its code, the state it was reached from and the move; typed arrays keep a large search small.
  let codes = new Float64Array(1024), parent = new Int32Array(1024), via = new Int32Array(1024);
  let count = 0;
  const add = (code: number, from: number, move: number) => {
    if (count === codes.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
      codes = grow(codes, new Float64Array(count * 2));
      parent = grow(parent, new Int32Array(count * 2));
      via = grow(via, new Int32Array(count * 2));
    }
    codes[count] = code;
    parent[count] = from;
    via[count] = move;
    seen.set(code, count);
    return count++;
  };
  const seen = new Map<number, number>();
  add(encode(start), -1, -1);
  const found = new Map<string, readonly TraceStep[]>();
  let transitions = 0;
  let complete = true;

  const path = (i: number): TraceStep[] => {
    const out: TraceStep[] = [];
    for (; parent[i]! >= 0; i = parent[i]!) {
      const m = moves[via[i]!]!;
      out.push({ actor: m.step.actor, step: m.step.id, kernel: m.step.kernel, label: m.effect.label });
    }
    return out.reverse();
  };
  const check = (s: State, i: number) => {
    for (const [name, holds] of outcomes) if (!found.has(name) && holds(s)) found.set(name, path(i));
  };

  check(start, 0);
  search: for (let i = 0; i < count; i++) {
    const s = decode(codes[i]!);
    for (let k = 0; k < moves.length; k++) {
      const m = moves[k]!;
      if (!m.guard(s)) continue;
      const t = copyState(s);
      m.effect.apply(t);
      transitions++;
      const code = encode(t);
      if (seen.has(code)) continue;
      if (count >= maxStates) {
        complete = false;
        break search;
      }
      check(t, add(code, i, k));
    }
  }
  return { states: count, transitions, complete, found };
}
