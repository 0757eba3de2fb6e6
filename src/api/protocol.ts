/**
 * A protocol as the notebook shows it: one row per step, one column per
 * actor (W, U, host) holding the kernel function and the step's guard and
 * effect, the delay beside; and the difference between two protocols, step
 * by step, field by field.
 */
import { inspect } from "node:util";
import { stringify } from "yaml";
import type { ProtocolDoc, StepDoc } from "../protocol/format.js";
import { htmlTable } from "../report/table.js";
import { textTable, wrap } from "../text/format.js";
import { type Showable, showBundle } from "./show.js";

const ACTORS = ["W", "U", "host"] as const;

function delayOf(st: StepDoc): string {
  if (st.delay === undefined) return "at once";
  return typeof st.delay === "string" ? st.delay : `rate ${st.delay.rate}`;
}

function effectOf(st: StepDoc): string {
  if (st.branches) return st.branches.map((b) => `[${b.weight ?? 1}] ${b.do ?? ""}`).join(" | ");
  return st.do ?? "";
}

/** A step's cell in its actor's column: the kernel function, then when and do. */
function cellOf(st: StepDoc): string {
  return `${st.kernel}\nwhen ${st.when}\ndo ${effectOf(st)}`;
}

export class ProtocolView implements Showable {
  constructor(readonly doc: ProtocolDoc) {}
  get name(): string { return this.doc.name ?? "protocol"; }
  get steps(): readonly StepDoc[] { return this.doc.steps; }
  /** The protocol in the file format, to save, edit and run with --protocol. */
  yaml(): string { return stringify(this.doc, { lineWidth: 0 }); }
  rows(): Record<string, string>[] {
    return this.doc.steps.map((st) => ({
      step: st.id,
      ...Object.fromEntries(ACTORS.map((a) => [a, st.actor === a ? cellOf(st) : ""])),
      delay: delayOf(st),
    }));
  }
  text(): string {
    const rows = this.doc.steps.map((st) => [st.id, st.actor, delayOf(st), st.kernel.length > 38 ? `${st.kernel.slice(0, 35)}...` : st.kernel]);
    return [...wrap(`protocol ${this.name}: ${Object.keys(this.doc.state).length} state variables, ${this.doc.steps.length} steps`),
      textTable(["step", "actor", "delay", "kernel"], rows)].join("\n");
  }
  html(): string {
    return `<p><b>protocol ${escape(this.name)}</b>: ${Object.keys(this.doc.state).length} state variables, ${this.doc.steps.length} steps</p>` +
      htmlTable(this.rows()).replace(/<td style="([^"]*)">/g, '<td style="$1;white-space:pre-wrap;font-family:monospace">');
  }
  /** What `this` changes of `base`: steps added, removed and changed (with the fields), variables added or changed. */
  diff(base: ProtocolView): ProtocolDiff {
    return new ProtocolDiff(base, this);
  }
  show(): void { showBundle(this.text(), this.html()); }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export interface DiffRow {
  readonly what: string;
  readonly change: "added" | "removed" | "changed";
  readonly before: string;
  readonly after: string;
}

const FIELDS = ["actor", "kernel", "when", "onCpu", "delay", "label", "do", "branches"] as const;
const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

export class ProtocolDiff implements Showable {
  readonly rows: readonly DiffRow[];
  constructor(readonly base: ProtocolView, readonly changed: ProtocolView) {
    const out: DiffRow[] = [];
    const before = new Map(base.steps.map((s) => [s.id, s]));
    const after = new Map(changed.steps.map((s) => [s.id, s]));
    for (const [name, v] of Object.entries(changed.doc.state)) {
      const old = base.doc.state[name];
      if (!old) out.push({ what: `state ${name}`, change: "added", before: "", after: show(v.values ?? "count") });
      else if (JSON.stringify(old.values) !== JSON.stringify(v.values)) out.push({ what: `state ${name}`, change: "changed", before: show(old.values), after: show(v.values) });
    }
    for (const st of base.steps) if (!after.has(st.id)) out.push({ what: `step ${st.id}`, change: "removed", before: `${st.actor}: ${st.kernel}`, after: "" });
    for (const st of changed.steps) {
      const old = before.get(st.id);
      if (!old) { out.push({ what: `step ${st.id}`, change: "added", before: "", after: `${st.actor}: ${st.kernel}; when ${st.when}; do ${effectOf(st)}` }); continue; }
      for (const f of FIELDS) {
        if (JSON.stringify(old[f]) !== JSON.stringify(st[f])) out.push({ what: `step ${st.id}: ${f}`, change: "changed", before: show(old[f]), after: show(st[f]) });
      }
    }
    for (const f of ["settled", "returned", "waiting", "freed", "window"] as const) {
      if (JSON.stringify(base.doc[f]) !== JSON.stringify(changed.doc[f])) out.push({ what: f, change: "changed", before: show(base.doc[f]), after: show(changed.doc[f]) });
    }
    this.rows = out;
  }
  text(): string {
    const cut = (s: string) => (s.length > 16 ? `${s.slice(0, 13)}...` : s);
    return [...wrap(`${this.changed.name} against ${this.base.name}: ${this.rows.length} changes`),
      textTable(["what", "change", "before", "after"], this.rows.map((r) => [r.what, r.change, cut(r.before), cut(r.after)]))].join("\n");
  }
  html(): string {
    return `<p><b>${escape(this.changed.name)}</b> against <b>${escape(this.base.name)}</b>: ${this.rows.length} changes</p>` +
      htmlTable(this.rows as unknown as Record<string, unknown>[]).replace(/<td style="([^"]*)">/g, '<td style="$1;white-space:pre-wrap;font-family:monospace">');
  }
  show(): void { showBundle(this.text(), this.html()); }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}
