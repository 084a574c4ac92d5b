/**
 * Small dense linear algebra for fits (a handful of parameters) and Gaussian processes (a few hundred
 * points). Matrices are row-major Float64Array, n × n; inputs are not mutated.
 */

/**
 * Cholesky factor L (lower, row-major) of a symmetric positive-definite matrix, A = L Lᵀ.
 * Returns null when A is not positive definite.
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      const li = i * n, lj = j * n;
      for (let k = 0; k < j; k++) s -= l[li + k] * l[lj + k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[li + i] = Math.sqrt(s);
      } else l[li + j] = s / l[lj + j];
    }
  }
  return l;
}

/** Solve L Lᵀ x = b given the Cholesky factor L. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = y[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * y[k];
    y[i] = s / l[i * n + i];
  }
  return y;
}

/** Solve L y = b (forward substitution only). */
export function forwardSolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = y[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  return y;
}

/**
 * Inverse of a general square matrix by Gauss–Jordan elimination with partial pivoting.
 * Returns null when the matrix is singular to working precision.
 */
export function invert(a: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]));
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[p * n + c])) p = r;
    const piv = m[p * n + c];
    if (!(Math.abs(piv) > 1e-14 * scale)) return null;
    if (p !== c)
      for (let k = 0; k < n; k++) {
        let t = m[c * n + k]; m[c * n + k] = m[p * n + k]; m[p * n + k] = t;
        t = inv[c * n + k]; inv[c * n + k] = inv[p * n + k]; inv[p * n + k] = t;
      }
    for (let k = 0; k < n; k++) { m[c * n + k] /= piv; inv[c * n + k] /= piv; }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) { m[r * n + k] -= f * m[c * n + k]; inv[r * n + k] -= f * inv[c * n + k]; }
    }
  }
  return inv;
}

/**
 * Inverse of a symmetric positive-(semi)definite matrix, computed on the diagonally scaled matrix
 * D⁻¹ A D⁻¹ (D = sqrt(diag A)) so parameters of very different sizes do not spoil the pivoting.
 * Returns null when singular.
 */
export function invertSymmetric(a: Float64Array, n: number): Float64Array | null {
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = a[i * n + i];
    if (!(v > 0)) return null;
    d[i] = Math.sqrt(v);
  }
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = a[i * n + j] / (d[i] * d[j]);
  const l = cholesky(s, n);
  let inv: Float64Array | null;
  if (l) {
    inv = new Float64Array(n * n);
    const e = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      e.fill(0); e[j] = 1;
      const col = choleskySolve(l, n, e);
      for (let i = 0; i < n; i++) inv[i * n + j] = col[i];
    }
  } else inv = invert(s, n);
  if (!inv) return null;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) inv[i * n + j] /= d[i] * d[j];
  return inv;
}

/** y = A x for an n × n matrix. */
export function matVec(a: Float64Array, n: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * x[k];
    y[i] = s;
  }
  return y;
}

/** Solve A x = b for a general matrix (via `invert`); null when singular. */
export function solve(a: Float64Array, n: number, b: ArrayLike<number>): Float64Array | null {
  const inv = invert(a, n);
  return inv ? matVec(inv, n, b) : null;
}
