/**
 * The "TypeScript (tlbrace)" kernel: this checkout's tslab, started so that a
 * notebook in any folder can `import * as tr from "tlbrace"` and gets this
 * checkout's library.
 *
 * tslab resolves imports twice, both from the notebook's folder: its
 * TypeScript checks the cell (Node10 module resolution through `ts.sys`),
 * then Node's require loads it. Outside the checkout neither finds
 * "tlbrace". So "tlbrace" (and "tlbrace/...") falls back to this checkout
 * in both, only when the notebook's folder has no tlbrace of its own: a
 * folder with node_modules/tlbrace keeps it. tslab's own search for a tslab
 * in the notebook's parent folders is turned off: this kernel is this
 * checkout's.
 *
 *   node dist/notebook/launch.js --config-path CONNECTION_FILE
 */
import { realpathSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const NAME = "tlbrace";
const nodeRequire = createRequire(import.meta.url);
const tslabMain = nodeRequire.resolve("tslab/dist/main.js");

interface TsSys {
  fileExists(path: string): boolean;
  directoryExists(path: string): boolean;
  readFile(path: string, encoding?: string): string | undefined;
  realpath?(path: string): string;
  getDirectories(path: string): string[];
}

/**
 * `<folder>/node_modules/tlbrace/rest` -> `<checkout>/rest`, for the
 * notebook's folder only, when that path is not there itself.
 */
export function forwardPath(cwd: string, path: string, exists: (p: string) => boolean): string {
  const prefix = join(cwd, "node_modules", NAME);
  if (path !== prefix && !path.startsWith(prefix + sep)) return path;
  if (exists(prefix)) return path;
  return ROOT + path.slice(prefix.length);
}

/** Makes tslab's TypeScript see this checkout as `<notebook folder>/node_modules/tlbrace`. */
function forwardTypeScript(cwd: string): void {
  const ts = createRequire(tslabMain)("@tslab/typescript-for-tslab") as { sys: TsSys };
  const sys = ts.sys;
  const fileExists = sys.fileExists, directoryExists = sys.directoryExists, readFile = sys.readFile;
  const getDirectories = sys.getDirectories, realpath = sys.realpath;
  const to = (p: string) => forwardPath(cwd, p, (dir) => directoryExists.call(sys, dir));
  sys.fileExists = (p) => fileExists.call(sys, to(p));
  sys.directoryExists = (p) => directoryExists.call(sys, to(p));
  sys.readFile = (p, encoding) => readFile.call(sys, to(p), encoding);
  sys.getDirectories = (p) => getDirectories.call(sys, to(p));
  if (realpath) sys.realpath = (p) => realpath.call(sys, to(p));
}

/** Makes Node's require find this checkout for "tlbrace" when the notebook's folder has none. */
function forwardRequire(): void {
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolve = M._resolveFilename;
  M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    try {
      return resolve.call(this, request, ...rest);
    } catch (e) {
      if (request !== NAME && !request.startsWith(`${NAME}/`)) throw e;
      return resolve.call(this, join(ROOT, request.slice(NAME.length)), ...rest);
    }
  };
}

/**
 * tslab, after a failed or interrupted cell, keeps failing every request for
 * 200 ms (`execQueue.reset(200)`), so a cell run just after shows "In [ ]"
 * and never runs. Requests already queued behind the failed cell chain on
 * its rejection and are still cancelled (Run All stops at an error); the
 * reset itself is made at once, so a request arriving later runs.
 */
function keepLaterRequests(): void {
  const util = createRequire(tslabMain)("./util.js") as { TaskQueue: { prototype: { reset(delay?: number): void } } };
  const reset = util.TaskQueue.prototype.reset;
  util.TaskQueue.prototype.reset = function (this: unknown) { reset.call(this); };
}

/** tslab's errors for a stopped cell: an interrupted await, or a loop stopped by SIGINT. */
const INTERRUPTED = /^(Interrupted asynchronously|Script execution was interrupted)/;

/**
 * An interrupted cell prints one line, not the stack of tslab's internals
 * where it made its interrupt error. tslab prints a failed cell's error
 * through the console.error it is given at start.
 */
function oneLineInterrupts(): void {
  const error = console.error;
  console.error = (...args: unknown[]) => {
    if (args.length === 1 && args[0] instanceof Error && INTERRUPTED.test(args[0].message)) return error("Interrupted: the cell was stopped.");
    error(...args);
  };
}

function main(argv: readonly string[]): void {
  const i = argv.indexOf("--config-path");
  const configPath = i >= 0 ? argv[i + 1] : undefined;
  if (!configPath) {
    console.error("usage: node dist/notebook/launch.js --config-path CONNECTION_FILE (Jupyter starts this kernel)");
    process.exit(2);
  }
  forwardTypeScript(process.cwd());
  forwardRequire();
  keepLaterRequests();
  oneLineInterrupts();
  const { startKernel } = nodeRequire(tslabMain) as { startKernel: (o: { configPath: string; enableFindLocal: boolean }) => void };
  startKernel({ configPath, enableFindLocal: false });
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) main(process.argv.slice(2));
