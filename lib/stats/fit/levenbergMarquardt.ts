/**
 * Levenberg–Marquardt least squares: minimise χ²(p) = Σ_i r_i(p)² for residuals r_i = (y_i − μ_i(p))/σ_i.
 * Steps solve (JᵀJ + λ diag JᵀJ) δ = −Jᵀr (Marquardt 1963, with Fletcher's diagonal scaling so that
 * parameters of very different magnitudes are treated alike); λ shrinks ×10 on an accepted step and
 * grows ×10 on a rejected one. The Jacobian is by central differences. At the minimum the covariance
 * is (JᵀJ)⁻¹ — the ∆χ² = 1 errors of a χ² fit.
 */
import { ConfigError } from '../../util/errors.js';
import { invertSymmetric } from './linalg.js';

export const LM_DEFAULTS = Object.freeze({
  /** Maximum number of accepted + rejected steps. */
  maxIterations: 500 as number,
  /** Stop when an accepted step lowers χ² by less than this (absolute) and by less than tolerance × χ². */
  tolerance: 1e-10 as number,
  /** Initial damping λ. */
  lambda0: 1e-3 as number,
  /** Typical parameter sizes: the central-difference step is 1e-6 · max(|p_j|, scale_j). */
  scales: undefined as readonly number[] | undefined,
});
export type LmOptions = Partial<typeof LM_DEFAULTS>;

export interface LmResult {
  params: Float64Array;
  /** (JᵀJ)⁻¹ at the minimum; null if singular (a parameter the data do not constrain). */
  covariance: Float64Array | null;
  /** Σ r² at the minimum. */
  chi2: number;
  iterations: number;
  converged: boolean;
  /** Residuals at the minimum. */
  residuals: Float64Array;
}

function sumSq(r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i] * r[i];
  return s;
}

/** Central-difference Jacobian J[i, j] = ∂r_i/∂p_j (row-major, m × n). */
function jacobian(f: (p: Float64Array) => Float64Array, p: Float64Array, m: number, scales: readonly number[] | undefined): Float64Array {
  const n = p.length;
  const J = new Float64Array(m * n);
  const q = Float64Array.from(p);
  for (let j = 0; j < n; j++) {
    const h = 1e-6 * Math.max(Math.abs(p[j]), scales?.[j] ?? 1e-3);
    q[j] = p[j] + h;
    const rp = f(q);
    q[j] = p[j] - h;
    const rm = f(q);
    q[j] = p[j];
    for (let i = 0; i < m; i++) J[i * n + j] = (rp[i] - rm[i]) / (2 * h);
  }
  return J;
}

/**
 * The Marquardt iteration shared by the χ² and Poisson fits: solve (A + λ diag A) δ = −g, accept the
 * step when the objective does not increase (λ ÷ 10) and reject it otherwise (λ × 10). Converged when
 * the accepted decrease is below `tolerance` (relative) or the step vanishes, or when λ grows so large
 * that no descent direction is left. `evaluate(trial)` returns the objective there and a `commit`
 * callback that makes the trial the caller's current point; `rebuild()` then refills A and g there.
 */
function marquardtLoop(
  start: Float64Array, startValue: number, A: Float64Array, g: Float64Array, o: Required<Pick<LmOptions, 'lambda0' | 'maxIterations' | 'tolerance'>> & LmOptions,
  evaluate: (trial: Float64Array) => { value: number; commit: () => void }, rebuild: () => void,
): { params: Float64Array; value: number; iterations: number; converged: boolean } {
  const n = start.length;
  let p = start, value = startValue, lambda = o.lambda0, converged = false, it = 0;
  while (it < o.maxIterations) {
    it++;
    const damped = Float64Array.from(A);
    for (let a = 0; a < n; a++) damped[a * n + a] = A[a * n + a] * (1 + lambda) + (A[a * n + a] === 0 ? lambda : 0);
    const inv = invertSymmetric(damped, n);
    if (!inv) { lambda *= 10; if (lambda > 1e16) break; continue; }
    const trial = new Float64Array(n);
    let stepSize = 0;
    for (let a = 0; a < n; a++) {
      let d = 0;
      for (let b = 0; b < n; b++) d -= inv[a * n + b] * g[b];
      trial[a] = p[a] + d;
      stepSize = Math.max(stepSize, Math.abs(d) / Math.max(Math.abs(p[a]), o.scales?.[a] ?? 1e-3));
    }
    const t = evaluate(trial);
    if (Number.isFinite(t.value) && t.value <= value) {
      const drop = value - t.value;
      p = trial; value = t.value;
      t.commit();
      lambda = Math.max(lambda / 10, 1e-12);
      if (drop <= o.tolerance * Math.max(1, value) || stepSize < 1e-12) { converged = true; break; }
      rebuild();
    } else {
      lambda *= 10;
      // λ this large means no descent direction is left: we sit at the minimum within precision.
      if (lambda > 1e12) { converged = true; break; }
    }
  }
  return { params: p, value, iterations: it, converged };
}

/**
 * Minimise Σ residuals(p)² from `start`. `residuals` must return a fresh or reusable Float64Array of
 * fixed length; non-finite residuals make a trial step count as rejected.
 */
export function levenbergMarquardt(residuals: (p: Float64Array) => Float64Array, start: ArrayLike<number>, options: LmOptions = {}): LmResult {
  const o = { ...LM_DEFAULTS, ...options };
  const n = start.length;
  if (o.scales && o.scales.length !== n) throw new ConfigError(`levenbergMarquardt: scales has ${o.scales.length} entries for ${n} parameters`);
  let p: Float64Array = Float64Array.from(start);
  let r: Float64Array = Float64Array.from(residuals(p));
  const m = r.length;
  let chi2 = sumSq(r);
  if (!Number.isFinite(chi2)) throw new ConfigError(`levenbergMarquardt: χ² is not finite at the starting point [${Array.from(p).join(', ')}]`);
  let J = jacobian(residuals, p, m, o.scales);
  const A = new Float64Array(n * n);
  const g = new Float64Array(n);
  const buildNormal = (): void => {
    A.fill(0); g.fill(0);
    for (let i = 0; i < m; i++) {
      const ri = r[i];
      for (let a = 0; a < n; a++) {
        const ja = J[i * n + a];
        g[a] += ja * ri;
        for (let b = 0; b <= a; b++) A[a * n + b] += ja * J[i * n + b];
      }
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) A[b * n + a] = A[a * n + b];
  };
  buildNormal();
  const run = marquardtLoop(p, chi2, A, g, o, (trial) => {
    const rt = Float64Array.from(residuals(trial));
    return { value: sumSq(rt), commit: () => { p = trial; r = rt; } };
  }, () => { J = jacobian(residuals, p, m, o.scales); buildNormal(); });
  p = run.params; chi2 = run.value;
  const { iterations: it, converged } = run;
  J = jacobian(residuals, p, m, o.scales);
  buildNormal();
  return { params: p, covariance: invertSymmetric(A, n), chi2, iterations: it, converged, residuals: r };
}

/**
 * Levenberg–Marquardt for a binned Poisson likelihood (Fisher scoring with Marquardt damping):
 * minimise the Baker–Cousins deviance D(p) = 2 Σ_i [ν_i − n_i + n_i ln(n_i/ν_i)] using
 * ∇D = 2 Σ_i (1 − n_i/ν_i) ∂ν_i/∂p and the expected information A = 2 Σ_i (∂ν_i/∂p)(∂ν_i/∂p)ᵀ/ν_i
 * as the Hessian; steps solve (A + λ diag A) δ = −∇D. Only first derivatives of ν are needed, so it is
 * robust for strongly correlated parameters (dijet fits). Covariance = 2 A⁻¹ = (Σ ∂ν∂νᵀ/ν)⁻¹.
 * `expected(p)` returns ν for the bins of `counts`.
 */
export function levenbergMarquardtPoisson(expected: (p: Float64Array) => Float64Array, counts: ArrayLike<number>, start: ArrayLike<number>, options: LmOptions = {}): { params: Float64Array; covariance: Float64Array | null; deviance: number; iterations: number; converged: boolean } {
  const o = { ...LM_DEFAULTS, ...options };
  const n = start.length;
  const m = counts.length;
  const dev = (nu: Float64Array): number => {
    let d = 0;
    for (let i = 0; i < m; i++) {
      const k = counts[i], mu = nu[i];
      if (!(mu > 0)) { if (mu === 0 && k === 0) continue; return Infinity; }
      d += k > 0 ? mu - k + k * Math.log(k / mu) : mu;
    }
    return 2 * d;
  };
  let p: Float64Array = Float64Array.from(start);
  let nu: Float64Array = Float64Array.from(expected(p));
  let D = dev(nu);
  if (!Number.isFinite(D)) throw new ConfigError(`levenbergMarquardtPoisson: deviance is not finite at the starting point [${Array.from(p).join(', ')}]`);
  const A = new Float64Array(n * n), g = new Float64Array(n);
  const build = (): void => {
    const J = jacobian((q) => Float64Array.from(expected(q)), p, m, o.scales);
    A.fill(0); g.fill(0);
    for (let i = 0; i < m; i++) {
      const mu = nu[i];
      if (!(mu > 0)) continue;
      const wi = 1 / mu, gi = 1 - counts[i] / mu;
      for (let a = 0; a < n; a++) {
        const ja = J[i * n + a];
        g[a] += 2 * gi * ja;
        for (let b = 0; b <= a; b++) A[a * n + b] += 2 * wi * ja * J[i * n + b];
      }
    }
    for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) A[b * n + a] = A[a * n + b];
  };
  build();
  const run = marquardtLoop(p, D, A, g, o, (trial) => {
    const nut = Float64Array.from(expected(trial));
    return { value: dev(nut), commit: () => { p = trial; nu = nut; } };
  }, build);
  p = run.params; D = run.value;
  const { iterations: it, converged } = run;
  build();
  const Ainv = invertSymmetric(A, n);
  return { params: p, covariance: Ainv ? Ainv.map((v) => 2 * v) : null, deviance: D, iterations: it, converged };
}
