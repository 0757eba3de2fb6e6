/**
 * Samplers as JavaScript statements, one per distribution kind, drawing
 * exactly what src/random/sample.ts draws through d3-random: the same
 * uniforms, in the same order, with the same arithmetic, so the compiled
 * engine's numbers are the interpreter's bit for bit. Numbers that depend on
 * the parameters are not in the source: they are slots of a constants array,
 * so one compiled program serves every cell of a sweep whose delays are of
 * the same kinds.
 */
import { type Distribution, mean } from "../../../model/distribution.js";

/**
 * One uniform into `u`: xoroshiro128+ stepped twice (pure-rand's
 * XoroShiro128Plus.next) and combined as pure-rand's uniformFloat64 does.
 * The generator's words are locals of the program, so nothing is boxed.
 */
export const UNIFORM =
  "h = (s00 + s10) & 67108863; a0 = s10 ^ s00; a1 = s11 ^ s01; t0 = s00; " +
  "s00 = (t0 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16); s01 = (s01 << 24) ^ (t0 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16)); " +
  "s10 = (a1 << 5) ^ (a0 >>> 27); s11 = (a0 << 5) ^ (a1 >>> 27); " +
  "l = (s00 + s10) & 134217727; a0 = s10 ^ s00; a1 = s11 ^ s01; t0 = s00; " +
  "s00 = (t0 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16); s01 = (s01 << 24) ^ (t0 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16)); " +
  "s10 = (a1 << 5) ^ (a0 >>> 27); s11 = (a0 << 5) ^ (a1 >>> 27); " +
  "u = h * 1.4901161193847656e-8 + l * 1.1102230246251565e-16;";

/** The parts of a sampler in the program. */
export interface SamplerCode {
  /** Locals it keeps across draws within a block (d3's normal sampler keeps a spare value per instance). */
  readonly locals: readonly string[];
  /** Statements that draw one value into `target`. */
  readonly draw: (target: string) => string;
}

/** The program's constants: numbers in one array, sample arrays in another, filled per parameter set. */
export class Constants {
  readonly numbers: number[] = [];
  readonly arrays: Float64Array[] = [];
  /** The source that declares them, at the program's top. */
  readonly decls: string[] = [];

  number(name: string, value: number): string {
    this.decls.push(`const ${name} = K[${this.numbers.length}];`);
    this.numbers.push(value);
    return name;
  }

  array(name: string, value: readonly number[]): string {
    this.decls.push(`const ${name} = A[${this.arrays.length}];`);
    this.arrays.push(Float64Array.from(value));
    return name;
  }
}

const stateless = (draw: (target: string) => string): SamplerCode => ({ locals: [], draw });

/** d3-random's randomNormal (Marsaglia's polar method, keeping the spare value and r per instance), then exp. */
function logNormal(id: string, mu: string, sigma: string): SamplerCode {
  const x = `${id}x`, r = `${id}r`;
  return {
    locals: [`${x} = NaN`, `${r} = 0`],
    draw: (target) =>
      `if (${x} === ${x}) { y = ${x}; ${x} = NaN; } ` +
      `else do { ${UNIFORM} ${x} = u * 2 - 1; ${UNIFORM} y = u * 2 - 1; ${r} = ${x} * ${x} + y * y; } while (!${r} || ${r} > 1); ` +
      `${target} = Math.exp(${mu} + ${sigma} * y * Math.sqrt(-2 * Math.log(${r}) / ${r}));`,
  };
}

/** sample.ts `sampler`. */
function plainSampler(id: string, d: Distribution, k: Constants): SamplerCode {
  switch (d.kind) {
    case "fixed": {
      const v = k.number(`${id}v`, d.value);
      return stateless((target) => `${target} = ${v};`);
    }
    case "exponential": {
      const lam = k.number(`${id}lam`, 1 / d.mean);
      return stateless((target) => `${UNIFORM} ${target} = -Math.log1p(-u) / ${lam};`);
    }
    case "uniform": {
      const span = k.number(`${id}span`, d.max - d.min), min = k.number(`${id}min`, d.min);
      return stateless((target) => `${UNIFORM} ${target} = u * ${span} + ${min};`);
    }
    case "lognormal": return logNormal(id, k.number(`${id}mu`, Math.log(d.median)), k.number(`${id}sigma`, d.sigma));
    case "empirical": {
      const xs = k.array(`${id}xs`, d.samples), n = k.number(`${id}n`, d.samples.length);
      return stateless((target) => `${UNIFORM} ${target} = ${xs}[Math.floor(u * ${n})];`);
    }
  }
}

/** sample.ts `sizeBiasedSampler`, for the kinds whose equilibrium law needs it. */
function sizeBiased(id: string, d: Distribution, k: Constants): SamplerCode {
  switch (d.kind) {
    case "fixed": return plainSampler(id, d, k);
    case "uniform": {
      const a2 = k.number(`${id}a2`, d.min * d.min), span = k.number(`${id}span`, d.max * d.max - d.min * d.min);
      return stateless((target) => `${UNIFORM} ${target} = Math.sqrt(${a2} + u * ${span});`);
    }
    case "lognormal":
      return logNormal(id, k.number(`${id}mu`, Math.log(d.median) + d.sigma * d.sigma), k.number(`${id}sigma`, d.sigma));
    case "empirical": {
      const cum: number[] = [];
      let total = 0;
      for (const x of d.samples) cum.push((total += x));
      const xs = k.array(`${id}xs`, d.samples), c = k.array(`${id}cum`, cum), tot = k.number(`${id}total`, total);
      return stateless((target) =>
        `${UNIFORM} v = u * ${tot}; lo = 0; hi = ${c}.length - 1; ` +
        `while (lo < hi) { mid = (lo + hi) >> 1; if (${c}[mid] > v) hi = mid; else lo = mid + 1; } ` +
        `${target} = ${xs}[lo];`);
    }
    case "exponential": throw new Error("compile: the exponential's equilibrium law is its own");
  }
}

/** sample.ts `equilibriumSampler`: a uniform point of a size-biased draw (the uniform drawn first). */
function equilibriumSampler(id: string, d: Distribution, k: Constants): SamplerCode {
  if (d.kind === "exponential") return plainSampler(id, d, k);
  if (mean(d) === 0) return stateless((target) => `${target} = 0;`);
  const biased = sizeBiased(`${id}b`, d, k);
  return { locals: biased.locals, draw: (target) => `${UNIFORM} w = u; ${biased.draw("b")} ${target} = w * b;` };
}

/** The host's Poisson preemptions: an exponential clock at `perMs` per ms, or never. */
function rateSampler(id: string, perMs: number, k: Constants): SamplerCode {
  const perUs = perMs / 1000;
  return perUs > 0 ? plainSampler(id, { kind: "exponential", mean: 1 / perUs }, k) : stateless((target) => `${target} = Infinity;`);
}

/**
 * How a program draws: its uniforms and its samplers. `site` names the place
 * of a draw in the model (the unmap instant's coin, a step's clock, a
 * branch); plain draws ignore it, tilted ones (./tilted.ts) draw each site
 * from its own proposal.
 */
export interface Draws {
  readonly kind: "plain" | "tilted";
  /** Statements that set `u` to one uniform (and, tilted, `v` to 1 - u). */
  uniform(site: string): string;
  clock(id: string, d: Distribution, site: string): SamplerCode;
  rate(id: string, perMs: number, site: string): SamplerCode;
  equilibrium(id: string, d: Distribution, site: string): SamplerCode;
}

/** The interpreter's draws, bit for bit. */
export function plainDraws(k: Constants): Draws {
  return {
    kind: "plain",
    uniform: () => UNIFORM,
    clock: (id, d) => plainSampler(id, d, k),
    rate: (id, perMs) => rateSampler(id, perMs, k),
    equilibrium: (id, d) => equilibriumSampler(id, d, k),
  };
}
