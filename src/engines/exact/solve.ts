/**
 * Absorption probabilities and expected accumulated rewards of an absorbing
 * chain, for tiny values as well as large ones. For transient state i and each
 * measure,
 *
 *     Q_i x_i = r_i + sum_j q_ij x_j,        Q_i = sum_j q_ij,
 *
 * with x of an absorbing state its terminal value. The chain is nearly
 * acyclic (only preempt/resume cycles), so its strongly connected components
 * are solved one at a time, sinks first, each by GTH-style state reduction:
 * only additions, multiplications and divisions of non-negative numbers. With
 * no subtraction there is no cancellation, and every x keeps a small relative
 * error however small it is -- where an LU solve of I - P would compute
 * 1 - p_ii and lose a probability of 1e-12 in rounding.
 */
import { alg, Graph } from "@dagrejs/graphlib";
import type { Chain } from "./chain.js";

export interface Solution {
  /** x of every transient state: one row of measures per state. */
  readonly x: readonly Float64Array[];
  /**
   * The largest componentwise relative residual |lhs - rhs| / max(lhs, rhs)
   * over all equations (subnormal magnitudes counted as absolute).
   */
  readonly residual: number;
}

/** The strongly connected components of the transient states, each listed after every component it leads to. */
export function componentsSinksFirst(c: Chain): number[][] {
  const g = new Graph({ directed: true });
  c.transient.forEach((_, i) => g.setNode(String(i)));
  c.edges.forEach((es, i) => es.forEach((e) => { if (e.to >= 0) g.setEdge(String(i), String(e.to)); }));
  const comps = alg.tarjan(g).map((ids) => ids.map(Number));
  const of = new Int32Array(c.transient.length);
  comps.forEach((m, k) => m.forEach((i) => { of[i] = k; }));
  const dag = new Graph({ directed: true });
  comps.forEach((_, k) => dag.setNode(String(k)));
  c.edges.forEach((es, i) => es.forEach((e) => {
    if (e.to >= 0 && of[e.to] !== of[i]) dag.setEdge(String(of[i]), String(of[e.to]));
  }));
  return alg.topsort(dag).reverse().map((k) => comps[Number(k)]!.sort((a, b) => a - b));
}

export function solveChain(c: Chain): Solution {
  const k = c.terminal[0]?.length ?? c.reward[0]?.length ?? 0;
  const x: Float64Array[] = c.transient.map(() => new Float64Array(k));
  const valueOf = (to: number) => (to >= 0 ? x[to]! : c.terminal[~to]!);
  for (const comp of componentsSinksFirst(c)) solveComponent(c, comp, x, valueOf, k);
  return { x, residual: residual(c, x, valueOf, k) };
}

/**
 * One component C. Its exits (to solved states and absorbing ones) go into
 * e_i (rate out of C) and h_i (reward plus rate-weighted values of the exits);
 * W holds the rates inside C. Eliminating state m folds every path i -> m -> j
 * into i -> j, i -> m -> exit into e_i and h_i, and drops i -> m -> i (a
 * self-loop: it changes no measure). S_m is recomputed as a sum each time,
 * never as Q_m minus something.
 */
function solveComponent(c: Chain, comp: readonly number[], x: Float64Array[], valueOf: (to: number) => Float64Array, k: number): void {
  const n = comp.length;
  const local = new Map(comp.map((i, a) => [i, a]));
  const W = new Float64Array(n * n), e = new Float64Array(n), h = new Float64Array(n * k);
  comp.forEach((i, a) => {
    h.set(c.reward[i]!, a * k);
    for (const { to, rate } of c.edges[i]!) {
      const b = to >= 0 ? local.get(to) : undefined;
      if (b !== undefined) { W[a * n + b]! += rate; continue; }
      e[a]! += rate;
      const v = valueOf(to);
      for (let m = 0; m < k; m++) h[a * k + m]! += rate * v[m]!;
    }
  });
  const S = new Float64Array(n);
  for (let m = 0; m < n; m++) {
    let s = e[m]!;
    for (let j = m + 1; j < n; j++) s += W[m * n + j]!;
    if (!(s > 0)) throw new Error(`exact: the chain can stay forever among states ${comp.map((i) => c.transient[i]).join(", ")}`);
    S[m] = s;
    for (let i = m + 1; i < n; i++) {
      const wim = W[i * n + m]!;
      if (wim === 0) continue;
      const f = wim / s;
      for (let j = m + 1; j < n; j++) if (j !== i) W[i * n + j]! += f * W[m * n + j]!;
      e[i]! += f * e[m]!;
      for (let q = 0; q < k; q++) h[i * k + q]! += f * h[m * k + q]!;
    }
  }
  for (let m = n - 1; m >= 0; m--) {
    const xm = x[comp[m]!]!;
    for (let q = 0; q < k; q++) {
      let num = h[m * k + q]!;
      for (let j = m + 1; j < n; j++) num += W[m * n + j]! * x[comp[j]!]![q]!;
      xm[q] = num / S[m]!;
    }
  }
}

/** 2^-1022: below it doubles are subnormal and carry fewer digits, so differences there count as absolute. */
const MIN_NORMAL = 2 ** -1022;

function residual(c: Chain, x: readonly Float64Array[], valueOf: (to: number) => Float64Array, k: number): number {
  let worst = 0;
  c.edges.forEach((es, i) => {
    for (let q = 0; q < k; q++) {
      let out = 0, rhs = c.reward[i]![q]!;
      for (const { to, rate } of es) { out += rate; rhs += rate * valueOf(to)[q]!; }
      const lhs = out * x[i]![q]!;
      const scale = Math.max(lhs, rhs, MIN_NORMAL);
      worst = Math.max(worst, Math.abs(lhs - rhs) / scale);
    }
  });
  return worst;
}
