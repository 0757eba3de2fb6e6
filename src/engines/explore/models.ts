/**
 * The models a scenario is explored in, each with the outcomes it can show:
 * the page-table-free protocol (race, corrupt) and the PTE model (torn).
 * Each outcome is a state variable of the same name; a model that does not
 * declare one cannot reach it.
 */
import type { Params } from "../../model/params.js";
import { flag, type Model, pteModel, type State, type Step, tableFreeModel } from "../../model/protocol.js";

export const OUTCOMES = ["race", "corrupt", "torn"] as const;
export type ExploreOutcome = (typeof OUTCOMES)[number];

export interface ExploredModel {
  /** What the unmapper does in it. */
  readonly name: "table-free" | "pte";
  readonly model: Model;
  readonly steps: readonly Step[];
  readonly outcomes: readonly ExploreOutcome[];
}

export function modelsOf(p: Params): ExploredModel[] {
  const tf = tableFreeModel(p), pte = pteModel(p);
  return [
    { name: "table-free", model: tf, steps: tf.steps, outcomes: ["race", "corrupt"] },
    { name: "pte", model: pte, steps: pte.steps, outcomes: ["torn"] },
  ];
}

export const holds = (o: ExploreOutcome) => (s: State): boolean => flag(s, o);
