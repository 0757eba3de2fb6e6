/**
 * The tlbrace kernel as a user meets it, through Debian's jupyter_client: a
 * notebook in a folder outside the checkout imports "tlbrace"; a bad input
 * prints one line (field, value, what is allowed) and no stack; an interrupt
 * ends the cell with one line saying how far the run got and what is kept,
 * and the progress display says the same instead of freezing.
 * Needs `bash scripts/setup.sh` (Debian Jupyter, kernelspec, build) first.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

const PYTHON = process.env.TLBRACE_PYTHON ?? "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./kernel_cells.py", import.meta.url));

type Output = [kind: string, text: string, mimes?: string[]];
interface CellResult { status: string; outputs: Output[] }

let dir = "";
let results: CellResult[] = [];

before(() => {
  // A folder with no node_modules anywhere above it.
  dir = mkdtempSync(join(tmpdir(), "tlbrace-elsewhere-"));
  const cells = [
    { code: `import * as tr from "tlbrace";\nconsole.log(tr.scenarios().includes("seed") ? "tlbrace loaded" : "no presets");` },
    { code: `tr.scenario("seed").with({ memoryPressure: 2 });` },
    { code: `await tr.run("seed", { episodes: -5 });` },
    { code: `const r = await tr.run("seed", { episodes: 1e9, workers: 1 });`, interruptAfter: 4 },
    { code: `1 + 1` },
    { code: `tr.markdown("Prose *wraps* between words.").show();` },
  ];
  const r = spawnSync(PYTHON, [SCRIPT, dir], { input: JSON.stringify(cells), encoding: "utf8", timeout: 240_000 });
  assert.equal(r.status, 0, r.stderr);
  results = JSON.parse(r.stdout.trim().split("\n").pop()!) as CellResult[];
});
after(() => rmSync(dir, { recursive: true, force: true }));

const text = (r: CellResult, kind?: string) => r.outputs.filter(([k]) => kind === undefined || k === kind).map(([, t]) => t).join("");

test("a notebook outside the checkout imports tlbrace on the tlbrace kernel", () => {
  assert.equal(results[0]!.status, "ok", text(results[0]!));
  assert.equal(text(results[0]!, "stdout"), "tlbrace loaded\n");
});

test("a bad input prints one line naming the field, the value and what is allowed, without stack frames", () => {
  for (const [cell, line] of [
    [results[1]!, "InputError: memoryPressure: 2 is not allowed; expected a probability from 0 to 1\n"],
    [results[2]!, "InputError: episodes: -5 is not allowed; expected a whole number from 1 to 1e10\n"],
  ] as const) {
    assert.equal(cell.status, "error");
    assert.equal(text(cell), line);
  }
});

test("an interrupt: the progress display and the error say how far the run got and that nothing is kept", () => {
  const cell = results[3]!;
  assert.equal(cell.status, "error");
  const shown = cell.outputs.filter(([k]) => k.endsWith("display_data")).map(([, t]) => t);
  assert.match(shown[0]!, /^run seed: \d+ of 1000000000 episodes \(0%\)$/);
  const last = shown.at(-1)!;
  const at = /^run seed: interrupted at (\d+) of 1000000000 episodes; nothing is kept: running the cell again starts over$/.exec(last);
  assert.ok(at, `the display's last state: ${last}`);
  assert.ok(Number(at[1]) > 0);
  assert.equal(text(cell, "stderr"), `Interrupted: run seed stopped at ${at[1]} of 1000000000 episodes; nothing is kept: running the cell again starts over\n`);
  assert.doesNotMatch(text(cell), /\n\s+at |createExecutor|Interrupted asynchronously/);
  assert.equal(results[4]!.status, "ok", "the kernel goes on");
});

test("tr.markdown shows prose as markdown, with its text for terminals", () => {
  const [kind, plain, mimes] = results[5]!.outputs[0]!;
  assert.equal(kind, "display_data");
  assert.deepEqual(mimes, ["text/html", "text/markdown", "text/plain"], "HTML beside the markdown, for an untrusted notebook");
  assert.equal(plain, "Prose *wraps* between words.");
});
