/**
 * Spectrum models for binned fits: densities dN/dm whose bin integrals are the expected counts.
 *
 * - Dijet function (the standard LHC dijet-search background; CDF/ATLAS/CMS):
 *   f(m) = p0 (1 − x)^p1 / x^(p2 + p3 ln x + p4 ln² x),  x = m/√s.
 *   3 parameters: p3 = p4 = 0; 4 parameters: p4 = 0; 5 parameters: all.
 * - Gaussian signal: s · exp(−(m − μ)²/2σ²)/(√(2π) σ) with s the signal yield (events).
 */
import { ConfigError, ShapeError } from '../../util/errors.js';
import type { Histogram } from './histogram.js';
import { binCentres, binWidths } from './histogram.js';
import { cholesky, invertSymmetric } from './linalg.js';
import { normalCdf } from '../../util/special.js';

/** ∫_a^b of a unit Gaussian density N(m; mean, width), via Φ differences on the shorter tail side. */
function gaussianMass(a: number, b: number, mean: number, width: number): number {
  const za = (a - mean) / width, zb = (b - mean) / width;
  return za > 0 ? normalCdf(-za) - normalCdf(-zb) : normalCdf(zb) - normalCdf(za);
}

/** Gauss–Legendre integral of a density over [a, b]. */
function quadrature(density: (m: number) => number, a: number, b: number): number {
  const c = 0.5 * (a + b), h = 0.5 * (b - a);
  let s = 0;
  for (let k = 0; k < 4; k++) s += GL_W[k] * density(c + h * GL_X[k]);
  return s * h;
}

/** A density model dN/dm with named parameters. */
export interface SpectrumModel {
  readonly name: string;
  readonly paramNames: readonly string[];
  /** dN/dm at m for parameters p. */
  density(m: number, p: ArrayLike<number>): number;
  /** Exact ∫_a^b density dm when known (used instead of quadrature, e.g. for narrow peaks). */
  binIntegral?(a: number, b: number, p: ArrayLike<number>): number;
  /** A starting point for fits to `h` (bins with mask[i] = false are ignored). */
  guess?(h: Histogram, use: ArrayLike<boolean>): Float64Array;
  /**
   * A nested simpler model whose best fit, embedded by `embed`, is a good start for this one (fits
   * then proceed 3 → 4 → 5 parameters, each richer fit starting at the previous minimum).
   */
  simpler?: { readonly model: SpectrumModel; embed(p: ArrayLike<number>): Float64Array };
  /**
   * An internal parametrisation q for fitting `h` (bins with use[i]) in which the parameters are
   * nearly uncorrelated; null when none applies. Fits minimise in q and report p with
   * cov_p = J cov_q Jᵀ.
   */
  reparametrise?(h: Histogram, use: ArrayLike<boolean>): Reparametrisation | null;
}

/** A smooth invertible map between model parameters p and internal fit parameters q. */
export interface Reparametrisation {
  toModel(q: ArrayLike<number>): Float64Array;
  fromModel(p: ArrayLike<number>): Float64Array;
  /** ∂p/∂q, row-major n × n. */
  jacobian(q: ArrayLike<number>): Float64Array;
  /**
   * The model density evaluated directly from q, when that is numerically safer than through p
   * (e.g. in log space, where p0 = exp(θ0) would under- or overflow).
   */
  density?(m: number, q: ArrayLike<number>): number;
  /** Exact bin integral from q, if the model has one. */
  binIntegral?(a: number, b: number, q: ArrayLike<number>): number;
}

/**
 * Orthonormal log-linear reparametrisation of a model whose log-density is linear in
 * θ = (ln p0, p1, …, p_{k−1}): ln f(x) = Σ_j θ_j b_j(x). With the Gram matrix G = Σ_i w_i b(x_i) b(x_i)ᵀ
 * over the fitted bins (w_i ∝ n_i, the information on ln n_i) and its Cholesky factor G = L Lᵀ,
 * q = Lᵀ θ makes the basis orthonormal: the curvature of the likelihood in q is ≈ the identity.
 */
function logLinearReparametrisation(basis: (m: number) => number[], h: Histogram, use: ArrayLike<boolean>, k: number): Reparametrisation | null {
  const c = binCentres(h);
  const G = new Float64Array(k * k);
  let wsum = 0, nUsed = 0;
  for (let i = 0; i < c.length; i++) {
    if (!use[i] || !(h.values[i] > 0)) continue;
    const b = basis(c[i]);
    const w = h.values[i];
    wsum += w; nUsed++;
    for (let a = 0; a < k; a++) for (let d = 0; d < k; d++) G[a * k + d] += w * b[a] * b[d];
  }
  if (nUsed < k || !(wsum > 0)) return null;
  for (let a = 0; a < k * k; a++) G[a] /= wsum;
  const L = cholesky(G, k);
  if (!L) return null;
  // T = L⁻ᵀ (upper triangular): θ = T q
  const T = new Float64Array(k * k);
  for (let col = 0; col < k; col++) {
    // solve Lᵀ t = e_col by back substitution
    const t = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      let s = i === col ? 1 : 0;
      for (let j = i + 1; j < k; j++) s -= L[j * k + i] * t[j];
      t[i] = s / L[i * k + i];
    }
    for (let i = 0; i < k; i++) T[i * k + col] = t[i];
  }
  const theta = (q: ArrayLike<number>): Float64Array => {
    const th = new Float64Array(k);
    for (let i = 0; i < k; i++) { let s = 0; for (let j = i; j < k; j++) s += T[i * k + j] * q[j]; th[i] = s; }
    return th;
  };
  return {
    density(m, q) {
      const th = theta(q);
      const b = basis(m);
      let s = th[0];
      for (let j = 1; j < k; j++) s += th[j] * b[j];
      return Math.exp(s);
    },
    toModel(q) {
      const th = theta(q);
      th[0] = Math.exp(th[0]);
      return th;
    },
    fromModel(p) {
      const th = Array.from({ length: k }, (_, i) => (i === 0 ? Math.log(p[0]) : p[i]));
      const q = new Float64Array(k);
      for (let i = 0; i < k; i++) { let s = 0; for (let j = i; j < k; j++) s += L[j * k + i] * th[j]; q[i] = s; }
      return q;
    },
    jacobian(q) {
      const p0 = Math.exp(theta(q)[0]);
      const J = Float64Array.from(T);
      for (let j = 0; j < k; j++) J[j] *= p0;
      return J;
    },
  };
}

// 4-point Gauss–Legendre nodes/weights on [−1, 1]: exact for polynomials of degree 7, so the
// bin integrals of smooth spectra are accurate far beyond statistical precision.
const GL_X = [-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526];
const GL_W = [0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538];

/** Expected counts per bin: ∫ density over each bin (4-point Gauss–Legendre). */
export function expectedCounts(model: SpectrumModel, p: ArrayLike<number>, edges: Float64Array, out = new Float64Array(edges.length - 1)): Float64Array {
  for (let i = 0; i < out.length; i++) {
    const a = edges[i], b = edges[i + 1];
    if (model.binIntegral) { out[i] = model.binIntegral(a, b, p); continue; }
    const c = 0.5 * (a + b), h = 0.5 * (b - a);
    let s = 0;
    for (let k = 0; k < 4; k++) s += GL_W[k] * model.density(c + h * GL_X[k], p);
    out[i] = s * h;
  }
  return out;
}

/** The SM √s of the LHC Run 2 in TeV. */
export const SQRT_S_TEV = 13;

/**
 * The dijet function with 3, 4 or 5 parameters (see file header), x = m/√s; `sqrtS` in the units of m
 * (default 13, i.e. m in TeV).
 */
export function dijetModel(nParams: 3 | 4 | 5 = 4, opts: { sqrtS?: number } = {}): SpectrumModel {
  if (nParams !== 3 && nParams !== 4 && nParams !== 5) throw new ConfigError(`dijetModel: nParams must be 3, 4 or 5, got ${String(nParams)}`);
  const sqrtS = opts.sqrtS ?? SQRT_S_TEV;
  if (!(sqrtS > 0)) throw new ConfigError(`dijetModel: sqrtS must be > 0, got ${sqrtS}`);
  const names = ['p0', 'p1', 'p2', 'p3', 'p4'].slice(0, nParams);
  const simpler = nParams > 3
    ? { model: dijetModel((nParams - 1) as 3 | 4, { sqrtS }), embed: (p: ArrayLike<number>) => { const q = new Float64Array(nParams); q.set(Array.from(p)); return q; } }
    : undefined;
  return {
    name: `dijet${nParams}`,
    paramNames: names,
    simpler,
    reparametrise(h, use) {
      return logLinearReparametrisation((m) => {
        const x = m / sqrtS;
        if (!(x > 0 && x < 1)) return new Array<number>(nParams).fill(NaN);
        const L = Math.log(x);
        return [1, Math.log1p(-x), -L, -L * L, -L * L * L].slice(0, nParams);
      }, h, use, nParams);
    },
    density(m, p) {
      const x = m / sqrtS;
      if (!(x > 0 && x < 1)) return NaN;
      const L = Math.log(x);
      let e = p[2];
      if (nParams >= 4) e += p[3] * L;
      if (nParams === 5) e += p[4] * L * L;
      return p[0] * Math.exp(p[1] * Math.log1p(-x) - e * L);
    },
    guess(h, use) {
      // ln f = ln p0 + p1 ln(1−x) − p2 ln x is linear in (ln p0, p1, p2): weighted linear least squares
      // on ln(n/width) with weights n²/σ² (Var ln n ≈ σ²/n²). Higher terms start at 0 — over the
      // narrow x range of a dijet search ln x, ln²x, ln³x are nearly collinear, so fitting them
      // linearly gives wild values; the non-linear fit adds them from the 3-parameter solution.
      const k3 = 3;
      const c = binCentres(h), w = binWidths(h);
      const A = new Float64Array(k3 * k3), b = new Float64Array(k3);
      const row = new Float64Array(k3);
      let nUsed = 0;
      for (let i = 0; i < c.length; i++) {
        const n = h.values[i], v = h.variances[i];
        if (!use[i] || !(n > 0) || !(v > 0)) continue;
        const x = c[i] / sqrtS;
        row[0] = 1; row[1] = Math.log1p(-x); row[2] = -Math.log(x);
        const y = Math.log(n / w[i]);
        const wt = (n * n) / v;
        for (let a = 0; a < k3; a++) {
          b[a] += wt * row[a] * y;
          for (let k = 0; k < k3; k++) A[a * k3 + k] += wt * row[a] * row[k];
        }
        nUsed++;
      }
      if (nUsed < k3) throw new ShapeError(`dijetModel.guess: ${nUsed} non-empty bins, need at least 3`);
      const inv = invertSymmetric(A, k3);
      const p = new Float64Array(nParams);
      if (inv) for (let a = 0; a < k3; a++) for (let k = 0; k < k3; k++) p[a] += inv[a * k3 + k] * b[k];
      else p[1] = 10, p[2] = 5;
      p[0] = Math.exp(p[0]);
      if (!Number.isFinite(p[0]) || !(p[0] > 0)) {
        // A peaked (e.g. classifier-sculpted) spectrum drives the log-linear solution to p1 ~ 10³ and
        // p0 = e^θ0 beyond double range: start from a generic falling shape normalised to the counts.
        p.fill(0);
        p[1] = 10; p[2] = 5;
        let nSum = 0, fSum = 0;
        for (let i = 0; i < c.length; i++) {
          if (!use[i]) continue;
          const x = c[i] / sqrtS;
          nSum += h.values[i]; fSum += w[i] * Math.exp(10 * Math.log1p(-x) - 5 * Math.log(x));
        }
        p[0] = nSum > 0 && fSum > 0 ? nSum / fSum : 1;
      }
      return p;
    },
  };
}

/** A Gaussian peak with free yield s, mean μ and width σ: parameters [s, mu, sigma]. */
export function gaussianModel(): SpectrumModel {
  return {
    name: 'gaussian',
    paramNames: ['yield', 'mean', 'sigma'],
    density(m, p) {
      const z = (m - p[1]) / p[2];
      return (p[0] * Math.exp(-0.5 * z * z)) / (Math.sqrt(2 * Math.PI) * Math.abs(p[2]));
    },
    binIntegral(a, b, p) {
      return p[0] * gaussianMass(a, b, p[1], Math.abs(p[2]));
    },
    guess(h, use) {
      const c = binCentres(h);
      let s0 = 0, s1 = 0, s2 = 0;
      for (let i = 0; i < c.length; i++) {
        if (!use[i]) continue;
        const n = Math.max(h.values[i], 0);
        s0 += n; s1 += n * c[i]; s2 += n * c[i] * c[i];
      }
      if (!(s0 > 0)) throw new ShapeError('gaussianModel.guess: the histogram is empty');
      const mu = s1 / s0;
      return Float64Array.of(s0, mu, Math.sqrt(Math.max(s2 / s0 - mu * mu, 1e-12)));
    },
  };
}

/**
 * Background plus a Gaussian signal of fixed mean and width with free yield s (the last parameter):
 * f(m) = b(m; p) + s · N(m; mean, width).
 */
export function backgroundPlusSignal(background: SpectrumModel, mean: number, width: number): SpectrumModel {
  if (!(width > 0)) throw new ConfigError(`backgroundPlusSignal: width must be > 0, got ${width}`);
  return backgroundPlusShape(background, gaussianModel(), [mean, width], `${background.name}+gauss(${mean},${width})`);
}

/**
 * Background plus a signal of fixed shape with free yield s (the last parameter, `signalYield`):
 * f(m) = b(m; p) + s · g(m; shape), where `signal` is a model whose first parameter is its yield (as
 * {@link gaussianModel} and {@link crystalBallModel}) and `shape` its remaining parameters, held fixed
 * (seed 004: the signal shape from the signal-only fit, only its normalisation free).
 */
export function backgroundPlusShape(background: SpectrumModel, signal: SpectrumModel, shape: readonly number[], name?: string): SpectrumModel {
  if (shape.length !== signal.paramNames.length - 1)
    throw new ConfigError(`backgroundPlusShape: ${signal.name} has ${signal.paramNames.length - 1} shape parameters (${signal.paramNames.slice(1).join(', ')}), got ${shape.length}`);
  const nb = background.paramNames.length;
  const unit = Float64Array.from([1, ...shape]);
  const sigMass = signal.binIntegral
    ? (a: number, b: number) => signal.binIntegral!(a, b, unit)
    : (a: number, b: number) => quadrature((m) => signal.density(m, unit), a, b);
  const sigDensity = (m: number) => signal.density(m, unit);
  return {
    name: name ?? `${background.name}+${signal.name}(${shape.map((v) => Number(v.toPrecision(4))).join(',')})`,
    paramNames: [...background.paramNames, 'signalYield'],
    density(m, p) {
      return background.density(m, p) + p[nb] * sigDensity(m);
    },
    binIntegral(a, b, p) {
      const bkg = background.binIntegral ? background.binIntegral(a, b, p) : quadrature((m) => background.density(m, p), a, b);
      return bkg + p[nb] * sigMass(a, b);
    },
    guess(h, use) {
      const g = background.guess ? background.guess(h, use) : new Float64Array(nb);
      const p = new Float64Array(nb + 1);
      p.set(g);
      return p;
    },
    reparametrise(h, use) {
      // background in its decorrelated parameters, the signal yield as it is
      const r = background.reparametrise?.(h, use);
      if (!r) return null;
      const n = nb + 1;
      const split = (v: ArrayLike<number>): [number[], number] => [Array.from({ length: nb }, (_, i) => v[i]), v[nb]];
      return {
        toModel(q) { const [b, s] = split(q); const p = new Float64Array(n); p.set(r.toModel(b)); p[nb] = s; return p; },
        density: r.density ? (m, q) => r.density!(m, q) + q[nb] * sigDensity(m) : undefined,
        binIntegral: r.density ? (a, b, q) => quadrature((m) => r.density!(m, q), a, b) + q[nb] * sigMass(a, b) : undefined,
        fromModel(p) { const [b, s] = split(p); const q = new Float64Array(n); q.set(r.fromModel(b)); q[nb] = s; return q; },
        jacobian(q) {
          const Jb = r.jacobian(split(q)[0]);
          const J = new Float64Array(n * n);
          for (let i = 0; i < nb; i++) for (let j = 0; j < nb; j++) J[i * n + j] = Jb[i * nb + j];
          J[n * n - 1] = 1;
          return J;
        },
      };
    },
  };
}

/**
 * Crystal Ball peak (Oreglia; a Gaussian core with a power-law low-side tail, e.g. from energy lost
 * out of a jet cone): parameters [yield, mean, sigma, alpha, n], with t = (m − mean)/sigma,
 * g ∝ exp(−t²/2) for t > −alpha and A (B − t)^−n below, A = (n/alpha)^n e^(−alpha²/2), B = n/alpha − alpha.
 * Normalised to `yield` over the whole real line (needs alpha > 0, n > 1; NaN otherwise); bin
 * integrals are exact (Φ differences and the closed-form tail integral).
 */
export function crystalBallModel(): SpectrumModel {
  // ∫_{−∞}^{t} of the unnormalised shape, and the total
  const parts = (alpha: number, n: number) => {
    const tail = (n / alpha / (n - 1)) * Math.exp(-0.5 * alpha * alpha);
    const A = Math.pow(n / alpha, n) * Math.exp(-0.5 * alpha * alpha), B = n / alpha - alpha;
    const cdf = (t: number): number =>
      t <= -alpha ? (A * Math.pow(B - t, 1 - n)) / (n - 1) : tail + Math.sqrt(2 * Math.PI) * (normalCdf(t) - normalCdf(-alpha));
    return { A, B, cdf, total: tail + Math.sqrt(2 * Math.PI) * normalCdf(alpha) };
  };
  const valid = (p: ArrayLike<number>) => p[2] > 0 && p[3] > 0 && p[4] > 1;
  return {
    name: 'crystalball',
    paramNames: ['yield', 'mean', 'sigma', 'alpha', 'n'],
    density(m, p) {
      if (!valid(p)) return NaN;
      const { A, B, total } = parts(p[3], p[4]);
      const t = (m - p[1]) / p[2];
      const g = t > -p[3] ? Math.exp(-0.5 * t * t) : A * Math.pow(B - t, -p[4]);
      return (p[0] * g) / (total * p[2]);
    },
    binIntegral(a, b, p) {
      if (!valid(p)) return NaN;
      const { cdf, total } = parts(p[3], p[4]);
      return (p[0] * (cdf((b - p[1]) / p[2]) - cdf((a - p[1]) / p[2]))) / total;
    },
    guess(h, use) {
      const g = gaussianModel().guess!(h, use);
      return Float64Array.of(g[0], g[1], g[2], 1.5, 5);
    },
  };
}

/**
 * Polynomial background of degree `degree` in t = (m − centre)/halfWidth (the fit range mapped to
 * [−1, 1], so the coefficients are of one scale): parameters [c0, …, c_degree], density Σ c_j t^j.
 * Linear in its parameters: the χ² fit is a linear least-squares problem.
 */
export function polynomialModel(degree: number, range: readonly [number, number]): SpectrumModel {
  if (!(Number.isInteger(degree) && degree >= 0 && degree <= 8)) throw new ConfigError(`polynomialModel: degree must be an integer in [0, 8], got ${degree}`);
  if (!(range[1] > range[0])) throw new ConfigError(`polynomialModel: range must be [low, high] with high > low, got [${range.join(', ')}]`);
  const centre = 0.5 * (range[0] + range[1]), half = 0.5 * (range[1] - range[0]);
  const k = degree + 1;
  const powers = (m: number): number[] => { const t = (m - centre) / half; const r = [1]; for (let j = 1; j < k; j++) r.push(r[j - 1] * t); return r; };
  return {
    name: `poly${degree}`,
    paramNames: Array.from({ length: k }, (_, j) => `c${j}`),
    density(m, p) {
      const t = (m - centre) / half;
      let s = 0;
      for (let j = k - 1; j >= 0; j--) s = s * t + p[j];
      return s;
    },
    guess(h, use) {
      // weighted linear least squares of density ≈ n/width on the used bins
      const c = binCentres(h), w = binWidths(h);
      const A = new Float64Array(k * k), b = new Float64Array(k);
      let nUsed = 0;
      for (let i = 0; i < c.length; i++) {
        if (!use[i] || !(h.variances[i] > 0)) continue;
        const row = powers(c[i]);
        const y = h.values[i] / w[i], wt = (w[i] * w[i]) / h.variances[i];
        for (let a = 0; a < k; a++) { b[a] += wt * row[a] * y; for (let d = 0; d < k; d++) A[a * k + d] += wt * row[a] * row[d]; }
        nUsed++;
      }
      if (nUsed < k) throw new ShapeError(`polynomialModel.guess: ${nUsed} usable bins for ${k} coefficients`);
      const inv = invertSymmetric(A, k);
      const p = new Float64Array(k);
      if (inv) for (let a = 0; a < k; a++) for (let d = 0; d < k; d++) p[a] += inv[a * k + d] * b[d];
      return p;
    },
  };
}
