/**
 * Patches applied to protocols: `replace` (a step's fields, by id), then
 * `insert` (after or before an id), then `remove`; `state` adds variables
 * (or, with `add`, values to one), `define` adds or replaces definitions,
 * and any other top-level field given replaces the base's. Places are
 * carried, so an error still names the file each piece came from.
 */
import { type PatchDoc, type ProtocolDoc, type StepDoc, type VariableDoc } from "./format.js";
import { alias, carry, where } from "./places.js";
import { ProtocolError } from "./source.js";

const TOP = ["name", "title", "notes", "kernel", "model", "window", "settled", "returned", "waiting", "freed", "bystander"] as const;

function copyStep(st: StepDoc): StepDoc {
  const out = { ...st };
  carry(st, out);
  return out;
}

export function applyPatch(base: ProtocolDoc, patch: PatchDoc): ProtocolDoc {
  const out: Record<string, unknown> = { ...base };
  carry(base, out);
  for (const k of TOP) {
    if (patch[k] === undefined) continue;
    out[k] = patch[k];
    carry(patch, out, [k]);
  }
  out.state = addState(base, patch);
  if (patch.define) {
    const define = { ...(base.define ?? {}) };
    carry(base.define ?? {}, define);
    Object.assign(define, patch.define);
    carry(patch.define, define);
    out.define = define;
  }
  let steps = base.steps.map(copyStep);
  const indexOf = (id: string, obj: object, field: string): number => {
    const i = steps.findIndex((s) => s.id === id);
    if (i < 0) throw new ProtocolError(where(obj, field), field, JSON.stringify(id), `the id of a step of the base (${steps.map((s) => s.id).join(", ")})`);
    return i;
  };
  for (const change of patch.replace ?? []) {
    const i = indexOf(change.id, change, "id");
    const merged = { ...steps[i]!, ...change } as StepDoc;
    carry(steps[i]!, merged);
    carry(change, merged);
    // A step given branches has no single outcome any more, and the reverse.
    if (change.branches) { delete merged.do; delete merged.label; }
    if (change.do !== undefined || change.label !== undefined) delete merged.branches;
    if (change.branches) delete merged.each;
    steps[i] = merged;
  }
  for (const ins of patch.insert ?? []) {
    if ((ins.after === undefined) === (ins.before === undefined))
      throw new ProtocolError(where(ins, ins.after !== undefined ? "after" : "step"), "insert", "a position", "exactly one of after and before");
    const added = [...(ins.step ? [ins.step] : []), ...(ins.steps ?? [])];
    if (added.length === 0) throw new ProtocolError(where(ins, ins.after !== undefined ? "after" : "before"), "insert", "no step", "step or steps");
    for (const st of added) {
      if (steps.some((s) => s.id === st.id))
        throw new ProtocolError(where(st, "id"), `insert, step ${st.id}`, JSON.stringify(st.id), "an id no step of the base has (use replace to change a step)");
    }
    const at = ins.after !== undefined ? indexOf(ins.after, ins, "after") + 1 : indexOf(ins.before!, ins, "before");
    steps = [...steps.slice(0, at), ...added, ...steps.slice(at)];
  }
  (patch.remove ?? []).forEach((id, k) => {
    const i = indexOf(id, patch.remove!, String(k));
    steps = steps.filter((_, j) => j !== i);
  });
  out.steps = steps;
  // What the steps now lack is the patch's doing: errors about them point into it.
  const changed = (["remove", "insert", "replace"] as const).find((k) => patch[k] !== undefined);
  if (changed) alias(out, "steps", patch, changed);
  return out as ProtocolDoc;
}

function addState(base: ProtocolDoc, patch: PatchDoc): Record<string, VariableDoc> {
  const state: Record<string, VariableDoc> = { ...base.state };
  carry(base.state, state);
  for (const [name, v] of Object.entries(patch.state ?? {})) {
    const old = state[name];
    if (v.add) {
      if (!old?.values) throw new ProtocolError(where(v, "add"), `state ${name}, add`, JSON.stringify(name), `a variable of the base with values (${Object.keys(state).join(", ")})`);
      const merged: VariableDoc = { ...old, values: [...old.values, ...v.add.filter((x) => !old.values!.includes(x))] };
      carry(old, merged);
      carry(v, merged, ["add"]);
      state[name] = merged;
    } else {
      state[name] = v;
    }
    carry(patch.state!, state, [name]);
  }
  return state;
}
