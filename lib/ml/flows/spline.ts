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
 * Element-wise and allocation-free: one {@link RqSpline} holds the scratch of one element's knots.
 * θ of an element is read as theta[at + p·stride], p = 0 … 3K − 2 (widths, heights, derivatives).
 */

/** Smallest bin width and height as a fraction of 2B, and smallest knot derivative (nflows' defaults). */
export const SPLINE_MIN_BIN_WIDTH = 1e-3;
export const SPLINE_MIN_BIN_HEIGHT = 1e-3;
export const SPLINE_MIN_DERIVATIVE = 1e-3;
/** softplus(θ + shift) + min = 1 at θ = 0. */
const DERIVATIVE_SHIFT = Math.log(Math.expm1(1 - SPLINE_MIN_DERIVATIVE));

/** Unnormalised parameters per dimension for K bins. */
export const splineParamsPerDim = (bins: number): number => 3 * bins - 1;

type Vec = Float32Array | Float64Array;

const softplus = (a: number): number => (a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a)));
const sigmoid = (a: number): number => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)));

export class RqSpline {
  readonly bins: number;
  readonly bound: number;
  /** Softmax probabilities of widths and heights (K each). */
  private readonly pw: Float64Array;
  private readonly ph: Float64Array;
  /** Knot positions (K + 1) in x and y. */
  private readonly cw: Float64Array;
  private readonly ch: Float64Array;
  /** Backward scratch: ∂ℓ/∂(knot position) (K + 1), then ∂ℓ/∂(softmax probability) (K). */
  private readonly gk: Float64Array;
  private readonly gp: Float64Array;

  constructor(bins: number, bound: number) {
    this.bins = bins;
    this.bound = bound;
    this.pw = new Float64Array(bins); this.ph = new Float64Array(bins);
    this.cw = new Float64Array(bins + 1); this.ch = new Float64Array(bins + 1);
    this.gk = new Float64Array(bins + 1); this.gp = new Float64Array(bins);
  }

  /** Softmax of θ[at + (first + i)·stride], i < K, into p. */
  private softmax(theta: Vec, at: number, stride: number, first: number, p: Float64Array): void {
    const K = this.bins;
    let mx = -Infinity;
    for (let i = 0; i < K; i++) { const v = theta[at + (first + i) * stride]; if (v > mx) mx = v; }
    let s = 0;
    for (let i = 0; i < K; i++) { const e = Math.exp(theta[at + (first + i) * stride] - mx); p[i] = e; s += e; }
    for (let i = 0; i < K; i++) p[i] /= s;
  }

  /** Knots −B = c_0 < … < c_K = B from probabilities p with a minimum bin size. */
  private knotsFrom(p: Float64Array, minBin: number, c: Float64Array): void {
    const K = this.bins, B = this.bound, scale = 1 - minBin * K;
    c[0] = -B;
    let cum = 0;
    for (let i = 0; i < K - 1; i++) { cum += minBin + scale * p[i]; c[i + 1] = -B + 2 * B * cum; }
    c[K] = B;
  }

  /** Knot positions of one element (the derivatives are computed for the bin in use only, {@link derivative}). */
  private load(theta: Vec, at: number, stride: number): void {
    const K = this.bins;
    this.softmax(theta, at, stride, 0, this.pw);
    this.softmax(theta, at, stride, K, this.ph);
    this.knotsFrom(this.pw, SPLINE_MIN_BIN_WIDTH, this.cw);
    this.knotsFrom(this.ph, SPLINE_MIN_BIN_HEIGHT, this.ch);
  }

  /** Derivative at knot i (1 at the boundary knots 0 and K). */
  private derivative(theta: Vec, at: number, stride: number, i: number): number {
    return i === 0 || i === this.bins ? 1 : SPLINE_MIN_DERIVATIVE + softplus(theta[at + (2 * this.bins + i - 1) * stride] + DERIVATIVE_SHIFT);
  }

  /** Bin k of x in knots c (c_k ≤ x, k ≤ K − 1). */
  private bin(c: Float64Array, x: number): number {
    let k = 0;
    while (k < this.bins - 1 && c[k + 1] <= x) k++;
    return k;
  }

  /**
   * The bin of x (−1 below −B, K above B). f is C¹ but f'' jumps at the knots, so log f' has kinks
   * there: a finite difference is only a derivative when the bin does not change.
   */
  binOf(theta: Vec, at: number, stride: number, x: number): number {
    if (x < -this.bound) return -1;
    if (x > this.bound) return this.bins;
    this.load(theta, at, stride);
    return this.bin(this.cw, x);
  }

  /** log f'(x) of the last {@link RqSpline.forward} call. */
  logDerivative = 0;

  /** y = f(x); log f'(x) into {@link RqSpline.logDerivative}. */
  forward(theta: Vec, at: number, stride: number, x: number): number {
    const B = this.bound;
    if (!(x >= -B && x <= B)) { this.logDerivative = 0; return x; }
    this.load(theta, at, stride);
    const { cw, ch } = this;
    const k = this.bin(cw, x);
    const w = cw[k + 1] - cw[k], h = ch[k + 1] - ch[k], s = h / w;
    const d0 = this.derivative(theta, at, stride, k), d1 = this.derivative(theta, at, stride, k + 1);
    const xi = (x - cw[k]) / w, t = xi * (1 - xi);
    const den = s + (d0 + d1 - 2 * s) * t;
    const y = ch[k] + (h * (s * xi * xi + d0 * t)) / den;
    const nd = d1 * xi * xi + 2 * s * t + d0 * (1 - xi) * (1 - xi);
    this.logDerivative = 2 * Math.log(s) + Math.log(nd) - 2 * Math.log(den);
    return y;
  }

  /** x = f⁻¹(y): the root in [0, 1] of the bin's quadratic, in the cancellation-free form. */
  inverse(theta: Vec, at: number, stride: number, y: number): number {
    const B = this.bound;
    if (!(y >= -B && y <= B)) return y;
    this.load(theta, at, stride);
    const { cw, ch } = this;
    const k = this.bin(ch, y);
    const w = cw[k + 1] - cw[k], h = ch[k + 1] - ch[k], s = h / w;
    const d0 = this.derivative(theta, at, stride, k), d1 = this.derivative(theta, at, stride, k + 1);
    const dy = y - ch[k], delta = d0 + d1 - 2 * s;
    const a = h * (s - d0) + dy * delta;
    const b = h * d0 - dy * delta;
    const c = -s * dy;
    const disc = Math.max(b * b - 4 * a * c, 0);
    const xi = (2 * c) / (-b - Math.sqrt(disc));
    return cw[k] + Math.min(Math.max(xi, 0), 1) * w;
  }

  /**
   * Backward of ℓ = gy·f(x) + gl·log f'(x): writes ∂ℓ/∂θ into grad[gat + p·gstride] (overwritten)
   * and returns ∂ℓ/∂x. By hand through the bin formula, the cumulative sums, softmax and softplus.
   */
  backward(theta: Vec, at: number, stride: number, x: number, gy: number, gl: number, grad: Vec, gat: number, gstride: number): number {
    const K = this.bins, B = this.bound, P = 3 * K - 1;
    if (!(x >= -B && x <= B)) {
      for (let p = 0; p < P; p++) grad[gat + p * gstride] = 0;
      return gy;
    }
    this.load(theta, at, stride);
    const { cw, ch, gk, gp } = this;
    const k = this.bin(cw, x);
    const w = cw[k + 1] - cw[k], h = ch[k + 1] - ch[k], s = h / w;
    const d0 = this.derivative(theta, at, stride, k), d1 = this.derivative(theta, at, stride, k + 1);
    const xi = (x - cw[k]) / w, t = xi * (1 - xi), omx = 1 - xi;
    const delta = d0 + d1 - 2 * s;
    const den = s + delta * t, den2 = den * den;
    const numR = s * xi * xi + d0 * t, R = numR / den;
    const nd = d1 * xi * xi + 2 * s * t + d0 * omx * omx;
    const dt = 1 - 2 * xi; // ∂t/∂ξ
    // Partial derivatives with (ξ, s, h, d0, d1) independent.
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
    this.knotBackward(gk, gp, this.pw, k, -gx - gw, gw, SPLINE_MIN_BIN_WIDTH, grad, gat, gstride, 0);
    this.knotBackward(gk, gp, this.ph, k, gy - gh, gh, SPLINE_MIN_BIN_HEIGHT, grad, gat, gstride, K);
    for (let i = 1; i < K; i++) grad[gat + (2 * K + i - 1) * gstride] = 0;
    // d_i = min + softplus(θ_d[i − 1] + shift), interior knots 0 < i < K only.
    if (k >= 1) grad[gat + (2 * K + k - 1) * gstride] = G_d0 * sigmoid(theta[at + (2 * K + k - 1) * stride] + DERIVATIVE_SHIFT);
    if (k + 1 <= K - 1) grad[gat + (2 * K + k) * gstride] = G_d1 * sigmoid(theta[at + (2 * K + k) * stride] + DERIVATIVE_SHIFT);
    return gx;
  }

  /**
   * Gradient of knots c_k, c_{k+1} (values gLo, gHi) back to the softmax logits θ[first … first + K):
   * c_j = −B + 2B Σ_{i<j} (minBin + (1 − minBin·K) p_i) for 0 < j < K (c_0, c_K fixed).
   */
  private knotBackward(
    gk: Float64Array, gp: Float64Array, p: Float64Array, k: number, gLo: number, gHi: number, minBin: number,
    grad: Vec, gat: number, gstride: number, first: number,
  ): void {
    const K = this.bins, B = this.bound;
    gk.fill(0);
    gk[k] += gLo;
    gk[k + 1] += gHi;
    gk[0] = 0; gk[K] = 0;
    // ∂ℓ/∂p_i = 2B(1 − minBin·K) Σ_{j > i} ∂ℓ/∂c_j.
    const scale = 2 * B * (1 - minBin * K);
    let tail = 0;
    for (let i = K - 1; i >= 0; i--) { tail += gk[i + 1]; gp[i] = scale * tail; }
    let dot = 0;
    for (let i = 0; i < K; i++) dot += p[i] * gp[i];
    for (let i = 0; i < K; i++) grad[gat + (first + i) * gstride] = p[i] * (gp[i] - dot);
  }
}
