/**
 * Reads a move's guard and effect as a table, for exporters: for every
 * combination of values of the State fields they read, whether the guard
 * holds and what the effect writes. Fields are discovered as the closures
 * read them (a Proxy records each read); a read of a field not fixed yet
 * branches over its declared domain. Only the fields a closure actually reads
 * on a path are fixed on that path, so the rows stay few.
 */
import type { State } from "../../model/protocol.js";
import type { Move } from "./moves.js";

type Field = string;
type Domains = Readonly<Record<string, readonly unknown[]>>;
type Assignment = ReadonlyMap<Field, unknown>;

/** One guarded command: when the fields equal `when`, set the fields of `set`. */
export interface Row {
  readonly when: Assignment;
  readonly set: Assignment;
}

/** Thrown inside a probed closure when it reads a field the current path has not fixed. */
class Need {
  constructor(readonly field: Field) {}
}

function proxy(fixed: Assignment, written: Map<Field, unknown> | undefined): State {
  return new Proxy({} as State, {
    get(_, key) {
      const f = key as Field;
      if (written?.has(f)) return written.get(f);
      if (fixed.has(f)) return fixed.get(f);
      throw new Need(f);
    },
    set(_, key, value) {
      if (!written) throw new Error(`a guard writes ${String(key)}`);
      written.set(key as Field, value);
      return true;
    },
  });
}

/** Every path of `f` through the field domains: the fields fixed on it and f's result. */
function paths<T>(domains: Domains, fixed: Assignment, f: (fixed: Assignment) => T): { fixed: Assignment; result: T }[] {
  try {
    return [{ fixed, result: f(fixed) }];
  } catch (e) {
    if (!(e instanceof Need)) throw e;
    const field = e.field;
    return (domains[field] ?? []).flatMap((v) => paths(domains, new Map(fixed).set(field, v), f));
  }
}

export function probe(move: Move, domains: Domains): Row[] {
  const enabled = paths(domains, new Map(), (fixed) => move.guard(proxy(fixed, undefined))).filter((p) => p.result);
  return enabled.flatMap((g) =>
    paths(domains, g.fixed, (fixed) => {
      const written = new Map<Field, unknown>();
      move.effect.apply(proxy(fixed, written));
      return written;
    }).map((p) => ({ when: p.fixed, set: p.result })));
}
