/**
 * Writes walk-times.csv: synthetic GUP-fast walk times, not measurements.
 *
 *   node --import tsx data/examples/make-walk-times.ts > data/examples/walk-times.csv
 *
 * A walk pins `pages` pages, 1, 2, 4, ... 64 with equal chance (a futex is
 * one page, a direct I/O of 256 KB is 64), at a per-page cost drawn from a
 * log-normal law with median 0.8 µs and sigma 0.3: between the 0.54 and
 * 1.1 µs per one-page call of the public gup_test results quoted in
 * data/defaults.md, one draw per page. walkUs is the sum, to 3 decimals. The
 * random stream is the project's own (seed 2022, key 6), so the file is the
 * same every time the script runs.
 */
import { sampler } from "../../src/random/sample.js";
import { stream } from "../../src/random/stream.js";

const ROWS = 500;
const u = stream(2022, 6);
const cost = sampler({ kind: "lognormal", median: 0.8, sigma: 0.3 }, u);
const lines = ["pages,walkUs"];
for (let i = 0; i < ROWS; i++) {
  const pages = 2 ** Math.floor(u() * 7);
  let us = 0;
  for (let k = 0; k < pages; k++) us += cost();
  lines.push(`${pages},${us.toFixed(3)}`);
}
process.stdout.write(lines.join("\n") + "\n");
