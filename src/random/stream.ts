/**
 * Seeded, splittable random streams. A stream is named by a seed and a path of
 * integer keys (cell, block): its numbers depend on nothing else, so a block of
 * episodes gets the same numbers on whichever worker, shard or machine runs it.
 * The generator is xoroshiro128+ from pure-rand; its 128-bit state is derived
 * from (seed, keys) with the murmur3 finaliser.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plusFromState } from "pure-rand/generator/xoroshiro128plus";

/** A source of uniform numbers in [0, 1). */
export type Uniform = () => number;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The generator state of stream (seed, ...keys): four 32-bit words, in
 * pure-rand's order (s01, s00, s11, s10). The compiled engine runs the
 * generator from them inline.
 */
export function streamState(seed: number, ...keys: number[]): Int32Array {
  const words = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, ...keys.map((k) => k >>> 0), keys.length];
  let h = 0x9e3779b9;
  for (const w of words) h = fmix32(h ^ fmix32(w + 0x7f4a7c15));
  // An Int32Array, not a list: the compiled engine reads it block after block, always in the same shape.
  const state = Int32Array.from([0, 1, 2, 3], (i) => fmix32(h + Math.imul(i + 1, 0x9e3779b9)) | 0);
  if (!state.some((x) => x !== 0)) state[0] = 1;
  return state;
}

/** The uniform source that starts from generator state `words` (see streamState). */
export function uniformFrom(words: ArrayLike<number>): Uniform {
  const rng = xoroshiro128plusFromState(Array.from(words));
  return () => uniformFloat64(rng);
}

/** The uniform source of stream (seed, ...keys). `seed` is a safe integer >= 0. */
export const stream = (seed: number, ...keys: number[]): Uniform => uniformFrom(streamState(seed, ...keys));
