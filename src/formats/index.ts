/** The formats of files tlbrace writes and reads back, as zod schemas. */
export { profileSchema, PROFILE_FORMAT, PROFILE_VERSION, type Profile } from "./profile.js";
export { parseFile } from "./issues.js";
