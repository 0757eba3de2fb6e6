/**
 * What made a notebook's outputs: the model version and the parameter set
 * (every parameter's name, the defaults and each preset's parameters, as a
 * short hash). Every display the library sends carries it in its metadata,
 * so a saved notebook records it, and a test compares the committed
 * notebooks with the model as it is now: outputs made by another model are
 * out of date, and the notebook is run again.
 */
import { createHash } from "node:crypto";
import { paramsJson } from "../engines/manifest.js";
import { DEFAULTS, PARAM_SPECS } from "../model/params.js";
import { preset, presetNames } from "../model/scenario.js";
import { MODEL_VERSION } from "../model/version.js";

export interface ModelStamp {
  readonly modelVersion: number;
  readonly parameters: readonly string[];
  /** sha256 of the defaults and the presets' parameters, first 16 hex digits. */
  readonly parameterSet: string;
}

let stamp: ModelStamp | undefined;

export function modelStamp(): ModelStamp {
  if (stamp) return stamp;
  const values = {
    defaults: paramsJson(DEFAULTS),
    presets: Object.fromEntries(presetNames().map((name) => [name, paramsJson(preset(name).params)])),
  };
  stamp = {
    modelVersion: MODEL_VERSION,
    parameters: PARAM_SPECS.map((s) => s.name),
    parameterSet: createHash("sha256").update(JSON.stringify(values)).digest("hex").slice(0, 16),
  };
  return stamp;
}
