/**
 * Matrix Method for fake/non-prompt objects (seed 000).
 *
 * One object: with real efficiency r = P(tight | real) and fake rate f = P(tight | fake), the tight (t)
 * and loose-not-tight (l) counts are
 *   (N^t, N^l)ᵀ = [[r, f], [1−r, 1−f]] (N_r, N_f)ᵀ,
 * so N_f = ((1−r) N^t − r N^l)/(f − r) and the fakes in the tight selection are
 *   N_f^t = f N_f = f/(f − r) · ((1−r) N^t − r N^l).
 * M objects: N^{j1…jM} = Σ_{i1…iM ∈ {r,f}} Π_k ε_{ik}^{jk} N_{i1…iM} — the 2^M × 2^M matrix is the
 * Kronecker product of the per-object 2 × 2 matrices; it is inverted to get the real/fake
 * composition, and the fake contribution to the all-tight selection is Σ_{patterns with ≥ 1 fake}
 * Π_k ε_{ik}^t N_{i…}. (For two objects this is the 4 × 4 inversion of seed 000.)
 * Pattern index: bit k of the index is 1 when object k is loose-not-tight (for observed patterns) or
 * fake (for true patterns); object 0 is the most significant bit, so for two objects the order is
 * TT, TL, LT, LL and RR, RF, FR, FF.
 */
import { ConfigError, ShapeError } from '../../util/errors.js';
import { invert } from '../fit/linalg.js';

function checkRates(r: readonly number[], f: readonly number[], where: string): void {
  if (r.length !== f.length) throw new ShapeError(`${where}: ${r.length} real efficiencies for ${f.length} fake rates`);
  for (let k = 0; k < r.length; k++) {
    if (!(r[k] >= 0 && r[k] <= 1) || !(f[k] >= 0 && f[k] <= 1)) throw new ConfigError(`${where}: object ${k}: r = ${r[k]}, f = ${f[k]} must lie in [0, 1]`);
    if (!(Math.abs(r[k] - f[k]) > 1e-12)) throw new ConfigError(`${where}: object ${k}: r = f = ${r[k]}: tight and loose do not separate real from fake`);
  }
}

/** Single-object Matrix Method: fakes in the tight selection, with Poisson uncertainty. */
export function matrixMethodSingle(c: { nTight: number; nLoose: number; r: number; f: number }): { nFakeTight: number; sigma: number; nReal: number; nFake: number } {
  checkRates([c.r], [c.f], 'matrixMethodSingle');
  const { nTight: t, nLoose: l, r, f } = c;
  const nFake = ((1 - r) * t - r * l) / (f - r);
  const nReal = ((f - 1) * t + f * l) / (f - r);
  const a = (f * (1 - r)) / (f - r), b = (-f * r) / (f - r);
  return { nFakeTight: f * nFake, sigma: Math.sqrt(a * a * t + b * b * l), nReal, nFake };
}

/** The 2^M × 2^M matrix mapping true (real/fake) patterns to observed (tight/loose) ones. */
export function matrixMethodMatrix(r: readonly number[], f: readonly number[]): Float64Array {
  checkRates(r, f, 'matrixMethodMatrix');
  const M = r.length, N = 1 << M;
  const A = new Float64Array(N * N);
  for (let j = 0; j < N; j++) // observed pattern (bit = loose)
    for (let i = 0; i < N; i++) { // true pattern (bit = fake)
      let prod = 1;
      for (let k = 0; k < M; k++) {
        const bit = M - 1 - k;
        const loose = (j >> bit) & 1, fake = (i >> bit) & 1;
        const eTight = fake ? f[k] : r[k];
        prod *= loose ? 1 - eTight : eTight;
      }
      A[j * N + i] = prod;
    }
  return A;
}

/**
 * M-object Matrix Method from observed pattern counts (length 2^M, order as in the file header):
 * inverts the Kronecker matrix; returns the true-pattern composition, the fake contribution to the
 * all-tight selection and its Poisson uncertainty (the estimate is linear in the counts).
 */
export function matrixMethod(counts: ArrayLike<number>, r: readonly number[], f: readonly number[]): { nFakeTight: number; sigma: number; composition: Float64Array; weights: Float64Array } {
  const M = r.length, N = 1 << M;
  if (counts.length !== N) throw new ShapeError(`matrixMethod: ${counts.length} pattern counts for ${M} objects (expected 2^${M} = ${N})`);
  const A = matrixMethodMatrix(r, f);
  const inv = invert(A, N);
  if (!inv) throw new ConfigError('matrixMethod: the efficiency matrix is singular');
  const composition = new Float64Array(N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) composition[i] += inv[i * N + j] * counts[j];
  // weight of observed pattern j in the fake estimate: Σ_{i ≠ all-real} A[TT…, i] inv[i, j]
  const weights = new Float64Array(N);
  for (let j = 0; j < N; j++) for (let i = 1; i < N; i++) weights[j] += A[0 * N + i] * inv[i * N + j];
  let est = 0, v = 0;
  for (let j = 0; j < N; j++) { est += weights[j] * counts[j]; v += weights[j] * weights[j] * counts[j]; }
  return { nFakeTight: est, sigma: Math.sqrt(v), composition, weights };
}

/**
 * Per-event Matrix Method weight, allowing per-object r and f (e.g. binned in pT, η): the sum of the
 * weights over events is the fake estimate in the all-tight selection. Closed form of the
 * Kronecker inverse: w = Π_k δ(j_k = t) − Π_k r_k (M_k⁻¹)_{r, j_k}, with
 * (M_k⁻¹)_{r,t} = (1 − f_k)/(r_k − f_k), (M_k⁻¹)_{r,l} = −f_k/(r_k − f_k).
 */
export function matrixMethodEventWeight(tight: readonly boolean[], r: readonly number[], f: readonly number[]): number {
  if (tight.length !== r.length) throw new ShapeError(`matrixMethodEventWeight: ${tight.length} objects, ${r.length} real efficiencies`);
  checkRates(r, f, 'matrixMethodEventWeight');
  let allTight = 1, realTight = 1;
  for (let k = 0; k < tight.length; k++) {
    const d = r[k] - f[k];
    if (tight[k]) realTight *= (r[k] * (1 - f[k])) / d;
    else { allTight = 0; realTight *= (-r[k] * f[k]) / d; }
  }
  return allTight - realTight;
}
