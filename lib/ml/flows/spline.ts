/**
 * Monotonic rational-quadratic spline with linear tails (Durkan et al. 2019, arXiv:1906.04032,
 * "Neural Spline Flows", §3.1 and appendix A), the elementwise transform of an RQ-NSF block.
 *
 * On [−B, B] the map has K bins. Its 3K − 1 unnormalised parameters θ (as a MADE emits them):
 * widths θ_w (K) and heights θ_h (K) through a softmax with a minimum bin size, interior knot
 * derivatives θ_d (K − 1) through a softplus with a minimum; the boundary derivatives are 1, so the
 * map continues as the identity outside [−B, B] (log-derivative 0). At θ = 0 the spline is the
 * identity (equal bins, unit derivatives) — the same conventions as nflows'
 * `unconstrained_rational_quadratic_spline`, whose derivative shift we copy.
 *
 * Element-wise and allocation-free: one {@link RqSpline} holds the scratch of one element. θ of an
 * element is read as theta[at + p·stride], p = 0 … 3K − 2 (widths, heights, derivatives). Only the
 * bin that holds x is built (its two knots and derivatives); the forward pass can leave its softmax
 * probabilities in a cache (`splineCacheSize(K)` float64 per element) for the backward pass.
 */

/** Smallest bin width and height as a fraction of 2B, and smallest knot derivative (nflows' defaults). */
export const SPLINE_MIN_BIN_WIDTH = 1e-3;
export const SPLINE_MIN_BIN_HEIGHT = 1e-3;
export const SPLINE_MIN_DERIVATIVE = 1e-3;
/** softplus(θ + shift) + min = 1 at θ = 0. */
export const SPLINE_DERIVATIVE_SHIFT = Math.log(Math.expm1(1 - SPLINE_MIN_DERIVATIVE));
const DERIVATIVE_SHIFT = SPLINE_DERIVATIVE_SHIFT;

/** Unnormalised parameters per dimension for K bins. */
export const splineParamsPerDim = (bins: number): number => 3 * bins - 1;

/** Float64 values per element of the forward → backward cache: bin, K width and K height probabilities, the bin's two knot derivatives. */
export const splineCacheSize = (bins: number): number => 2 * bins + 3;

type Vec = Float32Array | Float64Array;

const softplus = (a: number): number => (a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a)));
const sigmoid = (a: number): number => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)));

export class RqSpline {
  readonly bins: number;
  readonly bound: number;
  /** log f'(x) of the last {@link RqSpline.forward} call. */
  logDerivative = 0;
  /** Own cache slot (when the caller passes none). */
  private readonly own: Float64Array;
  // The bin in use: lower knot and span in x and y, derivatives at both ends.
  private x0 = 0; private w = 0; private y0 = 0; private h = 0; private d0 = 1; private d1 = 1;

  constructor(bins: number, bound: number) {
    this.bins = bins;
    this.bound = bound;
    this.own = new Float64Array(splineCacheSize(bins));
  }

  /** Softmax of θ[at + (first + i)·stride], i < K, into cache[cat + i]. */
  private softmaxInto(theta: Vec, at: number, stride: number, first: number, cache: Float64Array, cat: number): void {
    const K = this.bins;
    let mx = -Infinity;
    for (let i = 0; i < K; i++) { const v = theta[at + (first + i) * stride]; if (v > mx) mx = v; }
    let s = 0;
    for (let i = 0; i < K; i++) { const e = Math.exp(theta[at + (first + i) * stride] - mx); cache[cat + i] = e; s += e; }
    const inv = 1 / s;
    for (let i = 0; i < K; i++) cache[cat + i] *= inv;
  }

  /** Derivative at knot i (1 at the boundary knots 0 and K). */
  private derivative(theta: Vec, at: number, stride: number, i: number): number {
    return i === 0 || i === this.bins ? 1 : SPLINE_MIN_DERIVATIVE + softplus(theta[at + (2 * this.bins + i - 1) * stride] + DERIVATIVE_SHIFT);
  }

  /**
   * Knots of bin k from probabilities p = cache[pat …]: c_j = −B + 2B Σ_{i<j} (minBin + (1 − minBin·K) p_i),
   * c_0 = −B, c_K = B (summed in index order, so every caller gets the same numbers).
   * Returns c_k and writes c_{k+1} − c_k into this.span.
   */
  private span = 0;
  private knot(cache: Float64Array, pat: number, minBin: number, k: number): number {
    const K = this.bins, B = this.bound, scale = 1 - minBin * K;
    let cum = 0;
    for (let i = 0; i < k; i++) cum += minBin + scale * cache[pat + i];
    const lo = k === 0 ? -B : -B + 2 * B * cum;
    const hi = k === K - 1 ? B : -B + 2 * B * (cum + minBin + scale * cache[pat + k]);
    this.span = hi - lo;
    return lo;
  }

  /** First bin whose upper knot exceeds v (else K − 1), knots from probabilities cache[pat …]. */
  private search(cache: Float64Array, pat: number, minBin: number, v: number): number {
    const K = this.bins, B = this.bound, scale = 1 - minBin * K;
    let cum = 0;
    for (let i = 0; i < K - 1; i++) {
      cum += minBin + scale * cache[pat + i];
      if (v < -B + 2 * B * cum) return i;
    }
    return K - 1;
  }

  /** Bin geometry for bin k (probabilities in cache[cat + 1 …]; derivatives computed, or read back when `cached`). */
  private setBin(theta: Vec, at: number, stride: number, cache: Float64Array, cat: number, k: number, cached: boolean): void {
    const K = this.bins;
    this.x0 = this.knot(cache, cat + 1, SPLINE_MIN_BIN_WIDTH, k); this.w = this.span;
    this.y0 = this.knot(cache, cat + 1 + K, SPLINE_MIN_BIN_HEIGHT, k); this.h = this.span;
    if (cached) { this.d0 = cache[cat + 1 + 2 * K]; this.d1 = cache[cat + 2 + 2 * K]; return; }
    this.d0 = cache[cat + 1 + 2 * K] = this.derivative(theta, at, stride, k);
    this.d1 = cache[cat + 2 + 2 * K] = this.derivative(theta, at, stride, k + 1);
  }

  /**
   * The bin of x (−1 below −B, K above B). f is C¹ but f'' jumps at the knots, so log f' has kinks
   * there: a finite difference is only a derivative when the bin does not change.
   */
  binOf(theta: Vec, at: number, stride: number, x: number): number {
    if (x < -this.bound) return -1;
    if (x > this.bound) return this.bins;
    this.softmaxInto(theta, at, stride, 0, this.own, 1);
    return this.search(this.own, 1, SPLINE_MIN_BIN_WIDTH, x);
  }

  /**
   * y = f(x); log f'(x) into {@link RqSpline.logDerivative}. With `cache`, leaves the bin and the
   * softmax probabilities at cache[cat …] for {@link RqSpline.backward}.
   */
  forward(theta: Vec, at: number, stride: number, x: number, cache: Float64Array = this.own, cat = 0): number {
    const B = this.bound, K = this.bins;
    if (!(x >= -B && x <= B)) { this.logDerivative = 0; cache[cat] = -1; return x; }
    this.softmaxInto(theta, at, stride, 0, cache, cat + 1);
    this.softmaxInto(theta, at, stride, K, cache, cat + 1 + K);
    const k = this.search(cache, cat + 1, SPLINE_MIN_BIN_WIDTH, x);
    cache[cat] = k;
    this.setBin(theta, at, stride, cache, cat, k, false);
    const { w, h, d0, d1 } = this, s = h / w;
    const xi = (x - this.x0) / w, t = xi * (1 - xi);
    const den = s + (d0 + d1 - 2 * s) * t;
    const nd = d1 * xi * xi + 2 * s * t + d0 * (1 - xi) * (1 - xi);
    this.logDerivative = 2 * Math.log(s) + Math.log(nd) - 2 * Math.log(den);
    return this.y0 + (h * (s * xi * xi + d0 * t)) / den;
  }

  /** x = f⁻¹(y): the root in [0, 1] of the bin's quadratic, in the cancellation-free form. */
  inverse(theta: Vec, at: number, stride: number, y: number): number {
    const B = this.bound, K = this.bins, own = this.own;
    if (!(y >= -B && y <= B)) return y;
    this.softmaxInto(theta, at, stride, 0, own, 1);
    this.softmaxInto(theta, at, stride, K, own, 1 + K);
    this.setBin(theta, at, stride, own, 0, this.search(own, 1 + K, SPLINE_MIN_BIN_HEIGHT, y), false);
    const { w, h, d0, d1 } = this, s = h / w;
    const dy = y - this.y0, delta = d0 + d1 - 2 * s;
    const a = h * (s - d0) + dy * delta;
    const b = h * d0 - dy * delta;
    const c = -s * dy;
    const disc = Math.max(b * b - 4 * a * c, 0);
    const xi = (2 * c) / (-b - Math.sqrt(disc));
    return this.x0 + Math.min(Math.max(xi, 0), 1) * w;
  }

  /**
   * Backward of ℓ = gy·f(x) + gl·log f'(x): writes ∂ℓ/∂θ into grad[gat + p·gstride] (overwritten)
   * and returns ∂ℓ/∂x. By hand through the bin formula, the cumulative sums, softmax and softplus.
   * `cache`: what {@link RqSpline.forward} left there for the same θ and x (else recomputed).
   */
  backward(
    theta: Vec, at: number, stride: number, x: number, gy: number, gl: number, grad: Vec, gat: number, gstride: number,
    cache?: Float64Array, cat = 0,
  ): number {
    const K = this.bins, P = 3 * K - 1;
    if (!cache) { cache = this.own; cat = 0; this.forward(theta, at, stride, x, cache, cat); }
    const k = cache[cat];
    if (k < 0) {
      for (let p = 0; p < P; p++) grad[gat + p * gstride] = 0;
      return gy;
    }
    this.setBin(theta, at, stride, cache, cat, k, true);
    const { w, h, d0, d1 } = this, s = h / w;
    const xi = (x - this.x0) / w, t = xi * (1 - xi), omx = 1 - xi;
    const delta = d0 + d1 - 2 * s;
    const den = s + delta * t, den2 = den * den;
    const numR = s * xi * xi + d0 * t, R = numR / den;
    const nd = d1 * xi * xi + 2 * s * t + d0 * omx * omx;
    const dt = 1 - 2 * xi; // ∂t/∂ξ
    // Partial derivatives with (ξ, s, h, d0, d1) independent: R = y-part / h, L = log f'.
    const R_xi = ((2 * s * xi + d0 * dt) * den - numR * delta * dt) / den2;
    const R_s = (xi * xi * den - numR * (1 - 2 * t)) / den2;
    const R_d0 = (t * (den - numR)) / den2;
    const R_d1 = (-numR * t) / den2;
    const L_xi = (2 * d1 * xi + 2 * s * dt - 2 * d0 * omx) / nd - (2 * delta * dt) / den;
    const L_s = 2 / s + (2 * t) / nd - (2 * (1 - 2 * t)) / den;
    const L_d0 = (omx * omx) / nd - (2 * t) / den;
    const L_d1 = (xi * xi) / nd - (2 * t) / den;
    const G_xi = gy * h * R_xi + gl * L_xi;
    const G_s = gy * h * R_s + gl * L_s;
    const G_d0 = gy * h * R_d0 + gl * L_d0;
    const G_d1 = gy * h * R_d1 + gl * L_d1;
    // ξ = (x − c_k)/w, s = h/w, w = c_{k+1} − c_k, h = e_{k+1} − e_k (e: height knots).
    const gx = G_xi / w;
    const gw = -(G_xi * xi + G_s * s) / w;
    const gh = gy * R + G_s / w;
    // Widths: ∂ℓ/∂c_k = −G_ξ/w − ∂ℓ/∂w, ∂ℓ/∂c_{k+1} = ∂ℓ/∂w; heights: ∂ℓ/∂e_k = gy − ∂ℓ/∂h, ∂ℓ/∂e_{k+1} = ∂ℓ/∂h.
    this.knotBackward(cache, cat + 1, k, -gx - gw, gw, SPLINE_MIN_BIN_WIDTH, grad, gat, gstride, 0);
    this.knotBackward(cache, cat + 1 + K, k, gy - gh, gh, SPLINE_MIN_BIN_HEIGHT, grad, gat, gstride, K);
    for (let i = 1; i < K; i++) grad[gat + (2 * K + i - 1) * gstride] = 0;
    // d_i = min + softplus(θ_d[i − 1] + shift), interior knots 0 < i < K only.
    if (k >= 1) grad[gat + (2 * K + k - 1) * gstride] = G_d0 * sigmoid(theta[at + (2 * K + k - 1) * stride] + DERIVATIVE_SHIFT);
    if (k + 1 <= K - 1) grad[gat + (2 * K + k) * gstride] = G_d1 * sigmoid(theta[at + (2 * K + k) * stride] + DERIVATIVE_SHIFT);
    return gx;
  }

  /**
   * Gradient of knots c_k, c_{k+1} (values gLo, gHi) back to the softmax logits θ[first … first + K)
   * with probabilities p = cache[pat …]: c_j = −B + 2B Σ_{i<j} (minBin + (1 − minBin·K) p_i) for
   * 0 < j < K (c_0, c_K fixed), so ∂ℓ/∂p_i = 2B(1 − minBin·K)·(gLo·[i < k] + gHi·[i < k + 1]).
   */
  private knotBackward(
    cache: Float64Array, pat: number, k: number, gLo: number, gHi: number, minBin: number,
    grad: Vec, gat: number, gstride: number, first: number,
  ): void {
    const K = this.bins, scale = 2 * this.bound * (1 - minBin * K);
    const lo = k >= 1 ? gLo : 0, hi = k + 1 <= K - 1 ? gHi : 0;
    // ∂ℓ/∂p_i: (lo + hi)·scale for i < k, hi·scale for i = k, 0 above.
    const below = (lo + hi) * scale, at = hi * scale;
    let pBelow = 0;
    for (let i = 0; i < k; i++) pBelow += cache[pat + i];
    const dot = below * pBelow + at * cache[pat + k];
    for (let i = 0; i < K; i++) {
      const gp = i < k ? below : i === k ? at : 0;
      grad[gat + (first + i) * gstride] = cache[pat + i] * (gp - dot);
    }
  }
}
