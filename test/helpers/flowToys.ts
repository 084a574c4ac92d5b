/**
 * Analytic conditional toy with a known density (the flow closure tests):
 * m ~ U(3, 4); x1 = μ(m) + σ(m)·z1, x2 = 0.5·x1 + 0.3·σ(m)·z2, x3 = 1 + 0.5·σ(m)·z3.
 */
import { createRng, type Rng } from '../../lib/util/rng.js';
import type { Matrix } from '../../lib/ml/matrix.js';

const LOG_2PI = Math.log(2 * Math.PI);
const mu = (m: number): number => 2 * (m - 3.5);
const sigma = (m: number): number => 0.4 + 0.6 * (m - 3);

/** n events (or one per given mass) with their true log-density. */
export function conditionalGaussianToy(n: number, rng: Rng, masses?: Float64Array): { x: Matrix<Float64Array>; m: Float64Array; logP: Float64Array } {
  const x = new Float64Array(n * 3), m = masses ?? new Float64Array(n), logP = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!masses) m[i] = 3 + rng.uniform();
    const s = sigma(m[i]);
    const z1 = rng.normal(), z2 = rng.normal(), z3 = rng.normal();
    x[3 * i] = mu(m[i]) + s * z1;
    x[3 * i + 1] = 0.5 * x[3 * i] + 0.3 * s * z2;
    x[3 * i + 2] = 1 + 0.5 * s * z3;
    logP[i] = -0.5 * (z1 * z1 + z2 * z2 + z3 * z3) - 1.5 * LOG_2PI - Math.log(s) - Math.log(0.3 * s) - Math.log(0.5 * s);
  }
  return { x: { data: x, rows: n, cols: 3 }, m, logP };
}


/** Small 2-D sideband-like sample: x depends on m (flow API tests). */
export function sidebandLike2d(n: number, seed: number): { x: Matrix<Float64Array>; m: Float64Array } {
  const r = createRng(seed);
  const x = new Float64Array(n * 2), m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = 2.5 + 2 * r.uniform();
    x[2 * i] = 0.1 * m[i] + 0.05 * r.normal();
    x[2 * i + 1] = Math.exp(0.3 * r.normal()) + x[2 * i];
  }
  return { x: { data: x, rows: n, cols: 2 }, m };
}

/** log|det J| of a 3-D map x → z at x0 from central differences with step h. */
export function numericalLogDet3(forwardZ: (x: Float64Array) => Float64Array, x0: Float64Array, h: number): number {
  const J: number[][] = [];
  for (let a = 0; a < 3; a++) {
    const xp = Float64Array.from(x0); xp[a] += h;
    const xm = Float64Array.from(x0); xm[a] -= h;
    const zp = forwardZ(xp), zm = forwardZ(xm);
    J.push(Array.from({ length: 3 }, (_, b) => (zp[b] - zm[b]) / (2 * h)));
  }
  const det = J[0][0] * (J[1][1] * J[2][2] - J[1][2] * J[2][1]) - J[0][1] * (J[1][0] * J[2][2] - J[1][2] * J[2][0]) + J[0][2] * (J[1][0] * J[2][1] - J[1][1] * J[2][0]);
  return Math.log(Math.abs(det));
}

/**
 * A sample built to provoke overflow in a flow's inverse (issue 21): a Cauchy feature (heavy tails:
 * a few extreme events set the min–max range, so the bulk sits in a narrow logit peak), a feature
 * pressed against its upper bound (1 − exponential·1e-3, most events within 1e-3 of the edge) and a
 * log-normal one, all shifting with m ∈ (3, 4).
 */
export function overflowToy(n: number, seed: number): { x: Matrix<Float64Array>; m: Float64Array } {
  const r = createRng(seed);
  const x = new Float64Array(n * 3), m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = 3 + r.uniform();
    x[3 * i] = 0.05 * Math.tan(Math.PI * (r.uniform() - 0.5)) + 0.1 * m[i];
    x[3 * i + 1] = 1 - 1e-3 * (m[i] - 2.5) * -Math.log(1 - r.uniform());
    x[3 * i + 2] = Math.exp(1.5 * r.normal() + 0.3 * m[i]);
  }
  return { x: { data: x, rows: n, cols: 3 }, m };
}
