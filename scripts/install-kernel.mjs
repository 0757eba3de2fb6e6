// Registers the "tlbrace" Jupyter kernelspec for the current user.
//
// The kernel is this checkout's own tslab, started through
// dist/notebook/launch.js by the node running this script, both by absolute
// path: a tslab or node elsewhere on PATH, or in a notebook's parent
// folders, never stands in for them. Notebooks in any folder import this
// checkout's library as "tlbrace" (launch.js says how).
//
// Usage: node scripts/install-kernel.mjs [--print]
//   --print  write kernel.json to stdout instead of installing it.
// JUPYTER selects the jupyter command (default: Debian's /usr/bin/jupyter).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const KERNEL_NAME = "tlbrace";

const repo = dirname(dirname(fileURLToPath(import.meta.url)));

function fail(message) {
  console.error(`install-kernel: ${message}`);
  process.exit(1);
}

/** The kernelspec for the checkout at `root`. */
export function kernelSpec(root = repo) {
  return {
    argv: [
      process.execPath,
      join(root, "dist", "notebook", "launch.js"),
      "--config-path",
      "{connection_file}",
    ],
    display_name: "TypeScript (tlbrace)",
    language: "typescript",
    metadata: { tlbrace_repo: root },
  };
}

function checkCheckout() {
  if (!existsSync(join(repo, "node_modules", "tslab", "bin", "tslab"))) {
    fail("node_modules/tslab is missing; run `npm ci` first");
  }
  const link = join(repo, "node_modules", "tlbrace");
  if (!existsSync(link) || realpathSync(link) !== realpathSync(repo)) {
    fail("node_modules/tlbrace does not point at this checkout; run `npm ci` first");
  }
  if (!existsSync(join(repo, "dist", "notebook", "launch.js"))) {
    fail("dist/ is missing; run `npm run build` first");
  }
}

function jupyterCommand() {
  if (process.env.JUPYTER) return process.env.JUPYTER;
  return existsSync("/usr/bin/jupyter") ? "/usr/bin/jupyter" : "jupyter";
}

function install() {
  checkCheckout();
  const dir = mkdtempSync(join(tmpdir(), "tlbrace-kernel-"));
  try {
    writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2) + "\n");
    const res = spawnSync(
      jupyterCommand(),
      ["kernelspec", "install", "--user", "--replace", "--name", KERNEL_NAME, dir],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    if (res.error) throw new Error(`cannot run jupyter: ${res.error.message}`);
    // jupyter reports "Installed kernelspec ... in <dir>" on stderr.
    const report = `${res.stdout}${res.stderr}`.trim();
    if (res.status !== 0) throw new Error(`jupyter kernelspec install failed:\n${report}`);
    return report.split("\n").pop().replace(/^\[InstallKernelSpec\] /, "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--print")) {
    console.log(JSON.stringify(kernelSpec(), null, 2));
  } else {
    try {
      console.log(install());
    } catch (err) {
      fail(err.message);
    }
  }
}
