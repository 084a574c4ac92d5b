/**
 * Gradient/hessian histogram kernels — the hot loop of the boosted trees. Pure functions on typed
 * arrays, no allocation. Layout of a histogram: for feature f and bin b, the triple
 * (Σ gradient, Σ hessian, count) at hist[(f · BIN_STRIDE + b) · 3 + {0, 1, 2}] (Float64).
 * Bins are column-major Uint8: bin of sample i, feature f at bins[f · nSamples + i].
 */
import { BIN_STRIDE } from './binning.js';

/** Length of one histogram for `nFeatures` features. */
export const histogramLength = (nFeatures: number): number => nFeatures * BIN_STRIDE * 3;

/**
 * Histogram of all samples 0..nSamples−1 in order (the root node): sequential reads only.
 * Overwrites `hist`.
 */
export function rootHistogramInto(hist: Float64Array, bins: Uint8Array, nSamples: number, nFeatures: number, grad: Float64Array, hess: Float64Array): void {
  hist.fill(0);
  for (let f = 0; f < nFeatures; f++) {
    const col = bins.subarray(f * nSamples, (f + 1) * nSamples);
    const off = f * BIN_STRIDE * 3;
    for (let i = 0; i < nSamples; i++) {
      const k = off + col[i] * 3;
      hist[k] += grad[i];
      hist[k + 1] += hess[i];
      hist[k + 2] += 1;
    }
  }
}

/**
 * Histogram of the samples idx[start..end) of a node. `orderedGrad` / `orderedHess` are scratch
 * buffers (length ≥ end − start) into which the node's gradients are gathered once, so the
 * per-feature loops read them sequentially. Overwrites `hist`.
 */
export function nodeHistogramInto(
  hist: Float64Array,
  bins: Uint8Array,
  nSamples: number,
  nFeatures: number,
  grad: Float64Array,
  hess: Float64Array,
  idx: Uint32Array,
  start: number,
  end: number,
  orderedGrad: Float64Array,
  orderedHess: Float64Array,
): void {
  hist.fill(0);
  const m = end - start;
  for (let i = 0; i < m; i++) {
    const s = idx[start + i];
    orderedGrad[i] = grad[s];
    orderedHess[i] = hess[s];
  }
  for (let f = 0; f < nFeatures; f++) {
    const base = f * nSamples;
    const off = f * BIN_STRIDE * 3;
    for (let i = 0; i < m; i++) {
      const k = off + bins[base + idx[start + i]] * 3;
      hist[k] += orderedGrad[i];
      hist[k + 1] += orderedHess[i];
      hist[k + 2] += 1;
    }
  }
}

/** The subtraction trick: sibling = parent − child, written over `parent` (in place). */
export function subtractHistogramInPlace(parent: Float64Array, child: Float64Array, nFeatures: number): void {
  const n = nFeatures * BIN_STRIDE * 3;
  for (let k = 0; k < n; k++) parent[k] -= child[k];
}
