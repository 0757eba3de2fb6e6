/**
 * The range the engines can run, decided before any work: every delay's
 * one-in-a-billion value is a finite time of at most MAX_TIME_US (costs stay
 * finite when summed over a run), and preemptions come slowly enough that a
 * walk of that length holds at most MAX_PREEMPTIONS of them (an episode
 * stays far below the engines' MAX_EVENTS). Beyond that a run would stop
 * half-way or print costs it cannot sum.
 */
import { type Distribution, formatDistribution } from "./distribution.js";
import { InputError } from "./errors.js";
import { DELAY_PARAMS, type DelayParam, type Params } from "./params.js";

/** About 2.8 hours: far beyond any delay of the race, and finite when a million of them are summed. */
export const MAX_TIME_US = 1e10;
export const MAX_PREEMPTIONS = 1e5;

/** W's on-CPU work, where preemptions come: the walk and, reading the PTE in halves, the loads and the fault. */
const ON_CPU: readonly DelayParam[] = ["walkUs", "pteLoadGapUs", "faultUs"];

/** A time the delay exceeds with probability at most about 1e-9. */
export function highQuantile(d: Distribution): number {
  switch (d.kind) {
    case "fixed": return d.value;
    case "exponential": return d.mean * Math.log(1e9);
    case "uniform": return d.max;
    case "lognormal": return d.median * Math.exp(6 * d.sigma);
    case "empirical": return d.samples.reduce((a, b) => (b > a ? b : a), 0);
  }
}

const round = (x: number) => Number(x.toPrecision(3));
/** Three digits, never above `x`: an upper bound as printed must hold. */
const roundDown = (x: number) => {
  const unit = 10 ** (Math.floor(Math.log10(x)) - 2);
  return Number((Math.floor(x / unit) * unit).toPrecision(3));
};

/** Throws InputError naming the parameter, its value and the allowed range, unless the engines can run `p`. */
export function checkLimits(p: Params): void {
  for (const name of DELAY_PARAMS) {
    const q = highQuantile(p[name]);
    if (!(q <= MAX_TIME_US))
      throw new InputError(name, formatDistribution(p[name]),
        `a delay whose one-in-a-billion value is at most ${MAX_TIME_US} µs (about 2.8 hours); this one's is ${round(q)} µs`);
  }
  const work = ON_CPU.reduce((sum, name) => sum + highQuantile(p[name]), 0);
  const expected = (p.preemptRate / 1000) * work;
  if (!(expected <= MAX_PREEMPTIONS))
    throw new InputError("preemptRate", p.preemptRate,
      `at most ${roundDown((MAX_PREEMPTIONS * 1000) / work)} per ms with these delays: a walk's longest on-CPU work (${round(work)} µs, one in a billion) may hold at most ${MAX_PREEMPTIONS} preemptions`);
}
