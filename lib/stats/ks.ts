/**
 * Kolmogorov–Smirnov tests: the asymptotic Kolmogorov distribution and the two-sample test. The
 * distance itself is the one kernel in lib/ml/gan/metrics.ts (the GAN's sample comparison uses it too).
 */
import { ksDistance } from '../ml/gan/metrics.js';
import { InputError } from '../util/errors.js';

/**
 * Q_KS(λ) = 2 Σ_k (−1)^(k−1) e^(−2k²λ²), the asymptotic probability that the scaled KS distance
 * exceeds λ (1 for λ < 0.2, where the series converges too slowly and Q is 1 to 1e-9 anyway).
 */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  let q = 0;
  for (let k = 1; k <= 100; k++) {
    const term = 2 * (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
    q += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, q));
}

/** λ = (√n + 0.12 + 0.11/√n) D: Stephens' small-sample correction of the scaled distance. */
export function stephensLambda(d: number, n: number): number {
  return (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * d;
}

/**
 * Two-sample KS test of `a` and `b` (the same distribution?): D = sup |F_a − F_b| and its asymptotic
 * p-value Q_KS(λ) with the effective size n_a n_b / (n_a + n_b).
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): { d: number; pValue: number; nEff: number } {
  if (a.length === 0 || b.length === 0) throw new InputError(`ksTwoSample: both samples need values (got ${a.length} and ${b.length})`);
  const d = ksDistance(a, b);
  const nEff = (a.length * b.length) / (a.length + b.length);
  return { d, pValue: kolmogorovQ(stephensLambda(d, nEff)), nEff };
}
