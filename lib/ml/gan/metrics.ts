/**
 * Sample-quality metrics for generative background models (arXiv:2212.03763 §model selection):
 * a sample-wise log-likelihood of generated events under a kernel density of real events (and the
 * reverse, which penalises mode collapse), per-feature two-sample KS distances, and the difference of
 * the correlation matrices. All work on row-major matrices of the same columns.
 */
import type { Matrix } from '../matrix.js';
import { ShapeError } from '../../util/errors.js';

/** Scott's rule bandwidth n^(−1/(d+4)) for standardised d-dimensional data. */
export const scottBandwidth = (n: number, d: number): number => n ** (-1 / (d + 4));

/**
 * Mean over the rows of `points` of log p̂(point), p̂ the Gaussian KDE of `reference` with isotropic
 * bandwidth h (both in the same, standardised, space). O(n_points · n_reference · d).
 */
export function kdeMeanLogLikelihood(points: Matrix, reference: Matrix, h: number): number {
  const d = reference.cols;
  if (points.cols !== d) throw new ShapeError(`kdeMeanLogLikelihood: points have ${points.cols} columns, the reference ${d}`);
  const nr = reference.rows, P = points.data, R = reference.data;
  const inv2h2 = 1 / (2 * h * h);
  const logNorm = -Math.log(nr) - d * Math.log(h * Math.sqrt(2 * Math.PI));
  const e = new Float64Array(nr);
  let total = 0;
  for (let i = 0; i < points.rows; i++) {
    let mx = -Infinity;
    for (let j = 0; j < nr; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) { const t = P[i * d + k] - R[j * d + k]; s += t * t; }
      const v = -s * inv2h2;
      e[j] = v;
      if (v > mx) mx = v;
    }
    let acc = 0;
    for (let j = 0; j < nr; j++) acc += Math.exp(e[j] - mx);
    total += mx + Math.log(acc) + logNorm;
  }
  return total / points.rows;
}

/**
 * Like {@link kdeMeanLogLikelihood} with the reference split into groups (e.g. independent
 * generations): `pooled` is the mean log-density under the KDE of all groups together (less
 * finite-sample bias), `perGroup[g]` under the KDE of group g alone (for the spread). One pass.
 */
export function kdeMeanLogLikelihoodGroups(points: Matrix, groups: readonly Matrix[], h: number): { pooled: number; perGroup: number[] } {
  const d = points.cols, P = points.data, G = groups.length;
  for (const g of groups) if (g.cols !== d) throw new ShapeError(`kdeMeanLogLikelihoodGroups: points have ${d} columns, a group ${g.cols}`);
  const inv2h2 = 1 / (2 * h * h), logK = -d * Math.log(h * Math.sqrt(2 * Math.PI));
  const nAll = groups.reduce((a, g) => a + g.rows, 0);
  const per = new Float64Array(G);
  let pooled = 0;
  const sums = new Float64Array(G), maxes = new Float64Array(G), e = new Float64Array(Math.max(0, ...groups.map((g) => g.rows)));
  for (let i = 0; i < points.rows; i++) {
    let mx = -Infinity;
    for (let g = 0; g < G; g++) {
      const R = groups[g].data, nr = groups[g].rows;
      let gm = -Infinity;
      for (let j = 0; j < nr; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) { const t = P[i * d + k] - R[j * d + k]; s += t * t; }
        e[j] = -s * inv2h2;
        if (e[j] > gm) gm = e[j];
      }
      let acc = 0;
      for (let j = 0; j < nr; j++) acc += Math.exp(e[j] - gm);
      sums[g] = acc; maxes[g] = gm;
      per[g] += (gm + Math.log(acc) - Math.log(nr) + logK) / points.rows;
      if (gm > mx) mx = gm;
    }
    let tot = 0;
    for (let g = 0; g < G; g++) tot += sums[g] * Math.exp(maxes[g] - mx);
    pooled += (mx + Math.log(tot) - Math.log(nAll) + logK) / points.rows;
  }
  return { pooled, perGroup: Array.from(per) };
}

/** Two-sample Kolmogorov–Smirnov distance sup |F_a − F_b| of two 1-D samples. */
export function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = Float64Array.from(a).sort(), y = Float64Array.from(b).sort();
  let i = 0, j = 0, dmax = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    dmax = Math.max(dmax, Math.abs(i / x.length - j / y.length));
  }
  return dmax;
}

/** Pearson correlation matrix (d × d, row-major) of the columns of m. */
export function correlationMatrix(m: Matrix): Float64Array {
  const d = m.cols, n = m.rows;
  const mean = new Float64Array(d), c = new Float64Array(d * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += m.data[i * d + k] / n;
  for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) {
    const ta = m.data[i * d + a] - mean[a];
    for (let b = 0; b <= a; b++) c[a * d + b] += ta * (m.data[i * d + b] - mean[b]);
  }
  const out = new Float64Array(d * d);
  for (let a = 0; a < d; a++) for (let b = 0; b <= a; b++) {
    const r = c[a * d + b] / Math.sqrt(c[a * d + a] * c[b * d + b]);
    out[a * d + b] = r; out[b * d + a] = r;
  }
  return out;
}

/** Generated vs real: per-column KS distance and the correlation-matrix difference (generated − real). */
export interface SampleComparison {
  readonly ks: Float64Array;
  readonly correlationDifference: Float64Array;
  /** max |Δρ| over off-diagonal pairs. */
  readonly maxCorrelationDifference: number;
}

export function compareSamples(real: Matrix, generated: Matrix): SampleComparison {
  const d = real.cols;
  if (generated.cols !== d) throw new ShapeError(`compareSamples: generated has ${generated.cols} columns, real ${d}`);
  const col = (m: Matrix, k: number) => Float64Array.from({ length: m.rows }, (_, i) => m.data[i * d + k]);
  const ks = Float64Array.from({ length: d }, (_, k) => ksDistance(col(real, k), col(generated, k)));
  const cr = correlationMatrix(real), cg = correlationMatrix(generated);
  const diff = cg.map((v, i) => v - cr[i]);
  let mx = 0;
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) mx = Math.max(mx, Math.abs(diff[a * d + b]));
  return { ks, correlationDifference: diff, maxCorrelationDifference: mx };
}
