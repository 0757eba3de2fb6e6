/** tr.reply(x): any result as plain text for a mailing-list reply. */
import { inspect } from "node:util";
import { type AnyManifest, scenarioOf } from "../analysis/rerun.js";
import type { SweepData } from "../analysis/sweep.js";
import type { RunData } from "../engines/montecarlo/run.js";
import { InputError } from "../model/errors.js";
import { runReply, sweepReply } from "../report/reply.js";
import { rareReply } from "../report/rare.js";
import type { RareData } from "../engines/rare/estimate.js";
import { ascii, wrap } from "../text/format.js";
import { escapeHtml } from "../text/html.js";
import { Run } from "./run.js";
import { type Showable, showBundle } from "./show.js";
import { Sweep } from "./sweep.js";

/** Plain text that shows itself as it is (no quotes, no escapes). */
export class Reply implements Showable {
  readonly body: string;
  constructor(body: string) {
    this.body = body;
  }
  text(): string { return this.body; }
  show(): void { showBundle(this.body, `<pre>${escapeHtml(this.body)}</pre>`); }
  toString(): string { return this.body; }
  toJSON(): string { return this.body; }
  [inspect.custom](): string { return this.body; }
}

/** Results of other engines answer `reply()` themselves. */
interface Replies {
  reply(): string;
}

const hasManifest = (x: object): x is { manifest: AnyManifest } =>
  "manifest" in x && typeof (x as { manifest: unknown }).manifest === "object";

/**
 * Text: a string is wrapped to 72 columns paragraph by paragraph; a list is
 * each item's reply, separated by blank lines, so a whole mail is
 * tr.reply(["opening paragraph", run, sweep]). In a list, the first run
 * prints its parameter table and later runs only what differs from it.
 */
export function replyText(x: unknown): string {
  if (typeof x === "string") return ascii(x.split(/\n\s*\n/).map((p) => wrap(p).join("\n")).join("\n\n")) + "\n";
  if (Array.isArray(x)) {
    const first = x.find((item): item is Run => item instanceof Run);
    return x.map((item) => (item instanceof Run && first && item !== first
      ? runReply(item.scenario, item.data, { paramsAsFor: first.scenario })
      : replyText(item))).join("\n");
  }
  if (x instanceof Reply) return x.body;
  if (x instanceof Run) return runReply(x.scenario, x.data);
  if (x instanceof Sweep) return sweepReply(x.scenario, x.data);
  if (x && typeof x === "object") {
    if (typeof (x as Replies).reply === "function") return ascii((x as Replies).reply());
    if (hasManifest(x) && x.manifest.engine === "rare") return rareReply(scenarioOf(x.manifest), x as unknown as RareData);
    if (hasManifest(x) && "rows" in x) return sweepReply(scenarioOf(x.manifest), x as unknown as SweepData);
    if (hasManifest(x) && "races" in x) return runReply(scenarioOf(x.manifest), x as unknown as RunData);
  }
  throw new InputError("reply", x === null ? null : typeof x, "a result: from tr.run, tr.sweep, tr.rerun, or another engine's result");
}

export function reply(x: unknown): Reply {
  return new Reply(replyText(x));
}
