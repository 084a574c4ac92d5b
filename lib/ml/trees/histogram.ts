/**
 * Gradient/hessian histogram kernels — the hot loop of the boosted trees. Pure functions on typed
 * arrays, no allocation. Layout of a histogram: for feature f and bin b, the triple
 * (Σ gradient, Σ hessian, count) at hist[(f · BIN_STRIDE + b) · 3 + {0, 1, 2}] (Float64).
 * Bins are row-major Uint8: bin of sample i, feature f at bins[i · nFeatures + f]. With few
 * features (4–10 here) one sample's bins share a cache line, so one gathered read serves every
 * feature's histogram, and the per-feature accumulations are independent chains (no
 * store-to-load stalls from consecutive equal bins of one feature).
 */
import { BIN_STRIDE } from './binning.js';

/** Length of one histogram for `nFeatures` features. */
export const histogramLength = (nFeatures: number): number => nFeatures * BIN_STRIDE * 3;

/**
 * Per-bin sample counts of all samples (the root's count column), computed once per set of bins:
 * counts[(f · BIN_STRIDE + b)] — the root's counts do not change between boosting iterations.
 */
export function rootCountsInto(counts: Float64Array, bins: Uint8Array, nSamples: number, nFeatures: number): void {
  counts.fill(0);
  for (let i = 0, o = 0; i < nSamples; i++) for (let f = 0; f < nFeatures; f++, o++) counts[f * BIN_STRIDE + bins[o]] += 1;
}

/**
 * Histogram of all samples 0..nSamples−1 in order (the root node), with the count column copied
 * from `rootCounts` (see rootCountsInto) instead of re-counted. Overwrites `hist`.
 */
export function rootHistogramInto(hist: Float64Array, bins: Uint8Array, nSamples: number, nFeatures: number, grad: Float64Array, hess: Float64Array, rootCounts: Float64Array): void {
  hist.fill(0);
  if (nFeatures === 4) {
    for (let i = 0, o = 0; i < nSamples; i++, o += 4) {
      const g = grad[i], h = hess[i];
      const k0 = bins[o] * 3, k1 = (BIN_STRIDE + bins[o + 1]) * 3, k2 = (2 * BIN_STRIDE + bins[o + 2]) * 3, k3 = (3 * BIN_STRIDE + bins[o + 3]) * 3;
      hist[k0] += g; hist[k0 + 1] += h;
      hist[k1] += g; hist[k1 + 1] += h;
      hist[k2] += g; hist[k2 + 1] += h;
      hist[k3] += g; hist[k3 + 1] += h;
    }
  } else {
    for (let i = 0, o = 0; i < nSamples; i++) {
      const g = grad[i], h = hess[i];
      for (let f = 0; f < nFeatures; f++, o++) {
        const k = (f * BIN_STRIDE + bins[o]) * 3;
        hist[k] += g; hist[k + 1] += h;
      }
    }
  }
  for (let j = 0, n = nFeatures * BIN_STRIDE; j < n; j++) hist[j * 3 + 2] = rootCounts[j];
}

/** Histogram of the samples idx[start..end) of a node. Overwrites `hist`. */
export function nodeHistogramInto(
  hist: Float64Array,
  bins: Uint8Array,
  nFeatures: number,
  grad: Float64Array,
  hess: Float64Array,
  idx: Uint32Array,
  start: number,
  end: number,
): void {
  hist.fill(0);
  if (nFeatures === 4) {
    for (let i = start; i < end; i++) {
      const s = idx[i];
      const g = grad[s], h = hess[s];
      const o = s * 4;
      const k0 = bins[o] * 3, k1 = (BIN_STRIDE + bins[o + 1]) * 3, k2 = (2 * BIN_STRIDE + bins[o + 2]) * 3, k3 = (3 * BIN_STRIDE + bins[o + 3]) * 3;
      hist[k0] += g; hist[k0 + 1] += h; hist[k0 + 2] += 1;
      hist[k1] += g; hist[k1 + 1] += h; hist[k1 + 2] += 1;
      hist[k2] += g; hist[k2 + 1] += h; hist[k2 + 2] += 1;
      hist[k3] += g; hist[k3 + 1] += h; hist[k3 + 2] += 1;
    }
    return;
  }
  for (let i = start; i < end; i++) {
    const s = idx[i];
    const g = grad[s], h = hess[s];
    let o = s * nFeatures;
    for (let f = 0; f < nFeatures; f++, o++) {
      const k = (f * BIN_STRIDE + bins[o]) * 3;
      hist[k] += g; hist[k + 1] += h; hist[k + 2] += 1;
    }
  }
}

/** The subtraction trick: sibling = parent − child, written over `parent` (in place). */
export function subtractHistogramInPlace(parent: Float64Array, child: Float64Array, nFeatures: number): void {
  const n = nFeatures * BIN_STRIDE * 3;
  for (let k = 0; k < n; k++) parent[k] -= child[k];
}
