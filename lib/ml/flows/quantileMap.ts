/**
 * A smooth monotone map of one feature onto a standard normal variable, fitted to its training
 * quantiles: knots (x_k, z_k) with z evenly spaced in normal-quantile space and x the empirical
 * quantile at Φ(z_k), joined by a monotone cubic Hermite interpolant (PCHIP, Fritsch & Carlson 1980).
 * The map is C¹, so a density transformed by it has no jumps at the knots (a piecewise-linear map's
 * slope changes there, and a flow fitted in z would have to follow the resulting sawtooth).
 */
import { InputError } from '../../util/errors.js';
import { normalCdf, normalQuantile } from '../../util/special.js';

/** Knots of one feature's quantile map: x (original units), z (standard normal), dz/dx at each knot. */
export interface QuantileMap {
  readonly x: number[];
  readonly z: number[];
  readonly slope: number[];
}

/**
 * Segments of the map, evenly spaced in z between the normal quantiles of the smallest and largest
 * training events: each knot a well-measured quantile (the flow models what the map leaves
 * non-Gaussian), the tails their own segments.
 */
export const QUANTILE_MAP_SEGMENTS = 48;

/** The quantile map of one feature from its sorted training values (`feature` names it in errors). */
export function fitQuantileMap(sorted: Float64Array, feature: number | string, segments = QUANTILE_MAP_SEGMENTS): QuantileMap {
  const n = sorted.length;
  if (n < 2) throw new InputError(`quantile map: feature ${feature} has fewer than 2 events inside its training range`);
  const zEdge = -normalQuantile(1 / (n + 1));
  const x: number[] = [], z: number[] = [];
  let runStart = 0; // z of the first grid point of the current knot's run of equal x
  for (let k = 0; k <= segments; k++) {
    const zk = -zEdge + (2 * zEdge * k) / segments;
    // Order statistic i (0-based) sits at plotting position (i + 1)/(n + 1).
    const pos = Math.min(n - 1, Math.max(0, normalCdf(zk) * (n + 1) - 1));
    const i = Math.floor(pos), f = pos - i;
    const xk = i + 1 < n ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[n - 1];
    if (x.length === 0 || xk > x[x.length - 1]) { x.push(xk); z.push(zk); runStart = zk; }
    // Ties (a value taken by many events) collapse into one knot, placed at the middle of the z span its
    // grid points cover: the map stays strictly increasing and the tied events sit at their median z.
    else z[z.length - 1] = 0.5 * (runStart + zk);
  }
  if (x.length < 2) throw new InputError(`quantile map: feature ${feature} takes a single value inside its training range; the map needs two`);
  return { x, z, slope: pchipSlopes(x, z) };
}

/**
 * Fritsch–Carlson knot derivatives of increasing data: the weighted harmonic mean of the neighbouring
 * secants inside (which keeps every segment monotone), the secant at the ends.
 */
function pchipSlopes(x: readonly number[], z: readonly number[]): number[] {
  const K = x.length - 1;
  const h = (k: number): number => x[k + 1] - x[k];
  const secant = (k: number): number => (z[k + 1] - z[k]) / h(k);
  const d = new Array<number>(K + 1);
  d[0] = secant(0);
  d[K] = secant(K - 1);
  for (let k = 1; k < K; k++) {
    const w1 = 2 * h(k) + h(k - 1), w2 = h(k) + 2 * h(k - 1);
    d[k] = (w1 + w2) / (w1 / secant(k - 1) + w2 / secant(k));
  }
  return d;
}

/** The segment k of strictly increasing knots t with t[k] ≤ v < t[k + 1], clamped to the first and last. */
function segmentOf(t: readonly number[], v: number): number {
  let lo = 0, hi = t.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (t[mid] <= v) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Hermite cubic of segment k at t ∈ [0, 1]: z and dz/dx. */
function hermite(q: QuantileMap, k: number, t: number): { z: number; dzdx: number } {
  const h = q.x[k + 1] - q.x[k];
  const z0 = q.z[k], z1 = q.z[k + 1], d0 = q.slope[k] * h, d1 = q.slope[k + 1] * h;
  const t2 = t * t, t3 = t2 * t;
  const z = (2 * t3 - 3 * t2 + 1) * z0 + (t3 - 2 * t2 + t) * d0 + (-2 * t3 + 3 * t2) * z1 + (t3 - t2) * d1;
  const dz = (6 * t2 - 6 * t) * z0 + (3 * t2 - 4 * t + 1) * d0 + (-6 * t2 + 6 * t) * z1 + (3 * t2 - 2 * t) * d1;
  return { z, dzdx: dz / h };
}

/**
 * z(x) and dz/dx. Beyond the outer knots the map continues as a straight line with the end slope
 * (such an x lies outside the training range, which the flow's range check refuses anyway).
 */
export function toNormal(q: QuantileMap, v: number): { z: number; dzdx: number } {
  const K = q.x.length - 1;
  if (v <= q.x[0]) return { z: q.z[0] + (v - q.x[0]) * q.slope[0], dzdx: q.slope[0] };
  if (v >= q.x[K]) return { z: q.z[K] + (v - q.x[K]) * q.slope[K], dzdx: q.slope[K] };
  const k = segmentOf(q.x, v);
  return hermite(q, k, (v - q.x[k]) / (q.x[k + 1] - q.x[k]));
}

/** x(z), the inverse of {@link toNormal}: the segment by its z knots, then Newton steps kept inside a shrinking bracket. */
export function fromNormal(q: QuantileMap, zv: number): number {
  const K = q.x.length - 1;
  if (!Number.isFinite(zv)) return NaN;
  if (zv <= q.z[0]) return q.x[0] + (zv - q.z[0]) / q.slope[0];
  if (zv >= q.z[K]) return q.x[K] + (zv - q.z[K]) / q.slope[K];
  const k = segmentOf(q.z, zv);
  const h = q.x[k + 1] - q.x[k];
  let lo = 0, hi = 1, t = (zv - q.z[k]) / (q.z[k + 1] - q.z[k]);
  for (let it = 0; it < 60; it++) {
    const { z, dzdx } = hermite(q, k, t);
    const r = z - zv;
    if (r > 0) hi = t; else lo = t;
    if (Math.abs(r) < 1e-13 || hi - lo < 1e-15) break;
    const next = t - r / (dzdx * h);
    t = next > lo && next < hi ? next : 0.5 * (lo + hi);
  }
  return q.x[k] + t * h;
}
