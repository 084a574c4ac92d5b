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
 *
 * Minimisation: models with a `reparametrise` hook (the dijet function) are fitted in decorrelated
 * internal parameters and reported in their own, with cov_p = J cov_q Jᵀ. χ² fits use
 * Levenberg–Marquardt (covariance (JᵀJ)⁻¹); Poisson fits use Fisher-scoring Levenberg–Marquardt, then
 * Migrad from that minimum (covariance from Migrad's numerical Hessian, 2·H⁻¹ on the deviance).
 * Nested models (`simpler`) are fitted first and embedded as the start, so a richer model never ends
 * worse than the simpler one. No parameter limits are supported.
 */
import { ConfigError, ShapeError } from '../../util/errors.js';
import { chi2Sf } from '../../util/special.js';
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
  // A start from the caller or from a nested model's minimum is already close, and the minimisers
  // only accept descending steps: a richer nested model can only improve on the simpler one.
  if (o.start) {
    if (o.start.length !== nPar) throw new ShapeError(`fit: start has ${o.start.length} values, ${model.name} has ${nPar} parameters`);
    start = Float64Array.from(o.start);
  } else if (model.simpler) {
    const { start: _s, ...rest } = o;
    start = model.simpler.embed(fitHistogram(h, model.simpler.model, rest).params);
  } else if (model.guess) start = model.guess(h, use);
  else throw new ConfigError(`fit: model ${model.name} has no guess(); pass options.start`);

  const idx: number[] = [];
  for (let i = 0; i < use.length; i++) if (use[i]) idx.push(i);
  const nu = new Float64Array(h.values.length);

  // Internal parameters q: the model's decorrelating reparametrisation when it has one (the dijet
  // parameters are correlated at the 0.999+ level, which stalls any minimiser), else q = p.
  let rp = model.reparametrise?.(h, use) ?? null;
  let q0 = rp ? rp.fromModel(start) : start;
  if (rp && !q0.every(Number.isFinite)) { rp = null; q0 = start; }
  const toP = rp ? (q: ArrayLike<number>) => rp!.toModel(q) : (q: ArrayLike<number>) => q;
  const internal: SpectrumModel | null = rp?.density
    ? { name: model.name, paramNames: model.paramNames, density: rp.density, binIntegral: rp.binIntegral }
    : null;
  const expectedAt = (q: Float64Array): Float64Array =>
    internal ? expectedCounts(internal, q, h.edges, nu) : expectedCounts(model, toP(q), h.edges, nu);

  let q: Float64Array = q0, covQ: Float64Array | null = null, chi2 = NaN, converged = false;
  if (method === 'chi2') {
    const sigma = idx.map((i) => Math.sqrt(h.variances[i]));
    const residuals = (x: Float64Array): Float64Array => {
      expectedAt(x);
      const r = new Float64Array(idx.length);
      for (let k = 0; k < idx.length; k++) r[k] = (h.values[idx[k]] - nu[idx[k]]) / sigma[k];
      return r;
    };
    const lm = levenbergMarquardt(residuals, q0);
    q = lm.params; covQ = lm.covariance; chi2 = lm.chi2; converged = lm.converged;
  } else {
    const counts = h.values;
    const cost = (x: Float64Array): number => poissonDeviance(counts, expectedAt(x), use);
    // Fisher-scoring LM finds the minimum robustly; Migrad (numerical Hessian, whitened by the LM
    // covariance) polishes it and gives the observed-information covariance.
    const usedCounts = idx.map((i) => counts[i]);
    const lmp = levenbergMarquardtPoisson((x) => { expectedAt(x); return Float64Array.from(idx, (i) => nu[i]); }, usedCounts, q0);
    q = lmp.params; covQ = lmp.covariance; chi2 = lmp.deviance; converged = lmp.converged;
    const mg = migrad(cost, q, { up: 1, initialCovariance: covQ ?? undefined });
    if (mg.fval <= chi2 + 1e-9 && mg.covariance) {
      q = mg.params; covQ = mg.covariance; chi2 = mg.fval; converged = mg.converged || converged;
    }
  }
  const params = Float64Array.from(toP(q));
  let cov: Float64Array | null = covQ;
  if (rp && covQ) {
    // cov_p = J cov_q Jᵀ with J = ∂p/∂q
    const J = rp.jacobian(q);
    const JC = new Float64Array(nPar * nPar);
    for (let i = 0; i < nPar; i++) for (let j = 0; j < nPar; j++) { let t = 0; for (let k = 0; k < nPar; k++) t += J[i * nPar + k] * covQ[k * nPar + j]; JC[i * nPar + j] = t; }
    cov = new Float64Array(nPar * nPar);
    for (let i = 0; i < nPar; i++) for (let j = 0; j < nPar; j++) { let t = 0; for (let k = 0; k < nPar; k++) t += JC[i * nPar + k] * J[j * nPar + k]; cov[i * nPar + j] = t; }
  }
  const expected = Float64Array.from(expectedAt(q));
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
