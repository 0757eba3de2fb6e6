/**
 * The built-in protocols, put together from data/protocols/: the
 * page-table-free protocol (table-free.yaml) with the flush mechanism the
 * `flush` parameter names (flush/NAME.yaml) and the table-freeing mode
 * `tableFree` names (table-free/NAME.yaml); the PTE model (pte.yaml) with
 * `pteRead`, `flush` and `pteRemap`. Each piece is a patch without a base.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { Params } from "../model/params.js";
import type { ModelName } from "../model/state.js";
import { applyPatch } from "./compose.js";
import type { PatchDoc, ProtocolDoc } from "./format.js";
import { carry } from "./places.js";
import { readDoc } from "./read.js";

const DIR = new URL("../../data/protocols/", import.meta.url);

/** Protocol files are read once per process. */
const files = new Map<string, ReturnType<typeof readDoc>>();

function read(rel: string): ReturnType<typeof readDoc> {
  let r = files.get(rel);
  if (!r) {
    r = readDoc(readFileSync(new URL(rel, DIR), "utf8"), `data/protocols/${rel}`);
    files.set(rel, r);
  }
  return r;
}

function whole(rel: string): ProtocolDoc {
  const r = read(rel);
  if (r.kind !== "protocol") throw new Error(`data/protocols/${rel}: a whole protocol expected`);
  return r.doc;
}

/** A piece: its steps and fields, without the title that names the piece alone. */
function piece(rel: string): PatchDoc {
  const r = read(rel);
  if (r.kind !== "patch" || r.patch.base !== undefined) throw new Error(`data/protocols/${rel}: a patch without a base expected`);
  const { title: _title, name: _name, ...rest } = r.patch;
  return rest;
}

/** The names of the pieces in a folder of data/protocols/: the values its parameter may take. */
export function pieces(folder: "flush" | "table-free" | "pte-read" | "pte-remap"): string[] {
  return readdirSync(new URL(`${folder}/`, DIR)).filter((f) => f.endsWith(".yaml")).map((f) => f.slice(0, -5)).sort();
}

/** The title a piece gives itself. */
export function pieceTitle(folder: "flush" | "table-free" | "pte-read" | "pte-remap", name: string): string {
  const r = read(`${folder}/${name}.yaml`);
  return (r.kind === "patch" ? r.patch.title : r.doc.title) ?? name;
}

function named(doc: ProtocolDoc, name: string, title: string): ProtocolDoc {
  const out = { ...doc, name, title };
  carry(doc, out);
  return out;
}

const docs = new Map<string, ProtocolDoc>();

/** The built-in protocol of `model` for the choices in `p`. */
export function builtinDoc(p: Pick<Params, "flush" | "tableFree" | "pteRead" | "pteRemap">, model: ModelName): ProtocolDoc {
  const key = model === "pte" ? `pte|${p.flush}|${p.pteRead}|${p.pteRemap}` : `table-free|${p.flush}|${p.tableFree}`;
  let doc = docs.get(key);
  if (doc) return doc;
  if (model === "pte") {
    doc = [piece(`pte-read/${p.pteRead}.yaml`), piece(`flush/${p.flush}.yaml`), piece(`pte-remap/${p.pteRemap}.yaml`)]
      .reduce(applyPatch, whole("pte.yaml"));
    doc = named(doc, `pte: ${p.flush}, ${p.pteRead}, ${p.pteRemap}`,
      `PTE model: ${pieceTitle("flush", p.flush)}; ${pieceTitle("pte-read", p.pteRead)}; ${pieceTitle("pte-remap", p.pteRemap)}`);
  } else {
    doc = [piece(`flush/${p.flush}.yaml`), piece(`table-free/${p.tableFree}.yaml`)].reduce(applyPatch, whole("table-free.yaml"));
    doc = named(doc, `table-free: ${p.flush}, ${p.tableFree}`, `${pieceTitle("flush", p.flush)}; ${pieceTitle("table-free", p.tableFree)}`);
  }
  docs.set(key, doc);
  return doc;
}
