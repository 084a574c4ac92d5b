/**
 * Gaussian-process regression for sideband interpolation (seed 001, following the boosted HH → 4b
 * analysis): squared-exponential kernel with one length scale per dimension,
 *   k(x, x') = A² exp(−Σ_d (x_d − x'_d)² / 2ℓ_d²),
 * per-point noise variances σ_i² (the Poisson variances of the bin counts) on the diagonal; targets
 * normalised to zero mean and unit variance (the GP mean is then 0). Hyperparameters (A, ℓ_d) maximise
 * the log marginal likelihood
 *   ln p(y | X) = −½ yᵀ(K + Σ)⁻¹y − ½ ln|K + Σ| − (n/2) ln 2π
 * (Migrad on −ln p in log-parameters); predictions
 *   μ* = K*ᵀ (K + Σ)⁻¹ y,   var* = k(x*, x*) − K*ᵀ (K + Σ)⁻¹ K*.
 * Blinding: signal-region bins are left out of the fit and predicted from the sidebands.
 */
import { ConfigError, ShapeError } from '../../util/errors.js';
import { cholesky, forwardSolve, choleskySolve } from '../fit/linalg.js';
import { migrad } from '../fit/migrad.js';

export const GP_DEFAULTS = Object.freeze({
  /** Fit A and ℓ by maximum marginal likelihood (else use the initial values). */
  optimise: true as boolean,
  /** Initial length scales (per dimension); default half the range of each input dimension. */
  lengthScales: undefined as readonly number[] | undefined,
  /** Initial amplitude A (in normalised target units). */
  amplitude: 1 as number,
  /** Length scales are kept within [minLengthFraction, maxLengthFraction] × range of each dimension. */
  minLengthFraction: 0.02 as number,
  maxLengthFraction: 20 as number,
});
export type GpOptions = Partial<typeof GP_DEFAULTS>;

/** A fitted GP (on normalised targets). */
export interface FittedGp {
  readonly dim: number;
  readonly lengthScales: number[];
  /** Amplitude in the original target units (A · std of y). */
  readonly amplitude: number;
  /** Log marginal likelihood at the fitted hyperparameters (normalised targets). */
  readonly logMarginalLikelihood: number;
  /** Predictive mean and standard deviation (original units) at points (n × dim, row-major). */
  predict(x: ArrayLike<number>): { mean: Float64Array; std: Float64Array };
}

function kernelMatrix(x: Float64Array, n: number, d: number, amp2: number, inv2l2: Float64Array, noise: Float64Array): Float64Array {
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) { const t = x[i * d + k] - x[j * d + k]; s += t * t * inv2l2[k]; }
      K[i * n + j] = K[j * n + i] = amp2 * Math.exp(-s);
    }
    K[i * n + i] += noise[i];
  }
  return K;
}

/**
 * Fit a GP to points x (n × dim, row-major) with targets y and noise variances (same units as y).
 */
export function fitGaussianProcess(x: ArrayLike<number>, dim: number, y: ArrayLike<number>, noiseVariance: ArrayLike<number>, options: GpOptions = {}): FittedGp {
  const o = { ...GP_DEFAULTS, ...options };
  const n = y.length;
  if (!(Number.isInteger(dim) && dim >= 1)) throw new ConfigError(`fitGaussianProcess: dim must be an integer ≥ 1, got ${dim}`);
  if (x.length !== n * dim) throw new ShapeError(`fitGaussianProcess: x has ${x.length} values, expected ${n} points × ${dim} = ${n * dim}`);
  if (noiseVariance.length !== n) throw new ShapeError(`fitGaussianProcess: ${noiseVariance.length} noise variances for ${n} points`);
  if (n < 2) throw new ShapeError(`fitGaussianProcess: need at least 2 training points, got ${n}`);
  const X = Float64Array.from(x);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let varY = 0;
  for (let i = 0; i < n; i++) varY += (y[i] - mean) ** 2;
  const scale = Math.sqrt(varY / n) || 1;
  const yn = Float64Array.from(y, (v) => (v - mean) / scale);
  const noise = Float64Array.from(noiseVariance, (v, i) => {
    if (!(v >= 0)) throw new ConfigError(`fitGaussianProcess: noise variance ${i} is ${v}, expected ≥ 0`);
    return v / (scale * scale) + 1e-10;
  });
  const range = new Float64Array(dim);
  for (let k = 0; k < dim; k++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < n; i++) { lo = Math.min(lo, X[i * dim + k]); hi = Math.max(hi, X[i * dim + k]); }
    range[k] = hi > lo ? hi - lo : 1;
  }
  const l0 = o.lengthScales ?? Array.from(range, (r) => r / 2);
  if (l0.length !== dim) throw new ConfigError(`fitGaussianProcess: ${l0.length} length scales for ${dim} dimensions`);
  const lnLo = Array.from(range, (r) => Math.log(o.minLengthFraction * r));
  const lnHi = Array.from(range, (r) => Math.log(o.maxLengthFraction * r));

  // θ = [ln A, ln ℓ_1 … ln ℓ_d]; bounds on ℓ by clamping plus a quadratic penalty outside
  const negLml = (theta: ArrayLike<number>): number => {
    let pen = 0;
    const inv2l2 = new Float64Array(dim);
    for (let k = 0; k < dim; k++) {
      let t = theta[1 + k];
      if (t < lnLo[k]) { pen += 100 * (lnLo[k] - t) ** 2; t = lnLo[k]; }
      if (t > lnHi[k]) { pen += 100 * (t - lnHi[k]) ** 2; t = lnHi[k]; }
      inv2l2[k] = 1 / (2 * Math.exp(2 * t));
    }
    const amp2 = Math.exp(2 * Math.min(Math.max(theta[0], -10), 10));
    const L = cholesky(kernelMatrix(X, n, dim, amp2, inv2l2, noise), n);
    if (!L) return Infinity;
    const a = forwardSolve(L, n, yn);
    let q = 0, logdet = 0;
    for (let i = 0; i < n; i++) { q += a[i] * a[i]; logdet += Math.log(L[i * n + i]); }
    return 0.5 * q + logdet + 0.5 * n * Math.log(2 * Math.PI) + pen;
  };
  let theta = Float64Array.from([Math.log(o.amplitude), ...l0.map(Math.log)]);
  if (o.optimise) {
    const r = migrad(negLml, theta, { up: 0.5, initialSteps: new Array<number>(dim + 1).fill(0.3) });
    if (r.fval <= negLml(theta)) theta = Float64Array.from(r.params);
  }
  const lengthScales = Array.from({ length: dim }, (_, k) => Math.exp(Math.min(Math.max(theta[1 + k], lnLo[k]), lnHi[k])));
  const inv2l2 = Float64Array.from(lengthScales, (l) => 1 / (2 * l * l));
  const amp2 = Math.exp(2 * Math.min(Math.max(theta[0], -10), 10));
  const L = cholesky(kernelMatrix(X, n, dim, amp2, inv2l2, noise), n);
  if (!L) throw new ConfigError('fitGaussianProcess: the kernel matrix is not positive definite at the fitted hyperparameters');
  const alpha = choleskySolve(L, n, yn);
  const lml = -negLml(theta);
  return {
    dim,
    lengthScales,
    amplitude: Math.sqrt(amp2) * scale,
    logMarginalLikelihood: lml,
    predict(xs) {
      if (xs.length % dim !== 0) throw new ShapeError(`predict: ${xs.length} values is not a multiple of dim ${dim}`);
      const m = xs.length / dim;
      const mu = new Float64Array(m), sd = new Float64Array(m);
      const ks = new Float64Array(n);
      for (let p = 0; p < m; p++) {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let k = 0; k < dim; k++) { const t = xs[p * dim + k] - X[i * dim + k]; s += t * t * inv2l2[k]; }
          ks[i] = amp2 * Math.exp(-s);
        }
        let f = 0;
        for (let i = 0; i < n; i++) f += ks[i] * alpha[i];
        const v = forwardSolve(L, n, ks);
        let vv = 0;
        for (let i = 0; i < n; i++) vv += v[i] * v[i];
        mu[p] = mean + scale * f;
        sd[p] = scale * Math.sqrt(Math.max(amp2 - vv, 0));
      }
      return { mean: mu, std: sd };
    },
  };
}

/** Result of a sideband interpolation: per bin prediction and uncertainty (all bins). */
export interface SidebandInterpolation {
  gp: FittedGp;
  prediction: Float64Array;
  uncertainty: Float64Array;
  blinded: boolean[];
  /** (observed − predicted)/sqrt(σ_pred² + observed variance) in every bin. */
  pulls: Float64Array;
}

/**
 * GP interpolation of a binned spectrum (1-D: centres; n-D: `points`) into blinded bins: fitted on the
 * unblinded bins with their variances as noise, predicted everywhere.
 * `transform: 'log'` fits ln(count) with variance σ²/n² (for steeply falling spectra) and maps back
 * with the delta method.
 */
export function gpInterpolate(points: ArrayLike<number>, dim: number, counts: ArrayLike<number>, variances: ArrayLike<number>, blinded: ArrayLike<boolean>, options: GpOptions & { transform?: 'none' | 'log' } = {}): SidebandInterpolation {
  const nb = counts.length;
  if (points.length !== nb * dim) throw new ShapeError(`gpInterpolate: ${points.length} coordinates for ${nb} bins × ${dim} dimensions`);
  if (variances.length !== nb || blinded.length !== nb) throw new ShapeError(`gpInterpolate: counts ${nb}, variances ${variances.length}, blinded ${blinded.length} must match`);
  const tf = options.transform ?? 'none';
  if (tf !== 'none' && tf !== 'log') throw new ConfigError(`gpInterpolate: transform must be "none" or "log", got "${String(tf)}"`);
  const xs: number[] = [], ys: number[] = [], vs: number[] = [];
  for (let i = 0; i < nb; i++) {
    if (blinded[i]) continue;
    if (tf === 'log') {
      if (!(counts[i] > 0)) continue; // ln 0: the bin carries no usable log information
      ys.push(Math.log(counts[i])); vs.push(variances[i] / (counts[i] * counts[i]));
    } else { ys.push(counts[i]); vs.push(variances[i]); }
    for (let k = 0; k < dim; k++) xs.push(points[i * dim + k]);
  }
  const gp = fitGaussianProcess(xs, dim, ys, vs, options);
  const { mean, std } = gp.predict(points);
  const prediction = tf === 'log' ? mean.map(Math.exp) : mean;
  const uncertainty = tf === 'log' ? std.map((s, i) => s * prediction[i]) : std;
  const pulls = Float64Array.from(prediction, (p, i) => (counts[i] - p) / Math.sqrt(uncertainty[i] ** 2 + variances[i]));
  return { gp, prediction, uncertainty, blinded: Array.from(blinded), pulls };
}
