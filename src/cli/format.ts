/**
 * Output for people and for programs. Text is meant to be pasted into a
 * mailing-list reply: ASCII only, no tabs, at most 72 columns.
 */
import { presetNames } from "../model/scenario.js";
import { WIDTH, wrap } from "../text/format.js";

/** JSON as printed: indented, one trailing newline. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** The closing paragraph of a command's help: the preset names, wrapped. */
export function presetsHelp(): string {
  return ["", ...wrap(`Presets: ${presetNames().join(", ")}`, WIDTH, "  ")].join("\n") + "\n";
}
