/**
 * A small weighted 1-D histogram in the spirit of boost-histogram's `Weight` storage: per bin the sum
 * of weights Σw (`values`) and the sum of squared weights Σw² (`variances`). For unweighted counts
 * Σw² = Σw = n, the Poisson variance.
 */
import { ConfigError, InputError, ShapeError } from '../../util/errors.js';

/** Bin edges (ascending, length nBins + 1), Σw and Σw² per bin. Arrays are owned by the histogram. */
export interface Histogram {
  readonly edges: Float64Array;
  readonly values: Float64Array;
  readonly variances: Float64Array;
}

function checkEdges(edges: ArrayLike<number>, where: string): Float64Array {
  if (edges.length < 2) throw new ShapeError(`${where}: need at least 2 bin edges, got ${edges.length}`);
  const e = Float64Array.from(edges);
  for (let i = 0; i < e.length; i++) {
    if (!Number.isFinite(e[i])) throw new InputError(`${where}: edge ${i} is ${e[i]}, expected a finite number`);
    if (i > 0 && !(e[i] > e[i - 1])) throw new InputError(`${where}: edges must increase strictly; edge ${i} = ${e[i]} ≤ edge ${i - 1} = ${e[i - 1]}`);
  }
  return e;
}

/**
 * Index of the bin [edges[k], edges[k+1]) holding `v` (binary search over ascending edges), or −1
 * when `v` is outside [edges[0], edges[n]) or NaN.
 */
export function binIndex(edges: ArrayLike<number>, v: number): number {
  const nb = edges.length - 1;
  if (!(v >= edges[0] && v < edges[nb])) return -1;
  let a = 0, b = nb;
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if (v >= edges[m]) a = m; else b = m;
  }
  return a;
}

/**
 * Fill a histogram from event values and optional per-event weights. Events outside
 * [edges[0], edges[n]) are dropped (no flow bins), as are NaNs.
 */
export function fillHistogram(x: ArrayLike<number>, edges: ArrayLike<number>, opts: { weights?: ArrayLike<number> } = {}): Histogram {
  const e = checkEdges(edges, 'fillHistogram');
  const w = opts.weights;
  if (w && w.length !== x.length) throw new ShapeError(`fillHistogram: weights has ${w.length} entries, x has ${x.length}`);
  const nb = e.length - 1;
  const values = new Float64Array(nb);
  const variances = new Float64Array(nb);
  for (let i = 0; i < x.length; i++) {
    const a = binIndex(e, x[i]);
    if (a < 0) continue;
    const wi = w ? w[i] : 1;
    values[a] += wi;
    variances[a] += wi * wi;
  }
  return { edges: e, values, variances };
}

/**
 * A histogram from bin contents. Without `variances`, the contents are taken as unweighted counts
 * and the Poisson variance Σw² = n is used.
 */
export function histogramFromCounts(edges: ArrayLike<number>, values: ArrayLike<number>, variances?: ArrayLike<number>): Histogram {
  const e = checkEdges(edges, 'histogramFromCounts');
  if (values.length !== e.length - 1) throw new ShapeError(`histogramFromCounts: ${values.length} bin values for ${e.length} edges (expected ${e.length - 1})`);
  if (variances && variances.length !== values.length) throw new ShapeError(`histogramFromCounts: ${variances.length} variances for ${values.length} bins`);
  const v = Float64Array.from(values);
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new InputError(`histogramFromCounts: bin ${i} value is ${v[i]}`);
  const s2 = variances ? Float64Array.from(variances) : Float64Array.from(v, Math.abs);
  for (let i = 0; i < s2.length; i++) if (!(s2[i] >= 0)) throw new InputError(`histogramFromCounts: bin ${i} variance is ${s2[i]}, expected ≥ 0`);
  return { edges: e, values: v, variances: s2 };
}

/** Bin centres. */
export function binCentres(h: Histogram): Float64Array {
  const n = h.values.length;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = 0.5 * (h.edges[i] + h.edges[i + 1]);
  return c;
}

/** Bin widths. */
export function binWidths(h: Histogram): Float64Array {
  const n = h.values.length;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = h.edges[i + 1] - h.edges[i];
  return c;
}

/** True when every bin has Σw² = Σw (unit weights), i.e. plain Poisson counts. */
export function isUnweighted(h: Histogram): boolean {
  for (let i = 0; i < h.values.length; i++) {
    const n = h.values[i];
    if (Math.abs(h.variances[i] - n) > 1e-9 * Math.max(1, n) || Math.abs(n - Math.round(n)) > 1e-9 * Math.max(1, n)) return false;
  }
  return true;
}

/** Total Σw. */
export const histogramSum = (h: Histogram): number => h.values.reduce((a, b) => a + b, 0);

/**
 * Fill `bins` equal-width bins over [lo, hi) (bin = ⌊(x − lo)/(hi − lo) · bins⌋, O(1) per event;
 * edges lo + (hi − lo)·i/bins). Events outside, and NaNs, are dropped; `variances` holds Σw².
 */
export function fillUniformHistogram(x: ArrayLike<number>, lo: number, hi: number, bins: number, opts: { weights?: ArrayLike<number> } = {}): Histogram {
  if (!(hi > lo) || !Number.isInteger(bins) || bins < 1) throw new ConfigError(`fillUniformHistogram: need hi > lo and an integer bins ≥ 1, got [${lo}, ${hi}) in ${bins} bins`);
  const w = opts.weights;
  if (w && w.length !== x.length) throw new ShapeError(`fillUniformHistogram: weights has ${w.length} entries, x has ${x.length}`);
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const values = new Float64Array(bins);
  const variances = new Float64Array(bins);
  for (let i = 0; i < x.length; i++) {
    const b = Math.floor(((x[i] - lo) / (hi - lo)) * bins);
    if (!(b >= 0 && b < bins)) continue;
    const wi = w ? w[i] : 1;
    values[b] += wi;
    variances[b] += wi * wi;
  }
  return { edges, values, variances };
}
