/** Per-feature standardisation x' = (x − mean) / std, fitted on training rows and stored in the model. */
import type { Matrix } from '../matrix.js';

export interface Standardisation {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** Mean and standard deviation (population) of each column over the given rows (all if omitted). Constant columns get std 1. */
export function fitStandardisation(X: Matrix, rows?: ArrayLike<number>): Standardisation {
  const d = X.cols, n = rows ? rows.length : X.rows;
  const mean = new Float64Array(d), m2 = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const o = (rows ? rows[r] : r) * d;
    for (let j = 0; j < d; j++) mean[j] += X.data[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= Math.max(n, 1);
  for (let r = 0; r < n; r++) {
    const o = (rows ? rows[r] : r) * d;
    for (let j = 0; j < d; j++) { const t = X.data[o + j] - mean[j]; m2[j] += t * t; }
  }
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) { const s = Math.sqrt(m2[j] / Math.max(n, 1)); std[j] = s > 0 && Number.isFinite(s) ? s : 1; }
  return { mean, std };
}

/** Standardised copy of the given rows as Float32 (row-major, rows.length × d). */
export function standardiseRows(X: Matrix, st: Standardisation, rows?: ArrayLike<number>): Float32Array {
  const d = X.cols, n = rows ? rows.length : X.rows;
  const out = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const o = (rows ? rows[r] : r) * d;
    for (let j = 0; j < d; j++) out[r * d + j] = (X.data[o + j] - st.mean[j]) / st.std[j];
  }
  return out;
}
