/**
 * Binned fits of a spectrum model to a histogram.
 *
 * - `chi2`: the weighted χ² of Cowan's notes on weighted events (seed 004):
 *   χ² = Σ_i (Σ_j w_ij − ν_i(p))² / Σ_j w_ij², minimised by Levenberg–Marquardt. Bins with Σw² = 0
 *   carry no information in this form and are skipped.
 * - `poisson`: the binned Poisson likelihood for unweighted counts, minimised as the Baker–Cousins
 *   deviance D = 2 Σ_i [ν_i − n_i + n_i ln(n_i/ν_i)] = −2 ln(L/L_saturated) with Migrad (up = 1 on D,
 *   i.e. ½ on −ln L). D is asymptotically χ²(ndf) and is reported as `chi2`.
 * - `auto`: Poisson for unit-weight counts, χ² otherwise.
 * ndf = (bins used) − (free parameters); the p-value is P(χ²_ndf ≥ χ²).
 */
import { ConfigError, ShapeError } from '../../util/errors.js';
import { chi2Sf } from '../special.js';
import type { Histogram } from './histogram.js';
import { binCentres, isUnweighted } from './histogram.js';
import { levenbergMarquardt, levenbergMarquardtPoisson } from './levenbergMarquardt.js';
import { migrad } from './migrad.js';
import type { SpectrumModel } from './models.js';
import { expectedCounts } from './models.js';

export type FitMethod = 'chi2' | 'poisson' | 'auto';

export const BINNED_FIT_DEFAULTS = Object.freeze({
  method: 'auto' as FitMethod,
  /** Use only bins whose centre lies in [range[0], range[1]]. */
  range: undefined as readonly [number, number] | undefined,
  /** Bins to leave out (true = excluded), e.g. a blinded signal region. */
  exclude: undefined as ArrayLike<boolean> | undefined,
  /** Starting parameters; default `model.guess`. */
  start: undefined as ArrayLike<number> | undefined,
});
export type BinnedFitOptions = Partial<typeof BINNED_FIT_DEFAULTS>;

/** The outcome of a binned fit. */
export interface FitResult {
  model: string;
  method: 'chi2' | 'poisson';
  paramNames: readonly string[];
  params: number[];
  /** sqrt of the covariance diagonal (NaN when the covariance is singular). */
  errors: number[];
  /** Row-major covariance (nPar × nPar) or null. */
  covariance: number[] | null;
  /** Weighted χ² (`chi2`) or Baker–Cousins deviance (`poisson`) at the minimum. */
  chi2: number;
  ndf: number;
  chi2PerNdf: number;
  /** P(χ²_ndf ≥ chi2). */
  pValue: number;
  converged: boolean;
  /** Expected counts ν_i in every bin (also the excluded ones). */
  expected: Float64Array;
  /** Which bins entered the fit. */
  used: boolean[];
}

/** Bins entering a fit under the options (range, exclusion, and for χ² a non-zero variance). */
function usedBins(h: Histogram, method: 'chi2' | 'poisson', o: BinnedFitOptions): boolean[] {
  const c = binCentres(h);
  const n = c.length;
  if (o.exclude && o.exclude.length !== n) throw new ShapeError(`fit: exclude has ${o.exclude.length} entries for ${n} bins`);
  const use: boolean[] = [];
  for (let i = 0; i < n; i++) {
    let u = true;
    if (o.range && (c[i] < o.range[0] || c[i] > o.range[1])) u = false;
    if (o.exclude?.[i]) u = false;
    if (method === 'chi2' && !(h.variances[i] > 0)) u = false;
    use.push(u);
  }
  return use;
}

/** Baker–Cousins Poisson deviance over the used bins; +∞ when some ν ≤ 0 where it matters. */
export function poissonDeviance(n: ArrayLike<number>, nu: ArrayLike<number>, use?: ArrayLike<boolean>): number {
  let d = 0;
  for (let i = 0; i < n.length; i++) {
    if (use && !use[i]) continue;
    const ni = n[i], mi = nu[i];
    if (!(mi > 0)) {
      if (mi === 0 && ni === 0) continue;
      return Infinity;
    }
    d += ni > 0 ? mi - ni + ni * Math.log(ni / mi) : mi;
  }
  return 2 * d;
}

/** Fit `model` to histogram `h` (see file header for the methods). */
export function fitHistogram(h: Histogram, model: SpectrumModel, options: BinnedFitOptions = {}): FitResult {
  const o = { ...BINNED_FIT_DEFAULTS, ...options };
  if (o.method !== 'chi2' && o.method !== 'poisson' && o.method !== 'auto')
    throw new ConfigError(`fit: method must be "chi2", "poisson" or "auto", got "${String(o.method)}"`);
  const method: 'chi2' | 'poisson' = o.method === 'auto' ? (isUnweighted(h) ? 'poisson' : 'chi2') : o.method;
  if (method === 'poisson' && !isUnweighted(h))
    throw new ConfigError('fit: the Poisson likelihood needs unweighted integer counts (Σw² = Σw); use method "chi2" for weighted histograms');
  const use = usedBins(h, method, o);
  const nPar = model.paramNames.length;
  const nUsed = use.filter(Boolean).length;
  if (nUsed < nPar) throw new ShapeError(`fit: ${nUsed} usable bins for ${nPar} parameters of ${model.name}`);
  let start: Float64Array;
  // A start from the caller or from a nested model's minimum is already close: the likelihood fit
  // then begins there (so a richer nested model can only improve on the simpler one).
  let preciseStart = false;
  if (o.start) {
    preciseStart = true;
    if (o.start.length !== nPar) throw new ShapeError(`fit: start has ${o.start.length} values, ${model.name} has ${nPar} parameters`);
    start = Float64Array.from(o.start);
  } else if (model.simpler) {
    const { start: _s, ...rest } = o;
    start = model.simpler.embed(fitHistogram(h, model.simpler.model, rest).params);
    preciseStart = true;
  } else if (model.guess) start = model.guess(h, use);
  else throw new ConfigError(`fit: model ${model.name} has no guess(); pass options.start`);

  const idx: number[] = [];
  for (let i = 0; i < use.length; i++) if (use[i]) idx.push(i);
  const nu = new Float64Array(h.values.length);
  const sigma = idx.map((i) => Math.sqrt(h.variances[i]));
  const residuals = (p: Float64Array): Float64Array => {
    expectedCounts(model, p, h.edges, nu);
    const r = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) r[k] = (h.values[idx[k]] - nu[idx[k]]) / sigma[k];
    return r;
  };

  let params: Float64Array, cov: Float64Array | null, chi2: number, converged: boolean;
  const lmIdx = idx.filter((i) => h.variances[i] > 0);
  if (method === 'chi2' && lmIdx.length >= nPar) {
    const lmSigma = lmIdx.map((i) => Math.sqrt(h.variances[i]));
    const lmRes = (p: Float64Array): Float64Array => {
      expectedCounts(model, p, h.edges, nu);
      const r = new Float64Array(lmIdx.length);
      for (let k = 0; k < lmIdx.length; k++) r[k] = (h.values[lmIdx[k]] - nu[lmIdx[k]]) / lmSigma[k];
      return r;
    };
    const lm = levenbergMarquardt(method === 'chi2' ? residuals : lmRes, start);
    params = lm.params; cov = lm.covariance; chi2 = lm.chi2; converged = lm.converged;
  } else {
    params = start; cov = null; chi2 = NaN; converged = false;
  }
  if (method === 'poisson') {
    const counts = h.values;
    const cost = (p: Float64Array): number => poissonDeviance(counts, expectedCounts(model, p, h.edges, nu), use);
    const from = Number.isFinite(cost(params)) ? params : start;
    // Fisher-scoring LM finds the minimum robustly; Migrad (numerical Hessian, whitened by the LM
    // covariance) polishes it and gives the observed-information covariance.
    const usedCounts = idx.map((i) => counts[i]);
    const lmp = levenbergMarquardtPoisson((p) => { expectedCounts(model, p, h.edges, nu); return Float64Array.from(idx, (i) => nu[i]); }, usedCounts, from);
    params = lmp.params; cov = lmp.covariance; chi2 = lmp.deviance; converged = lmp.converged;
    const mg = migrad(cost, params, { up: 1, initialCovariance: cov ?? undefined });
    if (mg.fval <= chi2 + 1e-9 && mg.covariance) {
      params = mg.params; cov = mg.covariance; chi2 = mg.fval; converged = mg.converged || converged;
    }
  }
  const expected = expectedCounts(model, params, h.edges);
  const ndf = nUsed - nPar;
  return {
    model: model.name,
    method,
    paramNames: model.paramNames,
    params: Array.from(params),
    errors: Array.from({ length: nPar }, (_, j) => (cov ? Math.sqrt(cov[j * nPar + j]) : NaN)),
    covariance: cov ? Array.from(cov) : null,
    chi2,
    ndf,
    chi2PerNdf: ndf > 0 ? chi2 / ndf : NaN,
    pValue: ndf > 0 ? chi2Sf(chi2, ndf) : NaN,
    converged,
    expected,
    used: use,
  };
}
