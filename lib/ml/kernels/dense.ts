/**
 * Dense kernels on row-major Float32Array buffers — the plain-TypeScript reference implementation.
 * Every fast backend (WebAssembly SIMD) implements exactly these signatures and is tested against
 * these loops. Kernels are pure: no allocation, output buffer first, `…Into` writes `out`.
 *
 * Shapes: A is M×K, B is K×N, C is M×N unless the name says a transpose (T = transposed operand).
 */

/**
 * C = A·B (+ C if `accumulate`). A: M×K, B: K×N.
 * `kEnd` (optional, N integers): column j of B is zero from row kEnd[j] on (a MADE mask); those
 * terms are skipped — the result is the same, bit for bit.
 */
export function gemmNNInto(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false, kEnd?: Float32Array): void {
  if (!accumulate) C.fill(0, 0, M * N);
  // Column j takes rows k < kEnd[j]: with kEnd, the columns a row k still feeds are those with kEnd > k.
  for (let i = 0; i < M; i++) {
    const ci = i * N;
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k];
      if (a === 0) continue;
      const bk = k * N;
      for (let j = 0; j < N; j++) if (!kEnd || k < kEnd[j]) C[ci + j] += a * B[bk + j];
    }
  }
}

/**
 * C = A·Bᵀ (+ C). A: M×K, B: N×K (e.g. backprop of input gradients through a layer stored out×in).
 * `kStart` (optional, N integers): row j of B is zero before column kStart[j]; skipped.
 */
export function gemmNTInto(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false, kStart?: Float32Array): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = accumulate ? C[i * N + j] : 0;
      for (let k = kStart ? Math.min(kStart[j], K) : 0; k < K; k++) s += A[i * K + k] * B[j * K + k];
      C[i * N + j] = s;
    }
  }
}

/**
 * C = Aᵀ·B (+ C). A: K×M, B: K×N (e.g. weight gradients: inputsᵀ · output gradients over a batch of K rows).
 * `jStart` (optional, M integers): only C[i, j] with j ≥ jStart[i] are needed (gradients of MADE
 * weights that are not masked); the others are set to 0 (left as is with `accumulate`), though a
 * fast backend may still compute a few just below jStart.
 */
export function gemmTNInto(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false, jStart?: Float32Array): void {
  if (!accumulate) C.fill(0, 0, M * N);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < M; i++) {
      const a = A[k * M + i];
      if (a === 0) continue;
      for (let j = jStart ? Math.min(jStart[i], N) : 0; j < N; j++) C[i * N + j] += a * B[k * N + j];
    }
  }
}

/** In place: X[i, j] = relu(X[i, j] + bias[j]) if `relu`, else X[i, j] + bias[j]. X: M×N. */
export function biasActivationInto(X: Float32Array, bias: Float32Array, M: number, N: number, relu: boolean): void {
  for (let i = 0; i < M; i++) {
    const o = i * N;
    for (let j = 0; j < N; j++) {
      const v = X[o + j] + bias[j];
      X[o + j] = relu && v < 0 ? 0 : v;
    }
  }
}

/**
 * ReLU backward fused with the bias gradient: G[i, j] = 0 where the activation Y[i, j] ≤ 0;
 * biasGrad[j] = Σ_i G[i, j] (overwritten). G, Y: M×N.
 */
export function reluBackwardBiasGradInto(biasGrad: Float32Array, G: Float32Array, Y: Float32Array, M: number, N: number): void {
  biasGrad.fill(0, 0, N);
  for (let i = 0; i < M; i++) {
    const o = i * N;
    for (let j = 0; j < N; j++) {
      if (Y[o + j] <= 0) G[o + j] = 0;
      biasGrad[j] += G[o + j];
    }
  }
}

/** biasGrad[j] = Σ_i G[i, j] (no activation). */
export function biasGradInto(biasGrad: Float32Array, G: Float32Array, M: number, N: number): void {
  biasGrad.fill(0, 0, N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) biasGrad[j] += G[i * N + j];
}

/**
 * One Adam(W) step over a flat parameter buffer (Kingma & Ba 2015; decoupled weight decay,
 * Loshchilov & Hutter 2019). `step` is 1-based. m, v are the moment buffers (same length as w).
 */
export function adamStepInto(
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  step: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number,
): void {
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2 = 1 - Math.pow(beta2, step);
  for (let i = 0; i < w.length; i++) {
    const gi = g[i];
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
    const mh = m[i] / bc1;
    const vh = v[i] / bc2;
    w[i] -= lr * (mh / (Math.sqrt(vh) + eps) + weightDecay * w[i]);
  }
}
