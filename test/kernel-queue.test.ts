/**
 * This checkout's kernel (a private kernelspec, so the test runs the code it
 * checks): a cell sent at once after a failed or interrupted one runs
 * (tslab alone drops requests for 200 ms after an error), and interrupting
 * plain user code prints one line.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const PYTHON = process.env.TLBRACE_PYTHON ?? "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./kernel_cells.py", import.meta.url));
const LAUNCH = fileURLToPath(new URL("../dist/notebook/launch.js", import.meta.url));

const dir = mkdtempSync(join(tmpdir(), "tlbrace-queue-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("cells sent right after an error or an interrupt run; an interrupt is one line", () => {
  const spec = join(dir, "jupyter", "kernels", "tlbrace");
  mkdirSync(spec, { recursive: true });
  writeFileSync(join(spec, "kernel.json"), JSON.stringify({
    argv: [process.execPath, LAUNCH, "--config-path", "{connection_file}"], display_name: "TypeScript (tlbrace)", language: "typescript",
  }));
  const cwd = join(dir, "nb");
  mkdirSync(cwd);
  const cells = [
    { code: `throw new Error("boom")` },
    { code: `console.log("after the error")`, now: true },
    { code: `await new Promise((r) => setTimeout(r, 120000));`, interruptAfter: 3 },
    { code: `console.log("after the interrupt")`, now: true },
  ];
  const r = spawnSync(PYTHON, [SCRIPT, cwd], { input: JSON.stringify(cells), encoding: "utf8", timeout: 240_000,
    env: { ...process.env, JUPYTER_PATH: join(dir, "jupyter") } });
  assert.equal(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout.trim().split("\n").pop()!) as { status: string; outputs: [string, string][] }[];
  assert.deepEqual(results.map((c) => c.status), ["error", "ok", "error", "ok"]);
  assert.deepEqual(results[1]!.outputs, [["stdout", "after the error\n"]]);
  assert.deepEqual(results[3]!.outputs, [["stdout", "after the interrupt\n"]]);
  const interrupted = results[2]!.outputs.map(([, t]) => t).join("");
  assert.equal(interrupted.trim().split("\n").length, 1, interrupted);
  assert.match(interrupted, /^Interrupted/);
});
