/**
 * Székely's distance correlation between two 1-D variables.
 *
 * dCov²_n(x, y) = (1/n²) Σ_ij a_ij b_ij − (2/n³) Σ_i a_i· b_i· + (1/n⁴) a·· b··, with a_ij = |x_i − x_j|,
 * b_ij = |y_i − y_j| and a_i· the row sums (the V-statistic of Székely, Rizzo & Bakirov 2007);
 * dCor² = dCov²(x, y) / √(dCov²(x, x) dCov²(y, y)). It is 0 only for independent variables and 1 for
 * y = a x + b, so it sees the non-linear dependence on m_JJ that a Pearson correlation misses.
 *
 * The cross term Σ_ij a_ij b_ij is computed in O(n log n) after Huo & Székely (2016) / Chaudhuri & Hu
 * (2019): in x-sorted order, (x_i − x_j)(y_i − y_j) sign(y_i − y_j) summed over j < i splits into four
 * partial sums over earlier points below / above y_i, each read from a Fenwick tree over y-ranks. Row
 * sums need only a sort and prefix sums. That makes 10⁶ events a matter of a second.
 */
import type { Rng } from '../util/rng.js';
import { InputError, ShapeError } from '../util/errors.js';

/** Distance-correlation options. */
export interface DcorOptions {
  /** Bias-corrected U-statistic (Székely & Rizzo 2014) instead of the V-statistic; can be negative. Default false. */
  readonly unbiased: boolean;
}
export const DCOR_DEFAULTS: Readonly<DcorOptions> = Object.freeze({ unbiased: false });

/** The pieces of dCov² that a permutation test reuses. */
interface Marginal {
  /** Centred copy of the variable (distances are translation invariant; centring limits cancellation). */
  readonly v: Float64Array;
  /** Row sums a_i· = Σ_j |v_i − v_j|. */
  readonly rowSums: Float64Array;
  /** a·· = Σ_i a_i·. */
  readonly total: number;
  /** Σ_ij a_ij² = 2n Σ v² − 2 (Σ v)². */
  readonly sumSquares: number;
  /** Indices sorting `v` ascending, and each event's 1-based position in that order. */
  readonly order: Uint32Array;
  readonly rank: Uint32Array;
}

function checkPair(x: ArrayLike<number>, y: ArrayLike<number>, where: string): void {
  if (x.length !== y.length) throw new ShapeError(`${where}: x has ${x.length} entries, y has ${y.length}`);
  if (x.length < 2) throw new InputError(`${where}: need at least 2 events, got ${x.length}`);
}

function marginal(values: ArrayLike<number>, name: string, where: string): Marginal {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const t = values[i];
    if (!Number.isFinite(t)) throw new InputError(`${where}: ${name}[${i}] is ${t}; distance correlation needs finite values`);
    mean += t;
  }
  mean /= n;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = values[i] - mean;
  const order = sortedOrder(v);
  // a_i· = Σ_j |v_i − v_j| = v_i (2k − n) + (S − 2 P_k) for v_i at sorted position k, with P_k the sum of
  // the k smaller values and S the total (ties contribute 0 either way).
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) { s += v[i]; s2 += v[i] * v[i]; }
  const rowSums = new Float64Array(n), rank = new Uint32Array(n);
  let prefix = 0, total = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    rank[i] = k + 1;
    const r = v[i] * (2 * k - n) + (s - 2 * prefix);
    rowSums[i] = r;
    total += r;
    prefix += v[i];
  }
  return { v, rowSums, total, sumSquares: 2 * n * s2 - 2 * s * s, order, rank };
}

function sortedOrder(v: Float64Array): Uint32Array {
  const order = new Uint32Array(v.length);
  for (let i = 0; i < v.length; i++) order[i] = i;
  return order.sort((a, b) => v[a] - v[b] || a - b);
}

/**
 * Σ_ij |x_i − x_j| |y_i − y_j| in O(n log n). `xOrder` sorts x ascending; `yRank` is each event's rank in y
 * (1-based, ties share no rank: equal y contribute 0 whatever their sign).
 */
function crossSum(x: Float64Array, y: Float64Array, xOrder: Uint32Array, yRank: Uint32Array): number {
  const n = x.length;
  // Four Fenwick trees over y-rank: counts, Σx, Σy, Σxy of the points already visited.
  const c = new Float64Array(n + 1), fx = new Float64Array(n + 1), fy = new Float64Array(n + 1), fxy = new Float64Array(n + 1);
  let tc = 0, tx = 0, ty = 0, txy = 0, sum = 0;
  for (let k = 0; k < n; k++) {
    const i = xOrder[k], r = yRank[i];
    const xi = x[i], yi = y[i];
    // Prefix sums over earlier points with smaller y.
    let lc = 0, lx = 0, ly = 0, lxy = 0;
    for (let j = r - 1; j > 0; j -= j & -j) { lc += c[j]; lx += fx[j]; ly += fy[j]; lxy += fxy[j]; }
    // Σ_{j<i} s_ij w_j with s = +1 below y_i, −1 above: 2·below − all.
    const sc = 2 * lc - tc, sx = 2 * lx - tx, sy = 2 * ly - ty, sxy = 2 * lxy - txy;
    sum += xi * yi * sc - xi * sy - yi * sx + sxy;
    for (let j = r; j <= n; j += j & -j) { c[j] += 1; fx[j] += xi; fy[j] += yi; fxy[j] += xi * yi; }
    tc += 1; tx += xi; ty += yi; txy += xi * yi;
  }
  return 2 * sum;
}

/** dCov² from its pieces: V-statistic, or the U-statistic (needs n > 3). */
function dcov2(n: number, sumAB: number, sumRowAB: number, totalA: number, totalB: number, unbiased: boolean): number {
  if (!unbiased) return sumAB / n ** 2 - (2 * sumRowAB) / n ** 3 + (totalA * totalB) / n ** 4;
  // U-statistic (Huo & Székely 2016, eq. 3.3); Σ_{i≠j} a_ij b_ij = Σ_ij since a_ii = 0.
  return sumAB / (n * (n - 3)) - (2 * sumRowAB) / (n * (n - 2) * (n - 3)) + (totalA * totalB) / (n * (n - 1) * (n - 2) * (n - 3));
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Result of {@link distanceCorrelation}. */
export interface DistanceCorrelation {
  /** dCor = √(dCor²) (V-statistic); for `unbiased`, the signed square root of the bias-corrected dCor². */
  readonly dCor: number;
  /** dCor² itself. */
  readonly dCor2: number;
  /** dCov²(x, y). */
  readonly dCov2: number;
  /** dVar²(x) = dCov²(x, x) and dVar²(y). */
  readonly dVar2X: number;
  readonly dVar2Y: number;
  /** Number of events. */
  readonly n: number;
}

function fromPieces(n: number, dCov2: number, dVar2X: number, dVar2Y: number): DistanceCorrelation {
  const den = Math.sqrt(dVar2X * dVar2Y);
  // A constant variable has dVar² = 0: dCor is defined as 0 then.
  const dCor2 = den > 0 ? dCov2 / den : 0;
  return { dCor: Math.sign(dCor2) * Math.sqrt(Math.abs(dCor2)), dCor2, dCov2, dVar2X, dVar2Y, n };
}

/**
 * Distance correlation of two equally long 1-D samples in O(n log n).
 * @example distanceCorrelation(mJJ, deltaR).dCor // 0 for independent variables, 1 for y = a x + b
 */
export function distanceCorrelation(x: ArrayLike<number>, y: ArrayLike<number>, options: Partial<DcorOptions> = {}): DistanceCorrelation {
  const { unbiased } = { ...DCOR_DEFAULTS, ...options };
  checkPair(x, y, 'distanceCorrelation');
  const n = x.length;
  if (unbiased && n < 4) throw new InputError(`distanceCorrelation: the unbiased estimator needs at least 4 events, got ${n}`);
  return fromMarginals(marginal(x, 'x', 'distanceCorrelation'), marginal(y, 'y', 'distanceCorrelation'), unbiased);
}

function fromMarginals(mx: Marginal, my: Marginal, unbiased: boolean): DistanceCorrelation {
  const n = mx.v.length;
  const sAB = crossSum(mx.v, my.v, mx.order, my.rank);
  const cov = dcov2(n, sAB, dot(mx.rowSums, my.rowSums), mx.total, my.total, unbiased);
  const varX = dcov2(n, mx.sumSquares, dot(mx.rowSums, mx.rowSums), mx.total, mx.total, unbiased);
  const varY = dcov2(n, my.sumSquares, dot(my.rowSums, my.rowSums), my.total, my.total, unbiased);
  return fromPieces(n, cov, varX, varY);
}

/**
 * The O(n²) definition for multivariate samples (rows of `x` and `y`, Euclidean distances): the reference
 * the fast 1-D algorithm is tested against, and usable as such for a few thousand events.
 */
export function distanceCorrelationExact(x: readonly ArrayLike<number>[], y: readonly ArrayLike<number>[], options: Partial<DcorOptions> = {}): DistanceCorrelation {
  const { unbiased } = { ...DCOR_DEFAULTS, ...options };
  const n = x.length;
  if (y.length !== n) throw new ShapeError(`distanceCorrelationExact: x has ${n} rows, y has ${y.length}`);
  if (n < (unbiased ? 4 : 2)) throw new InputError(`distanceCorrelationExact: too few events (${n})`);
  const dist = (rows: readonly ArrayLike<number>[]): Float64Array => {
    const d = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < rows[i].length; k++) s += (rows[i][k] - rows[j][k]) ** 2;
      d[i * n + j] = Math.sqrt(s);
    }
    return d;
  };
  // Double-centred (V) or U-centred distance matrices, then the mean of the elementwise product.
  const centre = (d: Float64Array): Float64Array => {
    const row = new Float64Array(n);
    let tot = 0;
    for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += d[i * n + j]; row[i] = s; tot += s; }
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      if (unbiased) A[i * n + j] = i === j ? 0 : d[i * n + j] - row[i] / (n - 2) - row[j] / (n - 2) + tot / ((n - 1) * (n - 2));
      else A[i * n + j] = d[i * n + j] - row[i] / n - row[j] / n + tot / (n * n);
    }
    return A;
  };
  const A = centre(dist(x)), B = centre(dist(y));
  const norm = unbiased ? n * (n - 3) : n * n;
  const prod = (P: Float64Array, Q: Float64Array) => dot(P, Q) / norm;
  return fromPieces(n, prod(A, B), prod(A, A), prod(B, B));
}

/** Result of {@link distanceCorrelationTest}. */
export interface DistanceCorrelationTest extends DistanceCorrelation {
  /** Permutation p-value (1 + #{dCov²_perm ≥ dCov²_obs}) / (1 + permutations). */
  readonly pValue: number;
  readonly permutations: number;
}

/**
 * Permutation test of independence: dCov² of x against randomly permuted y, each permutation in
 * O(n log n) (the marginal pieces are computed once).
 */
export function distanceCorrelationTest(x: ArrayLike<number>, y: ArrayLike<number>, permutations: number, rng: Rng, options: Partial<DcorOptions> = {}): DistanceCorrelationTest {
  if (!Number.isInteger(permutations) || permutations < 1) throw new InputError(`distanceCorrelationTest: permutations must be a positive integer, got ${permutations}`);
  const { unbiased } = { ...DCOR_DEFAULTS, ...options };
  checkPair(x, y, 'distanceCorrelationTest');
  const n = x.length;
  if (unbiased && n < 4) throw new InputError(`distanceCorrelationTest: the unbiased estimator needs at least 4 events, got ${n}`);
  const mx = marginal(x, 'x', 'distanceCorrelationTest'), my = marginal(y, 'y', 'distanceCorrelationTest');
  const observed = fromMarginals(mx, my, unbiased);
  const xOrder = mx.order, yRank = my.rank;
  const yp = new Float64Array(n), rp = new Uint32Array(n), rowp = new Float64Array(n);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    const perm = rng.permutation(n);
    for (let i = 0; i < n; i++) { const j = perm[i]; yp[i] = my.v[j]; rp[i] = yRank[j]; rowp[i] = my.rowSums[j]; }
    const cov = dcov2(n, crossSum(mx.v, yp, xOrder, rp), dot(mx.rowSums, rowp), mx.total, my.total, unbiased);
    if (cov >= observed.dCov2) atLeast++;
  }
  return { ...observed, pValue: (1 + atLeast) / (1 + permutations), permutations };
}
