/** The package's version, read once from package.json (no other import: `tlbrace --version` loads only this). */
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
export const PACKAGE_VERSION: string = pkg.version;
