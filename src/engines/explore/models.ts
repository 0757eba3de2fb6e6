/**
 * The models a scenario is explored in, each with the outcomes it can show:
 * the page-table-free protocol of protocol.ts (race, corrupt) and the PTE
 * model of torn-pte.ts (torn). Each outcome is a State flag of the same name.
 */
import type { Params } from "../../model/params.js";
import { protocol, type State, type Step } from "../../model/protocol.js";
import { pteProtocol } from "../../model/torn-pte.js";

export const OUTCOMES = ["race", "corrupt", "torn"] as const;
export type ExploreOutcome = (typeof OUTCOMES)[number];

export interface ExploredModel {
  /** What the unmapper does in it. */
  readonly name: "table-free" | "pte";
  readonly steps: readonly Step[];
  readonly outcomes: readonly ExploreOutcome[];
}

export function modelsOf(p: Params): ExploredModel[] {
  return [
    { name: "table-free", steps: protocol(p.flush, p.tableFree).steps, outcomes: ["race", "corrupt"] },
    { name: "pte", steps: pteProtocol(p).steps, outcomes: ["torn"] },
  ];
}

export const holds = (o: ExploreOutcome) => (s: State): boolean => s[o];
