/**
 * Conditional masked autoregressive flow (Papamakarios et al. 2017), the CATHODE density estimator.
 *
 * K blocks, each: MADE (masked dense ReLU layers; the condition feeds every first-layer hidden
 * unit) giving (μ, α) per dimension, the affine map u = (z − μ)·exp(−α); batch normalisation with
 * its log-determinant; a reversal of the dimension order. Base density: standard normal. With
 * `shape.spline` the affine map is a rational-quadratic spline instead (RQ-NSF, ./spline.ts): the MADE
 * gives its 3K − 1 parameters per dimension, u = f(z; θ), log-det Σ log f'.
 *
 * All parameters live in one flat Float32Array (`params`) so a single Adam call updates them and
 * the masks are one multiply (masked weights stay exactly zero). Every buffer of a thread —
 * parameters, gradients, moments, activations, batch inputs — is a view into one kernel arena
 * (`allocatorFor`), so the WASM kernels run in place.
 */
import {
  gemmNNInto, gemmNTInto, gemmTNInto, biasActivationInto, reluBackwardBiasGradInto, biasGradInto, KernelArena,
} from '../kernels/index.js';
import type { Rng } from '../../util/rng.js';
import { RqSpline, splineParamsPerDim, splineCacheSize } from './spline.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Architecture of a conditional MAF. */
export interface MafShape {
  /** Modelled dimensions. */
  readonly dims: number;
  /** Condition dimensions (1 for m_JJ). */
  readonly condDims: number;
  /** Hidden units per MADE layer. */
  readonly hidden: number;
  /** Number of MADE blocks. */
  readonly blocks: number;
  /**
   * Rational-quadratic spline blocks (RQ-NSF, Durkan et al. 2019) instead of the affine MAF
   * transform: `bins` bins on [−bound, bound], identity tails. Absent: affine.
   */
  readonly spline?: SplineShape;
  /**
   * Upper bound A on the affine log-scale α (affine blocks): the MADE output a enters as
   * α = A − softplus(A − a) (≈ a well below A), in the density and in sampling alike, so one block's
   * inverse stretches by at most e^A (nflows bounds its scale the same way, scale ≥ 1e-3). Absent:
   * unbounded (documents written before version 3).
   */
  readonly affineMaxLogScale?: number;
}

/** The bound of newly trained affine flows: a block's inverse stretches by at most 1000 (nflows' 1e-3 minimum scale). */
export const AFFINE_MAX_LOG_SCALE = Math.log(1000);

const softplus = (a: number): number => (a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a)));

/** The bounded affine log-scale α = A − softplus(A − a) (identity when A = Infinity). */
export function boundedLogScale(a: number, A: number): number {
  return A === Infinity ? a : A - softplus(A - a);
}

/** dα/da of {@link boundedLogScale}: sigmoid(A − a). */
function boundedLogScaleSlope(a: number, A: number): number {
  if (A === Infinity) return 1;
  const t = A - a;
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

/** Elementwise transform of an RQ-NSF block. */
export interface SplineShape {
  /** Number of bins K (the MADE emits 3K − 1 parameters per dimension). */
  readonly bins: number;
  /** Tail bound B: the spline maps [−B, B] onto itself, identity outside. */
  readonly bound: number;
}

/** Offsets of one block's parameters inside the flat parameter vector (relative to the block start). */
export interface BlockOffsets {
  w1: number; b1: number; w2: number; b2: number; w3: number; b3: number; logGamma: number; beta: number;
}

/**
 * Parameter layout: per block W1 ((D+C)×H, in×out), b1, W2 (H×H), b2, W3 (H×PD), b3 (PD), logγ (D),
 * β (D), with P MADE outputs per dimension: output column p·D + d is parameter p of dimension d
 * (affine: P = 2, μ then α; spline: P = 3K − 1, widths, heights, derivatives).
 */
export class MafLayout {
  readonly D: number; readonly C: number; readonly H: number; readonly K: number;
  /** MADE outputs per dimension. */
  readonly P: number;
  /** The spline of RQ-NSF blocks, or null for affine blocks. */
  readonly spline: SplineShape | null;
  /** Bound on the affine log-scale (Infinity: unbounded; see {@link MafShape.affineMaxLogScale}). */
  readonly maxLogScale: number;
  readonly shape: MafShape;
  readonly blockSize: number;
  readonly off: BlockOffsets;
  readonly numParams: number;
  /** MADE degree of each hidden unit (contiguous groups: unit j has degree ⌊j(D−1)/H⌋; −1 if D = 1). */
  readonly hiddenDegree: Int32Array;

  constructor(shape: MafShape) {
    const { dims: D, condDims: C, hidden: H, blocks: K } = shape;
    this.D = D; this.C = C; this.H = H; this.K = K;
    this.shape = shape;
    this.spline = shape.spline ? { bins: shape.spline.bins, bound: shape.spline.bound } : null;
    this.maxLogScale = shape.affineMaxLogScale ?? Infinity;
    const P = this.spline ? splineParamsPerDim(this.spline.bins) : 2;
    this.P = P;
    let o = 0;
    const take = (n: number): number => { const at = o; o += n; return at; };
    this.off = {
      w1: take((D + C) * H), b1: take(H), w2: take(H * H), b2: take(H),
      w3: take(H * P * D), b3: take(P * D), logGamma: take(D), beta: take(D),
    };
    this.blockSize = o;
    this.numParams = o * K;
    this.hiddenDegree = new Int32Array(H);
    for (let j = 0; j < H; j++) this.hiddenDegree[j] = D > 1 ? Math.floor((j * (D - 1)) / H) : -1;
  }

  /** Hidden units of MADE degree < d (units are sorted by degree, so this is a prefix length). */
  unitsBelow(d: number): number {
    let n = 0;
    while (n < this.H && this.hiddenDegree[n] < d) n++;
    return n;
  }

  /**
   * Where the masked weight matrices are zero, as the limit vectors of the masked gemms
   * (lib/ml/kernels): the products skip those zeros and give the dense result bit for bit.
   * - w2ColumnEnd[k]: W2 column k (out unit) is zero from row unitsBelow(deg k + 1) on;
   * - w2RowStart[j]: W2 row j (in unit) is zero before column unitsBelow(deg j) — for ∂h1 (NT) and ∂W2 (TN);
   * - w3ColumnEnd[c]: W3 column c (an output of dimension c mod D) is zero from row unitsBelow(c mod D);
   * - w1RowStart[i]: W1 row i (input x_i) is zero before column unitsBelow(i); condition rows are dense.
   */
  maskLimits(): { w2ColumnEnd: Float32Array; w2RowStart: Float32Array; w3ColumnEnd: Float32Array; w1RowStart: Float32Array } {
    const { D, C, H, P, hiddenDegree: deg } = this;
    return {
      w2ColumnEnd: Float32Array.from({ length: H }, (_, k) => this.unitsBelow(deg[k] + 1)),
      w2RowStart: Float32Array.from({ length: H }, (_, j) => this.unitsBelow(deg[j])),
      w3ColumnEnd: Float32Array.from({ length: P * D }, (_, c) => this.unitsBelow(c % D)),
      w1RowStart: Float32Array.from({ length: D + C }, (_, i) => (i < D ? this.unitsBelow(i) : 0)),
    };
  }

  /** 1 where a parameter is free, 0 where a MADE mask forces it to zero. */
  mask(): Float32Array {
    const { D, C, H, K, P, off, hiddenDegree: deg } = this;
    const one = new Float32Array(this.blockSize).fill(1);
    // Input layer: x_i (degree i) feeds hidden unit k iff deg(k) ≥ i; condition rows feed all.
    for (let i = 0; i < D; i++) for (let k = 0; k < H; k++) if (!(deg[k] >= i)) one[off.w1 + i * H + k] = 0;
    void C;
    for (let j = 0; j < H; j++) for (let k = 0; k < H; k++) if (!(deg[k] >= deg[j])) one[off.w2 + j * H + k] = 0;
    // Outputs of dimension d (columns p·D + d; affine: μ_d, α_d) see hidden units with deg < d.
    for (let j = 0; j < H; j++)
      for (let c = 0; c < P * D; c++) if (!(deg[j] < c % D)) one[off.w3 + j * P * D + c] = 0;
    const m = new Float32Array(this.numParams);
    for (let k = 0; k < K; k++) m.set(one, k * this.blockSize);
    return m;
  }
}

/** Orthogonal init of an in×out block (smaller side orthonormal), as torch.nn.init.orthogonal_. */
function orthogonalInto(w: Float32Array, at: number, rowsIn: number, colsOut: number, stride: number, rng: Rng): void {
  const n = Math.min(rowsIn, colsOut), L = Math.max(rowsIn, colsOut);
  const v: Float64Array[] = [];
  for (let a = 0; a < n; a++) {
    const x = new Float64Array(L);
    for (let i = 0; i < L; i++) x[i] = rng.normal();
    for (let b = 0; b < a; b++) {
      let dot = 0;
      for (let i = 0; i < L; i++) dot += x[i] * v[b][i];
      for (let i = 0; i < L; i++) x[i] -= dot * v[b][i];
    }
    let nrm = 0;
    for (let i = 0; i < L; i++) nrm += x[i] * x[i];
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < L; i++) x[i] /= nrm;
    v.push(x);
  }
  for (let r = 0; r < rowsIn; r++)
    for (let c = 0; c < colsOut; c++)
      w[at + r * stride + c] = rowsIn >= colsOut ? v[c][r] : v[r][c];
}

/** Fresh parameters: orthogonal weights, zero biases, logγ = β = 0; masked entries zero. */
export function initParams(layout: MafLayout, rng: Rng): Float32Array {
  const { D, C, H, K, off, blockSize } = layout;
  const p = new Float32Array(layout.numParams);
  for (let k = 0; k < K; k++) {
    const b = k * blockSize;
    const r = rng.fork(`block:${k}`);
    orthogonalInto(p, b + off.w1, D, H, H, r.fork('w1'));
    if (C > 0) orthogonalInto(p, b + off.w1 + D * H, C, H, H, r.fork('w1cond'));
    orthogonalInto(p, b + off.w2, H, H, H, r.fork('w2'));
    orthogonalInto(p, b + off.w3, H, layout.P * D, layout.P * D, r.fork('w3'));
  }
  applyMaskInto(p, layout.mask());
  return p;
}

/** p[i] *= mask[i] — keeps MADE-masked weights at zero after an optimiser step. */
export function applyMaskInto(p: Float32Array, mask: Float32Array): void {
  for (let i = 0; i < p.length; i++) p[i] *= mask[i];
}

/** Indices where the mask is 0 (about a third of the weights), for {@link zeroAtInto}. */
export function maskedIndices(mask: Float32Array): Uint32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] === 0) n++;
  const out = new Uint32Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i] === 0) out[k++] = i;
  return out;
}

/** p[idx[k]] = 0 — the same effect as applyMaskInto, touching only the masked entries. */
export function zeroAtInto(p: Float32Array, idx: Uint32Array): void {
  for (let k = 0; k < idx.length; k++) p[idx[k]] = 0;
}

/**
 * Batch-norm statistics used outside training (evaluation, sampling): per block mean (D) then
 * variance (D). Initial values; fitting replaces them with the training set's ({@link trainingSetBatchNormStatsInto})
 * or, with `batchNormStatistics: 'running'`, running averages.
 */
export function initBatchNormStats(layout: MafLayout): Float32Array {
  const s = new Float32Array(layout.K * 2 * layout.D);
  for (let k = 0; k < layout.K; k++) s.fill(1, k * 2 * layout.D + layout.D, (k + 1) * 2 * layout.D);
  return s;
}

/** Batch-norm settings (torch defaults for ε). */
export interface BatchNormSettings {
  /** Variance floor inside the square root. */
  readonly eps: number;
  /** Weight of the current batch in the running statistics (torch convention: 0.1). */
  readonly momentum: number;
}

/** Hands out Float32Array views (same API as the kernels' arena: `alloc(n)`). */
export interface Float32Allocator {
  alloc(n: number): Float32Array;
}

/**
 * One arena of exactly the needed size for every buffer of a flow thread (parameters, gradients,
 * Adam moments, activations, batch inputs): with the WASM kernels all operands of a call then
 * live in the same WebAssembly memory and the kernels run in place.
 */
export function allocatorFor(lengths: readonly number[]): Float32Allocator {
  return new KernelArena(KernelArena.floatsFor(lengths));
}

/**
 * All activations of one batch of up to `capacity` rows, as views from one allocator (+ a small
 * Float64Array for per-row log-determinants and batch-norm sums). Views by block.
 */
export class MafWorkspace {
  readonly capacity: number;
  readonly f64: Float64Array;
  readonly inp: Float32Array[] = []; readonly h1: Float32Array[] = []; readonly h2: Float32Array[] = [];
  readonly o: Float32Array[] = []; readonly u: Float32Array[] = []; readonly xhat: Float32Array[] = [];
  /** Per block: √(var + ε) used in the forward pass (D). */
  readonly bnScale: Float32Array[] = [];
  readonly z: Float32Array; readonly gz: Float32Array; readonly gu: Float32Array; readonly go: Float32Array;
  readonly gh1: Float32Array; readonly gh2: Float32Array; readonly ginp: Float32Array;
  /** Per-row log-determinant (float64). */
  readonly logDet: Float64Array;
  /** The masks' limit vectors ({@link MafLayout.maskLimits}), in the same arena as the operands. */
  readonly limits: ReturnType<MafLayout['maskLimits']>;
  /** Scratch of the spline transform (null for affine blocks). */
  readonly spline: RqSpline | null;
  /** Per block, per element (row-major B × D): the spline's forward → backward cache (spline blocks only). */
  readonly splineCache: Float64Array[] = [];

  /** Lengths of the views a workspace allocates (to size an arena). */
  static lengths(layout: MafLayout, capacity: number): number[] {
    const { D, C, H, K, P } = layout;
    const B = capacity;
    const perBlock = [B * (D + C), B * H, B * H, B * P * D, B * D, B * D, D];
    const out: number[] = [];
    for (let k = 0; k < K; k++) out.push(...perBlock);
    out.push(B * D, B * D, B * D, B * P * D, B * H, B * H, B * (D + C));
    out.push(H, H, P * D, D + C);
    return out;
  }

  constructor(layout: MafLayout, capacity: number, allocator?: Float32Allocator) {
    const { D, C, H, K, P } = layout;
    const B = capacity;
    this.capacity = B;
    const a = allocator ?? allocatorFor(MafWorkspace.lengths(layout, capacity));
    const take = (n: number): Float32Array => a.alloc(n);
    for (let k = 0; k < K; k++) {
      this.inp.push(take(B * (D + C))); this.h1.push(take(B * H)); this.h2.push(take(B * H));
      this.o.push(take(B * P * D)); this.u.push(take(B * D)); this.xhat.push(take(B * D)); this.bnScale.push(take(D));
    }
    this.z = take(B * D); this.gz = take(B * D); this.gu = take(B * D); this.go = take(B * P * D);
    this.gh1 = take(B * H); this.gh2 = take(B * H); this.ginp = take(B * (D + C));
    const lim = layout.maskLimits();
    const keep = (v: Float32Array): Float32Array => { const view = take(v.length); view.set(v); return view; };
    this.limits = { w2ColumnEnd: keep(lim.w2ColumnEnd), w2RowStart: keep(lim.w2RowStart), w3ColumnEnd: keep(lim.w3ColumnEnd), w1RowStart: keep(lim.w1RowStart) };
    this.f64 = new Float64Array(B + 2 * D);
    this.logDet = this.f64.subarray(0, B);
    this.spline = layout.spline ? new RqSpline(layout.spline.bins, layout.spline.bound) : null;
    if (layout.spline) for (let k = 0; k < K; k++) this.splineCache.push(new Float64Array(B * D * splineCacheSize(layout.spline.bins)));
  }
}

/**
 * The MADE network of block k on `inp` (B × (D+C)): fills h1, h2 and o (B × PD; affine: [μ | α]).
 * With `limits` the products skip the masked zeros of W2 and W3 (same numbers, less work).
 */
export function madeForward(
  layout: MafLayout, params: Float32Array, k: number, inp: Float32Array, B: number,
  h1: Float32Array, h2: Float32Array, o: Float32Array, limits?: MafWorkspace['limits'],
): void {
  const { D, C, H, P, off } = layout;
  const base = k * layout.blockSize;
  const W1 = params.subarray(base + off.w1, base + off.w1 + (D + C) * H);
  const W2 = params.subarray(base + off.w2, base + off.w2 + H * H);
  const W3 = params.subarray(base + off.w3, base + off.w3 + H * P * D);
  gemmNNInto(h1, inp, W1, B, D + C, H);
  biasActivationInto(h1, params.subarray(base + off.b1, base + off.b1 + H), B, H, true);
  gemmNNInto(h2, h1, W2, B, H, H, false, limits?.w2ColumnEnd);
  biasActivationInto(h2, params.subarray(base + off.b2, base + off.b2 + H), B, H, true);
  gemmNNInto(o, h2, W3, B, H, P * D, false, limits?.w3ColumnEnd);
  biasActivationInto(o, params.subarray(base + off.b3, base + off.b3 + P * D), B, P * D, false);
}

/**
 * Forward pass x → z of B rows (x: B × D flow space, c: B × C standardised condition).
 * `training`: batch statistics in batch norm (and the running averages in `bnStats` updated);
 * otherwise the statistics stored in `bnStats`. Writes per-row log p into `logProbOut` (float64) and returns Σ(−log p).
 */
export function mafForward(
  layout: MafLayout, params: Float32Array, bnStats: Float32Array, bn: BatchNormSettings,
  ws: MafWorkspace, x: Float32Array, c: Float32Array, B: number, training: boolean, logProbOut?: Float64Array,
  split: BatchSplit = wholeBatch(B),
): number {
  const { D, C, K, P, off } = layout;
  const DC = D + C;
  const z = ws.z;
  const spline = ws.spline;
  z.set(x.subarray(0, B * D));
  const logDet = ws.logDet;
  logDet.fill(0, 0, B);
  const sums = ws.f64.subarray(B, B + 2 * D);
  for (let k = 0; k < K; k++) {
    const base = k * layout.blockSize;
    const inp = ws.inp[k], o = ws.o[k], u = ws.u[k], xhat = ws.xhat[k], scale = ws.bnScale[k];
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < D; j++) inp[i * DC + j] = z[i * D + j];
      for (let j = 0; j < C; j++) inp[i * DC + D + j] = c[i * C + j];
    }
    madeForward(layout, params, k, inp, B, ws.h1[k], ws.h2[k], o, ws.limits);
    if (spline) {
      // Spline: u = f(z; θ(z_<d, c)); log-det Σ log f'.
      const cache = ws.splineCache[k], cs = splineCacheSize(spline.bins);
      for (let i = 0; i < B; i++) {
        let ld = 0;
        for (let j = 0; j < D; j++) {
          u[i * D + j] = spline.forward(o, i * P * D + j, D, z[i * D + j], cache, (i * D + j) * cs);
          ld += spline.logDerivative;
        }
        logDet[i] += ld;
      }
    } else {
      // Affine: u = (z − μ)·exp(−α), α bounded above; log-det −Σα.
      const A = layout.maxLogScale;
      for (let i = 0; i < B; i++) {
        let ld = 0;
        for (let j = 0; j < D; j++) {
          const a = boundedLogScale(o[i * 2 * D + D + j], A);
          u[i * D + j] = (z[i * D + j] - o[i * 2 * D + j]) * Math.exp(-a);
          ld -= a;
        }
        logDet[i] += ld;
      }
    }
    // Batch norm.
    const st = k * 2 * D;
    if (training) {
      // Σu and Σu² in float64 (one all-reduce when the batch is split over threads).
      sums.fill(0);
      for (let i = 0; i < B; i++) for (let j = 0; j < D; j++) { const t = u[i * D + j]; sums[j] += t; sums[D + j] += t * t; }
      split.allReduce(sums);
      const N = split.totalRows;
      for (let j = 0; j < D; j++) {
        const mean = sums[j] / N, v = Math.max(sums[D + j] / N - mean * mean, 0);
        scale[j] = Math.sqrt(v + bn.eps);
        bnStats[st + j] = (1 - bn.momentum) * bnStats[st + j] + bn.momentum * mean;
        bnStats[st + D + j] = (1 - bn.momentum) * bnStats[st + D + j] + bn.momentum * v;
        sums[D + j] = mean; // keep the mean for the normalisation below
      }
    } else {
      for (let j = 0; j < D; j++) { sums[D + j] = bnStats[st + j]; scale[j] = Math.sqrt(bnStats[st + D + j] + bn.eps); }
    }
    let bnLogDet = 0;
    for (let j = 0; j < D; j++) bnLogDet += params[base + off.logGamma + j] - Math.log(scale[j]);
    for (let i = 0; i < B; i++) logDet[i] += bnLogDet;
    // y = x̂·γ + β, then reverse the order into z for the next block.
    for (let j = 0; j < D; j++) {
      const mean = sums[D + j], s = scale[j];
      const g = Math.exp(params[base + off.logGamma + j]), be = params[base + off.beta + j];
      for (let i = 0; i < B; i++) {
        const xh = (u[i * D + j] - mean) / s;
        xhat[i * D + j] = xh;
        z[i * D + (D - 1 - j)] = xh * g + be;
      }
    }
  }
  let loss = 0;
  for (let i = 0; i < B; i++) {
    let lp = logDet[i];
    for (let j = 0; j < D; j++) { const v = z[i * D + j]; lp -= 0.5 * v * v + HALF_LOG_2PI; }
    if (logProbOut) logProbOut[i] = lp;
    loss -= lp;
  }
  return loss;
}

/**
 * Backward pass of the mean loss −(1/B)Σ log p after a training-mode `mafForward` on the same
 * workspace: writes ∂L/∂params into `grad` (overwritten).
 */
export function mafBackward(
  layout: MafLayout, params: Float32Array, ws: MafWorkspace, B: number, grad: Float32Array, split: BatchSplit = wholeBatch(B),
): void {
  const { D, C, H, K, P, off } = layout;
  const DC = D + C;
  const N = split.totalRows;
  const spline = ws.spline;
  const invB = 1 / N;
  const red = ws.f64.subarray(B, B + 2 * D);
  const gz = ws.gz, gu = ws.gu, go = ws.go, gh1 = ws.gh1, gh2 = ws.gh2, ginp = ws.ginp;
  // Base density: ∂(½z²)/∂z = z.
  for (let i = 0; i < B * D; i++) gz[i] = ws.z[i] * invB;
  for (let k = K - 1; k >= 0; k--) {
    const base = k * layout.blockSize;
    const u = ws.u[k], o = ws.o[k], xhat = ws.xhat[k], scale = ws.bnScale[k];
    // Batch norm (batch statistics; includes the log-det term −Σ(logγ − ½log(var+ε))).
    red.fill(0);
    for (let j = 0; j < D; j++) {
      let sy = 0, syx = 0;
      for (let i = 0; i < B; i++) {
        const gy = gz[i * D + (D - 1 - j)];
        sy += gy;
        syx += gy * xhat[i * D + j];
      }
      red[j] = sy;
      red[D + j] = syx;
      // Local parts of ∂β and ∂logγ (the −1 of the log-det is counted by the first part only).
      const g = Math.exp(params[base + off.logGamma + j]);
      grad[base + off.beta + j] = sy;
      grad[base + off.logGamma + j] = syx * g - (split.part === 0 ? 1 : 0);
    }
    split.allReduce(red);
    for (let j = 0; j < D; j++) {
      const g = Math.exp(params[base + off.logGamma + j]);
      const m1 = (red[j] * g) / N;
      const m2 = (red[D + j] * g) / N;
      const s = scale[j];
      for (let i = 0; i < B; i++) {
        const xh = xhat[i * D + j];
        const dxh = gz[i * D + (D - 1 - j)] * g;
        gu[i * D + j] = (dxh - m1 - xh * m2 + xh * invB) / s;
      }
    }
    if (spline) {
      // Spline u = f(z; θ): ∂z and ∂θ of gu·f − (1/B)·log f' (by hand, see RqSpline.backward).
      const zin = ws.inp[k], cache = ws.splineCache[k], cs = splineCacheSize(spline.bins);
      for (let i = 0; i < B; i++)
        for (let j = 0; j < D; j++)
          gz[i * D + j] = spline.backward(o, i * P * D + j, D, zin[i * DC + j], gu[i * D + j], -invB, go, i * P * D + j, D, cache, (i * D + j) * cs);
    } else {
      // Affine: u = (z − μ)e^{−α}: ∂z = gu·e^{−α}, ∂μ = −gu·e^{−α}, ∂α = −gu·u + 1/B (log-det),
      // times dα/da for the MADE output a (bounded log-scale).
      const A = layout.maxLogScale;
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < D; j++) {
          const raw = o[i * 2 * D + D + j];
          const e = Math.exp(-boundedLogScale(raw, A));
          const g = gu[i * D + j];
          gz[i * D + j] = g * e;
          go[i * 2 * D + j] = -g * e;
          go[i * 2 * D + D + j] = (-g * u[i * D + j] + invB) * boundedLogScaleSlope(raw, A);
        }
      }
    }
    const W1 = params.subarray(base + off.w1, base + off.w1 + DC * H);
    const W2 = params.subarray(base + off.w2, base + off.w2 + H * H);
    const W3 = params.subarray(base + off.w3, base + off.w3 + H * P * D);
    const h1 = ws.h1[k], h2 = ws.h2[k], inp = ws.inp[k];
    // Masked products: the zeros of W1 and W2 are skipped; gradients of masked weights are not
    // needed (zeroAtInto resets those weights after each step).
    const lim = ws.limits;
    gemmTNInto(grad.subarray(base + off.w3, base + off.w3 + H * P * D), h2, go, H, B, P * D);
    biasGradInto(grad.subarray(base + off.b3, base + off.b3 + P * D), go, B, P * D);
    gemmNTInto(gh2, go, W3, B, P * D, H);
    reluBackwardBiasGradInto(grad.subarray(base + off.b2, base + off.b2 + H), gh2, h2, B, H);
    gemmTNInto(grad.subarray(base + off.w2, base + off.w2 + H * H), h1, gh2, H, B, H, false, lim.w2RowStart);
    gemmNTInto(gh1, gh2, W2, B, H, H, false, lim.w2RowStart);
    reluBackwardBiasGradInto(grad.subarray(base + off.b1, base + off.b1 + H), gh1, h1, B, H);
    gemmTNInto(grad.subarray(base + off.w1, base + off.w1 + DC * H), inp, gh1, DC, B, H, false, lim.w1RowStart);
    gemmNTInto(ginp, gh1, W1, B, H, DC, false, lim.w1RowStart);
    for (let i = 0; i < B; i++) for (let j = 0; j < D; j++) gz[i * D + j] += ginp[i * DC + j];
  }
}

/**
 * How a training batch is shared between threads: this thread's `part`, the rows of the whole
 * batch, and an all-reduce that sums a small float64 vector over the parts in a fixed order (so
 * every part sees bit-identical batch-norm statistics). Single thread: identity.
 */
export interface BatchSplit {
  readonly part: number;
  readonly totalRows: number;
  allReduce(v: Float64Array): void;
}

/** The batch is not split over threads. */
const wholeBatch = (rows: number): BatchSplit => ({ part: 0, totalRows: rows, allReduce() {} });

/**
 * Inverse pass z → x (sampling) with the stored batch-norm statistics. z: B × D base-space values
 * (overwritten with the result x), float64 so that a large intermediate value stays finite (the
 * sampler's boundary check then rejects it); c: B × C standardised condition. Each block's MADE
 * inverse is D sequential network passes (dimension d needs dimensions < d).
 */
export function mafInverseInPlace(
  layout: MafLayout, params: Float32Array, bnStats: Float32Array, bn: BatchNormSettings,
  ws: MafWorkspace, z: Float64Array, c: Float32Array, B: number,
): void {
  const { D, C, K, P, off } = layout;
  const DC = D + C;
  const A = layout.maxLogScale;
  const inp = ws.ginp, h1 = ws.gh1, h2 = ws.gh2, o = ws.go;
  const u = new Float64Array(B * D), x = new Float64Array(B * D);
  const spline = ws.spline;
  for (let k = K - 1; k >= 0; k--) {
    const base = k * layout.blockSize;
    const st = k * 2 * D;
    // Undo reversal and batch norm.
    for (let j = 0; j < D; j++) {
      const g = Math.exp(params[base + off.logGamma + j]), be = params[base + off.beta + j];
      const mean = bnStats[st + j], s = Math.sqrt(bnStats[st + D + j] + bn.eps);
      for (let i = 0; i < B; i++) u[i * D + j] = ((z[i * D + (D - 1 - j)] - be) / g) * s + mean;
    }
    for (let i = 0; i < B; i++) {
      for (let j = 0; j < D; j++) inp[i * DC + j] = 0;
      for (let j = 0; j < C; j++) inp[i * DC + D + j] = c[i * C + j];
    }
    for (let d = 0; d < D; d++) {
      madeForward(layout, params, k, inp, B, h1, h2, o, ws.limits);
      for (let i = 0; i < B; i++) {
        const v = spline
          ? spline.inverse(o, i * P * D + d, D, u[i * D + d])
          : u[i * D + d] * Math.exp(boundedLogScale(o[i * 2 * D + D + d], A)) + o[i * 2 * D + d];
        x[i * D + d] = v;
        inp[i * DC + d] = v;
      }
    }
    z.set(x);
  }
}

/**
 * Batch-norm statistics of the whole training set, as the CATHODE reference sets them after each
 * epoch (one pass in training mode with momentum 0): block k's mean and (biased) variance of its
 * transform output u over all n rows, with blocks < k already normalised by their new statistics.
 * Writes them into `bnStats` (where the running averages lived; evaluation and sampling then use
 * them). Rows pass in chunks of the workspace's capacity; the block-to-block state is float64. Rows far outside
 * a batch norm's bulk are left out of its statistics ({@link BATCH_NORM_BULK_SDS}).
 * @returns the most rows any one batch norm left out (0 for a flow whose every row is in the bulk).
 */
export function trainingSetBatchNormStatsInto(
  layout: MafLayout, params: Float32Array, bnStats: Float32Array, bn: BatchNormSettings,
  ws: MafWorkspace, y: Float32Array, c: Float32Array, n: number,
): number {
  let excluded = 0;
  const { D, C, K, P, off } = layout;
  const DC = D + C;
  const A = layout.maxLogScale;
  const cap = ws.capacity;
  const inp = ws.inp[0], h1 = ws.h1[0], h2 = ws.h2[0], o = ws.o[0];
  const spline = ws.spline;
  const z = Float64Array.from(y.subarray(0, n * D));
  const u = new Float64Array(n * D);
  for (let k = 0; k < K; k++) {
    const base = k * layout.blockSize, st = k * 2 * D;
    for (let s = 0; s < n; s += cap) {
      const B = Math.min(cap, n - s);
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < D; j++) inp[i * DC + j] = z[(s + i) * D + j];
        for (let j = 0; j < C; j++) inp[i * DC + D + j] = c[(s + i) * C + j];
      }
      madeForward(layout, params, k, inp, B, h1, h2, o, ws.limits);
      for (let i = 0; i < B; i++)
        for (let j = 0; j < D; j++) {
          const zi = z[(s + i) * D + j];
          u[(s + i) * D + j] = spline
            ? spline.forward(o, i * P * D + j, D, zi)
            : (zi - o[i * 2 * D + j]) * Math.exp(-boundedLogScale(o[i * 2 * D + D + j], A));
        }
    }
    for (let j = 0; j < D; j++) {
      const bulk = batchNormBulk(u, D, j, n);
      if (bulk.excluded > excluded) excluded = bulk.excluded;
      // Two passes (mean, then squared deviations): no cancellation when |mean| ≫ sd.
      let sum = 0;
      for (let i = 0; i < n; i++) { const v = u[i * D + j]; if (bulk.includes(v)) sum += v; }
      const mean = sum / (n - bulk.excluded);
      let ss = 0;
      for (let i = 0; i < n; i++) { const v = u[i * D + j]; if (bulk.includes(v)) { const t = v - mean; ss += t * t; } }
      bnStats[st + j] = mean;
      bnStats[st + D + j] = ss / (n - bulk.excluded);
      // Normalise with the stored (float32) values, exactly as evaluation will, then reverse into z.
      const m32 = bnStats[st + j], sd = Math.sqrt(bnStats[st + D + j] + bn.eps);
      const g = Math.exp(params[base + off.logGamma + j]), be = params[base + off.beta + j];
      for (let i = 0; i < n; i++) z[i * D + (D - 1 - j)] = ((u[i * D + j] - m32) / sd) * g + be;
    }
  }
  return excluded;
}

/** An event is not part of a batch norm's bulk beyond max(this, √n) robust standard deviations from the median. */
export const BATCH_NORM_BULK_SDS = 100;

/**
 * Which values of column j of u (n rows × D) the training-set batch-norm statistics take: all, unless some lie more
 * than max({@link BATCH_NORM_BULK_SDS}, √n) robust standard deviations from the median (both from a deterministic
 * subsample of ≤ 4096 rows; σ from the 10–90 % quantiles) or are non-finite. Beyond √n σ one event would carry more of
 * the variance than all the others together: the statistics would describe it, not the bulk. Why at all: a flow maps
 * an input far outside its training bulk through exp(−α) at every block; one training event grown to 1e36 overflowed
 * a float32 variance and turned every validation event's log-likelihood into NaN.
 */
/** The bulk's reach in robust standard deviations for n rows: max({@link BATCH_NORM_BULK_SDS}, √n). */
export function batchNormBulkSds(n: number): number {
  return Math.max(BATCH_NORM_BULK_SDS, Math.sqrt(n));
}

function batchNormBulk(u: Float64Array, D: number, j: number, n: number): { includes: (v: number) => boolean; excluded: number } {
  const stride = Math.max(1, Math.ceil(n / 4096));
  const sample: number[] = [];
  for (let i = 0; i < n; i += stride) { const v = u[i * D + j]; if (Number.isFinite(v)) sample.push(v); }
  sample.sort((a, b) => a - b);
  const at = (q: number): number => sample[Math.min(sample.length - 1, Math.floor(q * sample.length))];
  const median = sample.length ? at(0.5) : 0;
  // (q90 − q10) / 2.563 is σ for a Gaussian.
  const reach = sample.length ? (batchNormBulkSds(n) * (at(0.9) - at(0.1))) / 2.563 : 0;
  const includes = reach > 0 ? (v: number): boolean => Math.abs(v - median) <= reach : (v: number): boolean => Number.isFinite(v);
  let excluded = 0;
  for (let i = 0; i < n; i++) if (!includes(u[i * D + j])) excluded++;
  return { includes, excluded };
}
