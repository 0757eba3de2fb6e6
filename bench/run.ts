/**
 * `npm run bench`: the Monte Carlo engine against a hand-fused loop of the
 * same scenario, in one process, alternating so both see the same machine.
 * Prints episodes per second and their ratio, and writes bench/results.json.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { simulate } from "../src/engines/montecarlo/run.js";
import { defineScenario } from "../src/model/scenario.js";
import { stream } from "../src/random/stream.js";
import { type FusedTally, fusedSeed } from "./fused-seed.js";

const EPISODES = Number(process.env.BENCH_EPISODES ?? 1_000_000);
const ROUNDS = 3;
const seed = defineScenario("seed");

async function engineRound(r: number) {
  const t0 = performance.now();
  const res = await simulate(seed, { episodes: EPISODES, seed: r });
  return { ms: performance.now() - t0, res };
}

function fusedRound(r: number) {
  const t: FusedTally = { episodes: 0, races: 0, freeDelaySum: 0, unmapLatencySum: 0, ipis: 0 };
  const t0 = performance.now();
  fusedSeed(seed.params, stream(r, 0, 0), EPISODES, t);
  return { ms: performance.now() - t0, t };
}

const engine: number[] = [], fused: number[] = [];
let last: Awaited<ReturnType<typeof engineRound>> | undefined, lastF: ReturnType<typeof fusedRound> | undefined;
fusedRound(0); // warm up both
await simulate(seed, { episodes: 50_000, seed: 0 });
for (let r = 1; r <= ROUNDS; r++) {
  last = await engineRound(r);
  engine.push(EPISODES / last.ms * 1000);
  lastF = fusedRound(r);
  fused.push(EPISODES / lastF.ms * 1000);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const e = median(engine), f = median(fused);
const result = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? "?"}, Node ${process.version}`,
  scenario: "seed",
  episodes: EPISODES,
  rounds: ROUNDS,
  engineEpisodesPerSec: Math.round(e),
  fusedEpisodesPerSec: Math.round(f),
  ratio: Number((e / f).toFixed(4)),
  check: {
    engineFreeDelayMeanUs: last!.res.costs.freeDelayUs.mean,
    fusedFreeDelayMeanUs: lastF!.t.freeDelaySum / lastF!.t.episodes,
    engineIpisMean: last!.res.costs.ipis.mean,
    fusedIpisMean: lastF!.t.ipis / lastF!.t.episodes,
    engineRaces: last!.res.races,
    fusedRaces: lastF!.t.races,
  },
};
console.log(`monte carlo, seed scenario, ${EPISODES} episodes x ${ROUNDS} rounds (median)`);
console.log(`  engine      ${(e / 1e6).toFixed(3)} M episodes/s`);
console.log(`  hand-fused  ${(f / 1e6).toFixed(3)} M episodes/s`);
console.log(`  ratio       ${result.ratio} (engine / hand-fused)`);
console.log(`  check: mean free delay ${result.check.engineFreeDelayMeanUs.toFixed(1)} vs ${result.check.fusedFreeDelayMeanUs.toFixed(1)} µs, ` +
  `IPIs ${result.check.engineIpisMean.toFixed(4)} vs ${result.check.fusedIpisMean.toFixed(4)}, races ${result.check.engineRaces} vs ${result.check.fusedRaces}`);
writeFileSync(new URL("./results.json", import.meta.url), JSON.stringify(result, null, 2) + "\n");
