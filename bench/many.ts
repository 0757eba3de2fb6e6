/**
 * Part 8: many vCPUs (MODEL.md, "Many vCPUs"). The Monte Carlo engine of
 * many vCPUs on the seed with 1 walker and with 64 walkers, alternating
 * rounds in one thread: the per-episode rate at 64 against the rate at 1
 * (linear cost would be 1/64). Then the exact solver by symmetry: 64
 * walkers without preemption, and walkers 2..8 with the seed's preemption,
 * where the classes of vCPUs grow the chain polynomially.
 */
import { buildManyChain } from "../dist/engines/exact/many.js";
import { solveChain } from "../dist/engines/exact/solve.js";
import { manyEpisodeRunner } from "../dist/engines/montecarlo/many.js";
import { resolveParams } from "../dist/model/params.js";
import { manyModelOf } from "../dist/model/protocol.js";
import { defineScenario } from "../dist/model/scenario.js";
import { streamState, uniformFrom } from "../dist/random/stream.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function rate(walkers: number, episodes: number): number {
  const p = resolveParams({ cpus: walkers + 1, walkers }, defineScenario("seed").params);
  const runner = manyEpisodeRunner(manyModelOf(p), p, uniformFrom(streamState(1, 0, walkers)));
  const out = { race: false, corrupt: false, torn: false, unmapLatencyUs: 0, freeDelayUs: 0, ipis: 0, waitUs: 0 };
  const t0 = performance.now();
  for (let i = 0; i < episodes; i++) runner.run(out);
  return (episodes / (performance.now() - t0)) * 1000;
}

function exactTime(walkers: number, overrides: Record<string, unknown>) {
  const p = resolveParams({ cpus: walkers + 1, walkers, ...overrides }, defineScenario("seed").params);
  const t0 = performance.now();
  const chain = buildManyChain(p);
  solveChain(chain);
  return { walkers, states: chain.transient.length + chain.absorbing.length, seconds: (performance.now() - t0) / 1000 };
}

export function manyCpus(rounds: number) {
  rate(1, 20_000); rate(64, 500); // warm up
  const one: number[] = [], many: number[] = [];
  for (let k = 0; k < rounds; k++) { one.push(rate(1, 100_000)); many.push(rate(64, 2_000)); }
  const r1 = median(one), r64 = median(many);
  const ratio = r64 / r1;
  console.log(`8. many vCPUs (one thread): seed, 1 walker ${(r1 / 1e3).toFixed(1)} k episodes/s, 64 walkers ${(r64 / 1e3).toFixed(2)} k episodes/s: ` +
    `ratio ${ratio.toFixed(4)} (linear: ${(1 / 64).toFixed(4)}; ${(ratio * 64).toFixed(2)} x linear)`);
  const noPreemption = exactTime(64, { preemptRate: 0 });
  console.log(`   exact by symmetry, 64 walkers, preemptRate 0: ${noPreemption.states} states in ${noPreemption.seconds.toFixed(3)} s`);
  const withPreemption = [2, 4, 8].map((w) => exactTime(w, {}));
  for (const x of withPreemption) console.log(`   exact by symmetry, ${x.walkers} walkers, preemptRate 0.1: ${x.states} states in ${x.seconds.toFixed(3)} s`);
  return { oneWalkerEpisodesPerSec: Math.round(r1), walkers64EpisodesPerSec: Math.round(r64), ratio: Number(ratio.toPrecision(3)), timesLinear: Number((ratio * 64).toPrecision(3)),
    exact64NoPreemption: noPreemption, exactWithPreemption: withPreemption };
}
