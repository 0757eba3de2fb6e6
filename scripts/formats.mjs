// Writes docs/formats/*.schema.json from the schemas in src/formats/ (run after `npm run build`).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { formatDocuments } from "../dist/formats/json-schema.js";

const dir = new URL("../docs/formats/", import.meta.url);
mkdirSync(dir, { recursive: true });
const docs = formatDocuments();
for (const f of readdirSync(dir)) if (f.endsWith(".schema.json") && !docs.has(f)) rmSync(new URL(f, dir));
for (const [name, text] of docs) writeFileSync(new URL(name, dir), text);
console.log([...docs.keys()].map((n) => `docs/formats/${n}`).join("\n"));
