/**
 * A file a profile.json names (`csv:FILE:COLUMN`): FILE is relative to the
 * profile's folder and must stay inside it, through symbolic links too, so
 * a shared profile cannot read files elsewhere on the machine.
 */
import { realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { InputError } from "../model/errors.js";

const outside = (dir: string, p: string) => {
  const r = relative(dir, p);
  return r === "" || r.startsWith("..") || isAbsolute(r);
};

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
};

/** The path of `file`, named in the profile at `profilePath` by `field`; throws unless it is inside the profile's folder. */
export function profileFile(profilePath: string, file: string, field: string): string {
  const dir = resolve(dirname(profilePath));
  const allowed = `a file in the profile's folder ${dir} (a relative path that stays there)`;
  if (isAbsolute(file) || outside(dir, resolve(dir, file))) throw new InputError(field, file, allowed);
  const path = resolve(dir, file);
  // A missing file is reported when it is read; one that exists must resolve inside the folder too.
  const realDir = real(dir), realPath = real(path);
  if (realDir !== undefined && realPath !== undefined && outside(realDir, realPath))
    throw new InputError(field, file, `${allowed}; it is a link to a file outside`);
  return path;
}
