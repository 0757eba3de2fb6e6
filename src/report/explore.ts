/** An exploration as reply text: verdicts, counterexamples, and how to explore it again. */
import type { ExploreResult } from "../engines/explore/index.js";
import { exploreText } from "../engines/explore/text.js";
import { ascii } from "../text/format.js";
import { rerunLines } from "./reply.js";

export function exploreReply(title: string | undefined, r: ExploreResult): string {
  return ascii([exploreText(r, title), "", ...rerunLines(r.manifest)].join("\n")) + "\n";
}
