/**
 * Fast MAF sampling. Inverting a MADE naively takes D full network passes (dimension d needs
 * dimensions < d). With hidden units grouped by MADE degree (contiguous groups, see MafLayout),
 * a hidden unit of degree g depends only on x_0..x_g, so once x_0..x_d are known the units of
 * degree d are final: each group is computed once, from compact copies of the weight blocks the
 * masks leave non-zero. Total work ≈ one forward pass instead of D.
 */
import { gemmNNInto, biasActivationInto } from '../kernels/index.js';
import { allocatorFor, boundedLogScale, type MafLayout, type BatchNormSettings, type Float32Allocator } from './maf.js';
import { RqSpline } from './spline.js';

export class MafSampler {
  readonly layout: MafLayout;
  readonly capacity: number;
  /** Degree-group boundaries: group g is hidden units [start[g], start[g+1]). */
  private readonly start: number[];
  private readonly G: number;
  // Compact weight blocks, per MAF block k: W1[g] ((D+C) × n_g); W2[g'][g] (n_g' × n_g), g' ≤ g;
  // W3[g'][d] (n_g' × P: the P outputs of dimension d — affine μ_d, α_d), g' < d; biases b1[g], b2[g], b3 (P per d).
  private readonly w1: Float32Array[][] = [];
  private readonly b1: Float32Array[][] = [];
  private readonly w2: Float32Array[][][] = [];
  private readonly b2: Float32Array[][] = [];
  private readonly w3: Float32Array[][][] = [];
  private readonly b3: Float32Array[][] = [];
  // Activations by group (B × n_g), outputs of one dimension (B × P), input (B × (D+C)), u (B × D).
  private readonly h1: Float32Array[] = [];
  private readonly h2: Float32Array[] = [];
  private readonly out: Float32Array;
  private readonly inp: Float32Array;
  /** Undone batch norm (u) and the block's output (x), B × D: float64 between blocks. */
  private readonly u: Float64Array;
  private readonly x: Float64Array;
  private params: Float32Array | null = null;
  private readonly spline: RqSpline | null;

  constructor(layout: MafLayout, capacity: number) {
    this.layout = layout;
    this.capacity = capacity;
    const { D, C, H, K, P, hiddenDegree } = layout;
    this.spline = layout.spline ? new RqSpline(layout.spline.bins, layout.spline.bound) : null;
    const G = Math.max(D - 1, 1);
    this.G = G;
    this.start = [];
    for (let g = 0; g <= G; g++) {
      let s = 0;
      while (s < H && hiddenDegree[s] < g) s++;
      this.start.push(D > 1 ? s : g === 0 ? 0 : H);
    }
    const n = (g: number): number => this.start[g + 1] - this.start[g];
    const lengths: number[] = [];
    const plan: (() => void)[] = [];
    const B = capacity;
    let a: Float32Allocator;
    const take = (len: number, push: (v: Float32Array) => void): void => { lengths.push(len); plan.push(() => push(a.alloc(len))); };
    for (let k = 0; k < K; k++) {
      const w1: Float32Array[] = [], b1: Float32Array[] = [], b2: Float32Array[] = [], b3: Float32Array[] = [];
      const w2: Float32Array[][] = [], w3: Float32Array[][] = [];
      this.w1.push(w1); this.b1.push(b1); this.w2.push(w2); this.b2.push(b2); this.w3.push(w3); this.b3.push(b3);
      for (let g = 0; g < G; g++) {
        take((D + C) * n(g), (v) => w1.push(v));
        take(n(g), (v) => b1.push(v));
        take(n(g), (v) => b2.push(v));
        const row: Float32Array[] = [];
        w2.push(row);
        for (let gp = 0; gp <= g; gp++) take(n(gp) * n(g), (v) => row.push(v));
        const r3: Float32Array[] = [];
        w3.push(r3);
        for (let d = 0; d < D; d++) take(n(g) * P, (v) => r3.push(v));
      }
      for (let d = 0; d < D; d++) take(P, (v) => b3.push(v));
    }
    for (let g = 0; g < G; g++) { take(B * n(g), (v) => this.h1.push(v)); take(B * n(g), (v) => this.h2.push(v)); }
    let out: Float32Array | null = null, inp: Float32Array | null = null;
    take(B * P, (v) => { out = v; });
    take(B * (D + C), (v) => { inp = v; });
    a = allocatorFor(lengths);
    for (const p of plan) p();
    this.out = out as unknown as Float32Array;
    this.inp = inp as unknown as Float32Array;
    this.u = new Float64Array(B * D);
    this.x = new Float64Array(B * D);
  }

  /** Copy the non-zero weight blocks of `params` into the compact layout. */
  load(params: Float32Array): void {
    const { D, C, H, K, P, off, blockSize } = this.layout;
    const s = this.start;
    for (let k = 0; k < K; k++) {
      const base = k * blockSize;
      for (let g = 0; g < this.G; g++) {
        const ng = s[g + 1] - s[g];
        const w1 = this.w1[k][g];
        for (let i = 0; i < D + C; i++) for (let j = 0; j < ng; j++) w1[i * ng + j] = params[base + off.w1 + i * H + s[g] + j];
        for (let j = 0; j < ng; j++) {
          this.b1[k][g][j] = params[base + off.b1 + s[g] + j];
          this.b2[k][g][j] = params[base + off.b2 + s[g] + j];
        }
        for (let gp = 0; gp <= g; gp++) {
          const np = s[gp + 1] - s[gp], w2 = this.w2[k][g][gp];
          for (let i = 0; i < np; i++) for (let j = 0; j < ng; j++) w2[i * ng + j] = params[base + off.w2 + (s[gp] + i) * H + s[g] + j];
        }
        for (let d = 0; d < D; d++) {
          const w3 = this.w3[k][g][d];
          for (let i = 0; i < ng; i++)
            for (let q = 0; q < P; q++) w3[i * P + q] = params[base + off.w3 + (s[g] + i) * P * D + q * D + d];
        }
      }
      for (let d = 0; d < D; d++) for (let q = 0; q < P; q++) this.b3[k][d][q] = params[base + off.b3 + q * D + d];
    }
    this.params = params;
  }

  /**
   * z (B × D, base space) → x (flow space) in place; c: B × C standardised condition. The values
   * between blocks are float64 (the network itself runs in float32), so a stretched value stays
   * finite and the caller's range check can reject it instead of an overflow turning into NaN.
   */
  inverseInPlace(bnStats: Float32Array, bn: BatchNormSettings, z: Float64Array, c: Float32Array, B: number): void {
    const params = this.params;
    if (!params) throw new Error('MafSampler: load(params) first');
    const { D, C, K, P, off, blockSize } = this.layout;
    const DC = D + C, s = this.start, G = this.G;
    const spline = this.spline;
    const u = this.u, x = this.x, inp = this.inp, out = this.out;
    const A = this.layout.maxLogScale;
    for (let k = K - 1; k >= 0; k--) {
      const base = k * blockSize, st = k * 2 * D;
      for (let j = 0; j < D; j++) {
        const g = Math.exp(params[base + off.logGamma + j]), be = params[base + off.beta + j];
        const mean = bnStats[st + j], sd = Math.sqrt(bnStats[st + D + j] + bn.eps);
        for (let i = 0; i < B; i++) u[i * D + j] = ((z[i * D + (D - 1 - j)] - be) / g) * sd + mean;
      }
      for (let i = 0; i < B; i++) {
        for (let j = 0; j < D; j++) inp[i * DC + j] = 0;
        for (let j = 0; j < C; j++) inp[i * DC + D + j] = c[i * C + j];
      }
      for (let d = 0; d < D; d++) {
        // Hidden group d − 1 becomes computable once x_0..x_{d−1} are known.
        const g = d - 1;
        if (g >= 0 && g < G) {
          const ng = s[g + 1] - s[g];
          gemmNNInto(this.h1[g], inp, this.w1[k][g], B, DC, ng);
          biasActivationInto(this.h1[g], this.b1[k][g], B, ng, true);
          for (let gp = 0; gp <= g; gp++)
            gemmNNInto(this.h2[g], this.h1[gp], this.w2[k][g][gp], B, s[gp + 1] - s[gp], ng, gp > 0);
          biasActivationInto(this.h2[g], this.b2[k][g], B, ng, true);
        }
        // The outputs of dimension d (affine: μ_d, α_d) from hidden groups of degree < d (none for d = 0: biases only).
        out.fill(0, 0, B * P);
        for (let gp = 0; gp < Math.min(d, G); gp++)
          gemmNNInto(out, this.h2[gp], this.w3[k][gp][d], B, s[gp + 1] - s[gp], P, true);
        const b = this.b3[k][d];
        if (spline) {
          for (let i = 0; i < B; i++) {
            for (let q = 0; q < P; q++) out[P * i + q] += b[q];
            inp[i * DC + d] = x[i * D + d] = spline.inverse(out, P * i, 1, u[i * D + d]);
          }
        } else
          for (let i = 0; i < B; i++)
            inp[i * DC + d] = x[i * D + d] = u[i * D + d] * Math.exp(boundedLogScale(out[2 * i + 1] + b[1], A)) + (out[2 * i] + b[0]);
      }
      z.set(x.subarray(0, B * D));
    }
  }
}
