// Rich display under the tslab Jupyter kernel.
//
// A result should reach the notebook as ONE display_data message carrying
// every representation (text, HTML, PNG, Plotly JSON), so that each front end
// picks the richest one it can render and a saved notebook keeps the
// fallbacks. tslab's public `display` object sends one MIME type per message,
// so we call the writer it keeps for the running cell (`lastWriteDisplayData`
// in tslab/dist/jupyter.js) with the whole bundle.
//
// Outside a kernel nothing is loaded and every call is a no-op returning
// false: importing the library from plain Node or the CLI never fails.
import { createRequire } from "node:module";
import { sep } from "node:path";
import { modelStamp } from "./stamp.js";

/** One representation: text, bytes (sent as base64) or a JSON value. */
export type MimeData = string | Uint8Array | object;

/** MIME type -> data, e.g. {"text/plain": ..., "text/html": ...}. */
export type MimeBundle = Record<string, MimeData | undefined>;

export interface DisplayOptions {
  /** Per-MIME metadata, e.g. {"image/png": {width: 640}}. */
  metadata?: Record<string, unknown>;
  /** Names the output so that a later call with `update: true` replaces it. */
  displayId?: string;
  /** Replace the output named by `displayId` instead of adding one. */
  update?: boolean;
}

interface DisplayContent {
  data: Record<string, string | object>;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

type WriteDisplayData = (content: DisplayContent, update: boolean) => void;

/** What tslab exposes to cells as `__tslab__`; its require hooks "tslab". */
interface TslabGlobal {
  require(id: string): {
    display: { raw(mime: string, data: string | Uint8Array): void };
  };
}

const nodeRequire = createRequire(import.meta.url);
const jupyterModuleSuffix = `${sep}${["tslab", "dist", "jupyter.js"].join(sep)}`;
let jupyterModule: NodeJS.Module | undefined;

/**
 * tslab's jupyter module. The kernel loaded it with require(), so it is in
 * the shared require cache; we look it up there rather than importing tslab,
 * which would load a TypeScript compiler into every CLI run, and could find
 * a different copy of tslab than the kernel's own.
 */
function tslabJupyter(): NodeJS.Module | undefined {
  if (!jupyterModule) {
    jupyterModule = Object.values(nodeRequire.cache).find(
      (mod) => mod?.filename?.endsWith(jupyterModuleSuffix) && "lastWriteDisplayData" in mod.exports,
    );
    if (jupyterModule) watchSessions(jupyterModule);
  }
  return jupyterModule;
}

/** tslab's writer for the running cell. */
function kernelWriter(): WriteDisplayData | undefined {
  const write: unknown = tslabJupyter()?.exports.lastWriteDisplayData;
  return typeof write === "function" ? (write as WriteDisplayData) : undefined;
}

let session: string | undefined;

/**
 * Records the session of each execute request: every browser page (and
 * every nbclient run) talks to the kernel under its own session id, so a
 * page reloaded onto a running kernel is told apart from the page that saw
 * the earlier outputs. Skipped quietly if tslab's server looks different.
 */
function watchSessions(jupyter: NodeJS.Module): void {
  const proto = (jupyter.exports as { ZmqServer?: { prototype: Record<string, unknown> } }).ZmqServer?.prototype;
  const handleExecute = proto?.handleExecute;
  if (!proto || typeof handleExecute !== "function") return;
  proto.handleExecute = function (this: unknown, sock: unknown, msg: { header?: { session?: unknown } }) {
    const id = msg?.header?.session;
    session = typeof id === "string" ? id : undefined;
    watchInterrupts((this as { handler?: { executor?: Executor } })?.handler?.executor);
    const execution = Promise.resolve(handleExecute.call(this, sock, msg));
    running = execution;
    const settle = () => { if (running === execution) running = undefined; };
    execution.then(settle, settle);
    return execution;
  };
}

type Executor = { interrupt?: (...args: unknown[]) => unknown };
const interruptListeners = new Set<() => void>();
const watched = new WeakSet<object>();
/** The execute request being served, while it is. */
let running: Promise<unknown> | undefined;
/** How long library work has to end its cell after an interrupt before tslab's own interrupt ends it. */
const GRACE_MS = 3000;

/**
 * tslab answers the notebook's interrupt (SIGINT) by failing the running
 * cell with its own "Interrupted asynchronously" error and stack, but work
 * the cell started goes on. Wrapping its executor's `interrupt` lets that
 * work stop too, and end the cell itself with a line saying how far it got;
 * tslab's interrupt follows only if the cell is still running after a grace
 * period (code of the cell's own that ignores the abort), or at once when no
 * library work is running. (A SIGINT listener of our own is no substitute:
 * added from a cell, it leaves the kernel killed by the next interrupt.)
 */
function watchInterrupts(executor: Executor | undefined): void {
  if (!executor || watched.has(executor) || typeof executor.interrupt !== "function") return;
  watched.add(executor);
  const interrupt = executor.interrupt;
  executor.interrupt = function (this: unknown, ...args: unknown[]) {
    const listeners = [...interruptListeners];
    if (listeners.length === 0 || running === undefined) return interrupt.apply(this, args);
    for (const listener of listeners) listener();
    const cell = running;
    setTimeout(() => { if (running === cell) interrupt.apply(this, args); }, GRACE_MS).unref();
    return undefined;
  };
}

/**
 * Calls `listener` when the notebook's interrupt reaches the kernel; returns
 * the function that stops listening. Takes effect from the first cell run
 * after the library was loaded.
 */
export function onInterrupt(listener: () => void): () => void {
  tslabJupyter();
  interruptListeners.add(listener);
  return () => interruptListeners.delete(listener);
}

/**
 * The session id of the front end that sent the running cell; undefined
 * outside a kernel and in the cell that first loads the library (its
 * request arrived before we were listening).
 */
export function frontendSession(): string | undefined {
  tslabJupyter();
  return session;
}

function tslabGlobal(): TslabGlobal | undefined {
  return (globalThis as { __tslab__?: TslabGlobal }).__tslab__;
}

/** True when running inside a tslab kernel that can show rich output. */
export function inKernel(): boolean {
  return kernelWriter() !== undefined || tslabGlobal() !== undefined;
}

function encode(data: MimeData): string | object {
  if (data instanceof Uint8Array) {
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
  }
  return data;
}

function encodeBundle(bundle: MimeBundle): Record<string, string | object> {
  const data: Record<string, string | object> = {};
  for (const [mime, value] of Object.entries(bundle)) {
    if (value !== undefined) data[mime] = encode(value);
  }
  return data;
}

// Used only if a future tslab moves its writer: one MIME type, richest first.
const singlePreference = ["text/html", "image/png", "image/svg+xml", "text/markdown", "text/plain"];

/**
 * Shows `bundle` as one notebook output, its metadata stamped with the
 * model that made it. Returns false, doing nothing, outside a kernel.
 * Include "text/plain": it is what terminals, diffs and email see.
 */
export function displayBundle(bundle: MimeBundle, options: DisplayOptions = {}): boolean {
  const data = encodeBundle(bundle);
  const write = kernelWriter();
  if (write) {
    const transient = options.displayId === undefined ? {} : { display_id: options.displayId };
    // Every output records the model that made it (see stamp.ts).
    write({ data, metadata: { ...options.metadata, tlbrace: modelStamp() }, transient }, options.update === true);
    return true;
  }
  const tslab = tslabGlobal();
  const mime = singlePreference.find((m) => typeof data[m] === "string");
  if (!tslab || mime === undefined) return false;
  tslab.require("tslab").display.raw(mime, data[mime] as string);
  return true;
}

let displayCount = 0;

/** A fresh id for `DisplayOptions.displayId` (e.g. a progress line). */
export function newDisplayId(): string {
  displayCount += 1;
  return `tlbrace-${process.pid}-${displayCount}`;
}

// Hook into tslab as the library loads, so that the next cell is watched
// (sessions, interrupts) even if nothing has been displayed yet.
tslabJupyter();
