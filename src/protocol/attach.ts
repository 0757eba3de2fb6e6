/**
 * A user's protocol attached to a scenario: it replaces the built-in model
 * of its kind (`model`: the page-table-free protocol by default, or the PTE
 * model) and keeps the scenario's parameters. The protocol travels in the
 * parameters, patches applied, so workers, manifests and re-runs carry it
 * whole and need no file.
 */
import { basename } from "node:path";
import type { ProtocolRef } from "../model/params.js";
import type { Scenario } from "../model/scenario.js";
import { buildModel } from "./build.js";
import type { ProtocolDoc } from "./format.js";
import { protocolFromFile, protocolFromText } from "./load.js";

/** Checks the protocol by building it, and gives the plain data the parameters carry. */
export function protocolRef(doc: ProtocolDoc, fallbackName: string): ProtocolRef {
  const model = buildModel(doc);
  return { name: doc.name ?? fallbackName, model: model.model, doc: JSON.parse(JSON.stringify(doc)) as Record<string, unknown> };
}

export function withProtocol(s: Scenario, ref: ProtocolRef): Scenario {
  return { ...s, title: `${s.title}; protocol ${ref.name}`, params: { ...s.params, protocol: ref } };
}

/** `--protocol FILE`: read, patches applied and checked before any work. */
export function protocolFileRef(path: string): ProtocolRef {
  return protocolRef(protocolFromFile(path), basename(path).replace(/\.(ya?ml|json)$/i, ""));
}

/** A protocol from a text (YAML or JSON) a notebook holds. */
export function protocolTextRef(text: string, name = "protocol"): ProtocolRef {
  return protocolRef(protocolFromText(text, name), name);
}
