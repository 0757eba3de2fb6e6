/**
 * The published formats: every schema exported from ./index.ts as a JSON
 * Schema document, named after its export (`sweepFileSchema` becomes
 * sweep-file.schema.json). scripts/formats.mjs writes them to docs/formats/.
 */
import { z } from "zod";
import * as formats from "./index.js";

const fileName = (exportName: string) =>
  `${exportName.replace(/Schema$/, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}.schema.json`;

/** File name to JSON text, for every schema the formats module exports. */
export function formatDocuments(): Map<string, string> {
  const docs = new Map<string, string>();
  for (const [name, value] of Object.entries(formats).sort(([a], [b]) => a.localeCompare(b))) {
    if (!(value instanceof z.ZodType)) continue;
    const schema = z.toJSONSchema(value, { target: "draft-2020-12", unrepresentable: "any", io: "input" });
    docs.set(fileName(name), JSON.stringify({ $id: `tlbrace/${fileName(name)}`, ...schema }, null, 2) + "\n");
  }
  return docs;
}
