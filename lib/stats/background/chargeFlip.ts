/**
 * Electron charge-misidentification ("charge-flip") rates from Z → ee.
 *
 * Electrons are binned in (pT, η); bin i has flip probability p_i. A Z → ee pair with electrons in bins
 * i and j is reconstructed same-sign when exactly one charge flips:
 *   P_SS(i, j) = p_i (1 − p_j) + p_j (1 − p_i).
 * With N_ij all pairs and N_SS,ij the same-sign ones in the (unordered) bin pair, the rates maximise the
 * Poisson likelihood Π_ij Pois(N_SS,ij | N_ij P_SS(i, j)) (the ATLAS/CMS "likelihood method"); all bin
 * pairs, not just the diagonal, constrain the p_i. The fit is the Poisson Levenberg–Marquardt of
 * lib/stats/fit; the covariance is its inverse expected information.
 *
 * The rates predict the same-sign charge-flip background from opposite-sign events: each OS pair with
 * electrons in bins i, j gets weight P_SS / (1 − P_SS).
 */
import { ConfigError, InputError, ShapeError } from '../../util/errors.js';
import { levenbergMarquardtPoisson } from '../fit/levenbergMarquardt.js';
import { binIndex } from '../fit/histogram.js';

/** Counts per unordered bin pair (i ≤ j), stored in a symmetric nBins × nBins row-major layout. */
export interface ChargeFlipCounts {
  readonly nBins: number;
  /** All pairs (same-sign + opposite-sign); entry [i·nBins + j] with i ≤ j (the lower triangle stays 0). */
  readonly total: Float64Array;
  /** Same-sign pairs, same layout. */
  readonly sameSign: Float64Array;
}

/** Electron pairs with their (pT, η) bin indices and a same-sign flag. */
export interface ChargeFlipPairs {
  readonly bin1: ArrayLike<number>;
  readonly bin2: ArrayLike<number>;
  /** 1 (or true) for a same-sign pair, 0 for opposite-sign. */
  readonly sameSign: ArrayLike<number | boolean>;
}

/** Bin index of (pT, η) in a pT-major grid: ptBin · nEta + etaBin; −1 outside the edges. */
export function chargeFlipBin(pt: number, eta: number, ptEdges: ArrayLike<number>, etaEdges: ArrayLike<number>): number {
  const a = binIndex(ptEdges, pt), b = binIndex(etaEdges, eta);
  return a < 0 || b < 0 ? -1 : a * (etaEdges.length - 1) + b;
}

/** Fill the pair-count matrices; bins must be integers in [0, nBins). */
export function chargeFlipCounts(pairs: ChargeFlipPairs, nBins: number): ChargeFlipCounts {
  const n = pairs.bin1.length;
  if (pairs.bin2.length !== n || pairs.sameSign.length !== n) throw new ShapeError(`chargeFlipCounts: bin1 has ${n} entries, bin2 ${pairs.bin2.length}, sameSign ${pairs.sameSign.length}`);
  if (!Number.isInteger(nBins) || nBins < 1) throw new ConfigError(`chargeFlipCounts: nBins must be a positive integer, got ${nBins}`);
  const total = new Float64Array(nBins * nBins), sameSign = new Float64Array(nBins * nBins);
  for (let k = 0; k < n; k++) {
    let i = pairs.bin1[k], j = pairs.bin2[k];
    for (const [name, b] of [['bin1', i], ['bin2', j]] as const) {
      if (!Number.isInteger(b) || b < 0 || b >= nBins) throw new InputError(`chargeFlipCounts: pair ${k}: ${name} = ${b} is not a bin index in [0, ${nBins})`);
    }
    if (i > j) [i, j] = [j, i];
    total[i * nBins + j] += 1;
    if (pairs.sameSign[k]) sameSign[i * nBins + j] += 1;
  }
  return { nBins, total, sameSign };
}

/** Same-sign probability of a pair with flip rates pi, pj. */
export const sameSignProbability = (pi: number, pj: number): number => pi * (1 - pj) + pj * (1 - pi);

/** Charge-flip fit options. */
export interface ChargeFlipFitOptions {
  /** Bin-pair entries with fewer total pairs are ignored (default 1: every populated pair). */
  readonly minPairs: number;
}
export const CHARGE_FLIP_DEFAULTS: Readonly<ChargeFlipFitOptions> = Object.freeze({ minPairs: 1 });

/** Fitted flip rates. */
export interface ChargeFlipRates {
  readonly nBins: number;
  /** p_i per bin. */
  readonly rates: Float64Array;
  /** √V_ii. */
  readonly errors: Float64Array;
  /** Covariance, nBins × nBins row-major (inverse expected information). */
  readonly covariance: Float64Array;
  /** Poisson deviance at the minimum and its degrees of freedom (populated pairs − bins): a goodness of fit. */
  readonly deviance: number;
  readonly ndf: number;
  readonly converged: boolean;
}

/**
 * Maximum-likelihood flip rates. Every bin must appear in at least one populated pair, else its rate is
 * unconstrained and the fit refuses with the bin named.
 */
export function fitChargeFlipRates(counts: ChargeFlipCounts, options: Partial<ChargeFlipFitOptions> = {}): ChargeFlipRates {
  const { minPairs } = { ...CHARGE_FLIP_DEFAULTS, ...options };
  const K = counts.nBins;
  if (counts.total.length !== K * K || counts.sameSign.length !== K * K) throw new ShapeError(`fitChargeFlipRates: count matrices must have ${K}×${K} entries, got ${counts.total.length} and ${counts.sameSign.length}`);
  const ii: number[] = [], jj: number[] = [], nTot: number[] = [], nSS: number[] = [];
  const seen = new Float64Array(K);
  for (let i = 0; i < K; i++) for (let j = i; j < K; j++) {
    const t = counts.total[i * K + j], s = counts.sameSign[i * K + j];
    if (s > t) throw new InputError(`fitChargeFlipRates: bin pair (${i}, ${j}) has ${s} same-sign pairs but only ${t} pairs in all`);
    if (!(t >= minPairs) || t <= 0) continue;
    ii.push(i); jj.push(j); nTot.push(t); nSS.push(s);
    seen[i] += t; seen[j] += t;
  }
  for (let i = 0; i < K; i++) if (seen[i] === 0) throw new InputError(`fitChargeFlipRates: bin ${i} appears in no pair with at least ${minPairs} entries; its flip rate is unconstrained`);
  // Start: every same-sign pair credited half to each electron's bin.
  const start = new Float64Array(K), den = new Float64Array(K);
  for (let k = 0; k < ii.length; k++) { start[ii[k]] += nSS[k] / 2; start[jj[k]] += nSS[k] / 2; den[ii[k]] += nTot[k]; den[jj[k]] += nTot[k]; }
  let floor = Infinity;
  for (let i = 0; i < K; i++) { start[i] /= den[i]; floor = Math.min(floor, 0.5 / den[i]); }
  // Keep the start strictly inside (0, ½) so every expected count is positive.
  for (let i = 0; i < K; i++) start[i] = Math.min(Math.max(start[i], floor), 0.45);
  const m = ii.length;
  const nu = new Float64Array(m);
  const expected = (p: Float64Array): Float64Array => {
    for (let k = 0; k < m; k++) nu[k] = nTot[k] * sameSignProbability(p[ii[k]], p[jj[k]]);
    return nu;
  };
  const fit = levenbergMarquardtPoisson(expected, nSS, start, { scales: Array.from(start, (v) => Math.max(v, 1e-6)), tolerance: 1e-12 });
  if (!fit.covariance) throw new InputError('fitChargeFlipRates: the information matrix is singular (too few same-sign pairs to constrain every bin)');
  const errors = new Float64Array(K);
  for (let i = 0; i < K; i++) errors[i] = Math.sqrt(Math.max(fit.covariance[i * K + i], 0));
  return { nBins: K, rates: fit.params, errors, covariance: fit.covariance, deviance: fit.deviance, ndf: m - K, converged: fit.converged };
}

/**
 * Same-sign charge-flip prediction from opposite-sign pairs: Σ_OS P_SS/(1 − P_SS) with its statistical
 * variance from the OS counts and, to first order, from the rate covariance.
 */
export function predictSameSign(osBin1: ArrayLike<number>, osBin2: ArrayLike<number>, rates: ChargeFlipRates): { nSameSign: number; sigmaStat: number; sigmaRates: number } {
  const K = rates.nBins;
  if (osBin1.length !== osBin2.length) throw new ShapeError(`predictSameSign: bin1 has ${osBin1.length} entries, bin2 ${osBin2.length}`);
  let sum = 0, sumSq = 0;
  const grad = new Float64Array(K);
  for (let k = 0; k < osBin1.length; k++) {
    const i = osBin1[k], j = osBin2[k];
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= K || j >= K) throw new InputError(`predictSameSign: pair ${k} has bins (${i}, ${j}), expected integers in [0, ${K})`);
    const pi = rates.rates[i], pj = rates.rates[j];
    const q = sameSignProbability(pi, pj), w = q / (1 - q);
    sum += w; sumSq += w * w;
    // d w / d q = 1/(1 − q)²; d q / d p_i = 1 − 2 p_j.
    const dw = 1 / (1 - q) ** 2;
    grad[i] += dw * (1 - 2 * pj);
    grad[j] += dw * (1 - 2 * pi);
  }
  let v = 0;
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) v += grad[a] * rates.covariance[a * K + b] * grad[b];
  return { nSameSign: sum, sigmaStat: Math.sqrt(sumSq), sigmaRates: Math.sqrt(Math.max(v, 0)) };
}
