/**
 * The presets as kernel history: when the kernel met each configuration and
 * what the preset's text says where MODEL.md and the kernel differ. Read from
 * the same data/scenarios/*.json files as the presets themselves (their
 * `date` and `notes` fields), so the order is data, not code.
 */
import { readdirSync, readFileSync } from "node:fs";
import { InputError } from "./errors.js";
import { preset, presetNames, type Scenario } from "./scenario.js";

const PRESET_DIR = new URL("../../data/scenarios/", import.meta.url);
/** A year, or a year and month: the date of the kernel change a preset stands for. */
const DATE = /^(19|20)\d\d(-(0[1-9]|1[0-2]))?$/;

export interface HistoryEntry {
  /** The preset, as scenario() gives it. */
  readonly scenario: Scenario;
  /** YYYY-MM (or YYYY): the kernel change, mail or patch the preset stands for; "" if the preset has none. */
  readonly date: string;
  /** Where the kernel and MODEL.md differ, or what the preset leaves out; "" if nothing. */
  readonly notes: string;
}

let entries: HistoryEntry[] | undefined;

function readEntries(): HistoryEntry[] {
  const byName = new Map<string, { date: string; notes: string }>();
  for (const file of readdirSync(PRESET_DIR).filter((f) => f.endsWith(".json")).sort()) {
    const raw = JSON.parse(readFileSync(new URL(file, PRESET_DIR), "utf8")) as { name: string; date?: unknown; notes?: unknown };
    const date = raw.date ?? "";
    if (date !== "" && !(typeof date === "string" && DATE.test(date)))
      throw new InputError(`date of data/scenarios/${file}`, date, "YYYY-MM or YYYY");
    if (raw.notes !== undefined && typeof raw.notes !== "string")
      throw new InputError(`notes of data/scenarios/${file}`, raw.notes, "a string");
    byName.set(raw.name, { date: date as string, notes: (raw.notes as string | undefined) ?? "" });
  }
  // Presets with a date in date order (ties in name order, as presetNames gives them); undated ones last.
  const order = presetNames();
  return order
    .map((name) => ({ scenario: preset(name), ...(byName.get(name) ?? { date: "", notes: "" }) }))
    .sort((a, b) => (a.date === "") !== (b.date === "") ? (a.date === "" ? 1 : -1)
      : a.date.localeCompare(b.date) || order.indexOf(a.scenario.name) - order.indexOf(b.scenario.name));
}

/** Every preset in the order the kernel met it. */
export function kernelHistory(): readonly HistoryEntry[] {
  return (entries ??= readEntries());
}

/** The history entry of one preset. */
export function historyOf(name: string): HistoryEntry {
  const e = kernelHistory().find((h) => h.scenario.name === name);
  if (!e) throw new InputError("scenario", name, `one of ${presetNames().join(", ")}`);
  return e;
}
