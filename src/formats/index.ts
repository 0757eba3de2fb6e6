/**
 * The formats of the files tlbrace writes and reads back, one schema each.
 * Reading goes through them (src/formats/read.ts), and every schema
 * exported here is published as docs/formats/NAME.schema.json
 * (scripts/formats.mjs), so the files and their documentation cannot drift.
 */
export { manifestSchema } from "./manifest.js";
export { resultSchema } from "./result.js";
export { sweepFileSchema } from "./sweep.js";
export { checkpointLineSchema } from "./checkpoint.js";
export { studyManifestSchema } from "./study.js";
export { profileSchema, PROFILE_FORMAT, PROFILE_VERSION, type Profile } from "./profile.js";
export { parseFile } from "./issues.js";
export { patchSchema, protocolSchema } from "../protocol/format.js";
