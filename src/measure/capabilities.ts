/**
 * What this machine and this user can measure with: root, tracefs, bpftrace,
 * kprobes, a C compiler for the load helper. Each is checked, not assumed;
 * a missing one is named with what it costs, so the profile can say why a
 * parameter was not measured.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface Capability {
  readonly ok: boolean;
  /** What was found, or why it is missing. */
  readonly detail: string;
}

export interface Capabilities {
  readonly root: Capability;
  readonly tracefs: Capability;
  readonly bpftrace: Capability & { readonly path?: string };
  readonly kprobes: Capability;
  readonly compiler: Capability & { readonly path?: string };
}

export const TRACEFS = "/sys/kernel/tracing";

/** The first executable `name` on PATH. */
export function onPath(name: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch { /* not here */ }
  }
  return undefined;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** tracefs, mounted by us when it is not and bpftrace will use it (as root). */
function tracefs(root: boolean, tracing: boolean): Capability {
  if (existsSync(join(TRACEFS, "events"))) return { ok: true, detail: `mounted at ${TRACEFS}` };
  if (!root) return { ok: false, detail: `${TRACEFS}/events is not readable: tracefs needs root (and may not be mounted)` };
  if (!tracing) return { ok: false, detail: `tracefs is not mounted at ${TRACEFS}; left so, as nothing would trace` };
  const r = spawnSync("mount", ["-t", "tracefs", "nodev", TRACEFS], { encoding: "utf8" });
  if (r.status === 0 && existsSync(join(TRACEFS, "events")))
    return { ok: true, detail: `was not mounted; tlbrace mounted it (mount -t tracefs nodev ${TRACEFS})` };
  return { ok: false, detail: `tracefs is not mounted at ${TRACEFS} and mounting it failed: ${(r.stderr || r.error?.message || "").trim()}` };
}

function bpftrace(root: boolean): Capability & { path?: string } {
  const path = onPath("bpftrace");
  if (!path) return { ok: false, detail: "bpftrace is not on PATH (Debian: apt-get install bpftrace)" };
  const v = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 10_000 });
  const version = (v.stdout || "").trim() || "version unknown";
  if (!root) return { ok: false, path, detail: `${path} (${version}) is there, but tracing needs root` };
  return { ok: true, path, detail: `${path} (${version})` };
}

function kprobes(tracefsOk: boolean, config: boolean | undefined): Capability {
  if (config === false) return { ok: false, detail: "this kernel was built without kprobes (CONFIG_KPROBES is not set)" };
  if (!tracefsOk) return { ok: false, detail: "unknown: tracefs is not readable to look for kprobe_events" };
  if (existsSync(join(TRACEFS, "kprobe_events"))) return { ok: true, detail: `${TRACEFS}/kprobe_events exists` };
  return { ok: false, detail: `no ${TRACEFS}/kprobe_events: this kernel was built without kprobes (CONFIG_KPROBES)` };
}

function compiler(): Capability & { path?: string } {
  const path = onPath("cc") ?? onPath("gcc");
  if (!path) return { ok: false, detail: "no C compiler (cc or gcc) on PATH to build the load and timing helper" };
  return { ok: true, path, detail: path };
}

/** `kprobesBuilt`: CONFIG_KPROBES from the kernel's configuration, undefined when it is not readable. */
export function capabilities(kprobesBuilt?: boolean): Capabilities {
  const root = isRoot();
  const bt = bpftrace(root);
  const fs = tracefs(root, bt.ok);
  return {
    root: { ok: root, detail: root ? "running as root" : `running as uid ${process.getuid?.() ?? "?"}, not root` },
    tracefs: fs,
    bpftrace: fs.ok || !bt.ok ? bt : { ok: false, path: bt.path, detail: `${bt.detail}, but tracefs is missing` },
    kprobes: kprobes(fs.ok, kprobesBuilt),
    compiler: compiler(),
  };
}
