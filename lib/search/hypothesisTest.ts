/**
 * The seed-004 two-fit procedure on a binned mass spectrum, for any signal shape:
 * 1. the signal model (Gaussian or Crystal Ball) is fitted to the signal-only spectrum;
 * 2. H0: background function alone, all parameters free; H1: background + s · signal shape with the shape
 *    fixed from step 1 and only s free;
 * 3. q0 = χ²_0 − χ²_1 (weighted χ² with Σw² variances, or the Poisson deviance for unit weights, chosen by
 *    fitHistogram's `auto`), Z = √q0 for ŝ > 0 by Wilks' theorem — the same statistic as
 *    {@link fitBumpHunt} (which is this with a Gaussian of fixed mean and width).
 * The spurious signal is ŝ of the H1 fit on background-only spectra.
 */
import { ConfigError } from '../util/errors.js';
import type { FitMethod, FitResult } from '../stats/fit/binnedFit.js';
import { fitHistogram } from '../stats/fit/binnedFit.js';
import type { Histogram } from '../stats/fit/histogram.js';
import type { SpectrumModel } from '../stats/fit/models.js';
import { backgroundPlusShape, crystalBallModel, dijetModel, gaussianModel, polynomialModel } from '../stats/fit/models.js';
import { normalSf } from '../util/special.js';
import type { BackgroundModelName, SignalModelName } from './config.js';

/** A fitted signal shape: the model, its fixed shape parameters (all but the yield), the fit. */
export interface SignalShape {
  readonly model: SpectrumModel;
  readonly shape: number[];
  readonly fit: FitResult;
}

/** The background function of a family member name ('dijet3'…'dijet5', 'poly1'…'poly5'). */
export function backgroundModel(name: BackgroundModelName, fitRange: readonly [number, number], sqrtS: number): SpectrumModel {
  const m = /^(dijet|poly)(\d)$/.exec(name);
  if (!m) throw new ConfigError(`background model "${name}": expected dijet3..dijet5 or poly1..poly5`);
  const k = Number(m[2]);
  if (m[1] === 'dijet') {
    if (k < 3 || k > 5) throw new ConfigError(`background model "${name}": the dijet function has 3, 4 or 5 parameters`);
    return dijetModel(k as 3 | 4 | 5, { sqrtS });
  }
  return polynomialModel(k, fitRange);
}

/**
 * Fit the signal model to the signal-only spectrum in `range`. The Crystal Ball fit starts from the
 * Gaussian fit (mean, width), so a failed tail fit cannot end worse than the Gaussian core.
 */
export function fitSignalModel(signal: Histogram, model: SignalModelName, range: readonly [number, number], method: FitMethod = 'auto'): SignalShape {
  const g = fitHistogram(signal, gaussianModel(), { method, range });
  if (model === 'gaussian') return { model: gaussianModel(), shape: [g.params[1], Math.abs(g.params[2])], fit: g };
  if (model !== 'crystalball') throw new ConfigError(`signal model "${String(model)}": expected gaussian or crystalball`);
  const cb = crystalBallModel();
  const fit = fitHistogram(signal, cb, { method, range, start: [g.params[0], g.params[1], Math.abs(g.params[2]), 1.5, 5] });
  if (!fit.params.every(Number.isFinite) || !(fit.params[3] > 0 && fit.params[4] > 1))
    throw new ConfigError(`Crystal Ball fit of the signal did not converge to a valid shape (alpha = ${fit.params[3]}, n = ${fit.params[4]}); use "signalModel": "gaussian"`);
  return { model: cb, shape: fit.params.slice(1), fit };
}

/** Outcome of the H0/H1 fits on one spectrum. */
export interface HypothesisTest {
  readonly h0: FitResult;
  readonly h1: FitResult;
  /** q0 = χ²_0 − χ²_1 ≥ 0. */
  readonly q0: number;
  /** √q0 for ŝ > 0, else 0 (one-sided, Wilks + Chernoff). */
  readonly Z: number;
  /** sign(ŝ) √q0. */
  readonly zSigned: number;
  readonly pValue: number;
  readonly signalYield: number;
  readonly signalYieldError: number;
  /** (Σw − ν_H1)/σ per bin used by the fit (NaN elsewhere). */
  readonly pulls: number[];
}

/**
 * H0 and H1 fits of `data` in `range` with background `bkg` and the fixed signal `shape`.
 * @example
 * const sig = fitSignalModel(signalHist, 'crystalball', [700, 1200]);
 * const t = testSignalHypothesis(dataHist, dijetModel(3, { sqrtS: 13000 }), sig, { range: [640, 2500] });
 * t.Z; // Wilks significance
 */
export function testSignalHypothesis(data: Histogram, bkg: SpectrumModel, signal: SignalShape, o: { range: readonly [number, number]; method?: FitMethod }): HypothesisTest {
  const method = o.method ?? 'auto';
  const h0 = fitHistogram(data, bkg, { method, range: o.range });
  // Start H1 at the H0 minimum (s = 0); when H0's parameters overflow in the model's own form (the dijet
  // p0 = exp(θ0) of a sculpted, peaked spectrum), from the model's guess instead.
  const start = h0.params.every(Number.isFinite) ? [...h0.params, 0] : undefined;
  const h1 = fitHistogram(data, backgroundPlusShape(bkg, signal.model, signal.shape), { method, range: o.range, start });
  const nb = bkg.paramNames.length;
  const s = h1.params[nb];
  // H1 nests H0 (s = 0): H1 above H0 is a minimiser shortfall, not evidence.
  const q0 = Math.max(h0.chi2 - h1.chi2, 0);
  const z = Math.sqrt(q0);
  const pulls = Array.from(data.values, (v, i) => (h1.used[i] && data.variances[i] > 0 ? (v - h1.expected[i]) / Math.sqrt(h1.method === 'poisson' ? Math.max(h1.expected[i], 1e-12) : data.variances[i]) : NaN));
  return {
    h0, h1, q0,
    Z: s > 0 ? z : 0,
    zSigned: s > 0 ? z : -z,
    pValue: s > 0 ? normalSf(z) : 0.5,
    signalYield: s,
    signalYieldError: h1.errors[nb],
    pulls,
  };
}
