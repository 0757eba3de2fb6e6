/** tr.rerun and tr.check: the same numbers again, from a manifest. */
import { inspect } from "node:util";
import { type AnyManifest, compareNumbers, type Recorded, readRecorded, recordedNumbers, rerun as rerunManifest, type Rerun } from "../analysis/rerun.js";
import type { Execution } from "../engines/montecarlo/pool.js";
import { InputError } from "../model/errors.js";
import { madeBy, olderModelText } from "../report/reply.js";
import { textTable } from "../text/format.js";
import { escapeHtml } from "../text/html.js";
import { withNotebookControls } from "./progress.js";
import { Exact } from "./exact.js";
import { Exploration } from "./exploration.js";
import { Run } from "./run.js";
import { Rare } from "./rare.js";
import { ScenarioView } from "./scenario.js";
import { type Showable, showBundle } from "./show.js";
import { Sweep } from "./sweep.js";

/** A result, a manifest, or a file that holds one (result JSON, sweep file, study manifest). */
export type Rerunnable = Run | Sweep | Exact | Exploration | Rare | AnyManifest | string;

function recorded(x: Rerunnable): Recorded[] {
  if (typeof x === "string") return readRecorded(x);
  if (x instanceof Run || x instanceof Sweep || x instanceof Exact || x instanceof Exploration || x instanceof Rare)
    return [{ name: `${x instanceof Run ? "run" : x instanceof Sweep ? "sweep" : x.manifest.engine} ${x.scenario.name}`, manifest: x.data.manifest, numbers: recordedNumbers(x.data) }];
  if (x && typeof x === "object" && "tool" in x) return [{ name: x.scenario, manifest: x }];
  throw new InputError("rerun", x === null ? null : typeof x, "a result, its manifest, or the path of a file tlbrace wrote");
}

function view(r: Rerun): Run | Sweep | Exact | Exploration | Rare {
  const s = new ScenarioView(r.scenario);
  switch (r.kind) {
    case "run": return new Run(s, r.data);
    case "sweep": return new Sweep(s, r.data);
    case "exact": return new Exact(s, r.data);
    case "explore": return new Exploration(s, r.data);
    case "rare": return new Rare(s, r.data);
  }
}

async function again(r: Recorded, exec: Execution): Promise<Rerun> {
  return withNotebookControls(exec, `rerun ${r.name}`, "episodes", (e) => rerunManifest(r.manifest, { ...exec, ...e }));
}

/** Runs what `x` records again; a file with several (a study manifest) gives several. */
export async function rerun(x: Rerunnable, exec: Execution = {}): Promise<Run | Sweep | Exact | Exploration | Rare> {
  const all = recorded(x);
  if (all.length !== 1) throw new InputError("rerun", `${all.length} results`, "one result: use tr.check(file) for a file with several");
  return view(await again(all[0]!, exec));
}

export interface CheckEntry {
  readonly name: string;
  /** null when there were no recorded numbers to compare. */
  readonly identical: boolean | null;
  readonly compared: number;
  readonly differences: readonly string[];
  /** How an older model's manifest was read; absent for one of this model. */
  readonly note?: string;
  readonly result: Run | Sweep | Exact | Exploration | Rare;
}

/** The outcome of tr.check: each entry re-run and compared number for number. */
export class RerunCheck implements Showable {
  readonly entries: readonly CheckEntry[];
  constructor(entries: readonly CheckEntry[]) {
    this.entries = entries;
  }
  /** True when every entry with recorded numbers came out identical. */
  get identical(): boolean { return this.entries.every((e) => e.identical !== false); }
  text(): string {
    const rows = this.entries.map((e) => [e.name, e.identical === null ? "nothing to compare" : e.identical ? "identical" : "DIFFERENT", String(e.compared)]);
    const diffs = this.entries.flatMap((e) => [...(e.note ? [`  ${e.name}: ${e.note}`] : []), ...e.differences.map((d) => `  ${e.name}: ${d}`)]);
    const m = this.entries[0]?.result.manifest;
    return [textTable(["re-run", "numbers", "compared"], rows), ...diffs,
      ...(m ? [`re-run by ${madeBy(m)}, ${m.node}`] : [])].join("\n");
  }
  show(): void { showBundle(this.text(), `<pre>${escapeHtml(this.text())}</pre>`); }
  toString(): string { return this.text(); }
  [inspect.custom](): string { return this.text(); }
}

/** Re-runs `x` and compares with the numbers it records. */
export async function check(x: Rerunnable, exec: Execution = {}): Promise<RerunCheck> {
  const entries: CheckEntry[] = [];
  for (const r of recorded(x)) {
    const a = await again(r, exec);
    const c = compareNumbers(r, recordedNumbers(a));
    entries.push({ name: r.name, identical: c ? c.differences.length === 0 : null, compared: c?.compared ?? 0,
      differences: c?.differences ?? [], ...(r.olderModel ? { note: olderModelText(r.olderModel) } : {}), result: view(a) });
  }
  return new RerunCheck(entries);
}
