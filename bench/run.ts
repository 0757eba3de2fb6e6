/**
 * `npm run bench`: every figure is a ratio or a speed-up between programs
 * run by this one command on this machine, never a time checked against a
 * constant. Writes bench/results.json.
 *
 *   1. the Monte Carlo engine (compiled, and the interpreter it replaced)
 *      against a hand-fused loop of the seed scenario, alternating rounds in
 *      one process;
 *   2. against SimPy 2 (Debian's python3-simpy) running the same scenario;
 *   3. a 21 x 21 x 1e5 sweep on 1 and on 2 workers, and notebook 01's
 *      21 x 21 x 1e4 sweep;
 *   4. the exact solver on the seed scenario and on a rare race near 1e-12,
 *      against the Monte Carlo episodes the same time buys;
 *   5. the exhaustive explorer: states per second, and the time to explore
 *      the seed with 2 preemptions;
 *   6. the rare-event estimator against plain Monte Carlo (./rare.ts);
 *   7. a 21 x 21 rare-event sweep, proposals shared against every cell from scratch (./rare-sweep.ts);
 *   8. many vCPUs: Monte Carlo at 64 walkers against 1, the exact solver by symmetry (./many.ts).
 *
 * BENCH_EPISODES, BENCH_SIMPY_EPISODES and BENCH_SWEEP_EPISODES scale them.
 * The programs measured are the built ones (dist/, which `npm run bench`
 * builds first): what the CLI and notebooks run, worker threads included.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { grid, logRange, range } from "../dist/analysis/grid.js";
import { runSweep } from "../dist/analysis/sweep.js";
import { simulate } from "../dist/engines/montecarlo/run.js";
import { mean } from "../dist/model/distribution.js";
import { defineScenario, withParams } from "../dist/model/scenario.js";
import { solveExact } from "../dist/engines/exact/index.js";
import { explore } from "../dist/engines/explore/index.js";
import { stream } from "../dist/random/stream.js";
import { type FusedTally, fusedSeed } from "./fused-seed.js";
import { rareVsPlain } from "./rare.js";
import { rareSweep } from "./rare-sweep.js";
import { manyCpus } from "./many.js";

const EPISODES = Number(process.env.BENCH_EPISODES ?? 1_000_000);
const SIMPY_EPISODES = Number(process.env.BENCH_SIMPY_EPISODES ?? 200_000);
const SWEEP_EPISODES = Number(process.env.BENCH_SWEEP_EPISODES ?? 100_000);
const ROUNDS = 5;
const seed = defineScenario("seed");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const perSec = (n: number, ms: number) => (n / ms) * 1000;
const m = (x: number) => `${(x / 1e6).toFixed(3)} M episodes/s`;

// 1. Engine against the hand-fused loop (one thread each: a like-for-like loop).
async function engineVsFused() {
  const engine: number[] = [], interpreter: number[] = [], fused: number[] = [];
  let res: Awaited<ReturnType<typeof simulate>> | undefined;
  const f: FusedTally = { episodes: 0, races: 0, freeDelaySum: 0, unmapLatencySum: 0, ipis: 0 };
  // Warm up: each program reaches its optimised steady state (V8 tiers it up as paths are seen) before it is timed.
  for (let w = 0; w < 3; w++) {
    await simulate(seed, { episodes: 1_000_000, seed: 100 + w }, 0, { workers: 1 });
    await simulate(seed, { episodes: 200_000, seed: 100 + w }, 0, { workers: 1, engine: "interpret" });
    fusedSeed(seed.params, stream(100 + w, 0, 0), 1_000_000, { ...f });
  }
  for (let r = 1; r <= ROUNDS; r++) {
    let t0 = performance.now();
    res = await simulate(seed, { episodes: EPISODES, seed: r }, 0, { workers: 1 });
    engine.push(perSec(EPISODES, performance.now() - t0));
    t0 = performance.now();
    const again = await simulate(seed, { episodes: EPISODES, seed: r }, 0, { workers: 1, engine: "interpret" });
    interpreter.push(perSec(EPISODES, performance.now() - t0));
    if (JSON.stringify(again) !== JSON.stringify(res)) throw new Error("the interpreter's numbers differ from the compiled engine's");
    const tally: FusedTally = { episodes: 0, races: 0, freeDelaySum: 0, unmapLatencySum: 0, ipis: 0 };
    t0 = performance.now();
    fusedSeed(seed.params, stream(r, 0, 0), EPISODES, tally);
    fused.push(perSec(EPISODES, performance.now() - t0));
    Object.assign(f, tally);
  }
  const e = median(engine), i = median(interpreter), h = median(fused);
  console.log(`1. monte carlo vs hand-fused loop, seed, ${EPISODES} episodes x ${ROUNDS} rounds, 1 thread (median)`);
  console.log(`   compiled engine ${m(e)}, interpreter ${m(i)} (same numbers), hand-fused ${m(h)}: ratio ${(e / h).toFixed(4)} ` +
    `(interpreter ${(i / h).toFixed(4)}; compiled / interpreter ${(e / i).toFixed(2)})`);
  console.log(`   same numbers? mean free delay ${res!.costs.freeDelayUs.mean.toFixed(1)} vs ${(f.freeDelaySum / f.episodes).toFixed(1)} us, ` +
    `IPIs ${res!.costs.ipis.mean.toFixed(4)} vs ${(f.ipis / f.episodes).toFixed(4)}, races ${res!.races} vs ${f.races}`);
  return {
    episodes: EPISODES, rounds: ROUNDS, engineEpisodesPerSec: Math.round(e), interpreterEpisodesPerSec: Math.round(i),
    fusedEpisodesPerSec: Math.round(h), ratio: Number((e / h).toFixed(4)), interpreterRatio: Number((i / h).toFixed(4)),
    check: { engineFreeDelayMeanUs: res!.costs.freeDelayUs.mean, fusedFreeDelayMeanUs: f.freeDelaySum / f.episodes,
      engineIpisMean: res!.costs.ipis.mean, fusedIpisMean: f.ipis / f.episodes, engineRaces: res!.races, fusedRaces: f.races },
  };
}

// 2. Engine against SimPy 2 on the same scenario.
async function engineVsSimpy() {
  const p = seed.params;
  const params = { preemptRate: p.preemptRate, preemptUs: mean(p.preemptUs), walkUs: mean(p.walkUs), flushUs: mean(p.flushUs),
    ipiUs: mean(p.ipiUs), memoryPressure: p.memoryPressure, gracePeriodUs: mean(p.gracePeriodUs) };
  const py = spawnSync("/usr/bin/python3", [new URL("./simpy_seed.py", import.meta.url).pathname, JSON.stringify(params), String(SIMPY_EPISODES), "1"], { encoding: "utf8" });
  if (py.status !== 0) {
    console.log(`2. simpy: skipped (${py.stderr.trim().split("\n").pop() ?? "no python3"}; apt-get install python3-simpy)`);
    return { skipped: py.stderr.trim().split("\n").pop() };
  }
  const s = JSON.parse(py.stdout) as { episodes: number; seconds: number; races: number; freeDelayMeanUs: number; ipisMean: number };
  const t0 = performance.now();
  const r = await simulate(seed, { episodes: SIMPY_EPISODES, seed: 1 }, 0, { workers: 1 });
  const e = perSec(SIMPY_EPISODES, performance.now() - t0), sp = s.episodes / s.seconds;
  console.log(`2. monte carlo vs SimPy 2 (python3-simpy), seed, ${SIMPY_EPISODES} episodes, 1 thread each`);
  console.log(`   engine ${m(e)}, SimPy ${m(sp)}: engine is ${(e / sp).toFixed(1)}x faster`);
  console.log(`   same numbers? mean free delay ${r.costs.freeDelayUs.mean.toFixed(0)} vs ${s.freeDelayMeanUs.toFixed(0)} us, ` +
    `IPIs ${r.costs.ipis.mean.toFixed(4)} vs ${s.ipisMean.toFixed(4)}, races ${r.races} vs ${s.races}`);
  return { episodes: SIMPY_EPISODES, engineEpisodesPerSec: Math.round(e), simpyEpisodesPerSec: Math.round(sp), speedup: Number((e / sp).toFixed(2)),
    check: { engineFreeDelayMeanUs: r.costs.freeDelayUs.mean, simpyFreeDelayMeanUs: s.freeDelayMeanUs, engineIpisMean: r.costs.ipis.mean, simpyIpisMean: s.ipisMean } };
}

// 3. A 21 x 21 sweep on 1 and 2 workers.
async function sweepScaling() {
  const g = grid(seed, { memoryPressure: range(0, 1, 21), preemptRate: logRange(0.01, 100, 21) });
  const times: Record<number, number> = {};
  let first: unknown;
  // Warm up both: the program optimised in this thread, and the two workers started (they are kept between sweeps).
  for (const workers of [1, 2]) await runSweep(g, { episodes: 20_000, seed: 2 }, { workers });
  for (const workers of [1, 2]) {
    const t0 = performance.now();
    const r = await runSweep(g, { episodes: SWEEP_EPISODES, seed: 1 }, { workers });
    times[workers] = (performance.now() - t0) / 1000;
    if (first === undefined) first = r.rows;
    else if (JSON.stringify(first) !== JSON.stringify(r.rows)) throw new Error("the 2-worker sweep differs from the 1-worker sweep");
  }
  const cells = 441, total = cells * SWEEP_EPISODES;
  console.log(`3. sweep 21 x 21 x ${SWEEP_EPISODES} episodes (${(total / 1e6).toFixed(1)} M), seed scenario`);
  console.log(`   1 worker ${times[1]!.toFixed(1)} s, 2 workers ${times[2]!.toFixed(1)} s: speed-up ${(times[1]! / times[2]!).toFixed(2)} (identical rows)`);
  // Notebook 01's sweep, as a notebook runs it: the default workers, kept from one sweep to the next.
  const notebook: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await runSweep(g, { episodes: 10_000, seed: 1 }, {});
    notebook.push((performance.now() - t0) / 1000);
  }
  console.log(`   notebook 01's sweep, 21 x 21 x 10000 on ${availableParallelism()} workers: ${notebook.map((x) => x.toFixed(2)).join(", ")} s ` +
    `(the first starts the workers)`);
  return { cells, episodesPerCell: SWEEP_EPISODES, seconds1: Number(times[1]!.toFixed(2)), seconds2: Number(times[2]!.toFixed(2)),
    speedup: Number((times[1]! / times[2]!).toFixed(3)), notebookSweepSeconds: notebook.map((x) => Number(x.toFixed(3))) };
}

const days = (sec: number) => (sec < 2 * 86400 ? `${(sec / 3600).toPrecision(2)} hours` : `${Math.round(sec / 86400)} days`);

// 4. The exact solver: time per solve, as a number of Monte Carlo episodes of the same scenario.
async function exactSolves() {
  const rare = withParams(seed, { tableFree: "rcu-skip-sync", memoryPressure: 1e-6, preemptRate: 3.3e-7 }, "seed-skip-sync-rare");
  const mcEpisodes = 200_000;
  let t0 = performance.now();
  await simulate(seed, { episodes: mcEpisodes, seed: 1 }, 0, { workers: 1 });
  const mcPerSec = perSec(mcEpisodes, performance.now() - t0);
  console.log(`4. exact solver (one thread); Monte Carlo runs the seed at ${m(mcPerSec)}`);
  const out: Record<string, unknown> = { monteCarloEpisodesPerSec: Math.round(mcPerSec) };
  for (let i = 0; i < 1000; i++) solveExact(i % 2 ? seed : rare); // warm up both before timing either
  for (const s of [seed, rare]) {
    const rounds: number[] = [];
    let r = solveExact(s);
    for (let k = 0; k < ROUNDS; k++) {
      t0 = performance.now();
      for (let i = 0; i < 300; i++) r = solveExact(s);
      rounds.push((performance.now() - t0) / 300 / 1000);
    }
    const sec = median(rounds), episodes = sec * mcPerSec;
    // Episodes for the interval's upper end (3.7/n with no race seen) to come down to pRace.
    const needed = r.pRace > 0 ? 3.69 / r.pRace : 0;
    console.log(`   ${s.name}: pRace ${r.pRace.toExponential(3)}, ${r.states} states, ${(sec * 1e3).toFixed(3)} ms per solve ` +
      `= the time of ${Math.round(episodes)} Monte Carlo episodes` +
      (needed ? `; Monte Carlo needs ${needed.toExponential(1)} episodes to reach it (${days(needed / mcPerSec)} on one thread)` : ""));
    out[s.name] = { pRace: r.pRace, states: r.states, residual: r.residual, secondsPerSolve: sec, monteCarloEpisodesSameTime: Math.round(episodes),
      ...(needed ? { monteCarloEpisodesToReach: needed, ratio: Number((needed / episodes).toPrecision(3)) } : {}) };
  }
  return out;
}

// 5. The explorer: the seed at the default bound, and a bound large enough to time the search itself.
function explorerSpeed() {
  const timed = (s: typeof seed, maxPreemptions: number, rounds: number) => {
    explore(s, { maxPreemptions }); // warm up
    const secs: number[] = [];
    let r = explore(s, { maxPreemptions });
    for (let k = 0; k < rounds; k++) {
      const t0 = performance.now();
      r = explore(s, { maxPreemptions });
      secs.push((performance.now() - t0) / 1000);
    }
    const sec = median(secs);
    return { scenario: s.name, maxPreemptions, states: r.states, transitions: r.transitions, seconds: sec, statesPerSec: Math.round(r.states / sec) };
  };
  const small = timed(seed, 2, 21);
  const large = timed(defineScenario("torn-pte"), 100, 5);
  console.log(`5. explorer (one thread): seed with 2 preemptions: ${small.states} states, ${small.transitions} transitions ` +
    `in ${(small.seconds * 1e3).toFixed(1)} ms (median of 21), ${(small.statesPerSec / 1e3).toFixed(0)} k states/s`);
  console.log(`   torn-pte with 100 preemptions: ${large.states} states in ${large.seconds.toFixed(2)} s, ` +
    `${(large.statesPerSec / 1e3).toFixed(0)} k states/s`);
  return { seed: small, large };
}

/**
 * `npm run bench` runs every part; `npm run bench -- 1 5` runs parts 1 and 5
 * only and updates their entries in results.json, each entry with its date.
 */
const PARTS: readonly [string, () => Promise<unknown> | unknown][] = [
  ["engineVsFused", engineVsFused], ["engineVsSimpy", engineVsSimpy], ["sweep", sweepScaling], ["exact", exactSolves],
  ["explore", explorerSpeed], ["rare", () => rareVsPlain(2)], ["rareSweep", () => rareSweep(2)],
  ["many", () => manyCpus(ROUNDS)],
];
const chosen = process.argv.slice(2).map(Number);
for (const n of chosen) if (!(Number.isInteger(n) && n >= 1 && n <= PARTS.length)) throw new Error(`bench: part ${n}: expected 1 to ${PARTS.length}`);
const file = new URL("./results.json", import.meta.url);
const date = new Date().toISOString().slice(0, 10);
const machine = `${availableParallelism()} x ${cpus()[0]?.model ?? "?"}, Node ${process.version}`;
const results: Record<string, unknown> = chosen.length ? JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown> : { date, machine };
for (const [i, [key, part]] of PARTS.entries()) {
  if (chosen.length && !chosen.includes(i + 1)) continue;
  const value = await part();
  results[key] = chosen.length ? { ...(value as object), date, machine } : value;
}
writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
