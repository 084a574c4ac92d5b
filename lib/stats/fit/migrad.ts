/**
 * A Minuit-like quasi-Newton minimiser ("Migrad": James & Roos, Comput. Phys. Commun. 10 (1975) 343)
 * for general cost functions such as −ln L:
 * - numerical Hessian at the start (steps adapted to the curvature, as Minuit's Hesse) gives the
 *   first inverse-Hessian estimate V;
 * - variable-metric iterations: step −V g, backtracking line search, BFGS update of V;
 * - convergence when the estimated distance to the minimum EDM = ½ gᵀ V g < 0.002 · tolerance · up
 *   (Minuit's criterion);
 * - final numerical Hessian H; covariance = 2 · up · H⁻¹ (up = 1 for χ², ½ for −ln L).
 * Gradients are central differences with steps ≈ 10⁻³ of each parameter's current error estimate.
 */
import { ConfigError } from '../../util/errors.js';
import { cholesky, invertSymmetric, matVec } from './linalg.js';

export const MIGRAD_DEFAULTS = Object.freeze({
  /** Error definition: ΔF giving 1σ — 1 for χ², 0.5 for −ln L. */
  up: 1 as number,
  /** Minuit tolerance: stop when EDM < 0.002 · tolerance · up. */
  tolerance: 0.1 as number,
  maxIterations: 1000 as number,
  /** Initial step sizes (≈ expected errors); default 0.1 · max(|p|, 0.01). */
  initialSteps: undefined as readonly number[] | undefined,
  /**
   * A covariance estimate (row-major) from an earlier fit: Migrad then works in the whitened
   * coordinates u with p = p_start + L u (L Lᵀ = covariance), where strongly correlated parameters
   * become a well-conditioned problem. Results are reported in the original parameters.
   */
  initialCovariance: undefined as ArrayLike<number> | undefined,
});
export type MigradOptions = Partial<typeof MIGRAD_DEFAULTS>;

export interface MigradResult {
  params: Float64Array;
  /** 2·up·H⁻¹ from the final numerical Hessian; null if H is not positive definite. */
  covariance: Float64Array | null;
  /** Cost at the minimum. */
  fval: number;
  /** Estimated distance to minimum at the end. */
  edm: number;
  iterations: number;
  nCalls: number;
  converged: boolean;
}

/**
 * Numerical Hessian with per-parameter steps tuned to ≈ 0.005 of each parameter's error
 * (Minuit's Hesse idea: steps are a fraction of the parameter errors, so roundoff stays negligible).
 * Returns the Hessian and the steps used.
 */
export function numericalHessian(f: (p: Float64Array) => number, p: Float64Array, up: number, steps0: ArrayLike<number>, f0 = f(p)): { hessian: Float64Array; steps: Float64Array } {
  const n = p.length;
  const q = Float64Array.from(p);
  const h = Float64Array.from(steps0);
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 8; k++) {
      q[i] = p[i] + h[i]; const fp = f(q);
      q[i] = p[i] - h[i]; const fm = f(q);
      q[i] = p[i];
      const d2 = (fp + fm - 2 * f0) / (h[i] * h[i]);
      if (!Number.isFinite(d2)) { h[i] *= 0.1; continue; }
      diag[i] = d2;
      if (d2 <= 0) { h[i] *= 10; continue; }
      // aim for a step of 0.005σ, σ = sqrt(2·up/d2): small enough that cubic/quartic terms of
      // strongly non-parabolic costs (dijet normalisations) do not bias the curvature, large enough
      // that F changes by ~1e-5·up, far above double-precision roundoff
      const target = 0.005 * Math.sqrt((2 * up) / d2);
      const ratio = target / h[i];
      h[i] = target;
      if (ratio > 0.5 && ratio < 2) {
        q[i] = p[i] + h[i]; const fp2 = f(q);
        q[i] = p[i] - h[i]; const fm2 = f(q);
        q[i] = p[i];
        const d2b = (fp2 + fm2 - 2 * f0) / (h[i] * h[i]);
        if (Number.isFinite(d2b) && d2b > 0) diag[i] = d2b;
        break;
      }
    }
  }
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) H[i * n + i] = diag[i];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      q[i] = p[i] + h[i]; q[j] = p[j] + h[j]; const fpp = f(q);
      q[j] = p[j] - h[j]; const fpm = f(q);
      q[i] = p[i] - h[i]; const fmm = f(q);
      q[j] = p[j] + h[j]; const fmp = f(q);
      q[i] = p[i]; q[j] = p[j];
      const v = (fpp - fpm - fmp + fmm) / (4 * h[i] * h[j]);
      H[i * n + j] = H[j * n + i] = v;
    }
  return { hessian: H, steps: h };
}

function gradient(f: (p: Float64Array) => number, p: Float64Array, h: Float64Array): Float64Array {
  const n = p.length;
  const g = new Float64Array(n);
  const q = Float64Array.from(p);
  for (let i = 0; i < n; i++) {
    const hi = h[i];
    q[i] = p[i] + hi; const fp = f(q);
    q[i] = p[i] - hi; const fm = f(q);
    q[i] = p[i];
    g[i] = (fp - fm) / (2 * hi);
  }
  return g;
}

/** Inverse Hessian, falling back to the inverse of |diagonal| when H is not positive definite. */
function safeInverse(H: Float64Array, n: number, steps: Float64Array): Float64Array {
  const inv = invertSymmetric(H, n);
  if (inv) {
    let ok = true;
    for (let i = 0; i < n; i++) if (!(inv[i * n + i] > 0)) ok = false;
    if (ok) return inv;
  }
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const d = Math.abs(H[i * n + i]);
    V[i * n + i] = d > 0 ? 1 / d : (steps[i] * 20) ** 2;
  }
  return V;
}

/** Minimise `cost` from `start`. Non-finite cost values are treated as +∞ (the line search backs off). */
export function migrad(cost: (p: Float64Array) => number, start: ArrayLike<number>, options: MigradOptions = {}): MigradResult {
  const n = start.length;
  const C = options.initialCovariance;
  if (C) {
    if (C.length !== n * n) throw new ConfigError(`migrad: initialCovariance has ${C.length} entries, expected ${n * n}`);
    const L = cholesky(Float64Array.from(C), n);
    if (L) {
      const p0 = Float64Array.from(start);
      const toP = (u: ArrayLike<number>): Float64Array => {
        const p = Float64Array.from(p0);
        for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) p[i] += L[i * n + k] * u[k];
        return p;
      };
      const r = migradPlain((u) => cost(toP(u)), new Float64Array(n), { ...options, initialCovariance: undefined, initialSteps: new Array<number>(n).fill(1) });
      // back-transform: cov_p = L cov_u Lᵀ
      let cov: Float64Array | null = null;
      if (r.covariance) {
        const LC = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k <= i; k++) s += L[i * n + k] * r.covariance[k * n + j]; LC[i * n + j] = s; }
        cov = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k <= j; k++) s += LC[i * n + k] * L[j * n + k]; cov[i * n + j] = s; }
      }
      return { ...r, params: toP(r.params), covariance: cov };
    }
  }
  return migradPlain(cost, start, options);
}

function migradPlain(cost: (p: Float64Array) => number, start: ArrayLike<number>, options: MigradOptions): MigradResult {
  const o = { ...MIGRAD_DEFAULTS, ...options };
  const n = start.length;
  if (!(o.up > 0)) throw new ConfigError(`migrad: up must be > 0, got ${o.up}`);
  if (o.initialSteps && o.initialSteps.length !== n) throw new ConfigError(`migrad: initialSteps has ${o.initialSteps.length} entries for ${n} parameters`);
  let nCalls = 0;
  const f = (p: Float64Array): number => {
    nCalls++;
    const v = cost(p);
    return Number.isFinite(v) ? v : Infinity;
  };
  let p = Float64Array.from(start);
  let fp = f(p);
  if (!Number.isFinite(fp)) throw new ConfigError(`migrad: cost is not finite at the starting point [${Array.from(p).join(', ')}]`);
  const steps0 = o.initialSteps ? Float64Array.from(o.initialSteps) : Float64Array.from(p, (v) => 0.1 * Math.max(Math.abs(v), 0.01));
  let { hessian: H, steps } = numericalHessian(f, p, o.up, steps0, fp);
  let V = safeInverse(H, n, steps);
  const gSteps = (): Float64Array => Float64Array.from(steps, (s, i) => Math.max(0.02 * s, 1e-12 * Math.max(1, Math.abs(p[i]))));
  let g = gradient(f, p, gSteps());
  let edm = Infinity;
  let converged = false;
  let it = 0;
  let restarts = 0;
  while (it < o.maxIterations) {
    it++;
    const Vg = matVec(V, n, g);
    edm = 0;
    for (let i = 0; i < n; i++) edm += 0.5 * g[i] * Vg[i];
    if (edm < 0) {
      // V lost positive definiteness: rebuild from a fresh Hessian.
      ({ hessian: H, steps } = numericalHessian(f, p, o.up, steps, fp));
      V = safeInverse(H, n, steps);
      if (++restarts > 5) break;
      continue;
    }
    if (edm < 0.002 * o.tolerance * o.up) { converged = true; break; }
    // backtracking line search along d = −V g
    let alpha = 1;
    let pn = p, fn = Infinity;
    for (let k = 0; k < 30; k++) {
      const trial = new Float64Array(n);
      for (let i = 0; i < n; i++) trial[i] = p[i] - alpha * Vg[i];
      const ft = f(trial);
      if (ft < fp - 1e-4 * alpha * 2 * edm || (ft < fp && k > 10)) { pn = trial; fn = ft; break; }
      alpha *= k < 2 ? 0.5 : 0.2;
    }
    if (!(fn < fp)) {
      // No progress along the quasi-Newton direction: refresh the Hessian once, else stop.
      if (++restarts > 5) break;
      ({ hessian: H, steps } = numericalHessian(f, p, o.up, steps, fp));
      V = safeInverse(H, n, steps);
      g = gradient(f, p, gSteps());
      continue;
    }
    const gn = gradient(f, pn, gSteps());
    // BFGS update of the inverse Hessian V
    const s = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) { s[i] = pn[i] - p[i]; y[i] = gn[i] - g[i]; }
    let sy = 0;
    for (let i = 0; i < n; i++) sy += s[i] * y[i];
    if (sy > 1e-300) {
      const Vy = matVec(V, n, y);
      let yVy = 0;
      for (let i = 0; i < n; i++) yVy += y[i] * Vy[i];
      const c1 = (sy + yVy) / (sy * sy);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          V[i * n + j] += c1 * s[i] * s[j] - (Vy[i] * s[j] + s[i] * Vy[j]) / sy;
    }
    p = pn; fp = fn; g = gn;
  }
  ({ hessian: H, steps } = numericalHessian(f, p, o.up, steps, fp));
  const Hinv = invertSymmetric(H, n);
  let covariance: Float64Array | null = null;
  if (Hinv) {
    let ok = true;
    for (let i = 0; i < n; i++) if (!(Hinv[i * n + i] > 0)) ok = false;
    if (ok) covariance = Hinv.map((v) => 2 * o.up * v);
    // EDM with the accurate Hessian, for the report.
    const Vg = matVec(Hinv, n, g);
    let e = 0;
    for (let i = 0; i < n; i++) e += 0.5 * g[i] * Vg[i];
    edm = e;
  }
  return { params: p, covariance, fval: fp, edm, iterations: it, nCalls, converged };
}
